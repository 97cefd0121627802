"""Suspension and reinstatement, transfers of a number with no organisation yet, and the
admin's read-only list of risk flags (decisions are taken in the review workspace;
accounts/tests/test_review_decisions.py tests them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import errors, services
from accounts.models import NetworkRegistration, Organisation, ReviewDecision, RiskFlag
from accounts.tests.factories import NetworkRegistrationFactory, UserFactory
from accounts.tests.staff import staff_user, totp_logged_in

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus


@pytest.fixture
def staff() -> Any:
    return staff_user("reviewer@efaktura.example")


@pytest.fixture
def flagged(alice_org: Organisation, alice: Any) -> RiskFlag:
    return services.risk_flag_raise(
        kind=RiskFlag.Kind.SIGNATORY_MISMATCH,
        org_number=alice_org.org_number,
        organisation=alice_org,
        raised_by=alice,
        reason="The signer is not a signatory",
        evidence={},
    )


def test_a_transfer_of_a_number_with_no_organisation_frees_it_for_the_requester(
    staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    registration = NetworkRegistrationFactory()
    requester = UserFactory()
    flag = services.transfer_request_create(user=requester, org_number=registration.org_number)
    decision = services.review_decide(
        staff=staff, flag=flag, action="transfer", reason="The requester is the signatory"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.review_confirm(
            staff=staff_user("second@efaktura.example"), decision=decision, reason="Agreed"
        )
    registration.refresh_from_db()
    assert registration.ended_at is not None
    assert not NetworkRegistration.objects.filter(
        org_number=registration.org_number, ended_at__isnull=True
    ).exists()
    # Nothing to own yet: the mail sends the requester to register the company.
    [message] = mail.outbox
    assert message.to == [requester.email]
    assert reverse("accounts:onboarding") in message.body


def test_a_transfer_request_whose_connection_ended_offers_only_to_decline(staff: Any) -> None:
    registration = NetworkRegistrationFactory()
    flag = services.transfer_request_create(user=UserFactory(), org_number=registration.org_number)
    NetworkRegistration.objects.filter(pk=registration.pk).update(ended_at=registration.registered_at)
    flag.refresh_from_db()
    with pytest.raises(errors.DecisionNotOffered):
        services.review_decide(staff=staff, flag=flag, action="transfer", reason="Go ahead")


def test_suspension_and_reinstatement_return_to_the_previous_status(
    staff: Any, alice_org: Organisation
) -> None:
    services.organisation_suspend(staff=staff, organisation=alice_org, reason="fraud report")
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.SUSPENDED
    services.organisation_reinstate(staff=staff, organisation=alice_org)
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.VERIFIED


def test_only_a_suspended_organisation_is_reinstated(staff: Any, alice_org: Organisation) -> None:
    with pytest.raises(errors.StatusChangeNotAllowed):
        services.organisation_reinstate(staff=staff, organisation=alice_org)


def test_staff_reinstate_from_the_admin(staff: Any, alice_org: Organisation) -> None:
    services.organisation_suspend(staff=staff, organisation=alice_org, reason="fraud report")
    totp_logged_in(staff).post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "reinstate", "_selected_action": [alice_org.pk]},
    )
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.VERIFIED


def test_the_admin_lists_flags_but_takes_no_bulk_decision(
    staff: Any, flagged: RiskFlag, alice_org: Organisation
) -> None:
    client = totp_logged_in(staff)
    changelist = reverse("admin:accounts_riskflag_changelist")
    assert flagged.org_number in client.get(changelist).content.decode()
    for action in ("approve", "decline"):
        client.post(changelist, {"action": action, "_selected_action": [flagged.pk]})
    flagged.refresh_from_db()
    assert flagged.status == RiskFlag.Status.OPEN
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.PENDING_REVIEW
    assert not ReviewDecision.objects.exists()
    # Its page only reads: a posted change does not decide the flag either.
    change = reverse("admin:accounts_riskflag_change", args=[flagged.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"status": "approved"})
    flagged.refresh_from_db()
    assert flagged.status == RiskFlag.Status.OPEN


def test_staff_cannot_erase_a_flag(staff: Any, flagged: RiskFlag) -> None:
    client = totp_logged_in(staff)
    delete = reverse("admin:accounts_riskflag_delete", args=[flagged.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:accounts_riskflag_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [flagged.pk]})
    assert RiskFlag.objects.filter(pk=flagged.pk).exists()


def test_members_cannot_reach_the_admins_flags(alice_client: Client) -> None:
    response = alice_client.get(reverse("admin:accounts_riskflag_changelist"))
    assert response.status_code == 302
    assert "login" in response.url
