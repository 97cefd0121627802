"""Sends held back by the gate go out server-side when signing completes, never by a GET."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Organisation
from accounts.tests.factories import OrganisationFactory
from invoices import selectors, services
from invoices.models import Delivery, Invoice, InvoiceEvent, PendingSend
from invoices.tests.concurrency import locked_elsewhere
from invoices.tests.factories import draft
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus


@pytest.fixture
def member_buyer(db: None) -> Organisation:
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


def _set_status(organisation: Organisation, status: str) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(verification_status=status)


def _pressed_send_while_unverified(
    client: Client, organisation: Organisation, invoice: Invoice
) -> None:
    _set_status(organisation, Status.UNVERIFIED)
    response = client.post(reverse("invoices:send", args=[invoice.public_id]))
    assert response.status_code == 302 and PendingSend.objects.filter(invoice=invoice).exists()
    _set_status(organisation, Status.VERIFIED)


def test_a_held_back_send_brings_the_user_back_to_the_invoice_and_waits_there(
    alice_client: Client, alice: Any, bob: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    _set_status(alice_org, Status.UNVERIFIED)

    response = alice_client.post(reverse("invoices:send", args=[invoice.public_id]))

    detail = reverse("invoices:detail", args=[invoice.public_id])
    assert response.url == reverse("signing:verify") + "?next=" + detail.replace("/", "%2F")
    assert not Delivery.objects.exists()
    # What the verification page lists: this user's waiting invoice, with its customer.
    waiting = selectors.pending_send_list(organisation=alice_org, user=alice)
    assert [(row.invoice, row.invoice.customer) for row in waiting] == [(invoice, invoice.customer)]
    assert not selectors.pending_send_list(organisation=alice_org, user=bob).exists()


def test_no_get_sends_a_held_back_invoice(
    alice_client: Client, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    _pressed_send_while_unverified(alice_client, alice_org, invoice)
    send = reverse("invoices:send", args=[invoice.public_id])

    assert alice_client.get(send + "resume/").status_code == 404  # the old resume link
    assert alice_client.get(send).status_code == 405
    assert not Delivery.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT


def test_a_get_to_send_while_unverified_remembers_nothing(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    _set_status(alice_org, Status.UNVERIFIED)
    response = alice_client.get(reverse("invoices:send", args=[invoice.public_id]))
    assert response.url.startswith(reverse("signing:verify"))
    assert not PendingSend.objects.exists()


def test_release_sends_a_held_invoice_once_when_called_twice(
    alice_client: Client,
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    invoice = draft(alice_org, alice)
    _pressed_send_while_unverified(alice_client, alice_org, invoice)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.pending_sends_release(organisation_id=alice_org.pk) == 1
        assert services.pending_sends_release(organisation_id=alice_org.pk) == 0
    assert len(callbacks) == 2  # one delivery task and its invoice.queued event's webhooks
    delivery = Delivery.objects.get()
    assert delivery.invoice == invoice
    assert not PendingSend.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.QUEUED


def test_a_possible_duplicate_is_held_with_a_reason_and_the_others_still_go(
    alice_client: Client, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    first = draft(alice_org, alice)
    services.invoice_send(invoice=first, user=alice)
    twin = draft(alice_org, alice, customer=first.customer)
    other = draft(alice_org, alice, issue_date=first.issue_date.replace(day=20))
    _pressed_send_while_unverified(alice_client, alice_org, twin)
    _pressed_send_while_unverified(alice_client, alice_org, other)

    assert services.pending_sends_release(organisation_id=alice_org.pk) == 1

    twin.refresh_from_db()
    assert twin.status == Invoice.Status.DRAFT
    assert not twin.deliveries.exists()
    held = InvoiceEvent.objects.get(invoice=twin, status="held")
    assert (held.code, held.actor) == ("event.held.duplicate", alice)
    with translation.override("en"):
        assert held.text.startswith("Held back: it looks like an invoice already sent.")
    assert other.deliveries.count() == 1
    assert not PendingSend.objects.exists()  # held once: pressing Send decides now
    page = alice_client.get(reverse("invoices:detail", args=[twin.public_id])).content.decode()
    assert "Inte skickad" in page and "liknar en faktura som redan har skickats" in page


def test_a_user_who_may_no_longer_send_sends_nothing(
    alice_client: Client, alice: Any, bob: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    services.pending_send_remember(user=bob, invoice=invoice)
    Membership.objects.filter(user=bob).update(role=Membership.Role.READER)

    assert services.pending_sends_release(organisation_id=alice_org.pk) == 0
    assert not Delivery.objects.exists()
    assert InvoiceEvent.objects.filter(invoice=invoice, status="held").exists()


def test_release_waits_while_the_organisation_may_not_send(
    alice_client: Client, alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    _pressed_send_while_unverified(alice_client, alice_org, invoice)
    _set_status(alice_org, Status.SUSPENDED)

    assert services.pending_sends_release(organisation_id=alice_org.pk) == 0
    assert PendingSend.objects.filter(invoice=invoice).exists()  # kept for a later release
    assert not InvoiceEvent.objects.filter(invoice=invoice).exists()


def test_release_touches_only_its_organisation(
    alice: Any, alice_org: Organisation, mallory: Any, mallory_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    services.pending_send_remember(user=alice, invoice=invoice)
    assert services.pending_sends_release(organisation_id=mallory_org.pk) == 0
    assert PendingSend.objects.filter(invoice=invoice).exists()


@pytest.mark.django_db(transaction=True)
def test_a_send_another_release_holds_is_skipped_not_repeated(
    alice: Any, alice_org: Organisation, member_buyer: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    services.pending_send_remember(user=alice, invoice=invoice)
    celery_app.control.purge()
    with locked_elsewhere(PendingSend.objects.filter(invoice=invoice)):  # a second release
        assert services.pending_sends_release(organisation_id=alice_org.pk) == 0
    assert not Delivery.objects.exists()
    assert services.pending_sends_release(organisation_id=alice_org.pk) == 1
    assert Delivery.objects.filter(invoice=invoice).count() == 1
    celery_app.control.purge()
