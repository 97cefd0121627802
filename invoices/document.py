"""The invoice as a document: a pure, typed model of what a PEPPOL BIS Billing 3.0
Invoice or CreditNote carries (the EN 16931 semantic model, the parts the portal uses).

Everything that turns an invoice into bytes or back works on these values:
`invoices.ubl` builds and parses UBL, `invoices.totals` computes the amounts,
`invoices.pdf` renders them. No ORM here; the models map to and from it.
Amounts are Decimal, never float. Business-term ids (BT-n / BG-n) are noted
where the name alone would not say which one is meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


class DocumentKind(StrEnum):
    INVOICE = "invoice"  # UBL Invoice, type code 380 (or 383, 386, ...)
    CREDIT_NOTE = "credit_note"  # UBL CreditNote, type code 381


class VatCategory(StrEnum):
    """UNCL5305 codes used by EN 16931 (BT-118, BT-151)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"
    CANARY = "L"
    CEUTA_MELILLA = "M"


@dataclass
class Address:
    street: str = ""  # BT-35 / BT-50
    additional_street: str = ""  # BT-36 / BT-51
    city: str = ""
    postal_zone: str = ""
    country_subentity: str = ""
    address_line: str = ""  # BT-162 / BT-163
    country: str = "SE"  # ISO 3166-1 alpha-2


@dataclass
class Party:
    """Seller (BG-4), buyer (BG-7), payee (BG-10) or the delivery party."""

    name: str  # registration name (BT-27 / BT-44)
    endpoint_id: str = ""  # BT-34 / BT-49, e.g. "5566778899"
    endpoint_scheme: str = ""  # EAS code, e.g. "0007" (org number), "0088" (GLN)
    trading_name: str = ""  # BT-28 / BT-45 (PartyName)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (id, scheme or "")
    legal_id: str = ""  # BT-30 / BT-47, the org number without hyphen
    legal_id_scheme: str = ""  # "0007" for a Swedish org number
    legal_form: str = ""  # BT-33, e.g. "Säte: Stockholm"
    vat_number: str = ""  # BT-31 / BT-48
    tax_registration: str = ""  # BT-32, in Sweden "Godkänd för F-skatt"
    address: Address = field(default_factory=Address)
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass
class AllowanceCharge:
    """A document-level (BG-20 / BG-21) or line-level (BG-27 / BG-28) allowance or charge."""

    is_charge: bool
    amount: Decimal
    reason: str = ""
    reason_code: str = ""  # UNCL5189 (allowance) / UNCL7161 (charge)
    base_amount: Decimal | None = None
    percent: Decimal | None = None
    vat_category: str = ""  # document level only
    vat_rate: Decimal | None = None  # document level only


@dataclass
class Line:
    id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129; negative on correcting invoices
    unit_code: str  # BT-130, UN/ECE rec. 20 (e.g. "EA", "HUR", "C62")
    net_price: Decimal  # BT-146
    vat_category: str  # BT-151
    vat_rate: Decimal | None  # BT-152; None for category O
    line_extension: Decimal = Decimal("0")  # BT-131, computed by invoices.totals
    description: str = ""  # BT-154
    note: str = ""  # BT-127
    base_quantity: Decimal | None = None  # BT-149
    gross_price: Decimal | None = None  # BT-148
    price_discount: Decimal | None = None  # BT-147
    seller_item_id: str = ""  # BT-155, the article number
    buyer_item_id: str = ""  # BT-156
    standard_item_id: str = ""  # BT-157
    standard_item_scheme: str = ""  # e.g. "0160" (GTIN)
    classification: list[tuple[str, str]] = field(default_factory=list)  # (code, listID)
    origin_country: str = ""
    properties: list[tuple[str, str]] = field(default_factory=list)  # (name, value)
    order_line_reference: str = ""  # BT-132
    accounting_cost: str = ""  # BT-133
    period_start: date | None = None
    period_end: date | None = None
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)


@dataclass
class VatBreakdown:
    """One VAT category and rate of BG-23."""

    category: str
    rate: Decimal | None
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str = ""  # BT-120
    exemption_reason_code: str = ""  # BT-121, VATEX code


