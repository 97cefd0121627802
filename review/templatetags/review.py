"""Template filters of the review workspace."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

register = template.Library()

# The names the services give what a flag rests on, as a reviewer reads them.
EVIDENCE_LABELS: dict[str, StrOrPromise] = {
    "signer_name": _("Signer"),
    "signer_personal_number": _("Signer's personal number"),
    "signer_is_signatory": _("Signer is a signatory"),
    "register_answered": _("Register answered"),
    "register_status": _("Status in the register"),
    "register_name": _("Name in the register"),
    "register_signatories": _("Signatories in the register"),
    "checked_at": _("Checked"),
    "signature_evidence": _("Signature evidence no."),
    "signed_at": _("Signed"),
    "details_source": _("Details from"),
    "fields_typed": _("Fields typed in"),
    "invoices": _("Invoices sent in the window"),
    "new_recipients": _("New recipients in the window"),
    "window_hours": _("Window (hours)"),
    "max_invoices": _("Most invoices allowed"),
    "max_new_recipients": _("Most new recipients allowed"),
    "organisation_created_at": _("Organisation registered"),
    "people": _("Different people"),
    "threshold": _("Threshold"),
    "attempts": _("Attempts"),
    "previous": _("Previous account"),
    "proposed": _("New account"),
    "requested_by": _("Requested by"),
    "partner": _("Partner"),
    "registered_at": _("Registered with the partner"),
    "company_name": _("Company"),
    "message": _("Message"),
    "raised_by": _("Raised by"),
    "displaced": _("Members who lost access"),
}


@register.filter
def evidence_label(key: str) -> StrOrPromise:
    """Name an evidence entry as a reviewer reads it; an unknown one by its key."""
    return EVIDENCE_LABELS.get(key) or key.replace("_", " ").capitalize()


