"""Raising and closing risk flags; staff decide them in accounts.services.reviews.

A flag is raised by the service that meets the situation, at that moment (never by a
signal). Whether it holds the organisation's sending is decided once, when it is
raised, from settings.RISK_FLAG_HOLDS, so a later change of the setting does not
silently release or hold organisations already flagged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_stubs_ext import StrOrPromise

from accounts.models import NetworkRegistration, Organisation, PaymentDetailsChange, RiskFlag
from accounts.services.audit import audit_event_record

Kind = RiskFlag.Kind
Severity = RiskFlag.Severity
OrgStatus = Organisation.VerificationStatus

DEFAULT_SEVERITY: dict[str, int] = {
    Kind.SIGNATORY_MISMATCH: Severity.HIGH,
    Kind.REGISTER_INACTIVE: Severity.HIGH,
    Kind.REGISTER_UNCONFIRMED: Severity.MEDIUM,
    Kind.MANUAL_DETAILS: Severity.MEDIUM,
    Kind.PAYMENT_DETAILS_CHANGED: Severity.HIGH,
    Kind.VELOCITY: Severity.MEDIUM,
    Kind.FAILED_SIGNING_ATTEMPTS: Severity.MEDIUM,
    Kind.TRANSFER_REQUEST: Severity.MEDIUM,
    Kind.TAKEOVER: Severity.LOW,
    Kind.STAFF_CONCERN: Severity.HIGH,
}
# Kinds that a takeover by the register's signatory answers: the company's own signatory
# signed with the register's details, for an active company.
ANSWERED_BY_TAKEOVER = (
    Kind.SIGNATORY_MISMATCH,
    Kind.REGISTER_INACTIVE,
    Kind.REGISTER_UNCONFIRMED,
    Kind.MANUAL_DETAILS,
    Kind.TAKEOVER,
)


def risk_flag_holds(kind: str) -> bool:
    """Return whether a new flag of this kind holds the organisation's sending."""
    # The new account waits for a decision on its own; sending never stops for it.
    return kind != Kind.PAYMENT_DETAILS_CHANGED and kind in settings.RISK_FLAG_HOLDS


@transaction.atomic
def risk_flag_raise(
    *,
    kind: str,
    org_number: str,
    reason: str,
    evidence: dict[str, Any],
    organisation: Organisation | None = None,
    raised_by: Any = None,
    registration: NetworkRegistration | None = None,
    payment_change: PaymentDetailsChange | None = None,
    severity: int | None = None,
) -> RiskFlag:
    """Raise a flag for staff; an active flag of the same kind and number is reused.

    A flag that holds sending moves an organisation that may send into pending_review.
    """
    existing = risk_flag_active(kind=kind, org_number=org_number)
    if existing is not None:
        return existing
    flag = RiskFlag(
        kind=kind,
        org_number=org_number,
        severity=severity or DEFAULT_SEVERITY[kind],
        holds_sending=risk_flag_holds(kind),
        organisation=organisation,
        raised_by=raised_by,
        registration=registration,
        payment_change=payment_change,
        reason=reason,
        evidence=evidence,
    )
    flag.full_clean(validate_constraints=False)
    try:
        # Two workers meeting the same situation at once: the constraint keeps one flag.
        with transaction.atomic():
            flag.save()
    except IntegrityError:
        concurrent = risk_flag_active(kind=kind, org_number=org_number)
        if concurrent is None:
            raise
        return concurrent
    audit_event_record(
        action=f"risk_flag.raised.{kind}",
        actor=raised_by,
        organisation=organisation,
        obj=flag,
        data={"org_number": org_number, "holds_sending": flag.holds_sending},
    )
    if flag.holds_sending and organisation is not None:
        _hold(organisation, flag)
    return flag


def risk_flag_active(*, kind: str, org_number: str) -> RiskFlag | None:
    """Return the flag of this kind on this number that staff have not decided yet, if any."""
    return RiskFlag.objects.filter(
        kind=kind, org_number=org_number, status__in=RiskFlag.ACTIVE
    ).first()


def _hold(organisation: Organisation, flag: RiskFlag) -> None:
    # Imported here: organisations needs payments, which raises flags.
    from accounts.services.organisations import organisation_status_change

    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    # Only an organisation that may send is held; a signing in progress decides for itself,
    # and a suspension or rejection already stops more than a hold would.
    if organisation.verification_status != OrgStatus.VERIFIED:
        return
    organisation_status_change(
        organisation=organisation,
        status=OrgStatus.PENDING_REVIEW,
        actor=None,
        data={"risk_flag": flag.pk, "kind": flag.kind},
    )


@transaction.atomic
def risk_flag_close(*, flag: RiskFlag, actor: Any, reason: str) -> RiskFlag:
    """Close a flag that events made moot, so it offers no decision without an effect."""
    flag = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    if not flag.is_active:
        return flag
    flag.status = RiskFlag.Status.CLOSED
    flag.resolved_at = timezone.now()
    flag.save(update_fields=["status", "resolved_at"])
    audit_event_record(
        action="risk_flag.closed",
        actor=actor,
        organisation=flag.organisation,
        obj=flag,
        data={"kind": flag.kind, "org_number": flag.org_number, "reason": reason},
    )
    return flag


def risk_flags_close_for(*, organisation: Organisation, actor: Any, reason: str) -> None:
    """Close the organisation's active flags a takeover by its signatory answered."""
    for flag in RiskFlag.objects.filter(
        organisation=organisation, status__in=RiskFlag.ACTIVE, kind__in=ANSWERED_BY_TAKEOVER
    ):
        risk_flag_close(flag=flag, actor=actor, reason=reason)


def risk_flag_reason(message: StrOrPromise, **params: Any) -> str:
    """Return a flag's reason in the portal's language, whoever's request raised it."""
    # Staff read flags in the portal's language, not in the language of the user who acted.
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params if params else str(message)
