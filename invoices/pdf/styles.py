"""The page's geometry, colours and paragraph styles, shared by every part of the layout."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import font_source_sans_pro
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
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
WARNING = colors.HexColor("#b42318")


REGULAR, BOLD_FONT = "SourceSansPro-Regular", "SourceSansPro-Bold"  # also the file names


def _register_fonts() -> None:
    """Embed Source Sans Pro, regular and bold.

    Customers in Poland, the Baltics or Hungary have names the PDF standard fonts cannot
    show (WinAnsi has no Ł, ę or ő: they printed as black boxes). The font comes from a
    Python package, so the output does not depend on the host's fonts; reportlab embeds
    only the glyphs a document uses.
    """
    files = Path(font_source_sans_pro.font_directory)
    for name in (REGULAR, BOLD_FONT):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(files / f"{name}.ttf")))
    # <b> inside a paragraph picks the bold face of the family.
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD_FONT, boldItalic=BOLD_FONT)


_register_fonts()

BASE = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=11.5, textColor=DARK)
CELL = ParagraphStyle("cell", parent=BASE, fontSize=8.5, leading=10.5)
SMALL = ParagraphStyle("small", parent=BASE, fontSize=7.5, leading=9.5, textColor=GREY)
HEADING = ParagraphStyle(
    "heading", parent=BASE, fontName=BOLD_FONT, fontSize=10, spaceBefore=8, spaceAfter=3
)
SELLER = ParagraphStyle("seller", parent=BASE, fontName=BOLD_FONT, fontSize=13, leading=16)
TITLE = ParagraphStyle("title", parent=BASE, fontName=BOLD_FONT, fontSize=20, leading=24)
OCR = ParagraphStyle("ocr", parent=BASE, fontName=BOLD_FONT, fontSize=14, leading=17)
BOLD = ParagraphStyle("bold", parent=BASE, fontName=BOLD_FONT)
DRAFT = ParagraphStyle("draft", parent=BOLD, textColor=WARNING, spaceAfter=2 * mm)
# Lines that belong to the totals above them, aligned with their right edge.
TOTALS_NOTE = ParagraphStyle("totals_note", parent=SMALL, alignment=TA_RIGHT, spaceBefore=1 * mm)
NOTICE = ParagraphStyle(
    "notice", parent=BOLD, fontSize=11, leading=14, alignment=TA_RIGHT, spaceBefore=3 * mm
)

# Two blocks side by side (document header, seller and buyer): no grid, no padding. The
# font is the cells' default; without it reportlab would name Helvetica in the PDF.
COLUMNS = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("FONTNAME", (0, 0), (-1, -1), REGULAR),
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]


def paragraph(value: str, style: ParagraphStyle = BASE) -> Paragraph:
    """Return plain text as a paragraph; reportlab would read its "<" and "&" as markup."""
    return Paragraph(escape(value), style)
