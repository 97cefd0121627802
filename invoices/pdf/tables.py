"""The PDF's tables of amounts: lines, allowances and charges, VAT, totals and the payment box."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from invoices.document import (
    AllowanceCharge,
    DocumentKind,
    InvoiceDocument,
    Line,
    PaymentMeans,
    VatBreakdown,
)

from .formatting import Locale, format_bankgiro, format_iban, format_period, format_plusgiro
from .labels import REVERSE_CHARGE
from .styles import (
    BOLD_FONT,
    CELL,
    DARK,
    GREY,
    HEADING,
    NOTICE,
    OCR,
    REGULAR,
    RULE,
    SHADE,
    TOTALS_NOTE,
    WIDTH,
    paragraph,
)

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
_LINE_WIDTHS = [18 * mm, WIDTH - 119 * mm, 14 * mm, 11 * mm, 22 * mm, 17 * mm, 13 * mm, 24 * mm]


def amount_tables(document: InvoiceDocument, locale: Locale, *, draft: bool) -> list[Flowable]:
    """Return the lines, the allowances and charges, the VAT breakdown, totals and payment."""
    story: list[Flowable] = [_lines_table(document, locale)]
    story += _allowances_charges(document, locale)
    story += _vat_breakdown(document, locale)
    story.append(_totals(document, locale))
    story += _exchange_rate(document, locale)
    story += _reverse_charge(document, locale)
    # A draft may still change: nothing on it may look like something to pay.
    story += [] if draft else _payment(document, locale)
    return story


def _lines_table(document: InvoiceDocument, locale: Locale) -> Table:
    rows: list[list[object]] = [[locale(column) for column in _LINE_COLUMNS]]
    rows += [_line_row(line, locale) for line in document.lines]
    # repeatRows: every page of a long invoice starts with the column headings.
    table = Table(rows, colWidths=_LINE_WIDTHS, repeatRows=1)
    table.setStyle(_grid_style(right_from=4, extra=[("ALIGN", (2, 0), (2, -1), "RIGHT")]))
    return table


def _grid_style(*, right_from: int, extra: list[tuple[object, ...]] | None = None) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), BOLD_FONT),
            ("FONTNAME", (0, 1), (-1, -1), REGULAR),
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("LEADING", (0, 0), (-1, -1), 10.5),
            ("TEXTCOLOR", (0, 0), (-1, -1), DARK),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, DARK),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *(extra or []),
        ]
    )


def _line_row(line: Line, locale: Locale) -> list[object]:
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


def _line_description(line: Line, locale: Locale) -> Paragraph:
    details = [line.description if line.description != line.name else "", line.note]
    if line.period_start or line.period_end:
        details.append(f"{locale('period')} {format_period(line.period_start, line.period_end)}")
    details += [
        f"{locale('charge')} {charge.reason}: {locale.amount(charge.amount)}"
        for charge in line.allowances_charges
        if charge.is_charge
    ]
    parts = [escape(line.name)]
    parts += [f'<font size="7.5" color="#666666">{escape(d)}</font>' for d in details if d]
    return Paragraph("<br/>".join(parts), CELL)


def _line_discount(line: Line, locale: Locale) -> str:
    allowances = [item for item in line.allowances_charges if not item.is_charge]
    if len(allowances) == 1 and allowances[0].percent is not None:
        return locale.percent(allowances[0].percent)
    if allowances:
        return locale.amount(sum((item.amount for item in allowances), Decimal(0)))
    return ""


def _allowances_charges(document: InvoiceDocument, locale: Locale) -> list[Flowable]:
    if not document.allowances_charges:
        return []
    header: list[object] = ["", locale("reason"), locale("vat_rate"), locale("line_amount")]
    rows: list[list[object]] = [header]
    rows += [_allowance_charge_row(item, locale) for item in document.allowances_charges]
    widths = [24 * mm, WIDTH - 24 * mm - 2 * 24 * mm, 24 * mm, 24 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_grid_style(right_from=2))
    return [paragraph(locale("allowances_charges"), HEADING), table]


def _allowance_charge_row(item: AllowanceCharge, locale: Locale) -> list[object]:
    reason = item.reason or item.reason_code
    if item.percent is not None and item.base_amount is not None:
        share = f"{locale.percent(item.percent)} {locale('of')} {locale.amount(item.base_amount)}"
        reason = f"{reason} ({share})" if reason else share
    # An allowance lowers the total: show it with its sign, as the buyer reads it.
    amount = item.amount if item.is_charge else -item.amount
    rate = locale.percent(item.vat_rate) if item.vat_rate is not None else item.vat_category
    return [
        locale("charge" if item.is_charge else "allowance"),
        paragraph(reason, CELL),
        rate,
        locale.amount(amount),
    ]


def _vat_breakdown(document: InvoiceDocument, locale: Locale) -> list[Flowable]:
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
    widths = [52 * mm, 28 * mm, 24 * mm, WIDTH - 104 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    extra: list[tuple[object, ...]] = [
        ("ALIGN", (3, 0), (3, -1), "LEFT"),
        ("LEFTPADDING", (3, 0), (3, -1), 12),
    ]
    table.setStyle(_grid_style(right_from=1, extra=extra))
    return [paragraph(locale("vat_breakdown"), HEADING), table]


def _vat_row(item: VatBreakdown, locale: Locale) -> list[object]:
    reason = item.exemption_reason or item.exemption_reason_code
    return [
        paragraph(locale.vat_category(item.category, item.rate), CELL),
        locale.amount(item.taxable_amount),
        locale.amount(item.tax_amount),
        paragraph(reason, CELL),
    ]


def _totals(document: InvoiceDocument, locale: Locale) -> Table:
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
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),  # line up with the tables above
                ("FONTNAME", (0, -1), (-1, -1), BOLD_FONT),
                ("FONTSIZE", (0, -1), (-1, -1), 11),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, DARK),
                ("TOPPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    return table


def _tax_currency_row(document: InvoiceDocument, locale: Locale) -> list[list[object]]:
    amount = document.totals.tax_amount_in_tax_currency
    if amount is None or not _has_tax_currency(document):
        return []
    label = locale("vat_in_tax_currency").format(currency=document.tax_currency)
    # "SEK", not "kr": the line stands between amounts in another currency.
    return [[label, f"{locale.amount(amount)} {document.tax_currency}"]]


def _has_tax_currency(document: InvoiceDocument) -> bool:
    # BR-53: an invoice in a foreign currency states the VAT in the accounting currency too.
    currency = document.tax_currency
    has_amount = document.totals.tax_amount_in_tax_currency is not None
    return has_amount and bool(currency) and currency != document.currency


def _exchange_rate(document: InvoiceDocument, locale: Locale) -> list[Flowable]:
    # The VAT in SEK is checkable only against the rate behind it: name its source and date.
    exchange = document.tax_exchange
    if exchange is None or not _has_tax_currency(document):
        return []
    rate = f"1 {document.currency} = {locale.exchange_rate(exchange.rate)} {document.tax_currency}"
    origin = f"{locale.exchange_source(exchange.source)}, {exchange.rate_date.isoformat()}"
    return [paragraph(f"{locale('exchange_rate')} {rate} ({origin})", TOTALS_NOTE)]


def _reverse_charge(document: InvoiceDocument, locale: Locale) -> list[Flowable]:
    """State that the buyer accounts for the VAT, as ML 17 kap. 24 § requires."""
    group = next((item for item in document.vat_breakdown if item.category == "AE"), None)
    if group is None:
        return []
    text = group.exemption_reason or locale.vat_category(group.category, None)
    if document.buyer.address.country != "SE" and REVERSE_CHARGE.lower() not in text.lower():
        # A buyer abroad declares the VAT at home: give the directive's English wording too.
        text = REVERSE_CHARGE if locale.language == "en" else f"{text} / {REVERSE_CHARGE}"
    return [paragraph(text, NOTICE)]


def _payment(document: InvoiceDocument, locale: Locale) -> list[Flowable]:
    if document.kind == DocumentKind.CREDIT_NOTE:
        return []  # nothing to pay: an OCR number and "0 days net" would only mislead
    rows: list[list[object]] = []
    for means in document.payment_means:
        rows += _account_rows(means, locale)
    reference = next((m.payment_id for m in document.payment_means if m.payment_id), "")
    if reference:
        label = locale("ocr") if reference.isdigit() else locale("payment_reference")
        rows.append([label, paragraph(reference, OCR)])
    if document.due_date:
        rows.append([locale("due_date"), document.due_date.isoformat()])
    if rows:
        rows.append([locale("payable"), locale.money(document.totals.payable, document.currency)])
    if document.payment_terms:
        rows.append([locale("payment_terms"), paragraph(document.payment_terms)])
    if not rows:
        return []
    return [Spacer(1, 6 * mm), KeepTogether(_payment_box(locale("payment"), rows))]


def _payment_box(heading: str, rows: list[list[object]]) -> Table:
    table = Table([[heading, ""], *rows], colWidths=[45 * mm, WIDTH - 45 * mm])
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTNAME", (0, 0), (-1, 0), BOLD_FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("FONTSIZE", (0, 0), (-1, 0), 10),
                ("TEXTCOLOR", (0, 1), (0, -1), GREY),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("BOX", (0, 0), (-1, -1), 0.8, DARK),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return table


def _account_rows(means: PaymentMeans, locale: Locale) -> list[list[object]]:
    account = means.account_id.replace(" ", "")
    branch = means.branch_id.upper()
    if not account:
        return []
    if branch == "SE:BANKGIRO":
        return [["Bankgiro", format_bankgiro(account)]]
    if branch == "SE:PLUSGIRO":
        return [["Plusgiro", format_plusgiro(account)]]
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", account.upper()):
        rows: list[list[object]] = [["IBAN", format_iban(account)]]
        return rows + ([["BIC", branch]] if branch else [])
    return [[locale("account"), account]]
