"""PEPPOL-COMMON-R040..R057: national identifiers written in their registry's own format."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stdnum import luhn

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
    string_value,
)

Check = Callable[[str], bool]

_ENDPOINT_ID = cbc("EndpointID")
_COMPANY_ID = cbc("CompanyID")
_PARTY_ID = cbc("ID")


def _digits(count: int) -> Check:
    pattern = re.compile(rf"[0-9]{{{count}}}")
    return lambda value: bool(pattern.fullmatch(value))


def gln(value: str) -> bool:
    """GS1 check digit (weights 3 and 1 from the right); the rule does not fix the length."""
    if not re.fullmatch(r"[0-9]+", value):
        return False
    body = value[:-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(value[-1])


def norwegian_orgnr(value: str) -> bool:
    """Nine digits, the last a mod-11 check digit (weights 3 2 7 6 5 4 3 2)."""
    if not re.fullmatch(r"[0-9]{9}", value) or int(value) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(value, (3, 2, 7, 6, 5, 4, 3, 2), strict=False))
    return (11 - total % 11) % 11 == int(value[8])


def danish_cvr(value: str) -> bool:
    """Eight digits, optionally after DK."""
    return bool(re.fullmatch(r"(DK)?[0-9]{8}", value))


def belgian_enterprise(value: str) -> bool:
    """Ten digits; the last two are 97 minus the first eight modulo 97."""
    return bool(re.fullmatch(r"[0-9]{10}", value)) and int(value[8:]) == 97 - int(value[:8]) % 97


def italian_ipa(value: str) -> bool:
    """Six letters or digits."""
    return bool(re.fullmatch(r"[A-Za-z0-9]{6}", value))


_CF16 = re.compile(
    r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
    re.IGNORECASE,
)


def italian_tax_code(value: str) -> bool:
    """Codice fiscale: 11 digits (a company) or the 16-character personal pattern."""
    return bool(re.fullmatch(r"[0-9]{11}", value) or _CF16.fullmatch(value))


def italian_vat(value: str) -> bool:
    """Partita IVA: 11 digits with a Luhn check digit, optionally after IT."""
    digits = value[2:] if value[:2] in ("IT", "it") else value
    return bool(re.fullmatch(r"[0-9]{11}", digits)) and luhn.is_valid(digits)


def swedish_orgnr(value: str) -> bool:
    """Ten digits, the tenth a Luhn check digit over the first nine."""
    return len(value) == 10 and is_number(value) and luhn_10(value)


def luhn_10(value: str) -> bool:
    """Tell whether a digit string's tenth digit is the Luhn digit of the nine before it."""
    return bool(re.fullmatch(r"[0-9]+", value)) and len(value) >= 10 and luhn.is_valid(value[:10])


def australian_abn(value: str) -> bool:
    """Eleven digits; first digit less one, weighted sum divisible by 89."""
    if not re.fullmatch(r"[0-9]{11}", value):
        return False
    digits = [int(d) for d in value]
    digits[0] -= 1
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 89 == 0


def dutch_vat(value: str) -> bool:
    """NL, nine digits, B, two digits."""
    return bool(re.fullmatch(r"NL[0-9]{9}B[0-9]{2}", value))


@dataclass(frozen=True)
class SchemeRule:
    """A format check for identifiers of one ICD/EAS scheme."""

    rule: Rule
    scheme: str
    check: Check


def _rule(rule_id: str, severity: str, what_en: str, what_sv: str) -> Rule:
    return Rule(
        rule_id,
        FATAL if severity == "fatal" else WARNING,
        f"{what_en} Check the number and write it without spaces or dashes.",
        f"{what_sv} Kontrollera numret och skriv det utan mellanslag eller bindestreck.",
    )


