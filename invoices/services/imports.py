"""Import: a validated UBL Invoice or CreditNote becomes a draft of the organisation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.services import audit_event_record
from invoices import errors, ubl
from invoices.document import AllowanceCharge, InvoiceDocument, Line, Party
from invoices.findings import Finding, Layer, Severity
from invoices.mapping import DOCUMENT_EXTRAS, LINE_EXTRAS, encode
from invoices.models import Customer, Invoice, RateSource
from invoices.services.attachments import attachment_add
from invoices.services.drafts import invoice_create, refresh_totals
from invoices.services.inputs import AllowanceInput, InvoiceInput, LineInput
from invoices.services.registers import customer_save
from invoices.validation import validate_document
from invoices.xmlsafe import MAX_BYTES, parse_untrusted
from portal.files import safe_filename

MAX_IMPORT_BYTES = MAX_BYTES
RATE_PLACES = Decimal("0.0000000001")


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
    # An e-mail endpoint (EAS "EM") is where invoices go by e-mail, not a PEPPOL participant.
    by_email = buyer.endpoint_scheme == "EM"
    customer = Customer(
        name=buyer.name,
        vat_number=buyer.vat_number[:20],
        email=buyer.endpoint_id if by_email else buyer.contact_email,
        street_address=buyer.address.street,
        postal_code=buyer.address.postal_zone[:10],
        city=buyer.address.city,
        country_code=buyer.address.country or "SE",
        org_number=f"{digits[:6]}-{digits[6:]}" if buyer.legal_id_scheme == "0007" else "",
        peppol_id=(
            f"{buyer.endpoint_scheme}:{buyer.endpoint_id}"
            if buyer.endpoint_id and not by_email
            else ""
        ),
    )
    try:
        return customer_save(organisation=organisation, user=user, customer=customer)
    except Exception:
        customer.org_number = ""
        return customer_save(organisation=organisation, user=user, customer=customer)


def _input_from_document(document: InvoiceDocument, customer: Customer) -> InvoiceInput:
    reasons = {
        group.category: (group.exemption_reason, group.exemption_reason_code)
        for group in document.vat_breakdown
    }
    return InvoiceInput(
        customer=customer,
        issue_date=document.issue_date,
        due_date=document.due_date,
        currency=document.currency,
        buyer_reference=document.buyer_reference,
        order_reference=document.order_reference,
        notes="\n".join(document.notes),
        delivery_date=document.delivery.date if document.delivery else None,
        period_start=document.period_start,
        period_end=document.period_end,
        lines=[_line_input(line, reasons) for line in document.lines],
        allowances=[_allowance_input(item) for item in document.allowances_charges],
    )


def _allowance_input(item: AllowanceCharge) -> AllowanceInput:
    # A negative charge (the official correction example has one) is an allowance of the
    # same size: the portal keeps amounts positive, and the totals come out the same.
    return AllowanceInput(
        reason=item.reason or item.reason_code,
        amount=abs(item.amount),
        is_charge=item.is_charge == (item.amount >= 0),
        vat_category=item.vat_category,
        vat_rate=item.vat_rate if item.vat_rate is not None else Decimal("0"),
    )


def _line_input(line: Any, reasons: dict[str, tuple[str, str]]) -> LineInput:
    discount = sum(
        (item.amount for item in line.allowances_charges if not item.is_charge), Decimal("0")
    )
    # UBL states why no VAT is charged per category, in the breakdown; the portal per line.
    exemption_reason, exemption_code = reasons.get(line.vat_category, ("", ""))
    return LineInput(
        exemption_reason=exemption_reason[:200],
        exemption_reason_code=exemption_code[:30],
        description=line.name,
        quantity=line.quantity,
        unit_code=line.unit_code,
        unit_price=line.net_price,
        vat_category=line.vat_category,
        vat_rate=line.vat_rate if line.vat_rate is not None else Decimal("0"),
        article_number=line.seller_item_id,
        discount_amount=discount,
        extra=_line_extras(line),
    )


def _line_extras(line: Line) -> dict[str, Any]:
    extra = {
        name: encode(getattr(line, name))
        for name in LINE_EXTRAS
        if getattr(line, name) not in (None, "", [])
    }
    charges = [item for item in line.allowances_charges if item.is_charge]
    if charges:
        # The line's net amount (BT-131) includes them; the draft's lines carry only a discount.
        extra["charges"] = encode(charges)
    return extra


def _document_extras(document: InvoiceDocument) -> dict[str, Any]:
    extra = {
        name: encode(getattr(document, name))
        for name in DOCUMENT_EXTRAS
        if getattr(document, name) not in (None, "")
    }
    if document.payee is not None:
        extra["payee"] = encode(document.payee)
    if document.delivery is not None:
        # The date of supply has its own field; the rest of the delivery travels here.
        extra["delivery"] = {**encode(document.delivery), "date": None}
    if document.payment_terms:
        extra["payment_terms"] = document.payment_terms
    if document.preceding_invoices:
        extra["preceding"] = encode(document.preceding_invoices)
    return extra


def _keep_vat_in_sek(invoice: Invoice, document: InvoiceDocument) -> None:
    """Keep the VAT in SEK the file states, as the rate it implies (source "import")."""
    in_sek = document.totals.tax_amount_in_tax_currency
    if document.currency == "SEK" or document.tax_currency != "SEK" or in_sek is None:
        return
    invoice.vat_in_sek = in_sek
    if document.totals.tax_amount:
        # Ten decimals: the VAT times this rate gives the file's SEK amount back to the öre.
        invoice.exchange_rate = (in_sek / document.totals.tax_amount).quantize(RATE_PLACES)
        invoice.exchange_rate_date = document.issue_date
        invoice.exchange_rate_source = RateSource.IMPORT


def _attach_embedded(invoice: Invoice, document: InvoiceDocument, user: Any) -> None:
    """Add the files embedded in the UBL as if uploaded; refuse the import if any fails.

    Their declared mimeCode and filename are the sender's claims: attachment_add sniffs
    the type, applies the sizes and makes the name safe, as for an upload.
    """
    findings = []
    for item in document.attachments:
        if not item.content:
            continue
        try:
            attachment_add(
                invoice=invoice,
                user=user,
                filename=item.filename or item.id,
                content=item.content,
                description=item.description,
            )
        except errors.AttachmentRejected as error:
            findings.append(_attachment_finding(document, item.filename or item.id, error.reason))
    if findings:
        raise errors.ImportRejected(findings)  # the caller's transaction stores nothing


def _attachment_finding(document: InvoiceDocument, filename: str, reason: Any) -> Finding:
    def say() -> str:
        return _("Attachment “%(name)s”: %(reason)s") % {
            "name": safe_filename(filename),
            "reason": reason,
        }

    return _portal_finding(document, "ATTACHMENT", say, "cac:AdditionalDocumentReference")


def _portal_finding(
    document: InvoiceDocument, rule: str, say: Callable[[], str], element: str
) -> Finding:
    """Return a fatal finding of what the portal stores, said in Swedish and in English."""
    root = "CreditNote" if document.kind == "credit_note" else "Invoice"

    def said_in(language: str) -> str:
        with translation.override(language):
            return say()

    return Finding(
        rule=rule,
        severity=Severity.FATAL,
        message_en=said_in("en"),
        message_sv=said_in("sv"),
        location=f"/{root}/{element}",
        layer=Layer.PORTAL,
    )


def draft_blocking(findings: Iterable[Finding]) -> list[Finding]:
    """Return the fatal findings that keep a draft from being stored.

    The Swedish law's rules are the draft's to meet before it is issued, not the file's or
    the request's: the organisation becomes the seller, the rate of a foreign currency is
    fetched after the commit, and issuing validates everything again.
    """
    return [
        finding
        for finding in findings
        if finding.is_fatal and not finding.rule.startswith("SE-LAW-")
    ]


def is_own_seller(organisation: Organisation, seller: Party) -> bool:
    """Whether the file's seller is the organisation: its org number, endpoint or VAT number."""
    digits = organisation.org_number.replace("-", "")
    numbers = {
        seller.legal_id.replace("-", "") if seller.legal_id_scheme in ("", "0007") else "",
        seller.endpoint_id.replace("-", "") if seller.endpoint_scheme == "0007" else "",
    }
    vat_number = seller.vat_number.replace(" ", "").upper()
    return digits in numbers or (
        bool(vat_number) and vat_number == organisation.vat_number.replace(" ", "").upper()
    )


