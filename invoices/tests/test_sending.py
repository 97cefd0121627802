"""The send service and one delivery attempt (the task's body, called directly)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation
from accounts.tests.factories import OrganisationFactory
from invoices import errors, services
from invoices.models import Delivery, DeliveryChannel, Invoice, InvoiceEvent, ReceivedInvoice
from invoices.services.delivering import deliveries_sweep, delivery_attempt
from invoices.tasks import delivery_deliver_task
from invoices.tests.concurrency import locked_elsewhere
from invoices.tests.factories import CustomerFactory, draft, issued, two_rate_input
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus


@pytest.fixture
def member_buyer(db: None) -> Organisation:
    """Another portal organisation: invoices to it land in its inbox."""
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


def test_send_queues_exactly_one_delivery_and_enqueues_after_commit(
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    invoice = draft(alice_org, alice)
    with django_capture_on_commit_callbacks() as callbacks:
        delivery = services.invoice_send(invoice=invoice, user=alice)
        again = services.invoice_send(invoice=invoice, user=alice)
    assert again.pk == delivery.pk
    # One task and the invoice.queued event's webhooks, both only when the transaction commits.
    assert len(callbacks) == 2
    assert Delivery.objects.count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == (Invoice.Status.QUEUED, "1")
    assert delivery.channel == DeliveryChannel.NETWORK
    assert "portal" in delivery.reason
    assert InvoiceEvent.objects.filter(invoice=invoice, status="queued").exists()


def test_an_attempt_delivers_to_the_inbox_once(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    assert delivery_attempt(delivery.pk, final=False).outcome == "skipped"
    received = ReceivedInvoice.objects.get()
    assert (received.recipient, received.sender) == (member_buyer, alice_org)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.attempts == 1
    delivery.invoice.refresh_from_db()
    assert delivery.invoice.status == Invoice.Status.DELIVERED


@pytest.mark.parametrize("status", [Status.UNVERIFIED, Status.PENDING_REVIEW, Status.SUSPENDED])
def test_only_verified_organisations_send(alice: Any, alice_org: Organisation, status: str) -> None:
    invoice = draft(alice_org, alice)
    Organisation.objects.filter(pk=alice_org.pk).update(verification_status=status)
    invoice.refresh_from_db()
    with pytest.raises(errors.SendingBlocked):
        services.invoice_send(invoice=invoice, user=alice)
    assert not Delivery.objects.exists()


def test_a_suspension_stops_queued_invoices(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    Organisation.objects.filter(pk=alice_org.pk).update(verification_status=Status.SUSPENDED)
    assert delivery_attempt(delivery.pk, final=False).outcome == "failed"
    assert not ReceivedInvoice.objects.exists()


def test_no_usable_channel_is_refused_with_nothing_stored(
    alice: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org, org_number="", email="", peppol_id="")
    invoice = draft(alice_org, alice, customer=customer)
    with pytest.raises(errors.NoChannel):
        services.invoice_send(invoice=invoice, user=alice)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == (Invoice.Status.DRAFT, "")
    assert not Delivery.objects.exists()


def test_an_invalid_invoice_is_not_sent(alice: Any, alice_org: Organisation) -> None:
    customer = CustomerFactory(organisation=alice_org, name="")
    invoice = draft(alice_org, alice, customer=customer)
    with pytest.raises(errors.InvoiceInvalid):
        services.invoice_send(invoice=invoice, user=alice)
    assert not Delivery.objects.exists()


def test_the_duplicate_guard_asks_first(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    first = draft(alice_org, alice)
    services.invoice_send(invoice=first, user=alice)
    twin = draft(alice_org, alice, customer=first.customer)
    with pytest.raises(errors.PossibleDuplicate) as raised:
        services.invoice_send(invoice=twin, user=alice)
    assert [match.pk for match in raised.value.matches] == [first.pk]
    assert services.invoice_send(invoice=twin, user=alice, confirm_duplicate=True)


def test_the_sweeper_requeues_abandoned_deliveries(
    alice: Any, alice_org: Organisation, member_buyer: Organisation, settings: Any
) -> None:
    settings.DELIVERY_SENDING_TIMEOUT_SECONDS = 0
    settings.DELIVERY_QUEUED_GRACE_SECONDS = 0
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    # As a worker killed mid-attempt leaves it: claimed, never finished.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now() - timedelta(seconds=5)
    )
    assert deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED


def test_the_sweeper_requeues_a_waiting_delivery_once_per_grace_period(
    alice: Any, alice_org: Organisation, member_buyer: Organisation, settings: Any
) -> None:
    # A month-end backlog keeps deliveries queued longer than the grace period: each sweep
    # must not put every one of them on the queue again, or the backlog feeds itself.
    settings.DELIVERY_QUEUED_GRACE_SECONDS = 60
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    Delivery.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - timedelta(seconds=61)
    )
    assert deliveries_sweep() == 1
    assert deliveries_sweep() == 0  # the next sweep, a minute later in production
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED


def test_mallory_cannot_send_or_resend_alices_invoice(
    mallory_client: Client, mallory_org: Organisation, alice: Any, alice_org: Organisation
) -> None:
    # Verified, so the gate lets her through to the view, which must not find the invoice.
    Organisation.objects.filter(pk=mallory_org.pk).update(verification_status=Status.VERIFIED)
    invoice = issued(alice_org, alice)
    for name in ("send", "resend"):
        response = mallory_client.post(reverse(f"invoices:{name}", args=[invoice.public_id]))
        assert response.status_code == 404, name
    assert not Delivery.objects.exists()


def test_mallory_sees_nothing_of_alices_inbox(
    alice: Any, alice_org: Organisation, member_buyer: Organisation, mallory_client: Client
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    delivery_attempt(delivery.pk, final=False)
    received = ReceivedInvoice.objects.get()
    for name in ("received", "received_xml", "received_pdf"):
        url = reverse(f"invoices:{name}", args=[received.public_id])
        assert mallory_client.get(url).status_code == 404, name
    assert (
        mallory_client.post(
            reverse("invoices:received_handled", args=[received.public_id])
        ).status_code
        == 404
    )


# --- Round trips: what one send and one inbox delivery cost the database ------------------------


def _queries(run: Any) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run()
    return [query["sql"] for query in captured.captured_queries]


def _statements(queries: list[str]) -> list[str]:
    # The test's own transaction turns BEGIN and COMMIT into savepoints: leave them out.
    return [sql for sql in queries if "SAVEPOINT" not in sql]


def test_sending_a_draft_costs_the_same_few_queries_whatever_its_length(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    services.invoice_send(invoice=draft(alice_org, alice), user=alice)  # creates the series
    short = draft(alice_org, alice, issue_date=date(2026, 11, 3))
    long = draft(alice_org, alice, issue_date=date(2026, 11, 4))
    more = [line for line in two_rate_input(long.customer).lines for _ in range(10)]
    services.invoice_update(
        invoice=long, user=alice, data=two_rate_input(long.customer, lines=more)
    )

    sent_short = _queries(lambda: services.invoice_send(invoice=short, user=alice))
    sent_long = _queries(lambda: services.invoice_send(invoice=long, user=alice))

    # Lock and read, the duplicate guard, route, number (lock + bump), lines, allowances,
    # attachments, one UPDATE of the invoice, delivery, event, pending sends, two audits (each
    # locks the audit chain's head, inserts, moves the head), the feed's invoice.queued, and
    # (Alice's organisation is younger than 30 days) the velocity check: is it flagged
    # already, and if not, its one aggregate.
    assert len(_statements(sent_short)) == len(_statements(sent_long)) == 21
    updates = [sql for sql in sent_short if sql.startswith('UPDATE "invoices_invoice"')]
    assert len(updates) == 1


def test_an_inbox_delivery_is_one_short_transaction(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)

    attempt = _queries(lambda: delivery_attempt(delivery.pk, final=False))

    # Lock the queued row, find the member, file the invoice, record delivery, invoice, event;
    # the feed's inbox.received (the buyer's) and invoice.delivered (the seller's).
    assert len(_statements(attempt)) == 8
    assert _statements(attempt)[0].endswith("SKIP LOCKED")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.DELIVERED, 1)


@pytest.mark.django_db(transaction=True)
def test_a_delivery_another_worker_holds_is_skipped_not_waited_for(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    celery_app.control.purge()  # no worker here: the test runs the task's body itself
    # Another worker, in the middle of this delivery.
    with locked_elsewhere(Delivery.objects.filter(pk=delivery.pk)):
        assert delivery_attempt(delivery.pk, final=False).outcome == "skipped"
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    assert ReceivedInvoice.objects.filter(delivery=delivery).count() == 1


def test_the_history_is_written_in_the_portals_language_whatever_the_worker_speaks(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)

    with translation.override("en"):
        assert delivery_deliver_task(delivery.pk) == "delivered"

    line = InvoiceEvent.objects.get(invoice=delivery.invoice, status="delivered").detail
    assert line.startswith("Nätverkets inkorg, försök 1: inbox:")
