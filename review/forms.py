"""The queue's filters and the two decision forms; a written reason is always required."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.models import ReviewDecision, RiskFlag
from accounts.numbers import InvalidNumber, parse_org_number
from review.selectors import QueueFilters

Action = ReviewDecision.Action

# What each decision does, beside its name: staff should not have to remember the effects.
ACTION_EFFECTS: dict[str, StrOrPromise] = {
    Action.APPROVE: _("The flag closes; sending opens again if nothing else holds it."),
    Action.REJECT: _("Sending stops at once, queued deliveries included."),
    Action.SUSPEND: _(
        "Sending stops at once, queued deliveries included. A verified organisation's "
        "suspension needs a second reviewer."
    ),
    Action.REQUEST_INFO: _(
        "The owners get an e-mail with your reason as the question; the flag waits."
    ),
    Action.TRANSFER: _(
        "The partner's connection ends and the requester may take the number. "
        "Needs a second reviewer."
    ),
    Action.DECLINE: _("The request closes and the requester is told."),
}

REASON_HELP = _(
    "Written for the file: what you checked and why you decide so. Other staff read it later."
)


def _reason_field(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the reason for your decision.")},
    )


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *RiskFlag.Kind.choices]
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All severities")), *RiskFlag.Severity.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All undecided")),
            *((status, RiskFlag.Status(status).label) for status in RiskFlag.ACTIVE),
        ],
    )
    q = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or number")}),
    )

    def filters(self) -> QueueFilters:
        """Return the filters asked for; an invalid value filters nothing rather than failing."""
        self.is_valid()
        data: dict[str, Any] = self.cleaned_data
        return QueueFilters(
            kind=data.get("kind") or "",
            severity=data.get("severity"),
            status=data.get("status") or "",
            search=(data.get("q") or "").strip(),
        )


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Your decision"), widget=forms.RadioSelect)
    reason = _reason_field(_("Your reason"))

    def __init__(self, *args: Any, offered: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(action, Action(action).label) for action in offered]
        field.error_messages["required"] = _("Choose a decision.")


class SecondReviewForm(forms.Form):
    CONFIRM = "confirm"
    TURN_DOWN = "turn_down"

    outcome = forms.ChoiceField(
        choices=[(CONFIRM, _("Confirm")), (TURN_DOWN, _("Turn down"))], widget=forms.HiddenInput
    )
    reason = _reason_field(_("Your reason"))


class ConcernForm(forms.Form):
    """Open a flag on an organisation for a concern of staff's own."""

    org_number = forms.CharField(label=_("Organisation number"), max_length=20)
    reason = forms.CharField(
        label=_("What is the concern?"),
        max_length=2000,
        help_text=_(
            "Written for the file: what you heard and from whom. The owners do not see it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the reason for your decision.")},
    )

    def clean_org_number(self) -> str:
        try:
            return parse_org_number(self.cleaned_data["org_number"])
        except InvalidNumber as error:
            raise forms.ValidationError(str(error)) from None

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason for your decision."))
        return reason
