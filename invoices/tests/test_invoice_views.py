"""The invoice pages: write, preview, issue, download, credit, import, and who may see what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organisation
from accounts.tests.factories import MembershipFactory
from invoices.models import Customer, Invoice
from invoices.tests.factories import CustomerFactory, draft, issued
from invoices.validation import validate_document

pytestmark = pytest.mark.django_db
EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "examples"


def formset(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def invoice_post(customer: Customer, **line_overrides: str) -> dict[str, str]:
    line = {
        "description": "Konsulttimmar",
        "quantity": "10",
        "unit_code": "HUR",
        "unit_price": "950",
        "vat_rate": "25",
        "vat_category": "S",
    } | line_overrides
    return {
        "customer": str(customer.pk),
        "issue_date": "2026-11-02",
        "due_date": "2026-12-02",
        "currency": "SEK",
        "buyer_reference": "Inköp 42",
        **formset(
            "lines",
            [
                line,
                {
                    "description": "Böcker",
                    "quantity": "2",
                    "unit_code": "EA",
                    "unit_price": "300",
                    "vat_rate": "12",
                    "vat_category": "S",
                },
            ],
        ),
        **formset(
            "charges",
            [
                {
                    "is_charge": "allowance",
                    "reason": "Rabatt",
                    "amount": "500",
                    "vat_rate": "25",
                    "vat_category": "S",
                }
            ],
        ),
    }


def test_write_preview_issue_download_and_credit(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    response = alice_client.post(reverse("invoices:create"), invoice_post(customer))
    assert response.status_code == 302, response.context and response.context["lines"].errors
    invoice = Invoice.objects.get()
    assert invoice.lines.count() == 2 and invoice.allowances_charges.count() == 1

    page = alice_client.get(reverse("invoices:detail", args=[invoice.public_id]))
    assert page.context["report"].valid, page.context["findings"]

    alice_client.post(reverse("invoices:issue", args=[invoice.public_id]))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED and invoice.number == "1"

    xml = alice_client.get(reverse("invoices:xml", args=[invoice.public_id]))
    assert xml["Content-Type"] == "application/xml"
    assert validate_document(xml.content).valid
    pdf = alice_client.get(reverse("invoices:pdf", args=[invoice.public_id]))
    assert pdf.content.startswith(b"%PDF")

    credit = alice_client.post(reverse("invoices:credit", args=[invoice.public_id]))
    credit_note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert credit.url == reverse("invoices:edit", args=[credit_note.public_id])
    assert credit_note.credited_invoice == invoice


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("quantity", "0", "quantity"),
        ("unit_code", "XYZ", "unit_code"),
        ("vat_rate", "20", "vat_rate"),
        ("unit_price", "-5", "unit_price"),
        ("vat_category", "E", "vat_rate"),  # exempt with 25 %: contradiction
    ],
)
def test_impossible_values_get_a_message_at_the_field(
    alice_client: Client, alice_org: Organisation, field: str, value: str, error_field: str
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    response = alice_client.post(
        reverse("invoices:create"), invoice_post(customer, **{field: value})
    )
    assert response.status_code == 200
    assert error_field in response.context["lines"].forms[0].errors
    assert not Invoice.objects.exists()


def test_issued_invoices_cannot_be_edited(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = issued(alice_org, alice)
    response = alice_client.post(
        reverse("invoices:edit", args=[invoice.public_id]),
        invoice_post(invoice.customer, description="Changed"),
    )
    assert response.status_code == 302
    assert not invoice.lines.filter(description="Changed").exists()
    alice_client.post(reverse("invoices:delete", args=[invoice.public_id]))
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_list_costs_the_same_queries_for_5_or_30_invoices(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(reverse("invoices:list")).status_code == 200
        return len(captured)

    for _ in range(5):
        draft(alice_org, alice, customer=customer)
    few = queries()
    for _ in range(25):
        draft(alice_org, alice, customer=customer)
    assert queries() == few


def test_list_filters_and_searches(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = issued(alice_org, alice)
    draft(alice_org, alice, customer=CustomerFactory(organisation=alice_org, name="Annan AB"))
    page = alice_client.get(reverse("invoices:list"), {"status": "issued"}).context["page"]
    assert [row.pk for row in page] == [invoice.pk]
    page = alice_client.get(reverse("invoices:list"), {"q": "Annan"}).context["page"]
    assert [row.customer.name for row in page] == ["Annan AB"]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("invoices:list", {"q": "An\x00nan"}),
        ("invoices:customers", {"q": "Berg\x00sala"}),
        ("invoices:inbox", {"q": "\x00"}),
        ("invoices:list", {"status": "issued\x00", "page": "\x00"}),
    ],
)
def test_a_nul_in_a_search_is_a_clear_400_not_a_server_error(
    alice_client: Client, alice: Any, alice_org: Organisation, name: str, params: dict[str, str]
) -> None:
    # PostgreSQL refuses NUL in text: a search passing one on would end in a 500.
    draft(alice_org, alice, customer=CustomerFactory(organisation=alice_org, name="Annan AB"))
    response = alice_client.get(reverse(name), params, HTTP_COOKIE="django_language=en")
    assert response.status_code == 400
    assert "The address cannot be read" in response.content.decode()


def test_reader_sees_but_does_not_write(alice: Any, alice_org: Organisation) -> None:
    invoice = draft(alice_org, alice)
    reader = MembershipFactory(organisation=alice_org, role=Membership.Role.READER).user
    client = Client()
    client.force_login(reader)
    assert client.get(reverse("invoices:detail", args=[invoice.public_id])).status_code == 200
    assert client.get(reverse("invoices:create")).status_code == 403
    assert client.post(reverse("invoices:issue", args=[invoice.public_id])).status_code == 403


def test_mallory_gets_404_on_every_invoice_page(
    mallory_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = issued(alice_org, alice)
    customer = invoice.customer
    for name in ("detail", "edit", "xml", "pdf"):
        url = reverse(f"invoices:{name}", args=[invoice.public_id])
        assert mallory_client.get(url).status_code == 404, name
    for name in ("copy", "delete", "issue", "credit"):
        url = reverse(f"invoices:{name}", args=[invoice.public_id])
        assert mallory_client.post(url).status_code == 404, name
    assert (
        mallory_client.get(reverse("invoices:customer_edit", args=[customer.pk])).status_code == 404
    )
    assert (
        mallory_client.post(reverse("invoices:customer_delete", args=[customer.pk])).status_code
        == 404
    )
    listing = mallory_client.get(reverse("invoices:list")).content.decode()
    assert customer.name not in listing
    customers = mallory_client.get(reverse("invoices:customers")).content.decode()
    assert customer.name not in customers
    # Mallory cannot invoice alice's customer either.
    response = mallory_client.post(reverse("invoices:create"), invoice_post(customer))
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors


def test_customer_search_by_name_number_and_org_number(
    alice_client: Client, alice_org: Organisation
) -> None:
    CustomerFactory(
        organisation=alice_org, name="Bergsala AB", customer_number="1001", org_number="559023-4562"
    )
    CustomerFactory(organisation=alice_org, name="Other AB", org_number="556036-0793")
    for query in ("bergsala", "1001", "5590234562", "559023-4562"):
        page = alice_client.get(reverse("invoices:customers"), {"q": query}).context["page"]
        assert [c.name for c in page] == ["Bergsala AB"], query


def test_customer_form_checks_numbers(alice_client: Client, alice_org: Organisation) -> None:
    response = alice_client.post(
        reverse("invoices:customer_create"),
        {
            "name": "X AB",
            "org_number": "556036-0794",
            "payment_terms_days": "30",
            "preferred_channel": "auto",
            "country_code": "SE",
            "peppol_id": "9955:SE123",
        },
    )
    assert response.status_code == 200
    assert {"org_number", "peppol_id"} <= set(response.context["form"].errors)
    assert not Customer.objects.exists()


def test_articles_are_for_web_plus(alice_client: Client, alice_org: Organisation) -> None:
    data = {
        "number": "A-1",
        "description": "Konsulttimme",
        "unit_code": "HUR",
        "unit_price": "950",
        "vat_rate": "25",
    }
    assert alice_client.post(reverse("invoices:article_create"), data).status_code == 302
    Organisation.objects.filter(pk=alice_org.pk).update(plan="bas")
    response = alice_client.post(reverse("invoices:article_create"), data | {"number": "A-2"})
    assert response.url == reverse("accounts:settings")
    assert alice_org.articles.count() == 1


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"official examples not at {EXAMPLES}")
def test_import_an_official_example(
    alice_client: Client, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    # The example is in EUR without the VAT in SEK: the draft takes the day's rate.
    with (
        (EXAMPLES / "base-example.xml").open("rb") as upload,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = alice_client.post(reverse("invoices:import"), {"file": upload})
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.source == Invoice.Source.IMPORT
    assert invoice.organisation == alice_org
    assert (invoice.currency, invoice.exchange_rate_source) == ("EUR", "fixture")
    page = alice_client.get(reverse("invoices:detail", args=[invoice.public_id]))
    assert page.context["report"].valid, page.context["findings"]


@pytest.mark.parametrize(
    "payload",
    [
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<x>&b;</x>",
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.com/x.dtd"><x/>',
        b'<?xml version="1.0"?>'
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
    ],
)
def test_bad_files_are_rejected_and_nothing_is_stored(alice_client: Client, payload: bytes) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("invoice.xml", payload, content_type="application/xml")
    response = alice_client.post(reverse("invoices:import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]  # what is wrong with the file, at the field
    assert not Invoice.objects.exists()
    assert not Customer.objects.exists()


def test_a_credit_note_refuses_negative_quantities(alice_client: Client, alice: Any,
                                                   alice_org: Organisation) -> None:
    invoice = issued(alice_org, alice)
    alice_client.post(reverse("invoices:credit", args=[invoice.public_id]))
    credit_note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    response = alice_client.post(reverse("invoices:edit", args=[credit_note.public_id]),
                                 invoice_post(invoice.customer, quantity="-2"))
    assert "quantity" in response.context["lines"].forms[0].errors
    # On an invoice a correction line may be negative, as long as the total stays positive.
    response = alice_client.post(reverse("invoices:create"),
                                 invoice_post(invoice.customer, quantity="-2", unit_price="10"))
    assert response.status_code == 302


def test_the_logo_from_settings_is_printed_on_the_pdf(alice_client: Client, alice: Any,
                                                      alice_org: Organisation) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, "PNG")
    settings_data = {"street_address": "Testgatan 1", "postal_code": "111 22",
                     "city": "Stockholm", "registered_office": "Stockholm",
                     "bankgiro": "5050-1055",
                     "logo": SimpleUploadedFile("logo.png", buffer.getvalue())}
    assert alice_client.post(reverse("accounts:settings"), settings_data).status_code == 302
    alice_org.refresh_from_db()
    assert bytes(alice_org.logo or b"") == buffer.getvalue()
    invoice = issued(alice_org, alice)
    pdf = alice_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content
    assert b"/Subtype /Image" in pdf
    # Not an image: refused at the field, the saved logo stays.
    bad = settings_data | {"logo": SimpleUploadedFile("logo.png", b"GIF89a....")}
    assert "logo" in alice_client.post(reverse("accounts:settings"), bad).context["form"].errors
