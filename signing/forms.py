from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import OrganisationDetailsForm
from signing.services.details import SIGNED_FIELDS


class ConfirmDetailsForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm that the details are correct and that I may represent the company."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the details.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ConfirmPaymentChangeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm that invoices shall carry the new payment account."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the new account.")},
    )


class TakeoverForm(OrganisationDetailsForm):
    """The register's details, locked, plus the signatory's own payment account.

    Nothing the earlier claimant typed is carried over: the signatory signs only the
    register's data and what they enter here themselves. Invoice questions go to the
    signatory's own e-mail address until they change it in Settings.
    """

    confirm = forms.BooleanField(
        label=_("I am a signatory of the company and take over its registration in the portal."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you are a signatory.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["contact_email"]

    def signed_details(self) -> dict[str, Any]:
        """Return the details the takeover signature attests, as the organisation stores them."""
        details = {name: getattr(self.details(), name, None) for name in SIGNED_FIELDS}
        details["country_code"] = "SE"
        # Printed on the company's invoices: the squatter's board seat must not stay either.
        details["registered_office"] = self.cleaned_data.get("registered_office", "")
        return details
