"""The page's geometry, colours and paragraph styles, shared by every part of the layout."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

MARGIN = 18 * mm
FRAME_PADDING = 6  # points; platypus pads its page frame, so the margins give that back
FOOTER_SPACE = 12 * mm
WIDTH = A4[0] - 2 * MARGIN
LOGO_MAX = (45 * mm, 20 * mm)

DARK = colors.HexColor("#222222")
GREY = colors.HexColor("#666666")
RULE = colors.HexColor("#d4d4d4")
SHADE = colors.HexColor("#f0f0f0")

# The standard Helvetica uses WinAnsi encoding, which covers åäöÅÄÖ (Latin-1),
# and needs no font file, so the output does not depend on the host's fonts.
BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=11.5, textColor=DARK)
CELL = ParagraphStyle("cell", parent=BASE, fontSize=8.5, leading=10.5)
SMALL = ParagraphStyle("small", parent=BASE, fontSize=7.5, leading=9.5, textColor=GREY)
HEADING = ParagraphStyle(
    "heading", parent=BASE, fontName="Helvetica-Bold", fontSize=10, spaceBefore=8, spaceAfter=3
)
SELLER = ParagraphStyle("seller", parent=BASE, fontName="Helvetica-Bold", fontSize=13, leading=16)
TITLE = ParagraphStyle("title", parent=BASE, fontName="Helvetica-Bold", fontSize=20, leading=24)
OCR = ParagraphStyle("ocr", parent=BASE, fontName="Helvetica-Bold", fontSize=14, leading=17)
BOLD = ParagraphStyle("bold", parent=BASE, fontName="Helvetica-Bold")

NO_PADDING = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]


def paragraph(value: str, style: ParagraphStyle = BASE) -> Paragraph:
    """Return plain text as a paragraph; reportlab would read its "<" and "&" as markup."""
    return Paragraph(escape(value), style)
