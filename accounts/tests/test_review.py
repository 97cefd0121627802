"""Staff decisions: the review queue (risk flags, transfer requests), suspension."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts import errors, services
from accounts.models import AuditEvent, NetworkRegistration, Organisation, ReviewCase
from accounts.tests.factories import NetworkRegistrationFactory, UserFactory
from accounts.tests.staff import totp_logged_in

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus


@pytest.fixture
def staff() -> Any:
    user = UserFactory(email="reviewer@efaktura.example")
    user.is_staff = user.is_superuser = True
    user.save()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


@pytest.fixture
def flagged(alice_org: Organisation, alice: Any) -> ReviewCase:
    Organisation.objects.filter(pk=alice_org.pk).update(
        verification_status=Status.PENDING_REVIEW, verified_at=None
    )
    return services.review_case_open(
        kind=ReviewCase.Kind.RISK_FLAG,
        org_number=alice_org.org_number,
        organisation=alice_org,
        requested_by=alice,
        reason="signer_not_signatory",
    )


@pytest.mark.parametrize(("approve", "status"), [(True, Status.VERIFIED), (False, Status.REJECTED)])
def test_a_risk_flag_verifies_or_rejects(
    staff: Any, flagged: ReviewCase, approve: bool, status: str
) -> None:
    services.review_case_decide(staff=staff, case=flagged, approve=approve)
    flagged.refresh_from_db()
    assert flagged.status == (ReviewCase.Status.APPROVED if approve else ReviewCase.Status.DECLINED)
    assert flagged.resolved_by == staff
    assert flagged.organisation is not None
    flagged.organisation.refresh_from_db()
    assert flagged.organisation.verification_status == status
    assert AuditEvent.objects.filter(action=f"review_case.{flagged.status}").exists()


def test_a_case_is_decided_once(staff: Any, flagged: ReviewCase) -> None:
    services.review_case_decide(staff=staff, case=flagged, approve=False)
    with pytest.raises(errors.CaseClosed):
        services.review_case_decide(staff=staff, case=flagged, approve=True)
    assert flagged.organisation is not None
    flagged.organisation.refresh_from_db()
    assert flagged.organisation.verification_status == Status.REJECTED


def test_an_approved_transfer_ends_the_partners_hold(staff: Any) -> None:
    registration = NetworkRegistrationFactory()
    requester = UserFactory()
    case = services.transfer_request_create(user=requester, org_number=registration.org_number)
    services.review_case_decide(staff=staff, case=case, approve=True)
    registration.refresh_from_db()
    assert registration.ended_at is not None
    # The number is free for the web service now.
    assert not NetworkRegistration.objects.filter(
        org_number=registration.org_number, ended_at__isnull=True
    ).exists()


def test_a_declined_transfer_keeps_the_hold(staff: Any) -> None:
    registration = NetworkRegistrationFactory()
    case = services.transfer_request_create(user=UserFactory(), org_number=registration.org_number)
    services.review_case_decide(staff=staff, case=case, approve=False)
    registration.refresh_from_db()
    assert registration.ended_at is None


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


def test_staff_decide_from_the_admin_queue(staff: Any, flagged: ReviewCase) -> None:
    client = totp_logged_in(staff)
    changelist = reverse("admin:accounts_reviewcase_changelist")
    assert flagged.org_number in client.get(changelist).content.decode()
    client.post(changelist, {"action": "approve", "_selected_action": [flagged.pk]})
    assert flagged.organisation is not None
    flagged.organisation.refresh_from_db()
    assert flagged.organisation.verification_status == Status.VERIFIED


def test_staff_cannot_erase_a_review_case(staff: Any, flagged: ReviewCase) -> None:
    client = totp_logged_in(staff)
    delete = reverse("admin:accounts_reviewcase_delete", args=[flagged.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:accounts_reviewcase_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [flagged.pk]})
    assert ReviewCase.objects.filter(pk=flagged.pk).exists()


def test_staff_suspend_from_the_admin(staff: Any, alice_org: Organisation) -> None:
    client = totp_logged_in(staff)
    client.post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "suspend", "_selected_action": [alice_org.pk]},
    )
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.SUSPENDED


def test_members_cannot_reach_the_review_queue(alice_client: Client) -> None:
    response = alice_client.get(reverse("admin:accounts_reviewcase_changelist"))
    assert response.status_code == 302
    assert "login" in response.url
