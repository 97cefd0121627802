"""The PEPPOL conformance scoreboard: every expectation counted, printed once at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest


@dataclass
class PeppolScoreboard:
    """Expectations of the official rule tests, reproduced or not, and the rules they name."""

    reproduced: int = 0
    total: int = 0
    tested_rules: set[str] = field(default_factory=set)
    implemented: set[str] = field(default_factory=set)

    def record(self, rule: str, ok: bool) -> None:
        """Count one expectation of one test case."""
        self.total += 1
        self.reproduced += ok
        self.tested_rules.add(rule)

    def lines(self) -> list[str]:
        """Return the summary lines."""
        covered = sorted(self.tested_rules & self.implemented)
        missing = sorted(self.tested_rules - self.implemented)
        return [
            f"PEPPOL rule tests: {self.reproduced}/{self.total} expectations reproduced; "
            f"rules implemented: {len(covered)} of {len(self.tested_rules)} tested "
            f"(missing: {', '.join(missing) or 'none'})",
            f"Implemented and tested: {', '.join(covered)}",
            f"Implemented, no official unit test: "
            f"{', '.join(sorted(self.implemented - self.tested_rules)) or 'none'}",
        ]


_SCOREBOARD = pytest.StashKey[PeppolScoreboard]()


@pytest.fixture(scope="session")
def peppol_scoreboard(request: pytest.FixtureRequest) -> PeppolScoreboard:
    """Return the session's scoreboard (kept on the config so the summary hook finds it)."""
    return request.config.stash.setdefault(_SCOREBOARD, PeppolScoreboard())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the conformance score when the conformance tests ran."""
    scoreboard = terminalreporter.config.stash.get(_SCOREBOARD, None)
    if scoreboard is None or not scoreboard.total:
        return
    terminalreporter.section("PEPPOL conformance")
    for line in scoreboard.lines():
        terminalreporter.write_line(line)


# The delivery channels' real servers (defined beside the other cross-app fixtures in tests/).
from tests.peppol_receiver import peppol_receiver  # noqa: E402, F401
from tests.smtp_server import smtp_server  # noqa: E402, F401
