"""The partner API, attack first: a partner key reaches only the organisations it holds.

/partner/organisations connects, lists and disconnects; X-Organisation makes a partner key
act for one of its organisations on every other endpoint. Another partner's organisation,
a web organisation, an ended connection and an unknown number all answer 404, on every
kind of endpoint, and never with data. The last test goes over real HTTP with a real worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from standardwebhooks.webhooks import Webhook

from accounts.models import (
    AuditEvent,
    Membership,
    NetworkRegistration,
    Organisation,
    PartnerAttestation,
)
from accounts.services import partner_key_revoke, partner_suspend
from accounts.tests.factories import MembershipFactory, OrganisationFactory, org_number_for
from accounts.tests.partners import (
    KVARNEN,
    PARTNERKUNDEN,
    SKARGARDEN,
    SOLROSEN,
    Partner,
    acting_as,
    make_partner,
)
from accounts.tests.staff import staff_user
from integrations.models import IdempotencyRecord, WebhookSubscription
from integrations.services import webhook_subscribe
from invoices.models import Invoice, InvoiceEvent
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import issued
from tests.conftest import CeleryWorker
from tests.loopback import Received, post_server

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/partner/organisations"


@pytest.fixture
def kontura(db: None) -> Partner:
    return make_partner("Kontura ERP")


@pytest.fixture
def rival(db: None) -> Partner:
    return make_partner("Rival Ekonomi")


@pytest.fixture
def buyer(db: None) -> Organisation:
    """A verified member of the portal: invoices to it land in its network inbox."""
    return OrganisationFactory(
        legal_name="Köparen Handel AB",
        org_number="556036-0793",
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )


def invoice_body(buyer: Organisation, external_id: str = "erp-1") -> dict[str, Any]:
    return {
        "customer": {
            "name": buyer.legal_name,
            "org_number": buyer.org_number,
            "vat_number": buyer.vat_number,
            "street_address": "Köpargatan 2",
            "postal_code": "411 01",
            "city": "Göteborg",
        },
        "buyer_reference": "Inköp 42",
        "external_id": external_id,
        "lines": [{"description": "Konsulttimmar", "quantity": "8", "unit_price": "1150"}],
    }


# --- Who may use /partner/organisations ------------------------------------------------------


def test_an_organisation_key_gets_403_on_every_partner_endpoint(alice_api: Any) -> None:
    answers = [
        alice_api.get(ORGS),
        alice_api.post(ORGS, {"org_number": KVARNEN}, format="json"),
        alice_api.get(f"{ORGS}/{KVARNEN}"),
        alice_api.delete(f"{ORGS}/{KVARNEN}"),
    ]
    assert [a.status_code for a in answers] == [403] * 4
    assert {a.json()["code"] for a in answers} == {"partner_key_required"}
    assert not Organisation.objects.filter(org_number=KVARNEN).exists()


def test_no_key_is_401_and_a_revoked_partner_key_is_401(kontura: Partner) -> None:
    assert kontura.api().get(ORGS).status_code == 200
    partner_key_revoke(partner_key=kontura.partner_key, actor=None)

    for response in (kontura.api().get(ORGS), kontura.api(KVARNEN).get("/api/v1/invoices")):
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_api_key"
    from rest_framework.test import APIClient

    assert APIClient().get(ORGS).json()["code"] == "not_authenticated"


def test_a_partner_key_that_only_looks_like_one_is_401(kontura: Partner) -> None:
    forged = kontura.key[:-4] + "AAAA"
    other_prefix = "efp_" + "0" * 12 + kontura.key[16:]
    for key in (forged, other_prefix, "efp_", "efp_x_y"):
        client = kontura.api()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        assert client.get(ORGS).status_code == 401


# --- Connecting --------------------------------------------------------------------------------


def test_connect_creates_the_organisation_from_the_register_and_holds_the_number(
    kontura: Partner,
) -> None:
    response = kontura.api().post(
        ORGS, {"org_number": "5590567896", "bankgiro": "5050-1055"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["org_number"] == KVARNEN
    assert body["name"] == "Kvarnen Data AB"  # from the register, not from the partner
    assert (body["verification_status"], body["can_send"]) == ("verified", True)
    organisation = Organisation.objects.get(org_number=KVARNEN)
    assert organisation.memberships.count() == 0  # a partner's organisation has no members
    assert (organisation.bankgiro, organisation.vat_number) == ("5050-1055", "SE559056789601")
    registration = NetworkRegistration.objects.get(org_number=KVARNEN, ended_at=None)
    assert (registration.partner, registration.organisation) == (kontura.integration, organisation)
    # The attestation is the evidence that lets it send: partner, key and time.
    attestation = PartnerAttestation.objects.get(organisation=organisation)
    assert (attestation.partner, attestation.partner_key) == (
        kontura.integration,
        kontura.partner_key,
    )
    assert attestation.attested_details["bankgiro"] == "5050-1055"
    # Connecting again changes nothing and says so.
    again = kontura.api().post(ORGS, {"org_number": KVARNEN}, format="json")
    assert (again.status_code, again.json()["org_number"]) == (200, KVARNEN)
    assert PartnerAttestation.objects.count() == 1


def test_a_partner_connecting_a_web_organisations_number_gets_409_web(
    kontura: Partner, alice_org: Organisation, alice: Any
) -> None:
    unverified = OrganisationFactory(org_number=SOLROSEN)  # an unsigned web claim holds it too
    MembershipFactory(organisation=unverified)

    for number in (alice_org.org_number, SOLROSEN):
        response = kontura.api().post(ORGS, {"org_number": number}, format="json")
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "organisation_number_taken"
        assert response.json()["holder"] == "web"
    assert not NetworkRegistration.objects.exists()
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Organisation.VerificationStatus.VERIFIED


def test_a_number_another_partner_holds_gets_409_partner_without_its_name(
    kontura: Partner, rival: Partner
) -> None:
    rival.connect(KVARNEN)

    response = kontura.api().post(ORGS, {"org_number": KVARNEN}, format="json")

    assert response.status_code == 409
    assert response.json()["holder"] == "partner"
    assert "Rival" not in response.content.decode()  # a competitor is not named
    assert NetworkRegistration.objects.get(ended_at=None).partner == rival.integration


def test_an_invalid_or_unknown_number_is_422(kontura: Partner) -> None:
    invalid = kontura.api().post(ORGS, {"org_number": "559056-7890"}, format="json")
    unknown = kontura.api().post(ORGS, {"org_number": org_number_for(321)}, format="json")
    extra = kontura.api().post(ORGS, {"org_number": KVARNEN, "legal_name": "X"}, format="json")

    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "org_number"
    assert (unknown.status_code, unknown.json()["code"]) == (422, "organisation_not_in_register")
    assert (extra.status_code, extra.json()["errors"][0]["field"]) == (422, "legal_name")
    assert not Organisation.objects.exists()


def test_the_list_shows_only_the_partners_own_live_connections(
    kontura: Partner, rival: Partner
) -> None:
    kontura.connect(KVARNEN)
    kontura.connect(SOLROSEN)
    rival.connect(SKARGARDEN)
    kontura.api().delete(f"{ORGS}/{SOLROSEN}")

    listed = kontura.api().get(ORGS).json()

    assert listed["count"] == 1
    assert [row["org_number"] for row in listed["results"]] == [KVARNEN]
    assert kontura.api().get(f"{ORGS}/{SKARGARDEN}").status_code == 404
    assert kontura.api().get(f"{ORGS}/{SOLROSEN}").status_code == 404
    assert kontura.api().get(f"{ORGS}/not-a-number").status_code == 404


# --- X-Organisation: only what the partner holds -------------------------------------------


def _endpoints(invoice_id: str) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every kind of organisation endpoint."""
    return [
        ("get", "/api/v1/organisation", None),
        ("get", "/api/v1/invoices", None),
        ("post", "/api/v1/invoices", {"lines": []}),
        ("get", f"/api/v1/invoices/{invoice_id}", None),
        ("get", f"/api/v1/invoices/{invoice_id}/ubl", None),
        ("delete", f"/api/v1/invoices/{invoice_id}", None),
        ("post", f"/api/v1/invoices/{invoice_id}/send", {}),
        ("post", f"/api/v1/invoices/{invoice_id}/credit", {}),
        ("get", "/api/v1/customers", None),
        ("post", "/api/v1/customers", {"name": "Kund AB"}),
        ("get", "/api/v1/inbox", None),
        ("get", "/api/v1/events", None),
        ("get", "/api/v1/webhooks", None),
        ("post", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}),
        ("get", "/api/v1/discovery?identifier=5560360793", None),
    ]


