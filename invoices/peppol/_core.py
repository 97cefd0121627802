"""What every rule family shares: the parsed document, rule metadata, values as XPath sees them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from lxml import etree

from invoices.findings import Finding, Layer, Severity

CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
EXT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
_PREFIXES = {CBC_NS: "cbc", CAC_NS: "cac", EXT_NS: "ext"}

Element = etree._Element

# XPath's normalize-space() and its number() only know these four whitespace characters.
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_XS_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_XS_DOUBLE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF")

_MAX_DIGITS = 64

FATAL = Severity.FATAL
WARNING = Severity.WARNING


def cbc(name: str) -> str:
    """Return the Clark name of a basic component."""
    return f"{{{CBC_NS}}}{name}"


def cac(name: str) -> str:
    """Return the Clark name of an aggregate component."""
    return f"{{{CAC_NS}}}{name}"


def normalize(value: str | None) -> str:
    """Return the value as XPath normalize-space() sees it."""
    if not value:
        return ""
    if value.isascii():  # fast path: the only ASCII whitespace XML allows is XPath's four
        return " ".join(value.split())
    return _XML_SPACE.sub(" ", value).strip(" ")


def string_value(element: Element | None) -> str:
    """Return an element's XPath string value (its text, with any descendants' text)."""
    if element is None:
        return ""
    if len(element) == 0:
        return element.text or ""
    return "".join(part for part in element.itertext() if isinstance(part, str))


def first(parent: Element | None, *path: str) -> Element | None:
    """Return the first element at this path of child tags, as parent.find("a/b") would."""
    # iterchildren() matches the tag in C; find() parses its path on every call, at twice the cost.
    if parent is None:
        return None
    tag, rest = path[0], path[1:]
    for child in parent.iterchildren(tag):
        found = first(child, *rest) if rest else child
        if found is not None:
            return found
    return None


def text(parent: Element | None, *path: str) -> str | None:
    """Return the normalized text of the first element at this path, None when there is none."""
    element = first(parent, *path)
    return None if element is None else normalize(string_value(element))


def decimal(value: str | None) -> Decimal | None:
    """Parse an xs:decimal lexical value; None when absent or not a decimal."""
    candidate = normalize(value)
    # A number longer than any real amount could overflow Decimal's exponent range in a
    # product: treat it as no decimal at all (the CEN layer still checks the arithmetic).
    if len(candidate) > _MAX_DIGITS or not _XS_DECIMAL.fullmatch(candidate):
        return None
    try:
        return Decimal(candidate)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None


def is_number(value: str | None) -> bool:
    """Tell whether XPath 2.0 number() gives something other than NaN."""
    return bool(_XS_DOUBLE.fullmatch(normalize(value)))


def number(value: str | None) -> Decimal | None:
    """Return XPath number() of a value as a Decimal; None for NaN and infinities."""
    candidate = normalize(value)
    if len(candidate) > _MAX_DIGITS or not _XS_DOUBLE.fullmatch(candidate):
        return None
    if candidate.endswith("INF"):
        return None
    return Decimal(candidate)


def slack(expected: Decimal, actual: Decimal, allowed: Decimal) -> bool:
    """Tell whether two amounts differ by no more than the rule's tolerance."""
    return abs(expected - actual) <= allowed


def xpath_round(value: Decimal, places: int = 2) -> Decimal:
    """Round the way round(x * 100) div 100 does: half towards positive infinity."""
    scale = Decimal(10) ** places
    return (value * scale + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR) / scale


def location(element: Element, attribute: str | None = None) -> str:
    """Return an XPath-like path to the element, e.g. /Invoice/cac:InvoiceLine[2]/cbc:Note."""
    steps: list[str] = []
    node: Element | None = element
    while node is not None:
        parent = node.getparent()
        steps.append(_step(node, parent))
        node = parent
    path = "/" + "/".join(reversed(steps))
    return f"{path}/@{attribute}" if attribute else path


def _step(node: Element, parent: Element | None) -> str:
    qname = etree.QName(node)
    prefix = _PREFIXES.get(qname.namespace or "")
    name = f"{prefix}:{qname.localname}" if prefix and parent is not None else qname.localname
    if parent is None:
        return name
    same = [sibling for sibling in parent if sibling.tag == node.tag]
    return f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name


