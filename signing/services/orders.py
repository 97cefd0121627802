"""Starting, polling and cancelling BankID sign orders, for every purpose.

Network calls to BankID never run inside a transaction: an order row is written
first, BankID is called, and the outcome is written in a second short transaction.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import errors as accounts_errors
from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.models import Organisation, PaymentDetailsChange
from signing import bankid, errors
from signing.models import Purpose, SigningOrder
from signing.qr import qr_payload
from signing.rfa import rfa_for_failed, rfa_for_pending
from signing.services.completion import order_complete
from signing.services.details import (
    details_digest,
    payment_change_details,
    payment_change_text,
    signed_details,
    visible_text,
)
from signing.services.ending import order_finish
from signing.services.risk import manual_details_raise

Status = SigningOrder.Status
OrgStatus = Organisation.VerificationStatus
# BankID asks RPs to collect at most once a second.
COLLECT_INTERVAL = timedelta(seconds=1)
# The QR code is shown until the app has picked the order up.
QR_HINTS = {"", "outstandingTransaction", "noClient"}
RUNNING = (Status.STARTING, Status.PENDING)


@dataclass(frozen=True)
class OrderRequest:
    """What one order will ask the signer to attest, before any row exists."""

    user: Any
    organisation: Organisation
    purpose: str
    details: dict[str, Any]
    end_user_ip: str
    next_url: str = ""
    payment_change: PaymentDetailsChange | None = None


# --- Starting --------------------------------------------------------------------------------


def _ensure_number_free_of_partners(organisation: Organisation) -> None:
    claim = accounts_selectors.org_number_claim(org_number=organisation.org_number)
    if claim.registration is not None:
        raise accounts_errors.OrganisationNumberTaken(claim.registration)


def _ensure_signable(organisation: Organisation) -> None:
    if organisation.verification_status == OrgStatus.VERIFIED:
        raise errors.AlreadyVerified
    if organisation.verification_status not in (OrgStatus.UNVERIFIED, OrgStatus.DETAILS_CONFIRMED):
        raise errors.NotSignable
    _ensure_number_free_of_partners(organisation)
    if not (organisation.street_address and organisation.city):
        raise errors.DetailsIncomplete


def _ensure_within_start_limit(request: OrderRequest) -> None:
    """Refuse a start past the limit per user and per organisation (each start costs an RP call).

    Takeover orders count apart from the members' own, so an outsider trying takeovers
    cannot use up the members' starts, nor the reverse.
    """
    since = timezone.now() - timedelta(seconds=settings.BANKID_START_WINDOW_SECONDS)
    recent = SigningOrder.objects.filter(created_at__gte=since)
    is_takeover = request.purpose == Purpose.TAKEOVER
    same_side = recent.filter(organisation=request.organisation)
    same_side = (
        same_side.filter(purpose=Purpose.TAKEOVER)
        if is_takeover
        else same_side.exclude(purpose=Purpose.TAKEOVER)
    )
    limit = settings.BANKID_START_LIMIT
    if recent.filter(user=request.user).count() >= limit or same_side.count() >= limit:
        raise errors.TooManyStarts


def _text_for(request: OrderRequest) -> str:
    if request.purpose == Purpose.PAYMENT_CHANGE:
        return payment_change_text(request.details)
    return visible_text(request.details, takeover=request.purpose == Purpose.TAKEOVER)


@transaction.atomic
def _create_order(request: OrderRequest) -> SigningOrder:
    organisation = Organisation.objects.select_for_update().get(pk=request.organisation.pk)
    _ensure_within_start_limit(request)
    order = SigningOrder(
        organisation=organisation,
        user=request.user,
        purpose=request.purpose,
        payment_change=request.payment_change,
        details=request.details,
        end_user_ip=request.end_user_ip,
        next_url=request.next_url,
        details_digest="",
    )
    order.details_digest = details_digest(request.details, order)
    order.user_visible_data = base64.b64encode(_text_for(request).encode()).decode("ascii")
    order.user_non_visible_data = base64.b64encode(order.details_digest.encode()).decode("ascii")
    order.full_clean()
    order.save()
    if request.purpose == Purpose.VERIFICATION:
        _mark_details_confirmed(organisation, order)
        manual_details_raise(organisation, order)
    return order


def _mark_details_confirmed(organisation: Organisation, order: SigningOrder) -> None:
    if organisation.verification_status != OrgStatus.UNVERIFIED:
        return
    organisation.verification_status = OrgStatus.DETAILS_CONFIRMED
    organisation.save(update_fields=["verification_status"])
    accounts_services.audit_event_record(
        action="organisation.details_confirmed",
        actor=order.user,
        organisation=organisation,
        obj=organisation,
        data={"digest": order.details_digest},
        ip_address=order.end_user_ip,
    )


def _start(request: OrderRequest) -> SigningOrder:
    """Write the order, ask BankID to start it, and record BankID's answer."""
    # One running order per user and organisation: the newest replaces the older.
    for running in SigningOrder.objects.filter(
        user=request.user, organisation=request.organisation, status__in=RUNNING
    ):
        signing_order_cancel(order=running)
    order = _create_order(request)
    try:
        with bankid.bankid_client() as client:
            start = client.sign(
                end_user_ip=order.end_user_ip,
                user_visible_data=base64.b64decode(order.user_visible_data).decode("utf-8"),
                user_non_visible_data=order.details_digest.encode("ascii"),
            )
    except bankid.BankIDError as error:
        order_finish(order, Status.FAILED, rfa=error.rfa, reason=f"start: {error.error_code}")
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
        actor=order.user,
        organisation=order.organisation,
        obj=order,
        data={"order_ref": order.order_ref, "purpose": order.purpose},
        ip_address=order.end_user_ip,
    )
    return order


