"""Read a safely parsed UBL 2.1 Invoice or CreditNote into an `InvoiceDocument`.

Imported amounts are taken as written, never recomputed: what the sender wrote is what the
portal shows and keeps.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date

from invoices.document import (
    Address,
    AllowanceCharge,
    Attachment,
    Delivery,
    InvoiceDocument,
    Line,
    Party,
    PaymentMeans,
    Totals,
    VatBreakdown,
)

from .names import (
    CREDIT_NOTE,
    FLAVOURS,
    NO_ORDER_ID,
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
from .read import (
    attr,
    children,
    date_or_none,
    decimal,
    decimal_or_zero,
    find,
    required_date,
    text,
)


def parse(root: Element) -> InvoiceDocument:
    """Return the document a safely parsed UBL Invoice or CreditNote root describes."""
    # The kind's default type code (380, 381) reads back as "", the model's word for it.
    flavour = _flavour_of(root)
    type_code = text(root, flavour.type_code)
    due_date = date_or_none(root, Cbc.DUE_DATE)
    if flavour is CREDIT_NOTE:
        due_date = date_or_none(root, Cac.PAYMENT_MEANS, Cbc.PAYMENT_DUE_DATE)
    order_id = text(root, Cac.ORDER_REFERENCE, Cbc.ID)
    sales_order_id = text(root, Cac.ORDER_REFERENCE, Cbc.SALES_ORDER_ID)
    project_reference, attachments = _parse_document_references(root, flavour)
    return InvoiceDocument(
        kind=flavour.kind,
        number=text(root, Cbc.ID),
        issue_date=required_date(root, Cbc.ISSUE_DATE),
        seller=_parse_party(find(root, Cac.ACCOUNTING_SUPPLIER_PARTY, Cac.PARTY)),
        buyer=_parse_party(find(root, Cac.ACCOUNTING_CUSTOMER_PARTY, Cac.PARTY)),
        lines=[_parse_line(line, flavour) for line in root.findall(flavour.line)],
        currency=text(root, Cbc.DOCUMENT_CURRENCY_CODE),
        type_code="" if type_code == flavour.default_type_code else type_code,
        due_date=due_date,
        tax_point_date=date_or_none(root, Cbc.TAX_POINT_DATE),
        tax_currency=text(root, Cbc.TAX_CURRENCY_CODE),
        buyer_reference=text(root, Cbc.BUYER_REFERENCE),
        order_reference="" if sales_order_id and order_id == NO_ORDER_ID else order_id,
        sales_order_reference=sales_order_id,
        contract_reference=text(root, Cac.CONTRACT_DOCUMENT_REFERENCE, Cbc.ID),
        project_reference=project_reference,
        despatch_reference=text(root, Cac.DESPATCH_DOCUMENT_REFERENCE, Cbc.ID),
        receiving_reference=text(root, Cac.RECEIPT_DOCUMENT_REFERENCE, Cbc.ID),
        accounting_cost=text(root, Cbc.ACCOUNTING_COST),
        notes=[element.text or "" for element in root.findall(Cbc.NOTE)],
        preceding_invoices=_parse_preceding(root),
        period_start=date_or_none(root, Cac.INVOICE_PERIOD, Cbc.START_DATE),
        period_end=date_or_none(root, Cac.INVOICE_PERIOD, Cbc.END_DATE),
        payee=_parse_payee(find(root, Cac.PAYEE_PARTY)),
        delivery=_parse_delivery(find(root, Cac.DELIVERY)),
        payment_means=[_parse_payment_means(m) for m in root.findall(Cac.PAYMENT_MEANS)],
        payment_terms=text(root, Cac.PAYMENT_TERMS, Cbc.NOTE),
        allowances_charges=[_parse_allowance_charge(e) for e in root.findall(Cac.ALLOWANCE_CHARGE)],
        vat_breakdown=_parse_vat_breakdown(root),
        totals=_parse_totals(root),
        attachments=attachments,
        customization_id=text(root, Cbc.CUSTOMIZATION_ID),
        profile_id=text(root, Cbc.PROFILE_ID),
    )


def _flavour_of(root: Element) -> Flavour:
    for flavour in FLAVOURS.values():
        if root.tag == flavour.root:
            return flavour
    raise UblError("The document is neither a UBL 2.1 Invoice nor a UBL 2.1 CreditNote.")


def _parse_document_references(root: Element, flavour: Flavour) -> tuple[str, list[Attachment]]:
    project = text(root, Cac.PROJECT_REFERENCE, Cbc.ID)
    attachments = []
    for reference in root.findall(Cac.ADDITIONAL_DOCUMENT_REFERENCE):
        type_code = text(reference, Cbc.DOCUMENT_TYPE_CODE)
        if flavour is CREDIT_NOTE and type_code == PROJECT_DOCUMENT_TYPE and not project:
            project = text(reference, Cbc.ID)
            continue
        attachments.append(_parse_attachment(reference))
    return project, attachments


def _parse_attachment(reference: Element) -> Attachment:
    binary = find(reference, Cac.ATTACHMENT, Cbc.EMBEDDED_DOCUMENT_BINARY_OBJECT)
    content = None
    if binary is not None:
        try:
            content = base64.b64decode(binary.text or "")
        except binascii.Error:
            raise UblError("An embedded attachment is not valid base64.") from None
    return Attachment(
        id=text(reference, Cbc.ID),
        id_scheme=attr(reference, Attr.SCHEME_ID, Cbc.ID),
        description=text(reference, Cbc.DOCUMENT_DESCRIPTION),
        filename=attr(binary, Attr.FILENAME),
        mime_type=attr(binary, Attr.MIME_CODE),
        content=content,
        uri=text(reference, Cac.ATTACHMENT, Cac.EXTERNAL_REFERENCE, Cbc.URI),
        type_code=text(reference, Cbc.DOCUMENT_TYPE_CODE),
    )


def _parse_preceding(root: Element) -> list[tuple[str, date | None]]:
    preceding = []
    for billing in root.findall(Cac.BILLING_REFERENCE):
        reference = find(billing, Cac.INVOICE_DOCUMENT_REFERENCE)
        if reference is not None:
            preceding.append((text(reference, Cbc.ID), date_or_none(reference, Cbc.ISSUE_DATE)))
    return preceding


def _parse_party(element: Element | None) -> Party:
    legal = find(element, Cac.PARTY_LEGAL_ENTITY)
    trading_name = text(element, Cac.PARTY_NAME, Cbc.NAME)
    # The registration name is mandatory; fall back to the trading name if a sender forgot it.
    name_element = find(legal, Cbc.REGISTRATION_NAME)
    tax_ids = _parse_tax_schemes(element)
    return Party(
        name=trading_name if name_element is None else name_element.text or "",
        endpoint_id=text(element, Cbc.ENDPOINT_ID),
        endpoint_scheme=attr(element, Attr.SCHEME_ID, Cbc.ENDPOINT_ID),
        trading_name=trading_name,
        identifiers=_parse_identifiers(element),
        legal_id=text(legal, Cbc.COMPANY_ID),
        legal_id_scheme=attr(legal, Attr.SCHEME_ID, Cbc.COMPANY_ID),
        legal_form=text(legal, Cbc.COMPANY_LEGAL_FORM),
        vat_number=tax_ids.get(VAT_SCHEME, ""),
        tax_registration=tax_ids.get(TAX_SCHEME, ""),
        address=_parse_address(find(element, Cac.POSTAL_ADDRESS)),
        contact_name=text(element, Cac.CONTACT, Cbc.NAME),
        contact_phone=text(element, Cac.CONTACT, Cbc.TELEPHONE),
        contact_email=text(element, Cac.CONTACT, Cbc.ELECTRONIC_MAIL),
    )


def _parse_identifiers(element: Element | None) -> list[tuple[str, str]]:
    if element is None:
        return []
    return [
        (text(identification, Cbc.ID), attr(identification, Attr.SCHEME_ID, Cbc.ID))
        for identification in element.findall(Cac.PARTY_IDENTIFICATION)
    ]


def _parse_tax_schemes(element: Element | None) -> dict[str, str]:
    """Return the party's tax ids: "VAT" for BT-31/48, "TAX" for any other scheme (BT-32)."""
    found: dict[str, str] = {}
    for tax_scheme in [] if element is None else element.findall(Cac.PARTY_TAX_SCHEME):
        scheme = text(tax_scheme, Cac.TAX_SCHEME, Cbc.ID).strip().upper()
        key = VAT_SCHEME if scheme == VAT_SCHEME else TAX_SCHEME
        found.setdefault(key, text(tax_scheme, Cbc.COMPANY_ID))
    return found


