"""The names UBL 2.1 uses: namespaces, element and attribute names, codes, the two flavours.

`Cac`, `Cbc` and `Attr` spell every element and attribute the portal writes or reads, so
a misspelt name fails in mypy instead of writing or reading an element UBL does not have.
Where Invoice and CreditNote differ (root, type code, line and quantity element), `Flavour`
says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from invoices.document import DocumentKind

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
class Flavour:
    """What differs between a UBL Invoice and a UBL CreditNote."""

    kind: DocumentKind
    namespace: str
    root: str
    type_code: str
    default_type_code: str
    line: str
    quantity: str


INVOICE = Flavour(
    kind=DocumentKind.INVOICE,
    namespace=NS_INVOICE,
    root=f"{{{NS_INVOICE}}}Invoice",
    type_code=Cbc.INVOICE_TYPE_CODE,
    default_type_code="380",
    line=Cac.INVOICE_LINE,
    quantity=Cbc.INVOICED_QUANTITY,
)
CREDIT_NOTE = Flavour(
    kind=DocumentKind.CREDIT_NOTE,
    namespace=NS_CREDIT_NOTE,
    root=f"{{{NS_CREDIT_NOTE}}}CreditNote",
    type_code=Cbc.CREDIT_NOTE_TYPE_CODE,
    default_type_code="381",
    line=Cac.CREDIT_NOTE_LINE,
    quantity=Cbc.CREDITED_QUANTITY,
)
FLAVOURS = {flavour.kind: flavour for flavour in (INVOICE, CREDIT_NOTE)}