@dataclass(frozen=True)
class Rule:
    """One official rule: its id, its flag and what it means for the person who sends."""

    id: str
    severity: Severity
    en: str
    sv: str

    def at(self, element: Element, attribute: str | None = None) -> Finding:
        """Return this rule's finding located at the element (or one of its attributes)."""
        return Finding(
            rule=self.id,
            severity=self.severity,
            message_en=self.en,
            message_sv=self.sv,
            location=location(element, attribute),
            layer=Layer.PEPPOL,
        )


AMOUNT_TAGS = tuple(
    cbc(name)
    for name in (
        "Amount",
        "BaseAmount",
        "PriceAmount",
        "TaxAmount",
        "TaxableAmount",
        "LineExtensionAmount",
        "TaxExclusiveAmount",
        "TaxInclusiveAmount",
        "AllowanceTotalAmount",
        "ChargeTotalAmount",
        "PrepaidAmount",
        "PayableRoundingAmount",
        "PayableAmount",
    )
)

# Inside a cac:PartyTaxScheme: the id of the tax scheme (VAT, or e.g. TAX for the F-tax note).
TAX_SCHEME_ID = (cac("TaxScheme"), cbc("ID"))


def children(element: Element) -> dict[str, list[Element]]:
    """Return an element's child elements by tag (one pass: cheaper than repeated find())."""
    by_tag: dict[str, list[Element]] = {}
    for child in element.iterchildren(etree.Element):
        by_tag.setdefault(str(child.tag), []).append(child)
    return by_tag


class Doc:
    """A UBL Invoice or CreditNote, with the lookups the rule families share."""

    __slots__ = (
        "amounts",
        "buyer",
        "buyer_country",
        "header",
        "is_invoice",
        "line_tag",
        "quantity_tag",
        "root",
        "seller",
        "seller_country",
    )

    def __init__(self, root: Element) -> None:
        self.root = root
        self.is_invoice = etree.QName(root).localname != "CreditNote"
        self.line_tag = cac("InvoiceLine") if self.is_invoice else cac("CreditNoteLine")
        self.quantity_tag = cbc("InvoicedQuantity") if self.is_invoice else cbc("CreditedQuantity")
        # The families read the same header fields and parties many times over: look them up
        # once, from one pass over the root's children.
        self.header = children(root)
        self.amounts = self.all(*AMOUNT_TAGS)
        self.seller = first(root, cac("AccountingSupplierParty"), _PARTY)
        self.buyer = first(root, cac("AccountingCustomerParty"), _PARTY)
        self.seller_country = _country(self.seller)
        self.buyer_country = _country(self.buyer)

    def all(self, *tags: str) -> list[Element]:
        """Return every element with one of these tags, anywhere, in document order."""
        # lxml filters by tag in C: only the matches become Python objects.
        return list(self.root.iter(*tags))

    def empty_elements(self) -> list[Element]:
        """Return the elements with no element children and only whitespace as text."""
        # One pass in Python beats libxml2's XPath here: it never builds string values.
        return [
            element
            for element in self.root.iter(etree.Element)
            if len(element) == 0 and not (element.text or "").strip(" \t\r\n")
        ]

    def fields(self, tag: str) -> Sequence[Element]:
        """Return the root's children with this tag, in document order."""
        return self.header.get(tag, ())

    def field(self, tag: str) -> Element | None:
        """Return the root's first child with this tag, None when there is none."""
        found = self.header.get(tag)
        return found[0] if found else None

    def value(self, tag: str) -> str | None:
        """Return the normalized text of the root's first child with this tag, None if absent."""
        element = self.field(tag)
        return None if element is None else normalize(string_value(element))

    def lines(self) -> Sequence[Element]:
        """Return the invoice or credit note lines."""
        return self.fields(self.line_tag)


def _country(party: Element | None) -> str | None:
    """Return the party's postal address country code as written (not normalized)."""
    code = first(party, *_COUNTRY_PATH)
    return None if code is None else string_value(code)


_PARTY = cac("Party")
_COUNTRY_PATH = (cac("PostalAddress"), cac("Country"), cbc("IdentificationCode"))
