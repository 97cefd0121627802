"""Hostile text in every free-text field comes back as text, wherever the invoice is shown.

Markup, template and SQL-like strings go into each field a user or an ERP can write on an
invoice and its customer. The fields are found by walking the models (a new text field is
filled without anyone remembering to), minus a short list of fields that are not free text.
The strings must come back escaped in every HTML page, literally in the PDF's text and the
UBL's element text (no new element, no comment), verbatim from the database and the JSON API.
"""

from __future__ import annotations

import base64
import inspect
import subprocess
from collections.abc import Iterable
from dataclasses import fields as dataclass_fields
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from lxml import etree

from accounts.models import Membership, Organisation
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from invoices import services
from invoices.models import (
    AllowanceCharge,
    Customer,
    Invoice,
    InvoiceAttachment,
    InvoiceLine,
    ReceivedInvoice,
)
from invoices.services.delivering import delivery_attempt
from invoices.services.inputs import AllowanceInput, InvoiceInput, LineInput
from invoices.tests.factories import draft
from invoices.tests.test_api_invoices import INVOICES, PDF_BYTES, post_xml
from invoices.ubl import NS_CBC
from invoices.xmlsafe import parse_untrusted

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE invoices_invoice; --",
    "]]><!--",
    "&amp;",
    "{{ 7*7 }}",
    "${7*7}",
    "<i>x</i>",  # short enough for the shortest fields (postal code: 10)
]

# Text columns that are not free text, and why. Choice fields are left out by themselves.
# Every other CharField and TextField of these models gets a hostile value below.
NOT_FREE_TEXT: dict[type[models.Model], dict[str, str]] = {
    Customer: {
        "org_number": "checked and normalised (customer_fields.clean_org_number)",
        "peppol_id": "checked scheme:identifier (customer_fields.clean_peppol_id)",
        "gln": "13 digits (customer_fields.clean_gln)",
        "email": "an e-mail address (EmailField)",
        "country_code": "two letters (customer_fields.clean_country_code)",
    },
    Invoice: {
        "number": "taken from the number series at issue",
        "payment_reference": "the OCR number the portal computes at issue",
        "currency": "a choice of the forms and the API (forms.CURRENCIES)",
        "external_id": "the ERP's id, never printed: test_the_api_gives_back_what_it_took",
    },
    InvoiceLine: {
        "unit_code": "a UN/ECE rec. 20 code (the API's RegexField, the form's choices)",
        "exemption_reason_code": "a VATEX code, set from the exemption ground",
    },
    AllowanceCharge: {},
    InvoiceAttachment: {
        "filename": "rewritten by portal.files.safe_filename: see hostile_invoice",
        "mime_type": "sniffed from the content (portal.files.sniff_mime_type)",
    },
}


def free_text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Return the model's text columns a person or an ERP writes freely."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and field.name not in NOT_FREE_TEXT[model]
    ]


def free_text_fields_names(model: type[models.Model]) -> list[str]:
    return [field.name for field in free_text_fields(model)]


class Hostile:
    """Hands out hostile strings, each made unique by a number so a page can be searched."""

    def __init__(self) -> None:
        self.count = 0

    def value(self, max_length: int | None) -> str:
        self.count += 1
        tag = f"~{self.count}"
        start = self.count % len(HOSTILE)
        for payload in HOSTILE[start:] + HOSTILE[:start]:
            if max_length is None or len(payload) + len(tag) <= max_length:
                return payload + tag
        raise AssertionError(f"no hostile string fits in {max_length} characters")

    def values_for(self, model: type[models.Model]) -> dict[str, Any]:
        """Return a hostile value for each free-text field (Any: they go in as keywords)."""
        values: dict[str, Any] = {}
        for field in free_text_fields(model):
            prefix, suffix = SHAPES.get(field.name, ("", ""))
            room = None if field.max_length is None else field.max_length - len(prefix + suffix)
            values[field.name] = prefix + self.value(room) + suffix
        return values


