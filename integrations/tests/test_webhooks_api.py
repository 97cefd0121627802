"""GET/POST /webhooks, DELETE /webhooks/{id}, the deliveries and their retry, over the API."""

from __future__ import annotations

from base64 import b64decode
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Organisation
from conftest import api_client
from integrations.models import Event, WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrations.services import event_record, webhook_subscribe

pytestmark = pytest.mark.django_db
HOOK = "http://127.0.0.1:9/hooks/efaktura"


def _create(client: Any, **body: Any) -> Any:
    return client.post(
        reverse("api:webhooks"),
        {"url": HOOK, **body},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def subscription(alice_org: Organisation, alice: Any) -> WebhookSubscription:
    return webhook_subscribe(organisation=alice_org, user=alice, url=HOOK, event_types=[])


@pytest.fixture
def failed(subscription: WebhookSubscription) -> WebhookDelivery:
    event = event_record(organisation=subscription.organisation, type="invoice.queued", data={})
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event=event, status=WebhookDelivery.Status.FAILED, attempts=6
    )
    WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=500, duration_ms=12)
    WebhookAttempt.objects.create(delivery=delivery, number=2, error="ConnectError: refused")
    return delivery


def test_a_subscription_is_created_with_its_secret_shown_once(
    alice_api: Any, alice_org: Organisation
) -> None:
    response = _create(alice_api, event_types=["invoice.delivered", "inbox.received"])

    assert response.status_code == 201
    created = response.json()
    assert created["url"] == HOOK
    assert created["event_types"] == ["inbox.received", "invoice.delivered"]
    assert created["secret"].startswith("whsec_")
    assert len(b64decode(created["secret"].removeprefix("whsec_"))) >= 24
    listed = alice_api.get(reverse("api:webhooks")).json()
    assert listed == [{key: value for key, value in created.items() if key != "secret"}]
    stored = WebhookSubscription.objects.get(public_id=created["id"])
    assert stored.secret == created["secret"] and stored.organisation == alice_org
    audit = AuditEvent.objects.get(action="webhook.created")
    assert audit.data["url"] == HOOK and "api_key" in audit.data


def test_no_event_types_means_every_type(alice_api: Any) -> None:
    created = _create(alice_api).json()

    stored = WebhookSubscription.objects.get(public_id=created["id"])
    assert created["event_types"] == [] and all(stored.wants(type) for type in Event.Type.values)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://127.0.0.1/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": ""}, "url"),
        ({"event_types": ["invoice.paid"]}, "event_types[0]"),
        ({"event_types": "invoice.queued"}, "event_types"),
        ({"secret": "whsec_mine"}, "secret"),
    ],
)
def test_bad_input_is_refused_in_the_error_format_and_nothing_is_stored(
    alice_api: Any, body: dict[str, Any], field: str
) -> None:
    response = _create(alice_api, **body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://240.0.0.1/hook",
    ],
)
def test_private_addresses_are_refused_when_the_setting_says_so(
    alice_api: Any, settings: Any, url: str
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False

    response = _create(alice_api, url=url)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert "public address" in response.json()["errors"][0]["message"]
    assert not WebhookSubscription.objects.exists()


def test_production_takes_https_only(alice_api: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE, settings.WEBHOOK_REQUIRE_HTTPS = False, True

    refused = _create(alice_api, url="http://93.184.215.14/hook")
    accepted = _create(alice_api, url="https://93.184.215.14/hook")

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "url", "message": "A webhook URL must start with https://."}
    ]
    assert accepted.status_code == 201


