"""Sending: the gate, the duplicate guard, the channel, one Delivery row, the task after commit."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction

from accounts.services import audit_event_record
from integrations.models import Event
from integrations.services import invoice_event_record
from invoices import errors
from invoices.delivery.routing import Route, choose_route
from invoices.messages import Message, channel
from invoices.models import Delivery, Invoice, InvoiceEvent, PendingSend
from invoices.services.drafts import invoice_lock
from invoices.services.issuing import invoice_validate, issue_locked_draft
from invoices.services.velocity import velocity_check
from signing.selectors import sending_allowed

logger = logging.getLogger(__name__)
SENT_STATUSES = (Invoice.Status.QUEUED, Invoice.Status.SENDING, Invoice.Status.DELIVERED)
SENDABLE_STATUSES = (Invoice.Status.DRAFT, Invoice.Status.ISSUED, Invoice.Status.FAILED)


def invoice_event(
    invoice: Invoice, status: str, message: Message | str = "", actor: Any = None
) -> None:
    """Append one line to the invoice's history; a Message renders in each reader's language."""
    # A plain text is shown as written, in whatever language it was written in.
    detail, code, params = (
        (message, "", {})
        if isinstance(message, str)
        else (message.in_portal_language(), message.code, message.params_json())
    )
    InvoiceEvent.objects.create(
        invoice=invoice,
        status=status,
        detail=detail[:500],
        code=code,
        params=params,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def possible_duplicates(invoice: Invoice) -> list[Invoice]:
    """Return sent invoices this one may repeat: same number within a year, or same
    buyer, amount and date."""
    sent = (
        Invoice.objects.for_org(invoice.organisation)
        .exclude(pk=invoice.pk)
        .filter(status__in=SENT_STATUSES, kind=invoice.kind)
    )
    same_number = (
        sent.filter(number=invoice.number, issue_date__gte=invoice.issue_date - timedelta(days=365))
        if invoice.number
        else sent.none()
    )
    same_content = sent.filter(
        customer=invoice.customer,
        total_payable=invoice.total_payable,
        issue_date=invoice.issue_date,
    )
    return list((same_number | same_content).distinct()[:5])


def enqueue_delivery(delivery_id: int) -> None:
    """Hand the delivery to a worker; a broker outage only delays it (the sweeper retries)."""
    from invoices.tasks import delivery_deliver_task

    try:
        delivery_deliver_task.delay(delivery_id)
    except Exception:
        logger.warning("broker unavailable; delivery %s waits for the sweeper", delivery_id)


def _queue(invoice: Invoice, route: Route, user: Any) -> Delivery:
    delivery = Delivery.objects.create(
        organisation=invoice.organisation,
        invoice=invoice,
        channel=route.channel,
        recipient=route.recipient,
        reason=route.reason.in_portal_language()[:300],
        reason_code=route.reason.code,
        reason_params=route.reason.params_json(),
    )
    line = Message("event.queued", {"channel": channel(route.channel), "reason": route.reason})
    invoice_event(invoice, Invoice.Status.QUEUED, line, user)
    invoice_event_record(type=Event.Type.INVOICE_QUEUED, delivery=delivery)
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    return delivery


def _live_delivery(invoice: Invoice) -> Delivery | None:
    # A sendable invoice has no delivery under way or done: only the others need the query.
    if invoice.status in SENDABLE_STATUSES:
        return None
    return invoice.deliveries.filter(status__in=Delivery.ACTIVE).first()


def _freeze(invoice: Invoice, user: Any) -> list[str] | None:
    """Issue a draft, or re-check an issued invoice; return the fields to save (None: all)."""
    if invoice.status == Invoice.Status.DRAFT:
        issue_locked_draft(invoice, user)
        return None
    report = invoice_validate(invoice)
    if not report.valid:
        raise errors.InvoiceInvalid(list(report.fatal))
    return ["status", "updated_at"]


@transaction.atomic
def invoice_send(*, invoice: Invoice, user: Any, confirm_duplicate: bool = False) -> Delivery:
    """Send the invoice through its channel: exactly one delivery, whatever is pressed twice."""
    decision = sending_allowed(organisation=invoice.organisation)
    if not decision.allowed:
        raise errors.SendingBlocked(decision)
    invoice = invoice_lock(invoice)
    live = _live_delivery(invoice)
    if live is not None:
        return live  # already on its way: a second press changes nothing
    if invoice.status not in SENDABLE_STATUSES:
        raise errors.NotResendable
    if not confirm_duplicate and (matches := possible_duplicates(invoice)):
        raise errors.PossibleDuplicate(matches)
    route = choose_route(invoice.customer)
    if route is None:
        raise errors.NoChannel
    changed = _freeze(invoice, user)
    invoice.status = Invoice.Status.QUEUED
    invoice.save(update_fields=changed)  # one UPDATE: the issue and the queueing together
    delivery = _queue(invoice, route, user)
    PendingSend.objects.filter(invoice=invoice).delete()
    velocity_check(organisation=invoice.organisation, user=user)
    audit_event_record(
        action=f"{invoice.kind}.sent",
        actor=user,
        organisation=invoice.organisation,
        obj=invoice,
        data={"channel": route.channel, "delivery": str(delivery.public_id)},
    )
    return delivery
