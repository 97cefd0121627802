"""Opening and closing review cases; deciding them is accounts.services.reviews."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import Organisation, PaymentDetailsChange, ReviewCase
from accounts.services.audit import audit_event_record


def review_case_open(
    *,
    kind: str,
    org_number: str,
    requested_by: Any,
    reason: str,
    organisation: Organisation | None = None,
    registration: Any = None,
    payment_change: PaymentDetailsChange | None = None,
) -> ReviewCase:
    """Open a case for staff; an open case of the same kind and number is reused."""
    existing = ReviewCase.objects.filter(
        kind=kind, org_number=org_number, status=ReviewCase.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    case = ReviewCase(
        kind=kind,
        org_number=org_number,
        requested_by=requested_by,
        reason=reason,
        organisation=organisation,
        registration=registration,
        payment_change=payment_change,
    )
    case.full_clean()
    case.save()
    audit_event_record(
        action=f"review_case.opened.{kind}",
        actor=requested_by,
        organisation=organisation,
        obj=case,
        data={"org_number": org_number, "reason": reason},
    )
    return case


def review_case_close(*, case: ReviewCase, actor: Any, reason: str) -> ReviewCase:
    """Close a case that events made moot, so it offers no decision without an effect."""
    case.status = ReviewCase.Status.CLOSED
    case.resolved_at = timezone.now()
    case.save(update_fields=["status", "resolved_at"])
    audit_event_record(
        action="review_case.closed",
        actor=actor,
        organisation=case.organisation,
        obj=case,
        data={"kind": case.kind, "org_number": case.org_number, "reason": reason},
    )
    return case


def review_cases_close_for(*, organisation: Organisation, actor: Any, reason: str) -> None:
    """Close the organisation's open risk cases (its status was decided otherwise)."""
    for case in ReviewCase.objects.filter(
        organisation=organisation,
        status=ReviewCase.Status.OPEN,
        kind__in=[ReviewCase.Kind.RISK_FLAG, ReviewCase.Kind.TAKEOVER],
    ):
        review_case_close(case=case, actor=actor, reason=reason)
