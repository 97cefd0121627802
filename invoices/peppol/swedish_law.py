"""SE-LAW-*: what Swedish law adds to PEPPOL for sellers in Sweden.

The VAT Act (mervärdesskattelagen 2023:200, 17 kap. 24 §) lists what a full invoice must show,
and the Companies Act (aktiebolagslagen, 28 kap. 1 §) what an aktiebolag's invoices must say
about it. PEPPOL checks none of this, so these rules run on the UBL beside the national rules:
imported documents are checked the same way as the portal's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
    normalize,
    string_value,
    text,
)

AE_BUYER_VAT = Rule(
    "SE-LAW-AE-BUYER-VAT",
    FATAL,
    "With reverse charge (VAT category AE) the invoice must show the customer's VAT number "
    "(ML 17 kap. 24 §). Add the customer's VAT number (Customers).",
    "Vid omvänd betalningsskyldighet (momskategori AE) måste fakturan visa kundens "
    "momsregistreringsnummer (ML 17 kap. 24 §). Lägg till kundens momsregistreringsnummer "
    "(Kunder).",
)
EXEMPT_REFERENCE = Rule(
    "SE-LAW-EXEMPT-REFERENCE",
    FATAL,
    "A sale exempt from VAT must refer to the provision that exempts it (ML 17 kap. 24 §), "
    "e.g. '3 kap. 8 § mervärdesskattelagen (2023:200)'. Write it in the line's "
    "'Reason for no VAT'.",
    "En försäljning som är undantagen från moms måste hänvisa till bestämmelsen som undantar "
    "den (ML 17 kap. 24 §), t.ex. '3 kap. 8 § mervärdesskattelagen (2023:200)'. Skriv den i "
    "radens 'Skäl till momsfrihet'.",
)
VAT_IN_SEK = Rule(
    "SE-LAW-VAT-IN-SEK",
    FATAL,
    "An invoice in another currency must also show the VAT amount in Swedish kronor "
    "(ML 17 kap. 24 §): the VAT currency must be SEK, with the VAT total in SEK. "
    "Choose SEK as the currency, or make sure the VAT in SEK is on the invoice.",
    "En faktura i annan valuta måste också visa momsbeloppet i svenska kronor "
    "(ML 17 kap. 24 §): momsvalutan ska vara SEK, med momsbeloppet i SEK. "
    "Välj SEK som valuta, eller se till att momsen i SEK finns på fakturan.",
)
BOARD_SEAT = Rule(
    "SE-LAW-BOARD-SEAT",
    FATAL,
    "An aktiebolag must state where its board has its registered office "
    "(ABL 28 kap. 1 §), e.g. 'Styrelsens säte: Umeå'. Add the board's registered office "
    "to your company details (Settings).",
    "Ett aktiebolag måste ange var styrelsen har sitt säte (ABL 28 kap. 1 §), t.ex. "
    "'Styrelsens säte: Umeå'. Lägg till styrelsens säte i era företagsuppgifter "
    "(Inställningar).",
)
REVERSE_CHARGE_WORDING = Rule(
    "SE-LAW-REVERSE-CHARGE-WORDING",
    WARNING,
    "'Omvänd skattskyldighet' is the old VAT Act's term: write 'Omvänd betalningsskyldighet' "
    "(ML 2023:200) in the line's 'Reason for no VAT'.",
    "'Omvänd skattskyldighet' är den gamla mervärdesskattelagens term: skriv 'Omvänd "
    "betalningsskyldighet' (ML 2023:200) i radens 'Skäl till momsfrihet'.",
)

RULES = (AE_BUYER_VAT, EXEMPT_REFERENCE, VAT_IN_SEK, BOARD_SEAT, REVERSE_CHARGE_WORDING)

_TAX_TOTAL = cac("TaxTotal")
_TAX_SUBTOTAL = cac("TaxSubtotal")
_TAX_CATEGORY = cac("TaxCategory")
_TAX_AMOUNT = cbc("TaxAmount")
_CATEGORY_ID = cbc("ID")
_LEGAL_ENTITY = cac("PartyLegalEntity")
_COMPANY_ID = cbc("CompanyID")
_EXEMPTION_REASON = cbc("TaxExemptionReason")
_EXEMPTION_CODE = cbc("TaxExemptionReasonCode")
_REVERSE_CHARGE = "AE"
_EXEMPT = "E"
_SEK = "SEK"

# What a reference to a provision looks like: a paragraph sign, a chapter, the act's name or
# number, an article of the VAT Directive. "ML" only in capitals: "5 ml" is not the act.
_PROVISION = re.compile(
    r"§|\bkap(?:itel|itlet)?\b|mervärdesskattelag|\b2023:200\b|\b2006/112\b"
    r"|\b(?:artikel|article|art)\.?\s*\d+|(?-i:\bML\b)",
    re.IGNORECASE,
)
# Bolagsverket's group number 5 is the aktiebolag; the org number's first digit gives it.
_AKTIEBOLAG = re.compile(r"5[0-9]{9}")
_ORG_NUMBER_SCHEMES = ("", "0007")


def check(doc: Doc) -> Iterator[Finding]:
    """Yield the findings of the Swedish law rules (nothing when the seller is not Swedish)."""
    if doc.seller is None or doc.seller_country != "SE":
        return
    subtotal_categories = _subtotal_categories(doc)
    yield from _reverse_charge_buyer_vat(doc, subtotal_categories)
    yield from _exemption_references(subtotal_categories)
    yield from _vat_in_sek(doc)
    yield from _board_seat(doc.seller)
    yield from _reverse_charge_wording(subtotal_categories)


def _subtotal_categories(doc: Doc) -> list[Element]:
    # The VAT breakdown (BG-23): each TaxSubtotal's category, with its exemption reason.
    return [
        category
        for total in doc.fields(_TAX_TOTAL)
        for subtotal in total.iterchildren(_TAX_SUBTOTAL)
        for category in subtotal.iterchildren(_TAX_CATEGORY)
    ]


def _category(category: Element) -> str | None:
    return text(category, _CATEGORY_ID)


def _reverse_charge_buyer_vat(doc: Doc, subtotal_categories: list[Element]) -> Iterator[Finding]:
    categories = [*doc.all(cac("ClassifiedTaxCategory")), *subtotal_categories]
    if not any(_category(category) == _REVERSE_CHARGE for category in categories):
        return
    if not _has_vat_number(doc.buyer):
        yield AE_BUYER_VAT.at(_buyer_location(doc))


def _has_vat_number(party: Element | None) -> bool:
    if party is None:
        return False
    return any(
        text(scheme, _COMPANY_ID) and text(scheme, *TAX_SCHEME_ID) == "VAT"
        for scheme in party.iterchildren(cac("PartyTaxScheme"))
    )


def _buyer_location(doc: Doc) -> Element:
    # The most precise element there is: an imported document may lack the buyer's Party.
    if doc.buyer is not None:
        return doc.buyer
    customer = doc.field(cac("AccountingCustomerParty"))
    return doc.root if customer is None else customer


def _exemption_references(subtotal_categories: list[Element]) -> Iterator[Finding]:
    for category in subtotal_categories:
        if _category(category) == _EXEMPT and not _cites_provision(category):
            yield EXEMPT_REFERENCE.at(category)


def _cites_provision(category: Element) -> bool:
    code = (text(category, _EXEMPTION_CODE) or "").upper()
    reason = text(category, _EXEMPTION_REASON) or ""
    return code.startswith("VATEX-") or bool(_PROVISION.search(reason))


def _vat_in_sek(doc: Doc) -> Iterator[Finding]:
    document_currency = doc.field(cbc("DocumentCurrencyCode"))
    if document_currency is None or _code(document_currency) == _SEK:
        return
    tax_currency = doc.field(cbc("TaxCurrencyCode"))
    if tax_currency is not None and _code(tax_currency) != _SEK:
        yield VAT_IN_SEK.at(tax_currency)
    elif tax_currency is None or not _has_vat_total_in_sek(doc):
        yield VAT_IN_SEK.at(document_currency)


def _code(element: Element) -> str:
    return normalize(string_value(element))


def _has_vat_total_in_sek(doc: Doc) -> bool:
    return any(
        normalize(amount.get("currencyID")) == _SEK
        for total in doc.fields(_TAX_TOTAL)
        for amount in total.iterchildren(_TAX_AMOUNT)
    )


def _board_seat(seller: Element) -> Iterator[Finding]:
    entity = first(seller, _LEGAL_ENTITY)
    company = first(entity, _COMPANY_ID)
    if entity is None or company is None or not _is_aktiebolag(company):
        return
    legal_form = text(entity, cbc("CompanyLegalForm")) or ""
    if "säte" not in legal_form.casefold():
        yield BOARD_SEAT.at(entity)


def _is_aktiebolag(company: Element) -> bool:
    if normalize(company.get("schemeID")) not in _ORG_NUMBER_SCHEMES:
        return False  # another registry's number says nothing about the Swedish legal form
    return bool(_AKTIEBOLAG.fullmatch(_code(company).replace("-", "")))


def _reverse_charge_wording(subtotal_categories: list[Element]) -> Iterator[Finding]:
    for category in subtotal_categories:
        reason = first(category, _EXEMPTION_REASON)
        if _category(category) != _REVERSE_CHARGE or reason is None:
            continue
        if "omvänd skattskyldighet" in _code(reason).casefold():
            yield REVERSE_CHARGE_WORDING.at(reason)
