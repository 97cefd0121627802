"""Reads of the event feed and the webhooks, always within one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from integrations.models import (
    Event,
    PartnerEventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

# Events of transactions still running are held back, except the reader's own (a test, or a
# service that reads what it just wrote): every transaction below xmin has finished. The
# price: a long write transaction anywhere on the server delays (never loses) newer events.
_FINISHED_TRANSACTION = Q(
    xid__lt=RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [])
) | Q(xid=RawSQL("pg_current_xact_id_if_assigned()::text::bigint", []))


@dataclass(frozen=True)
class FeedPosition:
    """Where a reader of the feed has got to: after this event (see Event.xid)."""

    xid: int
    event_id: int

    @classmethod
    def parse(cls, cursor: str) -> FeedPosition | None:
        xid, _, event_id = cursor.partition(".")
        if not (xid.isdigit() and event_id.isdigit()) or len(cursor) > 40:
            return None
        return cls(int(xid), int(event_id))

    @classmethod
    def of(cls, event: Event) -> FeedPosition:
        return cls(event.xid or 0, event.pk)

    def __str__(self) -> str:
        return f"{self.xid}.{self.event_id}"


def event_list(
    *, organisation: Organisation, after: FeedPosition | None, limit: int
) -> list[Event]:
    """Return the organisation's events after the position, oldest first, never skipping one."""
    # A partner's own events (its connection ended) are the partner's, not the organisation's.
    events = Event.objects.filter(organisation=organisation).exclude(
        type__in=PartnerEventType.values
    )
    if connection.vendor != "postgresql":
        # SQLite (the demo) writes one transaction at a time: the id is the commit order.
        events = events.filter(id__gt=after.event_id) if after else events
        return list(events.order_by("id")[:limit])
    events = events.filter(_FINISHED_TRANSACTION)
    if after is not None:
        events = events.filter(Q(xid__gt=after.xid) | Q(xid=after.xid, id__gt=after.event_id))
    return list(events.order_by("xid", "id")[:limit])


def webhook_list(*, organisation: Organisation) -> QuerySet[WebhookSubscription]:
    """Return the organisation's live webhook subscriptions, oldest first."""
    return WebhookSubscription.objects.filter(organisation=organisation, deleted_at__isnull=True)


def webhook_get(*, organisation: Organisation, public_id: UUID) -> WebhookSubscription:
    """Return one live subscription of the organisation; 404 for anyone else's."""
    return get_object_or_404(webhook_list(organisation=organisation), public_id=public_id)


def webhook_delivery_list(*, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """Return the subscription's deliveries, newest first, with their events and attempt logs."""
    return (
        WebhookDelivery.objects.filter(subscription=subscription)
        .select_related("event")
        .prefetch_related(Prefetch("log", queryset=WebhookAttempt.objects.order_by("number")))
    )


def webhook_delivery_get(*, subscription: WebhookSubscription, pk: int) -> WebhookDelivery:
    """Return one delivery of the subscription; 404 for any other."""
    return get_object_or_404(webhook_delivery_list(subscription=subscription), pk=pk)
