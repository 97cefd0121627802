"""PEPPOL BIS Billing 3.0 as UBL 2.1: build an Invoice or CreditNote, and parse one back.

Pure functions. `build` writes every field of `invoices.document` in the UBL schema's
element order; `parse` reads an already safely parsed tree (`invoices.xmlsafe`) into the
same model, so `parse(build(doc)) == doc`. Imported amounts are taken as written, never
recomputed. Where Invoice and CreditNote differ (root, type code, line and quantity
element, where BT-9 and BT-11 live), `_Flavour` says so.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
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
    Totals,
    VatBreakdown,
)

Element = etree._Element

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

# Removed from the EAS code list in 3.0.15 (BR-CL-25); the portal never writes it.
FORBIDDEN_SCHEME = "9955"
ORG_NUMBER_SCHEME = "0007"
VAT_SCHEME = "VAT"
TAX_SCHEME = "TAX"  # the seller's other tax registration: "Godkänd för F-skatt" (SE-R-005)
PROJECT_DOCUMENT_TYPE = "50"  # a CreditNote has no ProjectReference: BT-11 is an ADR of type 50
# PEPPOL's placeholder order id when only a sales order reference (BT-14) is known.
NO_ORDER_ID = "NA"
CENT = Decimal("0.01")


class UblError(ValueError):
    """A document that cannot be written as, or read from, UBL; str() says why."""


def _cac(name: str) -> str:
    return f"{{{NS_CAC}}}{name}"


def _cbc(name: str) -> str:
    return f"{{{NS_CBC}}}{name}"


class Cac:
    """Aggregate components (elements with children), as Clark names."""

    ACCOUNTING_CUSTOMER_PARTY = _cac("AccountingCustomerParty")
    ACCOUNTING_SUPPLIER_PARTY = _cac("AccountingSupplierParty")
    ADDITIONAL_DOCUMENT_REFERENCE = _cac("AdditionalDocumentReference")
    ADDITIONAL_ITEM_PROPERTY = _cac("AdditionalItemProperty")
    ADDRESS = _cac("Address")
    ADDRESS_LINE = _cac("AddressLine")
    ALLOWANCE_CHARGE = _cac("AllowanceCharge")
    ATTACHMENT = _cac("Attachment")
    BILLING_REFERENCE = _cac("BillingReference")
    BUYERS_ITEM_IDENTIFICATION = _cac("BuyersItemIdentification")
    CARD_ACCOUNT = _cac("CardAccount")
    CLASSIFIED_TAX_CATEGORY = _cac("ClassifiedTaxCategory")
    COMMODITY_CLASSIFICATION = _cac("CommodityClassification")
    CONTACT = _cac("Contact")
    CONTRACT_DOCUMENT_REFERENCE = _cac("ContractDocumentReference")
    COUNTRY = _cac("Country")
    CREDIT_NOTE_LINE = _cac("CreditNoteLine")
    DELIVERY = _cac("Delivery")
    DELIVERY_LOCATION = _cac("DeliveryLocation")
    DELIVERY_PARTY = _cac("DeliveryParty")
    DESPATCH_DOCUMENT_REFERENCE = _cac("DespatchDocumentReference")
    EXTERNAL_REFERENCE = _cac("ExternalReference")
    FINANCIAL_INSTITUTION_BRANCH = _cac("FinancialInstitutionBranch")
    INVOICE_DOCUMENT_REFERENCE = _cac("InvoiceDocumentReference")
    INVOICE_LINE = _cac("InvoiceLine")
    INVOICE_PERIOD = _cac("InvoicePeriod")
    ITEM = _cac("Item")
    LEGAL_MONETARY_TOTAL = _cac("LegalMonetaryTotal")
    ORDER_LINE_REFERENCE = _cac("OrderLineReference")
    ORDER_REFERENCE = _cac("OrderReference")
    ORIGIN_COUNTRY = _cac("OriginCountry")
    PARTY = _cac("Party")
    PARTY_IDENTIFICATION = _cac("PartyIdentification")
    PARTY_LEGAL_ENTITY = _cac("PartyLegalEntity")
    PARTY_NAME = _cac("PartyName")
    PARTY_TAX_SCHEME = _cac("PartyTaxScheme")
    PAYEE_FINANCIAL_ACCOUNT = _cac("PayeeFinancialAccount")
    PAYEE_PARTY = _cac("PayeeParty")
    PAYER_FINANCIAL_ACCOUNT = _cac("PayerFinancialAccount")
    PAYMENT_MANDATE = _cac("PaymentMandate")
    PAYMENT_MEANS = _cac("PaymentMeans")
    PAYMENT_TERMS = _cac("PaymentTerms")
    POSTAL_ADDRESS = _cac("PostalAddress")
    PRICE = _cac("Price")
    PROJECT_REFERENCE = _cac("ProjectReference")
    RECEIPT_DOCUMENT_REFERENCE = _cac("ReceiptDocumentReference")
    SELLERS_ITEM_IDENTIFICATION = _cac("SellersItemIdentification")
    STANDARD_ITEM_IDENTIFICATION = _cac("StandardItemIdentification")
    TAX_CATEGORY = _cac("TaxCategory")
    TAX_SCHEME = _cac("TaxScheme")
    TAX_SUBTOTAL = _cac("TaxSubtotal")
    TAX_TOTAL = _cac("TaxTotal")


class Cbc:
    """Basic components (leaf elements), as Clark names."""

    ACCOUNTING_COST = _cbc("AccountingCost")
    ACTUAL_DELIVERY_DATE = _cbc("ActualDeliveryDate")
    ADDITIONAL_STREET_NAME = _cbc("AdditionalStreetName")
    ALLOWANCE_CHARGE_REASON = _cbc("AllowanceChargeReason")
    ALLOWANCE_CHARGE_REASON_CODE = _cbc("AllowanceChargeReasonCode")
    ALLOWANCE_TOTAL_AMOUNT = _cbc("AllowanceTotalAmount")
    AMOUNT = _cbc("Amount")
    BASE_AMOUNT = _cbc("BaseAmount")
    BASE_QUANTITY = _cbc("BaseQuantity")
    BUYER_REFERENCE = _cbc("BuyerReference")
    CHARGE_INDICATOR = _cbc("ChargeIndicator")
    CHARGE_TOTAL_AMOUNT = _cbc("ChargeTotalAmount")
    CITY_NAME = _cbc("CityName")
    COMPANY_ID = _cbc("CompanyID")
    COMPANY_LEGAL_FORM = _cbc("CompanyLegalForm")
    COUNTRY_SUBENTITY = _cbc("CountrySubentity")
    CREDIT_NOTE_TYPE_CODE = _cbc("CreditNoteTypeCode")
    CREDITED_QUANTITY = _cbc("CreditedQuantity")
    CUSTOMIZATION_ID = _cbc("CustomizationID")
    DESCRIPTION = _cbc("Description")
    DOCUMENT_CURRENCY_CODE = _cbc("DocumentCurrencyCode")
    DOCUMENT_DESCRIPTION = _cbc("DocumentDescription")
    DOCUMENT_TYPE_CODE = _cbc("DocumentTypeCode")
    DUE_DATE = _cbc("DueDate")
    ELECTRONIC_MAIL = _cbc("ElectronicMail")
    EMBEDDED_DOCUMENT_BINARY_OBJECT = _cbc("EmbeddedDocumentBinaryObject")
    END_DATE = _cbc("EndDate")
    ENDPOINT_ID = _cbc("EndpointID")
    HOLDER_NAME = _cbc("HolderName")
    ID = _cbc("ID")
    IDENTIFICATION_CODE = _cbc("IdentificationCode")
    INVOICE_TYPE_CODE = _cbc("InvoiceTypeCode")
    INVOICED_QUANTITY = _cbc("InvoicedQuantity")
    ISSUE_DATE = _cbc("IssueDate")
    ITEM_CLASSIFICATION_CODE = _cbc("ItemClassificationCode")
    LINE = _cbc("Line")
    LINE_EXTENSION_AMOUNT = _cbc("LineExtensionAmount")
    LINE_ID = _cbc("LineID")
    MULTIPLIER_FACTOR_NUMERIC = _cbc("MultiplierFactorNumeric")
    NAME = _cbc("Name")
    NETWORK_ID = _cbc("NetworkID")
    NOTE = _cbc("Note")
    PAYABLE_AMOUNT = _cbc("PayableAmount")
    PAYABLE_ROUNDING_AMOUNT = _cbc("PayableRoundingAmount")
    PAYMENT_DUE_DATE = _cbc("PaymentDueDate")
    PAYMENT_ID = _cbc("PaymentID")
    PAYMENT_MEANS_CODE = _cbc("PaymentMeansCode")
    PERCENT = _cbc("Percent")
    POSTAL_ZONE = _cbc("PostalZone")
    PREPAID_AMOUNT = _cbc("PrepaidAmount")
    PRICE_AMOUNT = _cbc("PriceAmount")
    PRIMARY_ACCOUNT_NUMBER_ID = _cbc("PrimaryAccountNumberID")
    PROFILE_ID = _cbc("ProfileID")
    REGISTRATION_NAME = _cbc("RegistrationName")
    SALES_ORDER_ID = _cbc("SalesOrderID")
    START_DATE = _cbc("StartDate")
    STREET_NAME = _cbc("StreetName")
    TAX_AMOUNT = _cbc("TaxAmount")
    TAX_CURRENCY_CODE = _cbc("TaxCurrencyCode")
    TAX_EXCLUSIVE_AMOUNT = _cbc("TaxExclusiveAmount")
    TAX_EXEMPTION_REASON = _cbc("TaxExemptionReason")
    TAX_EXEMPTION_REASON_CODE = _cbc("TaxExemptionReasonCode")
    TAX_INCLUSIVE_AMOUNT = _cbc("TaxInclusiveAmount")
    TAX_POINT_DATE = _cbc("TaxPointDate")
    TAXABLE_AMOUNT = _cbc("TaxableAmount")
    TELEPHONE = _cbc("Telephone")
    URI = _cbc("URI")
    VALUE = _cbc("Value")


class Attr:
    """Attribute names (unqualified in UBL)."""

    CURRENCY_ID = "currencyID"
    FILENAME = "filename"
    LIST_ID = "listID"
    MIME_CODE = "mimeCode"
    NAME = "name"
    SCHEME_ID = "schemeID"
    UNIT_CODE = "unitCode"


@dataclass(frozen=True)
class _Flavour:
    """What differs between a UBL Invoice and a UBL CreditNote."""

    kind: DocumentKind
    namespace: str
    root: str
    type_code: str
    default_type_code: str
    line: str
    quantity: str


INVOICE = _Flavour(
    kind=DocumentKind.INVOICE,
    namespace=NS_INVOICE,
    root=f"{{{NS_INVOICE}}}Invoice",
    type_code=Cbc.INVOICE_TYPE_CODE,
    default_type_code="380",
    line=Cac.INVOICE_LINE,
    quantity=Cbc.INVOICED_QUANTITY,
)
CREDIT_NOTE = _Flavour(
    kind=DocumentKind.CREDIT_NOTE,
    namespace=NS_CREDIT_NOTE,
    root=f"{{{NS_CREDIT_NOTE}}}CreditNote",
    type_code=Cbc.CREDIT_NOTE_TYPE_CODE,
    default_type_code="381",
    line=Cac.CREDIT_NOTE_LINE,
    quantity=Cbc.CREDITED_QUANTITY,
)
FLAVOURS = {flavour.kind: flavour for flavour in (INVOICE, CREDIT_NOTE)}


# --- Building -----------------------------------------------------------------------------


def build(document: InvoiceDocument) -> bytes:
    """Return the document as PEPPOL BIS Billing 3.0 UBL, pretty-printed UTF-8."""
    _check(document)
    flavour = FLAVOURS[document.kind]
    nsmap: dict[Any, str] = {None: flavour.namespace, "cac": NS_CAC, "cbc": NS_CBC}
    root = etree.Element(flavour.root, nsmap=nsmap)
    _build_header(root, document, flavour)
    _build_references(root, document, flavour)
    _build_party(_sub(_sub(root, Cac.ACCOUNTING_SUPPLIER_PARTY), Cac.PARTY), document.seller)
    _build_party(_sub(_sub(root, Cac.ACCOUNTING_CUSTOMER_PARTY), Cac.PARTY), document.buyer)
    if document.payee is not None:
        _build_payee(_sub(root, Cac.PAYEE_PARTY), document.payee)
    if document.delivery is not None:
        _build_delivery(_sub(root, Cac.DELIVERY), document.delivery)
    _build_payment(root, document, flavour)
    for charge in document.allowances_charges:
        _build_allowance_charge(root, charge, document.currency)
    _build_tax_totals(root, document)
    _build_monetary_total(root, document)
    for line in document.lines:
        _build_line(_sub(root, flavour.line), line, document.currency, flavour)
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


def _sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    for name, value in attrs.items():
        if value:
            element.set(name, value)
    return element


def _opt(parent: Element, tag: str, text: str, **attrs: str) -> None:
    """Add a leaf only when it has a value: UBL has no empty optional elements."""
    if text:
        _sub(parent, tag, text, **attrs)


def _opt_date(parent: Element, tag: str, value: date | None) -> None:
    if value is not None:
        _sub(parent, tag, value.isoformat())


def _amount(parent: Element, tag: str, value: Decimal, currency: str) -> None:
    _sub(parent, tag, _money(value), currencyID=currency)


def _money(value: Decimal) -> str:
    """Return an amount with exactly two decimals (BR-DEC-*); more would change its value."""
    rounded = value.quantize(CENT)
    if rounded != value:
        raise UblError(f"The amount {value} has more than two decimals.")
    return format(rounded, "f")


def _number(value: Decimal) -> str:
    """Return a quantity, price or percentage as written, never in exponent notation."""
    return format(value, "f")


def _org_id(value: str, scheme: str) -> str:
    # A Swedish organisation number goes out as ten digits: the hyphen is only for print.
    return value.replace("-", "").replace(" ", "") if scheme == ORG_NUMBER_SCHEME else value


def _build_header(root: Element, document: InvoiceDocument, flavour: _Flavour) -> None:
    _sub(root, Cbc.CUSTOMIZATION_ID, document.customization_id)
    _sub(root, Cbc.PROFILE_ID, document.profile_id)
    _sub(root, Cbc.ID, document.number)
    _sub(root, Cbc.ISSUE_DATE, document.issue_date.isoformat())
    type_code = document.type_code or flavour.default_type_code
    if flavour is INVOICE:
        _opt_date(root, Cbc.DUE_DATE, document.due_date)
        _sub(root, flavour.type_code, type_code)
    else:
        # CreditNote puts the tax point date before its type code and has no DueDate.
        _opt_date(root, Cbc.TAX_POINT_DATE, document.tax_point_date)
        _sub(root, flavour.type_code, type_code)
    for note in document.notes:
        _sub(root, Cbc.NOTE, note)
    if flavour is INVOICE:
        _opt_date(root, Cbc.TAX_POINT_DATE, document.tax_point_date)
    _sub(root, Cbc.DOCUMENT_CURRENCY_CODE, document.currency)
    _opt(root, Cbc.TAX_CURRENCY_CODE, document.tax_currency)
    _opt(root, Cbc.ACCOUNTING_COST, document.accounting_cost)
    _opt(root, Cbc.BUYER_REFERENCE, document.buyer_reference)


def _build_references(root: Element, document: InvoiceDocument, flavour: _Flavour) -> None:
    _build_period(root, document.period_start, document.period_end)
    if document.order_reference or document.sales_order_reference:
        order = _sub(root, Cac.ORDER_REFERENCE)
        _sub(order, Cbc.ID, document.order_reference or NO_ORDER_ID)
        _opt(order, Cbc.SALES_ORDER_ID, document.sales_order_reference)
    for number, issued in document.preceding_invoices:
        reference = _sub(_sub(root, Cac.BILLING_REFERENCE), Cac.INVOICE_DOCUMENT_REFERENCE)
        _sub(reference, Cbc.ID, number)
        _opt_date(reference, Cbc.ISSUE_DATE, issued)
    _reference(root, Cac.DESPATCH_DOCUMENT_REFERENCE, document.despatch_reference)
    _reference(root, Cac.RECEIPT_DOCUMENT_REFERENCE, document.receiving_reference)
    _reference(root, Cac.CONTRACT_DOCUMENT_REFERENCE, document.contract_reference)
    if flavour is CREDIT_NOTE and document.project_reference:
        project = _sub(root, Cac.ADDITIONAL_DOCUMENT_REFERENCE)
        _sub(project, Cbc.ID, document.project_reference)
        _sub(project, Cbc.DOCUMENT_TYPE_CODE, PROJECT_DOCUMENT_TYPE)
    for attachment in document.attachments:
        _build_attachment(_sub(root, Cac.ADDITIONAL_DOCUMENT_REFERENCE), attachment)
    if flavour is INVOICE:
        _reference(root, Cac.PROJECT_REFERENCE, document.project_reference)


def _build_period(parent: Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    period = _sub(parent, Cac.INVOICE_PERIOD)
    _opt_date(period, Cbc.START_DATE, start)
    _opt_date(period, Cbc.END_DATE, end)


def _reference(root: Element, tag: str, identifier: str) -> None:
    if identifier:
        _sub(_sub(root, tag), Cbc.ID, identifier)


def _build_attachment(reference: Element, attachment: Attachment) -> None:
    _sub(reference, Cbc.ID, attachment.id, schemeID=attachment.id_scheme)
    _opt(reference, Cbc.DOCUMENT_TYPE_CODE, attachment.type_code)
    _opt(reference, Cbc.DOCUMENT_DESCRIPTION, attachment.description)
    if attachment.content is None and not attachment.uri:
        return
    holder = _sub(reference, Cac.ATTACHMENT)
    if attachment.content is not None:
        encoded = base64.b64encode(attachment.content).decode("ascii")
        binary = _sub(holder, Cbc.EMBEDDED_DOCUMENT_BINARY_OBJECT, encoded)
        # mimeCode is required by the schema even when unknown; filename is optional.
        binary.set(Attr.MIME_CODE, attachment.mime_type)
        if attachment.filename:
            binary.set(Attr.FILENAME, attachment.filename)
    if attachment.uri:
        _sub(_sub(holder, Cac.EXTERNAL_REFERENCE), Cbc.URI, attachment.uri)


def _build_party(element: Element, party: Party) -> None:
    if party.endpoint_id:
        endpoint = _org_id(party.endpoint_id, party.endpoint_scheme)
        _sub(element, Cbc.ENDPOINT_ID, endpoint, schemeID=party.endpoint_scheme)
    _build_identifiers(element, party.identifiers)
    if party.trading_name:
        _sub(_sub(element, Cac.PARTY_NAME), Cbc.NAME, party.trading_name)
    _build_address(_sub(element, Cac.POSTAL_ADDRESS), party.address)
    _build_tax_scheme(element, party.vat_number, VAT_SCHEME)
    _build_tax_scheme(element, party.tax_registration, TAX_SCHEME)
    legal = _sub(element, Cac.PARTY_LEGAL_ENTITY)
    _sub(legal, Cbc.REGISTRATION_NAME, party.name)
    _build_legal_id(legal, party)
    _opt(legal, Cbc.COMPANY_LEGAL_FORM, party.legal_form)
    if party.contact_name or party.contact_phone or party.contact_email:
        contact = _sub(element, Cac.CONTACT)
        _opt(contact, Cbc.NAME, party.contact_name)
        _opt(contact, Cbc.TELEPHONE, party.contact_phone)
        _opt(contact, Cbc.ELECTRONIC_MAIL, party.contact_email)


def _build_identifiers(element: Element, identifiers: list[tuple[str, str]]) -> None:
    for identifier, scheme in identifiers:
        identification = _sub(element, Cac.PARTY_IDENTIFICATION)
        _sub(identification, Cbc.ID, _org_id(identifier, scheme), schemeID=scheme)


def _build_legal_id(legal: Element, party: Party) -> None:
    if party.legal_id:
        company_id = _org_id(party.legal_id, party.legal_id_scheme)
        _sub(legal, Cbc.COMPANY_ID, company_id, schemeID=party.legal_id_scheme)


def _build_tax_scheme(element: Element, company_id: str, scheme: str) -> None:
    if company_id:
        tax_scheme = _sub(element, Cac.PARTY_TAX_SCHEME)
        _sub(tax_scheme, Cbc.COMPANY_ID, company_id)
        _sub(_sub(tax_scheme, Cac.TAX_SCHEME), Cbc.ID, scheme)


def _build_address(element: Element, address: Address) -> None:
    _opt(element, Cbc.STREET_NAME, address.street)
    _opt(element, Cbc.ADDITIONAL_STREET_NAME, address.additional_street)
    _opt(element, Cbc.CITY_NAME, address.city)
    _opt(element, Cbc.POSTAL_ZONE, address.postal_zone)
    _opt(element, Cbc.COUNTRY_SUBENTITY, address.country_subentity)
    if address.address_line:
        _sub(_sub(element, Cac.ADDRESS_LINE), Cbc.LINE, address.address_line)
    if address.country:
        _sub(_sub(element, Cac.COUNTRY), Cbc.IDENTIFICATION_CODE, address.country)


def _build_payee(element: Element, payee: Party) -> None:
    """Write BG-10, which has only a name, identifiers and a legal registration id."""
    _build_identifiers(element, payee.identifiers)
    _sub(_sub(element, Cac.PARTY_NAME), Cbc.NAME, payee.name)
    if payee.legal_id:
        _build_legal_id(_sub(element, Cac.PARTY_LEGAL_ENTITY), payee)


def _build_delivery(element: Element, delivery: Delivery) -> None:
    _opt_date(element, Cbc.ACTUAL_DELIVERY_DATE, delivery.date)
    if delivery.location_id or delivery.address is not None:
        location = _sub(element, Cac.DELIVERY_LOCATION)
        _opt(location, Cbc.ID, delivery.location_id, schemeID=delivery.location_scheme)
        if delivery.address is not None:
            _build_address(_sub(location, Cac.ADDRESS), delivery.address)
    if delivery.party_name:
        party_name = _sub(_sub(element, Cac.DELIVERY_PARTY), Cac.PARTY_NAME)
        _sub(party_name, Cbc.NAME, delivery.party_name)


def _build_payment(root: Element, document: InvoiceDocument, flavour: _Flavour) -> None:
    for index, means in enumerate(document.payment_means):
        # BT-9 of a credit note lives in its (first) payment means.
        due = document.due_date if flavour is CREDIT_NOTE and index == 0 else None
        _build_payment_means(_sub(root, Cac.PAYMENT_MEANS), means, due)
    if document.payment_terms:
        _sub(_sub(root, Cac.PAYMENT_TERMS), Cbc.NOTE, document.payment_terms)


def _build_payment_means(element: Element, means: PaymentMeans, due: date | None) -> None:
    _sub(element, Cbc.PAYMENT_MEANS_CODE, means.code, name=means.means_text)
    _opt_date(element, Cbc.PAYMENT_DUE_DATE, due)
    _opt(element, Cbc.PAYMENT_ID, means.payment_id)
    if means.card_number or means.card_network or means.card_holder:
        card = _sub(element, Cac.CARD_ACCOUNT)
        _sub(card, Cbc.PRIMARY_ACCOUNT_NUMBER_ID, means.card_number)
        _sub(card, Cbc.NETWORK_ID, means.card_network)
        _opt(card, Cbc.HOLDER_NAME, means.card_holder)
    if means.account_id or means.account_name or means.branch_id:
        account = _sub(element, Cac.PAYEE_FINANCIAL_ACCOUNT)
        _opt(account, Cbc.ID, means.account_id)
        _opt(account, Cbc.NAME, means.account_name)
        if means.branch_id:
            branch = _sub(account, Cac.FINANCIAL_INSTITUTION_BRANCH)
            _sub(branch, Cbc.ID, means.branch_id)
    if means.mandate_id or means.debited_account:
        mandate = _sub(element, Cac.PAYMENT_MANDATE)
        _opt(mandate, Cbc.ID, means.mandate_id)
        if means.debited_account:
            _sub(_sub(mandate, Cac.PAYER_FINANCIAL_ACCOUNT), Cbc.ID, means.debited_account)


def _build_allowance_charge(parent: Element, charge: AllowanceCharge, currency: str) -> None:
    element = _sub(parent, Cac.ALLOWANCE_CHARGE)
    _sub(element, Cbc.CHARGE_INDICATOR, "true" if charge.is_charge else "false")
    _opt(element, Cbc.ALLOWANCE_CHARGE_REASON_CODE, charge.reason_code)
    _opt(element, Cbc.ALLOWANCE_CHARGE_REASON, charge.reason)
    if charge.percent is not None:
        _sub(element, Cbc.MULTIPLIER_FACTOR_NUMERIC, _number(charge.percent))
    _amount(element, Cbc.AMOUNT, charge.amount, currency)
    if charge.base_amount is not None:
        _amount(element, Cbc.BASE_AMOUNT, charge.base_amount, currency)
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
    element = _sub(parent, tag)
    _sub(element, Cbc.ID, category)
    if rate is not None:
        _sub(element, Cbc.PERCENT, _number(rate))
    _opt(element, Cbc.TAX_EXEMPTION_REASON_CODE, reason[1])
    _opt(element, Cbc.TAX_EXEMPTION_REASON, reason[0])
    _sub(_sub(element, Cac.TAX_SCHEME), Cbc.ID, VAT_SCHEME)


def _build_tax_totals(root: Element, document: InvoiceDocument) -> None:
    tax_total = _sub(root, Cac.TAX_TOTAL)
    _amount(tax_total, Cbc.TAX_AMOUNT, document.totals.tax_amount, document.currency)
    for group in document.vat_breakdown:
        _build_tax_subtotal(_sub(tax_total, Cac.TAX_SUBTOTAL), group, document.currency)
    in_tax_currency = document.totals.tax_amount_in_tax_currency
    if in_tax_currency is not None:
        # BT-111: a second TaxTotal, without subtotals, in the VAT accounting currency.
        currency = document.tax_currency or document.currency
        _amount(_sub(root, Cac.TAX_TOTAL), Cbc.TAX_AMOUNT, in_tax_currency, currency)


def _build_tax_subtotal(element: Element, group: VatBreakdown, currency: str) -> None:
    _amount(element, Cbc.TAXABLE_AMOUNT, group.taxable_amount, currency)
    _amount(element, Cbc.TAX_AMOUNT, group.tax_amount, currency)
    reason = (group.exemption_reason, group.exemption_reason_code)
    _build_tax_category(element, Cac.TAX_CATEGORY, group.category, group.rate, reason)


def _build_monetary_total(root: Element, document: InvoiceDocument) -> None:
    totals, currency = document.totals, document.currency
    element = _sub(root, Cac.LEGAL_MONETARY_TOTAL)
    _amount(element, Cbc.LINE_EXTENSION_AMOUNT, totals.line_extension, currency)
    _amount(element, Cbc.TAX_EXCLUSIVE_AMOUNT, totals.tax_exclusive, currency)
    _amount(element, Cbc.TAX_INCLUSIVE_AMOUNT, totals.tax_inclusive, currency)
    charges = document.allowances_charges
    # BR-CO-11/12: the sums must be present whenever there is something to sum.
    if totals.allowance_total or any(not c.is_charge for c in charges):
        _amount(element, Cbc.ALLOWANCE_TOTAL_AMOUNT, totals.allowance_total, currency)
    if totals.charge_total or any(c.is_charge for c in charges):
        _amount(element, Cbc.CHARGE_TOTAL_AMOUNT, totals.charge_total, currency)
    if totals.prepaid:
        _amount(element, Cbc.PREPAID_AMOUNT, totals.prepaid, currency)
    if totals.rounding:
        _amount(element, Cbc.PAYABLE_ROUNDING_AMOUNT, totals.rounding, currency)
    _amount(element, Cbc.PAYABLE_AMOUNT, totals.payable, currency)


def _build_line(element: Element, line: Line, currency: str, flavour: _Flavour) -> None:
    _sub(element, Cbc.ID, line.id)
    _opt(element, Cbc.NOTE, line.note)
    _sub(element, flavour.quantity, _number(line.quantity), unitCode=line.unit_code)
    _amount(element, Cbc.LINE_EXTENSION_AMOUNT, line.line_extension, currency)
    _opt(element, Cbc.ACCOUNTING_COST, line.accounting_cost)
    _build_period(element, line.period_start, line.period_end)
    if line.order_line_reference:
        _sub(_sub(element, Cac.ORDER_LINE_REFERENCE), Cbc.LINE_ID, line.order_line_reference)
    for charge in line.allowances_charges:
        _build_allowance_charge(element, charge, currency)
    _build_item(_sub(element, Cac.ITEM), line)
    _build_price(_sub(element, Cac.PRICE), line, currency)


def _build_item(item: Element, line: Line) -> None:
    _opt(item, Cbc.DESCRIPTION, line.description)
    _sub(item, Cbc.NAME, line.name)
    _item_id(item, Cac.BUYERS_ITEM_IDENTIFICATION, line.buyer_item_id)
    _item_id(item, Cac.SELLERS_ITEM_IDENTIFICATION, line.seller_item_id)
    _item_id(
        item, Cac.STANDARD_ITEM_IDENTIFICATION, line.standard_item_id, line.standard_item_scheme
    )
    if line.origin_country:
        _sub(_sub(item, Cac.ORIGIN_COUNTRY), Cbc.IDENTIFICATION_CODE, line.origin_country)
    for code, list_id in line.classification:
        classification = _sub(item, Cac.COMMODITY_CLASSIFICATION)
        _sub(classification, Cbc.ITEM_CLASSIFICATION_CODE, code, listID=list_id)
    _build_tax_category(item, Cac.CLASSIFIED_TAX_CATEGORY, line.vat_category, line.vat_rate)
    for name, value in line.properties:
        prop = _sub(item, Cac.ADDITIONAL_ITEM_PROPERTY)
        _sub(prop, Cbc.NAME, name)
        _sub(prop, Cbc.VALUE, value)


def _item_id(item: Element, tag: str, identifier: str, scheme: str = "") -> None:
    if identifier:
        _sub(_sub(item, tag), Cbc.ID, identifier, schemeID=scheme)


def _build_price(price: Element, line: Line, currency: str) -> None:
    # Prices are unit prices, not amounts: written with the decimals they have.
    _sub(price, Cbc.PRICE_AMOUNT, _number(line.net_price), currencyID=currency)
    if line.base_quantity is not None:
        # PEPPOL-EN16931-R130: the base quantity's unit is the invoiced quantity's.
        _sub(price, Cbc.BASE_QUANTITY, _number(line.base_quantity), unitCode=line.unit_code)
    if line.price_discount is None and line.gross_price is None:
        return
    discount = _sub(price, Cac.ALLOWANCE_CHARGE)
    _sub(discount, Cbc.CHARGE_INDICATOR, "false")
    amount = line.price_discount
    if amount is None and line.gross_price is not None:
        amount = line.gross_price - line.net_price  # BT-146 = BT-148 - BT-147
    _sub(discount, Cbc.AMOUNT, _number(amount or Decimal(0)), currencyID=currency)
    if line.gross_price is not None:
        _sub(discount, Cbc.BASE_AMOUNT, _number(line.gross_price), currencyID=currency)


# --- Parsing ------------------------------------------------------------------------------


def parse(root: Element) -> InvoiceDocument:
    """Return the document a safely parsed UBL Invoice or CreditNote root describes."""
    # The kind's default type code (380, 381) reads back as "", the model's word for it.
    flavour = _flavour_of(root)
    type_code = _text(root, flavour.type_code)
    due_date = _date(root, Cbc.DUE_DATE)
    if flavour is CREDIT_NOTE:
        due_date = _date(root, Cac.PAYMENT_MEANS, Cbc.PAYMENT_DUE_DATE)
    order_id = _text(root, Cac.ORDER_REFERENCE, Cbc.ID)
    sales_order_id = _text(root, Cac.ORDER_REFERENCE, Cbc.SALES_ORDER_ID)
    project_reference, attachments = _parse_document_references(root, flavour)
    return InvoiceDocument(
        kind=flavour.kind,
        number=_text(root, Cbc.ID),
        issue_date=_required_date(root, Cbc.ISSUE_DATE),
        seller=_parse_party(_find(root, Cac.ACCOUNTING_SUPPLIER_PARTY, Cac.PARTY)),
        buyer=_parse_party(_find(root, Cac.ACCOUNTING_CUSTOMER_PARTY, Cac.PARTY)),
        lines=[_parse_line(line, flavour) for line in root.findall(flavour.line)],
        currency=_text(root, Cbc.DOCUMENT_CURRENCY_CODE),
        type_code="" if type_code == flavour.default_type_code else type_code,
        due_date=due_date,
        tax_point_date=_date(root, Cbc.TAX_POINT_DATE),
        tax_currency=_text(root, Cbc.TAX_CURRENCY_CODE),
        buyer_reference=_text(root, Cbc.BUYER_REFERENCE),
        order_reference="" if sales_order_id and order_id == NO_ORDER_ID else order_id,
        sales_order_reference=sales_order_id,
        contract_reference=_text(root, Cac.CONTRACT_DOCUMENT_REFERENCE, Cbc.ID),
        project_reference=project_reference,
        despatch_reference=_text(root, Cac.DESPATCH_DOCUMENT_REFERENCE, Cbc.ID),
        receiving_reference=_text(root, Cac.RECEIPT_DOCUMENT_REFERENCE, Cbc.ID),
        accounting_cost=_text(root, Cbc.ACCOUNTING_COST),
        notes=[element.text or "" for element in root.findall(Cbc.NOTE)],
        preceding_invoices=_parse_preceding(root),
        period_start=_date(root, Cac.INVOICE_PERIOD, Cbc.START_DATE),
        period_end=_date(root, Cac.INVOICE_PERIOD, Cbc.END_DATE),
        payee=_parse_payee(_find(root, Cac.PAYEE_PARTY)),
        delivery=_parse_delivery(_find(root, Cac.DELIVERY)),
        payment_means=[_parse_payment_means(m) for m in root.findall(Cac.PAYMENT_MEANS)],
        payment_terms=_text(root, Cac.PAYMENT_TERMS, Cbc.NOTE),
        allowances_charges=[_parse_allowance_charge(e) for e in root.findall(Cac.ALLOWANCE_CHARGE)],
        vat_breakdown=_parse_vat_breakdown(root),
        totals=_parse_totals(root),
        attachments=attachments,
        customization_id=_text(root, Cbc.CUSTOMIZATION_ID),
        profile_id=_text(root, Cbc.PROFILE_ID),
    )


def _flavour_of(root: Element) -> _Flavour:
    for flavour in FLAVOURS.values():
        if root.tag == flavour.root:
            return flavour
    raise UblError("The document is neither a UBL 2.1 Invoice nor a UBL 2.1 CreditNote.")


def _find(element: Element | None, *path: str) -> Element | None:
    return None if element is None else element.find("/".join(path))


def _text(element: Element | None, *path: str) -> str:
    found = _find(element, *path)
    return "" if found is None else found.text or ""


def _attr(element: Element | None, name: str, *path: str) -> str:
    found = _find(element, *path) if path else element
    return "" if found is None else found.get(name) or ""


def _decimal(element: Element | None, *path: str) -> Decimal | None:
    found = _find(element, *path)
    if found is None:
        return None
    try:
        value = Decimal((found.text or "").strip())
    except InvalidOperation:
        raise UblError(f"{_local(found)} is not a number: {found.text!r}") from None
    if not value.is_finite():
        raise UblError(f"{_local(found)} is not a number: {found.text!r}")
    return value


def _decimal_or_zero(element: Element | None, *path: str) -> Decimal:
    """Return a number, zero when the (optional) element is absent."""
    value = _decimal(element, *path)
    return Decimal(0) if value is None else value


def _date(element: Element | None, *path: str) -> date | None:
    found = _find(element, *path)
    if found is None:
        return None
    # xs:date may carry a time zone ("2024-01-31Z", "+01:00"); the date is what counts.
    text = (found.text or "").strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UblError(f"{_local(found)} is not a date: {found.text!r}") from None


def _required_date(element: Element, *path: str) -> date:
    value = _date(element, *path)
    if value is None:
        raise UblError(f"The document has no {path[-1].split('}')[-1]}.")
    return value


def _local(element: Element) -> str:
    return etree.QName(element).localname


def _parse_document_references(root: Element, flavour: _Flavour) -> tuple[str, list[Attachment]]:
    project = _text(root, Cac.PROJECT_REFERENCE, Cbc.ID)
    attachments = []
    for reference in root.findall(Cac.ADDITIONAL_DOCUMENT_REFERENCE):
        type_code = _text(reference, Cbc.DOCUMENT_TYPE_CODE)
        if flavour is CREDIT_NOTE and type_code == PROJECT_DOCUMENT_TYPE and not project:
            project = _text(reference, Cbc.ID)
            continue
        attachments.append(_parse_attachment(reference))
    return project, attachments


def _parse_attachment(reference: Element) -> Attachment:
    binary = _find(reference, Cac.ATTACHMENT, Cbc.EMBEDDED_DOCUMENT_BINARY_OBJECT)
    content = None
    if binary is not None:
        try:
            content = base64.b64decode(binary.text or "")
        except binascii.Error:
            raise UblError("An embedded attachment is not valid base64.") from None
    return Attachment(
        id=_text(reference, Cbc.ID),
        id_scheme=_attr(reference, Attr.SCHEME_ID, Cbc.ID),
        description=_text(reference, Cbc.DOCUMENT_DESCRIPTION),
        filename=_attr(binary, Attr.FILENAME),
        mime_type=_attr(binary, Attr.MIME_CODE),
        content=content,
        uri=_text(reference, Cac.ATTACHMENT, Cac.EXTERNAL_REFERENCE, Cbc.URI),
        type_code=_text(reference, Cbc.DOCUMENT_TYPE_CODE),
    )


def _parse_preceding(root: Element) -> list[tuple[str, date | None]]:
    preceding = []
    for billing in root.findall(Cac.BILLING_REFERENCE):
        reference = _find(billing, Cac.INVOICE_DOCUMENT_REFERENCE)
        if reference is not None:
            preceding.append((_text(reference, Cbc.ID), _date(reference, Cbc.ISSUE_DATE)))
    return preceding


def _parse_party(element: Element | None) -> Party:
    legal = _find(element, Cac.PARTY_LEGAL_ENTITY)
    trading_name = _text(element, Cac.PARTY_NAME, Cbc.NAME)
    # The registration name is mandatory; fall back to the trading name if a sender forgot it.
    name_element = _find(legal, Cbc.REGISTRATION_NAME)
    tax_ids = _parse_tax_schemes(element)
    return Party(
        name=trading_name if name_element is None else name_element.text or "",
        endpoint_id=_text(element, Cbc.ENDPOINT_ID),
        endpoint_scheme=_attr(element, Attr.SCHEME_ID, Cbc.ENDPOINT_ID),
        trading_name=trading_name,
        identifiers=_parse_identifiers(element),
        legal_id=_text(legal, Cbc.COMPANY_ID),
        legal_id_scheme=_attr(legal, Attr.SCHEME_ID, Cbc.COMPANY_ID),
        legal_form=_text(legal, Cbc.COMPANY_LEGAL_FORM),
        vat_number=tax_ids.get(VAT_SCHEME, ""),
        tax_registration=tax_ids.get(TAX_SCHEME, ""),
        address=_parse_address(_find(element, Cac.POSTAL_ADDRESS)),
        contact_name=_text(element, Cac.CONTACT, Cbc.NAME),
        contact_phone=_text(element, Cac.CONTACT, Cbc.TELEPHONE),
        contact_email=_text(element, Cac.CONTACT, Cbc.ELECTRONIC_MAIL),
    )


def _parse_identifiers(element: Element | None) -> list[tuple[str, str]]:
    if element is None:
        return []
    return [
        (_text(identification, Cbc.ID), _attr(identification, Attr.SCHEME_ID, Cbc.ID))
        for identification in element.findall(Cac.PARTY_IDENTIFICATION)
    ]


def _parse_tax_schemes(element: Element | None) -> dict[str, str]:
    """Return the party's tax ids: "VAT" for BT-31/48, "TAX" for any other scheme (BT-32)."""
    found: dict[str, str] = {}
    for tax_scheme in [] if element is None else element.findall(Cac.PARTY_TAX_SCHEME):
        scheme = _text(tax_scheme, Cac.TAX_SCHEME, Cbc.ID).strip().upper()
        key = VAT_SCHEME if scheme == VAT_SCHEME else TAX_SCHEME
        found.setdefault(key, _text(tax_scheme, Cbc.COMPANY_ID))
    return found


