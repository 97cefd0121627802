"""Invoices as the API reads and writes them (customers are in customers.py).

The input serializers apply the invoice form's rules (invoices/forms.py) through the same
functions, so an ERP and a person typing get the same answer in the same words.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from invoices import exemptions, forms, selectors
from invoices.api.customers import CustomerSerializer
from invoices.models import (
    AllowanceCharge,
    Customer,
    Delivery,
    Invoice,
    InvoiceAttachment,
    InvoiceEvent,
    InvoiceLine,
    RateSource,
    VatCategory,
)
from invoices.services import AllowanceInput, InvoiceInput, LineInput
from invoices.services.api_drafts import AttachmentInput
from invoices.units import SWEDISH_VAT_RATES
from portal.api.schema import ErrorSerializer
from portal.api.serializers import FieldsBuiltOnce, RefuseUnknownFields

# Lines and totals past this (before VAT) are a mistake, and would not fit the stored totals.
MAX_NET_AMOUNT = Decimal("1000000000000")
MAX_LINES = 1000
# Dates far off are typing errors (and 9999-12-31 plus the payment terms is no date at all).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
DATE_FIELDS = ("issue_date", "due_date", "delivery_date", "period_start", "period_end")
EXEMPTION_GROUNDS = [
    *(ground.key for ground in exemptions.SWEDISH_GROUNDS),
    *exemptions.DIRECTIVE_CODES,
]
VAT_RATES = {Decimal(rate) for rate in SWEDISH_VAT_RATES}


def _check_vat_rate(value: Decimal) -> Decimal:
    if value not in VAT_RATES:
        raise serializers.ValidationError(_("The VAT rate must be 25, 12, 6 or 0."))
    return value


class LineInputSerializer(RefuseUnknownFields, serializers.Serializer[Any]):
    description = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(max_digits=15, decimal_places=4)
    unit_code = serializers.RegexField(
        r"^[A-Z0-9]{1,3}$",
        default="EA",
        help_text="UN/ECE recommendation 20, e.g. EA (piece), HUR (hour).",
    )
    unit_price = serializers.DecimalField(max_digits=15, decimal_places=4, min_value=Decimal(0))
    discount_amount = serializers.DecimalField(
        max_digits=15, decimal_places=2, min_value=Decimal(0), default=Decimal(0)
    )
    vat_category = serializers.ChoiceField(choices=VatCategory.choices, default="S")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, default=Decimal(25))
    exemption_ground = serializers.ChoiceField(
        choices=EXEMPTION_GROUNDS,
        required=False,
        allow_blank=True,
        default="",
        help_text="For category E: a Swedish ground (medical, dental, ...) or a VATEX code.",
    )
    exemption_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    exemption_reason_code = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    article_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )

    def validate_quantity(self, value: Decimal) -> Decimal:
        allow_negative = self.context.get("allow_negative", True)
        problem = forms.quantity_problem(value, allow_negative=allow_negative)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return value

    def validate_vat_rate(self, value: Decimal) -> Decimal:
        return _check_vat_rate(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problems = forms.line_problems(attrs)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class AllowanceInputSerializer(RefuseUnknownFields, serializers.Serializer[Any]):
    """A document-level discount (allowance) or fee (charge, `is_charge: true`)."""

    is_charge = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal("0.01"))
    vat_category = serializers.ChoiceField(choices=VatCategory.choices, default="S")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, default=Decimal(25))

    def validate_vat_rate(self, value: Decimal) -> Decimal:
        return _check_vat_rate(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problem = forms.vat_problem(attrs.get("vat_category"), attrs.get("vat_rate"))
        if problem is not None:
            raise serializers.ValidationError({"vat_rate": problem})
        return attrs


class AttachmentInputSerializer(RefuseUnknownFields, serializers.Serializer[Any]):
    """A PDF, PNG or JPEG (2 MB each, 10 MB per invoice), checked as an upload is."""

    filename = serializers.CharField(max_length=200)
    # Base64 of 2 MB is about 2.8 MB of text; the size rule itself is the upload's.
    content_base64 = serializers.CharField(
        source="content", max_length=(InvoiceAttachment.MAX_BYTES + 3) * 4 // 3
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )

    def validate_content_base64(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(_("This is not valid base64.")) from None


class DraftInputSerializer(RefuseUnknownFields, serializers.Serializer[Any]):
    """What a new invoice and a credit note's replacement have in common."""

    issue_date = serializers.DateField(required=False, help_text="Empty: today.")
    due_date = serializers.DateField(
        required=False, allow_null=True, help_text="Empty: the customer's payment terms."
    )
    delivery_date = serializers.DateField(required=False, allow_null=True)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    buyer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    order_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=LineInputSerializer(), allow_empty=False, max_length=MAX_LINES
    )
    allowances_charges: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=AllowanceInputSerializer(), required=False, max_length=100
    )
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your own id: creating again with it returns the invoice made the first time.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problems = dict(forms.header_problems(attrs))
        for name in DATE_FIELDS:
            if attrs.get(name) is not None and not EARLIEST <= attrs[name] <= LATEST:
                problems[name] = _("Give a date between 2000 and 2099.")
        lines = attrs.get("lines", [])
        if self.context.get("allow_negative", True) and forms.is_negative_total(lines):
            problems["lines"] = forms.NEGATIVE_TOTAL
        net = sum((abs(line["quantity"] * line["unit_price"]) for line in lines), Decimal(0))
        net += sum((item["amount"] for item in attrs.get("allowances_charges", [])), Decimal(0))
        if net > MAX_NET_AMOUNT:
            problems["lines"] = _("The amounts are larger than an invoice can hold.")
        if problems:
            raise serializers.ValidationError(problems)
        return attrs

    def changes(self) -> dict[str, Any]:
        """Return the given values under InvoiceInput's names (absent fields are left out)."""
        data = dict(self.validated_data)
        data.pop("external_id", None)
        if "lines" in data:
            data["lines"] = [_line_input(line) for line in data["lines"]]
        if "allowances_charges" in data:
            data["allowances"] = [AllowanceInput(**item) for item in data.pop("allowances_charges")]
        return data


