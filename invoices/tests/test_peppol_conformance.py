"""The official PEPPOL rule unit tests (vefa testSet files) against invoices.peppol.

Read from ../shared, never copied into the project (OpenPeppol material without a licence
grant). One case per (file, test): each <success>, <warning> and <error> expectation of the
test must be reproduced: no finding, a warning finding or a fatal finding for that rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from invoices.findings import Severity
from invoices.peppol import check_peppol, implemented_rules

RULE_TESTS = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "rule-tests"
VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_OUTCOMES = {"success": None, "warning": Severity.WARNING, "error": Severity.FATAL}

if not RULE_TESTS.is_dir():
    pytest.skip(f"official rule tests not found at {RULE_TESTS}", allow_module_level=True)

# Cases whose expectation cannot be reproduced, with the reason (none so far).
KNOWN_DIFFERENCES: dict[str, str] = {}


@dataclass(frozen=True)
class Expectation:
    outcome: str  # success, warning or error
    rule: str
    number: int | None  # how many times the rule fires, when the test says

    def reproduced(self, severities: list[Severity]) -> bool:
        if self.outcome == "success":
            return not severities
        wanted = _OUTCOMES[self.outcome]
        if not severities or any(severity != wanted for severity in severities):
            return False
        return self.number is None or len(severities) == self.number


@dataclass(frozen=True)
class Case:
    name: str
    document: etree._Element
    expectations: tuple[Expectation, ...]


def _cases() -> list[Case]:
    files = sorted(RULE_TESTS.glob("unit-UBL-PEPPOL/*.xm*")) + sorted(
        RULE_TESTS.glob("unit-UBL-SE/*.xml")
    )
    return [case for path in files for case in _file_cases(path)]


def _file_cases(path: Path) -> list[Case]:
    test_set = etree.parse(str(path), _PARSER).getroot()
    cases = []
    for index, test in enumerate(test_set.iterfind(f"{VEFA}test"), start=1):
        documents = [child for child in test if not str(child.tag).startswith(VEFA)]
        documents = [child for child in documents if isinstance(child.tag, str)]
        cases.append(
            Case(
                name=f"{path.parent.name}/{path.name}#{index}",
                # A document of its own, so that /Invoice is the root as in a real file.
                document=copy.deepcopy(documents[0]),
                expectations=tuple(_expectations(test.find(f"{VEFA}assert"))),
            )
        )
    return cases


def _expectations(assertion: etree._Element | None) -> list[Expectation]:
    if assertion is None:
        return []
    return [
        Expectation(outcome, (element.text or "").strip(), _number(element))
        for outcome in _OUTCOMES
        for element in assertion.iterfind(f"{VEFA}{outcome}")
    ]


def _number(element: etree._Element) -> int | None:
    value = element.get("number")
    return int(value) if value else None


def _params() -> list[object]:
    return [
        pytest.param(
            case,
            id=case.name,
            marks=[pytest.mark.xfail(reason=KNOWN_DIFFERENCES[case.name], strict=True)]
            if case.name in KNOWN_DIFFERENCES
            else [],
        )
        for case in _cases()
    ]


@pytest.mark.parametrize("case", _params())
def test_rule_expectations_are_reproduced(case: Case, peppol_scoreboard) -> None:
    peppol_scoreboard.implemented = set(implemented_rules())
    findings = check_peppol(case.document)
    failures = []
    for expectation in case.expectations:
        severities = [f.severity for f in findings if f.rule == expectation.rule]
        ok = expectation.reproduced(severities) and expectation.rule in implemented_rules()
        peppol_scoreboard.record(expectation.rule, ok)
        if not ok:
            failures.append(f"{expectation} got {[s.value for s in severities]}")
    assert case.expectations, "a test without expectations"
    assert not failures, "; ".join(failures)
