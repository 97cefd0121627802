"""Forms: parse and normalise at the edge, so services only ever see valid values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Plan
from accounts.numbers import (
    InvalidNumber,
    parse_bankgiro,
    parse_bic,
    parse_iban,
    parse_org_number,
    parse_plusgiro,
    parse_vat_number,
    vat_number_for,
)
from accounts.registry import CompanyRecord
from accounts.services import OrganisationDetails
from portal.files import sniff_mime_type


def _parsed(parser: Callable[[str], str], value: str) -> str:
    """Run a number parser on a non-empty value, turning its error into a field error."""
    if not value:
        return ""
    try:
        return parser(value)
    except InvalidNumber as error:
        raise forms.ValidationError(str(error)) from None


class OrgNumberForm(forms.Form):
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        help_text=_(
            "10 digits, e.g. 556677-8899. Sole traders use their personal identity number."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_org_number(self) -> str:
        return _parsed(parse_org_number, self.cleaned_data["org_number"])


class PaymentDetailsMixin(forms.Form):
    """Contact and payment fields shared by onboarding and the settings page."""

    contact_email = forms.EmailField(label=_("Contact e-mail for invoices"), required=False)
    bankgiro = forms.CharField(label=_("Bankgiro"), max_length=12, required=False)
    plusgiro = forms.CharField(label=_("Plusgiro"), max_length=12, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False)
    has_f_skatt = forms.BooleanField(label=_("Approved for F-tax (F-skatt)"), required=False)

    def clean_bankgiro(self) -> str:
        return _parsed(parse_bankgiro, self.cleaned_data["bankgiro"])

    def clean_plusgiro(self) -> str:
        return _parsed(parse_plusgiro, self.cleaned_data["plusgiro"])

    def clean_iban(self) -> str:
        return _parsed(parse_iban, self.cleaned_data["iban"])

    def clean_bic(self) -> str:
        return _parsed(parse_bic, self.cleaned_data["bic"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("bic") and not cleaned.get("iban") and "iban" not in self.errors:
            self.add_error("iban", _("Give the IBAN that the BIC belongs to."))
        return cleaned


REGISTERED_OFFICE_FIELD = forms.CharField(
    label=_("Registered office of the board (styrelsens säte)"),
    max_length=100,
    required=False,
    help_text=_("The municipality; an aktiebolag prints it on its invoices."),
)


class OrganisationDetailsForm(PaymentDetailsMixin):
    """Onboarding details: what the register found is shown locked; the rest is entered."""

    REGISTER_FIELDS = ("legal_name", "street_address", "postal_code", "city", "registered_office")

    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    registered_office = REGISTERED_OFFICE_FIELD
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to use SE + organisation number + 01."),
    )
    field_order = [
        "legal_name",
        "street_address",
        "postal_code",
        "city",
        "registered_office",
        "vat_number",
    ]

    def __init__(
        self, *args: Any, org_number: str, record: CompanyRecord | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.org_number = org_number
        self.record = record
        if record is not None:
            # Disabled fields take their value from `initial`, never from the POST,
            # so the register's data cannot be altered by a crafted request.
            for name in self.REGISTER_FIELDS:
                if name == "registered_office" and not record.registered_office:
                    continue  # the register does not know it: the user enters it
                self.fields[name].disabled = True
                self.fields[name].initial = getattr(record, name)
            self.fields["has_f_skatt"].initial = record.has_f_skatt

    def clean_vat_number(self) -> str:
        raw = self.cleaned_data["vat_number"]
        if not raw:
            return vat_number_for(self.org_number)
        return _parsed(lambda value: parse_vat_number(value, org_number=self.org_number), raw)

    def details(self) -> OrganisationDetails:
        data = self.cleaned_data
        return OrganisationDetails(
            org_number=self.org_number,
            **{
                name: data.get(name, "")
                for name in OrganisationDetails.__dataclass_fields__
                if name != "org_number"
            },
        )


class OrganisationSettingsForm(PaymentDetailsMixin):
    LOGO_MAX_BYTES = 512 * 1024

    logo = forms.FileField(
        label=_("Logo for invoices (PNG or JPEG, at most 500 kB)"), required=False
    )
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    registered_office = REGISTERED_OFFICE_FIELD
    payment_terms_days = forms.IntegerField(
        label=_("Default payment terms (days)"),
        min_value=0,
        max_value=365,
        required=False,
        help_text=_("For customers without terms of their own."),
    )
    late_payment_interest = forms.CharField(
        label=_("Late-payment interest"),
        max_length=200,
        required=False,
        help_text=_(
            "Printed with the payment terms, e.g. “Dröjsmålsränta enligt räntelagen” "
            "or “Dröjsmålsränta 12 %”."
        ),
    )
    field_order = ["street_address", "postal_code", "city", "registered_office"]

    def clean_payment_terms_days(self) -> int:
        days = self.cleaned_data["payment_terms_days"]
        return int(self.initial.get("payment_terms_days", 30) if days is None else days)

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        content: bytes = upload.read(self.LOGO_MAX_BYTES + 1)
        if len(content) > self.LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo may be at most 500 kB."))
        if sniff_mime_type(content) not in {"image/png", "image/jpeg"}:
            raise forms.ValidationError(_("The logo must be a PNG or JPEG image."))
        return content


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    role = forms.ChoiceField(
        choices=Membership.Role.choices, initial=Membership.Role.MEMBER, required=False
    )


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PlanForm(forms.Form):
    plan = forms.ChoiceField(choices=Plan.choices)


class SwitchOrganisationForm(forms.Form):
    organisation = forms.UUIDField()


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system uses the key, e.g. “Fortnox” or “Our ERP (test)”."),
    )
    read_only = forms.BooleanField(
        label=_("Read only (the key can read invoices but not create or send them)"),
        required=False,
    )
