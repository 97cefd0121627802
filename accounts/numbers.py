"""Swedish identity and payment numbers: parse, check and normalise.

Pure functions. Each parser returns the normalised value or raises InvalidNumber
with a message fit to show next to the form field.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-+]")


class InvalidNumber(ValueError):
    """A number that fails its format or check-digit rule; str() is the user message."""


def luhn_valid(digits: str) -> bool:
    """Return whether the digit string ends in a correct Luhn (mod 10) check digit."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(digits: str) -> str:
    """Return the Luhn check digit to append to the digit string."""
    for candidate in "0123456789":
        if luhn_valid(digits + candidate):
            return candidate
    raise AssertionError("unreachable: one of ten digits always completes a Luhn sum")


def _digits_only(raw: str) -> str:
    return _SEPARATORS.sub("", raw.strip())


def is_personal_number(ten_digits: str) -> bool:
    """Return whether ten digits read as YYMMDDNNNN with a real date (or a samordningsnummer)."""
    month, day = int(ten_digits[2:4]), int(ten_digits[4:6])
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    if not 1 <= month <= 12:
        return False
    try:
        # A leap year, so 29 February is accepted; the century is unknown here.
        date(2000, month, day)
    except ValueError:
        return False
    return True


def parse_org_number(raw: str) -> str:
    """Return an organisation number as NNNNNN-NNNN.

    Legal entities have a third digit of 2 or more; a sole trader (enskild firma)
    is identified by the owner's personal identity number, which is accepted too
    (10 or 12 digits; a 12-digit form is shortened to its 10-digit form).
    """
    digits = _digits_only(raw)
    if not digits.isdigit():
        raise InvalidNumber(_("An organisation number may contain only digits and a hyphen."))
    if len(digits) == 12 and digits[:2] in {"16", "18", "19", "20"}:
        # 16 is the prefix some registers put before a legal entity's number.
        digits = digits[2:]
    if len(digits) != 10:
        raise InvalidNumber(_("An organisation number has 10 digits, e.g. 556677-8899."))
    if not luhn_valid(digits):
        raise InvalidNumber(
            _("The check digit does not match; please check the organisation number.")
        )
    if int(digits[2]) < 2 and not is_personal_number(digits):
        raise InvalidNumber(
            _("This is neither an organisation number nor a personal identity number.")
        )
    return f"{digits[:6]}-{digits[6:]}"


def is_sole_trader_number(org_number: str) -> bool:
    """Return whether a normalised org number is a personal identity number (enskild firma)."""
    digits = org_number.replace("-", "")
    return int(digits[2]) < 2 and is_personal_number(digits)


def parse_personal_number(raw: str) -> str:
    """Return a personal identity number in BankID's 12-digit form YYYYMMDDNNNN."""
    digits = _digits_only(raw)
    if not digits.isdigit() or len(digits) not in {10, 12}:
        raise InvalidNumber(_("A personal identity number has 12 digits, e.g. 19800101-1234."))
    ten = digits[-10:]
    full_year = int(digits[:4]) if len(digits) == 12 else _full_year(int(ten[:2]), raw)
    if not _is_birth_date(full_year, int(ten[2:4]), int(ten[4:6])):
        raise InvalidNumber(_("The date in the personal identity number is not valid."))
    if not luhn_valid(ten):
        raise InvalidNumber(_("The check digit of the personal identity number does not match."))
    return f"{full_year}{ten[2:]}"


def _full_year(two_digits: int, raw: str) -> int:
    """Return the birth year the way Skatteverket reads it: '+' marks 100 years or older."""
    this_year = date.today().year
    year = this_year - (this_year - two_digits) % 100
    return year - 100 if "+" in raw else year


