"""Steps the browser journeys share."""

from __future__ import annotations

import re
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


def sign_in_the_app(page: Any, person: dict[str, str]) -> None:
    """Open the simulated app from the order page's own link and approve as the person."""
    link = page.get_attribute("#autostart", "href")
    app = page.context.new_page()
    app.goto(link)
    option = app.locator("#person option", has_text=person["personal_number"])
    app.select_option("#person", value=option.get_attribute("value"))
    app.click("#open")
    app.wait_for_selector("#order:not([hidden])")
    app.click("#sign")
    app.wait_for_selector("#message.ok", timeout=15_000)  # "Klart. Gå tillbaka till tjänsten."
    app.close()


def plain(text: str) -> str:
    """Return text with its runs of spaces as one plain space.

    Amounts are grouped with a no-break space in Swedish ("4 525,00"); tests write plain ones.
    """
    return re.sub(r"\s+", " ", text).strip()


def definitions(page: Any, selector: str) -> dict[str, str]:
    """Return a description list's terms and their descriptions, as the reader sees them."""
    pairs = page.eval_on_selector(
        selector,
        "dl => [...dl.querySelectorAll('dt')]"
        ".map(dt => [dt.innerText, dt.nextElementSibling.innerText])",
    )
    return {plain(term): plain(text) for term, text in pairs}
