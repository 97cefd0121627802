"""Every write that matters in invoicing: customers, articles, drafts, issuing, credit, import."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organisation, Plan
from accounts.services import audit_event_record
from invoices import errors, totals, ubl
from invoices.document import InvoiceDocument
from invoices.mapping import DOCUMENT_EXTRAS, LINE_EXTRAS, document_for, encode
from invoices.models import (
    AllowanceCharge,
    Article,
    Customer,
    Invoice,
    InvoiceAttachment,
    InvoiceLine,
    NumberSeries,
)
from invoices.validation import Report, validate_document
from invoices.xmlsafe import MAX_BYTES, parse_untrusted

MAX_IMPORT_BYTES = MAX_BYTES


@dataclass
class LineInput:
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    vat_category: str = "S"
    vat_rate: Decimal = Decimal("25")
    article_number: str = ""
    discount_amount: Decimal = Decimal("0")
    exemption_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AllowanceInput:
    reason: str
    amount: Decimal
    is_charge: bool = False
    vat_category: str = "S"
    vat_rate: Decimal = Decimal("25")


@dataclass
class InvoiceInput:
    customer: Customer
    issue_date: date
    due_date: date
    lines: list[LineInput]
    currency: str = "SEK"
    buyer_reference: str = ""
    order_reference: str = ""
    notes: str = ""
    allowances: list[AllowanceInput] = field(default_factory=list)


# --- Customers and articles ---------------------------------------------------------------


@transaction.atomic
def customer_save(*, organisation: Organisation, user: Any, customer: Customer) -> Customer:
    """Create or update a customer of the organisation."""
    customer.organisation = organisation
    created = customer.pk is None
    customer.full_clean()
    customer.save()
    audit_event_record(
        action="customer.created" if created else "customer.updated",
        actor=user,
        organisation=organisation,
        obj=customer,
        data={"name": customer.name},
    )
    return customer


@transaction.atomic
def customer_delete(*, user: Any, customer: Customer) -> None:
    """Delete a customer that has no invoices."""
    if customer.invoices.exists():
        raise errors.CustomerInUse
    audit_event_record(
        action="customer.deleted",
        actor=user,
        organisation=customer.organisation,
        obj=customer,
        data={"name": customer.name},
    )
    customer.delete()


@transaction.atomic
def article_save(*, organisation: Organisation, user: Any, article: Article) -> Article:
    """Create or update an article (Web Plus)."""
    if organisation.plan != Plan.PLUS:
        raise errors.ArticlesNeedPlus
    article.organisation = organisation
    article.full_clean()
    article.save()
    audit_event_record(
        action="article.saved",
        actor=user,
        organisation=organisation,
        obj=article,
        data={"number": article.number},
    )
    return article


# --- Drafts -----------------------------------------------------------------------------------


def _write_rows(invoice: Invoice, data: InvoiceInput) -> None:
    invoice.lines.all().delete()
    invoice.allowances_charges.all().delete()
    for position, line in enumerate(data.lines, start=1):
        row = InvoiceLine(
            invoice=invoice,
            position=position,
            article_number=line.article_number,
            description=line.description,
            quantity=line.quantity,
            unit_code=line.unit_code,
            unit_price=line.unit_price,
            discount_amount=line.discount_amount,
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            exemption_reason=line.exemption_reason,
            extra=line.extra,
        )
        row.full_clean(exclude=["invoice"])
        row.save()
    for allowance in data.allowances:
        charge = AllowanceCharge(
            invoice=invoice,
            is_charge=allowance.is_charge,
            reason=allowance.reason,
            amount=allowance.amount,
            vat_category=allowance.vat_category,
            vat_rate=allowance.vat_rate,
        )
        charge.full_clean(exclude=["invoice"])
        charge.save()


def _apply(invoice: Invoice, data: InvoiceInput) -> None:
    for name in (
        "customer",
        "issue_date",
        "due_date",
        "currency",
        "buyer_reference",
        "order_reference",
        "notes",
    ):
        setattr(invoice, name, getattr(data, name))


def refresh_totals(invoice: Invoice) -> InvoiceDocument:
    """Recompute the stored totals from the lines; return the computed document."""
    document = document_for(invoice)
    invoice.total_excl_vat = document.totals.tax_exclusive
    invoice.total_vat = document.totals.tax_amount
    invoice.total_payable = document.totals.payable
    invoice.save(update_fields=["total_excl_vat", "total_vat", "total_payable", "updated_at"])
    return document


@transaction.atomic
def invoice_create(
    *,
    organisation: Organisation,
    user: Any,
    data: InvoiceInput,
    kind: str = Invoice.Kind.INVOICE,
    credited_invoice: Invoice | None = None,
) -> Invoice:
    """Save a new draft invoice or credit note."""
    invoice = Invoice(
        organisation=organisation, created_by=user, kind=kind, credited_invoice=credited_invoice
    )
    _apply(invoice, data)
    invoice.full_clean()
    invoice.save()
    _write_rows(invoice, data)
    refresh_totals(invoice)
    audit_event_record(
        action=f"{kind}.draft_created",
        actor=user,
        organisation=organisation,
        obj=invoice,
    )
    return invoice


def _lock_draft(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not locked.is_draft:
        raise errors.NotADraft
    return locked


@transaction.atomic
def invoice_update(*, invoice: Invoice, user: Any, data: InvoiceInput) -> Invoice:
    """Change a draft; issued invoices never change."""
    invoice = _lock_draft(invoice)
    _apply(invoice, data)
    invoice.full_clean()
    invoice.save()
    _write_rows(invoice, data)
    refresh_totals(invoice)
    audit_event_record(
        action=f"{invoice.kind}.draft_updated",
        actor=user,
        organisation=invoice.organisation,
        obj=invoice,
    )
    return invoice


@transaction.atomic
def invoice_delete(*, invoice: Invoice, user: Any) -> None:
    """Delete a draft (issued invoices are kept for good)."""
    invoice = _lock_draft(invoice)
    audit_event_record(
        action=f"{invoice.kind}.draft_deleted",
        actor=user,
        organisation=invoice.organisation,
        obj=invoice,
    )
    invoice.delete()


def input_from(invoice: Invoice) -> InvoiceInput:
    """Return an invoice's editable content, e.g. to copy or credit it."""
    return InvoiceInput(
        customer=invoice.customer,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        buyer_reference=invoice.buyer_reference,
        order_reference=invoice.order_reference,
        notes=invoice.notes,
        lines=[
            LineInput(
                description=row.description,
                quantity=row.quantity,
                unit_code=row.unit_code,
                unit_price=row.unit_price,
                vat_category=row.vat_category,
                vat_rate=row.vat_rate,
                article_number=row.article_number,
                discount_amount=row.discount_amount,
                exemption_reason=row.exemption_reason,
                extra=row.extra,
            )
            for row in invoice.lines.all()
        ],
        allowances=[
            AllowanceInput(
                reason=row.reason,
                amount=row.amount,
                is_charge=row.is_charge,
                vat_category=row.vat_category,
                vat_rate=row.vat_rate,
            )
            for row in invoice.allowances_charges.all()
        ],
    )