def _assert_all_404(client: Any, invoice_id: str) -> None:
    for method, path, body in _endpoints(invoice_id):
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.content[:300])
        assert response.json()["code"] == "not_found", (method, path)


def test_a_partner_key_never_reaches_another_partners_web_ended_or_unknown_organisation(
    kontura: Partner, rival: Partner, alice_org: Organisation, alice: Any
) -> None:
    rivals_org = rival.connect(KVARNEN)
    with acting_as(rival.partner_key):
        rivals_invoice = issued(rivals_org, None)
    alices_invoice = issued(alice_org, alice)
    ended = kontura.connect(SOLROSEN)
    with acting_as(kontura.partner_key):
        ended_invoice = issued(ended, None)
    kontura.api().delete(f"{ORGS}/{SOLROSEN}")
    webhook_subscribe(organisation=alice_org, user=alice, url="http://127.0.0.1:9/", event_types=[])
    before = (Invoice.objects.count(), WebhookSubscription.objects.count())

    for org_number, invoice in [
        (KVARNEN, rivals_invoice),  # another partner's
        (alice_org.org_number, alices_invoice),  # the web service's
        (SOLROSEN, ended_invoice),  # an ended connection
        (org_number_for(999), alices_invoice),  # nobody's
    ]:
        _assert_all_404(kontura.api(org_number), str(invoice.public_id))

    assert (Invoice.objects.count(), WebhookSubscription.objects.count()) == before
    rivals_invoice.refresh_from_db()
    assert rivals_invoice.status == Invoice.Status.ISSUED  # not sent, not deleted


