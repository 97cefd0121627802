"""Steps the browser journeys share."""

from __future__ import annotations

from typing import Any

from accounts.tests.factories import PASSWORD
from accounts.tests.staff import totp_code


def log_in(page: Any, root: str, email: str, *, with_totp: bool = False) -> None:
    """Log in through the login form (and the TOTP step, for staff), as a user would."""
    page.goto(f"{root}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    if with_totp:
        page.fill("input[name=code]", totp_code())
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
