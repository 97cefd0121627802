"""The one-time signing flow: start a BankID sign order, collect it, verify, unlock sending.

Network calls to BankID never run inside a transaction: an order row is written
first, BankID is called, and the outcome is written in a second short transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import errors as accounts_errors
from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.mail import send_templated_mail
from accounts.models import Organisation, ReviewCase
from accounts.numbers import mask_personal_number
from accounts.registry import RegisterUnavailable, company_register
from signing import bankid, errors, selectors
from signing.models import SignatureEvidence, SigningOrder
from signing.qr import qr_payload
from signing.rfa import rfa_for_failed, rfa_for_pending
from signing.verify import verify_bankid_signature

Status = SigningOrder.Status
OrgStatus = Organisation.VerificationStatus
# BankID asks RPs to collect at most once a second.
COLLECT_INTERVAL = timedelta(seconds=1)
# The QR code is shown until the app has picked the order up.
QR_HINTS = {"", "outstandingTransaction", "noClient"}
SIGNED_FIELDS = (
    "org_number",
    "legal_name",
    "vat_number",
    "street_address",
    "postal_code",
    "city",
    "country_code",
    "bankgiro",
    "plusgiro",
    "iban",
    "bic",
    "has_f_skatt",
)


# --- What is signed ----------------------------------------------------------------------


def signed_details(organisation: Organisation) -> dict[str, Any]:
    """Return exactly the company details the signature attests."""
    return {name: getattr(organisation, name) for name in SIGNED_FIELDS}


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def details_digest(details: dict[str, Any], order: SigningOrder) -> str:
    """Bind the signature to these exact details and to this one order."""
    return hashlib.sha256(
        canonical_json({"details": details, "order": str(order.public_id)})
    ).hexdigest()


def visible_text(details: dict[str, Any]) -> str:
    """Return the short Swedish text the signer reads in the BankID app."""
    payment = ", ".join(
        f"{label} {details[name]}"
        for label, name in (("Bankgiro", "bankgiro"), ("Plusgiro", "plusgiro"), ("IBAN", "iban"))
        if details[name]
    )
    lines = [
        f"Jag intygar att uppgifterna om {details['legal_name']} ({details['org_number']}) "
        "är korrekta och att jag får företräda företaget när det skickar e-fakturor.",
        f"Momsregistreringsnummer: {details['vat_number'] or '-'}",
        f"Adress: {details['street_address']}, {details['postal_code']} {details['city']}",
    ]
    if payment:
        lines.append(f"Betalning: {payment}")
    if details["has_f_skatt"]:
        lines.append("Godkänd för F-skatt")
    return "\n".join(lines)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- Starting --------------------------------------------------------------------------------


def _ensure_signable(organisation: Organisation) -> None:
    if organisation.verification_status == OrgStatus.VERIFIED:
        raise errors.AlreadyVerified
    if organisation.verification_status not in (OrgStatus.UNVERIFIED, OrgStatus.DETAILS_CONFIRMED):
        raise errors.NotSignable
    claim = accounts_selectors.org_number_claim(org_number=organisation.org_number)
    if claim.registration is not None:
        raise accounts_errors.OrganisationNumberTaken(claim.registration)
    if not (organisation.street_address and organisation.city):
        raise errors.DetailsIncomplete


@transaction.atomic
def _create_order(
    *, user: Any, organisation: Organisation, end_user_ip: str, next_url: str
) -> SigningOrder:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    details = signed_details(organisation)
    order = SigningOrder(
        organisation=organisation,
        user=user,
        details=details,
        end_user_ip=end_user_ip,
        next_url=next_url,
        details_digest="",
    )
    order.details_digest = details_digest(details, order)
    order.user_visible_data = _b64(visible_text(details).encode("utf-8"))
    order.user_non_visible_data = _b64(order.details_digest.encode("ascii"))
    order.full_clean()
    order.save()
    if organisation.verification_status == OrgStatus.UNVERIFIED:
        organisation.verification_status = OrgStatus.DETAILS_CONFIRMED
        organisation.save(update_fields=["verification_status"])
        accounts_services.audit_event_record(
            action="organisation.details_confirmed",
            actor=user,
            organisation=organisation,
            obj=organisation,
            data={"digest": order.details_digest},
            ip_address=end_user_ip,
        )
    return order


def signing_order_start(
    *, user: Any, organisation: Organisation, end_user_ip: str, next_url: str = ""
) -> SigningOrder:
    """Confirm the details and start a BankID sign order, replacing the user's running one."""
    _ensure_signable(organisation)
    for running in selectors.signing_orders_running(user=user, organisation=organisation):
        signing_order_cancel(order=running)
    order = _create_order(
        user=user, organisation=organisation, end_user_ip=end_user_ip, next_url=next_url
    )
    try:
        with bankid.bankid_client() as client:
            start = client.sign(
                end_user_ip=end_user_ip,
                user_visible_data=base64.b64decode(order.user_visible_data).decode("utf-8"),
                user_non_visible_data=order.details_digest.encode("ascii"),
            )
    except bankid.BankIDError as error:
        _finish(order, Status.FAILED, rfa=error.rfa, reason=f"start: {error.error_code}")
        raise errors.BankIDUnavailable(error.rfa) from error
    order.order_ref = start.order_ref
    order.auto_start_token = start.auto_start_token
    order.qr_start_token = start.qr_start_token
    order.qr_start_secret = start.qr_start_secret
    order.started_at = timezone.now()
    order.status = Status.PENDING
    order.hint_code = "outstandingTransaction"
    order.rfa = rfa_for_pending(order.hint_code, autostarted=False, qr_used=True)
    order.save()
    accounts_services.audit_event_record(
        action="signing.started",
        actor=user,
        organisation=organisation,
        obj=order,
        data={"order_ref": order.order_ref},
        ip_address=end_user_ip,
    )
    return order


