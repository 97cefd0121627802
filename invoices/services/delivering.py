"""Delivering: what the worker does with one Delivery, safe to run twice or after a crash.

Lock the queued row and claim it; talk to the outside world with no transaction open,
then record the outcome in one short transaction. The network inbox is a write in this
database: claim, delivery and outcome are one transaction there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation
from integrations.services import invoice_event_record, received_event_record
from invoices.delivery.base import Parcel, PermanentFailure, TransientFailure
from invoices.messages import Message, channel
from invoices.models import Delivery, DeliveryChannel, Invoice, ReceivedInvoice
from invoices.services.issuing import invoice_document
from invoices.services.sending import enqueue_delivery, invoice_event
from signing.selectors import sending_allowed

logger = logging.getLogger(__name__)
Status = Delivery.Status


@dataclass(frozen=True)
class Attempt:
    """What one run of the task did: "delivered", "retry", "failed" or "skipped"."""

    outcome: str
    detail: str = ""


def _lock_queued(delivery_id: int) -> Delivery | None:
    """Lock the delivery if it is queued and no one else holds it; None otherwise."""
    return (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("invoice", "invoice__organisation")
        .defer("invoice__organisation__logo")  # read by the e-mail channel's PDF alone
        .filter(pk=delivery_id, status=Status.QUEUED)
        .first()
    )


def _claim(delivery: Delivery) -> None:
    """Count the attempt and mark it sending, so a crash from here on is seen as one."""
    delivery.attempts += 1
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, claimed_at=timezone.now(), attempts=delivery.attempts
    )
    Invoice.objects.filter(pk=delivery.invoice_id).update(status=Invoice.Status.SENDING)


def _parcel(delivery: Delivery) -> Parcel:
    invoice = delivery.invoice
    # A buyer abroad reads the e-mail and the PDF in English; the UBL is the same either way.
    language = "sv" if invoice.customer.country_code == "SE" else "en"
    pdf = None
    if delivery.channel == DeliveryChannel.EMAIL:
        from invoices.pdf import render_pdf

        logo = invoice.organisation.logo
        pdf = render_pdf(
            invoice_document(invoice), language=language, logo=bytes(logo) if logo else None
        )
    return Parcel(
        language=language,
        delivery_id=delivery.public_id,
        invoice_number=invoice.number,
        kind=invoice.kind,
        seller_name=invoice.organisation.legal_name,
        recipient=delivery.recipient,
        ubl=bytes(invoice.ubl_xml or b""),
        pdf=pdf,
    )


def _send(delivery: Delivery) -> str:
    """Carry the parcel over the network (PEPPOL, e-mail), outside any transaction."""
    parcel = _parcel(delivery)
    if delivery.channel == DeliveryChannel.PEPPOL:
        from invoices.delivery.peppol import send_peppol_from_settings

        return send_peppol_from_settings(parcel)
    from invoices.delivery.email import send_email

    return send_email(parcel)


def _deliver_to_inbox(delivery: Delivery) -> str:
    """Put the invoice in the member's inbox, in the caller's transaction with the outcome."""
    recipient = Organisation.objects.filter(public_id=delivery.recipient).first()
    if recipient is None:
        raise PermanentFailure("inbox.gone")
    invoice = delivery.invoice
    received = ReceivedInvoice.objects.create(
        delivery=delivery,
        recipient=recipient,
        sender=invoice.organisation,
        kind=invoice.kind,
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        total_payable=invoice.total_payable,
        ubl_xml=bytes(invoice.ubl_xml or b""),
    )
    received_event_record(received=received)
    return f"inbox:{received.public_id}"


_INVOICE_STATUS: dict[str, str] = {
    Status.DELIVERED: Invoice.Status.DELIVERED,
    Status.FAILED: Invoice.Status.FAILED,
    Status.QUEUED: Invoice.Status.QUEUED,
}


# No savepoint: inside the claim's transaction a failure here must undo the claim too.
@transaction.atomic(savepoint=False)
def _record(
    delivery: Delivery,
    status: str,
    *,
    error: Message | None = None,
    receipt: str = "",
    retry_in: float | None = None,
) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=delivery.attempts,
        last_error=error.in_portal_language()[:500] if error else "",
        error_code=error.code if error else "",
        error_params=error.params_json() if error else {},
        receipt=receipt[:200],
        updated_at=now,
        retry_at=now + timedelta(seconds=retry_in) if retry_in is not None else None,
        delivered_at=now if status == Status.DELIVERED else None,
    )
    invoice_status = _INVOICE_STATUS[status]
    Invoice.objects.filter(pk=delivery.invoice_id).update(status=invoice_status)
    label = "attempt_failed" if status == Status.QUEUED else status
    line = Message(
        "event.attempt",
        {
            "channel": channel(delivery.channel),
            "attempt": delivery.attempts,
            "detail": error or receipt,
        },
    )
    invoice_event(delivery.invoice, label, line)
    if status != Status.QUEUED:  # a retry is not news to the ERP; the outcome is
        invoice_event_record(
            type=f"invoice.{status}", delivery=delivery, error=error.code if error else ""
        )


def delivery_attempt(delivery_id: int, *, final: bool, retry_in: float = 0) -> Attempt:
    """Try to deliver once; `final` forbids another try, `retry_in` is the pause before it.

    The row is locked while it is claimed. The network inbox is a write in this database, so
    its delivery and outcome commit together with the claim; PEPPOL and e-mail go out after
    the claim has committed, with no transaction open, and record their outcome after.
    """
    with transaction.atomic():
        delivery = _lock_queued(delivery_id)
        if delivery is None:
            return Attempt("skipped", "not queued (already delivered, failed or being sent)")
        decision = sending_allowed(organisation=delivery.invoice.organisation)
        if not decision.allowed:
            # Defence in depth: a suspension also stops invoices already in the queue.
            delivery.attempts += 1
            _record(delivery, Status.FAILED, error=Message(decision.code))
            return Attempt("failed", decision.code)
        if delivery.channel == DeliveryChannel.NETWORK:
            return _inbox_attempt(delivery)
        _claim(delivery)
    return _network_attempt(delivery, final=final, retry_in=retry_in)


def _inbox_attempt(delivery: Delivery) -> Attempt:
    delivery.attempts += 1
    try:
        receipt = _deliver_to_inbox(delivery)
    except PermanentFailure as failure:
        _record(delivery, Status.FAILED, error=failure.message)
        return Attempt("failed", failure.reason)
    _record(delivery, Status.DELIVERED, receipt=receipt)
    return Attempt("delivered", receipt)


def _network_attempt(delivery: Delivery, *, final: bool, retry_in: float) -> Attempt:
    try:
        receipt = _send(delivery)
    except TransientFailure as failure:
        if final:
            error = Message("delivery.gave_up", {"reason": failure.message})
            _record(delivery, Status.FAILED, error=error)
            return Attempt("failed", failure.reason)
        _record(delivery, Status.QUEUED, error=failure.message, retry_in=retry_in)
        return Attempt("retry", failure.reason)
    except PermanentFailure as failure:
        _record(delivery, Status.FAILED, error=failure.message)
        return Attempt("failed", failure.reason)
    _record(delivery, Status.DELIVERED, receipt=receipt)
    return Attempt("delivered", receipt)


def deliveries_sweep() -> int:
    """Re-queue deliveries a lost message or a killed worker left behind; return how many."""
    now = timezone.now()
    stale_queued = now - timedelta(seconds=settings.DELIVERY_QUEUED_GRACE_SECONDS)
    stale_sending = now - timedelta(seconds=settings.DELIVERY_SENDING_TIMEOUT_SECONDS)
    # A row stuck in "sending" belonged to a worker that died mid-attempt: the receiver
    # dedupes on the delivery id, so sending it again cannot deliver it twice.
    abandoned = list(
        Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=stale_sending).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=abandoned, status=Status.SENDING).update(
        status=Status.QUEUED, updated_at=now
    )
    waiting = abandoned + list(
        Delivery.objects.filter(status=Status.QUEUED, updated_at__lt=stale_queued)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .values_list("pk", flat=True)
    )
    # Each is queued again once per grace period: in a backlog longer than that, a sweep
    # that re-queued every waiting row each time would grow the backlog it waits on.
    Delivery.objects.filter(pk__in=waiting, status=Status.QUEUED).update(updated_at=now)
    for delivery_id in waiting:
        enqueue_delivery(delivery_id)
    return len(waiting)
