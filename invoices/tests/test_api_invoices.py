"""POST/GET /invoices, GET/DELETE /invoices/{id}, .../ubl, .../pdf, POST .../credit."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from accounts.models import Organisation
from conftest import api_client
from invoices import services
from invoices.models import Customer, Delivery, Invoice, InvoiceAttachment
from invoices.services.api_drafts import invoice_create_checked
from invoices.tests.factories import CustomerFactory, draft, issued, two_rate_input
from invoices.xmlsafe import MAX_BYTES

pytestmark = pytest.mark.django_db
INVOICES = "/api/v1/invoices"
EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "examples"
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# The smallest file that sniffs as a PDF (portal/files.py looks at the magic bytes).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def invoice_payload(customer: Customer, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": customer.pk,
        "issue_date": "2026-11-02",
        "buyer_reference": "Inköp 42",
        "lines": [
            {
                "description": "Konsulttimmar",
                "quantity": "10",
                "unit_code": "HUR",
                "unit_price": "950",
                "article_number": "K-1",
            },
            {"description": "Kurslitteratur", "quantity": 3, "unit_price": 249.5, "vat_rate": 12},
        ],
    }
    return body | overrides


def url(invoice: Invoice, tail: str = "") -> str:
    return f"{INVOICES}/{invoice.public_id}{tail}"


def own_ubl(organisation: Organisation, name: str = "base-example.xml", number: str = "") -> bytes:
    """Return an official example whose seller is the organisation (by its org number)."""
    root = etree.parse(str(EXAMPLES / name)).getroot()
    seller = root.find("cac:AccountingSupplierParty/cac:Party", UBL)
    assert seller is not None
    endpoint = seller.find("cbc:EndpointID", UBL)
    assert endpoint is not None
    endpoint.set("schemeID", "0007")
    endpoint.text = organisation.org_number.replace("-", "")
    if number:
        identifier = root.find("cbc:ID", UBL)
        assert identifier is not None
        identifier.text = number
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def post_xml(
    client: Any, body: bytes, path: str = INVOICES, content_type: str = "application/xml"
) -> Any:
    return client.generic("POST", path, body, content_type=content_type)


# --- Create from JSON ------------------------------------------------------------------------


def test_create_from_json_stores_a_draft_with_its_totals(
    alice_api: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    response = alice_api.post(INVOICES, invoice_payload(customer), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    invoice = Invoice.objects.get(public_id=body["id"])
    assert (invoice.organisation, invoice.customer) == (alice_org, customer)
    assert (invoice.status, invoice.source, invoice.number) == ("draft", "api", "")
    # 10 x 950 at 25 % and 3 x 249.50 at 12 %: 9500 + 748.50 net, 2375 + 89.82 VAT.
    assert body["total_excl_vat"] == "10248.50"
    assert body["total_vat"] == "2464.82"
    assert [line["description"] for line in body["lines"]] == ["Konsulttimmar", "Kurslitteratur"]
    assert body["customer"]["id"] == customer.pk
    # No due date given: the organisation's payment terms from the invoice date.
    terms = timedelta(days=alice_org.payment_terms_days)
    assert body["due_date"] == str(invoice.issue_date + terms)


def test_create_with_a_new_customer_and_an_attachment(
    alice_api: Any, alice_org: Organisation
) -> None:
    payload = invoice_payload(CustomerFactory.build(), exchange_rate="11.25", currency="EUR")
    del payload["customer_id"]
    payload["customer"] = {"name": "Ny Kund AB", "org_number": "5560360793", "email": "a@b.se"}
    payload["attachments"] = [
        {
            "filename": "tidrapport.pdf",
            "content_base64": base64.b64encode(PDF_BYTES).decode(),
            "description": "Tidrapport",
        }
    ]
    response = alice_api.post(INVOICES, payload, format="json")
    assert response.status_code == 201, response.json()
    invoice = Invoice.objects.get()
    assert invoice.customer.name == "Ny Kund AB"
    assert invoice.customer.organisation == alice_org
    assert (invoice.currency, invoice.exchange_rate_source) == ("EUR", "manual")
    attachment = invoice.attachments.get()
    assert (attachment.mime_type, bytes(attachment.content)) == ("application/pdf", PDF_BYTES)
    assert response.json()["attachments"][0]["filename"] == "tidrapport.pdf"


@pytest.mark.django_db(transaction=True)  # real commits: the rate is stored after one
def test_the_answer_to_a_create_is_the_invoice_as_stored(
    alice_api: Any, alice_org: Organisation
) -> None:
    # The answer is built from the draft just written, not read back: it must not differ.
    customer = CustomerFactory(organisation=alice_org)
    for currency in ("SEK", "EUR"):  # EUR: the provider's rate is stored after the commit
        created = alice_api.post(
            INVOICES, invoice_payload(customer, currency=currency), format="json"
        )
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body == alice_api.get(f"{INVOICES}/{body['id']}").json()
    assert (body["exchange_rate_source"], body["exchange_rate"] is not None) == ("fixture", True)


def test_an_external_id_used_before_returns_that_invoice(
    alice_api: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    payload = invoice_payload(customer, external_id="ERP-1001")
    first = alice_api.post(INVOICES, payload, format="json")
    again = alice_api.post(INVOICES, payload | {"notes": "changed"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["external_id"] == "ERP-1001"
    assert Invoice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_creates_with_one_external_id_at_once_make_one_invoice(
    alice_org: Organisation, alice: Any
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    created, release = threading.Event(), threading.Event()

    def first() -> None:  # another request, still in its transaction
        try:
            with transaction.atomic():
                invoice_create_checked(
                    organisation=alice_org,
                    user=alice,
                    data=two_rate_input(customer),
                    external_id="E-1",
                )
                created.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=first)
    other.start()
    assert created.wait(10)
    threading.Timer(0.5, release.set).start()  # commits while this one waits on the key
    invoice, is_new = invoice_create_checked(
        organisation=alice_org, user=alice, data=two_rate_input(customer), external_id="E-1"
    )
    other.join()
    assert not is_new
    assert list(Invoice.objects.values_list("pk", flat=True)) == [invoice.pk]


def test_another_organisation_may_use_the_same_external_id(
    alice_api: Any, alice_org: Organisation, mallory_api: Any, mallory_org: Organisation
) -> None:
    alices = invoice_payload(CustomerFactory(organisation=alice_org), external_id="X-1")
    mallorys = invoice_payload(CustomerFactory(organisation=mallory_org), external_id="X-1")
    assert alice_api.post(INVOICES, alices, format="json").status_code == 201
    assert mallory_api.post(INVOICES, mallorys, format="json").status_code == 201
    assert Invoice.objects.count() == 2


def test_an_invalid_invoice_is_refused_with_its_rules_and_nothing_is_stored(
    alice_api: Any, alice_org: Organisation
) -> None:
    # Neither a buyer reference nor an order reference: PEPPOL-EN16931-R003.
    customer = CustomerFactory(organisation=alice_org, your_reference="")
    payload = invoice_payload(customer, buyer_reference="")
    response = alice_api.post(INVOICES, payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["code"] == "invalid_invoice"
    assert "PEPPOL-EN16931-R003" in [finding["rule"] for finding in body["errors"]]
    assert {"rule", "severity", "message", "location"} <= set(body["errors"][0])
    assert {finding["severity"] for finding in body["errors"]} == {"fatal"}
    assert not Invoice.objects.exists()


def test_a_rejected_attachment_stores_nothing(alice_api: Any, alice_org: Organisation) -> None:
    payload = invoice_payload(CustomerFactory(organisation=alice_org))
    payload["attachments"] = [
        {"filename": "notes.txt", "content_base64": base64.b64encode(b"plain text").decode()}
    ]
    response = alice_api.post(INVOICES, payload, format="json")
    assert (response.status_code, response.json()["code"]) == (422, "attachment_rejected")
    assert "notes.txt" in response.json()["detail"]
    assert not Invoice.objects.exists()
    assert not InvoiceAttachment.objects.exists()


def _line(**fields: Any) -> dict[str, Any]:
    return {"description": "Rad", "quantity": "1", "unit_price": "100"} | fields


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"lines": [_line(colour="blue")]}, "lines[0].colour"),
        ({"lines": []}, "lines"),
        ({"lines": [_line(quantity="-5")]}, "lines"),  # the total is negative: a credit note
        ({"lines": [_line(quantity="0")]}, "lines[0].quantity"),
        ({"lines": [_line(quantity="1e20")]}, "lines[0].quantity"),
        ({"lines": [_line(quantity="99999999999", unit_price="99999999999")]}, "lines"),
        ({"lines": [_line(unit_price="-1")]}, "lines[0].unit_price"),
        ({"lines": [_line(vat_rate="7")]}, "lines[0].vat_rate"),
        ({"lines": [_line(vat_rate="0")]}, "lines[0].vat_rate"),
        ({"lines": [_line(vat_category="E", vat_rate="0")]}, "lines[0].exemption_ground"),
        ({"lines": [_line(discount_amount="500")]}, "lines[0].discount_amount"),
        ({"currency": "SEKK"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"exchange_rate": "10.5"}, "exchange_rate"),  # an invoice in SEK needs none
        ({"due_date": "2026-11-01"}, "due_date"),
        ({"issue_date": "2. november"}, "issue_date"),
        ({"issue_date": "9999-12-31"}, "issue_date"),
        ({"notes": "null\x00byte"}, "notes"),
        ({"notes": "bell\x07"}, "notes"),  # XML 1.0 cannot carry it: never in a UBL
        ({"lines": [_line(description="form\x0cfeed")]}, "lines[0].description"),
        ({"lines": "Konsulttimmar"}, "lines"),
        (
            {"customer": {"name": "Ny AB", "org_number": "123"}, "customer_id": None},
            "customer.org_number",
        ),
        ({"kind": "credit_note"}, "kind"),
        ({"customer_id": 999999}, "customer_id"),
        ({"customer": {"name": "Also"}}, "customer_id"),
        ({"external_id": "x" * 101}, "external_id"),
        (
            {"attachments": [{"filename": "a.pdf", "content_base64": "not base64!"}]},
            "attachments[0].content_base64",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    alice_api: Any, alice_org: Organisation, change: dict[str, Any], field: str
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    response = alice_api.post(INVOICES, invoice_payload(customer) | change, format="json")
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["code"] == "invalid_request"
    assert field in [error["field"] for error in body["errors"]], body
    assert not Invoice.objects.exists()
    assert Customer.objects.count() == 1


def test_a_new_customer_with_a_number_in_use_is_refused(
    alice_api: Any, alice_org: Organisation
) -> None:
    known = CustomerFactory(organisation=alice_org, customer_number="K-1")
    payload = invoice_payload(known)
    del payload["customer_id"]
    payload["customer"] = {"name": "Dubblett AB", "customer_number": "K-1"}
    response = alice_api.post(INVOICES, payload, format="json")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    assert not Invoice.objects.exists()
    assert list(Customer.objects.all()) == [known]


def test_reverse_charge_needs_the_buyers_vat_number(
    alice_api: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org, vat_number="")
    lines = [_line(vat_category="AE", vat_rate="0")]
    response = alice_api.post(INVOICES, invoice_payload(customer, lines=lines), format="json")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["customer_id"]
    assert not Invoice.objects.exists()


def test_another_organisations_customer_is_not_found(
    alice_api: Any, mallory_org: Organisation
) -> None:
    theirs = CustomerFactory(organisation=mallory_org, name="Hemlig Kund AB")
    response = alice_api.post(INVOICES, invoice_payload(theirs), format="json")
    assert response.status_code == 422
    assert "Hemlig" not in response.content.decode()
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"lines": [', "application/json", 400, "malformed_request"),
        (b"lines=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"just text", "text/plain", 415, "unsupported_media_type"),
        (b"<Invoice", "application/xml", 400, "malformed_request"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b"<x>&c;</x>",
            "application/xml",
            400,
            "malformed_request",
        ),
        (b"", "application/xml", 400, "malformed_request"),
        (b"", "text/xml", 400, "malformed_request"),
        (b"<Invoice", "text/xml; charset=utf-8", 400, "malformed_request"),
    ],
)
def test_unreadable_bodies_get_the_error_format_and_store_nothing(
    alice_api: Any, body: bytes, content_type: str, status: int, code: str
) -> None:
    response = alice_api.generic("POST", INVOICES, body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("content_type", ["application/json", "application/xml"])
def test_a_body_over_the_cap_is_refused_unread(alice_api: Any, content_type: str) -> None:
    response = alice_api.generic(
        "POST", INVOICES, b" " * (MAX_BYTES + 1), content_type=content_type
    )
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert not Invoice.objects.exists()


def test_errors_speak_the_requests_language(alice_api: Any, alice_org: Organisation) -> None:
    payload = invoice_payload(CustomerFactory(organisation=alice_org), currency="XYZ")
    english = alice_api.post(INVOICES, payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    swedish = alice_api.post(INVOICES, payload, format="json", HTTP_ACCEPT_LANGUAGE="sv")
    assert english.json()["detail"] != swedish.json()["detail"]


# --- Create from UBL ---------------------------------------------------------------------------

needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"official examples not at {EXAMPLES}"
)


@needs_examples
def test_create_from_ubl_keeps_the_erps_number_through_issuing(
    alice_api: Any, alice_org: Organisation, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The example is in EUR without the VAT in SEK: the draft takes the day's rate after commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_xml(alice_api, own_ubl(alice_org, number="ERP-2026-17"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["source"]) == ("ERP-2026-17", "draft", "api")
    invoice = Invoice.objects.get(public_id=body["id"])
    assert invoice.organisation == alice_org
    issued_invoice = services.invoice_issue(invoice=invoice, user=alice)
    assert issued_invoice.number == "ERP-2026-17"
    assert b"ERP-2026-17" in services.invoice_ubl(issued_invoice)


@needs_examples
@pytest.mark.parametrize("content_type", ["text/xml", "application/xml; charset=UTF-8"])
def test_ubl_is_read_under_either_xml_media_type(
    alice_api: Any, alice_org: Organisation, content_type: str
) -> None:
    response = post_xml(alice_api, own_ubl(alice_org, number="ERP-9"), content_type=content_type)
    assert response.status_code == 201, response.json()
    assert Invoice.objects.get().number == "ERP-9"


@needs_examples
def test_a_number_the_organisation_has_used_is_refused(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    series_invoice = issued(alice_org, alice)  # number 1 from the series
    response = post_xml(alice_api, own_ubl(alice_org, number=series_invoice.number))
    assert (response.status_code, response.json()["code"]) == (422, "number_taken")
    assert Invoice.objects.count() == 1
    # And the series steps past a number an ERP's invoice took.
    assert post_xml(alice_api, own_ubl(alice_org, number="2")).status_code == 201
    assert issued(alice_org, alice).number == "3"


@needs_examples
def test_a_ubl_from_another_seller_is_refused_and_nothing_is_stored(alice_api: Any) -> None:
    body = (EXAMPLES / "base-example.xml").read_bytes()  # the seller is a British company
    response = post_xml(alice_api, body)
    assert (response.status_code, response.json()["code"]) == (422, "seller_mismatch")
    assert not Invoice.objects.exists()
    assert not Customer.objects.exists()


@needs_examples
def test_an_invalid_ubl_is_refused_with_its_findings(
    alice_api: Any, alice_org: Organisation
) -> None:
    root = etree.fromstring(own_ubl(alice_org))
    currency = root.find("cbc:DocumentCurrencyCode", UBL)
    assert currency is not None
    currency.text = "XYZ"
    response = post_xml(alice_api, etree.tostring(root))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_invoice"
    assert body["errors"] and all(finding["rule"] for finding in body["errors"])
    assert not Invoice.objects.exists()


@needs_examples
def test_a_ubl_with_an_external_id_is_made_once(alice_api: Any, alice_org: Organisation) -> None:
    first = post_xml(alice_api, own_ubl(alice_org), f"{INVOICES}?external_id=U-1")
    again = post_xml(alice_api, own_ubl(alice_org), f"{INVOICES}?external_id=U-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


# --- List ----------------------------------------------------------------------------------


def test_list_filters_by_status_kind_customer_number_and_change(
    alice_api: Any, alice_org: Organisation, alice: Any, mallory_org: Organisation, mallory: Any
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    open_draft = draft(alice_org, alice, customer=customer)
    sent = issued(alice_org, alice)
    draft(mallory_org, mallory)

    def ids(**params: Any) -> set[str]:
        response = alice_api.get(INVOICES, params)
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["results"]}

    assert ids() == {str(open_draft.public_id), str(sent.public_id)}
    assert ids(status="issued") == {str(sent.public_id)}
    assert ids(kind="credit_note") == set()
    assert ids(customer=customer.pk) == {str(open_draft.public_id)}
    assert ids(number=sent.number) == {str(sent.public_id)}
    Invoice.objects.filter(pk=sent.pk).update(updated_at=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(updated_after=since) == {str(open_draft.public_id)}


@pytest.mark.parametrize(
    "params", [{"status": "lost"}, {"updated_after": "yesterday"}, {"customer": "x"}]
)
def test_list_refuses_bad_filters(alice_api: Any, params: dict[str, str]) -> None:
    response = alice_api.get(INVOICES, params)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


def test_cursor_pages_are_stable_while_invoices_are_added(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    made = [draft(alice_org, alice, customer=customer) for _ in range(5)]
    first = alice_api.get(INVOICES, {"page_size": 2}).json()
    made.append(draft(alice_org, alice, customer=customer))  # added while paging
    seen = [item["id"] for item in first["results"]]
    page = first
    while page["next"]:
        page = alice_api.get(page["next"]).json()
        seen += [item["id"] for item in page["results"]]
    assert seen == [str(invoice.public_id) for invoice in made]


def test_a_page_of_100_costs_the_queries_of_a_page_of_10(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    for _ in range(3):
        draft(alice_org, alice, customer=customer)
    Invoice.objects.bulk_create(
        [
            Invoice(
                organisation=alice_org,
                customer=CustomerFactory(organisation=alice_org),
                created_by=alice,
                issue_date=timezone.localdate(),
                due_date=timezone.localdate(),
            )
            for _ in range(110)
        ]
    )
    alice_api.get(INVOICES)  # the key's first use is recorded once, not on every request
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = alice_api.get(INVOICES, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- One invoice, its files ----------------------------------------------------------------


def test_read_an_invoice_with_its_deliveries_and_history(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    invoice = issued(alice_org, alice)
    delivery = services.invoice_send(invoice=invoice, user=alice)
    response = alice_api.get(url(invoice), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["status"]) == (invoice.number, "queued")
    assert {"exchange_rate", "exchange_rate_source", "vat_in_sek", "delivery_date"} <= set(body)
    assert len(body["lines"]) == 2
    assert body["allowances_charges"][0]["reason"] == "Avtalsrabatt"
    [sent] = body["deliveries"]
    assert (sent["id"], sent["channel"], sent["status"]) == (
        str(delivery.public_id),
        delivery.channel,
        Delivery.Status.QUEUED,
    )
    assert sent["recipient"] == delivery.recipient and sent["reason"]
    assert body["history"] and all(event["at"] and event["status"] for event in body["history"])


def test_download_the_ubl_and_the_pdf(alice_api: Any, alice_org: Organisation, alice: Any) -> None:
    invoice = issued(alice_org, alice)
    ubl = alice_api.get(url(invoice, "/ubl"), HTTP_ACCEPT="application/xml")
    assert ubl.status_code == 200
    assert ubl["Content-Type"] == "application/xml"
    assert invoice.ubl_xml is not None
    assert ubl.content == bytes(invoice.ubl_xml)  # frozen at issue
    pdf = alice_api.get(url(invoice, "/pdf"), HTTP_ACCEPT="application/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    unsaved = draft(alice_org, alice)
    built = alice_api.get(url(unsaved, "/ubl"))
    assert built.status_code == 200 and b"<Invoice" in built.content


def test_delete_a_draft_but_never_an_issued_invoice(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    unsaved = draft(alice_org, alice)
    assert alice_api.delete(url(unsaved)).status_code == 204
    assert not Invoice.objects.filter(pk=unsaved.pk).exists()
    kept = issued(alice_org, alice)
    response = alice_api.delete(url(kept))
    assert (response.status_code, response.json()["code"]) == (409, "not_a_draft")
    assert Invoice.objects.filter(pk=kept.pk).exists()


# --- Credit ----------------------------------------------------------------------------------


def test_an_empty_body_credits_in_full(alice_api: Any, alice_org: Organisation, alice: Any) -> None:
    invoice = issued(alice_org, alice)
    response = alice_api.post(url(invoice, "/credit"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["status"], body["credited_invoice"]) == (
        "credit_note",
        "draft",
        str(invoice.public_id),
    )
    assert body["total_payable"] == str(invoice.total_payable)
    assert not Delivery.objects.exists()  # drafted, not sent


def test_credit_lines_replace_the_invoices(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    invoice = issued(alice_org, alice)
    payload = {
        "lines": [_line(description="Återbetald timme", unit_price="950")],
        "allowances_charges": [],
        "notes": "Fel",
    }
    response = alice_api.post(url(invoice, "/credit"), payload, format="json")
    assert response.status_code == 201, response.json()
    credit_note = Invoice.objects.get(public_id=response.json()["id"])
    assert [line.description for line in credit_note.lines.all()] == ["Återbetald timme"]
    assert (credit_note.total_excl_vat, credit_note.notes) == (Decimal("950"), "Fel")
    assert credit_note.customer == invoice.customer


def test_credit_refuses_negative_quantities_and_drafts(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    invoice = issued(alice_org, alice)
    negative = {"lines": [_line(quantity="-1")]}
    response = alice_api.post(url(invoice, "/credit"), negative, format="json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines[0].quantity"
    not_issued = alice_api.post(url(draft(alice_org, alice), "/credit"))
    assert (not_issued.status_code, not_issued.json()["code"]) == (409, "not_creditable")
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


# --- Change a draft ---------------------------------------------------------------------------


def test_patch_changes_what_is_given_and_keeps_the_rest(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    invoice = draft(alice_org, alice)
    other = CustomerFactory(organisation=alice_org, name="Annan Kund AB")
    lines = [_line(quantity="2", unit_price="950")]
    changes = {"notes": "Ändrad", "customer_id": other.pk, "lines": lines}
    response = alice_api.patch(url(invoice), changes, format="json")
    assert response.status_code == 200, response.json()
    invoice.refresh_from_db()
    assert (invoice.notes, invoice.customer, invoice.lines.count()) == ("Ändrad", other, 1)
    # 2 hours at 950, less the draft's discount of 500: not given, so kept.
    assert invoice.total_excl_vat == Decimal("1400")
    body = response.json()
    assert body == alice_api.get(url(invoice)).json()
    assert body["buyer_reference"] == invoice.buyer_reference  # not given: kept


def test_patch_that_would_make_the_draft_invalid_changes_nothing(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    invoice = draft(alice_org, alice)
    before = (invoice.total_payable, list(invoice.lines.values_list("description", flat=True)))
    reverse_charge = {"lines": [_line(vat_category="AE", vat_rate="0")]}  # buyer has no VAT no.
    invoice.customer.vat_number = ""
    invoice.customer.save()
    response = alice_api.patch(url(invoice), reverse_charge, format="json")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_invoice")
    invoice.refresh_from_db()
    after = (invoice.total_payable, list(invoice.lines.values_list("description", flat=True)))
    assert after == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"external_id": "ERP-1"}, "external_id"),  # named once, at creation
        ({"lines": []}, "lines"),
        ({"customer_id": 999999}, "customer_id"),
        ({"currency": "XYZ"}, "currency"),
        ({"notes": "escape\x1b"}, "notes"),
    ],
)
def test_patch_refuses_bad_fields(
    alice_api: Any, alice_org: Organisation, alice: Any, changes: dict[str, Any], field: str
) -> None:
    invoice = draft(alice_org, alice)
    response = alice_api.patch(url(invoice), changes, format="json")
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert Invoice.objects.get().updated_at == invoice.updated_at


def test_patch_of_an_issued_invoice_is_refused(
    alice_api: Any, alice_org: Organisation, alice: Any
) -> None:
    invoice = issued(alice_org, alice)
    response = alice_api.patch(url(invoice), {"notes": "Ändrad"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_a_draft")
    invoice.refresh_from_db()
    assert invoice.notes != "Ändrad"


# --- Who may --------------------------------------------------------------------------------


def test_mallorys_key_finds_none_of_alices_invoices(
    alice_org: Organisation, alice: Any, mallory_api: Any
) -> None:
    invoice = issued(alice_org, alice)
    unsaved = draft(alice_org, alice)
    assert mallory_api.get(INVOICES).json()["results"] == []
    for response in (
        mallory_api.get(url(invoice)),
        mallory_api.get(url(invoice, "/ubl")),
        mallory_api.get(url(invoice, "/pdf")),
        mallory_api.post(url(invoice, "/credit")),
        mallory_api.delete(url(unsaved)),
        mallory_api.patch(url(unsaved), {"notes": "Mallory"}, format="json"),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert invoice.number not in response.content.decode()
    assert Invoice.objects.count() == 2


def test_a_read_only_key_reads_but_never_writes(alice_org: Organisation, alice: Any) -> None:
    reader = api_client(alice_org, alice, read_only=True)
    invoice = issued(alice_org, alice)
    unsaved = draft(alice_org, alice)
    assert reader.get(url(invoice)).status_code == 200
    payload = invoice_payload(unsaved.customer)
    for response in (
        reader.post(INVOICES, payload, format="json"),
        reader.delete(url(unsaved)),
        reader.patch(url(unsaved), {"notes": "Läsaren"}, format="json"),
        reader.post(url(invoice, "/credit")),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "read_only_key")
    assert Invoice.objects.count() == 2


def test_no_key_no_invoices(alice_org: Organisation, alice: Any) -> None:
    from rest_framework.test import APIClient

    invoice = issued(alice_org, alice)
    response = APIClient().get(url(invoice))
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert json.dumps(response.json()).find(invoice.number) == -1