def _fresh_dates(data: InvoiceInput) -> InvoiceInput:
    today = timezone.localdate()
    data.due_date = today + (data.due_date - data.issue_date)
    data.issue_date = today
    return data


def invoice_copy(*, invoice: Invoice, user: Any) -> Invoice:
    """Start a new draft from any invoice, dated today."""
    return invoice_create(
        organisation=invoice.organisation,
        user=user,
        data=_fresh_dates(input_from(invoice)),
        kind=invoice.kind,
        credited_invoice=invoice.credited_invoice,
    )


def credit_note_create(*, invoice: Invoice, user: Any) -> Invoice:
    """Start a draft credit note that reverses an issued invoice in full (editable)."""
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED:
        raise errors.NotCreditable
    data = _fresh_dates(input_from(invoice))
    data.due_date = data.issue_date
    return invoice_create(
        organisation=invoice.organisation,
        user=user,
        data=data,
        kind=Invoice.Kind.CREDIT_NOTE,
        credited_invoice=invoice,
    )


# --- Validation and issuing --------------------------------------------------------------------


def invoice_ubl(invoice: Invoice) -> bytes:
    """Return the invoice's UBL: frozen for issued invoices, generated for drafts."""
    if invoice.ubl_xml is not None:
        return bytes(invoice.ubl_xml)
    return ubl.build(document_for(invoice))


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    """Return what the invoice says: read back from the frozen UBL once issued."""
    if invoice.ubl_xml is not None:
        return ubl.parse(parse_untrusted(bytes(invoice.ubl_xml)))
    return document_for(invoice)


