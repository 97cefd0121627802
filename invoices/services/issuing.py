"""Issuing: validate, take the next number under a lock, and freeze the UBL for good."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import Organisation
from accounts.services import audit_event_record
from invoices import errors, totals, ubl
from invoices.document import InvoiceDocument
from invoices.mapping import document_for, tax_exchange_for
from invoices.models import Invoice, NumberSeries
from invoices.services.drafts import lock_draft, set_totals
from invoices.validation import Report, validate_document
from invoices.xmlsafe import parse_untrusted


def invoice_ubl(invoice: Invoice) -> bytes:
    """Return the invoice's UBL: frozen for issued invoices, generated for drafts."""
    if invoice.ubl_xml is not None:
        return bytes(invoice.ubl_xml)
    return ubl.build(document_for(invoice))


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    """Return what the invoice says: read back from the frozen UBL once issued."""
    if invoice.ubl_xml is not None:
        document = ubl.parse(parse_untrusted(bytes(invoice.ubl_xml)))
        # The rate is no UBL element (see TaxExchange): it was frozen on the invoice at issue.
        document.tax_exchange = tax_exchange_for(invoice)
        return document
    return document_for(invoice)


def invoice_validate(invoice: Invoice) -> Report:
    """Validate the invoice as it would be issued (all three layers)."""
    return validate_document(invoice_ubl(invoice))


def _locked_series(organisation: Organisation) -> QuerySet[NumberSeries]:
    # Whether the next number is taken already (by an ERP's own number, kept from its UBL)
    # comes with the lock, in the same query: the series steps past it only when it is.
    next_number = Concat(
        OuterRef("prefix"), Cast(OuterRef("next_number"), output_field=CharField())
    )
    taken = Invoice.objects.filter(organisation=OuterRef("organisation"), number=next_number)
    return (
        NumberSeries.objects.select_for_update()
        .filter(organisation=organisation)
        .annotate(next_is_taken=Exists(taken))
    )


def _take_number(organisation: Organisation) -> str:
    series = _locked_series(organisation).first()
    if series is None:
        try:
            with transaction.atomic():
                NumberSeries.objects.create(organisation=organisation)
        except IntegrityError:
            pass  # created by a concurrent first invoice; the row exists now
        series = _locked_series(organisation).get()
    if series.next_is_taken:  # type: ignore[attr-defined]  # the annotation above
        numbers = Invoice.objects.filter(organisation=organisation)
        while numbers.filter(number=f"{series.prefix}{series.next_number}").exists():
            series.next_number += 1
    number = f"{series.prefix}{series.next_number}"
    series.next_number += 1
    series.save(update_fields=["next_number"])
    return number


@transaction.atomic
def invoice_issue(*, invoice: Invoice, user: Any) -> Invoice:
    """Give the draft its number and OCR, validate, and freeze it for good."""
    invoice = lock_draft(invoice)
    issue_locked_draft(invoice, user)
    invoice.save()
    return invoice


def issue_locked_draft(invoice: Invoice, user: Any) -> None:
    """Number, total, build and validate a draft the caller has locked; the caller saves it.

    Runs in the caller's transaction. The number is taken under the series lock in the same
    transaction as the validation, so an invalid invoice leaves no gap in the series.
    A draft that already has a number (an ERP's own, from a UBL sent over the API) keeps it.
    """
    if not invoice.number:
        invoice.number = _take_number(invoice.organisation)
    invoice.payment_reference = totals.ocr_number(re.sub(r"\D", "", invoice.number) or "0")
    document = document_for(invoice)
    set_totals(invoice, document)
    invoice.vat_in_sek = document.totals.tax_amount_in_tax_currency
    xml = ubl.build(document)
    report = validate_document(xml)
    if not report.valid:
        transaction.set_rollback(True)
        raise errors.InvoiceInvalid(list(report.fatal))
    invoice.ubl_xml = xml
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
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
