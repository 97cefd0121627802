"""Invoice, line, allowance, customer and article forms: every bad value gets a field message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.models import Organisation
from invoices import customer_fields, exemptions
from invoices.models import Article, Customer, DeliveryChannel, VatCategory
from invoices.services import AllowanceInput, InvoiceInput, LineInput
from invoices.units import COMMON_UNITS, SWEDISH_VAT_RATES

CURRENCIES = [
    ("SEK", "SEK"),
    ("EUR", "EUR"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
    ("USD", "USD"),
    ("GBP", "GBP"),
]
RATE_CHOICES = [(rate, f"{rate} %") for rate in SWEDISH_VAT_RATES]
NO_VAT_CATEGORIES = {"Z", "E", "AE", "K", "G", "O"}


# The rules below are plain functions over cleaned values, so the forms and the API's
# serializers apply the same rules with the same words.


def vat_problem(category: str | None, rate: Decimal | None) -> StrOrPromise | None:
    """Tie category and rate together the way EN 16931 and SE-R-006 do (the rate's error)."""
    if category is None or rate is None:
        return None
    if category == "S" and rate == Decimal("0"):
        return _("Standard-rated VAT is 25, 12 or 6 %. Choose a category for 0 %.")
    if category in NO_VAT_CATEGORIES and rate != Decimal("0"):
        return _("This VAT category carries no VAT: the rate must be 0 %.")
    return None


def check_vat(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """Add the VAT category and rate error, if any, to the form's rate."""
    problem = vat_problem(cleaned.get("vat_category"), cleaned.get("vat_rate"))
    if problem is not None:
        form.add_error("vat_rate", problem)


def header_problems(cleaned: Mapping[str, Any]) -> dict[str, StrOrPromise]:
    """Return the invoice's own field errors: dates in order, no rate for SEK."""
    problems: dict[str, StrOrPromise] = {}
    issued, due = cleaned.get("issue_date"), cleaned.get("due_date")
    if issued and due and due < issued:
        problems["due_date"] = _("The due date cannot be before the invoice date.")
    start, end = cleaned.get("period_start"), cleaned.get("period_end")
    if start and end and end < start:
        problems["period_end"] = _("The period cannot end before it starts.")
    if cleaned.get("exchange_rate") is not None and cleaned.get("currency") == "SEK":
        problems["exchange_rate"] = _("An invoice in SEK needs no exchange rate.")
    return problems


def quantity_problem(quantity: Decimal, *, allow_negative: bool) -> StrOrPromise | None:
    """Refuse a zero quantity, and a negative one on a credit note."""
    if quantity == 0:
        return _("The quantity cannot be 0; remove the line instead.")
    if quantity < 0 and not allow_negative:
        # An invoice may carry a correction line (-3 returned items); a credit note
        # already reverses its amounts, so a negative line there is a mistake.
        return _("A credit note's quantities are positive: it reverses the amounts itself.")
    return None


def line_problems(cleaned: Mapping[str, Any]) -> dict[str, StrOrPromise]:
    """Return a line's field errors: VAT category and rate, exemption ground, discount."""
    problems: dict[str, StrOrPromise] = {}
    vat = vat_problem(cleaned.get("vat_category"), cleaned.get("vat_rate"))
    if vat is not None:
        problems["vat_rate"] = vat
    ground, reason = cleaned.get("exemption_ground"), cleaned.get("exemption_reason", "")
    if cleaned.get("vat_category") == "E" and not ground and not exemptions.cites_provision(reason):
        problems["exemption_ground"] = EXEMPTION_MISSING
    price, quantity = cleaned.get("unit_price"), cleaned.get("quantity")
    discount = cleaned.get("discount_amount") or Decimal("0")
    if price is not None and quantity is not None and discount > abs(price * quantity):
        problems["discount_amount"] = _("The discount is larger than the line amount.")
    return problems


def is_negative_total(lines: Iterable[Mapping[str, Any]]) -> bool:
    """Whether lines that are there add up to zero or less before VAT (see NEGATIVE_TOTAL)."""
    rows = list(lines)
    net = sum(
        (row["quantity"] * row["unit_price"] - (row["discount_amount"] or 0) for row in rows),
        Decimal("0"),
    )
    return bool(rows) and net <= 0


def lacks_buyer_vat_number(vat_number: str, categories: Iterable[str]) -> bool:
    """Reverse charge and EU sales name the buyer's VAT number (ML 17 kap. 24 §)."""
    return not vat_number and bool(set(categories) & BUYER_VAT_CATEGORIES)


def decimal_field(label: StrOrPromise, decimal_places: int, **kwargs: Any) -> forms.DecimalField:
    """Return an amount or quantity field written the reader's way ("300,50" in Swedish).

    Localized, so it renders with the language's decimal separator; Django's parsing then
    takes the comma and, since no thousands separator is used, the point as well.
    """
    return forms.DecimalField(
        label=label,
        max_digits=15,
        decimal_places=decimal_places,
        localize=True,
        # A text input: number inputs reject a comma in many browsers.
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


class InvoiceForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    issue_date = forms.DateField(
        label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the customer's payment terms."),
    )
    delivery_date = forms.DateField(
        label=_("Date of supply"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_start = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="SEK")
    exchange_rate = decimal_field(
        _("Exchange rate (SEK)"),
        10,
        required=False,
        min_value=Decimal("0.0001"),
        help_text=_("SEK for one unit. Empty: the Riksbank's rate."),
    )
    buyer_reference = forms.CharField(
        label=_("Your reference"),
        max_length=100,
        required=False,
        help_text=_("The buyer's reference; many public buyers require it."),
    )
    order_reference = forms.CharField(label=_("Order reference"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.for_org(organisation)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, problem in header_problems(cleaned).items():
            self.add_error(name, problem)
        return cleaned

    def check_buyer_vat_number(self, lines: Any) -> bool:
        """Reverse charge and EU sales name the buyer's VAT number (ML 17 kap. 24 §)."""
        customer = self.cleaned_data.get("customer")
        categories = [line.cleaned_data["vat_category"] for line in lines if _kept(line)]
        if customer is None or not lacks_buyer_vat_number(customer.vat_number, categories):
            return True
        self.add_error("customer", BUYER_VAT_MISSING)
        return False


# Categories where the law wants the buyer's VAT number on the invoice.
BUYER_VAT_CATEGORIES = {"AE", "K"}
BUYER_VAT_MISSING = _(
    "Reverse charge and supplies to another EU country need the customer's VAT "
    "number on the invoice: add it to the customer first."
)
EXEMPTION_MISSING = _(
    "Exempt supplies must name the provision: choose the ground, or cite the provision "
    "in the reason (for example 10 kap. mervärdesskattelagen)."
)


class LineForm(forms.Form):
    article_number = forms.CharField(label=_("Article no."), max_length=40, required=False)
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = decimal_field(_("Quantity"), 4)
    unit_code = forms.ChoiceField(label=_("Unit"), choices=COMMON_UNITS, initial="EA")
    unit_price = decimal_field(_("Unit price"), 4, min_value=Decimal("0"))
    discount_amount = decimal_field(_("Discount"), 2, min_value=Decimal("0"), required=False)
    vat_rate = forms.TypedChoiceField(
        label=_("VAT"), choices=RATE_CHOICES, coerce=Decimal, initial="25"
    )
    vat_category = forms.ChoiceField(
        label=_("VAT category"), choices=VatCategory.choices, initial="S"
    )
    exemption_ground = forms.ChoiceField(
        label=_("Exemption ground"),
        choices=[("", _("(write the reason)")), *exemptions.ground_choices()],
        required=False,
    )
    exemption_reason = forms.CharField(label=_("Reason for no VAT"), max_length=200, required=False)

    def __init__(self, *args: Any, allow_negative: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_negative = allow_negative

    def clean_quantity(self) -> Decimal:
        quantity: Decimal = self.cleaned_data["quantity"]
        problem = quantity_problem(quantity, allow_negative=self.allow_negative)
        if problem is not None:
            raise forms.ValidationError(problem)
        return quantity

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, problem in line_problems(cleaned).items():
            self.add_error(name, problem)
        return cleaned

    def to_input(self) -> LineInput:
        data = self.cleaned_data
        reason, code = exemptions.resolve(data["exemption_ground"])
        return LineInput(
            description=data["description"],
            quantity=data["quantity"],
            unit_code=data["unit_code"],
            unit_price=data["unit_price"],
            vat_category=data["vat_category"],
            vat_rate=data["vat_rate"],
            article_number=data["article_number"],
            discount_amount=data["discount_amount"] or Decimal("0"),
            exemption_reason=reason or data["exemption_reason"],
            exemption_reason_code=code,
        )


class AllowanceForm(forms.Form):
    is_charge = forms.TypedChoiceField(
        label=_("Type"),
        coerce=lambda value: value == "charge",
        choices=[("allowance", _("Discount")), ("charge", _("Fee"))],
        initial="allowance",
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    amount = decimal_field(_("Amount"), 2, min_value=Decimal("0.01"))
    vat_rate = forms.TypedChoiceField(
        label=_("VAT"), choices=RATE_CHOICES, coerce=Decimal, initial="25"
    )
    vat_category = forms.ChoiceField(
        label=_("VAT category"), choices=VatCategory.choices, initial="S"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_vat(self, cleaned)
        return cleaned

    def to_input(self) -> AllowanceInput:
        data = self.cleaned_data
        return AllowanceInput(
            reason=data["reason"],
            amount=data["amount"],
            is_charge=data["is_charge"],
            vat_category=data["vat_category"],
            vat_rate=data["vat_rate"],
        )


NEGATIVE_TOTAL = _(
    "The invoice's total must be more than zero. Negative lines are for corrections on an "
    "invoice that still has something to pay; to give money back, create a credit note for "
    "the invoice instead."
)


class BaseLineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        if any(self.errors) or not self.form_kwargs.get("allow_negative", True):
            return  # each row says what is wrong first; a credit note's lines are positive
        kept = [form.cleaned_data for form in self.forms if _kept(form)]
        # Negative lines correct an invoice that still has something to pay; money given
        # back is a credit note (the same check runs on the document: SE-PORTAL-NEGATIVE-TOTAL).
        if is_negative_total(kept):
            raise forms.ValidationError(NEGATIVE_TOTAL, code="negative_total")


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    can_delete=True,
    min_num=1,
    validate_min=True,
)
AllowanceFormSet = forms.formset_factory(AllowanceForm, extra=1, can_delete=True)


def invoice_input(form: InvoiceForm, lines: Any, allowances: Any) -> InvoiceInput:
    """Gather three valid forms into the service's input."""
    data = form.cleaned_data
    return InvoiceInput(
        customer=data["customer"],
        issue_date=data["issue_date"],
        due_date=data["due_date"],
        currency=data["currency"],
        buyer_reference=data["buyer_reference"],
        order_reference=data["order_reference"],
        notes=data["notes"],
        delivery_date=data["delivery_date"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        exchange_rate=data["exchange_rate"],
        lines=[line.to_input() for line in lines if _kept(line)],
        allowances=[item.to_input() for item in allowances if _kept(item)],
    )


def _kept(form: forms.Form) -> bool:
    return bool(form.cleaned_data) and not form.cleaned_data.get("DELETE")


class CustomerForm(forms.ModelForm[Customer]):
    class Meta:
        model = Customer
        fields = customer_fields.EDITABLE

    def clean_org_number(self) -> str:
        return customer_fields.clean_org_number(self.cleaned_data["org_number"])

    def clean_peppol_id(self) -> str:
        return customer_fields.clean_peppol_id(self.cleaned_data["peppol_id"])

    def clean_gln(self) -> str:
        return customer_fields.clean_gln(self.cleaned_data["gln"])

    def clean_country_code(self) -> str:
        return customer_fields.clean_country_code(str(self.cleaned_data["country_code"]))


class ArticleForm(forms.ModelForm[Article]):
    unit_price = decimal_field(_("Unit price"), 4)
    unit_code = forms.ChoiceField(label=_("Unit"), choices=COMMON_UNITS, initial="EA")
    vat_rate = forms.TypedChoiceField(
        label=_("VAT"), choices=RATE_CHOICES, coerce=Decimal, initial="25"
    )

    class Meta:
        model = Article
        fields = ["number", "description", "unit_code", "unit_price", "vat_rate"]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("PDF or image (max 2 MB)"),
        error_messages={"required": _("Choose a file to attach.")},
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class ResendForm(forms.Form):
    """Correct how the customer is reached before a failed invoice goes out again."""

    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=[
            (DeliveryChannel.EMAIL, _("E-mail")),
            (DeliveryChannel.PEPPOL, _("PEPPOL")),
            (DeliveryChannel.NETWORK, _("Network inbox")),
        ],
    )
    email = forms.EmailField(label=_("E-mail address"), required=False)
    peppol_id = forms.CharField(label=_("PEPPOL participant id"), max_length=60, required=False)

    def clean_peppol_id(self) -> str:
        # Saved on the customer: the customer form's rule, not a weaker one.
        return customer_fields.clean_peppol_id(self.cleaned_data["peppol_id"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        channel = cleaned.get("channel")
        if channel == DeliveryChannel.EMAIL and not cleaned.get("email"):
            self.add_error("email", _("Give the e-mail address to send to."))
        missing_id = "peppol_id" in cleaned and not cleaned["peppol_id"]  # not already refused
        if channel == DeliveryChannel.PEPPOL and missing_id:
            self.add_error("peppol_id", _("Write the scheme and the id, e.g. 0007:5566778899."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label=_("UBL file (Invoice or CreditNote, XML)"))
