"""The API's story end to end, as two ERPs live it: over real HTTP, with a real worker.

The seller's ERP subscribes a webhook, creates one invoice from JSON (retried under its
Idempotency-Key) and one from its own UBL, sends both and watches them arrive; the buyer's
ERP reads both from its inbox, downloads the UBL and acknowledges them. The event feeds of
both tell the same story. Nothing here calls a service: only HTTP, as an ERP would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from lxml import etree
from standardwebhooks.webhooks import Webhook

from accounts.models import Membership, Organisation, Plan
from accounts.services import api_key_create
from accounts.tests.factories import MembershipFactory, OrganisationFactory, org_number_for
from invoices.models import Invoice, ReceivedInvoice
from tests.conftest import CeleryWorker
from tests.loopback import Received, post_server

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "examples"
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
DELIVERY_TIMEOUT = 30.0  # seconds: a delivery over the network inbox takes well under one


# --- The two organisations and their ERPs --------------------------------------------------


def verified_member(legal_name: str, org_number: str) -> Organisation:
    """A portal organisation that has signed with BankID, so it may send."""
    return OrganisationFactory(
        legal_name=legal_name,
        org_number=org_number,
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )


@pytest.fixture
def seller(transactional_db: None) -> Organisation:
    return verified_member("Säljaren Konsult AB", "556036-0793")


@pytest.fixture
def buyer(transactional_db: None) -> Organisation:
    return verified_member("Köparen Handel AB", org_number_for(90001))


def erp_client(root_url: str, organisation: Organisation) -> httpx.Client:
    """An ERP's HTTP client: the organisation's own full key, answers in English."""
    owner = MembershipFactory(organisation=organisation, role=Membership.Role.OWNER).user
    _key, secret = api_key_create(actor=owner, organisation=organisation, name="ERP")
    return httpx.Client(
        base_url=f"{root_url}/api/v1/",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=10,
    )


@pytest.fixture
def seller_erp(live_server: Any, seller: Organisation) -> Iterator[httpx.Client]:
    with erp_client(live_server.url, seller) as client:
        yield client


@pytest.fixture
def buyer_erp(live_server: Any, buyer: Organisation) -> Iterator[httpx.Client]:
    with erp_client(live_server.url, buyer) as client:
        yield client


@pytest.fixture
def hooks() -> Iterator[tuple[str, list[Received]]]:
    """The seller's webhook receiver on loopback: its URL and what it has received."""
    received: list[Received] = []
    with post_server(lambda request: 204, received) as root_url:
        yield root_url + "/hooks/efaktura", received


# --- What the ERPs send --------------------------------------------------------------------


def digits(org_number: str) -> str:
    return org_number.replace("-", "")


def json_invoice(buyer: Organisation) -> dict[str, Any]:
    """An invoice to a new customer whose org number is the buyer's: the network inbox."""
    return {
        "customer": {
            "name": buyer.legal_name,
            "org_number": digits(buyer.org_number),
            "vat_number": buyer.vat_number,
            "street_address": "Köpargatan 2",
            "postal_code": "411 01",
            "city": "Göteborg",
        },
        "buyer_reference": "Inköp 42",
        "external_id": "erp-order-1001",
        "lines": [
            {
                "description": "Konsulttimmar",
                "quantity": "8",
                "unit_code": "HUR",
                "unit_price": 1150,
            },
            {"description": "Kurslitteratur", "quantity": 2, "unit_price": "349", "vat_rate": 6},
        ],
    }


def ubl_invoice(seller: Organisation, buyer: Organisation, number: str) -> bytes:
    """The official base example, edited so the seller and the buyer are the two members."""
    root = etree.parse(str(EXAMPLES / "base-example.xml")).getroot()
    _set(root, "cbc:ID", number)
    seller_party = "cac:AccountingSupplierParty/cac:Party/"
    _set(root, seller_party + "cbc:EndpointID", digits(seller.org_number), schemeID="0007")
    buyer_party = "cac:AccountingCustomerParty/cac:Party/"
    _set(root, buyer_party + "cbc:EndpointID", digits(buyer.org_number), schemeID="0007")
    _set(root, buyer_party + "cac:PartyIdentification/cbc:ID", digits(buyer.org_number))
    _set(root, buyer_party + "cac:PartyName/cbc:Name", buyer.legal_name)
    _set(root, buyer_party + "cac:PartyTaxScheme/cbc:CompanyID", buyer.vat_number)
    legal = buyer_party + "cac:PartyLegalEntity/"
    _set(root, legal + "cbc:RegistrationName", buyer.legal_name)
    _set(root, legal + "cbc:CompanyID", digits(buyer.org_number), schemeID="0007")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _set(root: Any, path: str, text: str, **attributes: str) -> None:
    element = root.find(path, UBL)
    assert element is not None, f"the example has no {path}"
    element.text = text
    for name, value in attributes.items():
        element.set(name, value)


