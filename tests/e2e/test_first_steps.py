"""A new user's first steps, in the browser: sign up, confirm the e-mail, register the company.

Sign up, open the confirmation link from the mail folder, create the organisation from the
company register, meet the "confirm and sign" notice, and choose Later: in Swedish, the
portal's language, and the whole way in English after the language switch.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Membership, Organisation

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EMAIL = "ny.anvandare@fjallgarden.example"
PASSWORD = "ett-langt-losenord-2026"


def _confirmation_link(folder: Path) -> str:
    texts = [path.read_text() for path in sorted(folder.glob("*.log"))]
    links = re.findall(r"https?://\S+/accounts/confirm-email/\S+", "\n".join(texts))
    assert links, f"no confirmation link in {folder}"
    return str(links[-1])


# What the journey reads on the pages, per language.
WORDS = {
    "sv": {"later": "Senare", "next": "Verifiera"},
    "en": {"later": "Later", "next": "Verify"},
}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_sign_up_confirm_register_the_company_and_sign_later(
    live_server: Any, page: Any, mail_folder: Path, a11y: Any, language: str
) -> None:
    words = WORDS[language]
    page.goto(f"{live_server.url}/accounts/signup/")
    if language == "en":
        page.click("form.lang-switcher button[value=en]")
        page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == language
    a11y.check(page)
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(_confirmation_link(mail_folder))
    a11y.check(page)
    page.click("main button[type=submit]")  # allauth asks to confirm the address with a POST
    page.wait_for_url(re.compile(r"/org/new/"))
    a11y.check(page)

    page.fill("input[name=org_number]", "559045-6785")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Fjällgården Turism AB" in page.inner_text("main")  # the register's details
    a11y.check(page)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")

    # The notice: confirm the details and sign once with BankID, or later.
    assert "BankID" in page.inner_text("main")
    a11y.check(page)
    page.click(f"main a:has-text('{words['later']}')")
    page.wait_for_load_state("networkidle")
    organisation = Organisation.objects.get(org_number="559045-6785")
    assert organisation.verification_status == Organisation.VerificationStatus.UNVERIFIED
    assert Membership.objects.get(organisation=organisation).user.email == EMAIL
    assert words["next"] in page.inner_text("main")  # the dashboard says what comes next
    assert page.locator("html").get_attribute("lang") == language
    a11y.check(page)
