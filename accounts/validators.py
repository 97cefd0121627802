"""Model-field validators: a stored number must already be valid and normalised.

Forms normalise user input first; these catch any path (a service, the admin, a
script) that would store a value the parsers would not have produced.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import numbers


def _check(parser: Callable[[str], str], value: str) -> None:
    try:
        normalised = parser(value)
    except numbers.InvalidNumber as error:
        raise ValidationError(str(error), code="invalid") from None
    if normalised != value:
        raise ValidationError(
            _("Store the number in its normal form: %(value)s") % {"value": normalised},
            code="not_normalised",
        )


def validate_org_number(value: str) -> None:
    _check(numbers.parse_org_number, value)


def validate_vat_number(value: str) -> None:
    _check(numbers.parse_vat_number, value)


def validate_bankgiro(value: str) -> None:
    _check(numbers.parse_bankgiro, value)


def validate_plusgiro(value: str) -> None:
    _check(numbers.parse_plusgiro, value)


def validate_iban(value: str) -> None:
    _check(numbers.parse_iban, value)


def validate_bic(value: str) -> None:
    _check(numbers.parse_bic, value)
