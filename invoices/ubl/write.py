"""Write UBL leaves: elements, optional elements, amounts and identifiers as PEPPOL wants them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from .names import ORG_NUMBER_SCHEME, Element, UblError

CENT = Decimal("0.01")


def sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    """Add a child element with optional text and the attributes that have a value."""
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    for name, value in attrs.items():
        if value:
            element.set(name, value)
    return element


def opt(parent: Element, tag: str, text: str, **attrs: str) -> None:
    """Add a leaf only when it has a value: UBL has no empty optional elements."""
    if text:
        sub(parent, tag, text, **attrs)


def opt_date(parent: Element, tag: str, value: date | None) -> None:
    """Add a date leaf only when there is a date."""
    if value is not None:
        sub(parent, tag, value.isoformat())


def add_amount(parent: Element, tag: str, value: Decimal, currency: str) -> None:
    """Add an amount leaf with its currency."""
    sub(parent, tag, money(value), currencyID=currency)


def money(value: Decimal) -> str:
    """Return an amount with exactly two decimals (BR-DEC-*); more would change its value."""
    rounded = value.quantize(CENT)
    if rounded != value:
        raise UblError(f"The amount {value} has more than two decimals.")
    return format(rounded, "f")


def plain_number(value: Decimal) -> str:
    """Return a quantity, price or percentage as written, never in exponent notation."""
    return format(value, "f")


def org_id(value: str, scheme: str) -> str:
    """Return an identifier as it goes out in its scheme."""
    # A Swedish organisation number goes out as ten digits: the hyphen is only for print.
    return value.replace("-", "").replace(" ", "") if scheme == ORG_NUMBER_SCHEME else value
