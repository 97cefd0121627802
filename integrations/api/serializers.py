"""What the API reads and writes of the event feed and the webhooks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from integrations.models import Event, WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrations.selectors import FeedPosition
from portal.api.serializers import FieldsBuiltOnce, RefuseUnknownFields

FEED_PAGE_DEFAULT = 100
FEED_PAGE_MAX = 500


class EventQuery(RefuseUnknownFields):
    after = serializers.CharField(
        required=False,
        help_text="The `next` (or an event's `cursor`) of the last page read; omit to start.",
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=FEED_PAGE_MAX, default=FEED_PAGE_DEFAULT
    )

    def validate_after(self, value: str) -> FeedPosition:
        position = FeedPosition.parse(value)
        if position is None:
            raise serializers.ValidationError(_("This is not a cursor from the event feed."))
        return position


class EventOutput(FieldsBuiltOnce, serializers.ModelSerializer[Event]):
    id = serializers.UUIDField(source="public_id", help_text="The `webhook-id` of its webhooks.")
    cursor = serializers.SerializerMethodField(help_text="Read on from here with `after`.")

    class Meta:
        model = Event
        fields = ["id", "type", "created_at", "data", "cursor"]
        extra_kwargs = {"data": {"help_text": "Ids, numbers and statuses; fetch the rest by id."}}

    def get_cursor(self, event: Event) -> str:
        return str(FeedPosition.of(event))


class EventPageOutput(serializers.Serializer[Any]):
    events = EventOutput(many=True)
    next = serializers.CharField(
        help_text="Pass as `after` to read on; the same cursor again while nothing is new."
    )


class WebhookInput(RefuseUnknownFields):
    url = serializers.URLField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.Type.choices),
        required=False,
        default=list,
        max_length=len(Event.Type.choices),
        help_text="The event types to receive; empty or left out: all of them.",
    )


class WebhookOutput(FieldsBuiltOnce, serializers.ModelSerializer[WebhookSubscription]):
    id = serializers.UUIDField(source="public_id")
    event_types = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "event_types", "created_at"]


class WebhookCreatedOutput(WebhookOutput):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_…`), shown this once: verify each delivery with it."
    )

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]


class WebhookAttemptOutput(FieldsBuiltOnce, serializers.ModelSerializer[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "status_code", "error", "duration_ms", "created_at"]


class WebhookEventOutput(FieldsBuiltOnce, serializers.ModelSerializer[Event]):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Event
        fields = ["id", "type", "created_at"]


class WebhookDeliveryOutput(FieldsBuiltOnce, serializers.ModelSerializer[WebhookDelivery]):
    id = serializers.IntegerField(help_text="The `n` of `.../deliveries/{n}/retry`.")
    event = WebhookEventOutput()
    log = WebhookAttemptOutput(many=True, help_text="Every attempt, first to last.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "log",
        ]