def invoice_validate(invoice: Invoice) -> Report:
    """Validate the invoice as it would be issued (all three layers)."""
    return validate_document(invoice_ubl(invoice))


def _take_number(organisation: Organisation) -> str:
    try:
        with transaction.atomic():
            NumberSeries.objects.get_or_create(organisation=organisation)
    except IntegrityError:
        pass  # created by a concurrent first invoice; the row exists now
    series = NumberSeries.objects.select_for_update().get(organisation=organisation)
    number = f"{series.prefix}{series.next_number}"
    series.next_number += 1
    series.save(update_fields=["next_number"])
    return number


@transaction.atomic
def invoice_issue(*, invoice: Invoice, user: Any) -> Invoice:
    """Give the draft its number and OCR, validate, and freeze it for good.

    The number is taken under the series lock in the same transaction as the
    validation, so an invalid invoice leaves no gap in the series.
    """
    invoice = _lock_draft(invoice)
    invoice.number = _take_number(invoice.organisation)
    invoice.payment_reference = totals.ocr_number(re.sub(r"\D", "", invoice.number) or "0")
    document = refresh_totals(invoice)
    xml = ubl.build(document)
    report = validate_document(xml)
    if not report.valid:
        transaction.set_rollback(True)
        raise errors.InvoiceInvalid(list(report.fatal))
    invoice.ubl_xml = xml
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    invoice.save()
    if invoice.credited_invoice_id is not None:
        Invoice.objects.filter(pk=invoice.credited_invoice_id).update(
            status=Invoice.Status.CREDITED
        )
    audit_event_record(
        action=f"{invoice.kind}.issued",
        actor=user,
        organisation=invoice.organisation,
        obj=invoice,
        data={"number": invoice.number, "payable": str(invoice.total_payable)},
    )
    return invoice


# --- Import ------------------------------------------------------------------------------------


def _customer_for(organisation: Organisation, document: InvoiceDocument, user: Any) -> Customer:
    buyer = document.buyer
    digits = buyer.legal_id or (buyer.endpoint_id if buyer.endpoint_scheme == "0007" else "")
    known = Customer.objects.for_org(organisation)
    match = None
    if len(digits) == 10 and digits.isdigit():
        match = known.filter(org_number=f"{digits[:6]}-{digits[6:]}").first()
    if match is None and buyer.vat_number:
        match = known.filter(vat_number=buyer.vat_number).first()
    if match is None:
        match = known.filter(name=buyer.name).first()
    if match is not None:
        return match
    customer = Customer(
        name=buyer.name,
        vat_number=buyer.vat_number[:20],
        email=buyer.contact_email,
        street_address=buyer.address.street,
        postal_code=buyer.address.postal_zone[:10],
        city=buyer.address.city,
        country_code=buyer.address.country or "SE",
        org_number=f"{digits[:6]}-{digits[6:]}" if buyer.legal_id_scheme == "0007" else "",
        peppol_id=f"{buyer.endpoint_scheme}:{buyer.endpoint_id}" if buyer.endpoint_id else "",
    )
    try:
        return customer_save(organisation=organisation, user=user, customer=customer)
    except Exception:
        customer.org_number = ""
        return customer_save(organisation=organisation, user=user, customer=customer)