def _parse_address(element: Element | None) -> Address:
    if element is None:
        return Address(country="")
    return Address(
        street=_text(element, Cbc.STREET_NAME),
        additional_street=_text(element, Cbc.ADDITIONAL_STREET_NAME),
        city=_text(element, Cbc.CITY_NAME),
        postal_zone=_text(element, Cbc.POSTAL_ZONE),
        country_subentity=_text(element, Cbc.COUNTRY_SUBENTITY),
        address_line=_text(element, Cac.ADDRESS_LINE, Cbc.LINE),
        country=_text(element, Cac.COUNTRY, Cbc.IDENTIFICATION_CODE),
    )


def _parse_payee(element: Element | None) -> Party | None:
    if element is None:
        return None
    legal = _find(element, Cac.PARTY_LEGAL_ENTITY)
    # BG-10 has no address; the model's default one stands in for it.
    return Party(
        name=_text(element, Cac.PARTY_NAME, Cbc.NAME),
        identifiers=_parse_identifiers(element),
        legal_id=_text(legal, Cbc.COMPANY_ID),
        legal_id_scheme=_attr(legal, Attr.SCHEME_ID, Cbc.COMPANY_ID),
    )


def _parse_delivery(element: Element | None) -> Delivery | None:
    if element is None:
        return None
    location = _find(element, Cac.DELIVERY_LOCATION)
    address = _find(location, Cac.ADDRESS)
    return Delivery(
        date=_date(element, Cbc.ACTUAL_DELIVERY_DATE),
        location_id=_text(location, Cbc.ID),
        location_scheme=_attr(location, Attr.SCHEME_ID, Cbc.ID),
        address=None if address is None else _parse_address(address),
        party_name=_text(element, Cac.DELIVERY_PARTY, Cac.PARTY_NAME, Cbc.NAME),
    )


