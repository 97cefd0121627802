"""Proof that the invoices the portal issues meet Swedish law (ML 2023:200 17 kap. 24 §, ABL).

Each case goes the way a user's invoice goes: `services.invoice_create` on the real database
(with the after-commit rate lookup run), then `services.invoice_issue`. The frozen UBL is read
with XPath on the elements the law and EN 16931 name, the PDF is read back with pypdf, and
every issued document passes all three validation layers without a single finding.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from lxml import etree

from accounts.models import Organisation
from invoices import exemptions, services
from invoices.models import Customer, Invoice, RateSource
from invoices.pdf import render_pdf
from invoices.rates import FixtureRates
from invoices.tests.factories import CustomerFactory, two_rate_input
from invoices.tests.test_invoice_views import invoice_post
from invoices.tests.test_pdf_legal import after, printed_lines, shows
from invoices.tests.test_swedish_law import assert_clean
from invoices.ubl.names import NS_CAC, NS_CBC
from invoices.validation import validate_document
from invoices.xmlsafe import parse_untrusted

pytestmark = pytest.mark.django_db

D = Decimal
NS = {"cac": NS_CAC, "cbc": NS_CBC}
EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.xml")) if EXAMPLES.is_dir() else []

MONDAY = date(2026, 11, 2)
SUNDAY = date(2026, 11, 1)  # no rate is published: the fixture gives Friday's, as a bank would
FRIDAY = date(2026, 10, 30)
INTEREST = "Dröjsmålsränta enligt räntelagen."
IBAN, BIC = "SE4550000000058398257466", "ESSESESS"

BUYER = "/*/cac:AccountingCustomerParty/cac:Party"
SELLER = "/*/cac:AccountingSupplierParty/cac:Party"
SUBTOTAL = "/*/cac:TaxTotal/cac:TaxSubtotal"


# --- the seller, its customers, and the way an invoice is issued ---------------------------


@pytest.fixture
def seller(alice_org: Organisation) -> Organisation:
    """alice's aktiebolag as a Swedish accountant would set it up."""
    alice_org.registered_office = "Umeå"
    alice_org.has_f_skatt = True
    alice_org.iban, alice_org.bic = IBAN, BIC
    alice_org.payment_terms_days = 20
    alice_org.late_payment_interest = INTEREST
    alice_org.full_clean()
    alice_org.save()
    return alice_org


def german_customer(organisation: Organisation, **fields: Any) -> Customer:
    """A German company with a VAT number, reached by e-mail only (no PEPPOL id)."""
    return CustomerFactory(
        organisation=organisation,
        name="Beispiel GmbH",
        org_number="",
        vat_number="DE123456789",
        email="rechnung@beispiel.example",
        street_address="Hauptstraße 1",
        postal_code="10115",
        city="Berlin",
        country_code="DE",
        your_reference="Einkauf 7",
        **fields,
    )


def line(category: str = "S", rate: str = "25", **fields: Any) -> services.LineInput:
    """Twelve hours at 100,00: 1 200,00 before VAT."""
    values: dict[str, Any] = {
        "description": "Konsulttimmar",
        "quantity": D("12"),
        "unit_code": "HUR",
        "unit_price": D("100.00"),
    }
    return services.LineInput(vat_category=category, vat_rate=D(rate), **(values | fields))


def invoice_input(
    customer: Customer, *lines: services.LineInput, **fields: Any
) -> services.InvoiceInput:
    """An invoice dated Monday with no due date: the payment terms decide it."""
    values: dict[str, Any] = {"issue_date": MONDAY, "due_date": None}
    return services.InvoiceInput(customer=customer, lines=list(lines), **(values | fields))


def issue(capture: Any, organisation: Organisation, user: Any, data: Any) -> Invoice:
    """Create the draft as the view does (its after-commit rate lookup run), then issue it."""
    with capture(execute=True):
        draft = services.invoice_create(organisation=organisation, user=user, data=data)
    return services.invoice_issue(invoice=draft, user=user)


# --- reading what was issued ------------------------------------------------------------------


def clean_ubl(invoice: Invoice) -> etree._Element:
    """Return the frozen UBL after checking that no layer finds anything, not even a warning."""
    assert invoice.ubl_xml is not None
    xml = bytes(invoice.ubl_xml)
    report = validate_document(xml)
    assert report.valid and report.skipped == ()
    assert_clean(report)
    return parse_untrusted(xml)