def test_a_partner_key_without_x_organisation_gets_a_clear_400(kontura: Partner) -> None:
    kontura.connect(KVARNEN)

    missing = kontura.api().get("/api/v1/invoices")
    malformed = kontura.api("five-five-nine").get("/api/v1/invoices")

    assert (missing.status_code, missing.json()["code"]) == (400, "organisation_header_required")
    assert "X-Organisation" in missing.json()["detail"]
    assert (malformed.status_code, malformed.json()["code"]) == (
        400,
        "invalid_organisation_header",
    )
    assert kontura.api("5590567896").get("/api/v1/invoices").status_code == 200


def test_an_organisation_key_ignores_x_organisation(
    alice_api: Any, alice_org: Organisation, mallory_org: Organisation
) -> None:
    alice_api.credentials(
        **alice_api._credentials, HTTP_X_ORGANISATION=mallory_org.org_number
    )
    answer = alice_api.get("/api/v1/organisation").json()
    assert answer["org_number"] == alice_org.org_number  # its own, never mallory's


# --- Acting for its organisation -------------------------------------------------------------


def test_the_partner_creates_and_sends_an_invoice_recorded_against_its_key(
    kontura: Partner, buyer: Organisation
) -> None:
    kontura.connect(KVARNEN)
    client = kontura.api(KVARNEN)

    created = client.post("/api/v1/invoices", invoice_body(buyer), format="json")
    assert created.status_code == 201, created.json()
    sent = client.post(f"/api/v1/invoices/{created.json()['id']}/send", {}, format="json")
    assert sent.status_code == 202, sent.json()
    assert sent.json()["channel"] == "network"

    invoice = Invoice.objects.get(public_id=created.json()["id"])
    assert invoice.organisation.org_number == KVARNEN
    # No user made it: the partner's key did, and every record says so.
    assert (invoice.created_by, invoice.created_by_partner_key) == (None, kontura.partner_key)
    assert set(InvoiceEvent.objects.filter(invoice=invoice).values_list("actor", flat=True)) == {
        None
    }
    sent_event = AuditEvent.objects.get(action="invoice.sent")
    assert sent_event.actor is None
    assert sent_event.data["partner_key"] == kontura.partner_key.prefix
    assert sent_event.data["partner"] == kontura.integration.pk
    assert delivery_attempt(invoice.deliveries.get().pk, final=False).outcome == "delivered"