# The invoice's own rules want these fields in a shape (or it cannot be sent); the hostile
# part stays: a VAT number starts with its country (BR-CO-09), an exemption reason cites
# the provision (ML 17 kap. 24 §, SE-LAW-EXEMPT-REFERENCE).
SHAPES = {"vat_number": ("SE", ""), "exemption_reason": ("", " 3 kap. 8 § mervärdesskattelagen")}


def _input_names(cls: type) -> set[str]:
    return {field.name for field in dataclass_fields(cls)}


def hostile_invoice(organisation: Organisation, user: Any) -> tuple[Invoice, dict[str, str]]:
    """Write a draft with a hostile value in every free-text field; return it and the values.

    The values are keyed "<model>.<field>" (lines numbered: "line1.description").
    """
    hostile = Hostile()
    customer_values = hostile.values_for(Customer)
    customer = services.customer_save(
        organisation=organisation,
        user=user,
        customer=Customer(org_number="556036-0793", **customer_values),
    )
    invoice_values = hostile.values_for(Invoice)
    # A field the services do not take would stay empty: name it in NOT_FREE_TEXT instead.
    assert set(invoice_values) <= _input_names(InvoiceInput), invoice_values
    standard = hostile.values_for(InvoiceLine)
    exempt = hostile.values_for(InvoiceLine)
    assert set(standard) <= _input_names(LineInput), standard
    # A standard-rated line gives no exemption reason (BR-S-10): only the exempt line has one.
    standard.pop("exemption_reason")
    allowance = hostile.values_for(AllowanceCharge)
    assert set(allowance) <= _input_names(AllowanceInput), allowance
    data = InvoiceInput(
        customer=customer,
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 12, 2),
        lines=[
            LineInput(quantity=Decimal(2), unit_code="HUR", unit_price=Decimal(950), **standard),
            LineInput(
                quantity=Decimal(1),
                unit_code="EA",
                unit_price=Decimal(400),
                vat_category="E",
                vat_rate=Decimal(0),
                **exempt,
            ),
        ],
        allowances=[AllowanceInput(amount=Decimal(100), **allowance)],
        **invoice_values,
    )
    invoice = services.invoice_create(organisation=organisation, user=user, data=data)
    attachment = hostile.values_for(InvoiceAttachment)
    assert set(attachment) <= set(inspect.signature(services.attachment_add).parameters)
    stored = services.attachment_add(
        invoice=invoice, user=user, filename=f"{HOSTILE[1]}.pdf", content=PDF_BYTES, **attachment
    )
    # The name is made safe to offer for download: none of the markup survives.
    assert not set(stored.filename) & set("<>\"'"), stored.filename
    values = {
        **{f"customer.{name}": value for name, value in customer_values.items()},
        **{f"invoice.{name}": value for name, value in invoice_values.items()},
        **{f"line1.{name}": value for name, value in standard.items()},
        **{f"line2.{name}": value for name, value in exempt.items()},
        **{f"allowance.{name}": value for name, value in allowance.items()},
        **{f"attachment.{name}": value for name, value in attachment.items()},
    }
    return invoice, values


def assert_escaped(body: str, values: dict[str, str], shown: Iterable[str]) -> None:
    """No value appears as markup; the values the page shows appear in their escaped form."""
    for key, value in values.items():
        if escape(value) != value:
            assert value not in body, f"{key} is not escaped: {value!r}"
    assert "<script>alert(1)</script>" not in body
    for key in shown:
        assert escape(values[key]) in body, f"{key} is missing: {escape(values[key])!r}"


def pdf_text(pdf: bytes) -> str:
    """Return the PDF's text in content order (poppler), runs of white space made one space:
    a table cell wraps long text onto lines of its own."""
    assert pdf.startswith(b"%PDF")
    result = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def assert_printed(pdf: bytes, values: dict[str, str], keys: Iterable[str]) -> None:
    text = pdf_text(pdf)
    for key in keys:
        assert " ".join(values[key].split()) in text, f"{key}: {values[key]!r} not in the PDF"


