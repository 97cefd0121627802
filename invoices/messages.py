"""Texts the portal stores as a code and parameters, so each reader sees them in their language.

A delivery's reason and error and a line of an invoice's history are written once, often by a
worker, and read later by users in Swedish or English. The row keeps the code and its
parameters; the page renders them in the reader's language. E-mails, the PDF and the UBL keep
the document's language. Rows written before the codes have only their text, shown as it is.

A parameter is a string, a number or another message (stored as {"code": ..., "params": ...}).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_stubs_ext import StrOrPromise

from invoices.models import DeliveryChannel, Invoice

CATALOGUE: dict[str, StrOrPromise] = {
    # Why a channel was chosen (Delivery.reason_code).
    "route.network": _("the buyer uses the portal: the invoice goes to its inbox"),
    "route.peppol": _("the buyer has PEPPOL participant id %(id)s"),
    "route.email": _("the buyer receives invoices by e-mail at %(email)s"),
    "route.fallback": _("the preferred channel is not usable; %(reason)s"),
    # Why a delivery failed (Delivery.error_code).
    "inbox.gone": _("The receiving organisation no longer exists."),
    "email.invalid_address": _("%(address)r is not a valid e-mail address."),
    "email.try_later": _("The mail server asked to try again later: %(reply)s"),
    "email.refused_message": _("The mail server refused the message: %(reply)s"),
    "email.not_sent": _("The message could not be sent: %(error)s"),
    "email.unreachable": _("The mail server could not be reached: %(error)s"),
    "email.deferred": _("The mail server deferred %(address)s: %(reply)s"),
    "email.refused_address": _("The mail server refused the address %(address)s: %(reply)s"),
    "peppol.unconfigured": _("No PEPPOL access point is configured (PEPPOL_ACCESS_POINT_URL)."),
    "peppol.bad_url": _("The PEPPOL access point URL is not usable: %(error)s"),
    "peppol.unreachable": _("The PEPPOL access point could not be reached: %(error)s"),
    "peppol.unavailable": _("The PEPPOL access point is unavailable %(detail)s"),
    "peppol.refused": _("The PEPPOL access point refused the document %(detail)s"),
    "delivery.gave_up": _("Gave up after retries: %(reason)s"),
    "organisation_not_verified": _(
        "Confirm the company details and sign them once with BankID before sending invoices."
    ),
    "organisation_pending_review": _(
        "The company details are signed and being reviewed by our staff; sending opens after it."
    ),
    "organisation_suspended": _("Sending is suspended for this organisation."),
    # Lines of an invoice's history (InvoiceEvent.code).
    "event.queued": _("%(channel)s: %(reason)s"),
    "event.attempt": _("%(channel)s, attempt %(attempt)s: %(detail)s"),
    # A send pressed before signing that did not go out when the signing completed.
    "event.held.duplicate": _(
        "Held back: it looks like an invoice already sent. Press Send to decide."
    ),
    "event.held.invalid": _(
        "Not sent after signing: the invoice does not pass the checks. Correct it and press Send."
    ),
    "event.held.no_channel": _(
        "Not sent after signing: the customer cannot be reached. Add an e-mail address or a "
        "PEPPOL id to the customer, then press Send."
    ),
    "event.held.not_sendable": _("Not sent after signing: the invoice can no longer be sent."),
    "event.held.no_permission": _(
        "Not sent after signing: the user who pressed Send may no longer send invoices."
    ),
    "event.held.key_revoked": _(
        "Not sent after signing: the API key that sent it has been revoked."
    ),
    # Payment terms the portal writes (BT-20) when the invoice carries none of its own.
    "terms.net": ngettext_lazy("%(days)s day net", "%(days)s days net", "days"),
    "terms.net_interest": ngettext_lazy(
        "%(days)s day net. %(interest)s", "%(days)s days net. %(interest)s", "days"
    ),
    **{f"channel.{choice.value}": choice.label for choice in DeliveryChannel},
}


@dataclass(frozen=True)
class Message:
    """A text by code and parameters; str() renders it in the active language."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.code, self.params_json())

    def params_json(self) -> dict[str, Any]:
        """Return the parameters as JSON can store them (nested messages as dicts)."""
        return {name: _as_json(value) for name, value in self.params.items()}

    def in_portal_language(self) -> str:
        """Render in the portal's language: the text stored beside the code."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self)


def net_terms(invoice: Invoice) -> Message:
    """Return the payment terms the portal writes for the invoice: days from issue to due,
    and the seller's late-payment interest (dröjsmålsränta) in its own words when it has one."""
    days = (invoice.due_date - invoice.issue_date).days
    interest = invoice.organisation.late_payment_interest
    if interest:
        return Message("terms.net_interest", {"days": days, "interest": interest})
    return Message("terms.net", {"days": days})


def channel(value: str) -> Message:
    """Return the name of a delivery channel as a message."""
    return Message(f"channel.{value}")


def render(code: str, params: dict[str, Any], fallback: str = "") -> str:
    """Render a stored code and parameters in the active language; `fallback` if unknown."""
    text = CATALOGUE.get(code)
    if text is None:
        return fallback
    return str(text % {name: _rendered(value) for name, value in params.items()})


def _as_json(value: Any) -> Any:
    if isinstance(value, Message):
        return {"code": value.code, "params": value.params_json()}
    return value


def _rendered(value: Any) -> Any:
    if isinstance(value, dict) and "code" in value:
        return render(value["code"], value.get("params", {}))
    return value
