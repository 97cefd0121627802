"""Translate between the invoice models and the pure document model.

`document_for(invoice)` is what every output (UBL, PDF, validation, preview) starts
from; `lines_from_document` and friends are the import's way back. Extras the portal
does not edit travel in the models' `extra` JSON, so an import loses nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import Organisation
from invoices import totals
from invoices.document import (
    Address,
    AllowanceCharge,
    Attachment,
    Delivery,
    DocumentKind,
    InvoiceDocument,
    Line,
    Party,
    PaymentMeans,
    TaxExchange,
)
from invoices.exemptions import REVERSE_CHARGE_EN, REVERSE_CHARGE_SV
from invoices.messages import net_terms
from invoices.models import AllowanceCharge as AllowanceChargeRow
from invoices.models import Customer, Invoice, InvoiceLine

F_SKATT_TEXT = "Godkänd för F-skatt"
# Document fields kept in Invoice.extra: scalar references and dates.
DOCUMENT_EXTRAS = (
    "contract_reference",
    "project_reference",
    "sales_order_reference",
    "despatch_reference",
    "receiving_reference",
    "accounting_cost",
    "tax_point_date",
    "type_code",
)
LINE_EXTRAS = (
    "note",
    "base_quantity",
    "gross_price",
    "price_discount",
    "buyer_item_id",
    "standard_item_id",
    "standard_item_scheme",
    "classification",
    "origin_country",
    "properties",
    "order_line_reference",
    "accounting_cost",
    "period_start",
    "period_end",
)


def seller_party(organisation: Organisation) -> Party:
    """Return the organisation as the seller, identified by its org number (scheme 0007)."""
    digits = organisation.org_number.replace("-", "")
    return Party(
        name=organisation.legal_name,
        endpoint_id=digits,
        endpoint_scheme="0007",
        legal_id=digits,
        legal_id_scheme="0007",
        vat_number=organisation.vat_number,
        tax_registration=F_SKATT_TEXT if organisation.has_f_skatt else "",
        legal_form=board_seat_text(organisation),
        address=Address(
            street=organisation.street_address,
            city=organisation.city,
            postal_zone=organisation.postal_code,
            country=organisation.country_code,
        ),
        contact_email=organisation.contact_email,
    )


def board_seat_text(organisation: Organisation) -> str:
    """Return BT-33 for the seller: an aktiebolag's board seat (ABL 28 kap. 1 §), or ""."""
    if not organisation.registered_office:
        return ""
    return f"Styrelsens säte: {organisation.registered_office}"


def buyer_party(customer: Customer) -> Party:
    """Return the customer as the buyer, with the identifiers PEPPOL routing uses."""
    digits = customer.org_number.replace("-", "")
    scheme, _sep, endpoint = customer.peppol_id.partition(":")
    if not endpoint and digits:
        scheme, endpoint = "0007", digits
    if not endpoint and customer.gln:
        scheme, endpoint = "0088", customer.gln
    if not endpoint and customer.email:
        # A buyer abroad with no PEPPOL id is reached by e-mail: EAS "EM" keeps the
        # electronic address (BT-49, PEPPOL-EN16931-R010) that every invoice needs.
        scheme, endpoint = "EM", customer.email
    return Party(
        name=customer.name,
        endpoint_id=endpoint,
        endpoint_scheme=scheme if endpoint else "",
        legal_id=digits,
        legal_id_scheme="0007" if digits and customer.country_code == "SE" else "",
        vat_number=customer.vat_number,
        address=Address(
            street=customer.street_address,
            city=customer.city,
            postal_zone=customer.postal_code,
            country=customer.country_code,
        ),
        contact_email=customer.email,
    )


def payment_means_for(
    organisation: Organisation, reference: str, *, international: bool = False
) -> list[PaymentMeans]:
    """Return how to pay the organisation, Bankgiro first (what Swedish payers expect).

    The IBAN (with the BIC) is for payers who cannot use the Swedish giro systems: an
    invoice in another currency or to a buyer abroad, or a seller with no giro account.
    """
    means = []
    if organisation.bankgiro:
        means.append(totals.bankgiro_payment_means(organisation.bankgiro, reference))
    if organisation.plusgiro:
        means.append(totals.plusgiro_payment_means(organisation.plusgiro, reference))
    if organisation.iban and (international or not means):
        means.append(totals.iban_payment_means(organisation.iban, organisation.bic, reference))
    return means