# What each output shows of the invoice. The customer's own reference stands in for the
# invoice's only when the invoice has none, and customer numbers are the seller's own.
DOCUMENT_FIELDS = [
    "customer.name",
    "customer.vat_number",
    "customer.street_address",
    "customer.postal_code",
    "customer.city",
    "invoice.buyer_reference",
    "invoice.order_reference",
    "invoice.notes",
    "line1.article_number",
    "line1.description",
    "line2.article_number",
    "line2.description",
    "line2.exemption_reason",
    "allowance.reason",
    "attachment.description",
]
NOT_ON_THE_DOCUMENT = {"customer.customer_number", "customer.your_reference"}
# The PDF lists no attachments: they travel in the UBL (and as files of an e-mail).
PRINTED_FIELDS = [key for key in DOCUMENT_FIELDS if not key.startswith("attachment.")]


def test_every_free_text_field_is_filled() -> None:
    """The enumeration finds the fields a user types (a guard against a list gone stale)."""
    names = {
        (model.__name__, field.name) for model in NOT_FREE_TEXT for field in free_text_fields(model)
    }
    assert {
        ("Customer", "name"),
        ("Customer", "street_address"),
        ("Customer", "city"),
        ("Invoice", "buyer_reference"),
        ("Invoice", "notes"),
        ("InvoiceLine", "description"),
        ("AllowanceCharge", "reason"),
    } <= names
    for model, skipped in NOT_FREE_TEXT.items():
        columns = {field.name for field in model._meta.concrete_fields}
        assert set(skipped) <= columns, f"{model.__name__}: {set(skipped) - columns}"


def test_sql_like_text_is_stored_and_read_back_verbatim(
    alice: Any, alice_org: Organisation
) -> None:
    invoice, values = hostile_invoice(alice_org, alice)
    fresh = Invoice.objects.select_related("customer").get(pk=invoice.pk)
    lines = list(fresh.lines.all())
    rows = {
        "customer": fresh.customer,
        "invoice": fresh,
        "line1": lines[0],
        "line2": lines[1],
        "allowance": fresh.allowances_charges.get(),
        "attachment": fresh.attachments.get(),
    }
    # A field added to a model is filled above; say here where it shows (or that it does not).
    assert set(values) == set(DOCUMENT_FIELDS) | NOT_ON_THE_DOCUMENT
    for key, value in values.items():
        row, name = key.split(".")
        assert getattr(rows[row], name) == value, key
    assert any("DROP TABLE" in value for value in values.values())
    assert "invoices_invoice" in connection.introspection.table_names()
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def shown(client: Client, url_name: str, *args: Any) -> bytes:
    """GET one of the portal's pages or downloads; it must answer 200."""
    response = client.get(reverse(url_name, args=list(args)))
    assert response.status_code == 200, url_name
    return bytes(response.content)


