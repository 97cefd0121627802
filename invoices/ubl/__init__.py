"""PEPPOL BIS Billing 3.0 as UBL 2.1: build an Invoice or CreditNote, and parse one back.

Pure functions. `build` writes every field of `invoices.document` in the UBL schema's
element order; `parse` reads an already safely parsed tree (`invoices.xmlsafe`) into the
same model, so `parse(build(doc)) == doc`. Imported amounts are taken as written, never
recomputed. Where Invoice and CreditNote differ (root, type code, line and quantity
element, where BT-9 and BT-11 live), `names.Flavour` says so.
"""

from .build import build
from .names import (
    CREDIT_NOTE,
    INVOICE,
    NS_CAC,
    NS_CBC,
    NS_CREDIT_NOTE,
    NS_INVOICE,
    Attr,
    Cac,
    Cbc,
    UblError,
)
from .parse import parse

__all__ = [
    "CREDIT_NOTE",
    "INVOICE",
    "NS_CAC",
    "NS_CBC",
    "NS_CREDIT_NOTE",
    "NS_INVOICE",
    "Attr",
    "Cac",
    "Cbc",
    "UblError",
    "build",
    "parse",
]
