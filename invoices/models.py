"""Customers, articles, invoices and credit notes, their lines, and the number series."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.validators import validate_org_number
from portal.models import AppendOnlyModel


class DeliveryChannel(models.TextChoices):
    AUTO = "auto", _("Automatic (network, PEPPOL, then e-mail)")
    NETWORK = "network", _("Network inbox")
    PEPPOL = "peppol", _("PEPPOL")
    EMAIL = "email", _("E-mail (PDF and XML)")


class VatCategory(models.TextChoices):
    STANDARD = "S", _("Standard rate (S)")
    ZERO = "Z", _("Zero rated (Z)")
    EXEMPT = "E", _("Exempt from VAT (E)")
    REVERSE_CHARGE = "AE", _("Reverse charge (AE)")
    INTRA_COMMUNITY = "K", _("Intra-community supply (K)")
    EXPORT = "G", _("Export outside the EU (G)")
    NOT_SUBJECT = "O", _("Outside the scope of VAT (O)")


class RateSource(models.TextChoices):
    RIKSBANK = "riksbank", _("Sveriges riksbank")
    FIXTURE = "fixture", _("test rate")
    MANUAL = "manual", _("entered by the seller")
    IMPORT = "import", _("as in the imported invoice")


class CustomerQuerySet(models.QuerySet["Customer"]):
    def for_org(self, organisation: Organisation) -> CustomerQuerySet:
        return self.filter(organisation=organisation)


class Customer(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="customers"
    )
    customer_number = models.CharField(_("customer number"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation or personal identity number"),
        max_length=13,
        blank=True,
        validators=[validate_org_number],
    )
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    peppol_id = models.CharField(
        _("PEPPOL participant id"),
        max_length=60,
        blank=True,
        help_text=_("Scheme and identifier, e.g. 0007:5566778899"),
    )
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    email = models.EmailField(_("e-mail for invoices"), blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country_code = models.CharField(_("country"), max_length=2, default="SE")
    # Empty: the organisation's default terms apply.
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text=_("Leave empty to use your organisation's default terms."),
    )
    preferred_channel = models.CharField(
        _("delivery channel"),
        max_length=10,
        choices=DeliveryChannel.choices,
        default=DeliveryChannel.AUTO,
    )
    your_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "customer_number"],
                condition=~Q(customer_number=""),
                name="unique_customer_number_per_org",
            )
        ]
        indexes = [
            # The customer list's order (selectors.customer_list): a page, not a sort of all.
            models.Index(fields=["organisation", "name", "id"], name="customer_list_order"),
            # The invoice list's search by customer name: see Invoice.Meta.indexes.
            GinIndex(OpClass(Upper("name"), "gin_trgm_ops"), name="customer_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A product or service of a Web Plus organisation, to fill invoice lines from."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="articles"
    )
    number = models.CharField(_("article number"), max_length=40)
    description = models.CharField(_("description"), max_length=200)
    unit_code = models.CharField(_("unit"), max_length=3, default="EA")
    unit_price = models.DecimalField(_("unit price"), max_digits=15, decimal_places=4)
    vat_rate = models.DecimalField(
        _("VAT rate"), default=Decimal("25"), max_digits=5, decimal_places=2
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="unique_article_number_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"


class NumberSeries(models.Model):
    """The organisation's invoice number counter; locked with select_for_update to take one."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="number_series"
    )
    prefix = models.CharField(max_length=10, blank=True)
    next_number = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.organisation}: next {self.prefix}{self.next_number}"


class InvoiceQuerySet(models.QuerySet["Invoice"]):
    def for_org(self, organisation: Organisation) -> InvoiceQuerySet:
        return self.filter(organisation=organisation)

    def drafts(self) -> InvoiceQuerySet:
        return self.filter(status=Invoice.Status.DRAFT)


