"""Webhook deliveries: signed POSTs to a real receiver on loopback, retries, the log, the sweep."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts.models import Organisation
from accounts.tests.factories import OrganisationFactory
from integrations.models import Event, WebhookDelivery, WebhookSubscription
from integrations.services import (
    event_fan_out,
    event_record,
    webhook_delivery_attempt,
    webhook_subscribe,
    webhook_unsubscribe,
    webhooks_sweep,
)
from integrations.webhook_urls import webhook_target
from invoices import services
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import draft
from tests.conftest import CeleryWorker
from tests.loopback import Received, post_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_buyer(db: None) -> Organisation:
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


@pytest.fixture
def received() -> list[Received]:
    return []


@pytest.fixture
def receiver(received: list[Received]) -> Iterator[str]:
    """A webhook receiver that answers 204 to everything."""
    with post_server(lambda request: 204, received) as root_url:
        yield root_url + "/hooks/efaktura"


def _subscribe(organisation: Organisation, user: Any, url: str, *types: str) -> WebhookSubscription:
    return webhook_subscribe(organisation=organisation, user=user, url=url, event_types=list(types))


def _fan_out(type: str) -> WebhookDelivery:
    [delivery] = WebhookDelivery.objects.filter(event__type=type)
    return delivery


def _verified(secret: str, request: Received) -> Any:
    return Webhook(secret).verify(request.body, request.headers)


def test_the_receiver_gets_invoice_delivered_signed_with_the_secret(
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    receiver: str,
    received: list[Received],
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = _subscribe(alice_org, alice, receiver, "invoice.delivered")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
        delivery_attempt(delivery.pk, final=False)
    webhook = _fan_out("invoice.delivered")  # invoice.queued is not wanted: no delivery

    assert webhook_delivery_attempt(webhook.pk).outcome == "delivered"

    [request] = received
    assert request.path == "/hooks/efaktura"
    payload = _verified(subscription.secret, request)
    event = Event.objects.get(type="invoice.delivered")
    assert payload["type"] == "invoice.delivered"
    assert payload["data"]["invoice"] == str(delivery.invoice.public_id)
    assert payload["data"]["number"] == "1"
    assert payload["timestamp"].endswith("Z")
    assert request.headers["webhook-id"] == str(event.public_id)
    assert request.headers["content-type"] == "application/json"
    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts) == (WebhookDelivery.Status.DELIVERED, 1)
    assert [(a.number, a.status_code, a.error) for a in webhook.log.all()] == [(1, 204, "")]
    assert WebhookDelivery.objects.count() == 1
    # Another secret does not verify it: the signature is the subscription's own.
    with pytest.raises(WebhookVerificationError):
        _verified("whsec_" + "A" * 44, request)


def test_a_receiver_answering_500_then_200_is_retried_with_the_same_id_and_logged(
    alice: Any, alice_org: Organisation, received: list[Received], settings: Any
) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0  # the retry is due at once
    answers = iter([500, 200])
    with post_server(lambda request: next(answers), received) as root_url:
        _subscribe(alice_org, alice, root_url)
        event = event_record(organisation=alice_org, type="invoice.queued", data={"number": "7"})
        event_fan_out(event=event)
        delivery = WebhookDelivery.objects.get()

        first = webhook_delivery_attempt(delivery.pk)
        second = webhook_delivery_attempt(delivery.pk)
        third = webhook_delivery_attempt(delivery.pk)

    assert (first.outcome, first.retry_in) == ("retry", 0.0)
    assert (second.outcome, third.outcome) == ("delivered", "skipped")
    assert [request.headers["webhook-id"] for request in received] == [str(event.public_id)] * 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.DELIVERED, 2)
    assert [(a.number, a.status_code) for a in delivery.log.all()] == [(1, 500), (2, 200)]


def test_retries_back_off_and_end_in_failed(
    alice: Any, alice_org: Organisation, received: list[Received], settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_RETRY_BASE_SECONDS = 3, 0
    with post_server(lambda request: 302, received) as root_url:  # a redirect is not followed
        _subscribe(alice_org, alice, root_url)
        event_fan_out(event=event_record(organisation=alice_org, type="invoice.queued", data={}))
        delivery = WebhookDelivery.objects.get()
        outcomes = [webhook_delivery_attempt(delivery.pk).outcome for _ in range(4)]

    assert outcomes == ["retry", "retry", "failed", "skipped"]
    assert len(received) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 3)


def test_the_pause_doubles_and_a_task_that_comes_early_changes_nothing(
    alice: Any, alice_org: Organisation, settings: Any
) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 120
    _subscribe(alice_org, alice, "http://127.0.0.1:9/closed")  # nobody listens on port 9
    event_fan_out(event=event_record(organisation=alice_org, type="invoice.queued", data={}))
    delivery = WebhookDelivery.objects.get()

    first = webhook_delivery_attempt(delivery.pk)
    early = webhook_delivery_attempt(delivery.pk)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    second = webhook_delivery_attempt(delivery.pk)

    assert (first.retry_in, early.outcome, second.retry_in) == (120.0, "skipped", 240.0)
    delivery.refresh_from_db()
    [attempt, _] = delivery.log.all()
    assert attempt.status_code is None and attempt.error.startswith("ConnectError")


def test_the_url_is_checked_again_at_send_time(
    alice: Any, alice_org: Organisation, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name resolved to a public address when saved, to loopback now."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    answers = iter(["93.184.215.14", "127.0.0.1"])

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        address = next(answers)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    _subscribe(alice_org, alice, "http://hooks.example/efaktura")
    event_fan_out(event=event_record(organisation=alice_org, type="invoice.queued", data={}))
    delivery = WebhookDelivery.objects.get()

    assert webhook_delivery_attempt(delivery.pk).outcome == "retry"
    [attempt] = delivery.log.all()
    assert (attempt.status_code, attempt.error) == (None, "url_refused: private_address")


def test_a_checked_name_is_posted_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:2800:21f::1", port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    target = webhook_target(
        "https://hooks.example:8443/in?x=1", require_https=True, allow_private=False
    )

    assert target.url == "https://[2606:2800:21f::1]:8443/in?x=1"
    assert target.headers == {"Host": "hooks.example:8443"}
    assert target.extensions == {"sni_hostname": "hooks.example"}  # the certificate's name


def test_only_subscriptions_that_want_the_type_get_a_delivery(
    alice: Any, alice_org: Organisation, mallory: Any, mallory_org: Organisation
) -> None:
    every = _subscribe(alice_org, alice, "http://127.0.0.1:9/every")
    _subscribe(alice_org, alice, "http://127.0.0.1:9/delivered", "invoice.delivered")
    gone = _subscribe(alice_org, alice, "http://127.0.0.1:9/gone")
    webhook_unsubscribe(subscription=gone, user=alice)
    _subscribe(mallory_org, mallory, "http://127.0.0.1:9/mallory")

    event = event_record(organisation=alice_org, type="invoice.queued", data={})
    assert event_fan_out(event=event) == 1
    assert event_fan_out(event=event) == 1  # again: the same delivery, enqueued again

    assert list(WebhookDelivery.objects.values_list("subscription", flat=True)) == [every.pk]


def test_the_sweeper_fans_out_lost_events_and_requeues_overdue_deliveries(
    alice: Any, alice_org: Organisation
) -> None:
    _subscribe(alice_org, alice, "http://127.0.0.1:9/delivered", "invoice.delivered")
    # The process died after the commit: the events exist, their fan-out never ran.
    event_record(organisation=alice_org, type="invoice.queued", data={})
    event_record(organisation=alice_org, type="invoice.delivered", data={})
    assert webhooks_sweep() == 0  # too fresh: the commit hook may still be on its way

    later = timezone.now() + timedelta(minutes=2)
    assert webhooks_sweep(now=later) == 1
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event.type == "invoice.delivered"
    assert webhooks_sweep(now=later) == 1  # pending and overdue: enqueued again, not duplicated
    assert WebhookDelivery.objects.count() == 1
    WebhookDelivery.objects.update(status=WebhookDelivery.Status.DELIVERED)
    assert webhooks_sweep(now=later) == 0


def test_a_deleted_subscription_is_never_posted_to(
    alice: Any, alice_org: Organisation, receiver: str, received: list[Received]
) -> None:
    subscription = _subscribe(alice_org, alice, receiver)
    event_fan_out(event=event_record(organisation=alice_org, type="invoice.queued", data={}))
    webhook_unsubscribe(subscription=subscription, user=alice)

    assert webhook_delivery_attempt(WebhookDelivery.objects.get().pk).outcome == "skipped"
    assert received == []


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_invoice_and_posts_the_signed_webhook(
    celery_worker_process: CeleryWorker,
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    receiver: str,
    received: list[Received],
) -> None:
    subscription = _subscribe(alice_org, alice, receiver, "invoice.delivered")

    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)

    celery_worker_process.wait_for(lambda: len(received) == 1, timeout=30)
    payload = _verified(subscription.secret, received[0])
    assert payload["type"] == "invoice.delivered"
    assert payload["data"]["delivery"] == str(delivery.public_id)
    celery_worker_process.wait_for(
        lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).exists()
    )
    assert json.loads(received[0].body)["data"]["number"] == "1"