def _input_from_document(document: InvoiceDocument, customer: Customer) -> InvoiceInput:
    return InvoiceInput(
        customer=customer,
        issue_date=document.issue_date,
        due_date=document.due_date or document.issue_date + timedelta(days=30),
        currency=document.currency,
        buyer_reference=document.buyer_reference,
        order_reference=document.order_reference,
        notes="\n".join(document.notes),
        lines=[_line_input(line) for line in document.lines],
        allowances=[
            AllowanceInput(
                reason=item.reason or item.reason_code,
                amount=item.amount,
                is_charge=item.is_charge,
                vat_category=item.vat_category,
                vat_rate=item.vat_rate if item.vat_rate is not None else Decimal("0"),
            )
            for item in document.allowances_charges
        ],
    )


def _line_input(line: Any) -> LineInput:
    discount = sum(
        (item.amount for item in line.allowances_charges if not item.is_charge), Decimal("0")
    )
    return LineInput(
        description=line.name,
        quantity=line.quantity,
        unit_code=line.unit_code,
        unit_price=line.net_price,
        vat_category=line.vat_category,
        vat_rate=line.vat_rate if line.vat_rate is not None else Decimal("0"),
        article_number=line.seller_item_id,
        discount_amount=discount,
        extra={
            name: encode(getattr(line, name))
            for name in LINE_EXTRAS
            if getattr(line, name) not in (None, "", [])
        },
    )


def _document_extras(document: InvoiceDocument) -> dict[str, Any]:
    extra = {
        name: encode(getattr(document, name))
        for name in DOCUMENT_EXTRAS
        if getattr(document, name) not in (None, "")
    }
    for name in ("payee", "delivery"):
        if getattr(document, name) is not None:
            extra[name] = encode(getattr(document, name))
    if document.payment_terms:
        extra["payment_terms"] = document.payment_terms
    if document.preceding_invoices:
        extra["preceding"] = encode(document.preceding_invoices)
    return extra


@transaction.atomic
def invoice_import(*, organisation: Organisation, user: Any, data: bytes) -> Invoice:
    """Import a UBL Invoice or CreditNote as a draft of the organisation.

    The file must pass all validation layers first; a rejected file stores nothing.
    The organisation becomes the seller: it is the one that will send the invoice.
    """
    report = validate_document(data)
    if not report.valid:
        raise errors.ImportRejected(list(report.fatal))
    document = ubl.parse(parse_untrusted(data))
    customer = _customer_for(organisation, document, user)
    kind = Invoice.Kind.CREDIT_NOTE if document.kind == "credit_note" else Invoice.Kind.INVOICE
    invoice = invoice_create(
        organisation=organisation,
        user=user,
        data=_input_from_document(document, customer),
        kind=kind,
    )
    invoice.source = Invoice.Source.IMPORT
    invoice.extra = _document_extras(document)
    invoice.prepaid_amount = document.totals.prepaid
    invoice.rounding_amount = document.totals.rounding
    invoice.save(update_fields=["source", "extra", "prepaid_amount", "rounding_amount"])
    for item in document.attachments:
        if item.content:
            InvoiceAttachment.objects.create(
                invoice=invoice,
                filename=item.filename or f"{item.id}",
                description=item.description,
                mime_type=item.mime_type,
                content=item.content,
                size=len(item.content),
            )
    refresh_totals(invoice)
    audit_event_record(
        action=f"{kind}.imported",
        actor=user,
        organisation=organisation,
        obj=invoice,
        data={"number_in_file": document.number, "seller_in_file": document.seller.name},
    )
    return invoice
