"""Completing an order: verify the signature, then do what its purpose says, or nothing.

The signature is checked with no trust in the transport, and the signer's name and
personal number are read from the verified certificate, never from BankID's JSON.
Then, under the organisation's row lock, the current state is read again: a signature
covers exactly the details it showed, and only staff move an organisation out of a
suspension or a rejection. Anything else fails the order and unlocks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.mail import send_templated_mail
from accounts.models import Organisation, PaymentDetailsChange, Permission, RiskFlag
from accounts.numbers import mask_personal_number
from accounts.registry import CompanyRecord, RegisterUnavailable, company_register
from integrations.services import organisation_status_event_record
from signing import bankid
from signing.models import Purpose, SignatureEvidence, SigningOrder
from signing.services.details import payment_change_details, signed_details
from signing.services.ending import order_finish
from signing.services.evidence import personal_number_hash as personal_number_hash  # re-export
from signing.services.risk import (
    Finding,
    findings_hold,
    findings_raise,
    register_inactive_finding,
    signer_evidence,
    signing_findings,
)
from signing.verify import verify_bankid_signature

Status = SigningOrder.Status
OrgStatus = Organisation.VerificationStatus
Outcome = SignatureEvidence.Outcome
# Only staff decisions move an organisation out of these; a signature is recorded, no more.
BLOCKED = (OrgStatus.SUSPENDED, OrgStatus.REJECTED)


@dataclass(frozen=True)
class Signer:
    """Who signed, as the verified certificate says, and what the register says of them."""

    name: str
    personal_number: str
    register: CompanyRecord | None
    register_unavailable: bool = False

    @property
    def is_signatory(self) -> bool:
        """An active company whose register entry names this person as a signatory."""
        record = self.register
        return (
            record is not None and record.is_active and record.has_signatory(self.personal_number)
        )


class Refused(Exception):
    """The order cannot do what it asked; `reason` is a code the signing page explains."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- Verifying -------------------------------------------------------------------------------


def _verify(order: SigningOrder, completion: bankid.CompletionData) -> Signer | str:
    """Return the signer when the completion proves this order was signed, else the reason."""
    roots = trusted_signature_roots()
    if not roots:
        return "no_trusted_roots"  # misconfigured: trust nothing rather than anything
    verdict = verify_bankid_signature(
        completion.signature,
        trusted_roots_pem=roots,
        ocsp_response_b64=completion.ocsp_response,
        expected_func_id="Signing",
        expected_visible_data=order.user_visible_data,
        expected_non_visible_data=order.user_non_visible_data,
        expected_personal_number=completion.personal_number,
    )
    if not verdict.valid:
        return verdict.reason
    if not verdict.personal_number or not verdict.signer_name:
        return "certificate_without_subject"
    try:
        record, unavailable = company_register().lookup(order.organisation.org_number), False
    except RegisterUnavailable:
        record, unavailable = None, True
    return Signer(
        name=verdict.signer_name,
        personal_number=verdict.personal_number,
        register=record,
        register_unavailable=unavailable,
    )


def order_complete(order: SigningOrder, completion: bankid.CompletionData) -> SigningOrder:
    """Verify a completed order and carry out its purpose, in one transaction."""
    signer = _verify(order, completion)  # network I/O (register) stays outside the lock
    if isinstance(signer, str):
        return order_finish(
            order,
            Status.FAILED,
            rfa="RFA22",
            reason=f"verification: {signer}",
            personal_number=completion.personal_number,
        )
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=order.organisation_id)
        order = SigningOrder.objects.select_for_update().get(pk=order.pk)
        if order.is_terminal:
            return order
        order.organisation = organisation
        if organisation.verification_status in BLOCKED:
            _record_evidence(order, completion, signer, Outcome.RECORDED_ONLY)
            return order_finish(order, Status.COMPLETE)
        try:
            _COMPLETE[order.purpose](order, completion, signer)
        except Refused as refused:
            return order_finish(
                order, Status.FAILED, reason=refused.reason, personal_number=signer.personal_number
            )
        return order_finish(order, Status.COMPLETE)


# --- Company verification ----------------------------------------------------------------------


def _ensure_still_member(order: SigningOrder, permission: str) -> None:
    membership = order.organisation.memberships.filter(user=order.user).first()
    if membership is None or not membership.can(permission):
        raise Refused("no_longer_allowed")


