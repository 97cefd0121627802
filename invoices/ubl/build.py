"""Write an `InvoiceDocument` as a PEPPOL BIS Billing 3.0 UBL 2.1 Invoice or CreditNote.

Every field of `invoices.document` goes out in the UBL schema's element order, so that
`parse(build(doc)) == doc`. Where Invoice and CreditNote differ (where BT-9 and BT-11
live, the order of the header), the `Flavour` decides.
"""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

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
    VatBreakdown,
)

from .names import (
    CREDIT_NOTE,
    FLAVOURS,
    FORBIDDEN_SCHEME,
    INVOICE,
    NO_ORDER_ID,
    NS_CAC,
    NS_CBC,
    PROJECT_DOCUMENT_TYPE,
    TAX_SCHEME,
    VAT_SCHEME,
    Attr,
    Cac,
    Cbc,
    Element,
    Flavour,
    UblError,
)
from .write import add_amount, opt, opt_date, org_id, plain_number, sub


def build(document: InvoiceDocument) -> bytes:
    """Return the document as PEPPOL BIS Billing 3.0 UBL, pretty-printed UTF-8."""
    _check(document)
    flavour = FLAVOURS[document.kind]
    nsmap: dict[Any, str] = {None: flavour.namespace, "cac": NS_CAC, "cbc": NS_CBC}
    root = etree.Element(flavour.root, nsmap=nsmap)
    _build_header(root, document, flavour)
    _build_references(root, document, flavour)
    _build_party(sub(sub(root, Cac.ACCOUNTING_SUPPLIER_PARTY), Cac.PARTY), document.seller)
    _build_party(sub(sub(root, Cac.ACCOUNTING_CUSTOMER_PARTY), Cac.PARTY), document.buyer)
    if document.payee is not None:
        _build_payee(sub(root, Cac.PAYEE_PARTY), document.payee)
    if document.delivery is not None:
        _build_delivery(sub(root, Cac.DELIVERY), document.delivery)
    _build_payment(root, document, flavour)
    for charge in document.allowances_charges:
        _build_allowance_charge(root, charge, document.currency)
    _build_tax_totals(root, document)
    _build_monetary_total(root, document)
    for line in document.lines:
        _build_line(sub(root, flavour.line), line, document.currency, flavour)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _check(document: InvoiceDocument) -> None:
    parties = [document.seller, document.buyer] + ([document.payee] if document.payee else [])
    schemes = [scheme for party in parties for scheme in _schemes(party)]
    if document.delivery is not None:
        schemes.append(document.delivery.location_scheme)
    if FORBIDDEN_SCHEME in schemes:
        raise UblError("Identifier scheme 9955 is no longer allowed in PEPPOL; use 0007.")
    credit_note = document.kind == DocumentKind.CREDIT_NOTE
    if credit_note and document.due_date and not document.payment_means:
        raise UblError("A credit note carries its due date in the payment means; add one.")


def _schemes(party: Party) -> list[str]:
    return [party.endpoint_scheme, party.legal_id_scheme] + [s for _id, s in party.identifiers]


def _build_header(root: Element, document: InvoiceDocument, flavour: Flavour) -> None:
    sub(root, Cbc.CUSTOMIZATION_ID, document.customization_id)
    sub(root, Cbc.PROFILE_ID, document.profile_id)
    sub(root, Cbc.ID, document.number)
    sub(root, Cbc.ISSUE_DATE, document.issue_date.isoformat())
    type_code = document.type_code or flavour.default_type_code
    if flavour is INVOICE:
        opt_date(root, Cbc.DUE_DATE, document.due_date)
        sub(root, flavour.type_code, type_code)
    else:
        # CreditNote puts the tax point date before its type code and has no DueDate.
        opt_date(root, Cbc.TAX_POINT_DATE, document.tax_point_date)
        sub(root, flavour.type_code, type_code)
    for note in document.notes:
        sub(root, Cbc.NOTE, note)
    if flavour is INVOICE:
        opt_date(root, Cbc.TAX_POINT_DATE, document.tax_point_date)
    sub(root, Cbc.DOCUMENT_CURRENCY_CODE, document.currency)
    opt(root, Cbc.TAX_CURRENCY_CODE, document.tax_currency)
    opt(root, Cbc.ACCOUNTING_COST, document.accounting_cost)
    opt(root, Cbc.BUYER_REFERENCE, document.buyer_reference)