def test_an_invoice_without_user_or_partner_key_is_refused_by_the_database(
    alice_org: Organisation,
) -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        issued(alice_org, None)  # no key in use: nobody would answer for it


def test_a_suspended_partner_reads_but_cannot_send_or_connect(
    kontura: Partner, buyer: Organisation
) -> None:
    kontura.connect(KVARNEN)
    client = kontura.api(KVARNEN)
    draft_id = client.post("/api/v1/invoices", invoice_body(buyer), format="json").json()["id"]
    partner_suspend(staff=staff_user(), partner=kontura.integration, reason="Agreement breached")

    send = client.post(f"/api/v1/invoices/{draft_id}/send", {}, format="json")
    assert (send.status_code, send.json()["code"]) == (403, "organisation_suspended")
    assert client.get("/api/v1/invoices").status_code == 200
    assert client.get(f"/api/v1/invoices/{draft_id}").status_code == 200
    connect = kontura.api().post(ORGS, {"org_number": SOLROSEN}, format="json")
    assert (connect.status_code, connect.json()["code"]) == (403, "partner_suspended")
    disconnect = kontura.api().delete(f"{ORGS}/{KVARNEN}")
    assert (disconnect.status_code, disconnect.json()["code"]) == (403, "partner_suspended")
    listed = kontura.api().get(ORGS).json()["results"]
    assert [(row["org_number"], row["can_send"]) for row in listed] == [(KVARNEN, False)]


def test_an_idempotency_key_reused_for_another_organisation_is_refused_not_replayed(
    kontura: Partner, buyer: Organisation
) -> None:
    kontura.connect(KVARNEN)
    kontura.connect(SOLROSEN)
    once = {"HTTP_IDEMPOTENCY_KEY": "erp-1"}
    body = invoice_body(buyer)

    first = kontura.api(KVARNEN).post("/api/v1/invoices", body, format="json", **once)
    replay = kontura.api(KVARNEN).post("/api/v1/invoices", body, format="json", **once)
    other = kontura.api(SOLROSEN).post("/api/v1/invoices", body, format="json", **once)

    assert first.status_code == 201
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert replay.json() == first.json()
    # The same body for another organisation is another request: never the first one's answer.
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Invoice.objects.filter(organisation__org_number=SOLROSEN).count() == 0
    assert IdempotencyRecord.objects.get().partner_key == kontura.partner_key


def test_the_rate_limit_counts_the_partner_key_across_its_organisations(
    kontura: Partner, settings: Any
) -> None:
    kontura.connect(KVARNEN)
    kontura.connect(SOLROSEN)
    settings.API_RATE_PER_KEY = "3/min"

    answers = [
        kontura.api(KVARNEN).get("/api/v1/invoices").status_code,
        kontura.api(SOLROSEN).get("/api/v1/invoices").status_code,
        kontura.api().get(ORGS).status_code,
        kontura.api(SOLROSEN).get("/api/v1/invoices").status_code,
    ]

    assert answers == [200, 200, 200, 429]


# --- The schema ----------------------------------------------------------------------------


