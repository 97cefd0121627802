"""Organisations, memberships, invitations, partner integrations, risk flags, audit log."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit_chain import GENESIS_HASH
from accounts.validators import (
    validate_bankgiro,
    validate_bic,
    validate_iban,
    validate_org_number,
    validate_plusgiro,
    validate_vat_number,
)
from portal.models import AppendOnlyModel


class Plan(models.TextChoices):
    BAS = "bas", _("Web Bas")
    PLUS = "plus", _("Web Plus")


# Web Bas is the free tier with one user; Web Plus has no seat limit.
PLAN_SEATS: dict[str, int | None] = {Plan.BAS: 1, Plan.PLUS: None}


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_user(self, user: Any) -> OrganisationQuerySet:
        return self.filter(memberships__user=user)


class Organisation(models.Model):
    class VerificationStatus(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        DETAILS_CONFIRMED = "details_confirmed", _("Details confirmed")
        PENDING_REVIEW = "pending_review", _("Pending review")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")
        REJECTED = "rejected", _("Rejected")
        # An unsigned claim that nobody signed in time: the number is free for the company again.
        LAPSED = "lapsed", _("Claim lapsed")

    class DetailsSource(models.TextChoices):
        REGISTER = "register", _("Company register")
        MANUAL = "manual", _("Entered by hand")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org_number = models.CharField(
        _("organisation number"), max_length=11, validators=[validate_org_number]
    )
    is_sole_trader = models.BooleanField(_("sole trader (enskild firma)"), default=False)
    legal_name = models.CharField(_("legal name"), max_length=200)
    vat_number = models.CharField(
        _("VAT number"), max_length=14, blank=True, validators=[validate_vat_number]
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country_code = models.CharField(_("country"), max_length=2, default="SE")
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    bankgiro = models.CharField(
        _("Bankgiro"), max_length=9, blank=True, validators=[validate_bankgiro]
    )
    plusgiro = models.CharField(
        _("Plusgiro"), max_length=10, blank=True, validators=[validate_plusgiro]
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    has_f_skatt = models.BooleanField(_("approved for F-tax (F-skatt)"), default=False)
    # An aktiebolag states where its board has its seat on every invoice (ABL 28 kap. 1 §).
    registered_office = models.CharField(
        _("registered office of the board (styrelsens säte)"), max_length=100, blank=True
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("default payment terms (days)"), default=30, validators=[MaxValueValidator(365)]
    )
    late_payment_interest = models.CharField(_("late-payment interest"), max_length=200, blank=True)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=True)
    plan = models.CharField(_("plan"), max_length=8, choices=Plan.choices, default=Plan.BAS)
    verification_status = models.CharField(
        _("verification status"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    details_source = models.CharField(
        max_length=10, choices=DetailsSource.choices, default=DetailsSource.REGISTER
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the claim on the number began: registering it, or its return to unverified (a
    # partner's connection ended, a transfer): an unsigned claim lapses counted from here.
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(org_number__regex=r"^\d{6}-\d{4}$"), name="org_number_normalised"
            ),
            models.CheckConstraint(condition=~Q(iban="") | Q(bic=""), name="bic_only_with_iban"),
            # A lapsed claim keeps its rows for its members but no longer holds the number.
            models.UniqueConstraint(
                fields=["org_number"],
                condition=~Q(verification_status="lapsed"),
                name="one_live_organisation_per_org_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.org_number})"

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.VerificationStatus.VERIFIED

    @property
    def seat_limit(self) -> int | None:
        return PLAN_SEATS[self.plan]

    @property
    def has_signed(self) -> bool:
        """Whether a signature covers the details: from then on the payment account is guarded."""
        return self.verification_status in SIGNED_STATUSES


# Statuses reached only through a signature (or a staff decision after one).
SIGNED_STATUSES = frozenset(
    {
        Organisation.VerificationStatus.PENDING_REVIEW,
        Organisation.VerificationStatus.VERIFIED,
        Organisation.VerificationStatus.SUSPENDED,
        Organisation.VerificationStatus.REJECTED,
    }
)
PAYMENT_FIELDS = ("bankgiro", "plusgiro", "iban", "bic")


class PaymentDetailsChange(models.Model):
    """A new payment account for a signed organisation, waiting for a BankID confirmation.

    Redirecting a sender's payments is the classic invoice fraud, so the account that
    invoices carry changes only when a user confirms the change with BankID (and staff
    approve it when that user is not one of the register's signatories).
    """

    class Status(models.TextChoices):
        AWAITING_SIGNATURE = "awaiting_signature", _("Waiting for BankID confirmation")
        IN_REVIEW = "in_review", _("Waiting for review by our staff")
        APPLIED = "applied", _("Applied")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.AWAITING_SIGNATURE, Status.IN_REVIEW)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="payment_changes"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Both as {"bankgiro", "plusgiro", "iban", "bic"}: what invoices carry now, and after.
    previous = models.JSONField()
    proposed = models.JSONField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_SIGNATURE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment account change")
        verbose_name_plural = _("payment account changes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=["awaiting_signature", "in_review"]),
                name="one_open_payment_change_per_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.previous} -> {self.proposed} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Permission(models.TextChoices):
    VIEW = "view", _("View invoices and settings")
    EDIT_INVOICES = "edit_invoices", _("Create and edit invoices")
    SEND_INVOICES = "send_invoices", _("Send invoices")
    SIGN_VERIFICATION = "sign_verification", _("Confirm and sign the company details")
    MANAGE_ORGANISATION = "manage_organisation", _("Edit company and payment details")
    MANAGE_MEMBERS = "manage_members", _("Invite users and change roles")
    MANAGE_PLAN = "manage_plan", _("Change plan")
    MANAGE_API_KEYS = "manage_api_keys", _("Create and revoke API keys")


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")
        READER = "reader", _("Reader")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


_P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Membership.Role.OWNER: frozenset(_P.values),
    Membership.Role.ADMIN: frozenset(set(_P.values) - {_P.MANAGE_PLAN}),
    # Any user who may send may also do the one-time signature that unlocks sending.
    Membership.Role.MEMBER: frozenset(
        {_P.VIEW, _P.EDIT_INVOICES, _P.SEND_INVOICES, _P.SIGN_VERIFICATION}
    ),
    Membership.Role.READER: frozenset({_P.VIEW}),
}


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    # Only the SHA-256 of the token is stored; the token itself travels in the e-mail.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(max_length=500, blank=True)
    # Set when a signatory's takeover displaced this member: the role they had before.
    displaced_from_role = models.CharField(
        _("role before the takeover"), max_length=10, choices=Membership.Role.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="pending"),
                name="one_pending_join_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} wants to join {self.organisation}"


class PartnerIntegration(models.Model):
    """An integrated system (an ERP vendor, another operator) that registers org numbers.

    A partner with an integration agreement connects its customers' organisations over the
    partner API (with a partner key) and answers for who they are: its attestation stands
    in for the BankID signature. Suspending it stops the sending of all its organisations.
    """

    class Kind(models.TextChoices):
        ERP = "erp", _("ERP or accounting system")
        OPERATOR = "operator", _("Another e-invoicing operator")
        BANK = "bank", _("Bank service")

    name = models.CharField(max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ERP)
    contact_email = models.EmailField(blank=True)
    webhook_url = models.URLField(blank=True)
    # "whsec_" + base64: the Standard Webhooks secret that signs the partner's own webhooks.
    webhook_secret = models.CharField(max_length=100, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by partner_suspend, cleared by partner_reinstate (both audited, with the reason).
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("partner integration")
        verbose_name_plural = _("partner integrations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class NetworkRegistration(models.Model):
    """An org number registered in the network as a sender through a partner integration."""

    partner = models.ForeignKey(
        PartnerIntegration, on_delete=models.PROTECT, related_name="registrations"
    )
    org_number = models.CharField(max_length=11)
    company_name = models.CharField(max_length=200, blank=True)
    # The portal organisation the partner acts for; empty for a number only registered
    # (a registration staff typed in before the partner API existed).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_registrations",
        verbose_name=_("organisation"),
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=500, blank=True)
    # Set while the partner's suspension holds this organisation: the reinstatement lifts
    # only these, never a suspension staff decided for the organisation itself.
    partner_suspended_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("network registration")
        verbose_name_plural = _("network registrations")
        ordering = ["-registered_at"]
        constraints = [
            # The network holds one active sending solution per org number.
            models.UniqueConstraint(
                fields=["org_number"],
                condition=Q(ended_at__isnull=True),
                name="one_active_registration_per_org_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_number} via {self.partner}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class PartnerKeyQuerySet(models.QuerySet["PartnerKey"]):
    def active(self) -> PartnerKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class PartnerKey(models.Model):
    """A partner's key: the second kind of API key, acting for the partner's organisations.

    Stored as an organisation's ApiKey is (the SHA-256 only, shown once), told apart by its
    format: "efp_<prefix>_<secret>" where an organisation's key is "efk_…". A request picks
    the organisation it acts for with the X-Organisation header.
    """

    partner = models.ForeignKey(
        PartnerIntegration, on_delete=models.PROTECT, related_name="keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    # The staff member who issued it; empty when made with manage.py create_partner.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = PartnerKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.partner}: {self.name} ({self.prefix}…)"


class PartnerAttestation(AppendOnlyModel):
    """The evidence that lets a partner-connected organisation send: who attested, when.

    It stands where a SignatureEvidence stands for an organisation that signed with BankID:
    the partner, by its agreement, answers for who its customer is; the key that connected
    the organisation and the register details it connected are kept with it.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partner_attestations"
    )
    partner = models.ForeignKey(PartnerIntegration, on_delete=models.PROTECT, related_name="+")
    partner_key = models.ForeignKey(PartnerKey, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        NetworkRegistration, on_delete=models.PROTECT, related_name="attestations"
    )
    # The details the organisation was connected with (from the company register).
    attested_details = models.JSONField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner attestation")
        verbose_name_plural = _("partner attestations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} attested by {self.partner}"


class RiskFlag(models.Model):
    """A risk staff should look at: raised by a service when the situation arises.

    Some kinds hold the organisation's sending until a staff decision
    (settings.RISK_FLAG_HOLDS, decided when the flag is raised); the others only inform.
    """

    class Kind(models.TextChoices):
        SIGNATORY_MISMATCH = "signatory_mismatch", _("Signer is not an authorised signatory")
        REGISTER_INACTIVE = "register_inactive", _("Company inactive in the register")
        REGISTER_UNCONFIRMED = "register_unconfirmed", _("Register could not confirm the company")
        MANUAL_DETAILS = "manual_details", _("Details entered by hand")
        PAYMENT_DETAILS_CHANGED = "payment_details_changed", _("Payment account changed")
        VELOCITY = "velocity", _("Unusual sending volume")
        FAILED_SIGNING_ATTEMPTS = "failed_signing_attempts", _("Repeated failed signings")
        TRANSFER_REQUEST = "transfer_request", _("Transfer request")
        TAKEOVER = "takeover", _("Taken over by the company's signatory")
        # A tip, a complaint, a bank's warning: staff open the flag themselves.
        STAFF_CONCERN = "staff_concern", _("Raised by staff")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        # Staff asked the owners for information; the flag waits for their answer.
        INFO_REQUESTED = "info_requested", _("Information requested")
        # Four eyes: a first decision waits for a second staff member.
        AWAITING_SECOND_REVIEW = "awaiting_second_review", _("Awaiting second review")
        APPROVED = "approved", _("Approved")
        # Rejected or suspended: sending stopped.
        REJECTED = "rejected", _("Rejected")
        # Events made the flag moot (a takeover, a withdrawn change): no decision is left to take.
        CLOSED = "closed", _("Closed without decision")

    # Not decided yet.
    ACTIVE = (Status.OPEN, Status.INFO_REQUESTED, Status.AWAITING_SECOND_REVIEW)

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.OPEN
    )
    holds_sending = models.BooleanField(_("holds sending"), default=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="risk_flags",
        verbose_name=_("organisation"),
    )
    org_number = models.CharField(_("organisation number"), max_length=11)
    registration = models.ForeignKey(
        NetworkRegistration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("network registration"),
    )
    payment_change = models.ForeignKey(
        PaymentDetailsChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_flags",
        verbose_name=_("payment account change"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    # Plain language, in the portal's language, for staff.
    reason = models.TextField(_("reason"), blank=True)
    # What the flag rests on: names, masked personal numbers, register status, counts...
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")
        ordering = ["-severity", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "org_number"],
                condition=Q(status__in=["open", "info_requested", "awaiting_second_review"]),
                name="one_active_flag_per_kind_and_org_number",
            )
        ]
        permissions = [("review_riskflag", "Can decide risk flags in the review workspace")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.org_number}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

