"""Reads for invoicing; every one takes the organisation, so nothing leaks across tenants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import F, Q, QuerySet
from django.http import Http404

from accounts.models import Organisation
from invoices.models import (
    Article,
    Customer,
    Delivery,
    Invoice,
    InvoiceAttachment,
    PendingSend,
    ReceivedInvoice,
)


def invoice_list(
    *,
    organisation: Organisation,
    status: str = "",
    kind: str = "",
    query: str = "",
    customer_id: int | None = None,
    number: str = "",
    updated_after: datetime | None = None,
) -> QuerySet[Invoice]:
    """Return the organisation's invoices for the list page or the API, filtered and searched."""
    invoices = Invoice.objects.for_org(organisation).select_related("customer")
    if status:
        invoices = invoices.filter(status=status)
    if kind:
        invoices = invoices.filter(kind=kind)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if number:
        invoices = invoices.filter(number=number)
    if updated_after is not None:
        invoices = invoices.filter(updated_at__gt=updated_after)
    if query:
        invoices = invoices.filter(_search(organisation=organisation, query=query))
    # The order of the invoice_list_order index, made total by the id: a page reads its rows
    # from the index instead of sorting the organisation's whole history.
    return invoices.order_by("-issue_date", "-created_at", "-id")


# More customers than this matching a search: the word is common, so a page is found by
# reading the list in order until 25 match (a subquery), not by their invoices (a list of ids).
SEARCH_CUSTOMERS_LISTED = 500


def _search(*, organisation: Organisation, query: str) -> Q:
    """Return the condition of the list's search: number, reference or customer name.

    Each field has its trigram index (invoices/models.py). The customers' ids are found first,
    so the condition is on the invoice table alone: PostgreSQL then either unites the three
    indexes (a rare word) or reads the list's index until a page is full (a common one).
    """
    customers = Customer.objects.for_org(organisation).filter(name__icontains=query).order_by()
    customer_ids = list(customers.values_list("pk", flat=True)[: SEARCH_CUSTOMERS_LISTED + 1])
    by_customer = (
        Q(customer__in=customers.values("pk"))
        if len(customer_ids) > SEARCH_CUSTOMERS_LISTED
        else Q(customer_id__in=customer_ids)
    )
    return Q(number__icontains=query) | Q(buyer_reference__icontains=query) | by_customer