def _parse_payment_means(element: Element) -> PaymentMeans:
    account = _find(element, Cac.PAYEE_FINANCIAL_ACCOUNT)
    card = _find(element, Cac.CARD_ACCOUNT)
    mandate = _find(element, Cac.PAYMENT_MANDATE)
    return PaymentMeans(
        code=_text(element, Cbc.PAYMENT_MEANS_CODE),
        payment_id=_text(element, Cbc.PAYMENT_ID),
        account_id=_text(account, Cbc.ID),
        account_name=_text(account, Cbc.NAME),
        branch_id=_text(account, Cac.FINANCIAL_INSTITUTION_BRANCH, Cbc.ID),
        means_text=_attr(element, Attr.NAME, Cbc.PAYMENT_MEANS_CODE),
        card_number=_text(card, Cbc.PRIMARY_ACCOUNT_NUMBER_ID),
        mandate_id=_text(mandate, Cbc.ID),
        debited_account=_text(mandate, Cac.PAYER_FINANCIAL_ACCOUNT, Cbc.ID),
        card_network=_text(card, Cbc.NETWORK_ID),
        card_holder=_text(card, Cbc.HOLDER_NAME),
    )


def _parse_allowance_charge(element: Element) -> AllowanceCharge:
    category = _find(element, Cac.TAX_CATEGORY)
    return AllowanceCharge(
        is_charge=_text(element, Cbc.CHARGE_INDICATOR).strip().lower() in {"true", "1"},
        amount=_decimal_or_zero(element, Cbc.AMOUNT),
        reason=_text(element, Cbc.ALLOWANCE_CHARGE_REASON),
        reason_code=_text(element, Cbc.ALLOWANCE_CHARGE_REASON_CODE),
        base_amount=_decimal(element, Cbc.BASE_AMOUNT),
        percent=_decimal(element, Cbc.MULTIPLIER_FACTOR_NUMERIC),
        vat_category=_text(category, Cbc.ID),
        vat_rate=_decimal(category, Cbc.PERCENT),
    )


