"""A buyer abroad without a PEPPOL id: invoiced in EUR by e-mail, with what Swedish law asks.

The demo's own route, end to end through the services: write the draft (the rate is fetched
after the commit), send it, let one delivery attempt e-mail it, and read what arrived.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from lxml import etree
from pypdf import PdfReader

from accounts.models import Organisation
from invoices import services
from invoices.models import Customer, DeliveryChannel, Invoice
from invoices.rates import FixtureRates
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import CustomerFactory
from invoices.tests.test_swedish_invoices import german_customer
from invoices.validation import validate_document

pytestmark = pytest.mark.django_db

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ISSUED_ON = date(2026, 12, 2)


@pytest.fixture
def german_buyer(alice_org: Organisation) -> Customer:
    return german_customer(
        alice_org, preferred_channel=DeliveryChannel.EMAIL, payment_terms_days=14
    )


@pytest.fixture
def with_iban(alice_org: Organisation) -> Organisation:
    Organisation.objects.filter(pk=alice_org.pk).update(
        iban="SE4550000000058398257466", bic="ESSESESS"
    )
    alice_org.refresh_from_db()
    return alice_org


def eur_draft(organisation: Organisation, user: Any, customer: Customer) -> Invoice:
    data = services.InvoiceInput(
        customer=customer,
        issue_date=ISSUED_ON,
        due_date=None,
        currency="EUR",
        delivery_date=date(2026, 11, 30),
        lines=[
            services.LineInput(
                description="Systemutveckling, november",
                quantity=Decimal("40"),
                unit_code="HUR",
                unit_price=Decimal("95"),
                vat_category="AE",
                vat_rate=Decimal("0"),
            ),
            services.LineInput(
                description="Konferensbiljett, Stockholm",
                quantity=Decimal("2"),
                unit_code="EA",
                unit_price=Decimal("400"),
            ),
        ],
    )
    return services.invoice_create(organisation=organisation, user=user, data=data)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_an_eur_invoice_to_a_german_buyer_arrives_by_email_as_the_law_wants(
    alice: Any,
    with_iban: Organisation,
    german_buyer: Customer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = eur_draft(with_iban, alice, german_buyer)
    invoice.refresh_from_db()
    assert invoice.due_date == date(2026, 12, 16)  # the customer's 14 days
    rate = FixtureRates().rate("EUR", ISSUED_ON)
    assert (invoice.exchange_rate, invoice.exchange_rate_source) == (rate.rate, "fixture")

    delivery = services.invoice_send(invoice=invoice, user=alice)
    assert delivery.channel == DeliveryChannel.EMAIL
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"

    [message] = mail.outbox
    assert message.subject.startswith("Invoice ")  # a buyer abroad reads English
    attachments = {name: content for name, content, _mime in message.attachments}
    ubl = next(content for name, content in attachments.items() if name.endswith(".xml"))
    pdf = next(content for name, content in attachments.items() if name.endswith(".pdf"))
    assert validate_document(ubl).valid

    root = etree.fromstring(ubl)
    [endpoint] = root.findall("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert (endpoint.get("schemeID"), endpoint.text) == ("EM", "rechnung@beispiel.example")
    vat_in_sek = Decimal("200.00") * rate.rate
    assert root.findtext("cbc:TaxCurrencyCode", namespaces=NS) == "SEK"
    assert root.findtext("cac:TaxTotal[2]/cbc:TaxAmount", namespaces=NS) == f"{vat_in_sek:.2f}"
    assert root.findtext("cac:Delivery/cbc:ActualDeliveryDate", namespaces=NS) == "2026-11-30"
    legal_form = "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyLegalForm"
    assert root.findtext(legal_form, namespaces=NS) == "Styrelsens säte: Stockholm"
    accounts = root.findall("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", NS)
    assert "SE4550000000058398257466" in [account.text for account in accounts]

    text = pdf_text(pdf)
    for expected in (
        "Reverse charge",
        "VAT in SEK",
        "1 EUR = 11.0350 SEK",
        "Date of supply",
        "Styrelsens säte: Stockholm",
        "SE45 5000 0000 0583 9825 7466",
        "ESSESESS",
    ):
        assert expected in text, expected


def test_a_domestic_sek_invoice_leaves_the_iban_out(
    alice: Any, with_iban: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    customer = CustomerFactory(organisation=with_iban)
    data = services.InvoiceInput(
        customer=customer,
        issue_date=ISSUED_ON,
        due_date=None,
        lines=[
            services.LineInput(
                description="Konsulttimmar",
                quantity=Decimal("1"),
                unit_code="HUR",
                unit_price=Decimal("950"),
            )
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.invoice_create(organisation=with_iban, user=alice, data=data)
    ubl = services.invoice_ubl(invoice)
    root = etree.fromstring(ubl)
    accounts = [
        e.text for e in root.findall("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", NS)
    ]
    assert accounts == ["50501055"]  # Swedish payers use the Bankgiro
    assert root.find("cbc:TaxCurrencyCode", NS) is None
    invoice.refresh_from_db()
    assert invoice.exchange_rate is None  # no rate is fetched for an invoice in SEK


def test_the_preview_shows_the_vat_in_sek_and_the_rate(
    alice: Any,
    alice_client: Any,
    alice_org: Organisation,
    german_buyer: Customer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = eur_draft(alice_org, alice, german_buyer)
    page = alice_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    assert "Moms i SEK" in page
    assert "Växelkurs 1 EUR = 11,0350 SEK (testkurs, 2026-12-02)" in page
    assert "Leveransdatum" in page
