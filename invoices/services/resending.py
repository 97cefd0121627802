"""Send again: only a failed invoice, after correcting how the customer is reached."""

from __future__ import annotations

from typing import Any

from invoices import errors
from invoices.models import Delivery, Invoice
from invoices.services.registers import customer_route_update
from invoices.services.sending import invoice_send


def invoice_resend(
    *,
    invoice: Invoice,
    user: Any,
    channel: str,
    email: str = "",
    peppol_id: str = "",
    confirm_duplicate: bool = False,
) -> Delivery:
    """Save the customer's corrected channel or address, then send the failed invoice again."""
    if invoice.status != Invoice.Status.FAILED:
        raise errors.NotResendable  # Send is the way for drafts and issued invoices
    # Saved first and kept even when the duplicate question stops the send: the answer
    # ("Send anyway") then goes out by the corrected route the invoice page shows.
    customer_route_update(
        user=user, customer=invoice.customer, channel=channel, email=email, peppol_id=peppol_id
    )
    return invoice_send(invoice=invoice, user=user, confirm_duplicate=confirm_duplicate)
