"""The PDF renderer: hand-built documents with hand-computed amounts, read back with pypdf."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from invoices.document import (
    Address,
    AllowanceCharge,
    DocumentKind,
    InvoiceDocument,
    Line,
    Party,
    PaymentMeans,
    Totals,
    VatBreakdown,
)
from invoices.pdf import render_filename, render_pdf

D = Decimal


def seller() -> Party:
    return Party(
        name="Alice Konsult AB",
        legal_id="5566778899",
        legal_id_scheme="0007",
        vat_number="SE556677889901",
        tax_registration="Godkänd för F-skatt",
        address=Address(street="Sveavägen 12", postal_zone="111 57", city="Stockholm"),
        contact_name="Alice Ström",
    )


def buyer() -> Party:
    return Party(
        name="Bergström Bygg AB",
        endpoint_id="5590123450",
        endpoint_scheme="0007",
        vat_number="SE559012345001",
        address=Address(street="Åkervägen 3", postal_zone="412 58", city="Göteborg"),
    )


def line(number: int, quantity: str, unit: str, price: str, rate: str, amount: str) -> Line:
    return Line(
        id=str(number),
        name=f"Rad {number}",
        quantity=D(quantity),
        unit_code=unit,
        net_price=D(price),
        vat_category="S",
        vat_rate=D(rate),
        line_extension=D(amount),
    )


def bankgiro(ocr: str = "1234567897") -> PaymentMeans:
    return PaymentMeans(code="30", payment_id=ocr, account_id="50501055", branch_id="SE:BANKGIRO")


def two_rate_invoice() -> InvoiceDocument:
    consulting = line(1, "8", "HUR", "950.00", "25", "7600.00")
    consulting.name, consulting.seller_item_id = "Konsulttjänst", "K-100"
    lunch = line(2, "10", "EA", "125.00", "12", "1250.00")
    lunch.name = "Konferenslunch"
    # 25 %: 7 600,00 - 600,00 = 7 000,00 -> 1 750,00; 12 %: 1 250,00 -> 150,00.
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="2026-0001",
        issue_date=date(2026, 1, 15),
        due_date=date(2026, 2, 14),
        seller=seller(),
        buyer=buyer(),
        lines=[consulting, lunch],
        buyer_reference="Anna Andersson",
        order_reference="PO-778",
        notes=["Tack för beställningen!"],
        payment_terms="30 dagar netto",
        payment_means=[bankgiro()],
        allowances_charges=[
            AllowanceCharge(
                is_charge=False,
                amount=D("600.00"),
                reason="Avtalsrabatt",
                vat_category="S",
                vat_rate=D("25"),
            )
        ],
        vat_breakdown=[
            VatBreakdown("S", D("25"), D("7000.00"), D("1750.00")),
            VatBreakdown("S", D("12"), D("1250.00"), D("150.00")),
        ],
        totals=Totals(
            line_extension=D("8850.00"),
            allowance_total=D("600.00"),
            tax_exclusive=D("8250.00"),
            tax_amount=D("1900.00"),
            tax_inclusive=D("10150.00"),
            payable=D("10150.00"),
        ),
    )


def credit_note() -> InvoiceDocument:
    return InvoiceDocument(
        kind=DocumentKind.CREDIT_NOTE,
        number="2026-0042",
        issue_date=date(2026, 1, 20),
        seller=seller(),
        buyer=buyer(),
        lines=[line(1, "2", "HUR", "950.00", "25", "1900.00")],
        preceding_invoices=[("2026-0001", date(2026, 1, 15))],
        vat_breakdown=[VatBreakdown("S", D("25"), D("1900.00"), D("475.00"))],
        totals=Totals(
            line_extension=D("1900.00"),
            tax_exclusive=D("1900.00"),
            tax_amount=D("475.00"),
            tax_inclusive=D("2375.00"),
            payable=D("2375.00"),
        ),
    )


def long_invoice(count: int = 300) -> InvoiceDocument:
    # 300 x 10,00 = 3 000,00 net, 750,00 VAT at 25 %.
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="2026-0300",
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
        seller=seller(),
        buyer=buyer(),
        lines=[line(n, "1", "EA", "10.00", "25", "10.00") for n in range(1, count + 1)],
        payment_means=[bankgiro()],
        vat_breakdown=[VatBreakdown("S", D("25"), D("3000.00"), D("750.00"))],
        totals=Totals(
            line_extension=D("3000.00"),
            tax_exclusive=D("3000.00"),
            tax_amount=D("750.00"),
            tax_inclusive=D("3750.00"),
            payable=D("3750.00"),
        ),
    )


def exempt_invoice() -> InvoiceDocument:
    care = Line(
        id="1",
        name="Vårdtjänst",
        quantity=D("1"),
        unit_code="MON",
        net_price=D("1234.56"),
        vat_category="E",
        vat_rate=D("0"),
        line_extension=D("1234.56"),
    )
    # No VAT; 1 234,56 rounded up to whole kronor: 0,44 rounding, 1 235,00 to pay.
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="2026-0003",
        issue_date=date(2026, 2, 1),
        due_date=date(2026, 3, 3),
        seller=seller(),
        buyer=buyer(),
        lines=[care],
        payment_means=[
            PaymentMeans(
                code="30",
                payment_id="Faktura 2026-0003",
                account_id="12345674",
                branch_id="SE:PLUSGIRO",
            )
        ],
        vat_breakdown=[
            VatBreakdown(
                "E",
                D("0"),
                D("1234.56"),
                D("0.00"),
                exemption_reason="Sjukvård, undantagen från skatteplikt",
                exemption_reason_code="VATEX-EU-132-1B",
            )
        ],
        totals=Totals(
            line_extension=D("1234.56"),
            tax_exclusive=D("1234.56"),
            tax_inclusive=D("1234.56"),
            rounding=D("0.44"),
            payable=D("1235.00"),
        ),
    )


def english_invoice() -> InvoiceDocument:
    workshop = Line(
        id="1",
        name="Workshop facilitation",
        quantity=D("5"),
        unit_code="DAY",
        net_price=D("1250.00"),
        vat_category="AE",
        vat_rate=D("0"),
        line_extension=D("5625.00"),
        allowances_charges=[
            AllowanceCharge(
                is_charge=False, amount=D("625.00"), percent=D("10"), base_amount=D("6250.00")
            )
        ],
    )
    # 5 x 1 250,00 = 6 250,00 less 10 % = 5 625,00; reverse charge, no VAT.
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="2026-0004",
        issue_date=date(2026, 2, 10),
        due_date=date(2026, 3, 12),
        currency="EUR",
        tax_currency="SEK",
        seller=seller(),
        buyer=Party(
            name="Müller GmbH",
            vat_number="DE123456789",
            address=Address(
                street="Hauptstraße 5", postal_zone="10115", city="Berlin", country="DE"
            ),
        ),
        lines=[workshop],
        payment_means=[
            PaymentMeans(code="58", account_id="SE4550000000058398257466", branch_id="ESSESESS")
        ],
        vat_breakdown=[
            VatBreakdown("AE", D("0"), D("5625.00"), D("0.00"), exemption_reason="Reverse charge")
        ],
        totals=Totals(
            line_extension=D("5625.00"),
            tax_exclusive=D("5625.00"),
            tax_inclusive=D("5625.00"),
            payable=D("5625.00"),
            tax_amount_in_tax_currency=D("0.00"),
        ),
    )


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def image_bytes(fmt: str) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (300, 100), (20, 90, 160)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_invoice_shows_document_parties_and_lines():
    text = text_of(render_pdf(two_rate_invoice()))

    for expected in [
        "Faktura",
        "2026-0001",
        "2026-01-15",
        "2026-02-14",
        "Er referens",
        "Anna Andersson",
        "PO-778",
        "Alice Konsult AB",
        "Sveavägen 12",
        "556677-8899",
        "SE556677889901",
        "Bergström Bygg AB",
        "Åkervägen 3",
        "412 58 Göteborg",
        "559012-3450",
        "K-100",
        "Konsulttjänst",
        "950,00",
        "7 600,00",
        "1 250,00",
        "Tack för beställningen!",
    ]:
        assert expected in text, expected
    assert "Kreditfaktura" not in text
    cells = text.splitlines()  # pypdf gives every table cell a line of its own
    assert "tim" in cells and "st" in cells  # HUR and EA by their Swedish names


def test_invoice_shows_allowance_vat_breakdown_and_totals():
    text = text_of(render_pdf(two_rate_invoice()))

    assert "Avtalsrabatt" in text
    assert "-600,00" in text
    assert "Momsspecifikation" in text
    assert "Moms 25 %" in text and "Moms 12 %" in text
    assert "7 000,00" in text and "1 750,00" in text and "150,00" in text
    assert "8 850,00" in text and "8 250,00" in text and "1 900,00" in text
    assert "10 150,00 kr" in text
    assert "Öresavrundning" not in text  # nothing to round


def test_invoice_shows_payment_details_and_f_skatt():
    text = text_of(render_pdf(two_rate_invoice()))

    assert "Bankgiro" in text
    assert "5050-1055" in text
    assert "OCR-nummer" in text
    assert "1234567897" in text
    assert "30 dagar netto" in text
    assert "Godkänd för F-skatt" in text
    assert "Sida 1 av 1" in text


def test_output_is_a_pdf_and_byte_identical():
    first = render_pdf(two_rate_invoice())
    second = render_pdf(two_rate_invoice())

    assert first.startswith(b"%PDF-")
    assert first == second


def test_letters_beyond_latin_1_are_printed_not_boxed():
    # A Polish buyer, a Hungarian item: WinAnsi (the PDF standard fonts) has none of these.
    document = two_rate_invoice()
    document.buyer.name = "Łódź Przędzalnia Sp. z o.o."
    document.lines[0].name = "Fordítás: őszi kampány, 5 €"

    pdf = render_pdf(document)

    text = text_of(pdf)
    assert "Łódź Przędzalnia Sp. z o.o." in text
    assert "Fordítás: őszi kampány, 5 €" in text
    assert font_names(pdf) == {"SourceSansPro-Regular", "SourceSansPro-Bold"}


def font_names(pdf: bytes) -> set[str]:
    """Return the fonts the pages name, without an embedded subset's "ABCDEF+" prefix."""
    names = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]  # pypdf types dictionary entries loosely
        names |= {str(font["/BaseFont"]).split("+")[-1] for font in resources["/Font"].values()}
    return names