def elements(root: etree._Element, path: str) -> list[etree._Element]:
    """Return the elements the XPath selects (prefixes cac and cbc)."""
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [item for item in found if isinstance(item, etree._Element)]


def texts(root: etree._Element, path: str) -> list[str]:
    """Return the text of every element, or the value of every attribute, the path selects."""
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [(item.text or "") if isinstance(item, etree._Element) else str(item) for item in found]


def amounts(root: etree._Element, path: str) -> list[tuple[Decimal, str]]:
    """Return every amount the path selects with its currencyID."""
    return [(D(item.text or ""), item.get("currencyID", "")) for item in elements(root, path)]


def breakdown(root: etree._Element) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """Return the VAT breakdown (BG-23): category, rate, taxable amount, VAT."""
    rows = []
    for subtotal in elements(root, SUBTOTAL):
        [category] = texts(subtotal, "cac:TaxCategory/cbc:ID")
        [rate] = texts(subtotal, "cac:TaxCategory/cbc:Percent")
        [(taxable, _currency)] = amounts(subtotal, "cbc:TaxableAmount")
        [(vat, _currency)] = amounts(subtotal, "cbc:TaxAmount")
        rows.append((category, D(rate), taxable, vat))
    return rows


def pdf_lines(invoice: Invoice, language: str = "sv") -> list[str]:
    """Return the printed lines of the invoice's PDF, as the download and the e-mail carry it."""
    return printed_lines(render_pdf(services.invoice_document(invoice), language=language))


def flat(lines: list[str]) -> str:
    """Join the lines with single spaces: a long reason wraps inside its table cell."""
    return " ".join(" ".join(lines).split())


def in_sek(vat: Decimal, rate: Decimal) -> Decimal:
    """Round the VAT times the rate to whole öre, half up, as the law's SEK amount."""
    return (vat * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)


# --- 1. a domestic invoice ------------------------------------------------------------------