def signing_order_qr(*, order: SigningOrder) -> str | None:
    """Return the current animated-QR payload, or None once the app has the order."""
    if order.status != Status.PENDING or order.hint_code not in QR_HINTS or not order.started_at:
        return None
    seconds = int((timezone.now() - order.started_at).total_seconds())
    return qr_payload(order.qr_start_token, order.qr_start_secret, seconds)


# --- Collecting ------------------------------------------------------------------------------


def _claim_collect(order: SigningOrder) -> bool:
    """Take this second's collect for the order; False when another poll has it.

    A conditional UPDATE serialises concurrent polls (two tabs, two workers), so
    BankID's single terminal answer is never lost to a losing poll.
    """
    now = timezone.now()
    last = order.collected_at
    if last is not None and now - last < COLLECT_INTERVAL:
        return False
    claimed = SigningOrder.objects.filter(
        pk=order.pk, status=Status.PENDING, collected_at=last
    ).update(collected_at=now)
    return claimed == 1


def signing_order_collect(*, order: SigningOrder) -> SigningOrder:
    """Ask BankID how the order is doing and act on the answer."""
    if order.status != Status.PENDING or not _claim_collect(order):
        order.refresh_from_db()
        return order
    try:
        with bankid.bankid_client() as client:
            result = client.collect(order.order_ref)
    except bankid.BankIDError as error:
        return _collect_failed(order, error)
    if result.status == "pending":
        order.hint_code = result.hint_code or ""
        order.rfa = rfa_for_pending(result.hint_code, autostarted=False, qr_used=True)
        order.save(update_fields=["hint_code", "rfa"])
        return order
    if result.status == "failed" or result.completion is None:
        rfa = rfa_for_failed(result.hint_code, qr_used=True)
        return _finish(order, Status.FAILED, rfa=rfa, hint=result.hint_code or "")
    return _complete(order, result.completion)


def _collect_failed(order: SigningOrder, error: bankid.BankIDError) -> SigningOrder:
    if isinstance(error, bankid.InvalidParameters):
        # BankID no longer knows the order (expired, or already collected): it is over.
        return _finish(order, Status.FAILED, rfa="RFA22", reason="collect: invalidParameters")
    # Maintenance and the like: keep polling; show BankID's message meanwhile.
    order.rfa = error.rfa
    order.save(update_fields=["rfa"])
    return order