class ReviewDecision(models.Model):
    """A staff decision on a risk flag, with the reason staff wrote for it.

    Four eyes: a decision that needs a second staff member (suspending an organisation that
    was verified, transferring a number away from a partner) waits as AWAITING_SECOND and
    changes nothing until another user confirms it.
    """

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        SUSPEND = "suspend", _("Suspend sending")
        REQUEST_INFO = "request_info", _("Ask the owners for information")
        TRANSFER = "transfer", _("Transfer to the web service")
        DECLINE = "decline", _("Decline the transfer")

    class Status(models.TextChoices):
        DONE = "done", _("Carried out")
        AWAITING_SECOND = "awaiting_second", _("Awaiting a second reviewer")
        CANCELLED = "cancelled", _("Turned down by the second reviewer")

    flag = models.ForeignKey(
        RiskFlag, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("risk flag")
    )
    action = models.CharField(_("decision"), max_length=16, choices=Action.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second reviewer"),
    )
    second_reviewed_at = models.DateTimeField(_("second review"), null=True, blank=True)
    second_reason = models.TextField(_("second reviewer's reason"), blank=True)
    created_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["created_at", "id"]
        constraints = [
            # One decision at a time waits for a second reviewer.
            models.UniqueConstraint(
                fields=["flag"],
                condition=Q(status="awaiting_second"),
                name="one_awaiting_decision_per_flag",
            ),
            # Four eyes, also for whatever bypasses the services: two different people.
            models.CheckConstraint(
                condition=Q(second_reviewer__isnull=True) | ~Q(second_reviewer=F("decided_by")),
                name="second_reviewer_is_another_user",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.get_status_display()}) {self.flag}"


