"""Swedish identity and payment numbers: parse, check and normalise.

The rules themselves come from python-stdnum (Luhn, organisation and personal
identity numbers, VAT numbers, IBAN, BIC). This module adds what stdnum lacks
(Bankgiro, Plusgiro, samordningsnummer, the 16 prefix, a birth date that is not in
the future), the normal forms we store, and a message for every refusal.

Pure functions. Each parser returns the normalised value or raises InvalidNumber
with a message fit to show next to the form field.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext_lazy as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import luhn, numdb
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr, personnummer
from stdnum.se import vat as se_vat
from stdnum.util import isdigits

# Our own separators, stricter than stdnum's compact() (which also drops dots).
_SEPARATORS = re.compile(r"[\s\-+]")
_IBAN_STRUCTURE_PART = re.compile(r"([1-9][0-9]*)!([nac])")


class InvalidNumber(ValueError):
    """A number that fails its format or check-digit rule; str() is the user message."""


def luhn_valid(digits: str) -> bool:
    """Return whether the digit string ends in a correct Luhn (mod 10) check digit."""
    return luhn.is_valid(digits)


def luhn_check_digit(digits: str) -> str:
    """Return the Luhn check digit to append to the digit string."""
    return luhn.calc_check_digit(digits)


def _digits_only(raw: str) -> str:
    return _SEPARATORS.sub("", raw.strip())


def _birth_date(ten_digits: str, *, century: str = "", is_centenarian: bool = False) -> date:
    """Return the birth date in YYMMDDNNNN; raise stdnum's InvalidComponent if there is none.

    Without a century, stdnum reads the year as Skatteverket does: the latest year
    not after this one, a century earlier for a '+' (100 years or older).
    """
    day = int(ten_digits[4:6])
    if day > 60:  # samordningsnummer: day + 60, which stdnum does not know
        ten_digits = f"{ten_digits[:4]}{day - 60:02d}{ten_digits[6:]}"
    separator = "+" if is_centenarian else "-"
    return personnummer.get_birth_date(f"{century}{ten_digits[:6]}{separator}{ten_digits[6:]}")


def is_personal_number(ten_digits: str) -> bool:
    """Return whether ten digits read as YYMMDDNNNN with a real date (or a samordningsnummer)."""
    try:
        _birth_date(ten_digits)
    except InvalidComponent:
        return False
    return True


def parse_org_number(raw: str) -> str:
    """Return an organisation number as NNNNNN-NNNN.

    Legal entities have a third digit of 2 or more; a sole trader (enskild firma)
    is identified by the owner's personal identity number, which is accepted too
    (10 or 12 digits; a 12-digit form is shortened to its 10-digit form).
    """
    digits = _digits_only(raw)
    if not isdigits(digits):
        raise InvalidNumber(_("An organisation number may contain only digits and a hyphen."))
    if len(digits) == 12 and digits[:2] in {"16", "18", "19", "20"}:
        # 16 is the prefix some registers put before a legal entity's number.
        digits = digits[2:]
    try:
        orgnr.validate(digits)
    except InvalidChecksum:
        raise InvalidNumber(
            _("The check digit does not match; please check the organisation number.")
        ) from None
    except StdnumError:
        raise InvalidNumber(_("An organisation number has 10 digits, e.g. 556677-8899.")) from None
    if int(digits[2]) < 2 and not is_personal_number(digits):
        raise InvalidNumber(
            _("This is neither an organisation number nor a personal identity number.")
        )
    return orgnr.format(digits)


def is_sole_trader_number(org_number: str) -> bool:
    """Return whether a normalised org number is a personal identity number (enskild firma)."""
    digits = orgnr.compact(org_number)
    return int(digits[2]) < 2 and is_personal_number(digits)


def parse_personal_number(raw: str) -> str:
    """Return a personal identity number in BankID's 12-digit form YYYYMMDDNNNN."""
    digits = _digits_only(raw)
    if not isdigits(digits) or len(digits) not in {10, 12}:
        raise InvalidNumber(_("A personal identity number has 12 digits, e.g. 19800101-1234."))
    ten = digits[-10:]
    try:
        born = _birth_date(ten, century=digits[:-10], is_centenarian="+" in raw)
    except InvalidComponent:
        born = None
    # stdnum takes any date; a birth date lies between 1800 and today.
    if born is None or not date(1800, 1, 1) <= born <= date.today():
        raise InvalidNumber(_("The date in the personal identity number is not valid."))
    if not luhn.is_valid(ten):
        raise InvalidNumber(_("The check digit of the personal identity number does not match."))
    return f"{born.year}{ten[2:]}"


