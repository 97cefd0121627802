"""What a signature attests: the details, their digest and the text the signer reads."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from accounts.models import Organisation, PaymentDetailsChange
from accounts.services.payments import ACCOUNT_LABELS, payment_account_text
from signing.models import SigningOrder

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


def signed_details(organisation: Organisation) -> dict[str, Any]:
    """Return exactly the company details the signature attests."""
    return {name: getattr(organisation, name) for name in SIGNED_FIELDS}


def payment_change_details(change: PaymentDetailsChange) -> dict[str, Any]:
    """Return what confirming a change of payment account attests."""
    organisation = change.organisation
    return {
        "org_number": organisation.org_number,
        "legal_name": organisation.legal_name,
        "payment_change": str(change.public_id),
        "previous": change.previous,
        "proposed": change.proposed,
    }


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def details_digest(details: dict[str, Any], order: SigningOrder) -> str:
    """Bind the signature to these exact details and to this one order."""
    return hashlib.sha256(
        canonical_json({"details": details, "order": str(order.public_id)})
    ).hexdigest()


def visible_text(details: dict[str, Any], *, takeover: bool = False) -> str:
    """Return the short Swedish text the signer reads in the BankID app."""
    lines = [
        f"Jag intygar att uppgifterna om {details['legal_name']} ({details['org_number']}) "
        "är korrekta och att jag får företräda företaget när det skickar e-fakturor.",
        f"Momsregistreringsnummer: {details['vat_number'] or '-'}",
        f"Adress: {details['street_address']}, {details['postal_code']} {details['city']}",
    ]
    if any(details.get(name) for _label, name in ACCOUNT_LABELS):
        lines.append(f"Betalning: {payment_account_text(details)}")
    if details["has_f_skatt"]:
        lines.append("Godkänd för F-skatt")
    if takeover:
        lines.append("Jag är firmatecknare och tar över företagets registrering i portalen.")
    return "\n".join(lines)


def payment_change_text(details: dict[str, Any]) -> str:
    """Return the text for confirming a new payment account: the old one and the new one."""
    return "\n".join(
        [
            f"Jag bekräftar att {details['legal_name']} ({details['org_number']}) "
            "byter betalningsuppgifter på sina e-fakturor.",
            f"Från: {payment_account_text(details['previous'])}",
            f"Till: {payment_account_text(details['proposed'])}",
        ]
    )