class RiskFlagAnswer(models.Model):
    """An owner's answer to the question staff asked about a flag (a REQUEST_INFO decision)."""

    flag = models.ForeignKey(
        RiskFlag, on_delete=models.PROTECT, related_name="answers", verbose_name=_("risk flag")
    )
    question = models.ForeignKey(
        ReviewDecision,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("question"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    text = models.TextField(_("answer"), max_length=5000)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer to staff")
        verbose_name_plural = _("answers to staff")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.answered_by} on {self.flag}"


class UserLanguage(models.Model):
    """The language a user chose with the switcher: e-mails to them are written in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chosen_language"
    )
    language = models.CharField(_("language"), max_length=8)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chosen language")
        verbose_name_plural = _("chosen languages")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key an ERP system uses to act for one organisation over the REST API.

    Only the SHA-256 of the key is stored; the key is shown once, when it is created. The
    public prefix finds the row and names the key on screens and in logs. A partner's key,
    which acts for many organisations, is the second kind (PartnerKey).
    """

    class Scope(models.TextChoices):
        FULL = "full", _("Full access")
        READ_ONLY = "read_only", _("Read only")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.FULL)
    # The user the key acts as: invoices it creates and sends are theirs, as in the browser.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_read_only(self) -> bool:
        return self.scope == self.Scope.READ_ONLY


class AuditEvent(AppendOnlyModel):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Set by the writer before it hashes the event (auto_now_add would come after the hash).
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # The hash chain (accounts/audit_chain.py): position, the link back, the event's own hash.
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class AuditChainHead(models.Model):
    """The last link of the audit chain: one row, which every writer locks to append."""

    ROW = 1

    sequence = models.PositiveBigIntegerField(default=0)
    content_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_one_row")]

    def __str__(self) -> str:
        return f"audit chain head at {self.sequence}"