def _complete_verification(
    order: SigningOrder, completion: bankid.CompletionData, signer: Signer
) -> None:
    organisation = order.organisation
    _ensure_still_member(order, Permission.SIGN_VERIFICATION)
    if organisation.verification_status == OrgStatus.LAPSED:
        raise Refused("claim_lapsed")
    if organisation.verification_status not in (OrgStatus.UNVERIFIED, OrgStatus.DETAILS_CONFIRMED):
        return  # another user's signature verified it first: this one only closes
    if signed_details(organisation) != order.details:
        raise Refused("details_changed")
    findings = signing_findings(organisation, signer)
    flags = [finding.kind for finding in findings]
    # Only some kinds hold sending (settings.RISK_FLAG_HOLDS); the others inform staff. A flag
    # raised before the signature (e.g. when the details were confirmed) still holds it.
    held = findings_hold(findings) or bool(
        accounts_selectors.risk_flags_holding(organisation=organisation)
    )
    outcome = Outcome.PENDING_REVIEW if held else Outcome.VERIFIED
    evidence = _record_evidence(order, completion, signer, outcome, flags=flags)
    _set_verified(organisation, pending_review=held)
    findings_raise(organisation, _with_evidence(findings, evidence), raised_by=order.user)
    _audit_outcome(order, evidence, flags)
    _mail_members_on_commit(organisation, evidence)
    if not held:
        _release_held_sends_on_commit(organisation)


def _with_evidence(findings: list[Finding], evidence: SignatureEvidence) -> list[Finding]:
    # Staff find the stored signature from the flag, to re-verify it on demand.
    extra = {"signature_evidence": evidence.pk, "signed_at": evidence.signed_at.isoformat()}
    return [Finding(f.kind, f.reason, {**f.evidence, **extra}) for f in findings]


def _set_verified(organisation: Organisation, *, pending_review: bool) -> None:
    organisation.verification_status = (
        OrgStatus.PENDING_REVIEW if pending_review else OrgStatus.VERIFIED
    )
    organisation.verified_at = None if pending_review else timezone.now()
    organisation.save(update_fields=["verification_status", "verified_at"])
    organisation_status_event_record(organisation=organisation)


def _release_held_sends_on_commit(organisation: Organisation) -> None:
    """Send the invoices the gate held back for signing, now that sending is open."""
    # Imported here: invoices builds on signing (the gate), not the other way round.
    from invoices.services import pending_sends_release_on_commit

    pending_sends_release_on_commit(organisation_id=organisation.pk)


def risk_flags(organisation: Organisation, signer: Signer) -> list[str]:
    """Return the kinds of risk flag a first signing by this signer raises (empty: none)."""
    return [finding.kind for finding in signing_findings(organisation, signer)]


# --- Takeover by the company's signatory -----------------------------------------------------


def _complete_takeover(
    order: SigningOrder, completion: bankid.CompletionData, signer: Signer
) -> None:
    organisation = order.organisation
    if not accounts_selectors.organisation_can_be_taken_over(organisation=organisation):
        raise Refused("takeover_closed")
    if accounts_selectors.org_number_claim(org_number=organisation.org_number).registration:
        raise Refused("takeover_closed")
    if not signer.is_signatory:
        raise Refused("not_signatory")
    for name, value in order.details.items():
        setattr(organisation, name, value)
    # The earlier claimant's unsigned additions must not stay on the company's invoices.
    organisation.contact_email = order.user.email
    organisation.logo = None
    organisation.details_source = Organisation.DetailsSource.REGISTER
    organisation.full_clean(validate_unique=False)
    organisation.save()
    accounts_services.risk_flags_close_for(
        organisation=organisation, actor=order.user, reason="taken over by the signatory"
    )
    displaced = accounts_services.members_displace(organisation=organisation, new_owner=order.user)
    evidence = _record_evidence(order, completion, signer, Outcome.TAKEN_OVER)
    # The signatory answers the flags of the first signing, not those a decision must lift.
    held = bool(accounts_selectors.risk_flags_holding(organisation=organisation))
    _set_verified(organisation, pending_review=held)
    accounts_services.risk_flag_raise(
        kind=RiskFlag.Kind.TAKEOVER,
        org_number=organisation.org_number,
        organisation=organisation,
        raised_by=order.user,
        reason=accounts_services.risk_flag_reason(
            _(
                "%(signer)s, an authorised signatory in the company register, took over "
                "%(company)s; %(count)s earlier member(s) lost access."
            ),
            signer=signer.name,
            company=organisation.legal_name,
            count=len(displaced),
        ),
        evidence={
            **signer_evidence(signer),
            "signature_evidence": evidence.pk,
            "displaced": displaced,
        },
    )
    _audit_outcome(order, evidence, [], action="organisation.taken_over")
    _mail_members_on_commit(organisation, evidence)


# --- Confirming a new payment account ----------------------------------------------------------