def _tax_totals(root: Element) -> tuple[Element | None, Element | None]:
    """Return the TaxTotal with the breakdown and the one in the tax currency (BT-111)."""
    totals = root.findall(Cac.TAX_TOTAL)
    if not totals:
        return None, None
    with_subtotals = [total for total in totals if _find(total, Cac.TAX_SUBTOTAL) is not None]
    main = with_subtotals[0] if with_subtotals else totals[0]
    others = [total for total in totals if total is not main]
    return main, others[0] if others else None


def _parse_vat_breakdown(root: Element) -> list[VatBreakdown]:
    main, _other = _tax_totals(root)
    subtotals = [] if main is None else main.findall(Cac.TAX_SUBTOTAL)
    return [
        VatBreakdown(
            category=_text(subtotal, Cac.TAX_CATEGORY, Cbc.ID),
            rate=_decimal(subtotal, Cac.TAX_CATEGORY, Cbc.PERCENT),
            taxable_amount=_decimal_or_zero(subtotal, Cbc.TAXABLE_AMOUNT),
            tax_amount=_decimal_or_zero(subtotal, Cbc.TAX_AMOUNT),
            exemption_reason=_text(subtotal, Cac.TAX_CATEGORY, Cbc.TAX_EXEMPTION_REASON),
            exemption_reason_code=_text(subtotal, Cac.TAX_CATEGORY, Cbc.TAX_EXEMPTION_REASON_CODE),
        )
        for subtotal in subtotals
    ]