def test_html_pages_escape_it(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice, values = hostile_invoice(alice_org, alice)
    detail = shown(alice_client, "invoices:detail", invoice.public_id)
    assert_escaped(detail.decode(), values, DOCUMENT_FIELDS)

    edit = shown(alice_client, "invoices:edit", invoice.public_id)
    in_the_form = ("invoice.", "line", "allowance.")
    editable = [key for key in DOCUMENT_FIELDS if key.startswith(in_the_form)]
    assert_escaped(edit.decode(), values, editable)

    listing = shown(alice_client, "invoices:list")
    assert_escaped(listing.decode(), values, ["customer.name"])

    customers = shown(alice_client, "invoices:customers")
    assert_escaped(
        customers.decode(),
        values,
        ["customer.name", "customer.customer_number", "customer.city"],
    )
    customer_page = shown(alice_client, "invoices:customer_edit", invoice.customer_id)
    assert_escaped(
        customer_page.decode(),
        values,
        [key for key in values if key.startswith("customer.")],
    )


def test_the_pdf_prints_it_literally(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice, values = hostile_invoice(alice_org, alice)
    assert_printed(shown(alice_client, "invoices:pdf", invoice.public_id), values, PRINTED_FIELDS)


def _tags(root: etree._Element) -> list[str]:
    return [str(element.tag) for element in root.iter()]


def test_the_ubl_carries_it_as_element_text(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice, values = hostile_invoice(alice_org, alice)
    root = parse_untrusted(shown(alice_client, "invoices:xml", invoice.public_id))
    texts = {element.text for element in root.iter() if isinstance(element.tag, str)}
    for key in DOCUMENT_FIELDS:
        assert values[key] in texts, f"{key}: {values[key]!r} is no element's text"
    assert not list(root.iter(etree.Comment, etree.ProcessingInstruction))
    # The same invoice with harmless text has exactly the same elements.
    plain = services.invoice_ubl(_plain_twin(invoice))
    assert _tags(root) == _tags(parse_untrusted(plain))


def _plain_twin(invoice: Invoice) -> Invoice:
    """Return a copy of the draft whose free text is harmless, the structure unchanged."""
    data = services.input_from(invoice)
    customer = data.customer
    customer.pk = None
    for field in free_text_fields(Customer):
        setattr(customer, field.name, "Text")
    customer.save()
    data.customer = customer
    for name in ("buyer_reference", "order_reference", "notes"):
        setattr(data, name, "Text")
    for line in data.lines:
        line.description, line.article_number = "Text", "Text"
        line.exemption_reason = "Text" if line.exemption_reason else ""
    for allowance in data.allowances:
        allowance.reason = "Text"
    twin = services.invoice_create(
        organisation=invoice.organisation, user=invoice.created_by, data=data
    )
    for attachment in invoice.attachments.all():
        services.attachment_add(
            invoice=twin,
            user=invoice.created_by,
            filename="Text.pdf",
            content=bytes(attachment.content),
            description="Text",
        )
    return twin


@pytest.fixture
def buyer(db: None) -> Organisation:
    """A portal member with the hostile customer's org number: it gets the invoice."""
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


def test_the_buyers_inbox_escapes_it(
    alice: Any, alice_org: Organisation, buyer: Organisation
) -> None:
    invoice, values = hostile_invoice(alice_org, alice)
    delivery = services.invoice_send(invoice=invoice, user=alice)
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    received = ReceivedInvoice.objects.get(delivery=delivery)
    reader = Client()
    reader.force_login(
        MembershipFactory(organisation=buyer, role=Membership.Role.OWNER).user
    )
    inbox = shown(reader, "invoices:inbox").decode()
    assert received.number in inbox
    assert_escaped(inbox, values, [])
    page = shown(reader, "invoices:received", received.public_id)
    assert_escaped(page.decode(), values, DOCUMENT_FIELDS)
    pdf = shown(reader, "invoices:received_pdf", received.public_id)
    assert_printed(pdf, values, PRINTED_FIELDS)


# --- The JSON API -----------------------------------------------------------------------------


def _fitted(payload: str, field: models.Field[Any, Any]) -> str:
    prefix, suffix = SHAPES.get(field.name, ("", ""))
    return prefix + payload + suffix


def _api_body(payload: str) -> dict[str, Any]:
    """Return a new invoice with `payload` in every free-text field the API takes."""
    text = {
        model: {field.name: _fitted(payload, field) for field in free_text_fields(model)}
        for model in NOT_FREE_TEXT
    }
    standard = dict(text[InvoiceLine], quantity="2", unit_price="950", unit_code="HUR")
    standard.pop("exemption_reason")
    exempt = dict(
        text[InvoiceLine], quantity="1", unit_price="400", vat_category="E", vat_rate="0"
    )
    return {
        **text[Invoice],
        "external_id": payload,
        "issue_date": "2026-11-02",
        "customer": {**text[Customer], "org_number": "556036-0793"},
        "lines": [standard, exempt],
        "allowances_charges": [{**text[AllowanceCharge], "amount": "100"}],
        "attachments": [
            {
                **text[InvoiceAttachment],
                "filename": "bilaga.pdf",
                "content_base64": base64.b64encode(PDF_BYTES).decode(),
            }
        ],
    }


def _fits(body: dict[str, Any]) -> bool:
    """Whether every value is within its column's length (else the API must refuse it)."""
    limits = {
        model: {field.name: field.max_length for field in free_text_fields(model)}
        for model in NOT_FREE_TEXT
    }
    parts = [
        (Invoice, {**body, "external_id": ""}),
        (Customer, body["customer"]),
        *((InvoiceLine, line) for line in body["lines"]),
        *((AllowanceCharge, item) for item in body["allowances_charges"]),
        *((InvoiceAttachment, item) for item in body["attachments"]),
    ]
    return len(body["external_id"]) <= 100 and all(
        len(str(values[name])) <= (limit or 5000)
        for model, values in parts
        for name, limit in limits[model].items()
        if name in values
    )


@pytest.mark.parametrize("payload", HOSTILE)
def test_the_api_gives_back_what_it_took(alice_api: Any, payload: str) -> None:
    body = _api_body(payload)
    response = alice_api.post(INVOICES, body, format="json")
    assert response.status_code < 500, response.content[:500]
    if not _fits(body):
        # Too long for a column (a postal code holds 10 characters): refused, nothing kept.
        assert 400 <= response.status_code < 500
        error = response.json()
        assert error["code"] and error["detail"], error
        assert not Invoice.objects.exists() and not Customer.objects.exists()
        return
    assert response.status_code == 201, response.json()
    answer = response.json()
    for name in [*free_text_fields_names(Invoice), "external_id"]:
        assert answer[name] == body[name], name
    for given, stored in zip(body["lines"], answer["lines"], strict=True):
        for name in free_text_fields_names(InvoiceLine):
            assert stored[name] == given.get(name, ""), name
    parts = {"allowances_charges": AllowanceCharge, "attachments": InvoiceAttachment}
    for part, model in parts.items():
        for name in free_text_fields_names(model):
            assert answer[part][0][name] == body[part][0][name], (part, name)
    customer = alice_api.get(f"/api/v1/customers/{answer['customer']['id']}").json()
    for name in free_text_fields_names(Customer):
        assert customer[name] == body["customer"][name], name
    assert "invoices_invoice" in connection.introspection.table_names()


def test_an_erps_own_invoice_number_is_escaped_too(
    alice_api: Any, alice_client: Client, alice: Any, alice_org: Organisation, buyer: Organisation
) -> None:
    """A UBL sent over the API keeps the ERP's number: the one free text the inbox list shows."""
    number = HOSTILE[0]
    response = post_xml(alice_api, _ubl_numbered(alice_org, alice, number))
    assert response.status_code == 201, response.content[:500]
    assert response.json()["number"] == number
    invoice = Invoice.objects.get(number=number)
    values = {"invoice.number": number}
    assert_escaped(alice_client.get(reverse("invoices:list")).content.decode(), values, values)
    download = alice_client.get(reverse("invoices:pdf", args=[invoice.public_id]))
    assert "<" not in download["Content-Disposition"]
    delivery = services.invoice_send(invoice=invoice, user=alice)
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    reader = Client()
    reader.force_login(MembershipFactory(organisation=buyer, role=Membership.Role.OWNER).user)
    assert_escaped(reader.get(reverse("invoices:inbox")).content.decode(), values, values)
    received = ReceivedInvoice.objects.get(delivery=delivery)
    page = reader.get(reverse("invoices:received", args=[received.public_id]))
    assert_escaped(page.content.decode(), values, values)


def _ubl_numbered(organisation: Organisation, user: Any, number: str) -> bytes:
    """Return the UBL of a plain draft to the buyer, as an ERP would send it: its own number."""
    root = parse_untrusted(services.invoice_ubl(draft(organisation, user)))
    identifier = root.find(f"{{{NS_CBC}}}ID")
    assert identifier is not None
    identifier.text = number
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