def _complete_payment_change(
    order: SigningOrder, completion: bankid.CompletionData, signer: Signer
) -> None:
    _ensure_still_member(order, Permission.MANAGE_ORGANISATION)
    assert order.payment_change_id is not None
    change = PaymentDetailsChange.objects.select_for_update().get(pk=order.payment_change_id)
    change.organisation = order.organisation
    if change.status != PaymentDetailsChange.Status.AWAITING_SIGNATURE:
        raise Refused("payment_change_closed")
    if payment_change_details(change) != order.details:
        raise Refused("details_changed")
    if accounts_services.payment_details(order.organisation) != change.previous:
        raise Refused("details_changed")
    outcome = (
        Outcome.PAYMENT_CHANGE_APPLIED if signer.is_signatory else Outcome.PAYMENT_CHANGE_IN_REVIEW
    )
    evidence = _record_evidence(order, completion, signer, outcome)
    accounts_services.payment_change_confirmed(
        change=change,
        signer_is_signatory=signer.is_signatory,
        confirmed_by=order.user,
        evidence={**signer_evidence(signer), "signature_evidence": evidence.pk},
    )
    record = signer.register
    if record is not None and not record.is_active:
        # The register says the company stopped trading: that holds sending, not only the account.
        finding = register_inactive_finding(order.organisation, record, signer_evidence(signer))
        findings_raise(order.organisation, [finding], raised_by=order.user)


_COMPLETE: dict[str, Callable[[SigningOrder, bankid.CompletionData, Signer], None]] = {
    Purpose.VERIFICATION: _complete_verification,
    Purpose.TAKEOVER: _complete_takeover,
    Purpose.PAYMENT_CHANGE: _complete_payment_change,
}


# --- Evidence ------------------------------------------------------------------------------------


def _record_evidence(
    order: SigningOrder,
    completion: bankid.CompletionData,
    signer: Signer,
    outcome: str,
    *,
    flags: list[str] | None = None,
) -> SignatureEvidence:
    evidence = SignatureEvidence(
        organisation=order.organisation,
        order=order,
        purpose=order.purpose,
        outcome=outcome,
        signer_name=signer.name,
        personal_number_masked=mask_personal_number(signer.personal_number),
        personal_number_hash=personal_number_hash(signer.personal_number),
        is_registered_signatory=signer.is_signatory,
        risk_flags=flags or [],
        signed_details=order.details,
        details_digest=order.details_digest,
        user_visible_data=order.user_visible_data,
        user_non_visible_data=order.user_non_visible_data,
        signature=completion.signature,
        ocsp_response=completion.ocsp_response,
        completion_data=completion.raw,
        ip_address=order.end_user_ip,
        signed_at=timezone.now(),
    )
    evidence.full_clean()
    evidence.save()
    if outcome == Outcome.RECORDED_ONLY:
        accounts_services.audit_event_record(
            action="signing.recorded_only",
            actor=order.user,
            organisation=order.organisation,
            obj=evidence,
            data={"status": order.organisation.verification_status, "purpose": order.purpose},
            ip_address=order.end_user_ip,
        )
    return evidence


def _audit_outcome(
    order: SigningOrder, evidence: SignatureEvidence, flags: list[str], action: str = ""
) -> None:
    organisation = order.organisation
    accounts_services.audit_event_record(
        action=action or f"organisation.{organisation.verification_status}",
        actor=order.user,
        organisation=organisation,
        obj=evidence,
        data={"signer": evidence.signer_name, "flags": flags, "digest": order.details_digest},
        ip_address=order.end_user_ip,
    )


def _mail_members_on_commit(organisation: Organisation, evidence: SignatureEvidence) -> None:
    recipients = list(organisation.memberships.values_list("user__email", flat=True))
    context = {
        "organisation": organisation,
        "evidence": evidence,
        "is_verified": organisation.verification_status == OrgStatus.VERIFIED,
        "link": settings.SITE_URL + reverse("dashboard"),
    }
    transaction.on_commit(
        lambda: send_templated_mail("signing/email/verified", context, recipients)
    )


@cache
def _read_pem(path: str) -> bytes:
    return Path(path).read_bytes()


def trusted_signature_roots() -> list[bytes]:
    """Return the PEM roots trusted for BankID signatures, per settings."""
    roots = [_read_pem(path) for path in settings.BANKID_SIGNATURE_ROOTS]
    if settings.BANKID_TRUST_SIMULATOR:
        from signing.pki import load_or_create_test_pki

        roots.append(
            load_or_create_test_pki(Path(settings.BANKID_SIMULATOR_DIR)).root_pem.read_bytes()
        )
    return roots
