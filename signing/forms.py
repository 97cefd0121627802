from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmDetailsForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm that the details are correct and that I may represent the company."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the details.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
