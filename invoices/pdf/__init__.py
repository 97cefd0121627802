"""Render an invoice or credit note as a printable A4 PDF (reportlab platypus).

A pure package: it takes an `InvoiceDocument` whose amounts are already computed
(`invoices.totals`) and returns bytes. The same renderer serves the browser download
and the e-mail channel, so the output is byte-identical for the same input.
"""

from .labels import LANGUAGES
from .layout import render_filename, render_pdf

__all__ = ["LANGUAGES", "render_filename", "render_pdf"]