def _finish(
    order: SigningOrder, status: str, *, rfa: str, hint: str = "", reason: str = ""
) -> SigningOrder:
    order.status = status
    order.rfa = rfa
    order.hint_code = hint or order.hint_code
    order.failure_reason = reason
    order.finished_at = timezone.now()
    order.save(update_fields=["status", "rfa", "hint_code", "failure_reason", "finished_at"])
    if status == Status.FAILED:
        accounts_services.audit_event_record(
            action="signing.failed",
            actor=order.user,
            organisation=order.organisation,
            obj=order,
            data={"hint_code": order.hint_code, "reason": reason, "rfa": rfa},
        )
    return order


def signing_order_cancel(*, order: SigningOrder) -> SigningOrder:
    """Cancel the order at BankID (the user left or pressed cancel)."""
    if order.is_terminal:
        return order
    if order.order_ref:
        try:
            with bankid.bankid_client() as client:
                client.cancel(order.order_ref)
        except bankid.BankIDError:
            pass  # BankID has already ended it; our row is what matters now
    return _finish(order, Status.CANCELLED, rfa="RFA6")


# --- Completing ------------------------------------------------------------------------------


def _verify(order: SigningOrder, completion: bankid.CompletionData) -> str:
    """Return "" when the completion proves this order was signed, else the reason it doesn't."""
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
    return "" if verdict.valid else verdict.reason


def _complete(order: SigningOrder, completion: bankid.CompletionData) -> SigningOrder:
    reason = _verify(order, completion)
    if reason:
        return _finish(order, Status.FAILED, rfa="RFA22", reason=f"verification: {reason}")
    flags = risk_flags(order.organisation, completion.personal_number)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=order.organisation_id)
        order = SigningOrder.objects.select_for_update().get(pk=order.pk)
        if order.is_terminal:
            return order
        # Two users may sign at once: the first completion verifies, the second only closes.
        if not SignatureEvidence.objects.filter(organisation=organisation).exists():
            _record_evidence(order, organisation, completion, flags)
        return _finish(order, Status.COMPLETE, rfa="")


def _record_evidence(
    order: SigningOrder,
    organisation: Organisation,
    completion: bankid.CompletionData,
    flags: list[str],
) -> None:
    evidence = SignatureEvidence(
        organisation=organisation,
        order=order,
        signer_name=completion.name,
        personal_number_masked=mask_personal_number(completion.personal_number),
        personal_number_hash=personal_number_hash(completion.personal_number),
        is_registered_signatory="signer_not_signatory" not in flags,
        risk_flags=flags,
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
    organisation.verification_status = OrgStatus.PENDING_REVIEW if flags else OrgStatus.VERIFIED
    organisation.verified_at = timezone.now() if not flags else None
    organisation.save(update_fields=["verification_status", "verified_at"])
    if flags:
        accounts_services.review_case_open(
            kind=ReviewCase.Kind.RISK_FLAG,
            org_number=organisation.org_number,
            organisation=organisation,
            requested_by=order.user,
            reason=", ".join(flags),
        )
    accounts_services.audit_event_record(
        action=f"organisation.{organisation.verification_status}",
        actor=order.user,
        organisation=organisation,
        obj=evidence,
        data={"signer": completion.name, "flags": flags, "digest": order.details_digest},
        ip_address=order.end_user_ip,
    )
    _mail_members_on_commit(organisation, evidence)


def risk_flags(organisation: Organisation, personal_number: str) -> list[str]:
    """Return why a human should look before the organisation may send (empty: nothing)."""
    flags = []
    if organisation.details_source == Organisation.DetailsSource.MANUAL:
        flags.append("details_entered_by_hand")
    try:
        record = company_register().lookup(organisation.org_number)
    except RegisterUnavailable:
        return [*flags, "register_unavailable"]
    if record is None:
        return flags if flags else ["not_in_register"]
    if not record.is_active:
        flags.append(f"register_status_{record.status}")
    if not record.has_signatory(personal_number):
        flags.append("signer_not_signatory")
    return flags


def personal_number_hash(personal_number: str) -> str:
    """Return a keyed hash: matches a known number without keeping it in the clear."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, personal_number.encode(), hashlib.sha256).hexdigest()


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