@dataclass
class Totals:
    """BG-22, computed by invoices.totals (or read from an imported document)."""

    line_extension: Decimal = Decimal("0")  # BT-106
    allowance_total: Decimal = Decimal("0")  # BT-107
    charge_total: Decimal = Decimal("0")  # BT-108
    tax_exclusive: Decimal = Decimal("0")  # BT-109
    tax_amount: Decimal = Decimal("0")  # BT-110
    tax_inclusive: Decimal = Decimal("0")  # BT-112
    prepaid: Decimal = Decimal("0")  # BT-113
    rounding: Decimal = Decimal("0")  # BT-114
    payable: Decimal = Decimal("0")  # BT-115
    tax_amount_in_tax_currency: Decimal | None = None  # BT-111


@dataclass
class PaymentMeans:
    """BG-16: how to pay. In Sweden usually code 30 with a Bankgiro or Plusgiro account."""

    code: str  # UNCL4461: "30" credit transfer, "58" SEPA credit transfer, ...
    payment_id: str = ""  # BT-83, the OCR number / payment reference
    account_id: str = ""  # BT-84: Bankgiro/Plusgiro digits or IBAN
    account_name: str = ""  # BT-85
    branch_id: str = ""  # BT-86: "SE:BANKGIRO", "SE:PLUSGIRO" or a BIC
    means_text: str = ""  # BT-82
    card_number: str = ""  # BT-87 (last digits)
    mandate_id: str = ""  # BT-89
    debited_account: str = ""  # BT-91
    card_network: str = ""  # UBL requires a NetworkID beside BT-87, e.g. "VISA"
    card_holder: str = ""  # BT-88


@dataclass
class Attachment:
    """BG-24: a supporting document, embedded (content) or referenced (uri)."""

    id: str
    description: str = ""
    filename: str = ""
    mime_type: str = ""
    content: bytes | None = None
    uri: str = ""
    type_code: str = ""  # "130" for an invoiced object identifier
    id_scheme: str = ""  # BT-18-1, the scheme of an invoiced object identifier


@dataclass
class Delivery:
    date: date | None = None  # BT-72
    location_id: str = ""
    location_scheme: str = ""
    address: Address | None = None
    party_name: str = ""


@dataclass
class TaxExchange:
    """The rate behind the VAT in SEK (BT-111) of an invoice in another currency.

    Swedish law wants the rate shown with its source and date. PEPPOL BIS forbids
    `cac:TaxExchangeRate` (UBL-CR), so the UBL states the rate in a note (BT-22) and the
    portal keeps the exact values with the invoice; the PDF shows them from here.
    """

    rate: Decimal  # SEK for one unit of the invoice currency
    rate_date: date
    source: str  # "riksbank", "fixture", "manual" or "import"


@dataclass
class InvoiceDocument:
    kind: DocumentKind
    number: str  # BT-1
    issue_date: date  # BT-2
    seller: Party
    buyer: Party
    lines: list[Line]
    currency: str = "SEK"  # BT-5
    type_code: str = ""  # BT-3: "380" invoice, "381" credit note; "" = the kind's default
    due_date: date | None = None  # BT-9
    tax_point_date: date | None = None  # BT-7
    tax_currency: str = ""  # BT-6
    buyer_reference: str = ""  # BT-10 ("Er referens")
    order_reference: str = ""  # BT-13
    sales_order_reference: str = ""  # BT-14
    contract_reference: str = ""  # BT-12
    project_reference: str = ""  # BT-11
    despatch_reference: str = ""  # BT-16
    receiving_reference: str = ""  # BT-15
    accounting_cost: str = ""  # BT-19
    notes: list[str] = field(default_factory=list)  # BT-22
    preceding_invoices: list[tuple[str, date | None]] = field(default_factory=list)  # BG-3
    period_start: date | None = None  # BG-14
    period_end: date | None = None
    payee: Party | None = None  # BG-10
    delivery: Delivery | None = None  # BG-13
    payment_means: list[PaymentMeans] = field(default_factory=list)
    payment_terms: str = ""  # BT-20
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    vat_breakdown: list[VatBreakdown] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    attachments: list[Attachment] = field(default_factory=list)
    tax_exchange: TaxExchange | None = None  # not in UBL: see TaxExchange
    customization_id: str = CUSTOMIZATION_ID
    profile_id: str = PROFILE_ID
