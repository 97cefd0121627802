"""Render an invoice or credit note as a printable A4 PDF (reportlab platypus).

A pure module: it takes an `InvoiceDocument` whose amounts are already computed
(`invoices.totals`) and returns bytes. The same renderer serves the browser download
and the e-mail channel, so the output is byte-identical for the same input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from invoices.document import (
    AllowanceCharge,
    DocumentKind,
    InvoiceDocument,
    Line,
    Party,
    PaymentMeans,
    VatBreakdown,
)

LANGUAGES = ("sv", "en")

_MARGIN = 18 * mm
_FRAME_PADDING = 6  # points; platypus pads its page frame, so the margins give that back
_FOOTER_SPACE = 12 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_LOGO_MAX = (45 * mm, 20 * mm)

_DARK = colors.HexColor("#222222")
_GREY = colors.HexColor("#666666")
_RULE = colors.HexColor("#d4d4d4")
_SHADE = colors.HexColor("#f0f0f0")

# The standard Helvetica uses WinAnsi encoding, which covers åäöÅÄÖ (Latin-1),
# and needs no font file, so the output does not depend on the host's fonts.
_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=11.5, textColor=_DARK)
_CELL = ParagraphStyle("cell", parent=_BASE, fontSize=8.5, leading=10.5)
_SMALL = ParagraphStyle("small", parent=_BASE, fontSize=7.5, leading=9.5, textColor=_GREY)
_HEADING = ParagraphStyle(
    "heading", parent=_BASE, fontName="Helvetica-Bold", fontSize=10, spaceBefore=8, spaceAfter=3
)
_SELLER = ParagraphStyle("seller", parent=_BASE, fontName="Helvetica-Bold", fontSize=13, leading=16)
_TITLE = ParagraphStyle("title", parent=_BASE, fontName="Helvetica-Bold", fontSize=20, leading=24)
_OCR = ParagraphStyle("ocr", parent=_BASE, fontName="Helvetica-Bold", fontSize=14, leading=17)
_BOLD = ParagraphStyle("bold", parent=_BASE, fontName="Helvetica-Bold")

_NO_PADDING = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]

_TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "invoice": "Faktura",
        "credit_note": "Kreditfaktura",
        "invoice_number": "Fakturanummer",
        "credit_note_number": "Kreditfakturanummer",
        "issue_date": "Fakturadatum",
        "due_date": "Förfallodatum",
        "buyer_reference": "Er referens",
        "order_reference": "Er beställning",
        "credited_invoice": "Krediterar faktura",
        "preceding_invoice": "Avser faktura",
        "seller": "Säljare",
        "buyer": "Köpare",
        "org_number": "Org.nr",
        "vat_number": "Momsreg.nr",
        "our_reference": "Vår referens",
        "article": "Art.nr",
        "description": "Beskrivning",
        "quantity": "Antal",
        "unit": "Enhet",
        "unit_price": "À-pris",
        "discount": "Rabatt",
        "vat_rate": "Moms",
        "line_amount": "Belopp",
        "period": "Period",
        "allowances_charges": "Rabatter och tillägg",
        "allowance": "Rabatt",
        "charge": "Tillägg",
        "reason": "Orsak",
        "of": "av",
        "vat_breakdown": "Momsspecifikation",
        "vat_category": "Momssats",
        "taxable_amount": "Underlag",
        "vat_amount": "Moms",
        "exemption_reason": "Undantagsskäl",
        "line_total": "Summa rader",
        "allowance_total": "Rabatter",
        "charge_total": "Tillägg",
        "net_total": "Summa exkl. moms",
        "vat_total": "Moms",
        "vat_in_tax_currency": "Moms i {currency}",
        "prepaid": "Förskottsbetalt",
        "rounding": "Öresavrundning",
        "payable": "Att betala",
        "credit_total": "Att kreditera",
        "payment": "Betalning",
        "account": "Konto",
        "ocr": "OCR-nummer",
        "payment_reference": "Betalningsreferens",
        "payment_terms": "Betalningsvillkor",
        "notes": "Meddelande",
        "page": "Sida {page} av {total}",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "invoice_number": "Invoice number",
        "credit_note_number": "Credit note number",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "buyer_reference": "Your reference",
        "order_reference": "Your order",
        "credited_invoice": "Credits invoice",
        "preceding_invoice": "Refers to invoice",
        "seller": "Seller",
        "buyer": "Buyer",
        "org_number": "Reg. no.",
        "vat_number": "VAT no.",
        "our_reference": "Our reference",
        "article": "Item no.",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price",
        "discount": "Discount",
        "vat_rate": "VAT",
        "line_amount": "Amount",
        "period": "Period",
        "allowances_charges": "Allowances and charges",
        "allowance": "Allowance",
        "charge": "Charge",
        "reason": "Reason",
        "of": "of",
        "vat_breakdown": "VAT breakdown",
        "vat_category": "VAT rate",
        "taxable_amount": "Taxable amount",
        "vat_amount": "VAT",
        "exemption_reason": "Exemption reason",
        "line_total": "Sum of lines",
        "allowance_total": "Allowances",
        "charge_total": "Charges",
        "net_total": "Total excl. VAT",
        "vat_total": "VAT",
        "vat_in_tax_currency": "VAT in {currency}",
        "prepaid": "Prepaid",
        "rounding": "Rounding",
        "payable": "Amount due",
        "credit_total": "Amount credited",
        "payment": "Payment",
        "account": "Account",
        "ocr": "OCR reference",
        "payment_reference": "Payment reference",
        "payment_terms": "Payment terms",
        "notes": "Notes",
        "page": "Page {page} of {total}",
    },
}

# UN/ECE rec. 20 codes the portal's users actually pick; any other code is shown as is.
_UNITS: dict[str, dict[str, str]] = {
    "sv": {
        "EA": "st",
        "C62": "st",
        "HUR": "tim",
        "DAY": "dag",
        "KGM": "kg",
        "MTR": "m",
        "LTR": "l",
    },
    "en": {
        "EA": "pcs",
        "C62": "pcs",
        "HUR": "h",
        "DAY": "days",
        "KGM": "kg",
        "MTR": "m",
        "LTR": "l",
    },
}

_VAT_CATEGORIES: dict[str, dict[str, str]] = {
    "sv": {
        "S": "Moms",
        "Z": "Nollskattesats",
        "E": "Undantagen från moms",
        "AE": "Omvänd skattskyldighet",
        "K": "Unionsintern leverans",
        "G": "Export utanför EU",
        "O": "Ej föremål för moms",
        "L": "IGIC (Kanarieöarna)",
        "M": "IPSI (Ceuta och Melilla)",
    },
    "en": {
        "S": "VAT",
        "Z": "Zero rated",
        "E": "Exempt from VAT",
        "AE": "Reverse charge",
        "K": "Intra-community supply",
        "G": "Export outside the EU",
        "O": "Not subject to VAT",
        "L": "IGIC (Canary Islands)",
        "M": "IPSI (Ceuta and Melilla)",
    },
}

_F_SKATT = "Godkänd för F-skatt"  # the legal wording (SE-R-005), printed in every language
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True)
class _Locale:
    """Texts and number formats of one language."""

    language: str
    texts: Mapping[str, str]

    def __call__(self, key: str) -> str:
        return self.texts[key]

    def number(self, value: Decimal, places: int) -> str:
        """Group thousands: "1 234,50" in Swedish, "1,234.50" in English."""
        quantized = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{abs(quantized) if quantized == 0 else quantized:,f}"
        if self.language == "sv":
            text = text.replace(",", " ").replace(".", ",")
        return text

    def amount(self, value: Decimal) -> str:
        return self.number(value, 2)

    def price(self, value: Decimal) -> str:
        # Unit prices may carry more than two decimals (BT-146); never hide them.
        return self.number(value, _places(value, minimum=2))

    def quantity(self, value: Decimal) -> str:
        return self.number(value, _places(value, minimum=0))

    def percent(self, value: Decimal) -> str:
        number = self.number(value, _places(value, minimum=0))
        return f"{number} %" if self.language == "sv" else f"{number}%"

    def money(self, value: Decimal, currency: str) -> str:
        if self.language == "sv" and currency == "SEK":
            return f"{self.amount(value)} kr"
        return f"{self.amount(value)} {currency}"

    def unit(self, code: str) -> str:
        return _UNITS[self.language].get(code.upper(), code)

    def vat_category(self, code: str, rate: Decimal | None) -> str:
        name = _VAT_CATEGORIES[self.language].get(code, code)
        # A zero rate adds nothing to "exempt", "reverse charge" and the like.
        return f"{name} {self.percent(rate)}" if rate else name


def render_pdf(
    document: InvoiceDocument, *, language: str = "sv", logo: bytes | None = None
) -> bytes:
    """Render the document (amounts already computed) as an A4 PDF."""
    locale = _locale(language)
    if logo is not None:
        _check_logo(logo)
    # "Sida 1 av N" needs N before page 1 is drawn: lay out once to count the pages.
    # The footer sits outside the frame, so the second pass paginates identically.
    _, pages = _build(document, locale, logo, total_pages=0)
    pdf, _ = _build(document, locale, logo, total_pages=pages)
    return pdf


def render_filename(document: InvoiceDocument, *, language: str = "sv") -> str:
    """Return the download name, e.g. "faktura-2026-0001.pdf"."""
    locale = _locale(language)
    kind = "credit_note" if document.kind == DocumentKind.CREDIT_NOTE else "invoice"
    # The number is free text from an imported document: keep the name header-safe.
    number = re.sub(r"[^A-Za-z0-9._-]+", "-", document.number).strip("-.")
    return f"{locale(kind).lower().replace(' ', '-')}-{number}.pdf"


def _locale(language: str) -> _Locale:
    if language not in _TEXTS:
        raise ValueError(f"unsupported language {language!r}; use one of {LANGUAGES}")
    return _Locale(language, _TEXTS[language])


def _places(value: Decimal, *, minimum: int) -> int:
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) else 0
    return min(max(minimum, decimals), 6)


def _check_logo(logo: bytes) -> None:
    # PNG and JPEG are what we promise; Pillow would happily open far more formats.
    if not logo.startswith((_PNG_MAGIC, _JPEG_MAGIC)):
        raise ValueError("the logo must be a PNG or JPEG image")


def _build(
    document: InvoiceDocument, locale: _Locale, logo: bytes | None, *, total_pages: int
) -> tuple[bytes, int]:
    buffer = BytesIO()
    title = f"{_title(document, locale)} {document.number}"
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN - _FRAME_PADDING,
        rightMargin=_MARGIN - _FRAME_PADDING,
        topMargin=_MARGIN - _FRAME_PADDING,
        bottomMargin=_MARGIN + _FOOTER_SPACE - _FRAME_PADDING,
        title=title,
        author=document.seller.name,
        creator="efaktura-portal",
        invariant=True,  # fixed dates and ids: the same document gives the same bytes
    )
    footer = _footer(title, locale, total_pages)
    template.build(_story(document, locale, logo), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), int(template.page)


def _footer(title: str, locale: _Locale, total_pages: int) -> Callable[[Canvas, object], None]:
    def draw(canvas: Canvas, template: object) -> None:
        page = canvas.getPageNumber()
        y = _MARGIN
        canvas.saveState()
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(_MARGIN, y + 4 * mm, A4[0] - _MARGIN, y + 4 * mm)
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(_GREY)
        canvas.drawString(_MARGIN, y, title)
        canvas.drawRightString(
            A4[0] - _MARGIN, y, locale("page").format(page=page, total=total_pages)
        )
        canvas.restoreState()

    return draw


def _story(document: InvoiceDocument, locale: _Locale, logo: bytes | None) -> list[Flowable]:
    story: list[Flowable] = [
        _header(document, locale, logo),
        Spacer(1, 8 * mm),
        _parties(document, locale),
        Spacer(1, 8 * mm),
        _lines_table(document, locale),
    ]
    story += _allowances_charges(document, locale)
    story += _vat_breakdown(document, locale)
    story.append(_totals(document, locale))
    story += _payment(document, locale)
    story += _notes(document, locale)
    return story


def _title(document: InvoiceDocument, locale: _Locale) -> str:
    return locale("credit_note" if document.kind == DocumentKind.CREDIT_NOTE else "invoice")


def _text(value: str, style: ParagraphStyle = _BASE) -> Paragraph:
    return Paragraph(escape(value), style)


def _header(document: InvoiceDocument, locale: _Locale, logo: bytes | None) -> Table:
    left: list[Flowable] = []
    if logo is not None:
        left += [_logo_image(logo), Spacer(1, 3 * mm)]
    left.append(_text(document.seller.name, _SELLER))
    right: list[Flowable] = [
        _text(_title(document, locale), _TITLE),
        _document_facts(document, locale),
    ]
    table = Table([[left, right]], colWidths=[_WIDTH * 0.5, _WIDTH * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]))
    return table


def _logo_image(logo: bytes) -> Image:
    """Fit the logo into its box, keeping its proportions."""
    try:
        width, height = ImageReader(BytesIO(logo)).getSize()
    except Exception as error:  # reportlab and Pillow raise many kinds on a broken image
        raise ValueError("the logo is not a readable PNG or JPEG image") from error
    scale = min(_LOGO_MAX[0] / width, _LOGO_MAX[1] / height)
    return Image(BytesIO(logo), width=width * scale, height=height * scale, hAlign="LEFT")


def _document_facts(document: InvoiceDocument, locale: _Locale) -> Table:
    is_credit = document.kind == DocumentKind.CREDIT_NOTE
    preceding = ", ".join(
        f"{number} ({issued.isoformat()})" if issued else number
        for number, issued in document.preceding_invoices
    )
    facts = [
        ("credit_note_number" if is_credit else "invoice_number", document.number),
        ("issue_date", document.issue_date.isoformat()),
        ("due_date", document.due_date.isoformat() if document.due_date else ""),
        ("buyer_reference", document.buyer_reference),
        ("order_reference", document.order_reference),
        ("credited_invoice" if is_credit else "preceding_invoice", preceding),
    ]
    rows = [[locale(key), _text(value)] for key, value in facts if value]
    return _key_value_table(rows, [_WIDTH * 0.2, _WIDTH * 0.3])


def _key_value_table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("TEXTCOLOR", (0, 0), (0, -1), _GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _parties(document: InvoiceDocument, locale: _Locale) -> Table:
    seller = _party_block(document.seller, locale("seller"), locale, is_seller=True)
    buyer = _party_block(document.buyer, locale("buyer"), locale, is_seller=False)
    table = Table([[seller, buyer]], colWidths=[_WIDTH * 0.5, _WIDTH * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]))
    return table


def _party_block(party: Party, heading: str, locale: _Locale, *, is_seller: bool) -> list[Flowable]:
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
        f"{locale('vat_number')} {party.vat_number}" if party.vat_number else "",
        _tax_registration(party.tax_registration) if is_seller else "",
    ]
    if is_seller:
        contact = f"{locale('our_reference')} {party.contact_name}" if party.contact_name else ""
        ids += [contact, party.contact_phone, party.contact_email]
    block: list[Flowable] = [
        _text(heading.upper(), _SMALL),
        _text(party.name, _BOLD),
    ]
    block += [_text(line) for line in lines if line]
    block.append(Spacer(1, 2 * mm))
    block += [_text(line) for line in ids if line]
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
    return _F_SKATT if "f-skatt" in value.lower() else value


_LINE_COLUMNS = (
    "article",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount",
    "vat_rate",
    "line_amount",
)
# The description takes whatever the seven fixed columns (119 mm) leave.
_LINE_WIDTHS = [18 * mm, _WIDTH - 119 * mm, 14 * mm, 11 * mm, 22 * mm, 17 * mm, 13 * mm, 24 * mm]


def _lines_table(document: InvoiceDocument, locale: _Locale) -> Table:
    rows: list[list[object]] = [[locale(column) for column in _LINE_COLUMNS]]
    rows += [_line_row(line, locale) for line in document.lines]
    # repeatRows: every page of a long invoice starts with the column headings.
    table = Table(rows, colWidths=_LINE_WIDTHS, repeatRows=1)
    table.setStyle(_grid_style(right_from=4, extra=[("ALIGN", (2, 0), (2, -1), "RIGHT")]))
    return table


def _grid_style(*, right_from: int, extra: list[tuple[object, ...]] | None = None) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTNAME", (0, 1), (-1, -1), "Helvetica"),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("LEADING", (0, 0), (-1, -1), 10.5),
            ("TEXTCOLOR", (0, 0), (-1, -1), _DARK),
            ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, _DARK),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, _RULE),
            ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *(extra or []),
        ]
    )


def _line_row(line: Line, locale: _Locale) -> list[object]:
    return [
        line.seller_item_id,
        _line_description(line, locale),
        locale.quantity(line.quantity),
        locale.unit(line.unit_code),
        locale.price(line.net_price),
        _line_discount(line, locale),
        locale.percent(line.vat_rate) if line.vat_rate is not None else line.vat_category,
        locale.amount(line.line_extension),
    ]


def _line_description(line: Line, locale: _Locale) -> Paragraph:
    details = [line.description if line.description != line.name else "", line.note]
    if line.period_start or line.period_end:
        start = line.period_start.isoformat() if line.period_start else ""
        end = line.period_end.isoformat() if line.period_end else ""
        details.append(f"{locale('period')} {start} \N{EN DASH} {end}")
    details += [
        f"{locale('charge')} {charge.reason}: {locale.amount(charge.amount)}"
        for charge in line.allowances_charges
        if charge.is_charge
    ]
    parts = [escape(line.name)]
    parts += [f'<font size="7.5" color="#666666">{escape(d)}</font>' for d in details if d]
    return Paragraph("<br/>".join(parts), _CELL)


def _line_discount(line: Line, locale: _Locale) -> str:
    allowances = [item for item in line.allowances_charges if not item.is_charge]
    if len(allowances) == 1 and allowances[0].percent is not None:
        return locale.percent(allowances[0].percent)
    if allowances:
        return locale.amount(sum((item.amount for item in allowances), Decimal(0)))
    return ""


def _allowances_charges(document: InvoiceDocument, locale: _Locale) -> list[Flowable]:
    if not document.allowances_charges:
        return []
    header: list[object] = ["", locale("reason"), locale("vat_rate"), locale("line_amount")]
    rows: list[list[object]] = [header]
    rows += [_allowance_charge_row(item, locale) for item in document.allowances_charges]
    widths = [24 * mm, _WIDTH - 24 * mm - 2 * 24 * mm, 24 * mm, 24 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_grid_style(right_from=2))
    return [_text(locale("allowances_charges"), _HEADING), table]


def _allowance_charge_row(item: AllowanceCharge, locale: _Locale) -> list[object]:
    reason = item.reason or item.reason_code
    if item.percent is not None and item.base_amount is not None:
        share = f"{locale.percent(item.percent)} {locale('of')} {locale.amount(item.base_amount)}"
        reason = f"{reason} ({share})" if reason else share
    # An allowance lowers the total: show it with its sign, as the buyer reads it.
    amount = item.amount if item.is_charge else -item.amount
    rate = locale.percent(item.vat_rate) if item.vat_rate is not None else item.vat_category
    return [
        locale("charge" if item.is_charge else "allowance"),
        _text(reason, _CELL),
        rate,
        locale.amount(amount),
    ]


def _vat_breakdown(document: InvoiceDocument, locale: _Locale) -> list[Flowable]:
    if not document.vat_breakdown:
        return []
    header: list[object] = [
        locale("vat_category"),
        locale("taxable_amount"),
        locale("vat_amount"),
        locale("exemption_reason"),
    ]
    rows: list[list[object]] = [header]
    rows += [_vat_row(item, locale) for item in document.vat_breakdown]
    widths = [52 * mm, 28 * mm, 24 * mm, _WIDTH - 104 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    extra: list[tuple[object, ...]] = [
        ("ALIGN", (3, 0), (3, -1), "LEFT"),
        ("LEFTPADDING", (3, 0), (3, -1), 12),
    ]
    table.setStyle(_grid_style(right_from=1, extra=extra))
    return [_text(locale("vat_breakdown"), _HEADING), table]


def _vat_row(item: VatBreakdown, locale: _Locale) -> list[object]:
    reason = item.exemption_reason or item.exemption_reason_code
    return [
        _text(locale.vat_category(item.category, item.rate), _CELL),
        locale.amount(item.taxable_amount),
        locale.amount(item.tax_amount),
        _text(reason, _CELL),
    ]


def _totals(document: InvoiceDocument, locale: _Locale) -> Table:
    totals = document.totals
    has_adjustments = bool(totals.allowance_total or totals.charge_total)
    optional = [
        ("line_total", totals.line_extension, has_adjustments),
        ("allowance_total", -totals.allowance_total, bool(totals.allowance_total)),
        ("charge_total", totals.charge_total, bool(totals.charge_total)),
        ("net_total", totals.tax_exclusive, True),
        ("vat_total", totals.tax_amount, True),
        ("prepaid", -totals.prepaid, bool(totals.prepaid)),
        ("rounding", totals.rounding, bool(totals.rounding)),
    ]
    rows: list[list[object]] = [
        [locale(key), locale.amount(value)] for key, value, shown in optional if shown
    ]
    rows += _tax_currency_row(document, locale)
    payable_key = "credit_total" if document.kind == DocumentKind.CREDIT_NOTE else "payable"
    rows.append([locale(payable_key), locale.money(totals.payable, document.currency)])
    table = Table(rows, colWidths=[50 * mm, 36 * mm], hAlign="RIGHT", spaceBefore=4 * mm)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),  # line up with the tables above
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, -1), (-1, -1), 11),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, _DARK),
                ("TOPPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    return table


def _tax_currency_row(document: InvoiceDocument, locale: _Locale) -> list[list[object]]:
    amount = document.totals.tax_amount_in_tax_currency
    currency = document.tax_currency
    # BR-53: an invoice in a foreign currency states the VAT in the accounting currency too.
    if amount is None or not currency or currency == document.currency:
        return []
    label = locale("vat_in_tax_currency").format(currency=currency)
    return [[label, locale.money(amount, currency)]]


def _payment(document: InvoiceDocument, locale: _Locale) -> list[Flowable]:
    rows: list[list[object]] = []
    for means in document.payment_means:
        rows += _account_rows(means, locale)
    reference = next((m.payment_id for m in document.payment_means if m.payment_id), "")
    if reference:
        label = locale("ocr") if reference.isdigit() else locale("payment_reference")
        rows.append([label, _text(reference, _OCR)])
    if document.due_date:
        rows.append([locale("due_date"), document.due_date.isoformat()])
    if document.kind == DocumentKind.INVOICE and rows:
        rows.append([locale("payable"), locale.money(document.totals.payable, document.currency)])
    if document.payment_terms:
        rows.append([locale("payment_terms"), _text(document.payment_terms)])
    if not rows:
        return []
    return [Spacer(1, 6 * mm), KeepTogether(_payment_box(locale("payment"), rows))]


def _payment_box(heading: str, rows: list[list[object]]) -> Table:
    table = Table([[heading, ""], *rows], colWidths=[45 * mm, _WIDTH - 45 * mm])
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("FONTSIZE", (0, 0), (-1, 0), 10),
                ("TEXTCOLOR", (0, 1), (0, -1), _GREY),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, -1), _SHADE),
                ("BOX", (0, 0), (-1, -1), 0.8, _DARK),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return table


def _account_rows(means: PaymentMeans, locale: _Locale) -> list[list[object]]:
    account = means.account_id.replace(" ", "")
    branch = means.branch_id.upper()
    if not account:
        return []
    if branch == "SE:BANKGIRO":
        return [["Bankgiro", _format_bankgiro(account)]]
    if branch == "SE:PLUSGIRO":
        return [["Plusgiro", _format_plusgiro(account)]]
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", account.upper()):
        rows: list[list[object]] = [["IBAN", _format_iban(account)]]
        return rows + ([["BIC", means.branch_id]] if means.branch_id else [])
    return [[locale("account"), account]]


def _format_bankgiro(digits: str) -> str:
    # Bankgirot prints 7 digits as NNN-NNNN and 8 as NNNN-NNNN: the hyphen before the last four.
    return f"{digits[:-4]}-{digits[-4:]}" if digits.isdigit() and len(digits) in (7, 8) else digits


def _format_plusgiro(digits: str) -> str:
    # Plusgiro numbers are printed with the check digit set off: NNNNNN-N.
    return f"{digits[:-1]}-{digits[-1]}" if digits.isdigit() and len(digits) >= 2 else digits


def _format_iban(iban: str) -> str:
    compact = iban.upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _notes(document: InvoiceDocument, locale: _Locale) -> list[Flowable]:
    notes = [note for note in document.notes if note.strip()]
    if not notes:
        return []
    return [_text(locale("notes"), _HEADING), *(_text(note) for note in notes)]
