"""POST /invoices/{id}/send behind the gate (held sends go out after signing), GET /discovery."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import ApiKey, Organisation
from accounts.services import api_key_revoke
from accounts.tests.factories import OrganisationFactory
from conftest import api_client
from invoices import services
from invoices.models import Delivery, DeliveryChannel, Invoice, InvoiceEvent, PendingSend
from invoices.tests.factories import CustomerFactory, draft
from invoices.tests.test_api_invoices import invoice_payload
from signing.selectors import sending_allowed
from tests.bankid_simulator import Simulator, bankid_simulator, sim  # noqa: F401 (fixtures)
from tests.signing_steps import (
    SARA,
    fjallgarden_create,
    login,
    member,
    poll_until_done,
    sign_in_app,
    start_signing,
)

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus
BUYER_ORG_NUMBER = "556036-0793"  # CustomerFactory's default org number


@pytest.fixture
def member_buyer(db: None) -> Organisation:
    """Another portal organisation: invoices to it land in its inbox."""
    return OrganisationFactory(legal_name="Köparen AB", org_number=BUYER_ORG_NUMBER)


def send_url(invoice: Invoice) -> str:
    return reverse("api:invoice_send", args=[invoice.public_id])


def _set_status(organisation: Organisation, status: str) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(verification_status=status)


def _still_a_draft(invoice: Invoice) -> bool:
    invoice.refresh_from_db()
    return invoice.status == Invoice.Status.DRAFT and not Delivery.objects.exists()


# --- Send -------------------------------------------------------------------------------


def test_send_queues_one_delivery_and_says_why_in_the_readers_language(
    alice_api: Any, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)

    response = alice_api.post(send_url(invoice), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 202, response.json()
    body = response.json()
    delivery = Delivery.objects.get()
    assert body == {
        "id": str(delivery.public_id),
        "status": "queued",
        "channel": "network",
        "recipient": str(member_buyer.public_id),
        "reason": "the buyer uses the portal: the invoice goes to its inbox",
        "error": "",
        "attempts": 0,
        "created_at": body["created_at"],
        "delivered_at": None,
        "invoice_id": str(invoice.public_id),
        "invoice_number": "1",
    }
    invoice.refresh_from_db()
    assert (invoice.status, delivery.invoice) == (Invoice.Status.QUEUED, invoice)
    swedish = alice_api.post(send_url(invoice), HTTP_ACCEPT_LANGUAGE="sv").json()
    with translation.override("sv"):
        assert swedish["reason"] == delivery.reason_text != body["reason"]


def test_a_second_send_answers_the_same_and_makes_no_second_delivery(
    alice_api: Any, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    first = alice_api.post(send_url(invoice))  # no body at all: the defaults
    second = alice_api.post(send_url(invoice), {"confirm_duplicate": True}, format="json")
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() == second.json()
    assert Delivery.objects.count() == 1
    assert InvoiceEvent.objects.filter(invoice=invoice, status="queued").count() == 1


def test_a_possible_duplicate_answers_409_with_the_matches_until_confirmed(
    alice_api: Any, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    first = draft(alice_org, alice)
    services.invoice_send(invoice=first, user=alice)
    first.refresh_from_db()
    twin = draft(alice_org, alice, customer=first.customer)

    refused = alice_api.post(send_url(twin), {"confirm_duplicate": False}, format="json")

    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "possible_duplicate"
    assert body["matches"] == [
        {
            "id": str(first.public_id),
            "number": first.number,
            "issue_date": first.issue_date.isoformat(),
            "total_payable": str(first.total_payable),
            "currency": first.currency,
        }
    ]
    assert not twin.deliveries.exists()
    confirmed = alice_api.post(send_url(twin), {"confirm_duplicate": True}, format="json")
    assert confirmed.status_code == 202
    assert twin.deliveries.count() == 1


def test_a_customer_that_cannot_be_reached_answers_no_channel(
    alice_api: Any, alice: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org, email="", org_number="", peppol_id="")
    invoice = draft(alice_org, alice, customer=customer)
    response = alice_api.post(send_url(invoice), HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()["code"]) == (409, "no_channel")
    assert "cannot be reached" in response.json()["detail"]
    assert _still_a_draft(invoice)


def test_an_invalid_invoice_answers_422_and_stays_a_draft(
    alice_api: Any, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org, name="")  # no buyer name: BR-7
    invoice = draft(alice_org, alice, customer=customer)
    response = alice_api.post(send_url(invoice))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_invoice"
    assert body["errors"] and all(error["severity"] == "fatal" for error in body["errors"])
    assert "BR-07" in {error["rule"] for error in body["errors"]}
    invoice.refresh_from_db()
    assert (invoice.number, _still_a_draft(invoice)) == ("", True)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"confirm_duplicate": "perhaps"}, "confirm_duplicate"),
        ({"confirm": True}, "confirm"),
        (["confirm_duplicate"], "non_field_errors"),
    ],
)
def test_bad_input_gets_the_error_format_and_sends_nothing(
    alice_api: Any,
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    payload: Any,
    field: str,
) -> None:
    invoice = draft(alice_org, alice)
    response = alice_api.post(send_url(invoice), payload, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert _still_a_draft(invoice)


def test_malformed_json_is_400_and_sends_nothing(
    alice_api: Any, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    response = alice_api.post(
        send_url(invoice), b'{"confirm_duplicate": tru', content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")
    assert _still_a_draft(invoice)


def test_mallory_gets_404_for_alices_invoice_even_when_her_gate_is_closed(
    mallory_api: Any, mallory_org: Organisation, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    for status in (Status.VERIFIED, Status.UNVERIFIED):
        _set_status(mallory_org, status)
        response = mallory_api.post(send_url(invoice))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert invoice.customer.name not in response.content.decode()
    assert not PendingSend.objects.exists()
    assert _still_a_draft(invoice)


def test_a_read_only_key_may_not_send(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    _set_status(alice_org, Status.UNVERIFIED)  # not even held: the key may not send at all
    response = api_client(alice_org, alice, read_only=True).post(send_url(invoice))
    assert (response.status_code, response.json()["code"]) == (403, "read_only_key")
    assert not PendingSend.objects.exists()
    assert _still_a_draft(invoice)


def test_without_a_key_nothing_is_sent(alice: Any, alice_org: Organisation) -> None:
    from rest_framework.test import APIClient

    invoice = draft(alice_org, alice)
    response = APIClient().post(send_url(invoice))
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert _still_a_draft(invoice)


# --- The gate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "held"),
    [
        (Status.UNVERIFIED, "organisation_not_verified", True),
        (Status.DETAILS_CONFIRMED, "organisation_not_verified", True),
        (Status.PENDING_REVIEW, "organisation_pending_review", False),
        (Status.SUSPENDED, "organisation_suspended", False),
    ],
)
def test_the_gate_answers_403_with_its_code_and_queues_nothing(
    alice_api: Any,
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    django_capture_on_commit_callbacks: Any,
    status: str,
    code: str,
    held: bool,
) -> None:
    invoice = draft(alice_org, alice)
    _set_status(alice_org, status)

    with django_capture_on_commit_callbacks() as callbacks:
        response = alice_api.post(send_url(invoice), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["held"]) == (code, held)
    assert body["verify_url"] == "http://testserver" + reverse("signing:verify")
    alice_org.refresh_from_db()
    with translation.override("en"):
        assert body["detail"] == str(sending_allowed(organisation=alice_org).detail)
    assert not callbacks  # no task enqueued
    assert _still_a_draft(invoice)
    pending = list(PendingSend.objects.values_list("invoice", "user", "api_key__name"))
    assert pending == ([(invoice.pk, alice.pk, "ERP")] if held else [])


def test_a_held_send_goes_out_after_a_user_signs_with_bankid_with_no_second_call(
    sim: Simulator,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Sara's ERP sends before the company is verified; Sara signs; the invoice goes."""
    organisation = fjallgarden_create()
    sara = member(organisation, "sara@fjallgarden.example")
    OrganisationFactory(legal_name="Köparen AB", org_number=BUYER_ORG_NUMBER)
    invoice = draft(organisation, sara)
    erp = api_client(organisation, sara)

    held = erp.post(send_url(invoice))
    assert (held.status_code, held.json()["code"], held.json()["held"]) == (
        403,
        "organisation_not_verified",
        True,
    )
    assert _still_a_draft(invoice)

    browser, _ = login("sara@fjallgarden.example")
    order = start_signing(browser)
    sign_in_app(sim, browser, order, SARA)
    with django_capture_on_commit_callbacks(execute=True):
        state = poll_until_done(browser, order)
    assert state["status"] == "complete"

    organisation.refresh_from_db()
    assert organisation.verification_status == Status.VERIFIED
    delivery = Delivery.objects.get()
    assert (delivery.invoice, delivery.channel) == (invoice, DeliveryChannel.NETWORK)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.QUEUED
    assert not PendingSend.objects.exists()
    # The ERP's next look sees the same delivery; it never has to send again.
    again = erp.post(send_url(invoice))
    assert (again.status_code, again.json()["id"]) == (202, str(delivery.public_id))


