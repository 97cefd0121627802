"""Drafts: write, change, copy, delete, and start a credit note from an issued invoice."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from accounts.services import audit_event_record
from invoices import errors
from invoices.document import InvoiceDocument
from invoices.mapping import document_for
from invoices.models import AllowanceCharge, Invoice, InvoiceLine
from invoices.services.inputs import HEADER_FIELDS, AllowanceInput, InvoiceInput, LineInput


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
    for name in HEADER_FIELDS:
        setattr(invoice, name, getattr(data, name))


def set_totals(invoice: Invoice, document: InvoiceDocument) -> None:
    """Copy the computed document's totals onto the invoice (not saved)."""
    invoice.total_excl_vat = document.totals.tax_exclusive
    invoice.total_vat = document.totals.tax_amount
    invoice.total_payable = document.totals.payable


def refresh_totals(invoice: Invoice) -> InvoiceDocument:
    """Recompute the stored totals from the lines; return the computed document."""
    document = document_for(invoice)
    set_totals(invoice, document)
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


def invoice_lock(invoice: Invoice) -> Invoice:
    """Lock the invoice row (not its seller's or buyer's) and read it, with both, afresh."""
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("organisation", "customer")
        .defer("organisation__logo")  # up to 512 KB that only the PDF reads
        .get(pk=invoice.pk)
    )


def lock_draft(invoice: Invoice) -> Invoice:
    """Lock the invoice row for a change; only drafts may change."""
    locked = invoice_lock(invoice)
    if not locked.is_draft:
        raise errors.NotADraft
    return locked


@transaction.atomic
def invoice_update(*, invoice: Invoice, user: Any, data: InvoiceInput) -> Invoice:
    """Change a draft; issued invoices never change."""
    invoice = lock_draft(invoice)
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
    invoice = lock_draft(invoice)
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
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status in (
        Invoice.Status.DRAFT,
        Invoice.Status.CREDITED,
    ):
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