def _is_birth_date(year: int, month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    if not 1800 <= year <= date.today().year:
        return False
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return born <= date.today()


def mask_personal_number(personal_number: str) -> str:
    """Return YYYYMMDD-XXXX: enough to recognise, not enough to misuse."""
    return f"{personal_number[:8]}-XXXX"


def vat_number_for(org_number: str) -> str:
    """Return the Swedish VAT number SE + 10 digits + 01 for a normalised org number."""
    return f"SE{org_number.replace('-', '')}01"


def parse_vat_number(raw: str, *, org_number: str | None = None) -> str:
    """Return a Swedish VAT number SE999999999901, checked against the org number if given."""
    value = _digits_only(raw).upper()
    if not re.fullmatch(r"SE\d{10}01", value):
        raise InvalidNumber(_("A Swedish VAT number is SE + 10 digits + 01, e.g. SE556677889901."))
    if not luhn_valid(value[2:12]):
        raise InvalidNumber(_("The organisation number inside the VAT number is not valid."))
    if org_number and value != vat_number_for(org_number):
        raise InvalidNumber(_("The VAT number does not match the organisation number."))
    return value


def parse_bankgiro(raw: str) -> str:
    """Return a Bankgiro number as NNN-NNNN or NNNN-NNNN (7 or 8 digits, Luhn)."""
    digits = _digits_only(raw)
    if not digits.isdigit() or len(digits) not in {7, 8}:
        raise InvalidNumber(_("A Bankgiro number has 7 or 8 digits, e.g. 5050-1055."))
    if not luhn_valid(digits):
        raise InvalidNumber(_("The check digit of the Bankgiro number does not match."))
    return f"{digits[:-4]}-{digits[-4:]}"


def parse_plusgiro(raw: str) -> str:
    """Return a Plusgiro number as N…N-N (2 to 8 digits, Luhn)."""
    digits = _digits_only(raw)
    if not digits.isdigit() or not 2 <= len(digits) <= 8:
        raise InvalidNumber(_("A Plusgiro number has 2 to 8 digits, e.g. 4 12 34-6."))
    if not luhn_valid(digits):
        raise InvalidNumber(_("The check digit of the Plusgiro number does not match."))
    return f"{digits[:-1]}-{digits[-1]}"


# ISO 13616 lengths for the countries Swedish businesses mostly bank in; others are
# checked by the mod-97 rule and the general 15-34 length only.
_IBAN_LENGTHS = {
    "SE": 24,
    "NO": 15,
    "DK": 18,
    "FI": 18,
    "DE": 22,
    "GB": 22,
    "NL": 18,
    "FR": 27,
    "ES": 24,
    "IT": 27,
    "BE": 16,
    "AT": 20,
    "CH": 21,
    "PL": 28,
    "EE": 20,
    "LV": 21,
    "LT": 20,
    "IE": 22,
    "IS": 26,
    "LU": 20,
    "PT": 25,
}


def parse_iban(raw: str) -> str:
    """Return an IBAN in electronic form (no spaces, upper case), mod-97 checked."""
    value = re.sub(r"\s", "", raw).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", value):
        raise InvalidNumber(
            _(
                "An IBAN starts with a country code and two check digits, "
                "e.g. SE45 5000 0000 0583 9825 7466."
            )
        )
    expected = _IBAN_LENGTHS.get(value[:2])
    if expected and len(value) != expected:
        raise InvalidNumber(
            _("An IBAN from %(country)s has %(length)d characters.")
            % {"country": value[:2], "length": expected}
        )
    rearranged = value[4:] + value[:4]
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    if int(numeric) % 97 != 1:
        raise InvalidNumber(_("The check digits of the IBAN do not match."))
    return value


def parse_bic(raw: str) -> str:
    """Return a BIC (ISO 9362): 4 letters bank, 2 letters country, 2 location, optional branch."""
    value = re.sub(r"\s", "", raw).upper()
    if not re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", value):
        raise InvalidNumber(_("A BIC has 8 or 11 characters, e.g. ESSESESS."))
    return value


def format_iban(iban: str) -> str:
    """Return an IBAN in print form, in groups of four."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