# --- Reading answers -------------------------------------------------------------------------


def ok(response: httpx.Response, status: int) -> Any:
    """Return the JSON body, failing with the answer itself when the status is not `status`."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: "
        f"{response.status_code} {response.text[:2000]}"
    )
    return response.json()


def poll(describe: Callable[[], Any], done: Callable[[Any], bool], worker: CeleryWorker) -> Any:
    """Ask `describe` until `done` holds (at most DELIVERY_TIMEOUT); fail with the last answer."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        answer = describe()
        if done(answer):
            return answer
        if time.monotonic() > deadline or worker.process.poll() is not None:
            pytest.fail(
                f"not done within {DELIVERY_TIMEOUT}s; last answer:\n"
                f"{json.dumps(answer, indent=1, default=str)[:3000]}\n"
                f"worker log:\n{worker.log()[-3000:]}"
            )
        time.sleep(0.25)


def invoice_status(erp: httpx.Client, invoice_id: str) -> Callable[[], Any]:
    return lambda: ok(erp.get(f"invoices/{invoice_id}"), 200)


def whole_feed(erp: httpx.Client) -> list[dict[str, Any]]:
    """Read the event feed from the start, page by page, as a polling ERP does."""
    events: list[dict[str, Any]] = []
    params = {"limit": 2}  # small pages, so the cursor is followed
    while True:
        page = ok(erp.get("events", params=params), 200)
        if not page["events"]:
            return events
        events += page["events"]
        params = {"limit": 2, "after": page["next"]}


def hook_types(received: list[Received]) -> list[tuple[str, str]]:
    """(type, invoice id) of each webhook received."""
    payloads = [json.loads(request.body) for request in received]
    return [(payload["type"], payload["data"].get("invoice")) for payload in payloads]


# --- The story -------------------------------------------------------------------------------


