"""Staff decisions on review cases, transfer requests, suspension and reinstatement.

A case offers only decisions that change something (accounts.selectors.review_case_decisions);
any other decision is refused, so no click in the review queue is without effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import errors, selectors
from accounts.models import (
    AuditEvent,
    NetworkRegistration,
    Organisation,
    PaymentDetailsChange,
    ReviewCase,
)
from accounts.services.audit import audit_event_record
from accounts.services.cases import review_case_open
from accounts.services.organisations import organisation_status_change
from accounts.services.payments import payment_change_apply, payment_change_decline

OrgStatus = Organisation.VerificationStatus
Kind = ReviewCase.Kind


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


@transaction.atomic
def transfer_request_create(
    *, user: Any, org_number: str, reason: str = "", ip_address: str | None = None
) -> ReviewCase:
    """Record the user's request to move a partner-held org number to the web service."""
    claim = selectors.org_number_claim(org_number=org_number)
    if claim.registration is None:
        # Nothing holds the number (any more): the user can simply create the organisation.
        raise errors.NothingToTransfer
    if ReviewCase.objects.filter(
        kind=ReviewCase.Kind.TRANSFER_REQUEST,
        org_number=org_number,
        status=ReviewCase.Status.OPEN,
    ).exists():
        raise errors.TransferAlreadyRequested
    case = review_case_open(
        kind=ReviewCase.Kind.TRANSFER_REQUEST,
        org_number=org_number,
        requested_by=user,
        reason=reason or "Transfer to the web service requested",
        registration=claim.registration,
    )
    audit_event_record(
        action="transfer.requested",
        actor=user,
        obj=case,
        data={"org_number": org_number, "partner": claim.registration.partner.name},
        ip_address=ip_address,
    )
    return case


# --- Staff decisions ---------------------------------------------------------------------


@transaction.atomic
def review_case_decide(*, staff: Any, case: ReviewCase, approve: bool) -> ReviewCase:
    """Carry out a staff decision on a case; refuse a decision that would change nothing."""
    case = ReviewCase.objects.select_for_update().get(pk=case.pk)
    if case.organisation is not None:
        case.organisation = _lock(case.organisation)
    decision = "approve" if approve else "decline"
    if case.status != ReviewCase.Status.OPEN:
        raise errors.CaseClosed
    if decision not in selectors.review_case_decisions(case=case):
        raise errors.DecisionWithoutEffect
    _DECIDE[case.kind](case, approve, staff)
    case.status = ReviewCase.Status.APPROVED if approve else ReviewCase.Status.DECLINED
    case.resolved_by = staff
    case.resolved_at = timezone.now()
    case.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit_event_record(
        action=f"review_case.{case.status}",
        actor=staff,
        organisation=case.organisation,
        obj=case,
        data={"kind": case.kind, "org_number": case.org_number},
    )
    return case


def _decide_risk_flag(case: ReviewCase, approve: bool, staff: Any) -> None:
    organisation = case.organisation
    assert organisation is not None  # review_case_decisions offers nothing otherwise
    organisation.verification_status = OrgStatus.VERIFIED if approve else OrgStatus.REJECTED
    organisation.verified_at = timezone.now() if approve else None
    organisation.save(update_fields=["verification_status", "verified_at"])
    _status_event_record(organisation)
    if approve:
        # The sends users pressed while the organisation waited go out now, as after signing.
        from invoices.services import pending_sends_release_on_commit

        pending_sends_release_on_commit(organisation_id=organisation.pk)


def _decide_payment_change(case: ReviewCase, approve: bool, staff: Any) -> None:
    assert case.payment_change is not None
    change = PaymentDetailsChange.objects.select_for_update().get(pk=case.payment_change.pk)
    change.organisation = case.organisation or change.organisation
    if approve:
        payment_change_apply(change=change, actor=staff)
    else:
        payment_change_decline(change=change, actor=staff)


def _decide_takeover(case: ReviewCase, approve: bool, staff: Any) -> None:
    # Approving confirms what happened; declining stops the new owner until staff look closer.
    if not approve and case.organisation is not None:
        organisation_suspend(
            staff=staff, organisation=case.organisation, reason="Takeover declined in review"
        )


def _decide_transfer(case: ReviewCase, approve: bool, staff: Any) -> None:
    registration = case.registration
    if approve and registration is not None:
        # The partner's connection ends here; telling the partner (webhook) comes with its API.
        NetworkRegistration.objects.filter(pk=registration.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


_DECIDE: dict[str, Callable[[ReviewCase, bool, Any], None]] = {
    Kind.RISK_FLAG: _decide_risk_flag,
    Kind.PAYMENT_CHANGE: _decide_payment_change,
    Kind.TAKEOVER: _decide_takeover,
    Kind.TRANSFER_REQUEST: _decide_transfer,
}


@transaction.atomic
def organisation_suspend(*, staff: Any, organisation: Organisation, reason: str) -> Organisation:
    """Stop all sending by the organisation, queued invoices included."""
    organisation = _lock(organisation)
    if organisation.verification_status == OrgStatus.SUSPENDED:
        return organisation
    return organisation_status_change(
        organisation=organisation,
        status=OrgStatus.SUSPENDED,
        actor=staff,
        data={"reason": reason},
    )


@transaction.atomic
def organisation_reinstate(*, staff: Any, organisation: Organisation) -> Organisation:
    """Lift a suspension: the organisation returns to the status it was suspended from."""
    organisation = _lock(organisation)
    if organisation.verification_status != OrgStatus.SUSPENDED:
        raise errors.StatusChangeNotAllowed
    suspension = (
        AuditEvent.objects.filter(organisation=organisation, action="organisation.suspended")
        .order_by("-created_at", "-id")
        .first()
    )
    previous = suspension.data.get("previous") if suspension else None
    organisation.verification_status = previous or OrgStatus.UNVERIFIED
    organisation.save(update_fields=["verification_status"])
    _status_event_record(organisation)
    audit_event_record(
        action="organisation.reinstated",
        actor=staff,
        organisation=organisation,
        obj=organisation,
        data={"status": organisation.verification_status},
    )
    return organisation


def _status_event_record(organisation: Organisation) -> None:
    # Imported here: integrations builds on accounts, not the other way round.
    from integrations.services import organisation_status_event_record

    organisation_status_event_record(organisation=organisation)
