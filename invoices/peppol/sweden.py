"""SE-R-001..SE-R-013: the Swedish national rules, for sellers in Sweden; and the portal's own."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from invoices.findings import Finding

from ._core import (
    FATAL,
    TAX_SCHEME_ID,
    WARNING,
    Doc,
    Element,
    Rule,
    cac,
    cbc,
    first,
    is_number,
    normalize,
    number,
    string_value,
    text,
)
from .common import luhn_10

SE001 = Rule(
    "SE-R-001",
    FATAL,
    "A Swedish VAT number must be 14 characters: SE, the 10-digit organisation number and 01.",
    "Ett svenskt momsregistreringsnummer ska vara 14 tecken: SE, det tiosiffriga "
    "organisationsnumret och 01.",
)
SE002 = Rule(
    "SE-R-002",
    FATAL,
    "After SE, a Swedish VAT number may only contain digits.",
    "Efter SE får ett svenskt momsregistreringsnummer bara innehålla siffror.",
)
SE003 = Rule(
    "SE-R-003",
    FATAL,
    "The seller's organisation number may only contain digits (no SE prefix, no dash).",
    "Säljarens organisationsnummer får bara innehålla siffror (inget SE, inget bindestreck).",
)
SE004 = Rule(
    "SE-R-004",
    FATAL,
    "The seller's organisation number must be 10 digits.",
    "Säljarens organisationsnummer måste vara 10 siffror.",
)
SE005 = Rule(
    "SE-R-005",
    FATAL,
    "The seller's tax registration must read 'Godkänd för F-skatt' (or be left out).",
    "Säljarens skatteregistrering måste lyda 'Godkänd för F-skatt' (eller utelämnas).",
)
SE006 = Rule(
    "SE-R-006",
    FATAL,
    "A Swedish seller can only charge standard VAT at 25, 12 or 6 %.",
    "En svensk säljare kan bara ta ut moms med normalsatsen 25, 12 eller 6 %.",
)
SE007 = Rule(
    "SE-R-007",
    WARNING,
    "The Plusgiro number should contain digits only.",
    "Plusgironumret bör bara innehålla siffror.",
)
SE008 = Rule(
    "SE-R-008",
    WARNING,
    "The Bankgiro number should contain digits only.",
    "Bankgironumret bör bara innehålla siffror.",
)
SE009 = Rule(
    "SE-R-009",
    WARNING,
    "The Bankgiro number should be 7 or 8 digits.",
    "Bankgironumret bör vara 7 eller 8 siffror.",
)
SE010 = Rule(
    "SE-R-010",
    WARNING,
    "The Plusgiro number should be 2 to 8 digits.",
    "Plusgironumret bör vara 2 till 8 siffror.",
)
SE011 = Rule(
    "SE-R-011",
    WARNING,
    "For Bankgiro or Plusgiro, use payment means 30 with SE:BANKGIRO or SE:PLUSGIRO as "
    "the branch, not code 50 or 56.",
    "För Bankgiro eller Plusgiro, använd betalningssätt 30 med SE:BANKGIRO eller "
    "SE:PLUSGIRO som kontor, inte kod 50 eller 56.",
)
SE012 = Rule(
    "SE-R-012",
    WARNING,
    "Between Swedish companies, a credit transfer should use payment means 30, not 31.",
    "Mellan svenska företag bör en betalning via överföring använda betalningssätt 30, inte 31.",
)
SE013 = Rule(
    "SE-R-013",
    FATAL,
    "The seller's organisation number has a wrong check digit (the last digit); check the number.",
    "Säljarens organisationsnummer har fel kontrollsiffra (sista siffran); kontrollera numret.",
)
# The portal's own rule (not PEPPOL's): an invoice that pays money back is a credit note.
SE_PORTAL_NEGATIVE_TOTAL = Rule(
    "SE-PORTAL-NEGATIVE-TOTAL",
    FATAL,
    "An invoice's total must be more than zero. Negative lines are for corrections on an "
    "invoice that still has something to pay; to give money back, issue a credit note instead.",
    "En fakturas totalbelopp måste vara större än noll. Negativa rader är till för rättelser "
    "på en faktura som ändå har något att betala; för att betala tillbaka, utfärda en "
    "kreditfaktura i stället.",
)

RULES = (
    SE001,
    SE002,
    SE003,
    SE004,
    SE005,
    SE006,
    SE007,
    SE008,
    SE009,
    SE010,
    SE011,
    SE012,
    SE013,
    SE_PORTAL_NEGATIVE_TOTAL,
)

_PARTY_TAX_SCHEME = cac("PartyTaxScheme")
_LEGAL_ENTITY = cac("PartyLegalEntity")
_COMPANY_ID = cbc("CompanyID")
_VAT_RATES = (Decimal(25), Decimal(12), Decimal(6))


def check(doc: Doc) -> Iterator[Finding]:
    """Yield the findings of the Swedish rules (nothing when the seller is not Swedish)."""
    seller = doc.seller
    if seller is None or doc.seller_country != "SE":
        return
    tax_schemes = _tax_schemes(seller)
    vat_schemes = [scheme for scheme, tax_id in tax_schemes if tax_id == "VAT"]
    # Raw values: the rules test substring(CompanyID, 1, 2) without normalizing it.
    vat_numbers = [string_value(first(scheme, _COMPANY_ID)) for scheme in vat_schemes]
    if any(value.startswith("SE") for value in vat_numbers):
        yield from _vat_number(vat_schemes[0], vat_numbers[0])
        yield from _vat_rates(doc)
    yield from _organisation_number(seller)
    yield from _f_tax(seller, tax_schemes)
    yield from _payment_means(doc)
    yield from _positive_total(doc)


def _tax_schemes(seller: Element) -> list[tuple[Element, str]]:
    # Each PartyTaxScheme with its scheme id as written; three rules read them.
    return [
        (scheme, string_value(first(scheme, *TAX_SCHEME_ID)))
        for scheme in seller.iterchildren(_PARTY_TAX_SCHEME)
    ]


def _vat_number(scheme: Element, value: str) -> Iterator[Finding]:
    company = first(scheme, _COMPANY_ID)
    element = scheme if company is None else company
    if len(normalize(value)) != 14:
        yield SE001.at(element)
    if not is_number(value[2:14]):
        yield SE002.at(element)


def _vat_rates(doc: Doc) -> Iterator[Finding]:
    for category in doc.all(cac("TaxCategory"), cac("ClassifiedTaxCategory")):
        if string_value(first(category, cbc("ID"))) != "S":
            continue
        if number(string_value(first(category, cbc("Percent")))) not in _VAT_RATES:
            yield SE006.at(category)


def _organisation_number(seller: Element) -> Iterator[Finding]:
    # The first legal entity's company id (not the first company id of any legal entity).
    company = first(first(seller, _LEGAL_ENTITY), _COMPANY_ID)
    if company is None:
        return
    value = normalize(string_value(company))
    if not is_number(string_value(company)):
        yield SE003.at(company)
    if len(value) != 10:
        yield SE004.at(company)
    if not luhn_10(value):
        yield SE013.at(company)


def _f_tax(seller: Element, tax_schemes: list[tuple[Element, str]]) -> Iterator[Finding]:
    if first(seller, _LEGAL_ENTITY, _COMPANY_ID) is None:
        return
    for scheme, tax_id in tax_schemes:
        if normalize(tax_id.upper()) == "VAT":
            continue
        for company in scheme.iterchildren(_COMPANY_ID):
            if normalize(string_value(company).upper()) != "GODKÄND FÖR F-SKATT":
                yield SE005.at(company)


def _payment_means(doc: Doc) -> Iterator[Finding]:
    buyer_in_sweden = doc.buyer_country == "SE"
    for means in doc.fields(cac("PaymentMeans")):
        code = text(means, cbc("PaymentMeansCode"))
        if code == "30":
            yield from _giro_account(means)
        elif code in ("50", "56"):
            yield SE011.at(means)
        elif code == "31" and buyer_in_sweden:
            yield SE012.at(means)


def _giro_account(means: Element) -> Iterator[Finding]:
    account = first(means, cac("PayeeFinancialAccount"))
    branch = text(account, cac("FinancialInstitutionBranch"), cbc("ID"))
    account_id = first(account, cbc("ID"))
    if account_id is None or branch not in ("SE:PLUSGIRO", "SE:BANKGIRO"):
        return
    value = normalize(string_value(account_id))
    numeric_rule, length_rule, lengths = (
        (SE007, SE010, range(2, 9)) if branch == "SE:PLUSGIRO" else (SE008, SE009, range(7, 9))
    )
    if not is_number(value):
        yield numeric_rule.at(account_id)
    if len(value) not in lengths:
        yield length_rule.at(account_id)


def _positive_total(doc: Doc) -> Iterator[Finding]:
    if not doc.is_invoice:
        return  # a credit note's amounts are positive and mean money given back
    total = first(doc.field(cac("LegalMonetaryTotal")), cbc("TaxInclusiveAmount"))
    amount = number(string_value(total)) if total is not None else None
    if total is not None and amount is not None and amount <= 0:
        yield SE_PORTAL_NEGATIVE_TOTAL.at(total)
