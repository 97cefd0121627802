"""The receiving side of the network channel: what a member does with its inbox."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_event_record
from invoices.models import ReceivedInvoice


@transaction.atomic
def received_mark_handled(*, received: ReceivedInvoice, user: Any) -> ReceivedInvoice:
    """Mark a received invoice as handled (booked, paid, forwarded)."""
    if received.handled_at is None:
        received.handled_at = timezone.now()
        received.handled_by = user
        received.save(update_fields=["handled_at", "handled_by"])
        audit_event_record(
            action="received_invoice.handled",
            actor=user,
            organisation=received.recipient,
            obj=received,
            data={"number": received.number},
        )
    return received


@transaction.atomic
def inbox_acknowledge(*, received: ReceivedInvoice, user: Any) -> ReceivedInvoice:
    """Record that the recipient's ERP has stored the invoice; the first time stands."""
    # A conditional UPDATE: of two acks at the same moment, only one sets the time and audits.
    first = ReceivedInvoice.objects.filter(pk=received.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if first:
        audit_event_record(
            action="received_invoice.acknowledged",
            actor=user,
            organisation=received.recipient,
            obj=received,
            data={"number": received.number},
        )
    received.refresh_from_db(fields=["acknowledged_at"])
    return received