def mask_personal_number(personal_number: str) -> str:
    """Return YYYYMMDD-XXXX: enough to recognise, not enough to misuse."""
    return f"{personal_number[:8]}-XXXX"


def vat_number_for(org_number: str) -> str:
    """Return the Swedish VAT number SE + 10 digits + 01 for a normalised org number."""
    return f"SE{orgnr.compact(org_number)}01"


def parse_vat_number(raw: str, *, org_number: str | None = None) -> str:
    """Return a Swedish VAT number SE999999999901, checked against the org number if given."""
    value = _digits_only(raw).upper()
    # stdnum also takes the number without SE; on an invoice the prefix is required.
    if not re.fullmatch(r"SE[0-9]{10}01", value):
        raise InvalidNumber(_("A Swedish VAT number is SE + 10 digits + 01, e.g. SE556677889901."))
    try:
        se_vat.validate(value)
    except StdnumError:
        raise InvalidNumber(
            _("The organisation number inside the VAT number is not valid.")
        ) from None
    if org_number and value != vat_number_for(org_number):
        raise InvalidNumber(_("The VAT number does not match the organisation number."))
    return value


def parse_bankgiro(raw: str) -> str:
    """Return a Bankgiro number as NNN-NNNN or NNNN-NNNN (7 or 8 digits, Luhn)."""
    digits = _digits_only(raw)
    if not isdigits(digits) or len(digits) not in {7, 8}:
        raise InvalidNumber(_("A Bankgiro number has 7 or 8 digits, e.g. 5050-1055."))
    if not luhn.is_valid(digits):
        raise InvalidNumber(_("The check digit of the Bankgiro number does not match."))
    return f"{digits[:-4]}-{digits[-4:]}"


def parse_plusgiro(raw: str) -> str:
    """Return a Plusgiro number as N…N-N (2 to 8 digits, Luhn)."""
    digits = _digits_only(raw)
    if not isdigits(digits) or not 2 <= len(digits) <= 8:
        raise InvalidNumber(_("A Plusgiro number has 2 to 8 digits, e.g. 4 12 34-6."))
    if not luhn.is_valid(digits):
        raise InvalidNumber(_("The check digit of the Plusgiro number does not match."))
    return f"{digits[:-1]}-{digits[-1]}"


def _iban_length(country: str) -> int | None:
    """Return the IBAN length of a country from stdnum's registry, None if it has no IBAN."""
    structure = numdb.get("iban").info(country)[0][1].get("bban")
    if not structure:
        return None
    return 4 + sum(int(count) for count, _kind in _IBAN_STRUCTURE_PART.findall(structure))


def parse_iban(raw: str) -> str:
    """Return an IBAN in electronic form (no spaces, upper case), mod-97 checked."""
    value = re.sub(r"\s", "", raw).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", value):
        raise InvalidNumber(
            _(
                "An IBAN starts with a country code and two check digits, "
                "e.g. SE45 5000 0000 0583 9825 7466."
            )
        )
    country = value[:2]
    expected = _iban_length(country)
    if expected is None:
        raise InvalidNumber(
            _("%(country)s is not a country with IBANs; please check the country code.")
            % {"country": country}
        )
    # Length first: a digit too many or too few is the likelier typo, and says more.
    if len(value) != expected:
        raise InvalidNumber(
            _("An IBAN from %(country)s has %(length)d characters.")
            % {"country": country, "length": expected}
        )
    try:
        # Mod 97, then the country's account format and, for some, its own check digit.
        stdnum_iban.validate(value)
    except InvalidChecksum:
        raise InvalidNumber(_("The check digits of the IBAN do not match.")) from None
    except StdnumError:
        raise InvalidNumber(
            _(
                "The account number does not follow the format of %(country)s; "
                "please check the IBAN."
            )
            % {"country": country}
        ) from None
    return value


def parse_bic(raw: str) -> str:
    """Return a BIC (ISO 9362): 4 letters bank, 2 letters country, 2 location, optional branch."""
    value = re.sub(r"\s", "", raw).upper()
    try:
        # stdnum's compact() would also drop hyphens; we take spaces only.
        if not re.fullmatch(r"[A-Z0-9]*", value):
            raise InvalidFormat()
        return stdnum_bic.validate(value)
    except InvalidComponent:
        raise InvalidNumber(
            _("%(country)s in the BIC is not a country code.") % {"country": value[4:6]}
        ) from None
    except InvalidFormat:
        raise InvalidNumber(_("A BIC has 8 or 11 characters, e.g. ESSESESS.")) from None


def format_iban(iban: str) -> str:
    """Return an IBAN in print form, in groups of four."""
    return stdnum_iban.format(iban)
