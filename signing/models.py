"""Signing orders (one BankID sign order each) and the immutable evidence of a signature."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from portal.models import AppendOnlyModel


class SigningOrder(models.Model):
    class Status(models.TextChoices):
        STARTING = "starting", _("Starting")
        PENDING = "pending", _("Waiting for BankID")
        COMPLETE = "complete", _("Signed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    TERMINAL = (Status.COMPLETE, Status.FAILED, Status.CANCELLED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signing_orders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signing_orders"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTING)
    order_ref = models.CharField(max_length=64, blank=True)
    auto_start_token = models.CharField(max_length=64, blank=True)
    qr_start_token = models.CharField(max_length=64, blank=True)
    # Never rendered: the QR frames are computed on the server from it.
    qr_start_secret = models.CharField(max_length=64, blank=True)
    hint_code = models.CharField(max_length=40, blank=True)
    rfa = models.CharField(max_length=8, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict)
    details_digest = models.CharField(max_length=64)
    user_visible_data = models.TextField(blank=True)  # base64, exactly as sent
    user_non_visible_data = models.TextField(blank=True)  # base64, exactly as sent
    end_user_ip = models.GenericIPAddressField()
    next_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # QR time counts from here
    collected_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_ref"], condition=~Q(order_ref=""), name="unique_order_ref"
            ),
            # One running order per user and organisation: a new one replaces the old.
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status__in=["starting", "pending"]),
                name="one_running_order_per_user_and_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.status} {self.order_ref}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class SignatureEvidence(AppendOnlyModel):
    """What was signed, by whom and how it was checked; written once, never changed."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="signature_evidence"
    )
    order = models.OneToOneField(SigningOrder, on_delete=models.PROTECT, related_name="evidence")
    signer_name = models.CharField(max_length=200)
    personal_number_masked = models.CharField(max_length=13)
    # HMAC of the personal number: lets staff match a known number without storing it plainly.
    personal_number_hash = models.CharField(max_length=64)
    is_registered_signatory = models.BooleanField()
    risk_flags = models.JSONField(default=list, blank=True)
    signed_details = models.JSONField()
    details_digest = models.CharField(max_length=64)
    user_visible_data = models.TextField()
    user_non_visible_data = models.TextField()
    signature = models.TextField()
    ocsp_response = models.TextField()
    completion_data = models.JSONField()
    ip_address = models.GenericIPAddressField()
    signed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "signature evidence"

    def __str__(self) -> str:
        return f"{self.organisation} signed by {self.signer_name} at {self.signed_at:%Y-%m-%d}"
