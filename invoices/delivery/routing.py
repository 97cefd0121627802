"""Which channel carries an invoice to its buyer, and why (shown on the invoice)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import Organisation
from invoices.messages import Message
from invoices.models import Customer, DeliveryChannel


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str  # the member's public id, a PEPPOL participant id, or an e-mail address
    reason: Message


def member_for(customer: Customer) -> Organisation | None:
    """Return the portal organisation the customer is, matched by org number or PEPPOL id."""
    org_number = customer.org_number
    scheme, _sep, identifier = customer.peppol_id.partition(":")
    if not org_number and scheme == "0007" and len(identifier) == 10:
        org_number = f"{identifier[:6]}-{identifier[6:]}"
    if not org_number:
        return None
    return (
        Organisation.objects.filter(org_number=org_number)
        .exclude(pk=customer.organisation_id)
        .first()
    )


def _peppol_id(customer: Customer) -> str:
    if customer.peppol_id:
        return customer.peppol_id
    if customer.gln:
        return f"0088:{customer.gln}"
    return ""


def _network(customer: Customer) -> Route | None:
    member = member_for(customer)
    if member is None:
        return None
    return Route(
        DeliveryChannel.NETWORK,
        str(member.public_id),
        Message("route.network"),
    )


def _peppol(customer: Customer) -> Route | None:
    participant = _peppol_id(customer)
    if not participant:
        return None
    return Route(DeliveryChannel.PEPPOL, participant, Message("route.peppol", {"id": participant}))


def _email(customer: Customer) -> Route | None:
    if not customer.email:
        return None
    return Route(
        DeliveryChannel.EMAIL, customer.email, Message("route.email", {"email": customer.email})
    )


_BY_CHANNEL: dict[str, Callable[[Customer], Route | None]] = {
    DeliveryChannel.NETWORK: _network,
    DeliveryChannel.PEPPOL: _peppol,
    DeliveryChannel.EMAIL: _email,
}


def choose_route(customer: Customer) -> Route | None:
    """Return the customer's preferred channel, else network → PEPPOL → e-mail; None if none."""
    preferred = customer.preferred_channel
    if preferred in _BY_CHANNEL:
        route = _BY_CHANNEL[preferred](customer)
        if route is not None:
            return route
    for find in (_network, _peppol, _email):
        route = find(customer)
        if route is not None:
            if preferred in _BY_CHANNEL:
                reason = Message("route.fallback", {"reason": route.reason})
                return Route(route.channel, route.recipient, reason)
            return route
    return None