def _line(row: InvoiceLine) -> Line:
    extra = _decode(row.extra)
    allowances = []
    if row.discount_amount:
        allowances.append(
            AllowanceCharge(
                is_charge=False, amount=row.discount_amount, reason="Rabatt", reason_code="95"
            )
        )
    # An imported line's charges (BG-28): the form has no field for them, the amounts need them.
    allowances += [AllowanceCharge(**charge) for charge in extra.pop("charges", [])]
    return Line(
        id=str(row.position),
        name=row.description,
        quantity=row.quantity,
        unit_code=row.unit_code,
        net_price=row.unit_price,
        vat_category=row.vat_category,
        vat_rate=None if row.vat_category == "O" else row.vat_rate,
        seller_item_id=row.article_number,
        allowances_charges=allowances,
        **extra,
    )


def _allowance(row: AllowanceChargeRow) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=row.is_charge,
        amount=row.amount,
        reason=row.reason,
        vat_category=row.vat_category,
        vat_rate=None if row.vat_category == "O" else row.vat_rate,
    )


def document_for(invoice: Invoice) -> InvoiceDocument:
    """Return the invoice as a document with its amounts computed (EN 16931)."""
    extra = _decode(invoice.extra)
    rows = list(invoice.lines.all())
    # Kept from an import as structures (or read by _preceding), not as document fields.
    structured = {
        key: extra.pop(key)
        for key in ("payee", "delivery", "payment_terms", "preceding")
        if key in extra
    }
    document = InvoiceDocument(
        kind=DocumentKind.CREDIT_NOTE
        if invoice.kind == Invoice.Kind.CREDIT_NOTE
        else DocumentKind.INVOICE,
        number=invoice.number or f"UTKAST-{invoice.pk}",
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        seller=seller_party(invoice.organisation),
        buyer=buyer_party(invoice.customer),
        lines=[_line(row) for row in rows],
        # The customer's fixed "your reference" applies when the invoice names none.
        buyer_reference=invoice.buyer_reference or invoice.customer.your_reference,
        order_reference=invoice.order_reference,
        notes=[invoice.notes] if invoice.notes else [],
        payment_means=payment_means_for(
            invoice.organisation,
            invoice.payment_reference,
            international=invoice.currency != "SEK" or invoice.customer.country_code != "SE",
        ),
        # The document's language is the portal's; the page shows its reader's (presentation).
        payment_terms=structured.get("payment_terms") or net_terms(invoice).in_portal_language(),
        allowances_charges=[_allowance(row) for row in invoice.allowances_charges.all()],
        attachments=[
            Attachment(
                id=str(index),
                description=row.description,
                filename=row.filename,
                mime_type=row.mime_type,
                content=bytes(row.content),
            )
            for index, row in enumerate(invoice.attachments.all(), start=1)
        ],
        preceding_invoices=_preceding(invoice),
        payee=_party(structured.get("payee")),
        delivery=_delivery(structured.get("delivery"), invoice.delivery_date),
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        **extra,
    )
    if document.kind == DocumentKind.CREDIT_NOTE and not document.payment_means:
        # A UBL CreditNote carries its due date only inside PaymentMeans.
        document.due_date = None
    document.totals.prepaid = invoice.prepaid_amount
    document.totals.rounding = invoice.rounding_amount
    document = totals.compute(document)
    _explain_exemptions(document, rows)
    _state_vat_in_sek(document, invoice)
    return document


def tax_exchange_for(invoice: Invoice) -> TaxExchange | None:
    """Return the rate the invoice's VAT in SEK is computed with, if it has one."""
    if invoice.exchange_rate is None or invoice.exchange_rate_date is None:
        return None
    return TaxExchange(
        rate=invoice.exchange_rate,
        rate_date=invoice.exchange_rate_date,
        source=invoice.exchange_rate_source,
    )


