"""SE-LAW-*: the invoice content Swedish law requires (ML 17 kap. 24 §, ABL 28 kap. 1 §).

Documents are built from `invoices.samples` with `invoices.ubl.build` and run through the
whole validator, so a document that passes here passes every layer, not only these rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import translation
from lxml import etree

from invoices import ubl
from invoices.document import Address, DocumentKind, InvoiceDocument, Party
from invoices.findings import Finding, Layer, Severity
from invoices.peppol import implemented_rules, swedish_law
from invoices.presentation import describe_location
from invoices.samples import buyer, invoice, seller, simple_line
from invoices.validation import Report, validate_document, validate_tree
from invoices.xmlsafe import parse_untrusted

D = Decimal
NS = {"cac": ubl.NS_CAC, "cbc": ubl.NS_CBC}
FATAL, WARNING = Severity.FATAL, Severity.WARNING

BUYER_PARTY = "/Invoice/cac:AccountingCustomerParty/cac:Party"
SELLER_LEGAL_ENTITY = "/Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity"
SUBTOTAL_CATEGORY = "/Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"


def validated(document: InvoiceDocument) -> Report:
    return validate_document(ubl.build(document))


def law_findings(report: Report) -> list[Finding]:
    return [finding for finding in report.findings if finding.rule.startswith("SE-LAW-")]


def found(report: Report) -> list[tuple[str, Severity, str]]:
    return [(f.rule, f.severity, f.location) for f in law_findings(report)]


def assert_clean(report: Report) -> None:
    """Nothing from any layer: the document is a valid invoice under PEPPOL and the law."""
    assert report.findings == (), [f"{f.rule} at {f.location}" for f in report.findings]


def edited_tree(document: InvoiceDocument, edit: Callable[[etree._Element], None]) -> Report:
    root = parse_untrusted(ubl.build(document))
    edit(root)
    return validate_tree(root, layers=[Layer.PEPPOL])


def only(root: etree._Element, path: str) -> etree._Element:
    [element] = root.findall(path, NS)
    return element


def german_buyer(**changes: object) -> Party:
    party = buyer(
        name="Beispiel GmbH",
        vat_number="DE123456789",
        legal_id="HRB 1234",
        legal_id_scheme="",
        endpoint_id="DE123456789",
        endpoint_scheme="9930",
        address=Address(street="Hauptstraße 1", city="Berlin", postal_zone="10115", country="DE"),
    )
    return dataclasses.replace(party, **changes)  # type: ignore[arg-type]


def reverse_charge(
    reason: str = "Omvänd betalningsskyldighet", **changes: object
) -> InvoiceDocument:
    changes = {"buyer": german_buyer(), **changes}
    return invoice(
        simple_line(1, "8", "1200", rate="0", category="AE"),
        exemptions={"AE": (reason, "VATEX-EU-AE")},
        **changes,
    )


def exempt(reason: str, code: str = "") -> InvoiceDocument:
    # A taxed line first: the exempt group is the second subtotal, as on a mixed invoice.
    return invoice(
        simple_line(1, "2", "950"),
        simple_line(2, "1", "2000", rate="0", category="E"),
        exemptions={"E": (reason, code)},
    )


def in_euro(**changes: object) -> InvoiceDocument:
    document = invoice(simple_line(1, "4", "125.00"), currency="EUR", **changes)
    document.totals.tax_amount_in_tax_currency = D("1431.25")
    return document


# --- a domestic invoice and a credit note --------------------------------------------------


def test_a_domestic_invoice_passes() -> None:
    assert_clean(validated(invoice()))


def test_a_credit_note_passes() -> None:
    credit_note = invoice(
        kind=DocumentKind.CREDIT_NOTE, number="K-1", preceding_invoices=[("2026-0042", None)]
    )
    assert_clean(validated(credit_note))


def test_a_credit_note_is_checked_too() -> None:
    credit_note = invoice(
        kind=DocumentKind.CREDIT_NOTE,
        number="K-1",
        preceding_invoices=[("2026-0042", None)],
        seller=seller(legal_form=""),
    )
    assert found(validated(credit_note)) == [
        (
            "SE-LAW-BOARD-SEAT",
            FATAL,
            "/CreditNote/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity",
        )
    ]


def test_a_seller_outside_sweden_is_not_checked() -> None:
    foreign_seller = seller(
        legal_form="",
        vat_number="NO987654325MVA",
        address=Address(street="Storgata 1", city="Oslo", postal_zone="0155", country="NO"),
    )
    report = validate_tree(
        parse_untrusted(
            ubl.build(reverse_charge(seller=foreign_seller, buyer=buyer(vat_number="")))
        ),
        layers=[Layer.PEPPOL],
    )
    assert law_findings(report) == []


# --- reverse charge -----------------------------------------------------------------------


def test_reverse_charge_with_the_buyers_vat_number_passes() -> None:
    assert_clean(validated(reverse_charge()))


def test_reverse_charge_without_the_buyers_vat_number_is_fatal() -> None:
    # The buyer's legal registration id satisfies EN 16931 (BR-AE-02), not the VAT Act.
    report = validated(reverse_charge(buyer=german_buyer(vat_number="")))
    assert found(report) == [("SE-LAW-AE-BUYER-VAT", FATAL, BUYER_PARTY)]
    assert [f.rule for f in report.fatal] == ["SE-LAW-AE-BUYER-VAT"]
    with translation.override("en"):
        assert describe_location(report.fatal[0].location) == "Customer"


def test_a_tax_number_that_is_not_a_vat_number_does_not_count() -> None:
    def vat_scheme_to_tax(root: etree._Element) -> None:
        path = "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID"
        only(root, path).text = "TAX"

    report = edited_tree(reverse_charge(), vat_scheme_to_tax)
    assert ("SE-LAW-AE-BUYER-VAT", FATAL, BUYER_PARTY) in found(report)


@pytest.mark.parametrize(
    "made_exempt",
    [
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
        "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
    ],
    ids=["AE on the line alone", "AE in the breakdown alone"],
)
def test_reverse_charge_in_either_place_needs_the_buyers_vat_number(made_exempt: str) -> None:
    # An imported document whose breakdown disagrees with its lines: either place is enough.
    def to_exempt(root: etree._Element) -> None:
        only(root, made_exempt).text = "E"

    document = reverse_charge(buyer=german_buyer(vat_number=""))
    assert ("SE-LAW-AE-BUYER-VAT", FATAL, BUYER_PARTY) in found(edited_tree(document, to_exempt))


def test_the_old_acts_wording_is_a_warning() -> None:
    report = validated(reverse_charge(reason="Omvänd skattskyldighet"))
    assert found(report) == [
        ("SE-LAW-REVERSE-CHARGE-WORDING", WARNING, f"{SUBTOTAL_CATEGORY}/cbc:TaxExemptionReason")
    ]
    assert report.valid


# --- exempt sales -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("3 kap. 8 § mervärdesskattelagen (2023:200)", ""),
        ("Undantagen från skatteplikt", "VATEX-EU-132-1I"),
        ("Undantagen enligt artikel 132.1 i mervärdesskattedirektivet", ""),
        ("Sjukvård enligt 10 kap. ML", ""),
        ("Utbildning, undantagen enligt kapitel 3", ""),
    ],
)
def test_an_exemption_that_cites_its_provision_passes(reason: str, code: str) -> None:
    assert_clean(validated(exempt(reason, code)))


@pytest.mark.parametrize("reason", ["Undantagen från skatteplikt", "Momsfri utbildning"])
def test_an_exemption_without_a_provision_is_fatal(reason: str) -> None:
    report = validated(exempt(reason))
    location = "/Invoice/cac:TaxTotal/cac:TaxSubtotal[2]/cac:TaxCategory"
    assert found(report) == [("SE-LAW-EXEMPT-REFERENCE", FATAL, location)]
    with translation.override("en"):
        assert describe_location(location) == "VAT"


# --- the VAT in SEK -----------------------------------------------------------------------


def test_a_euro_invoice_with_the_vat_in_sek_passes() -> None:
    assert_clean(validated(in_euro(tax_currency="SEK")))


def test_a_euro_invoice_without_the_vat_in_sek_is_fatal() -> None:
    document = invoice(simple_line(1, "4", "125.00"), currency="EUR")
    report = validated(document)
    assert found(report) == [("SE-LAW-VAT-IN-SEK", FATAL, "/Invoice/cbc:DocumentCurrencyCode")]
    with translation.override("en"):
        assert describe_location(report.fatal[0].location) == "Currency"


def test_vat_in_another_currency_than_sek_is_fatal() -> None:
    report = validated(in_euro(tax_currency="NOK"))
    assert found(report) == [("SE-LAW-VAT-IN-SEK", FATAL, "/Invoice/cbc:TaxCurrencyCode")]
    with translation.override("en"):
        assert describe_location(report.fatal[0].location) == "Currency"


def test_sek_as_vat_currency_without_a_vat_total_in_sek_is_fatal() -> None:
    document = invoice(simple_line(1, "4", "125.00"), currency="EUR", tax_currency="SEK")
    report = validated(document)
    assert ("SE-LAW-VAT-IN-SEK", FATAL, "/Invoice/cbc:DocumentCurrencyCode") in found(report)


# --- the board's registered office ----------------------------------------------------------


@pytest.mark.parametrize("legal_form", ["Styrelsens säte: Umeå", "STYRELSENS SÄTE: UMEÅ"])
def test_an_aktiebolag_stating_its_board_seat_passes(legal_form: str) -> None:
    assert_clean(validated(invoice(seller=seller(legal_form=legal_form))))


@pytest.mark.parametrize("legal_form", ["", "Aktiebolag"])
def test_an_aktiebolag_without_its_board_seat_is_fatal(legal_form: str) -> None:
    report = validated(invoice(seller=seller(legal_form=legal_form)))
    assert found(report) == [("SE-LAW-BOARD-SEAT", FATAL, SELLER_LEGAL_ENTITY)]
    with translation.override("en"):
        assert describe_location(SELLER_LEGAL_ENTITY) == "Your company details (Settings)"


@pytest.mark.parametrize("org_number", ["8024796545", "9696631713"])
def test_a_seller_that_is_not_an_aktiebolag_needs_no_board_seat(org_number: str) -> None:
    other_form = seller(
        legal_id=org_number, endpoint_id=org_number, vat_number=f"SE{org_number}01", legal_form=""
    )
    assert_clean(validated(invoice(seller=other_form)))


def test_a_company_id_from_another_registry_says_nothing_about_the_legal_form() -> None:
    def as_gln_scheme(root: etree._Element) -> None:
        path = "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"
        only(root, path).set("schemeID", "0088")

    report = edited_tree(invoice(seller=seller(legal_form="")), as_gln_scheme)
    assert law_findings(report) == []


# --- the rules themselves -------------------------------------------------------------------


def test_every_rule_is_registered_with_both_languages() -> None:
    ids = [rule.id for rule in swedish_law.RULES]
    assert ids == [
        "SE-LAW-AE-BUYER-VAT",
        "SE-LAW-EXEMPT-REFERENCE",
        "SE-LAW-VAT-IN-SEK",
        "SE-LAW-BOARD-SEAT",
        "SE-LAW-REVERSE-CHARGE-WORDING",
    ]
    assert set(ids) <= set(implemented_rules())
    for rule in swedish_law.RULES:
        assert rule.en and rule.sv and rule.en != rule.sv