def _parse_totals(root: Element) -> Totals:
    main, other = _tax_totals(root)
    monetary = _find(root, Cac.LEGAL_MONETARY_TOTAL)
    return Totals(
        line_extension=_decimal_or_zero(monetary, Cbc.LINE_EXTENSION_AMOUNT),
        allowance_total=_decimal_or_zero(monetary, Cbc.ALLOWANCE_TOTAL_AMOUNT),
        charge_total=_decimal_or_zero(monetary, Cbc.CHARGE_TOTAL_AMOUNT),
        tax_exclusive=_decimal_or_zero(monetary, Cbc.TAX_EXCLUSIVE_AMOUNT),
        tax_amount=_decimal_or_zero(main, Cbc.TAX_AMOUNT),
        tax_inclusive=_decimal_or_zero(monetary, Cbc.TAX_INCLUSIVE_AMOUNT),
        prepaid=_decimal_or_zero(monetary, Cbc.PREPAID_AMOUNT),
        rounding=_decimal_or_zero(monetary, Cbc.PAYABLE_ROUNDING_AMOUNT),
        payable=_decimal_or_zero(monetary, Cbc.PAYABLE_AMOUNT),
        tax_amount_in_tax_currency=_decimal(other, Cbc.TAX_AMOUNT),
    )