class Invoice(models.Model):
    """An invoice or a credit note; drafts are editable, issued ones never change."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CREDITED = "credited", _("Credited")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Written in the portal")
        IMPORT = "import", _("Imported file")
        API = "api", _("Created over the API")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PORTAL)
    # Assigned when the invoice is issued: drafts leave no gaps in the series. A UBL an ERP
    # sends over the API keeps the ERP's own number (unique per organisation all the same).
    number = models.CharField(_("invoice number"), max_length=30, blank=True)
    # The ERP's own id for the invoice: creating with one already used returns that invoice.
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    buyer_reference = models.CharField(_("your reference"), max_length=100, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=100, blank=True)
    payment_reference = models.CharField(_("OCR / payment reference"), max_length=25, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The date of supply (BT-72) or the period invoiced (BG-14); the invoice date stands
    # for them when both are empty, as the VAT Act allows.
    delivery_date = models.DateField(_("date of supply"), null=True, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    # An invoice in another currency states its VAT also in SEK (ML 17 kap. 24 §): the rate,
    # where it came from and its date are kept with the invoice and frozen at issue.
    exchange_rate = models.DecimalField(
        _("exchange rate (SEK)"),
        max_digits=20,
        decimal_places=10,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0000000001"))],
    )
    exchange_rate_date = models.DateField(_("exchange rate date"), null=True, blank=True)
    exchange_rate_source = models.CharField(
        _("exchange rate source"), max_length=10, choices=RateSource.choices, blank=True
    )
    # Set at issue, or kept from an imported document (BT-111).
    vat_in_sek = models.DecimalField(
        _("VAT in SEK"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    prepaid_amount = models.DecimalField(default=Decimal("0"), max_digits=15, decimal_places=2)
    rounding_amount = models.DecimalField(default=Decimal("0"), max_digits=15, decimal_places=2)
    # Document fields the portal does not edit but keeps from an import (contract,
    # project, delivery, period, ...), so nothing the generator writes is lost.
    extra = models.JSONField(default=dict, blank=True)
    # Totals are stored, so the list page shows amounts without reading lines.
    total_excl_vat = models.DecimalField(default=Decimal("0"), max_digits=15, decimal_places=2)
    total_vat = models.DecimalField(default=Decimal("0"), max_digits=15, decimal_places=2)
    total_payable = models.DecimalField(default=Decimal("0"), max_digits=15, decimal_places=2)
    # The exact UBL issued: the source of truth for an issued invoice's XML and PDF.
    ubl_xml = models.BinaryField(null=True, blank=True, editable=False)
    # Who made it: a user, or, for an organisation a partner acts for (it has no members),
    # the partner's key. Never neither (the constraint below).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by_partner_key = models.ForeignKey(
        "accounts.PartnerKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                condition=~Q(number=""),
                name="unique_invoice_number_per_org",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(number=""), name="issued_invoices_have_a_number"
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="unique_external_id_per_org",
            ),
            models.CheckConstraint(
                condition=Q(created_by__isnull=False) | Q(created_by_partner_key__isnull=False),
                name="invoice_has_a_creator",
            ),
        ]
        indexes = [
            # A page of the list reads 25 rows in index order, however long the history: the
            # index is the list's order (selectors.invoice_list), made total by the id.
            models.Index(
                fields=["organisation", "-issue_date", "-created_at", "-id"],
                name="invoice_list_order",
            ),
            # The same with a status chosen (the list's filter, To manage's failed invoices),
            # which would otherwise read the whole history to find a few drafts.
            models.Index(
                fields=["organisation", "status", "-issue_date", "-created_at", "-id"],
                name="invoice_status_order",
            ),
            # The API's cursor pages (portal/api/pagination.py: updated_at, id).
            models.Index(fields=["organisation", "updated_at", "id"], name="invoice_api_order"),
            # The list's search is a substring, which only trigrams serve (pg_trgm, PostgreSQL
            # only: migration 0009 leaves them out on the SQLite demo). On UPPER(...) because
            # that is what icontains compares on PostgreSQL: UPPER(col) LIKE UPPER('%q%').
            GinIndex(OpClass(Upper("number"), "gin_trgm_ops"), name="invoice_number_trgm"),
            GinIndex(
                OpClass(Upper("buyer_reference"), "gin_trgm_ops"), name="invoice_reference_trgm"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or _('draft')}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    article_number = models.CharField(_("article number"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=15, decimal_places=4)
    unit_code = models.CharField(_("unit"), max_length=3, default="EA")
    unit_price = models.DecimalField(
        _("unit price"),
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=15,
        decimal_places=4,
    )
    discount_amount = models.DecimalField(
        _("discount"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=15,
        decimal_places=2,
    )
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    vat_rate = models.DecimalField(
        _("VAT rate"), default=Decimal("25"), max_digits=5, decimal_places=2
    )
    exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    exemption_reason_code = models.CharField(
        _("VAT exemption code (VATEX)"), max_length=30, blank=True
    )
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}: {self.description}"


class AllowanceCharge(models.Model):
    """A document-level discount (allowance) or fee (charge)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="allowances_charges"
    )
    is_charge = models.BooleanField(_("charge"), default=False)
    reason = models.CharField(_("reason"), max_length=200)
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal("0"))], max_digits=15, decimal_places=2
    )
    vat_category = models.CharField(
        _("VAT category"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    vat_rate = models.DecimalField(
        _("VAT rate"), default=Decimal("25"), max_digits=5, decimal_places=2
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{'+' if self.is_charge else '-'}{self.amount} {self.reason}"


class InvoiceAttachment(models.Model):
    """A PDF or image embedded in the UBL (2 MB each, 10 MB per invoice)."""

    MAX_BYTES = 2 * 1024 * 1024
    MAX_TOTAL_BYTES = 10 * 1024 * 1024
    MIME_TYPES = ("application/pdf", "image/png", "image/jpeg")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    mime_type = models.CharField(max_length=40)
    description = models.CharField(max_length=200, blank=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class Delivery(models.Model):
    """One attempt target for a sent invoice; its public_id is the idempotency key."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.SENDING, Status.DELIVERED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="deliveries"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    recipient = models.CharField(max_length=200)
    # Codes and parameters render in the reader's language (invoices.messages); the text
    # beside them is the portal's language, and all that rows from before the codes have.
    reason = models.CharField(max_length=300)
    reason_code = models.CharField(max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    receipt = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When a retry is due: the sweeper leaves a row alone until then (backoff).
    retry_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Sending twice is a no-op: an invoice has at most one live delivery.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status__in=["queued", "sending", "delivered"]),
                name="one_live_delivery_per_invoice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice} via {self.channel} ({self.status})"

    @property
    def reason_text(self) -> str:
        """Why this channel was chosen, in the active language."""
        return _render(self.reason_code, self.reason_params, self.reason)

    @property
    def error_text(self) -> str:
        """Why the last attempt failed, in the active language."""
        return _render(self.error_code, self.error_params, self.last_error)


class InvoiceEvent(AppendOnlyModel):
    """One line of an invoice's history: a status change or a delivery attempt."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=20)
    # As on Delivery: the code renders in the reader's language; older rows have only detail.
    detail = models.CharField(max_length=500, blank=True)
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.invoice} {self.status}"

    @property
    def text(self) -> str:
        """The line's detail in the active language."""
        return _render(self.code, self.params, self.detail)


def _render(code: str, params: dict[str, Any], text: str) -> str:
    # Imported here: the catalogue reads the labels of this module's choices.
    from invoices.messages import render

    return render(code, params, fallback=text)


class ReceivedInvoice(models.Model):
    """An invoice in a member's inbox, delivered over the network channel."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="received_invoices"
    )
    sender = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # One delivery lands once: the unique key makes a repeated attempt a no-op.
    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="received")
    kind = models.CharField(max_length=12, choices=Invoice.Kind.choices)
    number = models.CharField(max_length=30)
    issue_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    total_payable = models.DecimalField(max_digits=15, decimal_places=2)
    ubl_xml = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    # When the recipient's ERP said it has stored the invoice (POST /inbox/{id}/ack).
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The inbox's order (selectors.received_list): a page, not a sort of all it got.
            models.Index(
                fields=["recipient", "-received_at", "-id"], name="received_inbox_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} from {self.sender}"


class PendingSend(models.Model):
    """A send the gate held back for signing; resumed for this user and invoice afterwards."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_sends"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="pending_sends")
    # Set when an ERP's send was held: a key revoked meanwhile releases nothing.
    api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "invoice"], name="one_pending_send")]

    def __str__(self) -> str:
        return f"{self.user} → {self.invoice}"
