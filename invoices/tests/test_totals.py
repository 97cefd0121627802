"""EN 16931 arithmetic, hand-computed: line amounts, VAT breakdown, totals, OCR numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from invoices import totals, ubl
from invoices.document import (
    AllowanceCharge,
    DocumentKind,
    InvoiceDocument,
    Line,
    Party,
    VatBreakdown,
)
from invoices.xmlsafe import parse_untrusted

D = Decimal
EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "examples"


def line(
    number: int,
    quantity: str,
    price: str,
    category: str = "S",
    rate: str | None = "25",
    **extra: object,
) -> Line:
    return Line(
        id=str(number),
        name=f"Artikel {number}",
        quantity=D(quantity),
        unit_code="EA",
        net_price=D(price),
        vat_category=category,
        vat_rate=None if rate is None else D(rate),
        **extra,  # type: ignore[arg-type]
    )


def document(*lines: Line, **extra: object) -> InvoiceDocument:
    return InvoiceDocument(
        kind=extra.pop("kind", DocumentKind.INVOICE),  # type: ignore[arg-type]
        number="1001",
        issue_date=date(2026, 9, 1),
        seller=Party(name="Säljaren AB"),
        buyer=Party(name="Köparen AB"),
        lines=list(lines),
        **extra,  # type: ignore[arg-type]
    )


def groups(doc: InvoiceDocument) -> dict[tuple[str, Decimal | None], tuple[Decimal, Decimal]]:
    return {(b.category, b.rate): (b.taxable_amount, b.tax_amount) for b in doc.vat_breakdown}


def test_two_rates_with_document_allowance_and_line_discount() -> None:
    ten_percent_off = AllowanceCharge(is_charge=False, amount=D(0), reason="Rabatt", percent=D(10))
    doc = document(
        line(1, "3", "199.90", allowances_charges=[ten_percent_off]),
        line(2, "2", "45.50", rate="12"),
        line(3, "1.5", "850"),
        allowances_charges=[
            AllowanceCharge(
                is_charge=False, amount=D("100"), reason="Bonus", vat_category="S", vat_rate=D(25)
            )
        ],
    )
    result = totals.compute(doc)

    # 3 x 199.90 = 599.70; 10 % of it is 59.97; 599.70 - 59.97 = 539.73.
    first = result.lines[0]
    assert first.allowances_charges[0].base_amount == D("599.70")
    assert first.allowances_charges[0].amount == D("59.97")
    assert [ln.line_extension for ln in result.lines] == [D("539.73"), D("91.00"), D("1275.00")]
    # 25 %: 539.73 + 1275.00 - 100 = 1714.73, VAT 428.6825 -> 428.68; 12 %: 91.00 -> 10.92.
    assert groups(result) == {
        ("S", D(25)): (D("1714.73"), D("428.68")),
        ("S", D(12)): (D("91.00"), D("10.92")),
    }
    t = result.totals
    assert (t.line_extension, t.allowance_total, t.charge_total) == (D("1905.73"), D(100), D(0))
    assert (t.tax_exclusive, t.tax_amount) == (D("1805.73"), D("439.60"))
    assert (t.tax_inclusive, t.payable) == (D("2245.33"), D("2245.33"))


def test_compute_leaves_its_input_alone() -> None:
    doc = document(line(1, "2", "10"))
    result = totals.compute(doc)
    assert doc.lines[0].line_extension == D(0)
    assert doc.totals.payable == D(0)
    assert result.totals.payable == D("25.00")


def test_charge_adds_to_its_group_and_percent_uses_the_group_as_base() -> None:
    doc = document(
        line(1, "1", "1000"),
        line(2, "1", "500", rate="6"),
        allowances_charges=[
            AllowanceCharge(
                is_charge=True,
                amount=D(0),
                percent=D(5),
                vat_category="S",
                vat_rate=D(25),
                reason="Frakt",
            ),
        ],
    )
    result = totals.compute(doc)
    charge = result.allowances_charges[0]
    assert (charge.base_amount, charge.amount) == (D(1000), D("50.00"))
    assert groups(result) == {
        ("S", D(25)): (D("1050.00"), D("262.50")),
        ("S", D(6)): (D("500"), D("30.00")),
    }
    assert result.totals.charge_total == D("50.00")
    assert result.totals.tax_exclusive == D("1550.00")


@pytest.mark.parametrize(
    ("quantity", "price", "rate", "net", "vat"),
    [
        ("1", "10.02", "25", "10.02", "2.51"),  # 2.505 rounds up
        ("3", "3.335", "25", "10.01", "2.50"),  # 10.005 rounds up, then 2.5025 down
        ("-1", "10.02", "25", "-10.02", "-2.51"),  # half away from zero when negative
        ("1", "0.04", "12", "0.04", "0.00"),  # 0.0048 rounds down
        ("1", "0.125", "6", "0.13", "0.01"),  # 0.0078 rounds up
    ],
)
def test_rounding_half_up_at_the_defined_points(
    quantity: str, price: str, rate: str, net: str, vat: str
) -> None:
    result = totals.compute(document(line(1, quantity, price, rate=rate)))
    assert result.lines[0].line_extension == D(net)
    assert result.vat_breakdown[0].tax_amount == D(vat)
    assert result.totals.payable == D(net) + D(vat)


def test_vat_is_rounded_per_group_not_per_line() -> None:
    # Per line 0.02 x 25 % = 0.005 -> 0.01 each; per group 0.04 x 25 % = 0.01 (BR-CO-17).
    result = totals.compute(document(line(1, "1", "0.02"), line(2, "1", "0.02")))
    assert result.vat_breakdown[0].tax_amount == D("0.01")


@pytest.mark.parametrize(
    ("quantity", "price", "base", "net"),
    [
        ("250", "12.50", "100", "31.25"),
        ("7", "10", "3", "23.33"),  # 7 x 3.333... = 23.333...
        ("2", "99", "1", "198.00"),
    ],
)
def test_base_quantity_divides_the_price(quantity: str, price: str, base: str, net: str) -> None:
    result = totals.compute(document(line(1, quantity, price, base_quantity=D(base))))
    assert result.lines[0].line_extension == D(net)


def test_price_discount_gives_the_net_price() -> None:
    doc = document(
        line(1, "10", "0", gross_price=D(450), price_discount=D(40)),
        line(2, "4", "90", gross_price=D(100)),
    )
    result = totals.compute(doc)
    assert result.lines[0].net_price == D(410)
    assert result.lines[0].line_extension == D("4100.00")
    assert result.lines[1].price_discount == D(10)
    assert result.lines[1].line_extension == D("360.00")


def test_zero_tax_categories_keep_their_exemption_reasons() -> None:
    doc = document(
        line(1, "1", "1000", category="E", rate="0"),
        line(2, "2", "500", category="AE", rate="0"),
        line(3, "1", "300", category="O", rate=None),
        line(4, "1", "200", category="Z", rate="0"),
        line(5, "1", "100", category="K", rate="25"),  # a wrong rate still taxes nothing
        vat_breakdown=[
            VatBreakdown("E", D(0), D(0), D(0), exemption_reason="Sjukvård enligt 3 kap. ML")
        ],
    )
    result = totals.compute(doc, exemptions={"AE": ("Omvänd betalningsskyldighet", "")})
    by_category = {b.category: b for b in result.vat_breakdown}
    assert {b.category: b.tax_amount for b in result.vat_breakdown} == dict.fromkeys(
        ["E", "AE", "O", "Z", "K"], D(0)
    )
    assert by_category["E"].exemption_reason == "Sjukvård enligt 3 kap. ML"
    assert by_category["AE"].exemption_reason == "Omvänd betalningsskyldighet"
    assert by_category["O"].rate is None
    assert by_category["O"].exemption_reason_code == "VATEX-EU-O"
    assert by_category["K"].exemption_reason_code == "VATEX-EU-IC"
    assert by_category["Z"].exemption_reason_code == ""
    assert result.totals.tax_amount == D(0)
    assert result.totals.payable == D("2600.00")


def test_standard_rate_has_no_exemption_reason() -> None:
    doc = document(line(1, "1", "100"), vat_breakdown=[VatBreakdown("S", D(25), D(0), D(0), "x")])
    assert totals.compute(doc).vat_breakdown[0].exemption_reason == ""


def test_credit_note_amounts_are_computed_the_same_way() -> None:
    doc = document(
        line(1, "2", "1250"),
        line(2, "1", "80", rate="6"),
        kind=DocumentKind.CREDIT_NOTE,
        preceding_invoices=[("1000", date(2026, 8, 1))],
    )
    result = totals.compute(doc)
    assert groups(result) == {
        ("S", D(25)): (D("2500.00"), D("625.00")),
        ("S", D(6)): (D("80.00"), D("4.80")),
    }
    assert result.totals.payable == D("3209.80")


def test_prepaid_and_rounding_reach_the_payable_amount() -> None:
    doc = document(line(1, "1", "99.99"))
    doc.totals.prepaid = D("50.00")
    doc.totals.rounding = D("0.01")
    result = totals.compute(doc)
    # 99.99 + 25.00 (24.9975) = 124.99; - 50 + 0.01 = 75.00.
    assert result.totals.tax_inclusive == D("124.99")
    assert result.totals.payable == D("75.00")


def test_rates_written_differently_are_one_group() -> None:
    result = totals.compute(
        document(line(1, "1", "100", rate="25"), line(2, "1", "100", rate="25.00"))
    )
    assert len(result.vat_breakdown) == 1
    assert result.vat_breakdown[0].tax_amount == D("50.00")


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/fixtures/peppol is not present")
@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.xml")) or ["none"])
def test_official_examples_recompute_to_their_stated_totals(name: str) -> None:
    imported = ubl.parse(parse_untrusted((EXAMPLES / name).read_bytes()))
    result = totals.compute(imported)
    assert [ln.line_extension for ln in result.lines] == [
        ln.line_extension for ln in imported.lines
    ]
    assert result.vat_breakdown == imported.vat_breakdown
    assert result.totals == imported.totals


# --- OCR numbers (hand-computed Luhn sums) ---------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "with_length", "expected"),
    [
        # 5,4,3,2,1 weighted 2,1,2,1,2 -> 1+4+6+2+2 = 15 -> check digit 5
        ("12345", False, "123455"),
        # 12345 + length digit 7 (seven digits in all), then Luhn over 123457 -> 4
        ("12345", True, "1234574"),
        # eleven digits in all: the length digit is 1
        ("123456789", True, "12345678911"),
        # twelve digits in all: the length digit is 2
        (1234567890, True, "123456789023"),
        ("0", False, "00"),
    ],
)
def test_ocr_number(reference: str | int, with_length: bool, expected: str) -> None:
    assert totals.ocr_number(reference, with_length_digit=with_length) == expected
    assert totals.ocr_valid(expected)
    assert totals.ocr_valid(expected, with_length_digit=True) is with_length


@pytest.mark.parametrize("bad", ["12a45", "", "-1", "1" * 24])
def test_ocr_number_rejects_what_bankgirot_would(bad: str) -> None:
    with pytest.raises(ValueError):
        totals.ocr_number(bad)


@pytest.mark.parametrize("value", ["1234575", "1234", "12 3455", "1", "1" * 26, ""])
def test_ocr_valid_rejects(value: str) -> None:
    assert not totals.ocr_valid(value)


# --- payment means -----------------------------------------------------------------------------


def test_bankgiro_payment_means() -> None:
    means = totals.bankgiro_payment_means("5050-1055", "1234574")
    assert (means.code, means.account_id, means.branch_id) == ("30", "50501055", "SE:BANKGIRO")
    assert means.payment_id == "1234574"


def test_plusgiro_payment_means() -> None:
    means = totals.plusgiro_payment_means("4 12 34-6", "123455")
    assert (means.code, means.account_id, means.branch_id) == ("30", "412346", "SE:PLUSGIRO")


@pytest.mark.parametrize("number", ["505-105", "5050-10555", "5050-105X"])
def test_bankgiro_payment_means_rejects_bad_numbers(number: str) -> None:
    with pytest.raises(ValueError):
        totals.bankgiro_payment_means(number, "")


def test_iban_payment_means_uses_credit_transfer_unless_sepa() -> None:
    means = totals.iban_payment_means("SE45 5000 0000 0583 9825 7466", "essesess", "1234574")
    assert (means.code, means.account_id, means.branch_id) == (
        "30",
        "SE4550000000058398257466",
        "ESSESESS",
    )
    assert totals.iban_payment_means("SE45 5000", "ESSESESS", "", sepa=True).code == "58"
