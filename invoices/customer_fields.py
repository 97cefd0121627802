"""The customer's identifiers, checked and normalised the same way in the form and the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.numbers import InvalidNumber, parse_org_number

# What a user or an ERP writes about a customer, in the form's order.
EDITABLE = [
    "name",
    "customer_number",
    "org_number",
    "vat_number",
    "email",
    "street_address",
    "postal_code",
    "city",
    "country_code",
    "your_reference",
    "payment_terms_days",
    "preferred_channel",
    "peppol_id",
    "gln",
]


def clean_org_number(raw: str) -> str:
    """Return the number as NNNNNN-NNNN, or "" when none is given."""
    if not raw:
        return ""
    try:
        return parse_org_number(raw)
    except InvalidNumber as error:
        raise ValidationError(str(error)) from None


def clean_peppol_id(raw: str) -> str:
    """Return "scheme:identifier" (e.g. 0007:5566778899), or "" when none is given."""
    value = raw.strip()
    scheme, sep, identifier = value.partition(":")
    if value and (not sep or not scheme.isdigit() or len(scheme) != 4 or not identifier):
        raise ValidationError(_("Write the scheme and the id, e.g. 0007:5566778899."))
    if scheme == "9955":
        raise ValidationError(_("Scheme 9955 is no longer used in PEPPOL; use 0007."))
    return value


def clean_gln(raw: str) -> str:
    value = raw.strip()
    if value and (len(value) != 13 or not value.isdigit()):
        raise ValidationError(_("A GLN has 13 digits."))
    return value


def clean_country_code(raw: str) -> str:
    value = raw.strip().upper()
    if len(value) != 2 or not value.isalpha():
        raise ValidationError(_("Write the country as two letters, e.g. SE or DE."))
    return value
