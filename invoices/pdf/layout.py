"""Lay out the PDF: the two passes, the page footer, the header, the parties and the notes."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, SimpleDocTemplate, Spacer, Table, TableStyle

from invoices.document import DocumentKind, InvoiceDocument, Party

from .formatting import Locale, format_period, locale_for
from .labels import F_SKATT
from .styles import (
    BOLD,
    BOLD_FONT,
    COLUMNS,
    DRAFT,
    FOOTER_SPACE,
    FRAME_PADDING,
    GREY,
    HEADING,
    LOGO_MAX,
    MARGIN,
    REGULAR,
    RULE,
    SELLER,
    SMALL,
    TITLE,
    WARNING,
    WIDTH,
    paragraph,
)
from .tables import amount_tables

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


def render_pdf(
    document: InvoiceDocument,
    *,
    language: str = "sv",
    logo: bytes | None = None,
    draft: bool = False,
) -> bytes:
    """Render the document (amounts already computed) as an A4 PDF.

    A draft is marked "UTKAST" on every page and has no payment block: a printed
    draft must not be mistaken for an invoice to pay.
    """
    locale = locale_for(language)
    if logo is not None:
        _check_logo(logo)
    # "Sida 1 av N" needs N before page 1 is drawn: lay out once to count the pages.
    # The footer sits outside the frame, so the second pass paginates identically.
    _, pages = _build(document, locale, logo, draft=draft, total_pages=0)
    pdf, _ = _build(document, locale, logo, draft=draft, total_pages=pages)
    return pdf


def render_filename(document: InvoiceDocument, *, language: str = "sv") -> str:
    """Return the download name, e.g. "faktura-2026-0001.pdf"."""
    locale = locale_for(language)
    kind = "credit_note" if document.kind == DocumentKind.CREDIT_NOTE else "invoice"
    # The number is free text from an imported document: keep the name header-safe.
    number = re.sub(r"[^A-Za-z0-9._-]+", "-", document.number).strip("-.")
    return f"{locale(kind).lower().replace(' ', '-')}-{number}.pdf"


def _check_logo(logo: bytes) -> None:
    # PNG and JPEG are what we promise; Pillow would happily open far more formats.
    if not logo.startswith((_PNG_MAGIC, _JPEG_MAGIC)):
        raise ValueError("the logo must be a PNG or JPEG image")


def _build(
    document: InvoiceDocument,
    locale: Locale,
    logo: bytes | None,
    *,
    draft: bool,
    total_pages: int,
) -> tuple[bytes, int]:
    buffer = BytesIO()
    title = f"{_title(document, locale)} {document.number}"
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN - FRAME_PADDING,
        rightMargin=MARGIN - FRAME_PADDING,
        topMargin=MARGIN - FRAME_PADDING,
        bottomMargin=MARGIN + FOOTER_SPACE - FRAME_PADDING,
        title=title,
        author=document.seller.name,
        creator="efaktura-portal",
        invariant=True,  # fixed dates and ids: the same document gives the same bytes
        initialFontName=REGULAR,  # not reportlab's Helvetica, which would be listed unused
    )
    footer = _footer(title, locale, total_pages, draft=draft)
    story = _story(document, locale, logo, draft=draft)
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), int(template.page)


def _footer(
    title: str, locale: Locale, total_pages: int, *, draft: bool
) -> Callable[[Canvas, object], None]:
    def draw(canvas: Canvas, template: object) -> None:
        if draft:
            _draw_draft_mark(canvas, locale("draft_mark"))
        page = canvas.getPageNumber()
        y = MARGIN
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y + 4 * mm, A4[0] - MARGIN, y + 4 * mm)
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, y, title)
        canvas.drawRightString(
            A4[0] - MARGIN, y, locale("page").format(page=page, total=total_pages)
        )
        canvas.restoreState()

    return draw


def _draw_draft_mark(canvas: Canvas, text: str) -> None:
    # Drawn before the page's content, and translucent: the mark never hides a figure.
    canvas.saveState()
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(45)
    canvas.setFont(BOLD_FONT, 110)
    canvas.setFillColor(WARNING)
    canvas.setFillAlpha(0.12)
    canvas.drawCentredString(0, -40, text)
    canvas.restoreState()


def _story(
    document: InvoiceDocument, locale: Locale, logo: bytes | None, *, draft: bool
) -> list[Flowable]:
    story: list[Flowable] = [
        _header(document, locale, logo, draft=draft),
        Spacer(1, 8 * mm),
        _parties(document, locale),
        Spacer(1, 8 * mm),
        *amount_tables(document, locale, draft=draft),
    ]
    story += _notes(document, locale)
    return story


def _title(document: InvoiceDocument, locale: Locale) -> str:
    return locale("credit_note" if document.kind == DocumentKind.CREDIT_NOTE else "invoice")


def _header(document: InvoiceDocument, locale: Locale, logo: bytes | None, *, draft: bool) -> Table:
    left: list[Flowable] = []
    if logo is not None:
        left += [_logo_image(logo), Spacer(1, 3 * mm)]
    left.append(paragraph(document.seller.name, SELLER))
    right: list[Flowable] = [paragraph(_title(document, locale), TITLE)]
    if draft:
        right.append(paragraph(locale("draft_notice"), DRAFT))
    right.append(_document_facts(document, locale))
    table = Table([[left, right]], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    table.setStyle(TableStyle(COLUMNS))
    return table


def _logo_image(logo: bytes) -> Image:
    """Fit the logo into its box, keeping its proportions."""
    try:
        width, height = ImageReader(BytesIO(logo)).getSize()
    except Exception as error:  # reportlab and Pillow raise many kinds on a broken image
        raise ValueError("the logo is not a readable PNG or JPEG image") from error
    scale = min(LOGO_MAX[0] / width, LOGO_MAX[1] / height)
    return Image(BytesIO(logo), width=width * scale, height=height * scale, hAlign="LEFT")


def _document_facts(document: InvoiceDocument, locale: Locale) -> Table:
    is_credit = document.kind == DocumentKind.CREDIT_NOTE
    preceding = ", ".join(
        f"{number} ({issued.isoformat()})" if issued else number
        for number, issued in document.preceding_invoices
    )
    facts = [
        ("credit_note_number" if is_credit else "invoice_number", document.number),
        ("issue_date", document.issue_date.isoformat()),
        ("delivery_date", _delivery_date(document)),
        ("period", _invoicing_period(document)),
        ("due_date", document.due_date.isoformat() if document.due_date and not is_credit else ""),
        ("buyer_reference", document.buyer_reference),
        ("order_reference", document.order_reference),
        ("credited_invoice" if is_credit else "preceding_invoice", preceding),
    ]
    rows = [[locale(key), paragraph(value)] for key, value in facts if value]
    return _key_value_table(rows, [WIDTH * 0.2, WIDTH * 0.3])


def _delivery_date(document: InvoiceDocument) -> str:
    # ML 17 kap. 24 §: the date of supply, where it differs from the invoice date.
    supplied = document.delivery.date if document.delivery else None
    return supplied.isoformat() if supplied else ""


def _invoicing_period(document: InvoiceDocument) -> str:
    if not (document.period_start or document.period_end):
        return ""
    return format_period(document.period_start, document.period_end)


def _key_value_table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("TEXTCOLOR", (0, 0), (0, -1), GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _parties(document: InvoiceDocument, locale: Locale) -> Table:
    seller = _party_block(document.seller, locale("seller"), locale, is_seller=True)
    buyer = _party_block(document.buyer, locale("buyer"), locale, is_seller=False)
    table = Table([[seller, buyer]], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    table.setStyle(TableStyle(COLUMNS))
    return table


def _party_block(party: Party, heading: str, locale: Locale, *, is_seller: bool) -> list[Flowable]:
    address = party.address
    lines = [
        party.trading_name if party.trading_name != party.name else "",
        address.street,
        address.additional_street,
        address.address_line,
        f"{address.postal_zone} {address.city}".strip(),
        address.country_subentity,
        address.country if address.country != "SE" else "",
    ]
    org_number = _org_number(party)
    ids = [
        f"{locale('org_number')} {_format_org_number(org_number)}" if org_number else "",
        # ABL 28 kap. 1 §: an aktiebolag's invoices name its board's seat ("Styrelsens säte").
        party.legal_form if is_seller else "",
        f"{locale('vat_number')} {party.vat_number}" if party.vat_number else "",
        _tax_registration(party.tax_registration) if is_seller else "",
    ]
    if is_seller:
        contact = f"{locale('our_reference')} {party.contact_name}" if party.contact_name else ""
        ids += [contact, party.contact_phone, party.contact_email]
    block: list[Flowable] = [
        paragraph(heading.upper(), SMALL),
        paragraph(party.name, BOLD),
    ]
    block += [paragraph(line) for line in lines if line]
    block.append(Spacer(1, 2 * mm))
    block += [paragraph(line) for line in ids if line]
    return block


def _org_number(party: Party) -> str:
    if party.legal_id:
        return party.legal_id
    # Many senders carry the org number only as the 0007 endpoint id.
    return party.endpoint_id if party.endpoint_scheme == "0007" else ""


def _format_org_number(value: str) -> str:
    digits = value.replace("-", "").strip()
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 and digits.isdigit() else value


def _tax_registration(value: str) -> str:
    # Senders spell it in many ways; print the exact wording SE-R-005 asks for.
    return F_SKATT if "f-skatt" in value.lower() else value


def _notes(document: InvoiceDocument, locale: Locale) -> list[Flowable]:
    notes = [note for note in document.notes if note.strip()]
    if not notes:
        return []
    return [paragraph(locale("notes"), HEADING), *(paragraph(note) for note in notes)]