def test_credit_note_names_the_credited_invoice():
    text = text_of(render_pdf(credit_note()))

    assert "Kreditfaktura" in text
    assert "Kreditfakturanummer" in text
    assert "2026-0042" in text
    assert "Krediterar faktura" in text
    assert "2026-0001 (2026-01-15)" in text
    assert "Att kreditera" in text
    assert "2 375,00 kr" in text


def test_long_invoice_paginates_with_repeated_header_and_page_numbers():
    pages = page_texts(render_pdf(long_invoice()))

    assert len(pages) > 1
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Sida {number} av {total}" in text
        assert "Beskrivning" in text  # the column headings repeat on every page
    assert "Rad 300" in pages[-1]
    assert "3 750,00 kr" in "\n".join(pages)


def test_exempt_category_shows_exemption_reason_and_rounding():
    text = text_of(render_pdf(exempt_invoice()))

    assert "Undantagen från moms" in text
    assert "Sjukvård, undantagen från skatteplikt" in text
    assert "1 234,56" in text
    assert "mån" in text.splitlines()  # MON by its Swedish name
    assert "Öresavrundning" in text and "0,44" in text
    assert "1 235,00 kr" in text
    assert "Plusgiro" in text and "1234567-4" in text
    assert "Betalningsreferens" in text and "Faktura 2026-0003" in text