def _state_vat_in_sek(document: InvoiceDocument, invoice: Invoice) -> None:
    """Add the VAT in SEK (BT-6, BT-111) to an invoice in another currency.

    Without a rate nothing is added, and the Swedish rules (SE-LAW-VAT-IN-SEK) ask for one;
    a VAT of zero is zero kronor whatever the rate.
    """
    if invoice.currency == "SEK":
        return
    exchange = tax_exchange_for(invoice)
    if exchange is not None:
        amount = totals.round_amount(document.totals.tax_amount * exchange.rate)
    elif invoice.vat_in_sek is not None:
        amount = invoice.vat_in_sek
    elif document.totals.tax_amount == 0:
        amount = Decimal("0.00")
    else:
        return
    document.tax_currency = "SEK"
    document.totals.tax_amount_in_tax_currency = amount
    document.tax_exchange = exchange


# EN 16931 wants a reason wherever no VAT is charged (BR-E-10, BR-AE-10, ...); these are
# the usual Swedish wordings with their VATEX codes, used when the lines give none. An
# exempt line without its provision gets the bare wording, which SE-LAW-EXEMPT-REFERENCE
# flags: the law wants the provision named.
EXEMPTION_DEFAULTS = {
    "E": ("Undantagen från skatteplikt", ""),
    "AE": (REVERSE_CHARGE_SV, "VATEX-EU-AE"),
    "K": ("Unionsintern leverans", "VATEX-EU-IC"),
    "G": ("Export utanför EU", "VATEX-EU-G"),
    "O": ("Ej föremål för mervärdesskatt", "VATEX-EU-O"),
}


def _explain_exemptions(document: InvoiceDocument, rows: list[InvoiceLine]) -> None:
    reasons = {
        row.vat_category: (row.exemption_reason, row.exemption_reason_code)
        for row in rows
        if row.exemption_reason or row.exemption_reason_code
    }
    abroad = document.buyer.address.country not in ("", "SE")
    for group in document.vat_breakdown:
        if group.category not in EXEMPTION_DEFAULTS or group.exemption_reason:
            continue
        default_text, default_code = EXEMPTION_DEFAULTS[group.category]
        text, code = reasons.get(group.category, ("", ""))
        if group.category == "AE" and not text and abroad:
            default_text = f"{REVERSE_CHARGE_SV} / {REVERSE_CHARGE_EN}"  # the buyer reads English
        group.exemption_reason = text or default_text
        group.exemption_reason_code = code or group.exemption_reason_code or default_code


def _preceding(invoice: Invoice) -> list[tuple[str, date | None]]:
    credited = invoice.credited_invoice
    if credited is not None:
        return [(credited.number, credited.issue_date)]
    return [(number, _date(issued)) for number, issued in invoice.extra.get("preceding", [])]


# --- JSON (de)serialisation of the extras -----------------------------------------------------


def encode(value: Any) -> Any:
    """Return a JSON-safe copy: Decimal and date become strings, dataclasses dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: encode(item) for key, item in dataclasses.asdict(value).items()}
    if isinstance(value, Decimal | date):
        return {"$": type(value).__name__, "v": str(value)}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$", "v"}:
        return Decimal(value["v"]) if value["$"] == "Decimal" else date.fromisoformat(value["v"])
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _date(value: Any) -> date | None:
    decoded = _decode(value)
    return decoded if isinstance(decoded, date) else None


def _party(data: dict[str, Any] | None) -> Party | None:
    if not data:
        return None
    data = dict(data)
    address = Address(**data.pop("address", {}))
    identifiers = [tuple(item) for item in data.pop("identifiers", [])]
    return Party(address=address, identifiers=identifiers, **data)


def _delivery(data: dict[str, Any] | None, on: date | None) -> Delivery | None:
    """Return the delivery an import kept, with the date of supply the invoice states."""
    if not data and on is None:
        return None
    data = dict(data or {})
    data.pop("date", None)  # the date of supply is the invoice's own field
    address = data.pop("address", None)
    return Delivery(date=on, address=Address(**address) if address else None, **data)
