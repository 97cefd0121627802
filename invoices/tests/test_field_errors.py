"""Forms speak the user's language: errors at their field, amounts written the locale's way."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from invoices.models import Delivery, Invoice, InvoiceAttachment
from invoices.tests.factories import CustomerFactory, draft
from invoices.tests.test_invoice_views import invoice_post
from invoices.tests.test_resend import failed

pytestmark = pytest.mark.django_db


def error_at(page: str, field_id: str) -> str:
    """Return the text of the error list Django renders with the field (id_<name>_error)."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', page, re.S)
    assert match, f"no error at {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_a_file_that_is_not_xml_is_refused_at_the_field_in_plain_swedish(
    alice_client: Client,
) -> None:
    upload = SimpleUploadedFile("faktura.pdf", b"%PDF-1.7 not xml", content_type="application/pdf")

    response = alice_client.post(reverse("invoices:import"), {"file": upload})

    page = response.content.decode()
    assert error_at(page, "id_file") == "Filen är inte en XML-faktura (UBL)."
    assert "Start tag expected" not in page  # the parser's own English words
    assert not Invoice.objects.exists()


def test_the_not_xml_message_follows_the_users_language(alice_client: Client) -> None:
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile("faktura.txt", b"hello", content_type="text/plain")
    response = alice_client.post(reverse("invoices:import"), {"file": upload})
    assert error_at(response.content.decode(), "id_file") == "The file is not an XML invoice (UBL)."


def test_an_attachment_of_the_wrong_type_gets_its_message_at_the_file_field(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    upload = SimpleUploadedFile("notes.txt", b"plain text", content_type="text/plain")

    response = alice_client.post(
        reverse("invoices:attachment_add", args=[invoice.public_id]), {"file": upload}
    )

    assert response.status_code == 200
    assert error_at(response.content.decode(), "id_file") == (
        "Bara PDF-, PNG- och JPEG-filer kan bifogas."
    )
    assert not InvoiceAttachment.objects.exists()


def test_no_file_chosen_is_said_at_the_file_field(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    response = alice_client.post(reverse("invoices:attachment_add", args=[invoice.public_id]))
    assert error_at(response.content.decode(), "id_file") == "Välj en fil att bifoga."


def test_a_missing_address_for_send_again_is_said_at_its_field(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = failed(draft(alice_org, alice), alice)
    response = alice_client.post(
        reverse("invoices:resend", args=[invoice.public_id]), {"channel": "email", "email": ""}
    )
    assert response.status_code == 200
    assert error_at(response.content.decode(), "id_email") == (
        "Ange e-postadressen fakturan ska skickas till."
    )
    assert invoice.deliveries.count() == 1
    assert Delivery.objects.count() == 1


def test_mallory_cannot_attach_to_alices_invoice(
    mallory_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    upload = SimpleUploadedFile("notes.txt", b"plain text", content_type="text/plain")
    url = reverse("invoices:attachment_add", args=[invoice.public_id])
    assert mallory_client.post(url, {"file": upload}).status_code == 404


# --- Amounts in the reader's format -------------------------------------------------------------


@pytest.mark.parametrize("written", ["1234,50", "1234.50"])
def test_a_comma_and_a_point_both_parse(
    alice_client: Client, alice_org: Organisation, written: str
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    data = invoice_post(customer, unit_price=written, quantity="1,5")
    response = alice_client.post(reverse("invoices:create"), data)
    assert response.status_code == 302
    line = Invoice.objects.get().lines.get(position=1)
    assert (line.unit_price, line.quantity) == (Decimal("1234.50"), Decimal("1.5"))
