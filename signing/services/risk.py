"""What a signature tells staff: the risk flags a completed signing raises.

Each finding names its kind, a plain-language reason in the portal's language and the
evidence it rests on; a personal number appears only masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import services as accounts_services
from accounts.models import AuditEvent, Organisation, RiskFlag
from accounts.numbers import mask_personal_number
from accounts.registry import CompanyRecord
from accounts.services.register_checks import register_inactive_reason
from signing.models import SigningOrder

if TYPE_CHECKING:
    from signing.services.completion import Signer

Kind = RiskFlag.Kind
reason_text = accounts_services.risk_flag_reason

@dataclass(frozen=True)
class Finding:
    """One risk a signature revealed, ready to be raised as a flag."""

    kind: str
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


def signer_evidence(signer: Signer) -> dict[str, Any]:
    """Return who signed and what the register said, as a flag's evidence shows it."""
    record = signer.register
    return {
        "signer_name": signer.name,
        "signer_personal_number": mask_personal_number(signer.personal_number),
        "register_answered": not signer.register_unavailable,
        "register_status": record.status if record else None,
        "register_signatories": [
            {"name": s.name, "personal_number": mask_personal_number(s.personal_number)}
            for s in (record.signatories if record else ())
        ],
    }


def register_inactive_finding(
    organisation: Organisation, record: CompanyRecord, evidence: dict[str, Any]
) -> Finding:
    """Return the finding for a company the register no longer lists as active."""
    return Finding(
        Kind.REGISTER_INACTIVE,
        register_inactive_reason(organisation=organisation, record=record),
        {**evidence, "register_status": record.status, "register_name": record.legal_name},
    )


def signing_findings(organisation: Organisation, signer: Signer) -> list[Finding]:
    """Return why staff should look at a first signing (empty: nothing).

    Details typed in by hand are flagged earlier, when the user confirms them.
    """
    evidence = signer_evidence(signer)
    findings: list[Finding] = []
    record = signer.register
    if record is None:
        # Not known or no answer: whether the signer may sign for it cannot be checked.
        return [*findings, _register_unconfirmed(organisation, signer, evidence)]
    if not record.is_active:
        findings.append(register_inactive_finding(organisation, record, evidence))
    if not record.has_signatory(signer.personal_number):
        findings.append(signatory_mismatch_finding(organisation, signer, evidence))
    return findings


def signatory_mismatch_finding(
    organisation: Organisation, signer: Signer, evidence: dict[str, Any]
) -> Finding:
    """Return the finding for a signer the register does not name as a signatory."""
    return Finding(
        Kind.SIGNATORY_MISMATCH,
        reason_text(
            _(
                "%(signer)s signed for %(company)s (%(org_number)s) with BankID but is not "
                "among the authorised signatories in the company register."
            ),
            signer=signer.name,
            company=organisation.legal_name,
            org_number=organisation.org_number,
        ),
        evidence,
    )


def _register_unconfirmed(
    organisation: Organisation, signer: Signer, evidence: dict[str, Any]
) -> Finding:
    if signer.register_unavailable:
        message = _(
            "The company register did not answer when %(company)s (%(org_number)s) was "
            "signed for, so neither the company nor the signer could be checked."
        )
    else:
        message = _(
            "The company register does not know %(company)s (%(org_number)s), so the "
            "signer could not be checked against its signatories."
        )
    company, org_number = organisation.legal_name, organisation.org_number
    reason = reason_text(message, company=company, org_number=org_number)
    return Finding(Kind.REGISTER_UNCONFIRMED, reason, evidence)


def findings_raise(
    organisation: Organisation, findings: list[Finding], *, raised_by: Any
) -> list[RiskFlag]:
    """Raise a flag for each finding (an active flag of the same kind is reused)."""
    return [
        accounts_services.risk_flag_raise(
            kind=finding.kind,
            org_number=organisation.org_number,
            organisation=organisation,
            raised_by=raised_by,
            reason=finding.reason,
            evidence=finding.evidence,
        )
        for finding in findings
    ]


def findings_hold(findings: list[Finding]) -> bool:
    """Return whether any of the findings holds the organisation's sending."""
    return any(accounts_services.risk_flag_holds(finding.kind) for finding in findings)


# --- Manual details ----------------------------------------------------------------------------


