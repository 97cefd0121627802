"""Staff open a flag themselves (a tip, a bank's warning): decided like any other flag.

The attacks: someone without the review permission opens one or uses it to stop an
organisation; a reviewer opens one and suspends a verified organisation alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts import errors, services
from accounts.models import Organisation, ReviewDecision, RiskFlag
from review.tests.helpers import PAGE, signed_in, staff

pytestmark = pytest.mark.django_db

Status = Organisation.VerificationStatus
NEW = reverse("review:concern_new")


def open_concern(client: Client, **data: str) -> Any:
    return client.post(NEW, data, follow=True, headers=PAGE)


def test_a_reviewer_opens_a_flag_and_a_suspension_still_needs_four_eyes(
    reviewer_client: Client,
    second_reviewer_client: Client,
    flagged_org: Organisation,
) -> None:
    response = open_concern(
        reviewer_client, org_number="5590456785", reason="The bank warns of a hijacked account."
    )
    assert response.status_code == 200
    flag = RiskFlag.objects.get(kind=RiskFlag.Kind.STAFF_CONCERN)
    assert (flag.organisation, flag.holds_sending) == (flagged_org, False)
    assert "hijacked" in flag.reason
    assert response.redirect_chain[-1][0] == reverse("review:case", args=[flag.pk])
    decided = reviewer_client.post(
        reverse("review:decide", args=[flag.pk]),
        {"action": "suspend", "reason": "Account hijacked, per the bank."},
        follow=True,
        headers=PAGE,
    )
    assert decided.status_code == 200
    flagged_org.refresh_from_db()
    assert flagged_org.verification_status == Status.VERIFIED  # one pair of eyes moved nothing
    assert ReviewDecision.objects.get().status == ReviewDecision.Status.AWAITING_SECOND
    second_reviewer_client.post(
        reverse("review:second_review", args=[flag.pk]),
        {"outcome": "confirm", "reason": "Agreed with the bank's letter."},
        headers=PAGE,
    )
    flagged_org.refresh_from_db()
    assert flagged_org.verification_status == Status.SUSPENDED


def test_opening_a_flag_needs_a_reason_and_a_known_organisation(
    reviewer_client: Client, flagged_org: Organisation
) -> None:
    no_reason = open_concern(reviewer_client, org_number="5590456785", reason="  ")
    unknown = open_concern(reviewer_client, org_number="5560360793", reason="A tip.")
    assert "Write the reason" in no_reason.content.decode()
    assert "No organisation in the portal has this number." in unknown.content.decode()
    assert not RiskFlag.objects.exists()


def test_only_reviewers_open_flags(db: None, flagged_org: Organisation, owner: Any) -> None:
    outsider = staff("helpdesk@efaktura.example", permission=False)
    member = Client()
    member.force_login(owner)
    for client in (signed_in(outsider), member, Client()):
        response = client.post(NEW, {"org_number": "5590456785", "reason": "x"}, headers=PAGE)
        assert response.status_code in (302, 404)
    with pytest.raises(errors.ReviewNotAllowed):
        services.staff_concern_raise(staff=outsider, organisation=flagged_org, reason="x")
    assert not RiskFlag.objects.exists()