def _parse_address(element: Element | None) -> Address:
    if element is None:
        return Address(country="")
    return Address(
        street=text(element, Cbc.STREET_NAME),
        additional_street=text(element, Cbc.ADDITIONAL_STREET_NAME),
        city=text(element, Cbc.CITY_NAME),
        postal_zone=text(element, Cbc.POSTAL_ZONE),
        country_subentity=text(element, Cbc.COUNTRY_SUBENTITY),
        address_line=text(element, Cac.ADDRESS_LINE, Cbc.LINE),
        country=text(element, Cac.COUNTRY, Cbc.IDENTIFICATION_CODE),
    )


def _parse_payee(element: Element | None) -> Party | None:
    if element is None:
        return None
    legal = find(element, Cac.PARTY_LEGAL_ENTITY)
    # BG-10 has no address; the model's default one stands in for it.
    return Party(
        name=text(element, Cac.PARTY_NAME, Cbc.NAME),
        identifiers=_parse_identifiers(element),
        legal_id=text(legal, Cbc.COMPANY_ID),
        legal_id_scheme=attr(legal, Attr.SCHEME_ID, Cbc.COMPANY_ID),
    )


def _parse_delivery(element: Element | None) -> Delivery | None:
    if element is None:
        return None
    location = find(element, Cac.DELIVERY_LOCATION)
    address = find(location, Cac.ADDRESS)
    return Delivery(
        date=date_or_none(element, Cbc.ACTUAL_DELIVERY_DATE),
        location_id=text(location, Cbc.ID),
        location_scheme=attr(location, Attr.SCHEME_ID, Cbc.ID),
        address=None if address is None else _parse_address(address),
        party_name=text(element, Cac.DELIVERY_PARTY, Cac.PARTY_NAME, Cbc.NAME),
    )