def test_a_read_only_key_cannot_create_delete_or_retry(
    alice_org: Organisation, subscription: WebhookSubscription, failed: WebhookDelivery
) -> None:
    reader = api_client(alice_org, read_only=True)
    retry = reverse("api:webhook_delivery_retry", args=[subscription.public_id, failed.pk])

    responses = [
        _create(reader),
        reader.delete(reverse("api:webhook", args=[subscription.public_id])),
        reader.post(retry),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert {response.json()["code"] for response in responses} == {"read_only_key"}
    assert WebhookSubscription.objects.get().deleted_at is None
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
    assert reader.get(reverse("api:webhooks")).status_code == 200


def test_mallory_sees_none_of_alices_webhooks(
    mallory_api: Any, subscription: WebhookSubscription, failed: WebhookDelivery
) -> None:
    public_id = subscription.public_id

    assert mallory_api.get(reverse("api:webhooks")).json() == []
    for response in [
        mallory_api.delete(reverse("api:webhook", args=[public_id])),
        mallory_api.get(reverse("api:webhook_deliveries", args=[public_id])),
        mallory_api.post(reverse("api:webhook_delivery_retry", args=[public_id, failed.pk])),
    ]:
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert HOOK not in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.deleted_at is None


def test_a_delivery_of_another_subscription_is_not_found_under_this_one(
    alice_api: Any, alice: Any, alice_org: Organisation, failed: WebhookDelivery
) -> None:
    other = webhook_subscribe(organisation=alice_org, user=alice, url=HOOK + "2", event_types=[])

    response = alice_api.post(
        reverse("api:webhook_delivery_retry", args=[other.public_id, failed.pk])
    )

    assert response.status_code == 404


def test_deleting_stops_the_subscription_and_gives_up_its_waiting_deliveries(
    alice_api: Any, subscription: WebhookSubscription
) -> None:
    event = event_record(organisation=subscription.organisation, type="invoice.queued", data={})
    waiting = WebhookDelivery.objects.create(subscription=subscription, event=event)

    response = alice_api.delete(reverse("api:webhook", args=[subscription.public_id]))

    assert response.status_code == 204
    assert alice_api.get(reverse("api:webhooks")).json() == []
    again = alice_api.delete(reverse("api:webhook", args=[subscription.public_id]))
    assert again.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == WebhookDelivery.Status.FAILED
    assert AuditEvent.objects.filter(action="webhook.deleted").count() == 1


def test_the_deliveries_show_status_attempts_and_the_attempt_log(
    alice_api: Any, subscription: WebhookSubscription, failed: WebhookDelivery
) -> None:
    response = alice_api.get(reverse("api:webhook_deliveries", args=[subscription.public_id]))

    assert response.status_code == 200
    [delivery] = response.json()["results"]
    assert delivery["id"] == failed.pk
    assert (delivery["status"], delivery["attempts"]) == ("failed", 6)
    assert delivery["event"]["type"] == "invoice.queued"
    assert [(a["number"], a["status_code"], a["error"]) for a in delivery["log"]] == [
        (1, 500, ""),
        (2, None, "ConnectError: refused"),
    ]


def test_a_failed_delivery_is_retried_on_request_once_and_not_while_pending(
    alice_api: Any,
    subscription: WebhookSubscription,
    failed: WebhookDelivery,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("api:webhook_delivery_retry", args=[subscription.public_id, failed.pk])

    with django_capture_on_commit_callbacks() as enqueued:
        response = alice_api.post(url)
    again = alice_api.post(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert len(enqueued) == 1  # the task goes to the broker when the retry has committed
    assert again.status_code == 409
    assert again.json()["code"] == "webhook_delivery_pending"
    assert "still being attempted" in again.json()["detail"]


def test_a_create_repeated_with_its_idempotency_key_makes_one_subscription(
    alice_api: Any,
) -> None:
    first = alice_api.post(
        reverse("api:webhooks"), {"url": HOOK}, format="json", HTTP_IDEMPOTENCY_KEY="hook-1"
    )
    again = alice_api.post(
        reverse("api:webhooks"), {"url": HOOK}, format="json", HTTP_IDEMPOTENCY_KEY="hook-1"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert WebhookSubscription.objects.count() == 1
