"""Say where a validation finding points, in the words of the invoice form; show the
portal's own payment terms in the reader's language."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from invoices.document import InvoiceDocument
from invoices.messages import net_terms
from invoices.models import Invoice

# The first matching path fragment names the place; order matters (most specific first).
_PLACES: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (r"cac:(?:Invoice|CreditNote)Line\[(\d+)\]", lambda m: _("Line %(n)s") % {"n": m.group(1)}),
    (r"cac:(?:Invoice|CreditNote)Line(?!\[)", lambda m: _("Line 1")),
    (r"cac:AccountingSupplierParty", lambda m: _("Your company details (Settings)")),
    (r"cac:AccountingCustomerParty", lambda m: _("Customer")),
    (r"cac:PaymentMeans", lambda m: _("Payment details (Settings)")),
    (r"cac:TaxTotal", lambda m: _("VAT")),
    (r"cac:LegalMonetaryTotal", lambda m: _("Totals")),
    (r"cac:AllowanceCharge", lambda m: _("Discounts and fees")),
    (r"cbc:BuyerReference", lambda m: _("Your reference")),
    (r"cac:OrderReference", lambda m: _("Order reference")),
    (r"cbc:DueDate", lambda m: _("Due date")),
    (r"cbc:IssueDate", lambda m: _("Invoice date")),
    (r"cbc:(?:Document|Tax)CurrencyCode", lambda m: _("Currency")),
    (r"cac:AdditionalDocumentReference", lambda m: _("Attachments")),
    (r"cac:BillingReference", lambda m: _("Credited invoice")),
]


def describe_location(location: str) -> str:
    """Return the form's name for the place a finding points at, or "The invoice"."""
    for pattern, name in _PLACES:
        match = re.search(pattern, location)
        if match:
            return str(name(match))
    return _("The invoice")


def terms_for_reader(invoice: Invoice, document: InvoiceDocument) -> InvoiceDocument:
    """Return the document with the terms the portal wrote in the active language.

    Terms an imported invoice brought along are the seller's own words and stay as they are.
    """
    if not document.payment_terms or "payment_terms" in invoice.extra:
        return document
    shown = copy.copy(document)
    shown.payment_terms = str(net_terms(invoice))
    return shown
