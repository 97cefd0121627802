"""Reads for signing: may this organisation send, and which orders may this user see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.models import Organisation
from signing.models import SigningOrder

Status = Organisation.VerificationStatus


@dataclass(frozen=True)
class SendingDecision:
    allowed: bool
    code: str = ""
    detail: StrOrPromise = ""


_NOT_VERIFIED = SendingDecision(
    False,
    "organisation_not_verified",
    _("Confirm the company details and sign them once with BankID before sending invoices."),
)
_PENDING_REVIEW = SendingDecision(
    False,
    "organisation_pending_review",
    _("The company details are signed and being reviewed by our staff; sending opens after it."),
)
_SUSPENDED = SendingDecision(
    False, "organisation_suspended", _("Sending is suspended for this organisation.")
)
_LAPSED = SendingDecision(
    False,
    "organisation_not_verified",
    _("Nobody signed the company details in time, so the registration lapsed. Register again."),
)
_DECISIONS: dict[str, SendingDecision] = {
    Status.VERIFIED: SendingDecision(True),
    Status.UNVERIFIED: _NOT_VERIFIED,
    Status.DETAILS_CONFIRMED: _NOT_VERIFIED,
    Status.LAPSED: _LAPSED,
    Status.PENDING_REVIEW: _PENDING_REVIEW,
    Status.SUSPENDED: _SUSPENDED,
    Status.REJECTED: _SUSPENDED,
}


def sending_allowed(*, organisation: Organisation) -> SendingDecision:
    """Decide whether the organisation may send invoices (the gate's one question)."""
    return _DECISIONS[organisation.verification_status]


def signing_order_get(*, user: Any, public_id: UUID) -> SigningOrder:
    """Return the user's own order, or 404 (a takeover order's user is not yet a member)."""
    order = (
        SigningOrder.objects.filter(public_id=public_id, user=user)
        .select_related("organisation", "payment_change")
        .first()
    )
    if order is None:
        raise Http404
    return order


def signing_orders_running(*, user: Any, organisation: Organisation) -> list[SigningOrder]:
    """Return the user's orders that BankID may still be working on."""
    return list(
        SigningOrder.objects.filter(
            user=user,
            organisation=organisation,
            status__in=[SigningOrder.Status.STARTING, SigningOrder.Status.PENDING],
        )
    )