def _keep_number(invoice: Invoice, document: InvoiceDocument) -> None:
    """Give the draft the file's own number, unique in the organisation (issuing keeps it)."""
    number = document.number.strip()
    limit = Invoice._meta.get_field("number").max_length or 30
    if len(number) > limit:

        def say() -> str:
            return _("The invoice number may be at most %(limit)s characters.") % {"limit": limit}

        raise errors.ImportRejected([_portal_finding(document, "NUMBER", say, "cbc:ID")])
    others = Invoice.objects.for_org(invoice.organisation).exclude(pk=invoice.pk)
    if others.filter(number=number).exists():
        raise errors.NumberTaken(number)
    invoice.number = number
    try:
        with transaction.atomic():  # a concurrent import of the same number loses here
            invoice.save(update_fields=["number"])
    except IntegrityError:
        raise errors.NumberTaken(number) from None


@transaction.atomic
def invoice_import(
    *,
    organisation: Organisation,
    user: Any,
    data: bytes,
    source: str = Invoice.Source.IMPORT,
    keep_number: bool = False,
) -> Invoice:
    """Import a UBL Invoice or CreditNote as a draft of the organisation.

    The file must pass all validation layers first; a rejected file stores nothing.
    The organisation becomes the seller: it is the one that will send the invoice.
    With `keep_number` (an ERP's own invoice, over the API) the file's seller must already
    be the organisation, and the draft keeps the file's number.
    """
    report = validate_document(data)
    # The preview asks for what the law's rules miss (a board seat, a rate): see draft_blocking.
    fatal = draft_blocking(report.fatal)
    if fatal:
        raise errors.ImportRejected(fatal)
    document = ubl.parse(parse_untrusted(data))
    if keep_number and not is_own_seller(organisation, document.seller):
        raise errors.SellerMismatch
    customer = _customer_for(organisation, document, user)
    kind = Invoice.Kind.CREDIT_NOTE if document.kind == "credit_note" else Invoice.Kind.INVOICE
    invoice = invoice_create(
        organisation=organisation,
        user=user,
        data=_input_from_document(document, customer),
        kind=kind,
    )
    invoice.source = source
    invoice.extra = _document_extras(document)
    invoice.prepaid_amount = document.totals.prepaid
    invoice.rounding_amount = document.totals.rounding
    _keep_vat_in_sek(invoice, document)
    invoice.save(
        update_fields=[
            "source",
            "extra",
            "prepaid_amount",
            "rounding_amount",
            "vat_in_sek",
            "exchange_rate",
            "exchange_rate_date",
            "exchange_rate_source",
        ]
    )
    if keep_number:
        _keep_number(invoice, document)
    _attach_embedded(invoice, document, user)
    refresh_totals(invoice)
    audit_event_record(
        action=f"{kind}.imported",
        actor=user,
        organisation=organisation,
        obj=invoice,
        data={"number_in_file": document.number, "seller_in_file": document.seller.name},
    )
    return invoice
