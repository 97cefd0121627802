"""GET /inbox, /inbox/{id}, .../ubl, .../pdf and POST .../ack: the buyer's ERP reads and stores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Organisation
from accounts.tests.factories import OrganisationFactory
from conftest import api_client
from invoices import services
from invoices.models import ReceivedInvoice
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import draft

pytestmark = pytest.mark.django_db
INBOX = "/api/v1/inbox"


@pytest.fixture
def buyer(db: None) -> Organisation:
    """A portal member Alice invoices: what she sends lands in its inbox."""
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


@pytest.fixture
def buyer_api(buyer: Organisation) -> APIClient:
    client: APIClient = api_client(buyer)
    return client


def received_from_alice(alice: Any, alice_org: Organisation, day: int) -> ReceivedInvoice:
    """Send one invoice from Alice over the network and deliver it (the task's body)."""
    invoice = draft(alice_org, alice, issue_date=date(2026, 11, day))
    delivery = services.invoice_send(invoice=invoice, user=alice)
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    return ReceivedInvoice.objects.get(delivery=delivery)


@pytest.fixture
def two_received(alice: Any, alice_org: Organisation, buyer: Organisation) -> list[Any]:
    return [received_from_alice(alice, alice_org, day) for day in (2, 3)]


def url(received: ReceivedInvoice, action: str = "") -> str:
    return f"{INBOX}/{received.public_id}" + (f"/{action}" if action else "")


def test_the_inbox_lists_what_arrived_with_its_sender_and_links(
    buyer_api: APIClient, two_received: list[ReceivedInvoice], alice_org: Organisation
) -> None:
    older, newer = two_received
    response = buyer_api.get(INBOX)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [str(newer.public_id), str(older.public_id)]
    first = body["results"][0]
    assert first["sender"] == {
        "org_number": alice_org.org_number,
        "name": alice_org.legal_name,
        "vat_number": alice_org.vat_number,
    }
    assert (first["number"], first["total_payable"]) == (newer.number, str(newer.total_payable))
    assert first["acknowledged_at"] is None
    assert first["ubl_url"] == "http://testserver" + reverse(
        "api:inbox_ubl", args=[newer.public_id]
    )
    assert buyer_api.get(INBOX, {"limit": 1}).json()["results"][0]["id"] == str(newer.public_id)


def test_acknowledged_invoices_move_after_the_others_and_filter(
    buyer_api: APIClient, two_received: list[ReceivedInvoice]
) -> None:
    older, newer = two_received
    assert buyer_api.post(url(newer, "ack")).status_code == 200

    listed = [row["id"] for row in buyer_api.get(INBOX).json()["results"]]
    assert listed == [str(older.public_id), str(newer.public_id)]  # unacknowledged first
    waiting = buyer_api.get(INBOX, {"acknowledged": "false"}).json()["results"]
    assert [row["id"] for row in waiting] == [str(older.public_id)]
    stored = buyer_api.get(INBOX, {"acknowledged": "true"}).json()["results"]
    assert [row["id"] for row in stored] == [str(newer.public_id)]


def test_an_unreadable_filter_is_422(buyer_api: APIClient) -> None:
    response = buyer_api.get(INBOX, {"acknowledged": "maybe"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["acknowledged"]


def test_ack_is_idempotent_and_keeps_the_first_time(
    buyer_api: APIClient, two_received: list[ReceivedInvoice], buyer: Organisation
) -> None:
    received = two_received[0]
    first = buyer_api.post(url(received, "ack"))
    second = buyer_api.post(url(received, "ack"))
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    received.refresh_from_db()
    assert received.acknowledged_at is not None
    assert first.json()["acknowledged_at"].startswith(received.acknowledged_at.date().isoformat())
    audit = AuditEvent.objects.filter(action="received_invoice.acknowledged")
    assert [(event.organisation, event.data["number"]) for event in audit] == [
        (buyer, received.number)
    ]
    assert audit.get().data["api_key"]  # names the key the ERP used
    assert received.handled_at is None  # stored by the ERP is not handled (paid) by a person


def test_detail_ubl_and_pdf(buyer_api: APIClient, two_received: list[ReceivedInvoice]) -> None:
    received = two_received[0]
    detail = buyer_api.get(url(received))
    assert detail.status_code == 200
    assert detail.json()["id"] == str(received.public_id)

    xml = buyer_api.get(url(received, "ubl"), HTTP_ACCEPT="application/xml")
    assert xml.status_code == 200
    assert xml["Content-Type"] == "application/xml"
    assert xml.content == bytes(received.ubl_xml)  # exactly as it arrived

    pdf = buyer_api.get(url(received, "pdf"), HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200
    assert (pdf["Content-Type"], pdf.content[:5]) == ("application/pdf", b"%PDF-")
    assert "attachment" in pdf["Content-Disposition"]


def test_a_missing_invoice_is_404_in_json_even_when_a_file_is_asked_for(
    buyer_api: APIClient, two_received: list[ReceivedInvoice]
) -> None:
    missing = f"{INBOX}/00000000-0000-4000-8000-000000000000/pdf"
    response = buyer_api.get(missing, HTTP_ACCEPT="application/pdf")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_read_only_key_reads_but_may_not_ack(
    buyer: Organisation, two_received: list[ReceivedInvoice]
) -> None:
    reader = api_client(buyer, read_only=True)
    received = two_received[0]
    assert reader.get(INBOX).json()["count"] == 2
    assert reader.get(url(received, "ubl")).status_code == 200
    response = reader.post(url(received, "ack"))
    assert (response.status_code, response.json()["code"]) == (403, "read_only_key")
    received.refresh_from_db()
    assert received.acknowledged_at is None
    assert not AuditEvent.objects.filter(action="received_invoice.acknowledged").exists()


@pytest.mark.parametrize("action", ["", "ubl", "pdf"])
def test_others_get_404_for_the_buyers_invoices(
    alice_api: APIClient,
    mallory_api: APIClient,
    two_received: list[ReceivedInvoice],
    action: str,
) -> None:
    """Mallory, and Alice who sent it: the inbox is the recipient's alone."""
    received = two_received[0]
    for outsider in (alice_api, mallory_api):
        response = outsider.get(url(received, action))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert received.number not in response.content.decode()
        assert outsider.get(INBOX).json()["count"] == 0


def test_others_may_not_ack_the_buyers_invoice(
    alice_api: APIClient, mallory_api: APIClient, two_received: list[ReceivedInvoice]
) -> None:
    received = two_received[0]
    for outsider in (alice_api, mallory_api):
        response = outsider.post(url(received, "ack"))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    received.refresh_from_db()
    assert received.acknowledged_at is None


def test_without_a_key_the_inbox_is_closed(two_received: list[ReceivedInvoice]) -> None:
    anonymous = APIClient()
    for response in (anonymous.get(INBOX), anonymous.post(url(two_received[0], "ack"))):
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION="Bearer efk_not_a_key")
    assert revoked.get(INBOX).status_code == 401
