"""PEPPOL-EN16931-R040..R046 and R100..R130: allowances, charges, prices and line amounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from invoices.findings import Finding

from ._core import (
    FATAL,
    Doc,
    Element,
    Rule,
    cac,
    cbc,
    children,
    decimal,
    normalize,
    slack,
    string_value,
    text,
    xpath_round,
)

R040 = Rule(
    "PEPPOL-EN16931-R040",
    FATAL,
    "The allowance or charge amount must equal the base amount times the percentage / 100.",
    "Rabattens eller avgiftens belopp måste vara grundbeloppet gånger procentsatsen / 100.",
)
R041 = Rule(
    "PEPPOL-EN16931-R041",
    FATAL,
    "An allowance or charge with a percentage needs the base amount it applies to.",
    "En rabatt eller avgift med procentsats måste ange grundbeloppet den räknas på.",
)
R042 = Rule(
    "PEPPOL-EN16931-R042",
    FATAL,
    "An allowance or charge with a base amount needs its percentage.",
    "En rabatt eller avgift med grundbelopp måste ange procentsatsen.",
)
R043 = Rule(
    "PEPPOL-EN16931-R043",
    FATAL,
    "Say whether this is a charge or an allowance with the value true or false.",
    "Ange om det är en avgift eller en rabatt med värdet true eller false.",
)
R044 = Rule(
    "PEPPOL-EN16931-R044",
    FATAL,
    "A unit price may only carry a discount, not a surcharge (ChargeIndicator false).",
    "Ett styckpris får bara ha rabatt, inte påslag (ChargeIndicator false).",
)
R046 = Rule(
    "PEPPOL-EN16931-R046",
    FATAL,
    "The net price must equal the gross price minus the price discount.",
    "Nettopriset måste vara bruttopriset minus prisrabatten.",
)
R100 = Rule(
    "PEPPOL-EN16931-R100",
    FATAL,
    "A line may refer to only one invoiced object.",
    "En rad får bara hänvisa till ett fakturerat objekt.",
)
R101 = Rule(
    "PEPPOL-EN16931-R101",
    FATAL,
    "A line's document reference may only name the invoiced object (type code 130).",
    "En rads dokumentreferens får bara ange det fakturerade objektet (typkod 130).",
)
R110 = Rule(
    "PEPPOL-EN16931-R110",
    FATAL,
    "The line period may not start before the invoice period.",
    "Radens period får inte börja före fakturaperioden.",
)
R111 = Rule(
    "PEPPOL-EN16931-R111",
    FATAL,
    "The line period may not end after the invoice period.",
    "Radens period får inte sluta efter fakturaperioden.",
)
R120 = Rule(
    "PEPPOL-EN16931-R120",
    FATAL,
    "The line amount must equal the quantity times (price / price base quantity), plus line "
    "charges, minus line allowances.",
    "Radbeloppet måste vara antalet gånger (pris / prisets basantal), plus radavgifter, minus "
    "radrabatter.",
)
R121 = Rule(
    "PEPPOL-EN16931-R121",
    FATAL,
    "The price base quantity must be greater than zero.",
    "Prisets basantal måste vara större än noll.",
)
R130 = Rule(
    "PEPPOL-EN16931-R130",
    FATAL,
    "The price base quantity must use the same unit as the invoiced quantity.",
    "Prisets basantal måste ha samma enhet som det fakturerade antalet.",
)

RULES = (R040, R041, R042, R043, R044, R046, R100, R101, R110, R111, R120, R121, R130)

_ALLOWANCE_CHARGE = cac("AllowanceCharge")
_AMOUNT = cbc("Amount")
_BASE_AMOUNT = cbc("BaseAmount")
_PERCENT = cbc("MultiplierFactorNumeric")
_INDICATOR = cbc("ChargeIndicator")
_PRICE = cac("Price")
_PRICE_AMOUNT = cbc("PriceAmount")
_BASE_QUANTITY = cbc("BaseQuantity")
_LINE_AMOUNT = cbc("LineExtensionAmount")
_REFERENCE = cac("DocumentReference")
_PERIOD = cac("InvoicePeriod")
_TOLERANCE = Decimal("0.02")

Parts = dict[str, list[Element]]


def check(doc: Doc) -> Iterator[Finding]:
    """Yield the findings of the allowance, charge, price and line rules."""
    period = doc.field(_PERIOD)
    for charge in doc.fields(_ALLOWANCE_CHARGE):
        yield from _allowance_charge(charge, children(charge))
    for line in doc.lines():
        # One pass over each line's children: find() per term would cost several times more.
        parts = children(line)
        charges = [(charge, children(charge)) for charge in parts.get(_ALLOWANCE_CHARGE, ())]
        for charge, charge_parts in charges:
            yield from _allowance_charge(charge, charge_parts)
        price = _first(parts, _PRICE)
        price_parts = {} if price is None else children(price)
        yield from _price(price_parts, _first(parts, doc.quantity_tag))
        yield from _references(parts.get(_REFERENCE, []))
        yield from _period(_first(parts, _PERIOD), period)
        yield from _amount(line, parts, price_parts, charges, doc.quantity_tag)


def _first(parts: Parts, tag: str) -> Element | None:
    found = parts.get(tag)
    return found[0] if found else None


def _value(parts: Parts, tag: str) -> str | None:
    element = _first(parts, tag)
    return None if element is None else normalize(string_value(element))


def _allowance_charge(charge: Element, parts: Parts) -> Iterator[Finding]:
    # Document and line level only: price-level discounts have rules of their own.
    percent, base = _value(parts, _PERCENT), _value(parts, _BASE_AMOUNT)
    if percent is not None and base is None:
        yield R041.at(charge)
    if base is not None and percent is None:
        yield R042.at(charge)
    if _value(parts, _INDICATOR) not in ("true", "false"):
        yield R043.at(charge)
    if percent is not None and base is not None and not _percentage_holds(parts):
        yield R040.at(charge)


def _percentage_holds(parts: Parts) -> bool:
    percent = decimal(_value(parts, _PERCENT))
    base = decimal(_value(parts, _BASE_AMOUNT))
    amount = _decimal_or(parts, _AMOUNT, Decimal(0))
    if percent is None or base is None or amount is None:
        return True  # not decimals at all: the schema layer reports that
    return slack(amount, base * percent / 100, _TOLERANCE)


def _decimal_or(parts: Parts, tag: str, default: Decimal) -> Decimal | None:
    # Absent is the rule's default; present but not a decimal is None (nothing to compare).
    value = _value(parts, tag)
    return default if value is None else decimal(value)


def _price(price: Parts, quantity: Element | None) -> Iterator[Finding]:
    for discount in price.get(_ALLOWANCE_CHARGE, ()):
        discount_parts = children(discount)
        if _value(discount_parts, _INDICATOR) != "false":
            yield R044.at(discount)
        if not _net_price_holds(price, discount_parts):
            yield R046.at(discount)
    base_element = _first(price, _BASE_QUANTITY)
    if base_element is None:
        return
    base = decimal(string_value(base_element))
    if base is not None and base <= 0:
        yield R121.at(base_element)
    unit = base_element.get("unitCode")
    if unit is not None and unit != (None if quantity is None else quantity.get("unitCode")):
        yield R130.at(base_element, "unitCode")


def _net_price_holds(price: Parts, discount: Parts) -> bool:
    if _first(discount, _BASE_AMOUNT) is None:
        return True
    net = decimal(_value(price, _PRICE_AMOUNT))
    gross = decimal(_value(discount, _BASE_AMOUNT))
    amount = decimal(_value(discount, _AMOUNT))
    if net is None or gross is None or amount is None:
        return True  # a missing or malformed amount is the schema layer's to report
    return net == gross - amount


def _references(references: list[Element]) -> Iterator[Finding]:
    if len(references) > 1:
        yield R100.at(references[1])
    codes = [text(reference, cbc("DocumentTypeCode")) for reference in references]
    if references and "130" not in codes:
        yield R101.at(references[0])


def _period(own: Element | None, period: Element | None) -> Iterator[Finding]:
    if own is None or period is None:
        return
    start, outer_start = _date(own, "StartDate"), _date(period, "StartDate")
    if start and outer_start and start < outer_start:
        yield R110.at(own)
    end, outer_end = _date(own, "EndDate"), _date(period, "EndDate")
    if end and outer_end and end > outer_end:
        yield R111.at(own)


def _date(period: Element, name: str) -> date | None:
    value = text(period, cbc(name))
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None  # PEPPOL-EN16931-F001 reports a malformed date


def _amount(
    line: Element,
    parts: Parts,
    price: Parts,
    charges: list[tuple[Element, Parts]],
    quantity_tag: str,
) -> Iterator[Finding]:
    # Absent values default as the rule defines: quantity 1, price 0, base quantity 1, amount 0.
    quantity = _decimal_or(parts, quantity_tag, Decimal(1))
    net_price = _decimal_or(price, _PRICE_AMOUNT, Decimal(0))
    base = _decimal_or(price, _BASE_QUANTITY, Decimal(1))
    actual = _decimal_or(parts, _LINE_AMOUNT, Decimal(0))
    added = _charges_total(charges, "true")
    deducted = _charges_total(charges, "false")
    # Something that is not a decimal is the schema layer's to report: nothing to compare.
    if quantity is None or net_price is None or base is None or actual is None:
        return
    if added is None or deducted is None:
        return
    expected = quantity * (net_price / (base or 1)) + added - deducted
    if not slack(actual, expected, _TOLERANCE):
        element = _first(parts, _LINE_AMOUNT)
        yield R120.at(line if element is None else element)


def _charges_total(charges: list[tuple[Element, Parts]], indicator: str) -> Decimal | None:
    total = Decimal(0)
    for _charge, parts in charges:
        if _value(parts, _INDICATOR) != indicator:
            continue
        for amount in parts.get(_AMOUNT, ()):
            value = decimal(string_value(amount))
            if value is None:
                return None
            total += value
    # The rule rounds each sum to two decimals before it compares.
    return xpath_round(total)