def test_english_uses_english_labels_and_number_format():
    text = text_of(render_pdf(english_invoice(), language="en"))

    for expected in [
        "Invoice",
        "Invoice number",
        "Due date",
        "Müller GmbH",
        "Hauptstraße 5",
        "day",
        "1,250.00",
        "10%",
        "5,625.00",
        "Reverse charge",
        "Amount due",
        "5,625.00 EUR",
        "VAT in SEK",
        "IBAN",
        "SE45 5000 0000 0583 9825 7466",
        "ESSESESS",
        "Godkänd för F-skatt",  # the legal wording stays Swedish
        "Page 1 of 1",
    ]:
        assert expected in text, expected
    assert "Faktura" not in text


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_logo_is_embedded(fmt):
    pdf = render_pdf(two_rate_invoice(), logo=image_bytes(fmt))

    page = PdfReader(BytesIO(pdf)).pages[0]
    assert len(page.images) == 1
    assert "Alice Konsult AB" in page.extract_text()


def test_logo_that_is_not_png_or_jpeg_is_refused():
    with pytest.raises(ValueError, match="PNG or JPEG"):
        render_pdf(two_rate_invoice(), logo=image_bytes("GIF"))
    with pytest.raises(ValueError, match="PNG or JPEG"):
        render_pdf(two_rate_invoice(), logo=b"\x89PNG\r\n\x1a\nbroken")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        render_pdf(two_rate_invoice(), language="de")


def test_filename():
    assert render_filename(two_rate_invoice()) == "faktura-2026-0001.pdf"
    assert render_filename(credit_note()) == "kreditfaktura-2026-0042.pdf"
    assert render_filename(two_rate_invoice(), language="en") == "invoice-2026-0001.pdf"
    assert render_filename(credit_note(), language="en") == "credit-note-2026-0042.pdf"


def test_filename_keeps_only_safe_characters():
    document = two_rate_invoice()
    document.number = 'A/2026 "0001"'

    assert render_filename(document) == "faktura-A-2026-0001.pdf"