def test_a_held_send_whose_key_was_revoked_stays_unsent_with_a_reason(
    alice_api: Any, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    _set_status(alice_org, Status.UNVERIFIED)
    assert alice_api.post(send_url(invoice)).status_code == 403
    api_key_revoke(actor=alice, api_key=ApiKey.objects.get())
    _set_status(alice_org, Status.VERIFIED)

    assert services.pending_sends_release(organisation_id=alice_org.pk) == 0

    assert _still_a_draft(invoice)
    assert not PendingSend.objects.exists()
    line = InvoiceEvent.objects.get(invoice=invoice, status="held")
    assert line.code == "event.held.key_revoked"
    with translation.override("en"):
        assert line.text == "Not sent after signing: the API key that sent it has been revoked."


def test_a_send_pressed_in_the_browser_too_does_not_hang_on_the_key(
    alice_api: Any,
    alice_client: Client,
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
) -> None:
    invoice = draft(alice_org, alice)
    _set_status(alice_org, Status.UNVERIFIED)
    assert alice_api.post(send_url(invoice)).status_code == 403
    alice_client.post(reverse("invoices:send", args=[invoice.public_id]))
    api_key_revoke(actor=alice, api_key=ApiKey.objects.get())
    _set_status(alice_org, Status.VERIFIED)

    assert services.pending_sends_release(organisation_id=alice_org.pk) == 1
    assert invoice.deliveries.count() == 1


# --- Discovery --------------------------------------------------------------------------

DISCOVERY = "/api/v1/discovery"


@pytest.mark.parametrize("identifier", ["556036-0793", "5560360793", "0007:5560360793"])
def test_discovery_finds_a_portal_member_by_any_of_its_identifiers(
    alice_api: Any, member_buyer: Organisation, identifier: str
) -> None:
    response = alice_api.get(DISCOVERY, {"identifier": identifier}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["reachable"], body["channel"], body["customer_id"]) == (True, "network", None)
    assert body["reason"] == "the buyer uses the portal: the invoice goes to its inbox"


@pytest.mark.parametrize("identifier", ["0007:5562671239", "0088:7300010000001", "9957:abc-123"])
def test_discovery_of_a_peppol_participant_outside_the_portal(
    alice_api: Any, identifier: str
) -> None:
    body = alice_api.get(DISCOVERY, {"identifier": identifier}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["identifier"], body["reachable"], body["channel"]) == (identifier, True, "peppol")
    assert body["reason"] == f"the buyer has PEPPOL participant id {identifier}"


def test_discovery_follows_the_customer_register_as_the_send_does(
    alice_api: Any, alice: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(
        organisation=alice_org, org_number="556267-1239", email="faktura@kund.example"
    )
    body = alice_api.get(DISCOVERY, {"identifier": "5562671239"}).json()
    assert (body["channel"], body["customer_id"]) == ("email", customer.pk)
    # The same answer the send gives for an invoice to that customer.
    sent = alice_api.post(send_url(draft(alice_org, alice, customer=customer))).json()
    assert (sent["channel"], sent["reason"]) == (body["channel"], body["reason"])


def test_discovery_of_an_unknown_org_number_says_it_is_not_reachable(
    alice_api: Any, alice_org: Organisation, mallory_api: Any
) -> None:
    CustomerFactory(organisation=alice_org, org_number="556267-1239", email="a@kund.example")
    body = mallory_api.get(DISCOVERY, {"identifier": "556267-1239"}).json()
    # Alice's customer does not decide mallory's route, nor show in her answer.
    assert (body["reachable"], body["channel"], body["customer_id"]) == (False, None, None)
    assert "a@kund.example" not in str(body) and body["reason"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"identifier": ""},
        {"identifier": "5560360794"},
        {"identifier": "hello"},
        {"identifier": "7:123"},
        {"identifier": "9955:123"},
        {"identifier": "0007:556036079"},
        {"identifier": "0007:"},
        {"identifier": "x" * 101},
    ],
)
def test_discovery_refuses_an_identifier_it_cannot_read(
    alice_api: Any, query: dict[str, str]
) -> None:
    response = alice_api.get(DISCOVERY, query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert [error["field"] for error in body["errors"]] == ["identifier"]


def test_a_read_only_key_may_ask_discovery(alice_org: Organisation, alice: Any) -> None:
    response = api_client(alice_org, alice, read_only=True).get(
        DISCOVERY, {"identifier": "0007:5562671239"}
    )
    assert response.status_code == 200


# --- What a create and a send cost the database ----------------------------------------------

# Measured when set (in the test's transaction, which adds savepoints; 28 and 37 before the
# key was looked up once and idempotency written in single statements): a new query on this
# path is a choice to make, not a drift. A month end sends thousands (invoices/bench_load.py).
CREATE_QUERIES = 18
SEND_QUERIES = 33


def test_an_erp_creating_and_sending_an_invoice_stays_within_its_query_budget(
    alice_api: Any, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    alice_api.get("/api/v1/invoices")  # the key's first use is recorded once, not each time
    with CaptureQueriesContext(connection) as creating:
        created = alice_api.post(
            "/api/v1/invoices",
            invoice_payload(customer),
            format="json",
            HTTP_IDEMPOTENCY_KEY="month-end-1",
        )
    assert created.status_code == 201, created.json()
    with CaptureQueriesContext(connection) as sending:
        sent = alice_api.post(
            f"/api/v1/invoices/{created.json()['id']}/send",
            {},
            format="json",
            HTTP_IDEMPOTENCY_KEY="month-end-2",
        )
    assert sent.status_code == 202, sent.json()
    assert (len(creating), len(sending)) == (CREATE_QUERIES, SEND_QUERIES)