def _parse_line(element: Element, flavour: _Flavour) -> Line:
    item = _find(element, Cac.ITEM)
    price = _find(element, Cac.PRICE)
    tax_category = _find(item, Cac.CLASSIFIED_TAX_CATEGORY)
    return Line(
        id=_text(element, Cbc.ID),
        name=_text(item, Cbc.NAME),
        quantity=_decimal_or_zero(element, flavour.quantity),
        unit_code=_attr(element, Attr.UNIT_CODE, flavour.quantity),
        net_price=_decimal_or_zero(price, Cbc.PRICE_AMOUNT),
        vat_category=_text(tax_category, Cbc.ID),
        vat_rate=_decimal(tax_category, Cbc.PERCENT),
        line_extension=_decimal_or_zero(element, Cbc.LINE_EXTENSION_AMOUNT),
        description=_text(item, Cbc.DESCRIPTION),
        note=_text(element, Cbc.NOTE),
        base_quantity=_decimal(price, Cbc.BASE_QUANTITY),
        gross_price=_decimal(price, Cac.ALLOWANCE_CHARGE, Cbc.BASE_AMOUNT),
        price_discount=_decimal(price, Cac.ALLOWANCE_CHARGE, Cbc.AMOUNT),
        seller_item_id=_text(item, Cac.SELLERS_ITEM_IDENTIFICATION, Cbc.ID),
        buyer_item_id=_text(item, Cac.BUYERS_ITEM_IDENTIFICATION, Cbc.ID),
        standard_item_id=_text(item, Cac.STANDARD_ITEM_IDENTIFICATION, Cbc.ID),
        standard_item_scheme=_attr(item, Attr.SCHEME_ID, Cac.STANDARD_ITEM_IDENTIFICATION, Cbc.ID),
        classification=_parse_classification(item),
        origin_country=_text(item, Cac.ORIGIN_COUNTRY, Cbc.IDENTIFICATION_CODE),
        properties=_parse_properties(item),
        order_line_reference=_text(element, Cac.ORDER_LINE_REFERENCE, Cbc.LINE_ID),
        accounting_cost=_text(element, Cbc.ACCOUNTING_COST),
        period_start=_date(element, Cac.INVOICE_PERIOD, Cbc.START_DATE),
        period_end=_date(element, Cac.INVOICE_PERIOD, Cbc.END_DATE),
        allowances_charges=[
            _parse_allowance_charge(e) for e in element.findall(Cac.ALLOWANCE_CHARGE)
        ],
    )


def _children(element: Element | None, tag: str) -> Iterable[Element]:
    return [] if element is None else element.findall(tag)


def _parse_classification(item: Element | None) -> list[tuple[str, str]]:
    return [
        (
            _text(c, Cbc.ITEM_CLASSIFICATION_CODE),
            _attr(c, Attr.LIST_ID, Cbc.ITEM_CLASSIFICATION_CODE),
        )
        for c in _children(item, Cac.COMMODITY_CLASSIFICATION)
    ]


def _parse_properties(item: Element | None) -> list[tuple[str, str]]:
    return [
        (_text(p, Cbc.NAME), _text(p, Cbc.VALUE))
        for p in _children(item, Cac.ADDITIONAL_ITEM_PROPERTY)
    ]
