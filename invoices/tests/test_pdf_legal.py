"""What Swedish law wants on a printed invoice (ML 2023:200 17 kap. 24 §, ABL 28 kap. 1 §).

Each test builds a document by hand, renders it once and reads the text back with pypdf.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from invoices.document import (
    Address,
    Delivery,
    DocumentKind,
    InvoiceDocument,
    Line,
    PaymentMeans,
    TaxExchange,
    Totals,
    VatBreakdown,
)
from invoices.pdf import render_pdf
from invoices.tests.factories import draft, issued
from invoices.tests.test_pdf import (
    bankgiro,
    buyer,
    credit_note,
    line,
    long_invoice,
    page_texts,
    seller,
    text_of,
)

D = Decimal
SWEDISH_BUYER = "SE"


def one_group_totals(net: str, vat: str, **fields: Any) -> Totals:
    """Totals of lines with no allowance, charge or prepayment: net plus VAT to pay."""
    gross = D(net) + D(vat)
    return Totals(
        line_extension=D(net),
        tax_exclusive=D(net),
        tax_amount=D(vat),
        tax_inclusive=gross,
        payable=gross,
        **fields,
    )


def one_rate_invoice(lines: list[Line] | None = None, **fields: Any) -> InvoiceDocument:
    """An invoice of 1 000,00 at 25 %: 250,00 VAT, 1 250,00 to pay."""
    document = InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="2026-0100",
        issue_date=date(2026, 12, 1),
        due_date=date(2026, 12, 31),
        seller=seller(),
        buyer=buyer(),
        lines=lines or [line(1, "1", "EA", "1000.00", "25", "1000.00")],
        payment_means=[bankgiro()],
        vat_breakdown=[VatBreakdown("S", D("25"), D("1000.00"), D("250.00"))],
        totals=one_group_totals("1000.00", "250.00"),
    )
    for name, value in fields.items():
        setattr(document, name, value)
    return document


def zero_vat_invoice(group: VatBreakdown, *, buyer_country: str) -> InvoiceDocument:
    """An invoice of 1 000,00 in one zero-VAT group: 1 000,00 to pay."""
    document = one_rate_invoice(
        lines=[
            Line("1", "Arbete", D("1"), "EA", D("1000.00"), group.category, D("0"), D("1000.00"))
        ],
        vat_breakdown=[group],
        totals=one_group_totals("1000.00", "0.00"),
    )
    document.buyer.address = Address(street="Gatan 1", city="Staden", country=buyer_country)
    return document


def printed_lines(pdf: bytes) -> list[str]:
    """Return the text's lines; pypdf gives every table cell and paragraph a line of its own."""
    return [printed.strip() for printed in text_of(pdf).splitlines()]


def shows(lines: list[str], label: str, value: str) -> bool:
    """Tell whether a table prints the value in the cell right after the label."""
    return any(lines[i + 1] == value for i, printed in enumerate(lines[:-1]) if printed == label)


def after(lines: list[str], label: str) -> list[str]:
    """Return the lines printed after the first occurrence of label."""
    return lines[lines.index(label) + 1 :]


@pytest.mark.parametrize(
    ("language", "names"),
    [("sv", ["år", "tim", "st", "E48"]), ("en", ["year", "hour", "piece", "E48"])],
)
def test_units_are_named_in_the_pdf_language(language: str, names: list[str]) -> None:
    lines = [
        line(1, "1", "ANN", "1000.00", "25", "1000.00"),
        line(2, "2", "HUR", "0.00", "25", "0.00"),
        line(3, "3", "EA", "0.00", "25", "0.00"),
        line(4, "4", "E48", "0.00", "25", "0.00"),  # not in the form's list: shown as its code
    ]

    cells = printed_lines(render_pdf(one_rate_invoice(lines), language=language))

    for name in names:
        assert name in cells, name
    assert "ANN" not in cells and "HUR" not in cells


@pytest.mark.parametrize(
    ("language", "mark", "notice", "payment_texts"),
    [
        (
            "sv",
            "UTKAST",
            "Utkast \N{EN DASH} får inte betalas eller skickas",
            ["Betalning", "Bankgiro", "5050-1055", "OCR-nummer", "1234567897"],
        ),
        (
            "en",
            "DRAFT",
            "Draft \N{EN DASH} must not be paid or sent",
            ["Payment", "Bankgiro", "5050-1055", "OCR reference", "1234567897"],
        ),
    ],
)
def test_a_draft_is_marked_on_every_page_and_has_nothing_to_pay(
    language: str, mark: str, notice: str, payment_texts: list[str]
) -> None:
    pages = page_texts(render_pdf(long_invoice(count=60), language=language, draft=True))

    assert len(pages) > 1
    for text in pages:
        assert mark in text.splitlines()  # the diagonal mark, drawn on the page itself
    assert notice in pages[0]
    for payment_text in payment_texts:
        assert payment_text not in "\n".join(pages), payment_text