SCHEME_RULES = (
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R040",
            "fatal",
            "This GLN (scheme 0088) is not valid: its check digit does not match.",
            "GLN-numret (schema 0088) är ogiltigt: kontrollsiffran stämmer inte.",
        ),
        "0088",
        gln,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R041",
            "fatal",
            "This Norwegian organisation number (scheme 0192) must be 9 digits with a valid "
            "check digit.",
            "Det norska organisationsnumret (schema 0192) ska vara 9 siffror med giltig "
            "kontrollsiffra.",
        ),
        "0192",
        norwegian_orgnr,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R042",
            "fatal",
            "This Danish CVR number (scheme 0184) must be 8 digits, optionally after DK.",
            "Det danska CVR-numret (schema 0184) ska vara 8 siffror, eventuellt efter DK.",
        ),
        "0184",
        danish_cvr,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R043",
            "fatal",
            "This Belgian enterprise number (scheme 0208) must be 10 digits with a valid "
            "check number.",
            "Det belgiska företagsnumret (schema 0208) ska vara 10 siffror med giltigt "
            "kontrollnummer.",
        ),
        "0208",
        belgian_enterprise,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R044",
            "warning",
            "This Italian IPA code (scheme 0201) should be 6 letters or digits.",
            "Den italienska IPA-koden (schema 0201) bör vara 6 bokstäver eller siffror.",
        ),
        "0201",
        italian_ipa,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R045",
            "warning",
            "This Italian tax code (codice fiscale, scheme 0210) is not in the right format.",
            "Den italienska skattekoden (codice fiscale, schema 0210) har fel format.",
        ),
        "0210",
        italian_tax_code,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R046",
            "warning",
            "This Italian tax code (codice fiscale, scheme 9907) is not in the right format.",
            "Den italienska skattekoden (codice fiscale, schema 9907) har fel format.",
        ),
        "9907",
        italian_tax_code,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R047",
            "warning",
            "This Italian VAT number (partita IVA, scheme 0211) should be 11 digits with a "
            "valid check digit, optionally after IT.",
            "Det italienska momsnumret (partita IVA, schema 0211) bör vara 11 siffror med "
            "giltig kontrollsiffra, eventuellt efter IT.",
        ),
        "0211",
        italian_vat,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R049",
            "fatal",
            "This Swedish organisation number (scheme 0007) must be 10 digits whose last digit "
            "is a valid check digit.",
            "Det svenska organisationsnumret (schema 0007) ska vara 10 siffror där den sista "
            "är en giltig kontrollsiffra.",
        ),
        "0007",
        swedish_orgnr,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R050",
            "fatal",
            "This Australian Business Number (scheme 0151) must be 11 digits with a valid "
            "checksum.",
            "Det australiska ABN-numret (schema 0151) ska vara 11 siffror med giltig "
            "kontrollsumma.",
        ),
        "0151",
        australian_abn,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R052",
            "fatal",
            "This Danish P number (scheme 0096) must be 10 digits.",
            "Det danska P-numret (schema 0096) ska vara 10 siffror.",
        ),
        "0096",
        _digits(10),
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R053",
            "fatal",
            "This Danish SE number (scheme 0198) must be DK followed by 8 digits.",
            "Det danska SE-numret (schema 0198) ska vara DK följt av 8 siffror.",
        ),
        "0198",
        lambda value: bool(re.fullmatch(r"DK[0-9]{8}", value)),
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R054",
            "warning",
            "This Dutch KVK number (scheme 0106) should be 8 digits.",
            "Det nederländska KVK-numret (schema 0106) bör vara 8 siffror.",
        ),
        "0106",
        _digits(8),
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R055",
            "warning",
            "This Dutch OIN (scheme 0190) should be 20 digits.",
            "Det nederländska OIN-numret (schema 0190) bör vara 20 siffror.",
        ),
        "0190",
        _digits(20),
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R056-1",
            "warning",
            "This Dutch VAT number (scheme 9944) should look like NL123456789B12.",
            "Det nederländska momsnumret (schema 9944) bör se ut som NL123456789B12.",
        ),
        "9944",
        dutch_vat,
    ),
    SchemeRule(
        _rule(
            "PEPPOL-COMMON-R057",
            "warning",
            "This Dutch establishment number (scheme 0217) should be 12 digits.",
            "Det nederländska filialnumret (schema 0217) bör vara 12 siffror.",
        ),
        "0217",
        _digits(12),
    ),
)
_BY_SCHEME = {scheme_rule.scheme: scheme_rule for scheme_rule in SCHEME_RULES}

DUTCH_VAT = _rule(
    "PEPPOL-COMMON-R056-2",
    "warning",
    "This Dutch VAT number should look like NL123456789B12.",
    "Det nederländska momsnumret bör se ut som NL123456789B12.",
)

RULES = (*(scheme_rule.rule for scheme_rule in SCHEME_RULES), DUTCH_VAT)


def check(doc: Doc) -> Iterator[Finding]:
    """Yield a finding for every identifier whose scheme has a format it does not follow."""
    for element in _identifiers(doc):
        scheme_rule = _BY_SCHEME.get(element.get("schemeID", ""))
        if scheme_rule and not scheme_rule.check(normalize(string_value(element))):
            yield scheme_rule.rule.at(element)
    yield from _dutch_vat_numbers(doc)


def _identifiers(doc: Doc) -> Iterator[Element]:
    # The rules' contexts: endpoints, party identifiers and company ids that name a scheme.
    for element in doc.all(_ENDPOINT_ID, _COMPANY_ID):
        if element.get("schemeID") is not None:
            yield element
    for identification in doc.all(cac("PartyIdentification")):
        for element in identification.iterchildren(_PARTY_ID):
            if element.get("schemeID") is not None:
                yield element


def _dutch_vat_numbers(doc: Doc) -> Iterator[Finding]:
    for scheme in doc.all(cac("PartyTaxScheme")):
        if normalize(string_value(first(scheme, *TAX_SCHEME_ID))) != "VAT":
            continue
        for element in scheme.iterchildren(_COMPANY_ID):
            value = normalize(string_value(element))
            if value.startswith("NL") and not dutch_vat(value):
                yield DUTCH_VAT.at(element)
