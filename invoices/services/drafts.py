"""Drafts: write, change, copy, delete, and start a credit note from an issued invoice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from accounts.services import audit_event_record
from invoices import errors
from invoices.document import InvoiceDocument
from invoices.mapping import document_for
from invoices.models import AllowanceCharge, Customer, Invoice, InvoiceLine, RateSource
from invoices.services.exchange import exchange_rate_refresh
from invoices.services.inputs import HEADER_FIELDS, AllowanceInput, InvoiceInput, LineInput
from portal.api.context import partner_key_in_use
from portal.prefetch import forget_related, remember_related

# Fields the services set, never user input: checking each exists would cost a query.
SERVICE_SET_FIELDS = [
    "organisation",
    "customer",
    "created_by",
    "created_by_partner_key",
    "credited_invoice",
]


def _write_rows(invoice: Invoice, data: InvoiceInput, *, fresh: bool = False) -> None:
    """Replace the draft's lines and document allowances (a new draft has none to remove)."""
    if not fresh:
        invoice.lines.all().delete()
        invoice.allowances_charges.all().delete()
    lines = []
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
            exemption_reason_code=line.exemption_reason_code,
            extra=line.extra,
        )
        row.full_clean(exclude=["invoice"])
        lines.append(row)
    InvoiceLine.objects.bulk_create(lines)
    charges = []
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
        charges.append(charge)
    AllowanceCharge.objects.bulk_create(charges)
    # The totals, the validation and the API's answer read these next: no need to ask.
    remember_related(invoice, "lines", lines)
    remember_related(invoice, "allowances_charges", charges)


def _forget_rows(invoice: Invoice) -> None:
    # The caller's instance: the rows are rewritten through a locked copy of the invoice.
    forget_related(invoice, "lines")
    forget_related(invoice, "allowances_charges")


def _apply(invoice: Invoice, data: InvoiceInput) -> None:
    currency_before = invoice.currency
    for name in HEADER_FIELDS:
        setattr(invoice, name, getattr(data, name))
    if invoice.due_date is None:
        terms = payment_terms_days(data.customer, seller=invoice.organisation)
        invoice.due_date = invoice.issue_date + timedelta(days=terms)
    _apply_exchange_rate(
        invoice, data.exchange_rate, currency_changed=currency_before != invoice.currency
    )


def _take_rate_of(invoice: Invoice, credited: Invoice) -> None:
    # A credit note reverses the VAT in SEK at the rate of the invoice it credits.
    if credited.currency == invoice.currency and credited.exchange_rate is not None:
        invoice.exchange_rate = credited.exchange_rate
        invoice.exchange_rate_date = credited.exchange_rate_date
        invoice.exchange_rate_source = credited.exchange_rate_source


def _refresh_rate_after_commit(invoice: Invoice) -> None:
    if invoice.currency != "SEK":
        invoice_id = invoice.pk
        transaction.on_commit(lambda: exchange_rate_refresh(invoice_id=invoice_id))


def payment_terms_days(customer: Customer, *, seller: Organisation) -> int:
    """Return the customer's payment terms, else its seller's default terms."""
    if customer.payment_terms_days is not None:
        return customer.payment_terms_days
    return int(seller.payment_terms_days)


def _apply_exchange_rate(
    invoice: Invoice, manual: Decimal | None, *, currency_changed: bool
) -> None:
    # A rate typed in by the seller stands as such; otherwise the provider's rate for the
    # invoice date is fetched after the commit (exchange_rate_refresh), outside the transaction.
    if manual is not None:
        invoice.exchange_rate = manual
        invoice.exchange_rate_date = invoice.issue_date
        invoice.exchange_rate_source = RateSource.MANUAL
    elif currency_changed or invoice.exchange_rate_source == RateSource.MANUAL:
        invoice.exchange_rate = invoice.exchange_rate_date = None
        invoice.exchange_rate_source = ""
        invoice.vat_in_sek = None


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
    source: str = Invoice.Source.PORTAL,
    external_id: str = "",
) -> Invoice:
    """Save a new draft invoice or credit note."""
    invoice = Invoice(
        organisation=organisation,
        created_by=user,
        # A partner acting for an organisation without members has no user: its key made it.
        created_by_partner_key=partner_key_in_use() if user is None else None,
        kind=kind,
        credited_invoice=credited_invoice,
        source=source,
        external_id=external_id,
    )
    _apply(invoice, data)
    if credited_invoice is not None and data.exchange_rate is None:
        _take_rate_of(invoice, credited_invoice)
    # A new draft has no number yet and a fresh public id; the database's unique
    # constraints still stand behind an external id used twice (IntegrityError).
    invoice.full_clean(
        exclude=SERVICE_SET_FIELDS, validate_unique=False, validate_constraints=False
    )
    invoice.save()
    _write_rows(invoice, data, fresh=True)
    refresh_totals(invoice)
    _refresh_rate_after_commit(invoice)
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
    _forget_rows(invoice)
    invoice = lock_draft(invoice)
    _apply(invoice, data)
    invoice.full_clean()
    invoice.save()
    _write_rows(invoice, data)
    refresh_totals(invoice)
    _refresh_rate_after_commit(invoice)
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
        delivery_date=invoice.delivery_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        exchange_rate=(
            invoice.exchange_rate if invoice.exchange_rate_source == RateSource.MANUAL else None
        ),
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
                exemption_reason_code=row.exemption_reason_code,
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
    if data.due_date is not None:
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