@pytest.mark.django_db
def test_the_download_of_a_draft_is_marked_and_of_an_issued_invoice_not(
    alice_client: Client, mallory_client: Client, alice: Any, alice_org: Organisation
) -> None:
    def download(public_id: Any) -> list[str]:
        response = alice_client.get(reverse("invoices:pdf", args=[public_id]))
        assert response.status_code == 200
        return printed_lines(response.content)

    unfinished = draft(alice_org, alice)
    assert "UTKAST" in download(unfinished.public_id)
    assert "UTKAST" not in download(issued(alice_org, alice).public_id)
    outsider = mallory_client.get(reverse("invoices:pdf", args=[unfinished.public_id]))
    assert outsider.status_code == 404


def euro_invoice(source: str) -> InvoiceDocument:
    # 1 200,00 EUR at 25 %: 300,00 EUR VAT; at 11,4520 SEK/EUR that is 3 435,60 SEK.
    return one_rate_invoice(
        lines=[line(1, "1", "EA", "1200.00", "25", "1200.00")],
        currency="EUR",
        tax_currency="SEK",
        tax_exchange=TaxExchange(D("11.4520"), date(2026, 12, 1), source),
        vat_breakdown=[VatBreakdown("S", D("25"), D("1200.00"), D("300.00"))],
        totals=one_group_totals("1200.00", "300.00", tax_amount_in_tax_currency=D("3435.60")),
    )


@pytest.mark.parametrize(
    ("language", "vat_in_sek", "payable"),
    [
        ("sv", ("Moms i SEK", "3 435,60 SEK"), ("Att betala", "1 500,00 EUR")),
        ("en", ("VAT in SEK", "3,435.60 SEK"), ("Amount due", "1,500.00 EUR")),
    ],
)
def test_foreign_currency_shows_the_vat_in_sek(
    language: str, vat_in_sek: tuple[str, str], payable: tuple[str, str]
) -> None:
    lines = printed_lines(render_pdf(euro_invoice("riksbank"), language=language))

    assert shows(lines, *vat_in_sek)
    assert shows(lines, *payable)


@pytest.mark.parametrize(
    ("language", "source", "rate"),
    [
        ("sv", "riksbank", "Växelkurs 1 EUR = 11,4520 SEK (Sveriges riksbank, 2026-12-01)"),
        ("sv", "manual", "Växelkurs 1 EUR = 11,4520 SEK (angiven av säljaren, 2026-12-01)"),
        ("sv", "fixture", "Växelkurs 1 EUR = 11,4520 SEK (testkurs, 2026-12-01)"),
        (
            "sv",
            "import",
            "Växelkurs 1 EUR = 11,4520 SEK (enligt den importerade fakturan, 2026-12-01)",
        ),
        ("en", "riksbank", "Exchange rate 1 EUR = 11.4520 SEK (Sveriges Riksbank, 2026-12-01)"),
        ("en", "manual", "Exchange rate 1 EUR = 11.4520 SEK (entered by the seller, 2026-12-01)"),
        ("en", "fixture", "Exchange rate 1 EUR = 11.4520 SEK (test rate, 2026-12-01)"),
        (
            "en",
            "import",
            "Exchange rate 1 EUR = 11.4520 SEK (as in the imported invoice, 2026-12-01)",
        ),
    ],
)
def test_foreign_currency_shows_the_rate_with_source_and_date(
    language: str, source: str, rate: str
) -> None:
    assert rate in printed_lines(render_pdf(euro_invoice(source), language=language))


def test_an_invoice_in_sek_shows_no_exchange_rate() -> None:
    document = one_rate_invoice(tax_exchange=TaxExchange(D("1"), date(2026, 12, 1), "manual"))

    text = text_of(render_pdf(document))

    assert "Växelkurs" not in text and "Moms i SEK" not in text


@pytest.mark.parametrize(
    ("language", "supply_label"), [("sv", "Leveransdatum"), ("en", "Date of supply")]
)
def test_header_shows_date_of_supply_and_invoicing_period(language: str, supply_label: str) -> None:
    document = one_rate_invoice(
        delivery=Delivery(date=date(2026, 11, 20)),
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
    )

    lines = printed_lines(render_pdf(document, language=language))

    assert shows(lines, supply_label, "2026-11-20")
    assert shows(lines, "Period", "2026-11-01 \N{EN DASH} 2026-11-30")


def test_without_delivery_or_period_the_header_shows_neither() -> None:
    text = text_of(render_pdf(one_rate_invoice()))

    assert "Leveransdatum" not in text and "Period" not in text


