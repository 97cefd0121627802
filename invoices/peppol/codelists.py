"""PEPPOL-EN16931-CL001..CL008, P0100..P0112 and F001: codes from the right list, dates as dates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from invoices.findings import Finding

from . import codes
from ._core import FATAL, Doc, Element, Rule, cac, cbc, first, normalize, string_value, text
from .en16931 import profile

CL001 = Rule(
    "PEPPOL-EN16931-CL001",
    FATAL,
    "Attachments may only be PDF, PNG, JPEG, CSV, Excel (xlsx) or OpenDocument spreadsheets.",
    "Bilagor får bara vara PDF, PNG, JPEG, CSV, Excel (xlsx) eller OpenDocument-kalkylblad.",
)
CL002 = Rule(
    "PEPPOL-EN16931-CL002",
    FATAL,
    "This allowance reason code is not in the list PEPPOL allows (UNCL5189 subset).",
    "Orsakskoden för rabatten finns inte i listan som PEPPOL tillåter (urval ur UNCL5189).",
)
CL003 = Rule(
    "PEPPOL-EN16931-CL003",
    FATAL,
    "This charge reason code is not a UNCL7161 code.",
    "Orsakskoden för avgiften är inte en UNCL7161-kod.",
)
CL006 = Rule(
    "PEPPOL-EN16931-CL006",
    FATAL,
    "The invoice period description code must be 3, 35 or 432.",
    "Koden som beskriver fakturaperioden måste vara 3, 35 eller 432.",
)
CL007 = Rule(
    "PEPPOL-EN16931-CL007",
    FATAL,
    "This currency code is not a valid ISO 4217 code (e.g. SEK, EUR).",
    "Valutakoden är inte en giltig ISO 4217-kod (t.ex. SEK, EUR).",
)
CL008 = Rule(
    "PEPPOL-EN16931-CL008",
    FATAL,
    "This electronic address scheme is not accepted in PEPPOL (use e.g. 0007 for a Swedish "
    "organisation number or 0088 for a GLN).",
    "Schemat för den elektroniska adressen godtas inte i PEPPOL (använd t.ex. 0007 för "
    "svenskt organisationsnummer eller 0088 för GLN).",
)
P0100 = Rule(
    "PEPPOL-EN16931-P0100",
    FATAL,
    "This invoice type code is not allowed in the billing process (use e.g. 380).",
    "Fakturatypkoden är inte tillåten i faktureringsprocessen (använd t.ex. 380).",
)
P0101 = Rule(
    "PEPPOL-EN16931-P0101",
    FATAL,
    "This credit note type code is not allowed in the billing process (use e.g. 381).",
    "Kreditnotans typkod är inte tillåten i faktureringsprocessen (använd t.ex. 381).",
)
P0112 = Rule(
    "PEPPOL-EN16931-P0112",
    FATAL,
    "Invoice types 326 (partial invoice) and 384 (corrected invoice) are only for German "
    "sellers invoicing German buyers.",
    "Fakturatyperna 326 (delfaktura) och 384 (rättad faktura) får bara användas mellan tysk "
    "säljare och tysk köpare.",
)
F001 = Rule(
    "PEPPOL-EN16931-F001",
    FATAL,
    "A date must be a real date written YYYY-MM-DD.",
    "Ett datum måste vara ett verkligt datum skrivet ÅÅÅÅ-MM-DD.",
)


def _exemption_rule(rule_id: str, code: str, category: str, name_sv: str) -> Rule:
    return Rule(
        rule_id,
        FATAL,
        f"The VAT exemption reason code {code} may only be used with VAT category {category}.",
        f"Undantagskoden {code} får bara användas med momskategori {category} ({name_sv}).",
    )


# Each exemption reason code and the one VAT category it belongs to.
EXEMPTIONS = {
    "VATEX-EU-G": ("G", _exemption_rule("PEPPOL-EN16931-P0104", "VATEX-EU-G", "G", "export")),
    "VATEX-EU-O": (
        "O",
        _exemption_rule("PEPPOL-EN16931-P0105", "VATEX-EU-O", "O", "utanför momsens område"),
    ),
    "VATEX-EU-IC": (
        "K",
        _exemption_rule("PEPPOL-EN16931-P0106", "VATEX-EU-IC", "K", "EU-leverans"),
    ),
    "VATEX-EU-AE": (
        "AE",
        _exemption_rule("PEPPOL-EN16931-P0107", "VATEX-EU-AE", "AE", "omvänd betalningsskyldighet"),
    ),
    "VATEX-EU-D": ("E", _exemption_rule("PEPPOL-EN16931-P0108", "VATEX-EU-D", "E", "undantag")),
    "VATEX-EU-F": ("E", _exemption_rule("PEPPOL-EN16931-P0109", "VATEX-EU-F", "E", "undantag")),
    "VATEX-EU-I": ("E", _exemption_rule("PEPPOL-EN16931-P0110", "VATEX-EU-I", "E", "undantag")),
    "VATEX-EU-J": ("E", _exemption_rule("PEPPOL-EN16931-P0111", "VATEX-EU-J", "E", "undantag")),
}

RULES = (
    CL001,
    CL002,
    CL003,
    CL006,
    CL007,
    CL008,
    P0100,
    P0101,
    *(rule for _category, rule in EXEMPTIONS.values()),
    P0112,
    F001,
)

_DATE_TAGS = tuple(
    cbc(name)
    for name in (
        "IssueDate",
        "DueDate",
        "TaxPointDate",
        "StartDate",
        "EndDate",
        "ActualDeliveryDate",
    )
)
_REASONS = {"false": (CL002, codes.ALLOWANCE_REASONS), "true": (CL003, codes.CHARGE_REASONS)}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check(doc: Doc) -> Iterator[Finding]:
    """Yield the findings of the code-list, document-type and date-format rules."""
    yield from _attachments(doc)
    yield from _reasons(doc)
    yield from _periods(doc)
    yield from _currencies(doc)
    yield from _endpoints(doc)
    yield from _type_codes(doc)
    yield from _exemptions(doc)
    yield from _dates(doc)


def _attachments(doc: Doc) -> Iterator[Finding]:
    for element in doc.all(cbc("EmbeddedDocumentBinaryObject")):
        mime = element.get("mimeCode")
        if mime is not None and mime not in codes.MIME_CODES:
            yield CL001.at(element, "mimeCode")


def _reasons(doc: Doc) -> Iterator[Finding]:
    # The indicator is compared as written: a reason on a malformed indicator is R043's concern.
    for charge in doc.all(cac("AllowanceCharge")):
        indicator = string_value(first(charge, cbc("ChargeIndicator")))
        rule, allowed = _REASONS.get(indicator, (None, frozenset[str]()))
        for reason in charge.iterchildren(cbc("AllowanceChargeReasonCode")):
            if rule and normalize(string_value(reason)) not in allowed:
                yield rule.at(reason)


def _periods(doc: Doc) -> Iterator[Finding]:
    for period in doc.all(cac("InvoicePeriod")):
        for code in period.iterchildren(cbc("DescriptionCode")):
            if normalize(string_value(code)) not in codes.PERIOD_DESCRIPTIONS:
                yield CL006.at(code)


def _currencies(doc: Doc) -> Iterator[Finding]:
    for element in doc.amounts:
        if element.get("currencyID") not in codes.CURRENCIES:
            yield CL007.at(element, "currencyID")


def _endpoints(doc: Doc) -> Iterator[Finding]:
    for element in doc.all(cbc("EndpointID")):
        scheme = element.get("schemeID")
        if scheme is not None and scheme not in codes.EAS:
            yield CL008.at(element, "schemeID")


def _type_codes(doc: Doc) -> Iterator[Finding]:
    # The billing process (profile 01) restricts the document types; other processes do not.
    billing = profile(doc) == "01"
    invoice_type = doc.field(cbc("InvoiceTypeCode"))
    if invoice_type is not None:
        code = _code(invoice_type)
        if billing and code not in codes.INVOICE_TYPES_01:
            yield P0100.at(invoice_type)
        if code in codes.GERMAN_ONLY_INVOICE_TYPES and not _german_parties(doc):
            yield P0112.at(invoice_type)
    credit_type = doc.field(cbc("CreditNoteTypeCode"))
    if billing and credit_type is not None and _code(credit_type) not in codes.CREDIT_NOTE_TYPES_01:
        yield P0101.at(credit_type)


def _german_parties(doc: Doc) -> bool:
    return doc.seller_country == doc.buyer_country == "DE"


def _code(element: Element) -> str:
    return normalize(string_value(element))


def _exemptions(doc: Doc) -> Iterator[Finding]:
    for category in doc.all(cac("TaxCategory")):
        reason = text(category, cbc("TaxExemptionReasonCode"))
        expected = EXEMPTIONS.get((reason or "").upper())
        if expected and text(category, cbc("ID")) != expected[0]:
            yield expected[1].at(category)


def _dates(doc: Doc) -> Iterator[Finding]:
    for element in doc.all(*_DATE_TAGS):
        if not _is_date(element):
            yield F001.at(element)


def _is_date(element: Element) -> bool:
    value = string_value(element)
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
