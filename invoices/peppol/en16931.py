"""PEPPOL-EN16931-R001..R080: what the whole document must carry (process, parties, VAT totals)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from invoices.findings import Finding

from ._core import (
    FATAL,
    Doc,
    Element,
    Rule,
    cac,
    cbc,
    decimal,
    first,
    normalize,
    string_value,
    text,
)

SPECIFICATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"

# Since 3.0.21 the process must be one of these; billing:02:1.0 is no longer accepted.
PROFILES = {
    "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0": "01",
    "urn:peppol:bis:billing_with_response": "02",
    "urn:peppol:france:billing:regulated": "FR",
    "urn:peppol:france:billing:non-regulated": "FR",
}

R001 = Rule(
    "PEPPOL-EN16931-R001",
    FATAL,
    "The business process (ProfileID) is missing.",
    "Affärsprocessen (ProfileID) saknas.",
)
R002 = Rule(
    "PEPPOL-EN16931-R002",
    FATAL,
    "Only one note is allowed on the invoice as a whole; merge the notes into one.",
    "Bara en notering får finnas på fakturanivå; slå ihop noteringarna till en.",
)
R003 = Rule(
    "PEPPOL-EN16931-R003",
    FATAL,
    "The buyer's reference or an order reference is required (many public buyers need it "
    "to route the invoice).",
    "Köparens referens eller en ordérreferens krävs (många offentliga köpare behöver den "
    "för att hantera fakturan).",
)
R004 = Rule(
    "PEPPOL-EN16931-R004",
    FATAL,
    f"The specification identifier (CustomizationID) must start with {SPECIFICATION}.",
    f"Specifikationsidentiteten (CustomizationID) måste börja med {SPECIFICATION}.",
)
R005 = Rule(
    "PEPPOL-EN16931-R005",
    FATAL,
    "The VAT accounting currency must differ from the invoice currency; leave it out when "
    "they are the same.",
    "Redovisningsvalutan för moms måste skilja sig från fakturans valuta; utelämna den när "
    "de är samma.",
)
R007 = Rule(
    "PEPPOL-EN16931-R007",
    FATAL,
    "The business process (ProfileID) is not one PEPPOL accepts; use "
    "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0.",
    "Affärsprocessen (ProfileID) godtas inte av PEPPOL; använd "
    "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0.",
)
R008 = Rule(
    "PEPPOL-EN16931-R008",
    FATAL,
    "The document contains an empty element; remove it or give it a value.",
    "Dokumentet innehåller ett tomt element; ta bort det eller ge det ett värde.",
)
R010 = Rule(
    "PEPPOL-EN16931-R010",
    FATAL,
    "The buyer's electronic address (e.g. PEPPOL id) is missing.",
    "Köparens elektroniska adress (t.ex. PEPPOL-id) saknas.",
)
R020 = Rule(
    "PEPPOL-EN16931-R020",
    FATAL,
    "The seller's electronic address (e.g. PEPPOL id) is missing.",
    "Säljarens elektroniska adress (t.ex. PEPPOL-id) saknas.",
)
R051 = Rule(
    "PEPPOL-EN16931-R051",
    FATAL,
    "Every amount must be in the invoice currency (only the VAT total in accounting currency "
    "may differ).",
    "Alla belopp måste anges i fakturans valuta (bara momssumman i redovisningsvaluta får avvika).",
)
R053 = Rule(
    "PEPPOL-EN16931-R053",
    FATAL,
    "There must be exactly one VAT total with a VAT breakdown.",
    "Det måste finnas exakt en momssumma med momsspecifikation.",
)
R054 = Rule(
    "PEPPOL-EN16931-R054",
    FATAL,
    "A VAT total without breakdown is required exactly once when a VAT accounting currency "
    "is given, and not allowed otherwise.",
    "En momssumma utan specifikation ska finnas exakt en gång när redovisningsvaluta anges, "
    "och annars inte alls.",
)
R055 = Rule(
    "PEPPOL-EN16931-R055",
    FATAL,
    "The VAT total and the VAT total in accounting currency must have the same sign.",
    "Momssumman och momssumman i redovisningsvaluta måste ha samma tecken.",
)
R061 = Rule(
    "PEPPOL-EN16931-R061",
    FATAL,
    "Direct debit needs the mandate reference.",
    "Autogiro/direktdebitering kräver medgivandereferens.",
)
R080 = Rule(
    "PEPPOL-EN16931-R080",
    FATAL,
    "Only one project reference is allowed on the document.",
    "Bara en projektreferens får finnas på dokumentet.",
)

RULES = (R001, R002, R003, R004, R005, R007, R008, R010, R020, R051, R053, R054, R055, R061, R080)

_NOTE = cbc("Note")
_TAX_TOTAL = cac("TaxTotal")
_TAX_SUBTOTAL = cac("TaxSubtotal")
_TAX_AMOUNT = cbc("TaxAmount")
_DIRECT_DEBIT = ("49", "59")


def profile(doc: Doc) -> str:
    """Return the profile code of the document's ProfileID ('01', '02', 'FR' or 'Unknown')."""
    return PROFILES.get(doc.value(cbc("ProfileID")) or "", "Unknown")