def test_seller_block_names_the_board_seat_beside_name_and_org_number() -> None:
    document = one_rate_invoice()
    document.seller.legal_form = "Styrelsens säte: Umeå"
    # BT-33 is the seller's: a buyer's legal form has no place on the invoice.
    document.buyer.legal_form = "Säte: Göteborg"

    lines = printed_lines(render_pdf(document))

    org_number = lines.index("Org.nr 556677-8899")
    assert lines[org_number + 1] == "Styrelsens säte: Umeå"
    assert "Alice Konsult AB" in lines[:org_number]
    assert "Säte: Göteborg" not in lines


def reverse_charge(reason: str = "Omvänd betalningsskyldighet") -> VatBreakdown:
    return VatBreakdown(
        "AE", D("0"), D("1000.00"), D("0.00"), reason, exemption_reason_code="VATEX-EU-AE"
    )


@pytest.mark.parametrize(
    ("language", "country", "payable", "notice", "absent"),
    [
        ("sv", SWEDISH_BUYER, "Att betala", "Omvänd betalningsskyldighet", "Reverse charge"),
        ("sv", "DE", "Att betala", "Omvänd betalningsskyldighet / Reverse charge", ""),
        ("en", SWEDISH_BUYER, "Amount due", "Omvänd betalningsskyldighet", "Reverse charge"),
        ("en", "DE", "Amount due", "Reverse charge", "Omvänd betalningsskyldighet"),
    ],
)
def test_reverse_charge_is_stated_under_the_totals(
    language: str, country: str, payable: str, notice: str, absent: str
) -> None:
    document = zero_vat_invoice(reverse_charge(), buyer_country=country)

    under_totals = after(printed_lines(render_pdf(document, language=language)), payable)

    assert notice in under_totals
    if absent:
        assert absent not in "\n".join(under_totals)


def test_reverse_charge_without_a_reason_text_uses_the_legal_term() -> None:
    document = zero_vat_invoice(reverse_charge(reason=""), buyer_country=SWEDISH_BUYER)

    lines = printed_lines(render_pdf(document))

    assert "Omvänd betalningsskyldighet" in after(lines, "Att betala")


@pytest.mark.parametrize(
    ("group", "reason"),
    [
        (
            VatBreakdown("E", D("0"), D("1000.00"), D("0.00"), "Sjukvård (ML 10 kap. 12 §)"),
            "Sjukvård (ML 10 kap. 12 §)",
        ),
        (
            VatBreakdown("K", D("0"), D("1000.00"), D("0.00"), "", "VATEX-EU-IC"),
            "VATEX-EU-IC",
        ),
    ],
)
def test_other_zero_vat_groups_give_their_reason_in_the_vat_table(
    group: VatBreakdown, reason: str
) -> None:
    lines = printed_lines(render_pdf(zero_vat_invoice(group, buyer_country="DE")))

    vat_table = after(lines, "Momsspecifikation")
    assert reason in vat_table[: vat_table.index("Summa exkl. moms")]
    assert "Reverse charge" not in lines


@pytest.mark.parametrize(
    ("language", "heading", "terms_label"),
    [("sv", "Betalning", "Betalningsvillkor"), ("en", "Payment", "Payment terms")],
)
def test_payment_block_shows_every_means_and_the_full_terms(
    language: str, heading: str, terms_label: str
) -> None:
    terms = "30 dagar netto. Dröjsmålsränta enligt räntelagen."
    document = one_rate_invoice(
        payment_means=[
            bankgiro(),
            PaymentMeans(code="30", account_id="12345674", branch_id="SE:PLUSGIRO"),
            PaymentMeans(
                code="58", account_id="SE45 5000 0000 0583 9825 7466", branch_id="essesess"
            ),
            PaymentMeans(code="30", account_id="DE89370400440532013000", branch_id="COBADEFFXXX"),
        ],
        payment_terms=terms,
    )

    lines = printed_lines(render_pdf(document, language=language))

    payment = after(lines, heading)
    for label, value in [
        ("Bankgiro", "5050-1055"),
        ("Plusgiro", "1234567-4"),
        ("IBAN", "SE45 5000 0000 0583 9825 7466"),
        ("BIC", "ESSESESS"),
        ("IBAN", "DE89 3704 0044 0532 0130 00"),
        ("BIC", "COBADEFFXXX"),
        (terms_label, terms),
    ]:
        assert shows(payment, label, value), (label, value)
    assert "UTKAST" not in lines and "DRAFT" not in lines  # an issued invoice is not marked


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", ["Kreditfaktura", "Kreditfakturanummer", "Krediterar faktura", "Att kreditera"]),
        ("en", ["Credit note", "Credit note number", "Credits invoice", "Amount credited"]),
    ],
)
def test_credit_note_says_credit_and_asks_for_no_payment(
    language: str, expected: list[str]
) -> None:
    document = credit_note()
    document.payment_means = [bankgiro("1234567897")]

    text = text_of(render_pdf(document, language=language))

    for label in expected:
        assert label in text, label
    for payment_text in ("1234567897", "5050-1055", "OCR", "Att betala", "Amount due"):
        assert payment_text not in text, payment_text