def _build_references(root: Element, document: InvoiceDocument, flavour: Flavour) -> None:
    _build_period(root, document.period_start, document.period_end)
    if document.order_reference or document.sales_order_reference:
        order = sub(root, Cac.ORDER_REFERENCE)
        sub(order, Cbc.ID, document.order_reference or NO_ORDER_ID)
        opt(order, Cbc.SALES_ORDER_ID, document.sales_order_reference)
    for number, issued in document.preceding_invoices:
        reference = sub(sub(root, Cac.BILLING_REFERENCE), Cac.INVOICE_DOCUMENT_REFERENCE)
        sub(reference, Cbc.ID, number)
        opt_date(reference, Cbc.ISSUE_DATE, issued)
    _reference(root, Cac.DESPATCH_DOCUMENT_REFERENCE, document.despatch_reference)
    _reference(root, Cac.RECEIPT_DOCUMENT_REFERENCE, document.receiving_reference)
    _reference(root, Cac.CONTRACT_DOCUMENT_REFERENCE, document.contract_reference)
    if flavour is CREDIT_NOTE and document.project_reference:
        project = sub(root, Cac.ADDITIONAL_DOCUMENT_REFERENCE)
        sub(project, Cbc.ID, document.project_reference)
        sub(project, Cbc.DOCUMENT_TYPE_CODE, PROJECT_DOCUMENT_TYPE)
    for attachment in document.attachments:
        _build_attachment(sub(root, Cac.ADDITIONAL_DOCUMENT_REFERENCE), attachment)
    if flavour is INVOICE:
        _reference(root, Cac.PROJECT_REFERENCE, document.project_reference)