def _exchange_rate_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=20,
        decimal_places=10,
        min_value=Decimal("0.0001"),
        required=False,
        allow_null=True,
        help_text="SEK for one unit, if you set it; empty: the Riksbank's rate.",
    )


class CreditInputSerializer(DraftInputSerializer):
    """Replace the credit note's lines (and dates, notes); an empty body credits in full."""

    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=LineInputSerializer(), required=False, allow_empty=False, max_length=MAX_LINES
    )


class InvoiceInputSerializer(DraftInputSerializer):
    """A new draft invoice; the customer by `customer_id` or written in `customer`."""

    kind = serializers.ChoiceField(
        choices=[Invoice.Kind.INVOICE],
        default=Invoice.Kind.INVOICE,
        help_text="Credit notes: POST /invoices/{id}/credit.",
    )
    customer_id = serializers.IntegerField(required=False)
    customer = CustomerSerializer(required=False, help_text="A new customer, saved with it.")
    currency = serializers.ChoiceField(choices=forms.CURRENCIES, default="SEK")
    exchange_rate = _exchange_rate_field()
    attachments: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=AttachmentInputSerializer(), required=False, max_length=20
    )

    def validate_customer_id(self, value: int) -> Customer:
        try:
            return selectors.customer_get(organisation=self.context["organisation"], pk=value)
        except Http404:
            raise serializers.ValidationError(_("You have no customer with this id.")) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        given = [name for name in ("customer_id", "customer") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"customer_id": _("Give either customer_id or customer, not both.")}
                if given
                else {"customer_id": _("Give the customer: customer_id or customer.")}
            )
        field = given[0]
        customer = attrs[field]
        vat_number = customer.vat_number if field == "customer_id" else customer.get("vat_number")
        categories = [line["vat_category"] for line in attrs["lines"]]
        if forms.lacks_buyer_vat_number(vat_number or "", categories):
            raise serializers.ValidationError({field: forms.BUYER_VAT_MISSING})
        return attrs

    def service_arguments(self) -> dict[str, Any]:
        """Return invoice_create_checked's keyword arguments."""
        changes = self.changes()
        attachments = [AttachmentInput(**item) for item in changes.pop("attachments", [])]
        changes.pop("kind", None)
        customer = changes.pop("customer_id", None) or Customer(**changes.pop("customer"))
        changes.setdefault("issue_date", timezone.localdate())
        return {
            "data": InvoiceInput(
                customer=customer, due_date=changes.pop("due_date", None), **changes
            ),
            "attachments": attachments,
            "external_id": self.validated_data["external_id"],
        }


class DraftChangeSerializer(DraftInputSerializer):
    """PATCH a draft: the fields given replace the draft's; `lines` replaces all its lines."""

    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=LineInputSerializer(), required=False, allow_empty=False, max_length=MAX_LINES
    )
    external_id = None  # type: ignore[assignment]  # given once, at creation, for good
    customer_id = serializers.IntegerField(required=False, help_text="Another of your customers.")
    currency = serializers.ChoiceField(choices=forms.CURRENCIES, required=False)
    exchange_rate = _exchange_rate_field()

    validate_customer_id = InvoiceInputSerializer.validate_customer_id

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        if "customer_id" in data:
            data["customer"] = data.pop("customer_id")
        return data