def check(doc: Doc) -> Iterator[Finding]:
    """Yield the findings of the document-level PEPPOL rules."""
    yield from _process(doc)
    yield from _notes_and_references(doc)
    yield from _currency_and_projects(doc)
    yield from _parties(doc)
    yield from _empty_elements(doc)
    yield from _currencies(doc)
    yield from _tax_totals(doc)
    yield from _payment(doc)


def _process(doc: Doc) -> Iterator[Finding]:
    root = doc.root
    profile_id = doc.field(cbc("ProfileID"))
    if profile_id is None:
        yield R001.at(root)
    if profile(doc) == "Unknown":
        yield R007.at(root if profile_id is None else profile_id)
    customization = doc.field(cbc("CustomizationID"))
    value = normalize(string_value(customization))
    if customization is not None and (not value.startswith(SPECIFICATION) or "::" in value):
        yield R004.at(customization)


def _notes_and_references(doc: Doc) -> Iterator[Finding]:
    notes = doc.fields(_NOTE)
    german = doc.seller_country == doc.buyer_country == "DE"
    if len(notes) > 1 and not german:
        yield R002.at(notes[1])
    has_order = first(doc.root, cac("OrderReference"), cbc("ID")) is not None
    if doc.field(cbc("BuyerReference")) is None and not has_order:
        yield R003.at(doc.root)


def _currency_and_projects(doc: Doc) -> Iterator[Finding]:
    tax_currency = doc.field(cbc("TaxCurrencyCode"))
    document_currency = doc.value(cbc("DocumentCurrencyCode"))
    if tax_currency is not None and normalize(string_value(tax_currency)) == document_currency:
        yield R005.at(tax_currency)
    project_references = [
        reference
        for reference in doc.fields(cac("AdditionalDocumentReference"))
        if text(reference, cbc("DocumentTypeCode")) == "50"
    ]
    if len(project_references) > 1:
        yield R080.at(project_references[1])


def _parties(doc: Doc) -> Iterator[Finding]:
    for party, rule in ((doc.buyer, R010), (doc.seller, R020)):
        if party is not None and first(party, cbc("EndpointID")) is None:
            yield rule.at(party)


def _empty_elements(doc: Doc) -> Iterator[Finding]:
    for element in doc.empty_elements():
        yield R008.at(element)


def _currencies(doc: Doc) -> Iterator[Finding]:
    currency = doc.value(cbc("DocumentCurrencyCode")) or ""
    for element in doc.amounts:
        code = element.get("currencyID")
        if code != currency and normalize(code) != currency and not _accounting_vat(element):
            yield R051.at(element, "currencyID")


def _accounting_vat(element: Element) -> bool:
    # BT-111, the VAT total in accounting currency, is the TaxTotal without a breakdown.
    parent = element.getparent()
    return (
        element.tag == _TAX_AMOUNT
        and parent is not None
        and parent.tag == _TAX_TOTAL
        and first(parent, _TAX_SUBTOTAL) is None
    )


def _tax_totals(doc: Doc) -> Iterator[Finding]:
    root = doc.root
    totals = doc.fields(_TAX_TOTAL)
    with_breakdown = [total for total in totals if first(total, _TAX_SUBTOTAL) is not None]
    without = [total for total in totals if first(total, _TAX_SUBTOTAL) is None]
    if len(with_breakdown) != 1:
        yield R053.at(with_breakdown[1] if len(with_breakdown) > 1 else root)
    has_tax_currency = doc.field(cbc("TaxCurrencyCode")) is not None
    expected = 1 if has_tax_currency else 0
    if len(without) != expected:
        yield R054.at(without[expected] if len(without) > expected else root)
    if has_tax_currency and not _same_sign(doc, totals):
        yield R055.at(root)


def _same_sign(doc: Doc, totals: Sequence[Element]) -> bool:
    # Existential, as the rule's XPath comparisons over node sets are.
    accounting = _vat_totals(totals, doc.value(cbc("TaxCurrencyCode")))
    invoice = _vat_totals(totals, doc.value(cbc("DocumentCurrencyCode")))
    negative = any(a <= 0 for a in accounting) and any(a <= 0 for a in invoice)
    positive = any(a >= 0 for a in accounting) and any(a >= 0 for a in invoice)
    return negative or positive


def _vat_totals(totals: Sequence[Element], currency: str | None) -> list[Decimal]:
    amounts = []
    for total in totals:
        for amount in total.iterchildren(_TAX_AMOUNT):
            value = decimal(string_value(amount))
            if amount.get("currencyID") == currency and value is not None:
                amounts.append(value)
    return amounts


def _payment(doc: Doc) -> Iterator[Finding]:
    for means in doc.fields(cac("PaymentMeans")):
        if text(means, cbc("PaymentMeansCode")) not in _DIRECT_DEBIT:
            continue
        if first(means, cac("PaymentMandate"), cbc("ID")) is None:
            yield R061.at(means)