def manual_details_raise(organisation: Organisation, order: SigningOrder) -> RiskFlag | None:
    """Flag details typed in by hand, once for each set of details a user confirms."""
    if organisation.details_source != Organisation.DetailsSource.MANUAL:
        return None
    earlier = RiskFlag.objects.filter(organisation=organisation, kind=Kind.MANUAL_DETAILS)
    # Starting the signing again with the same details confirms nothing new.
    if any(flag.evidence.get("details") == order.details for flag in earlier):
        return None
    finding = Finding(
        Kind.MANUAL_DETAILS,
        reason_text(
            _(
                "The details of %(company)s (%(org_number)s) were entered by hand instead of "
                "taken from the company register, and %(email)s confirmed them."
            ),
            company=organisation.legal_name,
            org_number=organisation.org_number,
            email=order.user.email,
        ),
        {
            "details_source": organisation.details_source,
            "confirmed_by": order.user.email,
            "details": order.details,
        },
    )
    return findings_raise(organisation, [finding], raised_by=order.user)[0]


# --- Failed signing attempts ---------------------------------------------------------------------

ENDED = (SigningOrder.Status.FAILED, SigningOrder.Status.CANCELLED)


def failed_signings_check(order: SigningOrder) -> RiskFlag | None:
    """Flag an organisation for which several different people failed or cancelled signings.

    A person is their personal number where BankID gave one (a signature our checks
    refused), else the portal user (a cancel, a timeout: BankID names nobody).
    """
    since = timezone.now() - timedelta(hours=settings.RISK_FAILED_SIGNINGS_WINDOW_HOURS)
    ended = list(
        SigningOrder.objects.filter(
            organisation_id=order.organisation_id, status__in=ENDED, finished_at__gte=since
        )
        # An order BankID never started reached no one: it is an outage, not an attempt.
        .exclude(failure_reason__startswith="start:")
        .select_related("user")
        .order_by("finished_at")
    )
    threshold = settings.RISK_FAILED_SIGNINGS_DISTINCT
    if len(ended) < threshold:
        return None  # cheap way out for the common case: one or two tries
    known = _personal_numbers(ended)
    people = _people(ended, known)
    if len(people) < threshold:
        return None
    organisation = order.organisation
    return accounts_services.risk_flag_raise(
        kind=Kind.FAILED_SIGNING_ATTEMPTS,
        org_number=organisation.org_number,
        organisation=organisation,
        raised_by=order.user,
        reason=reason_text(
            _(
                "%(count)s different people failed or cancelled a BankID signing for "
                "%(company)s (%(org_number)s) within %(hours)s hours."
            ),
            count=len(people),
            company=organisation.legal_name,
            org_number=organisation.org_number,
            hours=settings.RISK_FAILED_SIGNINGS_WINDOW_HOURS,
        ),
        evidence={
            "people": len(people),
            "threshold": threshold,
            "window_hours": settings.RISK_FAILED_SIGNINGS_WINDOW_HOURS,
            "attempts": [_attempt(ended_order, known) for ended_order in ended],
        },
    )


def _personal_numbers(orders: list[SigningOrder]) -> dict[str, dict[str, str]]:
    """Return, per order id, the masked and hashed personal number its failure recorded."""
    events = AuditEvent.objects.filter(
        action="signing.failed",
        object_type=SigningOrder.__name__,
        object_id__in=[str(order.pk) for order in orders],
        data__has_key="personal_number_hash",
    ).values_list("object_id", "data")
    return {object_id: data for object_id, data in events}


def _people(orders: list[SigningOrder], known: dict[str, dict[str, str]]) -> set[str]:
    numbers: dict[int, set[str]] = {}
    for order in orders:
        data = known.get(str(order.pk))
        numbers.setdefault(order.user_id, set())
        if data:
            numbers[order.user_id].add(f"pn:{data['personal_number_hash']}")
    # A user whom BankID never named counts once, as the user.
    return {
        person
        for user_id, hashes in numbers.items()
        for person in (hashes or {f"user:{user_id}"})
    }


def _attempt(order: SigningOrder, known: dict[str, dict[str, str]]) -> dict[str, Any]:
    data = known.get(str(order.pk), {})
    return {
        "order": str(order.public_id),
        "user": order.user.email,
        "personal_number": data.get("personal_number_masked"),
        "status": order.status,
        "hint_code": order.hint_code,
        "reason": order.failure_reason,
        "purpose": order.purpose,
        "finished_at": order.finished_at.isoformat() if order.finished_at else None,
    }