def _line_input(line: dict[str, Any]) -> LineInput:
    ground = line.pop("exemption_ground", "")
    reason, code = exemptions.resolve(ground)
    if ground:
        line["exemption_reason"], line["exemption_reason_code"] = reason, code
    return LineInput(**line)


# --- Output -----------------------------------------------------------------------------------


class CustomerBriefSerializer(FieldsBuiltOnce, serializers.ModelSerializer[Customer]):
    class Meta:
        model = Customer
        fields = ["id", "name", "org_number", "vat_number"]
        read_only_fields = fields


class LineSerializer(FieldsBuiltOnce, serializers.ModelSerializer[InvoiceLine]):
    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "article_number",
            "description",
            "quantity",
            "unit_code",
            "unit_price",
            "discount_amount",
            "vat_category",
            "vat_rate",
            "exemption_reason",
            "exemption_reason_code",
        ]
        read_only_fields = fields


class AllowanceSerializer(FieldsBuiltOnce, serializers.ModelSerializer[AllowanceCharge]):
    class Meta:
        model = AllowanceCharge
        fields = ["is_charge", "reason", "amount", "vat_category", "vat_rate"]
        read_only_fields = fields


class AttachmentSerializer(FieldsBuiltOnce, serializers.ModelSerializer[InvoiceAttachment]):
    class Meta:
        model = InvoiceAttachment
        fields = ["id", "filename", "mime_type", "size", "description"]
        read_only_fields = fields


class DeliverySerializer(FieldsBuiltOnce, serializers.ModelSerializer[Delivery]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    reason = serializers.CharField(source="reason_text", read_only=True, help_text="Why this way.")
    error = serializers.CharField(
        source="error_text", read_only=True, help_text="Why the last attempt failed."
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "recipient",
            "status",
            "reason",
            "error",
            "attempts",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class EventSerializer(FieldsBuiltOnce, serializers.ModelSerializer[InvoiceEvent]):
    at = serializers.DateTimeField(source="created_at", read_only=True)
    text = serializers.CharField(read_only=True)

    class Meta:
        model = InvoiceEvent
        fields = ["at", "status", "text"]
        read_only_fields = fields


class InvoiceSummarySerializer(FieldsBuiltOnce, serializers.ModelSerializer[Invoice]):
    """An invoice in a list: what it is, to whom, how much, and where it stands."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    customer = CustomerBriefSerializer(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "source",
            "external_id",
            "customer",
            "issue_date",
            "due_date",
            "currency",
            "total_excl_vat",
            "total_vat",
            "total_payable",
            "created_at",
            "updated_at",
            "issued_at",
        ]
        read_only_fields = fields


class InvoiceSerializer(InvoiceSummarySerializer):
    """One invoice in full: its lines, totals, VAT in SEK, deliveries and history."""

    credited_invoice = serializers.UUIDField(
        source="credited_invoice.public_id",
        read_only=True,
        allow_null=True,
        help_text="The invoice a credit note credits.",
    )
    # Declared: DRF drops allow_blank from read-only model fields, so the schema would
    # leave out the "" of an invoice in SEK.
    exchange_rate_source = serializers.ChoiceField(
        choices=RateSource.choices, allow_blank=True, read_only=True
    )
    lines = LineSerializer(many=True, read_only=True)
    allowances_charges = AllowanceSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)
    history = EventSerializer(source="events", many=True, read_only=True)

    class Meta(InvoiceSummarySerializer.Meta):
        fields = [
            *InvoiceSummarySerializer.Meta.fields,
            "credited_invoice",
            "delivery_date",
            "period_start",
            "period_end",
            "buyer_reference",
            "order_reference",
            "payment_reference",
            "notes",
            "exchange_rate",
            "exchange_rate_date",
            "exchange_rate_source",
            "vat_in_sek",
            "prepaid_amount",
            "rounding_amount",
            "lines",
            "allowances_charges",
            "attachments",
            "deliveries",
            "history",
        ]
        read_only_fields = fields


# --- Errors -----------------------------------------------------------------------------------


class FindingSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField(help_text='e.g. "BR-CO-15", "PEPPOL-EN16931-R001".')
    severity = serializers.ChoiceField(choices=["fatal", "warning"])
    message = serializers.CharField(help_text="In the request's language.")
    location = serializers.CharField(help_text="An XPath in the invoice's UBL.")


class InvalidInvoiceSerializer(serializers.Serializer[Any]):
    """`invalid_invoice`: the validator's fatal findings; nothing was stored."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = FindingSerializer(many=True)  # type: ignore[assignment]


# A 422 about an invoice: the body's fields (`invalid_request`) or the validator's findings.
UNPROCESSABLE_INVOICE = PolymorphicProxySerializer(
    component_name="InvoiceUnprocessable",
    serializers=[ErrorSerializer, InvalidInvoiceSerializer],
    resource_type_field_name=None,
)
