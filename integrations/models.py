"""Events an ERP follows (feed and webhooks), its webhook subscriptions, and replayable POSTs."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, Organisation, PartnerIntegration, PartnerKey
from portal.models import AppendOnlyModel


class CurrentTransactionId(models.Func):
    """The id of the writing transaction on PostgreSQL; NULL on SQLite (one writer at a time)."""

    template = "NULL"
    output_field = models.BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "pg_current_xact_id()::text::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)


class Event(AppendOnlyModel):
    """One thing that happened to an organisation's documents; (xid, id) orders the feed."""

    class Type(models.TextChoices):
        INVOICE_QUEUED = "invoice.queued", _("Invoice queued for delivery")
        INVOICE_DELIVERED = "invoice.delivered", _("Invoice delivered")
        INVOICE_FAILED = "invoice.failed", _("Invoice delivery failed")
        INBOX_RECEIVED = "inbox.received", _("Invoice received in the inbox")
        ORGANISATION_VERIFIED = "organisation.verified", _("Organisation verified")
        ORGANISATION_SUSPENDED = "organisation.suspended", _("Organisation suspended")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=40, choices=Type.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # The writing transaction (PostgreSQL): ids are drawn before commit, so a transaction that
    # commits late can hold a lower id than events a reader already saw. The feed orders by
    # (xid, id) and shows only finished transactions, so its cursor never skips one.
    xid = models.BigIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "xid", "id"], name="event_feed_commit")]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class PartnerEventType(models.TextChoices):
    """Events a partner integration is told of at its own webhook URL, never an organisation.

    They are recorded as Events of the organisation concerned (the delivery machinery needs
    one) but stay out of its feed and its subscriptions: the partner's business is its own.
    """

    CONNECTION_ENDED = "partner.connection_ended", _("Partner connection ended")


class WebhookSubscription(models.Model):
    """Where an organisation wants its events POSTed, signed with the subscription's secret."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(max_length=500)
    # "whsec_" + base64: the Standard Webhooks signing secret, needed to sign each delivery.
    secret = models.CharField(max_length=100)
    # The event types wanted; empty means every type.
    event_types = models.JSONField(default=list, blank=True)
    created_by_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Deleting a subscription stops its deliveries; its log stays readable until then.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        if event_type in PartnerEventType.values:
            return False  # the partner's own events go to the partner's URL only
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event for one subscription, or for a partner's own webhook URL: retried with
    backoff until delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    # A partner event goes to the partner's webhook_url, signed with its webhook_secret.
    partner = models.ForeignKey(
        PartnerIntegration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_event"
            ),
            models.UniqueConstraint(
                fields=["partner", "event"],
                condition=Q(partner__isnull=False),
                name="one_partner_delivery_per_event",
            ),
            models.CheckConstraint(
                condition=(Q(subscription__isnull=False) & Q(partner__isnull=True))
                | (Q(subscription__isnull=True) & Q(partner__isnull=False)),
                name="webhook_delivery_has_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription or self.partner} ({self.status})"


class WebhookAttempt(models.Model):
    """Every POST of a delivery, answered or not: the log the ERP reads to debug its receiver."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.delivery} try {self.number}: {self.status_code or self.error}"


class IdempotencyRecord(models.Model):
    """A POST made with an Idempotency-Key: replayed for the same key and body for 24 hours."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    # The API key the record belongs to: an organisation's, or a partner's.
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner_key = models.ForeignKey(
        PartnerKey, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="one_record_per_key"),
            models.UniqueConstraint(
                fields=["partner_key", "key"],
                condition=Q(partner_key__isnull=False),
                name="one_record_per_partner_key",
            ),
            models.CheckConstraint(
                condition=(Q(api_key__isnull=False) & Q(partner_key__isnull=True))
                | (Q(api_key__isnull=True) & Q(partner_key__isnull=False)),
                name="idempotency_record_has_one_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