def test_two_erps_send_receive_and_acknowledge_over_real_http(
    celery_worker_process: CeleryWorker,
    seller: Organisation,
    buyer: Organisation,
    seller_erp: httpx.Client,
    buyer_erp: httpx.Client,
    hooks: tuple[str, list[Received]],
) -> None:
    hook_url, received = hooks

    # The seller's ERP subscribes to every event and keeps the secret it sees this once.
    subscription = ok(seller_erp.post("webhooks", json={"url": hook_url}), 201)
    secret = subscription["secret"]
    assert secret.startswith("whsec_")

    # From JSON, under an Idempotency-Key; the retry is answered from the first time.
    once = {"Idempotency-Key": "erp-create-1001"}
    created = seller_erp.post("invoices", json=json_invoice(buyer), headers=once)
    replayed = seller_erp.post("invoices", json=json_invoice(buyer), headers=once)
    from_json = ok(created, 201)
    assert ok(replayed, 201) == from_json
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in created.headers
    assert (from_json["status"], from_json["source"]) == ("draft", "api")
    assert from_json["customer"]["org_number"] == buyer.org_number

    # From UBL: the ERP's own number is kept; the buyer is the customer made a moment ago.
    ubl_body = ubl_invoice(seller, buyer, "ERP-2026-0042")
    from_ubl = ok(
        seller_erp.post("invoices", content=ubl_body, headers={"Content-Type": "application/xml"}),
        201,
    )
    assert (from_ubl["number"], from_ubl["status"]) == ("ERP-2026-0042", "draft")
    assert from_ubl["customer"]["id"] == from_json["customer"]["id"]
    assert Invoice.objects.filter(organisation=seller).count() == 2  # the replay made none

    # Send both: accepted at once, to the buyer's network inbox; the worker delivers.
    sent = {}
    for invoice in (from_json, from_ubl):
        queued = ok(seller_erp.post(f"invoices/{invoice['id']}/send", json={}), 202)
        assert (queued["status"], queued["channel"]) == ("queued", "network"), queued
        assert queued["invoice_id"] == invoice["id"]
        sent[invoice["id"]] = queued["invoice_number"]
    assert sent[from_ubl["id"]] == "ERP-2026-0042"
    for invoice_id in sent:
        delivered = poll(
            invoice_status(seller_erp, invoice_id),
            lambda body: body["status"] in ("delivered", "failed"),
            celery_worker_process,
        )
        assert delivered["status"] == "delivered", delivered
        [delivery] = delivered["deliveries"]
        assert (delivery["status"], delivery["channel"]) == ("delivered", "network")
        assert delivery["recipient"] == str(buyer.public_id)

    # The webhook receiver hears of both deliveries, each signed with the secret.
    wanted = {("invoice.delivered", invoice_id) for invoice_id in sent}
    celery_worker_process.wait_for(
        lambda: wanted <= set(hook_types(received)), timeout=DELIVERY_TIMEOUT
    )
    webhook = Webhook(secret)
    for request in received:
        payload = webhook.verify(request.body, request.headers)
        assert request.path == "/hooks/efaktura"
        if payload["type"] == "invoice.delivered":
            assert payload["data"]["number"] == sent[payload["data"]["invoice"]]

    # The buyer's ERP: both invoices wait in its inbox, not yet acknowledged.
    inbox = ok(buyer_erp.get("inbox", params={"acknowledged": "false"}), 200)
    assert inbox["count"] == 2, inbox
    by_number = {row["number"]: row for row in inbox["results"]}
    assert set(by_number) == set(sent.values())
    for row in inbox["results"]:
        assert row["acknowledged_at"] is None
        assert row["sender"]["org_number"] == seller.org_number
    for invoice_id, number in sent.items():
        row = by_number[number]
        downloaded = buyer_erp.get(f"inbox/{row['id']}/ubl", headers={"Accept": "application/xml"})
        assert downloaded.status_code == 200, downloaded.text[:2000]
        assert downloaded.headers["Content-Type"].startswith("application/xml")
        # The UBL the seller issued, byte for byte, and a readable invoice to the buyer.
        issued = seller_erp.get(f"invoices/{invoice_id}/ubl", headers={"Accept": "application/xml"})
        assert downloaded.content == issued.content
        document = etree.fromstring(downloaded.content)
        assert document.findtext("cbc:ID", namespaces=UBL) == number
        buyer_endpoint = "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"
        assert document.findtext(buyer_endpoint, namespaces=UBL) == digits(buyer.org_number)
        assert document.findtext("cbc:DocumentCurrencyCode", namespaces=UBL) == row["currency"]

    # It stores them and says so; a second ack changes nothing; none is left unacknowledged.
    for row in inbox["results"]:
        acked = ok(buyer_erp.post(f"inbox/{row['id']}/ack"), 200)
        assert acked["acknowledged_at"] is not None
        assert ok(buyer_erp.post(f"inbox/{row['id']}/ack"), 200) == acked
    assert ok(buyer_erp.get("inbox", params={"acknowledged": "false"}), 200)["count"] == 0
    assert ok(buyer_erp.get("inbox"), 200)["count"] == 2
    assert not ReceivedInvoice.objects.filter(acknowledged_at__isnull=True).exists()

    # The seller's feed: queued, then delivered, for each invoice; the webhooks are its events.
    feed = whole_feed(seller_erp)
    for invoice_id in sent:
        story = [event["type"] for event in feed if event["data"].get("invoice") == invoice_id]
        assert story == ["invoice.queued", "invoice.delivered"], feed
    assert {event["type"] for event in feed} == {"invoice.queued", "invoice.delivered"}
    assert {r.headers["webhook-id"] for r in received} <= {event["id"] for event in feed}

    # The buyer's feed: one inbox.received for each invoice that arrived.
    buyer_feed = whole_feed(buyer_erp)
    assert [event["type"] for event in buyer_feed] == ["inbox.received"] * 2, buyer_feed
    arrived = {event["data"]["received_invoice"] for event in buyer_feed}
    assert arrived == {row["id"] for row in inbox["results"]}