def test_domestic_invoice_with_two_rates_and_discounts(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    customer = CustomerFactory(organisation=seller)
    invoice = issue(django_capture_on_commit_callbacks, seller, alice, two_rate_input(customer))

    root = clean_ubl(invoice)
    # 25 %: 9 500,00 less the 500,00 document discount = 9 000,00 -> 2 250,00 VAT;
    # 12 %: 748,50 less the 48,50 line discount = 700,00 -> 84,00 VAT.
    assert breakdown(root) == [
        ("S", D("25"), D("9000.00"), D("2250.00")),
        ("S", D("12"), D("700.00"), D("84.00")),
    ]
    assert amounts(root, "/*/cac:InvoiceLine[2]/cac:AllowanceCharge/cbc:Amount") == [
        (D("48.50"), "SEK")
    ]
    assert amounts(root, "/*/cac:AllowanceCharge/cbc:Amount") == [(D("500.00"), "SEK")]
    assert texts(root, f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyLegalForm") == [
        "Styrelsens säte: Umeå"
    ]
    assert texts(root, "/*/cbc:TaxCurrencyCode") == []
    assert amounts(root, "/*/cac:TaxTotal/cbc:TaxAmount") == [(D("2334.00"), "SEK")]

    lines = pdf_lines(invoice)
    assert shows(lines, "Moms 25 %", "9 000,00") and shows(lines, "Moms 12 %", "700,00")
    assert "Styrelsens säte: Umeå" in lines and "Godkänd för F-skatt" in lines
    assert shows(lines, "Betalningsvillkor", f"30 dagar netto. {INTEREST}")
    assert shows(lines, "Att betala", "12 034,00 kr")
    # The units as the form names them: ten hours and three pieces.
    assert shows(lines, "10", "tim") and shows(lines, "3", "st")
    assert "HUR" not in lines and "EA" not in lines
    assert "Moms i SEK" not in lines and "Växelkurs" not in flat(lines)


# --- 2. and 3. reverse charge -----------------------------------------------------------------


def test_reverse_charge_to_a_swedish_builder(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    builder = CustomerFactory(
        organisation=seller, name="Bygg & Montage AB", vat_number="SE556036079301"
    )
    data = invoice_input(builder, line("AE", "0", description="Takläggning"))
    invoice = issue(django_capture_on_commit_callbacks, seller, alice, data)

    root = clean_ubl(invoice)
    category = f"{SUBTOTAL}/cac:TaxCategory"
    assert texts(root, f"{category}/cbc:ID") == ["AE"]
    assert texts(root, f"{category}/cbc:TaxExemptionReason") == ["Omvänd betalningsskyldighet"]
    assert texts(root, f"{category}/cbc:TaxExemptionReasonCode") == ["VATEX-EU-AE"]
    assert texts(root, f"{BUYER}/cac:PartyTaxScheme/cbc:CompanyID") == ["SE556036079301"]
    assert texts(root, f"{BUYER}/cac:PartyLegalEntity/cbc:CompanyID") == ["5560360793"]
    assert amounts(root, "/*/cac:TaxTotal/cbc:TaxAmount") == [(D("0.00"), "SEK")]

    lines = pdf_lines(invoice)
    assert "Omvänd betalningsskyldighet" in after(lines, "Att betala")
    assert "Reverse charge" not in flat(lines)
    assert "skattskyldighet" not in flat(lines)  # the old act's term


@pytest.mark.parametrize(("language", "payable"), [("sv", "Att betala"), ("en", "Amount due")])
def test_reverse_charge_to_an_eu_buyer_reached_by_email(
    seller: Organisation,
    alice: Any,
    django_capture_on_commit_callbacks: Any,
    language: str,
    payable: str,
) -> None:
    buyer = german_customer(seller)
    invoice = issue(
        django_capture_on_commit_callbacks, seller, alice, invoice_input(buyer, line("AE", "0"))
    )

    root = clean_ubl(invoice)
    assert texts(root, f"{BUYER}/cbc:EndpointID") == ["rechnung@beispiel.example"]
    assert texts(root, f"{BUYER}/cbc:EndpointID/@schemeID") == ["EM"]
    assert texts(root, f"{BUYER}/cac:PartyTaxScheme/cbc:CompanyID") == ["DE123456789"]
    assert texts(root, f"{SUBTOTAL}/cac:TaxCategory/cbc:TaxExemptionReason") == [
        "Omvänd betalningsskyldighet / Reverse charge"
    ]
    assert texts(root, f"{SUBTOTAL}/cac:TaxCategory/cbc:TaxExemptionReasonCode") == ["VATEX-EU-AE"]

    # The frozen reason is in both languages already: the page prints it as issued.
    notice = "Omvänd betalningsskyldighet / Reverse charge"
    assert notice in after(pdf_lines(invoice, language), payable)


# --- 4. exempt supplies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "choice",
    ["education", "VATEX-EU-132-1N"],
    ids=["Swedish ground", "directive code"],
)
def test_exempt_supply_names_its_provision(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any, choice: str
) -> None:
    reason, code = exemptions.resolve(choice)
    assert reason and code.startswith("VATEX-EU-")
    course = line(
        "E",
        "0",
        description="Kurs i bokföring",
        exemption_reason=reason,
        exemption_reason_code=code,
    )
    data = invoice_input(CustomerFactory(organisation=seller), line(), course)
    invoice = issue(django_capture_on_commit_callbacks, seller, alice, data)

    root = clean_ubl(invoice)
    exempt = f"{SUBTOTAL}[cac:TaxCategory/cbc:ID = 'E']/cac:TaxCategory"
    assert texts(root, f"{exempt}/cbc:TaxExemptionReason") == [reason]
    assert texts(root, f"{exempt}/cbc:TaxExemptionReasonCode") == [code]
    assert [row[0] for row in breakdown(root)] == ["S", "E"]

    vat_table = after(pdf_lines(invoice), "Momsspecifikation")
    assert reason in flat(vat_table[: vat_table.index("Summa exkl. moms")])


# --- 5. and 6. an invoice in euro, and its credit note ------------------------------------------


def euro_invoice(capture: Any, seller: Organisation, user: Any, **fields: Any) -> Invoice:
    """Twelve hours at 100,00 EUR with 25 % VAT to a German buyer: 300,00 EUR VAT."""
    data = invoice_input(german_customer(seller), line(), currency="EUR", **fields)
    return issue(capture, seller, user, data)


def sek_tax_total(root: etree._Element) -> list[tuple[Decimal, str]]:
    """Return the amounts of the second TaxTotal (BT-111): the VAT in the tax currency."""
    assert len(elements(root, "/*/cac:TaxTotal")) == 2
    [second] = elements(root, "/*/cac:TaxTotal[2]")
    assert [etree.QName(child).localname for child in second] == ["TaxAmount"]  # nothing else
    return amounts(second, "cbc:TaxAmount")


def test_an_invoice_in_euro_states_its_vat_in_sek_with_the_rate(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = euro_invoice(django_capture_on_commit_callbacks, seller, alice, issue_date=SUNDAY)

    published = FixtureRates().rate("EUR", SUNDAY)
    assert published.rate_date == FRIDAY
    assert (invoice.exchange_rate, invoice.exchange_rate_date, invoice.exchange_rate_source) == (
        published.rate,
        FRIDAY,
        RateSource.FIXTURE,
    )
    assert invoice.total_vat == D("300.00")
    expected = in_sek(D("300.00"), published.rate)
    assert invoice.vat_in_sek == expected

    root = clean_ubl(invoice)
    assert texts(root, "/*/cbc:DocumentCurrencyCode") == ["EUR"]
    assert texts(root, "/*/cbc:TaxCurrencyCode") == ["SEK"]
    assert amounts(root, "/*/cac:TaxTotal[1]/cbc:TaxAmount") == [(D("300.00"), "EUR")]
    assert sek_tax_total(root) == [(expected, "SEK")]
    assert texts(root, "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == [
        "50501055",
        IBAN,
    ]

    lines = pdf_lines(invoice)
    # The fixture's 11,0350 SEK per euro: 300,00 EUR of VAT is 3 310,50 SEK.
    assert published.rate == D("11.0350")
    assert shows(lines, "Moms i SEK", "3 310,50 SEK")
    assert "Växelkurs 1 EUR = 11,0350 SEK (testkurs, 2026-10-30)" in lines
    assert shows(lines, "Att betala", "1 500,00 EUR")
    # A buyer abroad pays by IBAN and BIC.
    assert shows(lines, "IBAN", "SE45 5000 0000 0583 9825 7466") and shows(lines, "BIC", BIC)


def test_a_rate_the_seller_entered_is_shown_as_theirs(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = euro_invoice(
        django_capture_on_commit_callbacks, seller, alice, exchange_rate=D("11.25")
    )

    # The lookup after the commit ran and left the seller's rate alone.
    assert (invoice.exchange_rate, invoice.exchange_rate_date, invoice.exchange_rate_source) == (
        D("11.25"),
        MONDAY,
        RateSource.MANUAL,
    )
    # 300,00 EUR at 11,25: 3 375,00 SEK.
    assert invoice.vat_in_sek == D("3375.00")
    assert sek_tax_total(clean_ubl(invoice)) == [(D("3375.00"), "SEK")]

    lines = pdf_lines(invoice)
    assert shows(lines, "Moms i SEK", "3 375,00 SEK")
    assert "Växelkurs 1 EUR = 11,2500 SEK (angiven av säljaren, 2026-11-02)" in lines
    english = pdf_lines(invoice, "en")
    assert "Exchange rate 1 EUR = 11.2500 SEK (entered by the seller, 2026-11-02)" in english


def test_a_credit_note_reverses_the_vat_in_sek_at_the_invoices_rate(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = euro_invoice(django_capture_on_commit_callbacks, seller, alice, issue_date=SUNDAY)
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.credit_note_create(invoice=invoice, user=alice)
    credit = services.invoice_issue(invoice=draft, user=alice)

    # Dated today, yet at the invoice's rate of that Friday: not looked up again.
    assert credit.issue_date != invoice.issue_date
    rate_of = ("exchange_rate", "exchange_rate_date", "exchange_rate_source", "vat_in_sek")
    assert [getattr(credit, name) for name in rate_of] == [
        getattr(invoice, name) for name in rate_of
    ]

    root = clean_ubl(credit)
    assert etree.QName(root).localname == "CreditNote"
    assert texts(root, "/*/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == [
        invoice.number
    ]
    assert texts(root, "/*/cbc:TaxCurrencyCode") == ["SEK"]
    assert sek_tax_total(root) == [(invoice.vat_in_sek, "SEK")]

    lines = pdf_lines(credit)
    assert "Kreditfaktura" in lines
    assert shows(lines, "Krediterar faktura", f"{invoice.number} ({SUNDAY})")
    assert shows(lines, "Moms i SEK", "3 310,50 SEK")
    assert shows(lines, "Att kreditera", "1 500,00 EUR")
    assert "Växelkurs 1 EUR = 11,0350 SEK (testkurs, 2026-10-30)" in lines
    for payment_text in ("Betalning", "Att betala", "OCR-nummer", "Bankgiro", "IBAN"):
        assert payment_text not in lines, payment_text


# --- 7. the date of supply and the invoicing period ---------------------------------------------


def test_the_date_of_supply_is_stated(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = invoice_input(
        CustomerFactory(organisation=seller), line(), delivery_date=date(2026, 10, 28)
    )
    invoice = issue(django_capture_on_commit_callbacks, seller, alice, data)

    root = clean_ubl(invoice)
    assert texts(root, "/*/cac:Delivery/cbc:ActualDeliveryDate") == ["2026-10-28"]
    assert texts(root, "/*/cac:InvoicePeriod") == []

    lines = pdf_lines(invoice)
    assert shows(lines, "Leveransdatum", "2026-10-28")
    assert "Period" not in lines


def test_the_invoicing_period_is_stated(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = invoice_input(
        CustomerFactory(organisation=seller),
        line(),
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
    )
    invoice = issue(django_capture_on_commit_callbacks, seller, alice, data)

    root = clean_ubl(invoice)
    assert texts(root, "/*/cac:InvoicePeriod/cbc:StartDate") == ["2026-10-01"]
    assert texts(root, "/*/cac:InvoicePeriod/cbc:EndDate") == ["2026-10-31"]
    assert texts(root, "/*/cac:Delivery") == []

    lines = pdf_lines(invoice)
    assert shows(lines, "Period", "2026-10-01 \N{EN DASH} 2026-10-31")
    assert "Leveransdatum" not in lines


# --- 8. payment terms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("customer_days", "days"), [(15, 15), (None, 20)], ids=["customer's", "organisation's"]
)
def test_payment_terms_come_from_the_customer_else_the_organisation(
    seller: Organisation,
    alice: Any,
    django_capture_on_commit_callbacks: Any,
    customer_days: int | None,
    days: int,
) -> None:
    customer = CustomerFactory(organisation=seller, payment_terms_days=customer_days)
    invoice = issue(
        django_capture_on_commit_callbacks, seller, alice, invoice_input(customer, line())
    )

    due = MONDAY + timedelta(days=days)
    terms = f"{days} dagar netto. {INTEREST}"
    assert invoice.due_date == due
    root = clean_ubl(invoice)
    assert texts(root, "/*/cbc:DueDate") == [due.isoformat()]
    assert texts(root, "/*/cac:PaymentTerms/cbc:Note") == [terms]

    payment = after(pdf_lines(invoice), "Betalning")
    assert shows(payment, "Förfallodatum", due.isoformat())
    assert shows(payment, "Betalningsvillkor", terms)


# --- 9. import and issue again ------------------------------------------------------------------


def test_an_issued_euro_invoice_imports_with_its_vat_in_sek_and_issues_again(
    seller: Organisation,
    alice: Any,
    mallory_org: Organisation,
    mallory: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    original = euro_invoice(django_capture_on_commit_callbacks, seller, alice, issue_date=SUNDAY)
    assert original.ubl_xml is not None and original.vat_in_sek is not None

    with django_capture_on_commit_callbacks(execute=True):
        imported = services.invoice_import(
            organisation=mallory_org, user=mallory, data=bytes(original.ubl_xml)
        )
    imported.refresh_from_db()

    assert imported.source == Invoice.Source.IMPORT
    # The file's SEK amount stands, and the rate it implies, not the provider's.
    assert imported.vat_in_sek == original.vat_in_sek
    assert imported.exchange_rate_source == RateSource.IMPORT
    assert imported.exchange_rate_date == SUNDAY
    # A buyer reached by e-mail is not a PEPPOL participant: the address is its e-mail.
    assert (imported.customer.email, imported.customer.peppol_id) == (
        "rechnung@beispiel.example",
        "",
    )

    reissued = services.invoice_issue(invoice=imported, user=mallory)
    assert reissued.vat_in_sek == original.vat_in_sek
    root = clean_ubl(reissued)
    assert sek_tax_total(root) == [(original.vat_in_sek, "SEK")]
    assert texts(root, f"{BUYER}/cbc:EndpointID/@schemeID") == ["EM"]
    lines = pdf_lines(reissued)
    assert shows(lines, "Moms i SEK", "3 310,50 SEK")
    assert any("(enligt den importerade fakturan, 2026-11-01)" in printed for printed in lines)


def with_vat_in_sek(xml: bytes, amount: str) -> bytes:
    """Add TaxCurrencyCode SEK and a second TaxTotal in SEK to an official example."""
    root = parse_untrusted(xml)
    [currency] = elements(root, "/*/cbc:DocumentCurrencyCode")
    tax_currency = etree.Element(f"{{{NS_CBC}}}TaxCurrencyCode")
    tax_currency.text = "SEK"
    currency.addnext(tax_currency)
    [tax_total] = elements(root, "/*/cac:TaxTotal")
    in_sek_total = etree.Element(f"{{{NS_CAC}}}TaxTotal")
    etree.SubElement(in_sek_total, f"{{{NS_CBC}}}TaxAmount", currencyID="SEK").text = amount
    tax_total.addnext(in_sek_total)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.skipif(not EXAMPLE_FILES, reason=f"official examples not at {EXAMPLES}")
def test_an_official_example_with_a_sek_tax_total_keeps_it_through_import_and_issue(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # base-example: 331,25 EUR of VAT; the file says it is 3 700,00 SEK.
    data = with_vat_in_sek((EXAMPLES / "base-example.xml").read_bytes(), "3700.00")
    assert validate_document(data).valid

    with django_capture_on_commit_callbacks(execute=True):
        imported = services.invoice_import(organisation=seller, user=alice, data=data)
    imported.refresh_from_db()
    assert (imported.vat_in_sek, imported.exchange_rate_source) == (
        D("3700.00"),
        RateSource.IMPORT,
    )

    issued = services.invoice_issue(invoice=imported, user=alice)
    assert issued.total_vat == D("331.25") and issued.vat_in_sek == D("3700.00")
    root = clean_ubl(issued)
    assert texts(root, "/*/cbc:TaxCurrencyCode") == ["SEK"]
    assert sek_tax_total(root) == [(D("3700.00"), "SEK")]
    assert shows(pdf_lines(issued), "Moms i SEK", "3 700,00 SEK")


# --- 10. the invoice form -----------------------------------------------------------------------


def post_new_invoice(client: Client, customer: Customer, **first_line: str) -> Any:
    """Post the invoice form (two lines and a discount) with a zero-VAT first line."""
    data = invoice_post(customer, vat_rate="0", **first_line)
    return client.post(reverse("invoices:create"), data)


def test_the_form_refuses_reverse_charge_without_the_buyers_vat_number(
    alice_client: Client, seller: Organisation
) -> None:
    customer = CustomerFactory(organisation=seller, vat_number="")
    response = post_new_invoice(alice_client, customer, vat_category="AE")

    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not Invoice.objects.exists()


def test_the_form_asks_an_exempt_line_for_its_ground(
    alice_client: Client, seller: Organisation
) -> None:
    response = post_new_invoice(
        alice_client, CustomerFactory(organisation=seller), vat_category="E"
    )

    assert response.status_code == 200
    assert "exemption_ground" in response.context["lines"].forms[0].errors
    assert not Invoice.objects.exists()


def test_the_form_stores_the_chosen_ground_with_its_code(
    alice_client: Client, seller: Organisation
) -> None:
    customer = CustomerFactory(organisation=seller)
    response = post_new_invoice(
        alice_client, customer, vat_category="E", exemption_ground="education"
    )

    assert response.status_code == 302
    exempt = Invoice.objects.get().lines.get(position=1)
    reason, code = exemptions.resolve("education")
    assert (exempt.exemption_reason, exempt.exemption_reason_code) == (reason, code)
    assert code == "VATEX-EU-132-1I" and "10 kap." in reason


# --- 11. the official examples ------------------------------------------------------------------


@pytest.mark.skipif(not EXAMPLE_FILES, reason=f"official examples not at {EXAMPLES}")
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[path.name for path in EXAMPLE_FILES])
def test_every_official_example_imports_as_a_draft(
    seller: Organisation, alice: Any, django_capture_on_commit_callbacks: Any, path: Path
) -> None:
    data = path.read_bytes()
    original = parse_untrusted(data)
    with django_capture_on_commit_callbacks(execute=True):
        imported = services.invoice_import(organisation=seller, user=alice, data=data)

    [payable] = amounts(original, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount")
    assert (imported.total_payable, imported.currency) == payable
    rebuilt = parse_untrusted(services.invoice_ubl(imported))
    for path_of in (
        "/*/cac:LegalMonetaryTotal/cbc:PayableAmount",
        "/*/cac:TaxTotal[1]/cbc:TaxAmount",
        "/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount",
    ):
        assert amounts(rebuilt, path_of) == amounts(original, path_of), path_of