def test_the_schema_documents_the_partner_endpoints_and_x_organisation(tmp_path: Any) -> None:
    path = tmp_path / "schema.json"
    # --fail-on-warn: a warning is a failure; run as its own process, as CI would.
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            str(path),
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    schema = json.loads(path.read_text())
    partner_paths = {p for p in schema["paths"] if p.startswith("/api/v1/partner/")}
    assert partner_paths == {
        "/api/v1/partner/organisations",
        "/api/v1/partner/organisations/{org_number}",
    }
    header = {"$ref": "#/components/parameters/Organisation"}
    assert header in schema["paths"]["/api/v1/invoices"]["post"]["parameters"]
    assert header in schema["paths"]["/api/v1/invoices/{public_id}/send"]["post"]["parameters"]
    assert header not in schema["paths"]["/api/v1/partner/organisations"]["post"].get(
        "parameters", []
    )
    connect = schema["paths"]["/api/v1/partner/organisations"]["post"]["responses"]
    assert {"200", "201", "403", "409", "422", "503"} <= set(connect)


# --- Over real HTTP, with a real worker -------------------------------------------------------


@pytest.fixture
def partner_hooks() -> Iterator[tuple[str, list[Received]]]:
    received: list[Received] = []
    with post_server(lambda request: 204, received) as root_url:
        yield root_url + "/hooks/partner", received


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_partner_connects_sends_and_disconnects_over_http_with_a_real_worker(
    celery_worker_process: CeleryWorker,
    live_server: Any,
    buyer: Organisation,
    partner_hooks: tuple[str, list[Received]],
) -> None:
    hook_url, received = partner_hooks
    output = _create_partner_command(hook_url)
    secret, key = output[-2].rsplit(" ", 1)[-1], output[-1]
    assert secret.startswith("whsec_") and key.startswith("efp_")
    with httpx.Client(
        base_url=f"{live_server.url}/api/v1/",
        headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"},
        timeout=10,
    ) as api:
        _connect_send_disconnect(api, celery_worker_process, buyer)

    # Its webhook receiver gets partner.connection_ended, signed with its own secret.
    celery_worker_process.wait_for(lambda: len(received) == 1, timeout=30)
    [request] = received
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "partner.connection_ended"
    assert payload["data"]["org_number"] == PARTNERKUNDEN
    assert payload["data"]["reason"]
    assert payload["data"]["ended_at"].endswith("Z")
    assert request.path == "/hooks/partner"
    organisation = Organisation.objects.get(org_number=PARTNERKUNDEN)
    assert organisation.verification_status == Organisation.VerificationStatus.UNVERIFIED
    assert Membership.objects.filter(organisation=organisation).count() == 0


def _connect_send_disconnect(
    api: httpx.Client, worker: CeleryWorker, buyer: Organisation
) -> None:
    as_kunden = {"X-Organisation": PARTNERKUNDEN}

    # The partner connects its customer: the number is held, the organisation may send.
    connected = api.post("partner/organisations", json={"org_number": PARTNERKUNDEN})
    assert connected.status_code == 201, connected.text
    assert connected.json()["can_send"] is True

    # It creates and sends an invoice for it; the worker delivers it to the buyer's inbox.
    created = api.post("invoices", json=invoice_body(buyer), headers=as_kunden)
    assert created.status_code == 201, created.text
    invoice_id = created.json()["id"]
    sent = api.post(f"invoices/{invoice_id}/send", json={}, headers=as_kunden)
    assert sent.status_code == 202, sent.text
    worker.wait_for(
        lambda: api.get(f"invoices/{invoice_id}", headers=as_kunden).json()["status"]
        == "delivered",
        timeout=30,
    )
    assert buyer.received_invoices.get().sender.org_number == PARTNERKUNDEN

    # The partner ends the connection itself: the organisation is out of its reach at once.
    assert api.delete(f"partner/organisations/{PARTNERKUNDEN}").status_code == 204
    assert api.get("invoices", headers=as_kunden).status_code == 404


def _create_partner_command(hook_url: str) -> list[str]:
    from io import StringIO

    out = StringIO()
    call_command("create_partner", "--name", "Kontura ERP", "--webhook-url", hook_url, stdout=out)
    return out.getvalue().strip().splitlines()
