"""A taken number, in the browser: the transfer request and the staff's four-eyes decision.

A web user registers a number an ERP partner holds, sees who holds it and asks for a
transfer; a reviewer finds the request in the review workspace and decides it, and a second
reviewer confirms (four eyes); the requester then owns the organisation and must sign.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.models import Membership, NetworkRegistration, Organisation
from accounts.tests.factories import UserFactory
from accounts.tests.partners import KVARNEN, make_partner
from review.tests.helpers import staff
from tests.e2e.steps import log_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_taken_number_ends_in_a_transfer_that_two_reviewers_decide(
    live_server: Any, page: Any, browser: Any, a11y: Any
) -> None:
    make_partner(name="Kontoplan ERP").connect(KVARNEN)
    requester = UserFactory(email="sara@kvarnen.example")
    first, second = staff("granskare1@efaktura.example"), staff("granskare2@efaktura.example")

    log_in(page, live_server.url, requester.email)
    page.fill("input[name=org_number]", KVARNEN)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/taken/"))
    assert "Kontoplan ERP" in page.inner_text("main")  # the holder is named
    a11y.check(page)
    page.fill("textarea[name=message]", "Vi byter till webbtjänsten.")
    page.click("main button:has-text('Begär flytt')")
    page.wait_for_load_state("networkidle")
    assert "En flytt har begärts" in page.inner_text("main")

    reviewer = browser.new_context(locale="sv-SE").new_page()
    log_in(reviewer, live_server.url, first.email, with_totp=True)
    reviewer.goto(f"{live_server.url}/staff/review/")
    a11y.check(reviewer)
    reviewer.click("main table a:has-text('Kvarnen Data AB')")
    reviewer.wait_for_load_state("networkidle")
    a11y.check(reviewer)
    reviewer.check("input[name=action][value=transfer]")
    reviewer.fill("textarea[name=reason]", "Sara är firmatecknare enligt registret.")
    reviewer.click("main form button:has-text('Besluta')")
    reviewer.wait_for_load_state("networkidle")
    assert "väntar på en andra granskare" in reviewer.inner_text("main")
    assert NetworkRegistration.objects.get(org_number=KVARNEN).ended_at is None

    confirmer = browser.new_context(locale="sv-SE").new_page()
    log_in(confirmer, live_server.url, second.email, with_totp=True)
    confirmer.goto(reviewer.url.split("#")[0])
    confirmer.fill("textarea[name=reason]", "Kontrollerat mot registret.")
    confirmer.click("main form button:has-text('Bekräfta och genomför')")
    confirmer.wait_for_load_state("networkidle")
    assert "genomfört" in confirmer.inner_text("main")

    assert NetworkRegistration.objects.get(org_number=KVARNEN).ended_at is not None
    organisation = Organisation.objects.get(org_number=KVARNEN)
    assert organisation.verification_status == Organisation.VerificationStatus.UNVERIFIED
    assert organisation.memberships.get(user=requester).role == Membership.Role.OWNER
    for other in (reviewer, confirmer):
        other.context.close()
