"""Browser journeys: Playwright driving Debian's Chromium against a live server.

The browser is Debian's (/usr/bin/chromium; `.ci/run` installs it), never a download.
A failing test leaves a screenshot and the page's HTML under var/e2e/ for CI to keep.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
ARTEFACTS = Path(settings.BASE_DIR) / "var" / "e2e"

# Playwright's sync API keeps an event loop on the test's thread; Django then takes every
# ORM call of the test (fixtures, assertions) for one made from async code, and refuses it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (Debian's)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the pages' data-confirm prompts
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _keep_artefacts(page, request.node.nodeid)
    context.close()


def _keep_artefacts(page: Any, nodeid: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    (ARTEFACTS / f"{name}.html").write_text(page.content())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.report_call = report  # read by the page fixture
    return report


class Accessibility:
    """axe-core on each page a journey visits: no violation of impact serious or critical."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

        self.axe = Axe()
        self.checked: list[str] = []

    def check(self, page: Any) -> None:
        results = self.axe.run(page)
        grave = [
            f"{violation['id']} ({violation['impact']}): "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert not grave, f"accessibility on {page.url}: " + "; ".join(grave)
        self.checked.append(page.url)


@pytest.fixture
def a11y() -> Accessibility:
    return Accessibility()


@pytest.fixture
def mail_folder(settings: Any, tmp_path: Path) -> Path:
    """Mails land as files, as in the demo, for the journey to open like a user would."""
    folder = tmp_path / "mail"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    return folder