def _parse_payment_means(element: Element) -> PaymentMeans:
    account = find(element, Cac.PAYEE_FINANCIAL_ACCOUNT)
    card = find(element, Cac.CARD_ACCOUNT)
    mandate = find(element, Cac.PAYMENT_MANDATE)
    return PaymentMeans(
        code=text(element, Cbc.PAYMENT_MEANS_CODE),
        payment_id=text(element, Cbc.PAYMENT_ID),
        account_id=text(account, Cbc.ID),
        account_name=text(account, Cbc.NAME),
        branch_id=text(account, Cac.FINANCIAL_INSTITUTION_BRANCH, Cbc.ID),
        means_text=attr(element, Attr.NAME, Cbc.PAYMENT_MEANS_CODE),
        card_number=text(card, Cbc.PRIMARY_ACCOUNT_NUMBER_ID),
        mandate_id=text(mandate, Cbc.ID),
        debited_account=text(mandate, Cac.PAYER_FINANCIAL_ACCOUNT, Cbc.ID),
        card_network=text(card, Cbc.NETWORK_ID),
        card_holder=text(card, Cbc.HOLDER_NAME),
    )


def _parse_allowance_charge(element: Element) -> AllowanceCharge:
    category = find(element, Cac.TAX_CATEGORY)
    return AllowanceCharge(
        is_charge=text(element, Cbc.CHARGE_INDICATOR).strip().lower() in {"true", "1"},
        amount=decimal_or_zero(element, Cbc.AMOUNT),
        reason=text(element, Cbc.ALLOWANCE_CHARGE_REASON),
        reason_code=text(element, Cbc.ALLOWANCE_CHARGE_REASON_CODE),
        base_amount=decimal(element, Cbc.BASE_AMOUNT),
        percent=decimal(element, Cbc.MULTIPLIER_FACTOR_NUMERIC),
        vat_category=text(category, Cbc.ID),
        vat_rate=decimal(category, Cbc.PERCENT),
    )


def _tax_totals(root: Element) -> tuple[Element | None, Element | None]:
    """Return the TaxTotal with the breakdown and the one in the tax currency (BT-111)."""
    totals = root.findall(Cac.TAX_TOTAL)
    if not totals:
        return None, None
    with_subtotals = [total for total in totals if find(total, Cac.TAX_SUBTOTAL) is not None]
    main = with_subtotals[0] if with_subtotals else totals[0]
    others = [total for total in totals if total is not main]
    return main, others[0] if others else None


def _parse_vat_breakdown(root: Element) -> list[VatBreakdown]:
    main, _other = _tax_totals(root)
    subtotals = [] if main is None else main.findall(Cac.TAX_SUBTOTAL)
    return [
        VatBreakdown(
            category=text(subtotal, Cac.TAX_CATEGORY, Cbc.ID),
            rate=decimal(subtotal, Cac.TAX_CATEGORY, Cbc.PERCENT),
            taxable_amount=decimal_or_zero(subtotal, Cbc.TAXABLE_AMOUNT),
            tax_amount=decimal_or_zero(subtotal, Cbc.TAX_AMOUNT),
            exemption_reason=text(subtotal, Cac.TAX_CATEGORY, Cbc.TAX_EXEMPTION_REASON),
            exemption_reason_code=text(subtotal, Cac.TAX_CATEGORY, Cbc.TAX_EXEMPTION_REASON_CODE),
        )
        for subtotal in subtotals
    ]


