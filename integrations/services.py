"""Events and webhooks: record an event, fan it out to subscriptions, deliver each one signed.

An event is written in the transaction of the change it reports, so it exists exactly when
the change does. Its webhook deliveries are created after that commit and each POSTed by a
worker, outside any transaction; the sweeper picks up whatever a lost message or a crash
left behind.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from base64 import b64encode
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Func, JSONField, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import ApiKey, Organisation, PartnerIntegration
from accounts.services.audit import audit_event_record
from integrations import errors
from integrations.models import (
    CurrentTransactionId,
    Event,
    PartnerEventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from integrations.webhook_urls import WebhookTarget, webhook_target
from portal.tls import tls_context

if TYPE_CHECKING:
    from invoices.models import Delivery, ReceivedInvoice

logger = logging.getLogger(__name__)
Pending = WebhookDelivery.Status.PENDING
# A claimed delivery is left alone this long (the POST's timeout and a margin): a second
# task for it is a no-op meanwhile, and the sweeper takes it back after a crash.
CLAIM_MARGIN_SECONDS = 60
# The sweeper waits this long before it takes over from the task that was enqueued.
SWEEP_GRACE_SECONDS = 60
# How far back the sweeper looks for events whose fan-out was lost with its process.
FAN_OUT_LOOKBACK = timedelta(hours=6)
SWEEP_BATCH = 500
_ORGANISATION_EVENTS: dict[str, str] = {
    Organisation.VerificationStatus.VERIFIED: Event.Type.ORGANISATION_VERIFIED,
    Organisation.VerificationStatus.SUSPENDED: Event.Type.ORGANISATION_SUSPENDED,
}


# --- Recording events ------------------------------------------------------------------------


def event_record(*, organisation: Organisation, type: str, data: dict[str, Any]) -> Event:
    """Append an event to the organisation's feed; its webhooks go out after commit."""
    event = Event.objects.create(
        organisation=organisation, type=type, data=data, xid=CurrentTransactionId()
    )
    # robust: a failed fan-out must not fail the change that already committed (the sweeper).
    transaction.on_commit(lambda: event_fan_out(event=event), robust=True)
    return event


def invoice_event_record(*, type: str, delivery: Delivery, error: str = "") -> Event:
    """Record what happened to a sent invoice's delivery (queued, delivered, failed)."""
    invoice = delivery.invoice
    data = {
        "invoice": str(invoice.public_id),
        "number": invoice.number,
        "kind": invoice.kind,
        "delivery": str(delivery.public_id),
        "channel": delivery.channel,
        "recipient": delivery.recipient,
    }
    if error:
        data["error"] = error
    return event_record(organisation=invoice.organisation, type=type, data=data)


def received_event_record(*, received: ReceivedInvoice) -> Event:
    """Tell the recipient an invoice has landed in its inbox."""
    data = {"received_invoice": str(received.public_id), "number": received.number}
    return event_record(
        organisation=received.recipient,
        type=Event.Type.INBOX_RECEIVED,
        data={**data, "kind": received.kind},
    )


def organisation_status_event_record(*, organisation: Organisation) -> Event | None:
    """Record that the organisation became verified or suspended; other statuses say nothing."""
    type = _ORGANISATION_EVENTS.get(organisation.verification_status)
    if type is None:
        return None
    data = {"organisation": str(organisation.public_id), "status": organisation.verification_status}
    return event_record(organisation=organisation, type=type, data=data)


def partner_event_record(
    *, partner: PartnerIntegration, organisation: Organisation, type: str, data: dict[str, Any]
) -> Event:
    """Record an event for the partner about one of its organisations; POST it after commit.

    The delivery is written with the event, in the change's transaction, so the sweeper
    retries it if the enqueue is lost; a partner without a webhook URL gets none.
    """
    event = Event.objects.create(
        organisation=organisation, type=type, data=data, xid=CurrentTransactionId()
    )
    if partner.webhook_url and partner.webhook_secret:
        delivery = WebhookDelivery.objects.create(partner=partner, event=event)
        transaction.on_commit(lambda: enqueue_webhook_delivery(delivery.pk), robust=True)
    return event


def event_fan_out(*, event: Event) -> int:
    """Create the event's deliveries for the subscriptions that want it and enqueue them."""
    subscriptions = WebhookSubscription.objects.filter(
        organisation_id=event.organisation_id, deleted_at__isnull=True
    )
    wanted = [subscription for subscription in subscriptions if subscription.wants(event.type)]
    if not wanted:
        return 0
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription=subscription, event=event) for subscription in wanted],
        ignore_conflicts=True,  # the sweeper and the commit hook may both get here
    )
    fresh = WebhookDelivery.objects.filter(event=event, status=Pending, attempts=0)
    delivery_ids = list(fresh.values_list("pk", flat=True))
    for delivery_id in delivery_ids:
        enqueue_webhook_delivery(delivery_id)
    return len(delivery_ids)


