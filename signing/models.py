"""Signing orders (one BankID sign order each) and the immutable evidence of a signature."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, PaymentDetailsChange
from portal.models import AppendOnlyModel


class Purpose(models.TextChoices):
    """What a signature attests; each has its own completion in signing.services."""

    VERIFICATION = "verification", _("Company verification")
    # An authorised signatory claims a number that an unverified organisation holds.
    TAKEOVER = "takeover", _("Takeover by the company's signatory")
    PAYMENT_CHANGE = "payment_change", _("Confirmation of a new payment account")


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
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.VERIFICATION)
    payment_change = models.ForeignKey(
        PaymentDetailsChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_orders",
    )
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
        verbose_name = _("signing order")
        verbose_name_plural = _("signing orders")
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

    class Outcome(models.TextChoices):
        VERIFIED = "verified", _("The organisation was verified")
        PENDING_REVIEW = "pending_review", _("Sent to review by our staff")
        TAKEN_OVER = "taken_over", _("The signatory took the organisation over")
        PAYMENT_CHANGE_APPLIED = "payment_change_applied", _("The new payment account applies")
        PAYMENT_CHANGE_IN_REVIEW = (
            "payment_change_in_review",
            _("The new payment account waits for review"),
        )
        # The organisation was suspended or rejected meanwhile: the signature changes nothing.
        RECORDED_ONLY = "recorded_only", _("Recorded only; nothing changed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signature_evidence"
    )
    order = models.OneToOneField(SigningOrder, on_delete=models.PROTECT, related_name="evidence")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.VERIFICATION)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.VERIFIED)
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
        verbose_name = _("signature evidence")
        verbose_name_plural = _("signature evidence")

    def __str__(self) -> str:
        return f"{self.organisation} signed by {self.signer_name} at {self.signed_at:%Y-%m-%d}"
