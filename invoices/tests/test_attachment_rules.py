"""Files embedded in an imported UBL meet the upload rules; downloads name files per RFC 6266."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from invoices import errors, samples, services, ubl
from invoices.document import Attachment
from invoices.models import Customer, Invoice, InvoiceAttachment
from invoices.tests.factories import draft
from portal.files import safe_filename
from portal.http import content_disposition

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode"
MB = 1024 * 1024


def ubl_with(*files: tuple[str, bytes]) -> bytes:
    """A valid sample invoice with files embedded, each declared as a PDF whatever it is."""
    attachments = [
        Attachment(id=str(n), filename=name, mime_type="application/pdf", content=content)
        for n, (name, content) in enumerate(files, start=1)
    ]
    return ubl.build(samples.invoice(attachments=attachments))


def import_file(client: Client, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("faktura.xml", data, content_type="application/xml")
    return client.post(reverse("invoices:import"), {"file": upload})


def assert_nothing_stored() -> None:
    assert not Invoice.objects.exists()
    assert not Customer.objects.exists()
    assert not InvoiceAttachment.objects.exists()


def test_an_embedded_file_of_the_wrong_type_refuses_the_import(alice_client: Client) -> None:
    response = import_file(alice_client, ubl_with(("tidrapport.pdf", PDF), ("faktura.pdf", EXE)))
    assert response.status_code == 200
    [item] = response.context["findings"]
    assert item["place"] == "Bilagor"
    assert item["message"] == ("Bilaga ”faktura.pdf”: Bara PDF-, PNG- och JPEG-filer kan bifogas.")
    assert item["finding"].message_en == (
        "Attachment “faktura.pdf”: Only PDF, PNG and JPEG files can be attached."
    )
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("stor.png", PNG + b"\x00" * 2 * MB)], "at most 2 MB"),
        ([(f"{n}.png", PNG + b"\x00" * (2 * MB - 100)) for n in range(6)], "10 MB in all"),
    ],
)
def test_the_sizes_of_uploads_hold_for_embedded_files(
    alice: Any, alice_org: Organisation, files: list[tuple[str, bytes]], message: str
) -> None:
    with pytest.raises(errors.ImportRejected) as rejected:
        services.invoice_import(organisation=alice_org, user=alice, data=ubl_with(*files))
    assert [message in finding.message_en for finding in rejected.value.findings] == [True]
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("declared", "stored"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\..\\boot.ini", "boot.ini.pdf"),
        ('Faktura "maj"\r\nX-Evil: 1.pdf', "Faktura _maj_X-Evil_ 1.pdf"),
        ("faktura\u202efdp.exe", "fakturafdp.exe.pdf"),
        ("...", "bilaga.pdf"),
        ("Tidrapport maj.PDF", "Tidrapport maj.PDF"),
    ],
)
def test_the_declared_type_and_name_are_not_trusted(
    alice: Any, alice_org: Organisation, declared: str, stored: str
) -> None:
    data = ubl_with((declared, PDF))
    invoice = services.invoice_import(organisation=alice_org, user=alice, data=data)
    attachment = invoice.attachments.get()
    assert (attachment.filename, attachment.mime_type) == (stored, "application/pdf")


def test_an_upload_gets_the_same_safe_name(alice: Any, alice_org: Organisation) -> None:
    invoice = draft(alice_org, alice)
    attachment = services.attachment_add(
        invoice=invoice, user=alice, filename='../bild "1"\n.jpg', content=PNG
    )
    assert (attachment.filename, attachment.mime_type) == ("bild _1_.jpg.png", "image/png")


def test_safe_names_are_short_enough_to_store() -> None:
    assert safe_filename("a" * 300 + ".pdf", "application/pdf") == "a" * 196 + ".pdf"


def test_downloads_name_the_file_per_rfc_6266(
    alice_client: Client, mallory_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    attachment = services.attachment_add(
        invoice=invoice, user=alice, filename="Tidrapport åäö.pdf", content=PDF
    )
    url = reverse("invoices:attachment", args=[invoice.public_id, attachment.pk])
    response = alice_client.get(url)
    assert response["Content-Disposition"] == (
        'attachment; filename="Tidrapport aao.pdf"; '
        "filename*=UTF-8''Tidrapport%20%C3%A5%C3%A4%C3%B6.pdf"
    )
    assert mallory_client.get(url).status_code == 404


def test_no_stored_name_can_break_the_header() -> None:
    header = content_disposition('a"b\r\nSet-Cookie: x=1;\\%.pdf')
    assert "\r" not in header and "\n" not in header
    assert header == (
        'attachment; filename="a_b__Set-Cookie: x=1;__.pdf"; '
        "filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x%3D1%3B%5C%25.pdf"
    )