def enqueue_webhook_delivery(delivery_id: int) -> None:
    """Hand the delivery to a worker; a broker outage only delays it (the sweeper retries)."""
    from integrations.tasks import webhook_deliver_task

    try:
        webhook_deliver_task.delay(delivery_id)
    except Exception:
        logger.warning("broker unavailable; webhook delivery %s waits for the sweeper", delivery_id)


# --- Subscriptions ---------------------------------------------------------------------------


def webhook_secret_new() -> str:
    """Return a new Standard Webhooks signing secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + b64encode(secrets.token_bytes(32)).decode("ascii")


def webhook_url_check(url: str) -> None:
    """Refuse a URL the webhook policy forbids (resolving its host when it must be public)."""
    webhook_target(
        url,
        require_https=settings.WEBHOOK_REQUIRE_HTTPS,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE,
    )


def webhook_subscribe(
    *,
    organisation: Organisation,
    user: Any,
    url: str,
    event_types: list[str],
    api_key: ApiKey | None = None,
) -> WebhookSubscription:
    """Subscribe the URL to the event types (none: all of them); the secret is new."""
    webhook_url_check(url)  # before the transaction: it may wait for DNS
    with transaction.atomic():
        subscription = WebhookSubscription(
            organisation=organisation,
            url=url,
            secret=webhook_secret_new(),
            event_types=sorted(set(event_types)),
            created_by_key=api_key,
        )
        subscription.full_clean()
        subscription.save()
        audit_event_record(
            action="webhook.created",
            actor=user,
            organisation=organisation,
            obj=subscription,
            data={"url": url, "event_types": subscription.event_types},
        )
    return subscription


@transaction.atomic
def webhook_unsubscribe(*, subscription: WebhookSubscription, user: Any) -> None:
    """Stop the subscription; deliveries still waiting for it are given up."""
    if subscription.deleted_at is not None:
        return
    subscription.deleted_at = timezone.now()
    subscription.save(update_fields=["deleted_at"])
    subscription.deliveries.filter(status=Pending).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None
    )
    audit_event_record(
        action="webhook.deleted",
        actor=user,
        organisation=subscription.organisation,
        obj=subscription,
        data={"url": subscription.url},
    )


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Make one more attempt at a delivered or failed delivery, now."""
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == Pending:
        raise errors.WebhookDeliveryPending
    locked.status = Pending
    locked.next_attempt_at = None
    locked.save(update_fields=["status", "next_attempt_at"])
    transaction.on_commit(lambda: enqueue_webhook_delivery(locked.pk))
    return locked


# --- Delivering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookOutcome:
    """What one run of the task did: "delivered", "retry", "failed" or "skipped"."""

    outcome: str
    retry_in: float | None = None


@dataclass(frozen=True)
class _Answer:
    status_code: int | None
    error: str
    duration_ms: int