def _build_period(parent: Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    period = sub(parent, Cac.INVOICE_PERIOD)
    opt_date(period, Cbc.START_DATE, start)
    opt_date(period, Cbc.END_DATE, end)


def _reference(root: Element, tag: str, identifier: str) -> None:
    if identifier:
        sub(sub(root, tag), Cbc.ID, identifier)


def _build_attachment(reference: Element, attachment: Attachment) -> None:
    sub(reference, Cbc.ID, attachment.id, schemeID=attachment.id_scheme)
    opt(reference, Cbc.DOCUMENT_TYPE_CODE, attachment.type_code)
    opt(reference, Cbc.DOCUMENT_DESCRIPTION, attachment.description)
    if attachment.content is None and not attachment.uri:
        return
    holder = sub(reference, Cac.ATTACHMENT)
    if attachment.content is not None:
        encoded = base64.b64encode(attachment.content).decode("ascii")
        binary = sub(holder, Cbc.EMBEDDED_DOCUMENT_BINARY_OBJECT, encoded)
        # mimeCode is required by the schema even when unknown; filename is optional.
        binary.set(Attr.MIME_CODE, attachment.mime_type)
        if attachment.filename:
            binary.set(Attr.FILENAME, attachment.filename)
    if attachment.uri:
        sub(sub(holder, Cac.EXTERNAL_REFERENCE), Cbc.URI, attachment.uri)


def _build_party(element: Element, party: Party) -> None:
    if party.endpoint_id:
        endpoint = org_id(party.endpoint_id, party.endpoint_scheme)
        sub(element, Cbc.ENDPOINT_ID, endpoint, schemeID=party.endpoint_scheme)
    _build_identifiers(element, party.identifiers)
    if party.trading_name:
        sub(sub(element, Cac.PARTY_NAME), Cbc.NAME, party.trading_name)
    _build_address(sub(element, Cac.POSTAL_ADDRESS), party.address)
    _build_tax_scheme(element, party.vat_number, VAT_SCHEME)
    _build_tax_scheme(element, party.tax_registration, TAX_SCHEME)
    legal = sub(element, Cac.PARTY_LEGAL_ENTITY)
    sub(legal, Cbc.REGISTRATION_NAME, party.name)
    _build_legal_id(legal, party)
    opt(legal, Cbc.COMPANY_LEGAL_FORM, party.legal_form)
    if party.contact_name or party.contact_phone or party.contact_email:
        contact = sub(element, Cac.CONTACT)
        opt(contact, Cbc.NAME, party.contact_name)
        opt(contact, Cbc.TELEPHONE, party.contact_phone)
        opt(contact, Cbc.ELECTRONIC_MAIL, party.contact_email)


def _build_identifiers(element: Element, identifiers: list[tuple[str, str]]) -> None:
    for identifier, scheme in identifiers:
        identification = sub(element, Cac.PARTY_IDENTIFICATION)
        sub(identification, Cbc.ID, org_id(identifier, scheme), schemeID=scheme)


def _build_legal_id(legal: Element, party: Party) -> None:
    if party.legal_id:
        company_id = org_id(party.legal_id, party.legal_id_scheme)
        sub(legal, Cbc.COMPANY_ID, company_id, schemeID=party.legal_id_scheme)


def _build_tax_scheme(element: Element, company_id: str, scheme: str) -> None:
    if company_id:
        tax_scheme = sub(element, Cac.PARTY_TAX_SCHEME)
        sub(tax_scheme, Cbc.COMPANY_ID, company_id)
        sub(sub(tax_scheme, Cac.TAX_SCHEME), Cbc.ID, scheme)


def _build_address(element: Element, address: Address) -> None:
    opt(element, Cbc.STREET_NAME, address.street)
    opt(element, Cbc.ADDITIONAL_STREET_NAME, address.additional_street)
    opt(element, Cbc.CITY_NAME, address.city)
    opt(element, Cbc.POSTAL_ZONE, address.postal_zone)
    opt(element, Cbc.COUNTRY_SUBENTITY, address.country_subentity)
    if address.address_line:
        sub(sub(element, Cac.ADDRESS_LINE), Cbc.LINE, address.address_line)
    if address.country:
        sub(sub(element, Cac.COUNTRY), Cbc.IDENTIFICATION_CODE, address.country)


def _build_payee(element: Element, payee: Party) -> None:
    """Write BG-10, which has only a name, identifiers and a legal registration id."""
    _build_identifiers(element, payee.identifiers)
    sub(sub(element, Cac.PARTY_NAME), Cbc.NAME, payee.name)
    if payee.legal_id:
        _build_legal_id(sub(element, Cac.PARTY_LEGAL_ENTITY), payee)


def _build_delivery(element: Element, delivery: Delivery) -> None:
    opt_date(element, Cbc.ACTUAL_DELIVERY_DATE, delivery.date)
    if delivery.location_id or delivery.address is not None:
        location = sub(element, Cac.DELIVERY_LOCATION)
        opt(location, Cbc.ID, delivery.location_id, schemeID=delivery.location_scheme)
        if delivery.address is not None:
            _build_address(sub(location, Cac.ADDRESS), delivery.address)
    if delivery.party_name:
        party_name = sub(sub(element, Cac.DELIVERY_PARTY), Cac.PARTY_NAME)
        sub(party_name, Cbc.NAME, delivery.party_name)


def _build_payment(root: Element, document: InvoiceDocument, flavour: Flavour) -> None:
    for index, means in enumerate(document.payment_means):
        # BT-9 of a credit note lives in its (first) payment means.
        due = document.due_date if flavour is CREDIT_NOTE and index == 0 else None
        _build_payment_means(sub(root, Cac.PAYMENT_MEANS), means, due)
    if document.payment_terms:
        sub(sub(root, Cac.PAYMENT_TERMS), Cbc.NOTE, document.payment_terms)


def _build_payment_means(element: Element, means: PaymentMeans, due: date | None) -> None:
    sub(element, Cbc.PAYMENT_MEANS_CODE, means.code, name=means.means_text)
    opt_date(element, Cbc.PAYMENT_DUE_DATE, due)
    opt(element, Cbc.PAYMENT_ID, means.payment_id)
    if means.card_number or means.card_network or means.card_holder:
        card = sub(element, Cac.CARD_ACCOUNT)
        sub(card, Cbc.PRIMARY_ACCOUNT_NUMBER_ID, means.card_number)
        sub(card, Cbc.NETWORK_ID, means.card_network)
        opt(card, Cbc.HOLDER_NAME, means.card_holder)
    if means.account_id or means.account_name or means.branch_id:
        account = sub(element, Cac.PAYEE_FINANCIAL_ACCOUNT)
        opt(account, Cbc.ID, means.account_id)
        opt(account, Cbc.NAME, means.account_name)
        if means.branch_id:
            branch = sub(account, Cac.FINANCIAL_INSTITUTION_BRANCH)
            sub(branch, Cbc.ID, means.branch_id)
    if means.mandate_id or means.debited_account:
        mandate = sub(element, Cac.PAYMENT_MANDATE)
        opt(mandate, Cbc.ID, means.mandate_id)
        if means.debited_account:
            sub(sub(mandate, Cac.PAYER_FINANCIAL_ACCOUNT), Cbc.ID, means.debited_account)


def _build_allowance_charge(parent: Element, charge: AllowanceCharge, currency: str) -> None:
    element = sub(parent, Cac.ALLOWANCE_CHARGE)
    sub(element, Cbc.CHARGE_INDICATOR, "true" if charge.is_charge else "false")
    opt(element, Cbc.ALLOWANCE_CHARGE_REASON_CODE, charge.reason_code)
    opt(element, Cbc.ALLOWANCE_CHARGE_REASON, charge.reason)
    if charge.percent is not None:
        sub(element, Cbc.MULTIPLIER_FACTOR_NUMERIC, plain_number(charge.percent))
    add_amount(element, Cbc.AMOUNT, charge.amount, currency)
    if charge.base_amount is not None:
        add_amount(element, Cbc.BASE_AMOUNT, charge.base_amount, currency)
    # Only document-level allowances and charges name a VAT category (BG-20 / BG-21).
    if charge.vat_category or charge.vat_rate is not None:
        _build_tax_category(element, Cac.TAX_CATEGORY, charge.vat_category, charge.vat_rate)


def _build_tax_category(
    parent: Element,
    tag: str,
    category: str,
    rate: Decimal | None,
    reason: tuple[str, str] = ("", ""),
) -> None:
    element = sub(parent, tag)
    sub(element, Cbc.ID, category)
    if rate is not None:
        sub(element, Cbc.PERCENT, plain_number(rate))
    opt(element, Cbc.TAX_EXEMPTION_REASON_CODE, reason[1])
    opt(element, Cbc.TAX_EXEMPTION_REASON, reason[0])
    sub(sub(element, Cac.TAX_SCHEME), Cbc.ID, VAT_SCHEME)


def _build_tax_totals(root: Element, document: InvoiceDocument) -> None:
    tax_total = sub(root, Cac.TAX_TOTAL)
    add_amount(tax_total, Cbc.TAX_AMOUNT, document.totals.tax_amount, document.currency)
    for group in document.vat_breakdown:
        _build_tax_subtotal(sub(tax_total, Cac.TAX_SUBTOTAL), group, document.currency)
    in_tax_currency = document.totals.tax_amount_in_tax_currency
    if in_tax_currency is not None:
        # BT-111: a second TaxTotal, without subtotals, in the VAT accounting currency.
        currency = document.tax_currency or document.currency
        add_amount(sub(root, Cac.TAX_TOTAL), Cbc.TAX_AMOUNT, in_tax_currency, currency)


def _build_tax_subtotal(element: Element, group: VatBreakdown, currency: str) -> None:
    add_amount(element, Cbc.TAXABLE_AMOUNT, group.taxable_amount, currency)
    add_amount(element, Cbc.TAX_AMOUNT, group.tax_amount, currency)
    reason = (group.exemption_reason, group.exemption_reason_code)
    _build_tax_category(element, Cac.TAX_CATEGORY, group.category, group.rate, reason)


def _build_monetary_total(root: Element, document: InvoiceDocument) -> None:
    totals, currency = document.totals, document.currency
    element = sub(root, Cac.LEGAL_MONETARY_TOTAL)
    add_amount(element, Cbc.LINE_EXTENSION_AMOUNT, totals.line_extension, currency)
    add_amount(element, Cbc.TAX_EXCLUSIVE_AMOUNT, totals.tax_exclusive, currency)
    add_amount(element, Cbc.TAX_INCLUSIVE_AMOUNT, totals.tax_inclusive, currency)
    charges = document.allowances_charges
    # BR-CO-11/12: the sums must be present whenever there is something to sum.
    if totals.allowance_total or any(not c.is_charge for c in charges):
        add_amount(element, Cbc.ALLOWANCE_TOTAL_AMOUNT, totals.allowance_total, currency)
    if totals.charge_total or any(c.is_charge for c in charges):
        add_amount(element, Cbc.CHARGE_TOTAL_AMOUNT, totals.charge_total, currency)
    if totals.prepaid:
        add_amount(element, Cbc.PREPAID_AMOUNT, totals.prepaid, currency)
    if totals.rounding:
        add_amount(element, Cbc.PAYABLE_ROUNDING_AMOUNT, totals.rounding, currency)
    add_amount(element, Cbc.PAYABLE_AMOUNT, totals.payable, currency)


def _build_line(element: Element, line: Line, currency: str, flavour: Flavour) -> None:
    sub(element, Cbc.ID, line.id)
    opt(element, Cbc.NOTE, line.note)
    sub(element, flavour.quantity, plain_number(line.quantity), unitCode=line.unit_code)
    add_amount(element, Cbc.LINE_EXTENSION_AMOUNT, line.line_extension, currency)
    opt(element, Cbc.ACCOUNTING_COST, line.accounting_cost)
    _build_period(element, line.period_start, line.period_end)
    if line.order_line_reference:
        sub(sub(element, Cac.ORDER_LINE_REFERENCE), Cbc.LINE_ID, line.order_line_reference)
    for charge in line.allowances_charges:
        _build_allowance_charge(element, charge, currency)
    _build_item(sub(element, Cac.ITEM), line)
    _build_price(sub(element, Cac.PRICE), line, currency)


def _build_item(item: Element, line: Line) -> None:
    opt(item, Cbc.DESCRIPTION, line.description)
    sub(item, Cbc.NAME, line.name)
    _item_id(item, Cac.BUYERS_ITEM_IDENTIFICATION, line.buyer_item_id)
    _item_id(item, Cac.SELLERS_ITEM_IDENTIFICATION, line.seller_item_id)
    _item_id(
        item, Cac.STANDARD_ITEM_IDENTIFICATION, line.standard_item_id, line.standard_item_scheme
    )
    if line.origin_country:
        sub(sub(item, Cac.ORIGIN_COUNTRY), Cbc.IDENTIFICATION_CODE, line.origin_country)
    for code, list_id in line.classification:
        classification = sub(item, Cac.COMMODITY_CLASSIFICATION)
        sub(classification, Cbc.ITEM_CLASSIFICATION_CODE, code, listID=list_id)
    _build_tax_category(item, Cac.CLASSIFIED_TAX_CATEGORY, line.vat_category, line.vat_rate)
    for name, value in line.properties:
        prop = sub(item, Cac.ADDITIONAL_ITEM_PROPERTY)
        sub(prop, Cbc.NAME, name)
        sub(prop, Cbc.VALUE, value)


def _item_id(item: Element, tag: str, identifier: str, scheme: str = "") -> None:
    if identifier:
        sub(sub(item, tag), Cbc.ID, identifier, schemeID=scheme)


def _build_price(price: Element, line: Line, currency: str) -> None:
    # Prices are unit prices, not amounts: written with the decimals they have.
    sub(price, Cbc.PRICE_AMOUNT, plain_number(line.net_price), currencyID=currency)
    if line.base_quantity is not None:
        # PEPPOL-EN16931-R130: the base quantity's unit is the invoiced quantity's.
        sub(price, Cbc.BASE_QUANTITY, plain_number(line.base_quantity), unitCode=line.unit_code)
    if line.price_discount is None and line.gross_price is None:
        return
    discount = sub(price, Cac.ALLOWANCE_CHARGE)
    sub(discount, Cbc.CHARGE_INDICATOR, "false")
    amount = line.price_discount
    if amount is None and line.gross_price is not None:
        amount = line.gross_price - line.net_price  # BT-146 = BT-148 - BT-147
    sub(discount, Cbc.AMOUNT, plain_number(amount or Decimal(0)), currencyID=currency)
    if line.gross_price is not None:
        sub(discount, Cbc.BASE_AMOUNT, plain_number(line.gross_price), currencyID=currency)
