"""The signing flows: the one-time company verification, a signatory's takeover of an
unverified claim, and the confirmation of a new payment account; import them from here."""

from signing.services.completion import order_complete, risk_flags, trusted_signature_roots
from signing.services.details import (
    canonical_json,
    details_digest,
    payment_change_details,
    signed_details,
    visible_text,
)
from signing.services.evidence import personal_number_hash
from signing.services.orders import (
    signing_order_cancel,
    signing_order_collect,
    signing_order_qr,
    signing_order_start,
    signing_order_start_payment_change,
    signing_order_start_takeover,
)

__all__ = [
    "canonical_json",
    "details_digest",
    "order_complete",
    "payment_change_details",
    "personal_number_hash",
    "risk_flags",
    "signed_details",
    "signing_order_cancel",
    "signing_order_collect",
    "signing_order_qr",
    "signing_order_start",
    "signing_order_start_payment_change",
    "signing_order_start_takeover",
    "trusted_signature_roots",
    "visible_text",
]