def webhook_delivery_attempt(delivery_id: int) -> WebhookOutcome:
    """POST the delivery once, log the attempt, and decide: delivered, retry later, or failed."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return WebhookOutcome("skipped")
    answer = _post(delivery)  # no transaction open: the receiver may take its time
    return _record(delivery, answer)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Count the attempt and hold the delivery for its duration; None if it is not due."""
    now = timezone.now()
    # A retry's task may run a moment before its time (the broker's clock): 2 s of slack.
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=2))
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "subscription", "partner")
            # A partner's delivery has no subscription: the outer join lets it through.
            .filter(due, pk=delivery_id, status=Pending, subscription__deleted_at__isnull=True)
            .first()
        )
        if delivery is None:
            return None
        hold = settings.WEBHOOK_TIMEOUT_SECONDS + CLAIM_MARGIN_SECONDS
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=hold)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def webhook_body(event: Event) -> bytes:
    """Return the JSON every subscriber receives for the event."""
    timestamp = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    payload = {"type": event.type, "timestamp": timestamp, "data": event.data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_headers(*, secret: str, event: Event, body: bytes, sent_at: datetime) -> dict[str, str]:
    """Return the Standard Webhooks headers: the event's id, the time, the signature."""
    msg_id = str(event.public_id)  # the same on every retry: receivers drop duplicates by it
    sent_at = sent_at.astimezone(UTC)  # the library reads the time as UTC whatever it says
    signature = Webhook(secret).sign(msg_id, sent_at, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "e-faktura-webhooks/1",
    }


def _destination(delivery: WebhookDelivery) -> tuple[str, str]:
    """Return (URL, signing secret): the subscription's, or the partner's as it is now."""
    if delivery.subscription is not None:
        return delivery.subscription.url, delivery.subscription.secret
    assert delivery.partner is not None  # the model's check: exactly one of them
    return delivery.partner.webhook_url, delivery.partner.webhook_secret


def _post(delivery: WebhookDelivery) -> _Answer:
    started = time.monotonic()
    url, secret = _destination(delivery)
    try:
        # Checked again at each send: the name may resolve elsewhere since it was saved.
        target = webhook_target(
            url,
            require_https=settings.WEBHOOK_REQUIRE_HTTPS,
            allow_private=settings.WEBHOOK_ALLOW_PRIVATE,
        )
    except errors.WebhookUrlRefused as refused:
        return _Answer(None, f"url_refused: {refused.reason}", 0)
    body = webhook_body(delivery.event)
    sent_at = timezone.now()
    headers = webhook_headers(secret=secret, event=delivery.event, body=body, sent_at=sent_at)
    try:
        status_code: int | None = _post_to(target, body, headers)
        error = ""
    except httpx.HTTPError as failure:
        status_code, error = None, f"{type(failure).__name__}: {failure}"
    return _Answer(status_code, error[:300], int((time.monotonic() - started) * 1000))


def _post_to(target: WebhookTarget, body: bytes, headers: dict[str, str]) -> int:
    # A new client each time: a pooled connection must not carry another host's SNI.
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    with (
        httpx.Client(timeout=timeout, follow_redirects=False, verify=tls_context()) as client,
        # Streamed and closed unread: the receiver's body is not ours to download.
        client.stream(
            "POST",
            target.url,
            content=body,
            headers={**headers, **target.headers},
            extensions=target.extensions,
        ) as response,
    ):
        return response.status_code


@transaction.atomic
def _record(delivery: WebhookDelivery, answer: _Answer) -> WebhookOutcome:
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        status_code=answer.status_code,
        error=answer.error,
        duration_ms=answer.duration_ms,
    )
    update: dict[str, Any] = {"next_attempt_at": None}
    if answer.status_code is not None and 200 <= answer.status_code < 300:
        outcome = WebhookOutcome("delivered")
        update |= {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": now}
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        outcome = WebhookOutcome("failed")
        update["status"] = WebhookDelivery.Status.FAILED
    else:
        pause = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
        outcome = WebhookOutcome("retry", retry_in=float(pause))
        update["next_attempt_at"] = now + timedelta(seconds=pause)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
    return outcome


# --- The sweeper -----------------------------------------------------------------------------


def webhooks_sweep(*, now: datetime | None = None) -> int:
    """Fan out events whose fan-out was lost, re-enqueue overdue deliveries; return how many."""
    now = now or timezone.now()
    settled = now - timedelta(seconds=SWEEP_GRACE_SECONDS)
    overdue = (
        WebhookDelivery.objects.filter(status=Pending, subscription__deleted_at__isnull=True)
        .annotate(due_at=Coalesce("next_attempt_at", "created_at"))
        .filter(due_at__lt=settled)
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    delivery_ids = list(overdue)  # before the fan-out, which enqueues its own
    for delivery_id in delivery_ids:
        enqueue_webhook_delivery(delivery_id)
    fanned = sum(event_fan_out(event=event) for event in _events_not_fanned_out(now, settled))
    return len(delivery_ids) + fanned


def _events_not_fanned_out(now: datetime, settled: datetime) -> list[Event]:
    """Return recent events a live subscription wants but has no delivery of."""
    wanting = WebhookSubscription.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        deleted_at__isnull=True,
        created_at__lte=OuterRef("created_at"),
    )
    if connection.vendor == "postgresql":
        # jsonb's "array contains this string"; elsewhere (the demo's SQLite) the fan-out
        # itself skips the subscriptions that do not want the type.
        type_as_json = Func(OuterRef("type"), function="to_jsonb", output_field=JSONField())
        wanting = wanting.filter(Q(event_types=[]) | Q(event_types__contains=type_as_json))
    delivered = WebhookDelivery.objects.filter(
        subscription=OuterRef("pk"), event=OuterRef(OuterRef("pk"))
    )
    missing = wanting.exclude(Exists(delivered))
    return list(
        Event.objects.filter(created_at__gte=now - FAN_OUT_LOOKBACK, created_at__lt=settled)
        # A partner's event has its delivery from the start and no subscription wants it.
        .exclude(type__in=PartnerEventType.values)
        .filter(Exists(missing))
        .order_by("id")[:SWEEP_BATCH]
    )
