"""The event feed: what the services record; GET /events in order, by cursor, per organisation."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import Organisation, RiskFlag
from accounts.tests.factories import OrganisationFactory, UserFactory
from integrations import selectors
from integrations.models import Event
from integrations.services import event_record
from invoices import services
from invoices.models import ReceivedInvoice
from invoices.services.delivering import delivery_attempt
from invoices.tests.concurrency import uncommitted_elsewhere
from invoices.tests.factories import draft
from signing.models import SigningOrder
from tests.bankid_simulator import Simulator
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
Type = Event.Type
Status = Organisation.VerificationStatus


@pytest.fixture
def member_buyer(db: None) -> Organisation:
    """Another portal organisation: invoices to it land in its inbox."""
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


def _types(organisation: Organisation) -> list[str]:
    return list(Event.objects.filter(organisation=organisation).values_list("type", flat=True))


# --- What the services record ------------------------------------------------------------


def test_a_send_to_a_member_records_queued_and_delivered_and_the_buyers_inbox_event(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    delivery_attempt(delivery.pk, final=False)

    assert _types(alice_org) == [Type.INVOICE_QUEUED, Type.INVOICE_DELIVERED]
    queued = Event.objects.get(organisation=alice_org, type=Type.INVOICE_QUEUED)
    assert queued.data == {
        "invoice": str(delivery.invoice.public_id),
        "number": "1",
        "kind": "invoice",
        "delivery": str(delivery.public_id),
        "channel": "network",
        "recipient": str(member_buyer.public_id),
    }
    received = ReceivedInvoice.objects.get()
    inbox = Event.objects.get(organisation=member_buyer)
    assert (inbox.type, inbox.data) == (
        Type.INBOX_RECEIVED,
        {"received_invoice": str(received.public_id), "number": "1", "kind": "invoice"},
    )


def test_only_the_final_failure_is_recorded_not_each_retry(
    alice: Any, alice_org: Organisation, settings: Any
) -> None:
    # E-mail to a port nobody listens on: a transient failure, retried, then given up.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)

    assert delivery_attempt(delivery.pk, final=False).outcome == "retry"
    assert _types(alice_org) == [Type.INVOICE_QUEUED]
    assert delivery_attempt(delivery.pk, final=True).outcome == "failed"

    assert _types(alice_org) == [Type.INVOICE_QUEUED, Type.INVOICE_FAILED]
    failed = Event.objects.get(type=Type.INVOICE_FAILED)
    assert failed.data["error"] == "delivery.gave_up"
    assert failed.data["channel"] == "email"


def test_a_suspension_is_recorded_and_fails_the_queued_invoice(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    staff = UserFactory(is_staff=True)
    accounts_services.organisation_suspend(staff=staff, organisation=alice_org, reason="Fraud")
    delivery_attempt(delivery.pk, final=False)

    assert _types(alice_org) == [
        Type.INVOICE_QUEUED,
        Type.ORGANISATION_SUSPENDED,
        Type.INVOICE_FAILED,
    ]
    suspended = Event.objects.get(type=Type.ORGANISATION_SUSPENDED)
    assert suspended.data == {"organisation": str(alice_org.public_id), "status": "suspended"}
    assert Event.objects.get(type=Type.INVOICE_FAILED).data["error"] == "organisation_suspended"
    assert _types(member_buyer) == []


def test_reinstating_a_verified_organisation_records_it_verified_again(
    alice_org: Organisation,
) -> None:
    staff = UserFactory(is_staff=True)
    accounts_services.organisation_suspend(staff=staff, organisation=alice_org, reason="Check")
    accounts_services.organisation_reinstate(staff=staff, organisation=alice_org)

    assert _types(alice_org) == [Type.ORGANISATION_SUSPENDED, Type.ORGANISATION_VERIFIED]


@pytest.mark.parametrize(("approve", "types"), [(True, [Type.ORGANISATION_VERIFIED]), (False, [])])
def test_a_risk_flag_approved_records_verified_and_a_rejection_nothing(
    alice: Any, alice_org: Organisation, approve: bool, types: list[str]
) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(verification_status=Status.PENDING_REVIEW)
    alice_org.refresh_from_db()
    case = accounts_services.risk_flag_raise(
        kind=RiskFlag.Kind.SIGNATORY_MISMATCH,
        org_number=alice_org.org_number,
        organisation=alice_org,
        raised_by=alice,
        reason="The signer is not a signatory",
        evidence={},
    )
    staff = UserFactory(is_staff=True, is_superuser=True)
    accounts_services.review_decide(
        staff=staff, flag=case, action="approve" if approve else "reject", reason="Checked"
    )

    assert _types(alice_org) == types


@pytest.mark.urls("signing.tests.gate_urls")
def test_signing_with_bankid_records_the_organisation_verified(
    sim: Simulator, django_capture_on_commit_callbacks: Any
) -> None:
    organisation = fjallgarden_create()
    member(organisation, "sara@fjallgarden.example")
    client, _ = login("sara@fjallgarden.example")
    order: SigningOrder = start_signing(client)
    assert _types(organisation) == []  # details confirmed is not news

    sign_in_app(sim, client, order, SARA)
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_until_done(client, order)["status"] == "complete"

    assert _types(organisation) == [Type.ORGANISATION_VERIFIED]
    event = Event.objects.get(organisation=organisation)
    assert event.data == {"organisation": str(organisation.public_id), "status": "verified"}


# --- GET /events ---------------------------------------------------------------------------


def _record(organisation: Organisation, number: int) -> Event:
    return event_record(
        organisation=organisation, type=Type.INVOICE_QUEUED, data={"number": str(number)}
    )


def _numbers(page: dict[str, Any]) -> list[str]:
    return [event["data"]["number"] for event in page["events"]]


def test_the_feed_reads_in_order_page_by_page_and_waits_at_the_end(
    alice_api: Any, alice_org: Organisation
) -> None:
    for number in range(1, 6):
        _record(alice_org, number)
    url = reverse("api:events")

    first = alice_api.get(url, {"limit": 2}).json()
    second = alice_api.get(url, {"limit": 2, "after": first["next"]}).json()
    third = alice_api.get(url, {"after": second["next"]}).json()
    end = alice_api.get(url, {"after": third["next"]}).json()

    assert [_numbers(page) for page in (first, second, third)] == [["1", "2"], ["3", "4"], ["5"]]
    assert end == {"events": [], "next": third["next"]}  # poll again with the same cursor
    assert first["events"][1]["cursor"] == first["next"]
    assert set(first["events"][0]) == {"id", "type", "created_at", "data", "cursor"}
    _record(alice_org, 6)
    assert _numbers(alice_api.get(url, {"after": end["next"]}).json()) == ["6"]


def test_a_reader_resumes_from_any_events_cursor(alice_api: Any, alice_org: Organisation) -> None:
    for number in range(1, 4):
        _record(alice_org, number)
    events = alice_api.get(reverse("api:events")).json()["events"]

    page = alice_api.get(reverse("api:events"), {"after": events[0]["cursor"]}).json()

    assert _numbers(page) == ["2", "3"]


def test_mallory_sees_none_of_alices_events(
    mallory_api: Any, alice_org: Organisation, mallory_org: Organisation
) -> None:
    _record(alice_org, 1)
    _record(mallory_org, 2)

    page = mallory_api.get(reverse("api:events")).json()

    assert _numbers(page) == ["2"]


@pytest.mark.parametrize(
    "query",
    [{"after": "abc"}, {"after": "1"}, {"after": "-1.2"}, {"limit": 0}, {"limit": 501}, {"x": 1}],
)
def test_a_bad_cursor_or_limit_is_a_422_in_the_error_format(
    alice_api: Any, query: dict[str, Any]
) -> None:
    response = alice_api.get(reverse("api:events"), query, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert [error["field"] for error in body["errors"]] == list(query)


def test_a_read_only_key_reads_the_feed(alice_org: Organisation) -> None:
    from conftest import api_client

    _record(alice_org, 1)
    response = api_client(alice_org, read_only=True).get(reverse("api:events"))

    assert (response.status_code, _numbers(response.json())) == (200, ["1"])


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_not_skipped_by_a_cursor_that_read_past_it(
    alice_org: Organisation,
) -> None:
    """A transaction that drew a lower id but commits later: the feed waits for it."""
    with uncommitted_elsewhere(lambda: _record(alice_org, 1)):
        _record(alice_org, 2)  # commits at once, with a higher id
        held_back = selectors.event_list(organisation=alice_org, after=None, limit=10)
    both = _feed_once_settled(alice_org, count=2)

    assert held_back == []  # showing event 2 now would move the reader's cursor past event 1
    assert [event.data["number"] for event in both] == ["1", "2"]


def _feed_once_settled(organisation: Organisation, count: int) -> list[Event]:
    # Write transactions of other sessions on the server (other test runs) hold the feed
    # back for as long as they run: wait for them, briefly.
    deadline = time.monotonic() + 15
    while True:
        events = selectors.event_list(organisation=organisation, after=None, limit=10)
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.1)