def signing_order_start(
    *, user: Any, organisation: Organisation, end_user_ip: str, next_url: str = ""
) -> SigningOrder:
    """Confirm the details and start the one-time verification order."""
    _ensure_signable(organisation)
    request = OrderRequest(
        user=user,
        organisation=organisation,
        purpose=Purpose.VERIFICATION,
        details=signed_details(organisation),
        end_user_ip=end_user_ip,
        next_url=next_url,
    )
    return _start(request)


def signing_order_start_takeover(
    *, user: Any, organisation: Organisation, details: dict[str, Any], end_user_ip: str
) -> SigningOrder:
    """Start an order in which the company's signatory takes an unverified claim over.

    `details` are the register's details plus the signatory's own payment account: the
    earlier claimant's entries are never signed by the signatory.
    """
    if not accounts_selectors.organisation_can_be_taken_over(organisation=organisation):
        raise errors.NotSignable
    if organisation.memberships.filter(user=user).exists():
        raise errors.TakeoverOfOwnOrganisation
    _ensure_number_free_of_partners(organisation)
    request = OrderRequest(
        user=user,
        organisation=organisation,
        purpose=Purpose.TAKEOVER,
        details={**details, "org_number": organisation.org_number},
        end_user_ip=end_user_ip,
    )
    return _start(request)


def signing_order_start_payment_change(
    *, user: Any, change: PaymentDetailsChange, end_user_ip: str
) -> SigningOrder:
    """Start the order that confirms a new payment account (old and new are shown)."""
    if change.status != PaymentDetailsChange.Status.AWAITING_SIGNATURE:
        raise accounts_errors.PaymentChangeClosed
    request = OrderRequest(
        user=user,
        organisation=change.organisation,
        purpose=Purpose.PAYMENT_CHANGE,
        details=payment_change_details(change),
        end_user_ip=end_user_ip,
        payment_change=change,
    )
    return _start(request)


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
        return order_finish(order, Status.FAILED, rfa=rfa, hint=result.hint_code or "")
    return order_complete(order, result.completion)


def _collect_failed(order: SigningOrder, error: bankid.BankIDError) -> SigningOrder:
    if isinstance(error, bankid.InvalidParameters):
        # BankID no longer knows the order (expired, or already collected): it is over.
        return order_finish(order, Status.FAILED, rfa="RFA22", reason="collect: invalidParameters")
    # Maintenance and the like: keep polling; show BankID's message meanwhile.
    order.rfa = error.rfa
    order.save(update_fields=["rfa"])
    return order


def signing_order_cancel(*, order: SigningOrder) -> SigningOrder:
    """Cancel the order at BankID (the user pressed cancel, or a newer order replaces it)."""
    if order.is_terminal:
        return order
    if order.order_ref:
        try:
            with bankid.bankid_client() as client:
                client.cancel(order.order_ref)
        except bankid.BankIDError:
            pass  # BankID has already ended it; our row is what matters now
    return order_finish(order, Status.CANCELLED, rfa="RFA6")
