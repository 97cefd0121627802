"""Readable locations: an element's path in the usual UBL prefixes (cac:, cbc:)."""

from __future__ import annotations

from lxml import etree

from invoices.xmlsafe import CREDIT_NOTE_NS, INVOICE_NS

# Prefixes for readable locations; the root element (Invoice, CreditNote) goes unprefixed.
PREFIXES = {
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac:",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc:",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext:",
    INVOICE_NS: "",
    CREDIT_NOTE_NS: "",
}


def element_path(element: etree._Element, attribute: str = "") -> str:
    """Return where an element is, e.g. /Invoice/cac:InvoiceLine[2]/cbc:ID (index if repeated)."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        qname = etree.QName(node)
        name = PREFIXES.get(qname.namespace or "", "") + qname.localname
        if parent is None:
            name = qname.localname
        else:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            name += f"[{same.index(node) + 1}]" if len(same) > 1 else ""
        steps.append(name)
        node = parent
    path = "/" + "/".join(reversed(steps))
    return f"{path}/@{attribute}" if attribute else path
