"""Attachments: by content type, size limits, drafts only, other organisations get 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from invoices import errors, services
from invoices.models import InvoiceAttachment
from invoices.tests.factories import draft, issued
from invoices.ubl import parse
from invoices.validation import validate_document
from invoices.xmlsafe import parse_untrusted

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client: Client, invoice: Any, name: str, content: bytes) -> Any:
    url = reverse("invoices:attachment_add", args=[invoice.public_id])
    return client.post(url, {"file": SimpleUploadedFile(name, content), "description": "Bilaga"})


def test_a_pdf_is_embedded_in_the_ubl(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    upload(alice_client, invoice, "tidrapport.pdf", PDF)
    attachment = InvoiceAttachment.objects.get()
    assert (attachment.mime_type, attachment.size) == ("application/pdf", len(PDF))
    xml = services.invoice_ubl(invoice)
    assert validate_document(xml).valid
    embedded = parse(parse_untrusted(xml)).attachments
    assert [(a.filename, a.content) for a in embedded] == [("tidrapport.pdf", PDF)]
    download = alice_client.get(
        reverse("invoices:attachment", args=[invoice.public_id, attachment.pk])
    )
    assert download.content == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [("virus.pdf", b"MZ\x90\x00 not a pdf"), ("big.png", PNG + b"\x00" * (2 * 1024 * 1024))],
)
def test_wrong_types_and_big_files_are_refused(
    alice_client: Client, alice: Any, alice_org: Organisation, name: str, content: bytes
) -> None:
    invoice = draft(alice_org, alice)
    upload(alice_client, invoice, name, content)
    assert not InvoiceAttachment.objects.exists()


def test_ten_megabytes_in_all(alice: Any, alice_org: Organisation) -> None:
    invoice = draft(alice_org, alice)
    chunk = PNG + b"\x00" * (2 * 1024 * 1024 - len(PNG) - 10)
    for index in range(5):
        services.attachment_add(invoice=invoice, user=alice, filename=f"{index}.png", content=chunk)
    with pytest.raises(errors.AttachmentRejected):
        services.attachment_add(invoice=invoice, user=alice, filename="6.png", content=chunk)


def test_issued_invoices_take_no_attachments(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = issued(alice_org, alice)
    upload(alice_client, invoice, "late.pdf", PDF)
    assert not InvoiceAttachment.objects.exists()


def test_mallory_cannot_touch_alices_attachments(
    mallory_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    attachment = services.attachment_add(invoice=invoice, user=alice, filename="a.pdf", content=PDF)
    args = [invoice.public_id, attachment.pk]
    assert mallory_client.get(reverse("invoices:attachment", args=args)).status_code == 404
    assert mallory_client.post(reverse("invoices:attachment_remove", args=args)).status_code == 404
    assert upload(mallory_client, invoice, "x.pdf", PDF).status_code == 404
    assert InvoiceAttachment.objects.count() == 1