def invoice_get(*, organisation: Organisation, public_id: UUID) -> Invoice:
    """Return one invoice of the organisation with what its pages show, or 404."""
    invoice = (
        Invoice.objects.for_org(organisation)
        .select_related("customer", "organisation", "credited_invoice")
        .prefetch_related("lines", "allowances_charges", "attachments", "credit_notes")
        .filter(public_id=public_id)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


def invoice_to_act_on(*, organisation: Organisation, public_id: UUID) -> Invoice:
    """Return one invoice of the organisation, bare, or 404: for a service that locks it.

    The service reads the row and its lines again under its lock, so what invoice_get
    prefetches for a page would be read twice (four queries of a send's thirty).
    """
    try:
        invoice = Invoice.objects.for_org(organisation).get(public_id=public_id)
    except Invoice.DoesNotExist:
        raise Http404 from None
    invoice.organisation = organisation  # the one it was found in: no join to read it again
    return invoice


def attachment_get(*, organisation: Organisation, public_id: UUID, pk: int) -> InvoiceAttachment:
    """Return one attachment of one of the organisation's invoices, or 404."""
    attachment = (
        InvoiceAttachment.objects.filter(
            invoice__organisation=organisation, invoice__public_id=public_id, pk=pk
        )
        .select_related("invoice")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def customer_list(*, organisation: Organisation, query: str = "") -> QuerySet[Customer]:
    """Return the organisation's customers, searched by name, number or org number."""
    customers = Customer.objects.for_org(organisation)
    if query:
        digits = "".join(char for char in query if char.isdigit())
        condition = Q(name__icontains=query) | Q(customer_number__icontains=query)
        if digits:
            condition |= (
                Q(org_number__icontains=digits[:6]) & Q(org_number__icontains=digits[6:])
                if len(digits) > 6
                else Q(org_number__icontains=digits)
            )
        customers = customers.filter(condition)
    # Made total by the id: two customers of one name stay on one page each, in one order.
    return customers.order_by("name", "pk")


def customer_get(*, organisation: Organisation, pk: int) -> Customer:
    """Return one customer of the organisation, or 404."""
    customer = Customer.objects.for_org(organisation).filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def customer_for_receiver(
    *, organisation: Organisation, org_number: str = "", peppol_id: str = ""
) -> Customer:
    """Return the organisation's customer with one of these identifiers (the first made), or
    an unsaved customer that carries only them: what a send to that receiver would use."""
    condition = Q(pk__in=[])
    if org_number:
        condition |= Q(org_number=org_number)
    if peppol_id:
        condition |= Q(peppol_id=peppol_id)
        scheme, _sep, identifier = peppol_id.partition(":")
        if scheme == "0088":
            condition |= Q(gln=identifier)
    found = Customer.objects.for_org(organisation).filter(condition).order_by("pk").first()
    return found or Customer(organisation=organisation, org_number=org_number, peppol_id=peppol_id)


def article_list(*, organisation: Organisation) -> QuerySet[Article]:
    """Return the organisation's articles."""
    return Article.objects.filter(organisation=organisation)


def article_get(*, organisation: Organisation, pk: int) -> Article:
    """Return one article of the organisation, or 404."""
    article = article_list(organisation=organisation).filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def last_failures(*, invoices: list[Invoice]) -> list[tuple[Invoice, Delivery | None]]:
    """Pair each failed invoice with its latest delivery (two queries whatever the count)."""
    latest: dict[int, Delivery] = {}
    for delivery in Delivery.objects.filter(invoice__in=invoices).order_by("created_at"):
        latest[delivery.invoice_id] = delivery
    return [(invoice, latest.get(invoice.pk)) for invoice in invoices]


def received_list(
    *, organisation: Organisation, show_handled: bool = False
) -> QuerySet[ReceivedInvoice]:
    """Return the organisation's inbox; handled invoices only when asked for."""
    received = ReceivedInvoice.objects.filter(recipient=organisation).select_related("sender")
    # Newest first, made total by the id: pages of a list read by OFFSET must not overlap.
    received = received.order_by("-received_at", "-pk")
    return received if show_handled else received.filter(handled_at__isnull=True)


def received_by_acknowledgement(
    *, organisation: Organisation, acknowledged: bool | None = None
) -> QuerySet[ReceivedInvoice]:
    """Return the organisation's whole inbox for its ERP: unacknowledged first, newest first."""
    received = received_list(organisation=organisation, show_handled=True)
    if acknowledged is not None:
        received = received.filter(acknowledged_at__isnull=not acknowledged)
    return received.order_by(F("acknowledged_at").desc(nulls_first=True), "-received_at", "-pk")


def received_get(*, organisation: Organisation, public_id: UUID) -> ReceivedInvoice:
    """Return one invoice from the organisation's inbox, or 404."""
    received = (
        ReceivedInvoice.objects.filter(recipient=organisation, public_id=public_id)
        .select_related("sender", "handled_by")
        .first()
    )
    if received is None:
        raise Http404
    return received


def invoice_history(*, invoice: Invoice) -> dict[str, Any]:
    """Return the invoice's timeline and its current delivery, for the invoice page."""
    return {
        "events": list(invoice.events.select_related("actor")),
        "delivery": invoice.deliveries.order_by("-created_at").first(),
    }


def pending_send_list(*, organisation: Organisation, user: Any) -> QuerySet[PendingSend]:
    """Return the sends this user pressed that wait for the organisation's signature."""
    return (
        PendingSend.objects.filter(user=user, invoice__organisation=organisation)
        .select_related("invoice", "invoice__customer")
        .order_by("created_at")
    )