def _parse_totals(root: Element) -> Totals:
    main, other = _tax_totals(root)
    monetary = find(root, Cac.LEGAL_MONETARY_TOTAL)
    return Totals(
        line_extension=decimal_or_zero(monetary, Cbc.LINE_EXTENSION_AMOUNT),
        allowance_total=decimal_or_zero(monetary, Cbc.ALLOWANCE_TOTAL_AMOUNT),
        charge_total=decimal_or_zero(monetary, Cbc.CHARGE_TOTAL_AMOUNT),
        tax_exclusive=decimal_or_zero(monetary, Cbc.TAX_EXCLUSIVE_AMOUNT),
        tax_amount=decimal_or_zero(main, Cbc.TAX_AMOUNT),
        tax_inclusive=decimal_or_zero(monetary, Cbc.TAX_INCLUSIVE_AMOUNT),
        prepaid=decimal_or_zero(monetary, Cbc.PREPAID_AMOUNT),
        rounding=decimal_or_zero(monetary, Cbc.PAYABLE_ROUNDING_AMOUNT),
        payable=decimal_or_zero(monetary, Cbc.PAYABLE_AMOUNT),
        tax_amount_in_tax_currency=decimal(other, Cbc.TAX_AMOUNT),
    )


def _parse_line(element: Element, flavour: Flavour) -> Line:
    item = find(element, Cac.ITEM)
    price = find(element, Cac.PRICE)
    tax_category = find(item, Cac.CLASSIFIED_TAX_CATEGORY)
    return Line(
        id=text(element, Cbc.ID),
        name=text(item, Cbc.NAME),
        quantity=decimal_or_zero(element, flavour.quantity),
        unit_code=attr(element, Attr.UNIT_CODE, flavour.quantity),
        net_price=decimal_or_zero(price, Cbc.PRICE_AMOUNT),
        vat_category=text(tax_category, Cbc.ID),
        vat_rate=decimal(tax_category, Cbc.PERCENT),
        line_extension=decimal_or_zero(element, Cbc.LINE_EXTENSION_AMOUNT),
        description=text(item, Cbc.DESCRIPTION),
        note=text(element, Cbc.NOTE),
        base_quantity=decimal(price, Cbc.BASE_QUANTITY),
        gross_price=decimal(price, Cac.ALLOWANCE_CHARGE, Cbc.BASE_AMOUNT),
        price_discount=decimal(price, Cac.ALLOWANCE_CHARGE, Cbc.AMOUNT),
        seller_item_id=text(item, Cac.SELLERS_ITEM_IDENTIFICATION, Cbc.ID),
        buyer_item_id=text(item, Cac.BUYERS_ITEM_IDENTIFICATION, Cbc.ID),
        standard_item_id=text(item, Cac.STANDARD_ITEM_IDENTIFICATION, Cbc.ID),
        standard_item_scheme=attr(item, Attr.SCHEME_ID, Cac.STANDARD_ITEM_IDENTIFICATION, Cbc.ID),
        classification=_parse_classification(item),
        origin_country=text(item, Cac.ORIGIN_COUNTRY, Cbc.IDENTIFICATION_CODE),
        properties=_parse_properties(item),
        order_line_reference=text(element, Cac.ORDER_LINE_REFERENCE, Cbc.LINE_ID),
        accounting_cost=text(element, Cbc.ACCOUNTING_COST),
        period_start=date_or_none(element, Cac.INVOICE_PERIOD, Cbc.START_DATE),
        period_end=date_or_none(element, Cac.INVOICE_PERIOD, Cbc.END_DATE),
        allowances_charges=[
            _parse_allowance_charge(e) for e in element.findall(Cac.ALLOWANCE_CHARGE)
        ],
    )


def _parse_classification(item: Element | None) -> list[tuple[str, str]]:
    return [
        (
            text(c, Cbc.ITEM_CLASSIFICATION_CODE),
            attr(c, Attr.LIST_ID, Cbc.ITEM_CLASSIFICATION_CODE),
        )
        for c in children(item, Cac.COMMODITY_CLASSIFICATION)
    ]


def _parse_properties(item: Element | None) -> list[tuple[str, str]]:
    return [
        (text(p, Cbc.NAME), text(p, Cbc.VALUE))
        for p in children(item, Cac.ADDITIONAL_ITEM_PROPERTY)
    ]
