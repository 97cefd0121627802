"""Read UBL leaves: text, attributes, numbers and dates, each saying what is wrong with it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from .names import Element, UblError


def find(element: Element | None, *path: str) -> Element | None:
    """Return the element at the path below `element`, None when either is missing."""
    return None if element is None else element.find("/".join(path))


def text(element: Element | None, *path: str) -> str:
    """Return the text at the path, "" when absent."""
    found = find(element, *path)
    return "" if found is None else found.text or ""


def attr(element: Element | None, name: str, *path: str) -> str:
    """Return an attribute of the element at the path (or of `element`), "" when absent."""
    found = find(element, *path) if path else element
    return "" if found is None else found.get(name) or ""


def decimal(element: Element | None, *path: str) -> Decimal | None:
    """Return the number at the path, None when absent."""
    found = find(element, *path)
    if found is None:
        return None
    try:
        value = Decimal((found.text or "").strip())
    except InvalidOperation:
        raise UblError(f"{local_name(found)} is not a number: {found.text!r}") from None
    if not value.is_finite():
        raise UblError(f"{local_name(found)} is not a number: {found.text!r}")
    return value


def decimal_or_zero(element: Element | None, *path: str) -> Decimal:
    """Return a number, zero when the (optional) element is absent."""
    value = decimal(element, *path)
    return Decimal(0) if value is None else value


def date_or_none(element: Element | None, *path: str) -> date | None:
    """Return the date at the path, None when absent."""
    found = find(element, *path)
    if found is None:
        return None
    # xs:date may carry a time zone ("2024-01-31Z", "+01:00"); the date is what counts.
    text = (found.text or "").strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UblError(f"{local_name(found)} is not a date: {found.text!r}") from None


def required_date(element: Element, *path: str) -> date:
    """Return the date at the path; its absence is an error."""
    value = date_or_none(element, *path)
    if value is None:
        raise UblError(f"The document has no {path[-1].split('}')[-1]}.")
    return value


def local_name(element: Element) -> str:
    """Return the element name without its namespace."""
    return etree.QName(element).localname


def children(element: Element | None, tag: str) -> Iterable[Element]:
    """Return the children with the tag, none when the element is missing."""
    return [] if element is None else element.findall(tag)
