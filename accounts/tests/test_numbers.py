"""Swedish identity and payment numbers: every parse, check and normalise rule.

Each rejected value is checked against the English message of the rule that should
reject it, so a value that fails for some other reason does not pass the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import validators
from accounts.numbers import (
    InvalidNumber,
    format_iban,
    is_personal_number,
    is_sole_trader_number,
    luhn_check_digit,
    luhn_valid,
    mask_personal_number,
    parse_bankgiro,
    parse_bic,
    parse_iban,
    parse_org_number,
    parse_personal_number,
    parse_plusgiro,
    parse_vat_number,
    vat_number_for,
)
from accounts.registry import FixtureRegister


@contextmanager
def rejected(match: str) -> Iterator[None]:
    """Expect InvalidNumber whose English message matches the regex."""
    with translation.override("en"), pytest.raises(InvalidNumber, match=match):
        yield


# --- Luhn --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "digits", ["0", "18", "79927398713", "5560360793", "8504121396", "50501055", "90209"]
)
def test_luhn_valid_accepts_correct_check_digit(digits):
    assert luhn_valid(digits) is True


@pytest.mark.parametrize(
    "digits", ["1", "19", "79927398710", "5560360794", "8504121397", "", "5560-360793", "55a"]
)
def test_luhn_valid_rejects_wrong_check_digit_and_non_digits(digits):
    assert luhn_valid(digits) is False


@pytest.mark.parametrize(
    ("base", "check"),
    [("7992739871", "3"), ("556036079", "3"), ("505010", "9"), ("850412139", "6"), ("", "0")],
)
def test_luhn_check_digit(base, check):
    assert luhn_check_digit(base) == check


@pytest.mark.parametrize("base", ["1", "12345", "559012345", "000000000", "999999999"])
def test_luhn_check_digit_is_the_only_digit_that_completes_the_sum(base):
    check = luhn_check_digit(base)
    assert [d for d in "0123456789" if luhn_valid(base + d)] == [check]


# --- Organisation numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "5560360793",
        "556036-0793",
        "556036 0793",
        " 556036-0793 ",
        "165560360793",
        "16556036-0793",
        "16 556036-0793",
    ],
)
def test_org_number_is_normalised(raw):
    assert parse_org_number(raw) == "556036-0793"


@pytest.mark.parametrize(
    "raw", ["55603A-0793", "556036/0793", "abcdefghij", "556036_0793", "", "556036.0793"]
)
def test_org_number_rejects_non_digits(raw):
    with rejected("only digits"):
        parse_org_number(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "556036079",  # 9 digits
        "55603607930",  # 11 digits
        "175560360793",  # 12 digits without a known prefix
        "1655603607930",  # 13 digits
        "16556036079",  # prefix + 9 digits
    ],
)
def test_org_number_rejects_wrong_length(raw):
    with rejected("10 digits"):
        parse_org_number(raw)


@pytest.mark.parametrize("raw", ["556036-0794", "556036-0790", "5590123451", "165560360794"])
def test_org_number_rejects_bad_check_digit(raw):
    with rejected("check digit"):
        parse_org_number(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "001301-1234",  # third digit 1, month 13
        "850400-1234",  # day 0
        "850230-1230",  # 30 February
        "850432-1236",  # 32 April
        "850160-1234",  # day 60 is neither a date nor a samordningsnummer
    ],
)
def test_org_number_rejects_low_third_digit_that_is_not_a_personal_number(raw):
    assert luhn_valid(raw.replace("-", "")), "the value must fail the date rule, not the Luhn one"
    with rejected("neither an organisation number nor a personal identity number"):
        parse_org_number(raw)


def _fixture_company(legal_name: str) -> str:
    (record,) = [r for r in FixtureRegister().all() if r.legal_name == legal_name]
    return record.org_number


def test_sole_trader_from_the_register_is_accepted_and_recognised():
    org_number = _fixture_company("Linnea Åberg Design")
    assert org_number == "850412-1396"
    assert parse_org_number(org_number) == org_number
    assert parse_org_number(org_number.replace("-", "")) == org_number
    assert is_sole_trader_number(org_number) is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198504121396", "850412-1396"),  # the owner's 12-digit personal number
        ("19850412-1396", "850412-1396"),
        ("850412-1396", "850412-1396"),
        ("850472-1237", "850472-1237"),  # samordningsnummer (day + 60)
        ("000229-1235", "000229-1235"),  # 29 February
        ("200001011238", "000101-1238"),
    ],
)
def test_org_number_accepts_personal_numbers_of_sole_traders(raw, expected):
    assert parse_org_number(raw) == expected
    assert is_sole_trader_number(expected) is True


@pytest.mark.parametrize("org_number", ["556036-0793", "559012-3450", "802400-1235", "716420-1233"])
def test_legal_entity_is_not_a_sole_trader(org_number):
    assert parse_org_number(org_number) == org_number
    assert is_sole_trader_number(org_number) is False


@pytest.mark.parametrize(
    ("ten_digits", "expected"),
    [
        ("8504121396", True),
        ("8504721237", True),  # samordningsnummer
        ("0002291235", True),
        ("8513011234", False),  # month 13
        ("8500011234", False),  # month 0
        ("8504001234", False),  # day 0
        ("8502301230", False),  # 30 February
        ("5560360793", False),  # an AB's number: month 60
    ],
)
def test_is_personal_number(ten_digits, expected):
    assert is_personal_number(ten_digits) is expected


# --- VAT numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_number", "vat"),
    [
        ("556036-0793", "SE556036079301"),
        ("559012-3450", "SE559012345001"),
        ("850412-1396", "SE850412139601"),
    ],
)
def test_vat_number_for(org_number, vat):
    assert vat_number_for(org_number) == vat
    assert parse_vat_number(vat, org_number=org_number) == vat


@pytest.mark.parametrize(
    "raw",
    ["SE556036079301", "se556036079301", "SE 5560360793 01", "SE556036-079301", " SE556036079301"],
)
def test_vat_number_is_normalised(raw):
    assert parse_vat_number(raw) == "SE556036079301"
    assert parse_vat_number(raw, org_number="556036-0793") == "SE556036079301"


@pytest.mark.parametrize(
    "raw",
    [
        "556036079301",  # no country prefix
        "SE5560360793",  # no 01 suffix
        "SE556036079302",  # suffix other than 01
        "SE55603607930101",  # too long
        "SE55603607901",  # too short
        "DK12345678",
        "SE55603607A301",
        "",
    ],
)
def test_vat_number_rejects_wrong_format(raw):
    with rejected("SE \\+ 10 digits \\+ 01"):
        parse_vat_number(raw)


@pytest.mark.parametrize("raw", ["SE556036079401", "SE559012345101"])
def test_vat_number_rejects_bad_inner_check_digit(raw):
    with rejected("organisation number inside the VAT number is not valid"):
        parse_vat_number(raw)


def test_vat_number_must_match_the_org_number():
    with rejected("does not match the organisation number"):
        parse_vat_number("SE559012345001", org_number="556036-0793")
    assert parse_vat_number("SE559012345001", org_number="559012-3450") == "SE559012345001"


# --- Bankgiro ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5050-1055", "5050-1055"),
        ("50501055", "5050-1055"),
        ("5050 1055", "5050-1055"),
        ("5402-9681", "5402-9681"),
        ("1234566", "123-4566"),
        ("123-4566", "123-4566"),
        ("505-0109", "505-0109"),
        ("505 01 09", "505-0109"),
    ],
)
def test_bankgiro_is_normalised(raw, expected):
    assert parse_bankgiro(raw) == expected


@pytest.mark.parametrize("raw", ["5050-1056", "123-4567", "50501050"])
def test_bankgiro_rejects_bad_check_digit(raw):
    with rejected("check digit of the Bankgiro"):
        parse_bankgiro(raw)


@pytest.mark.parametrize(
    "raw", ["123455", "12-3455", "123456782", "1234-56782", "5050-105A", "", "bankgiro"]
)
def test_bankgiro_rejects_wrong_length_and_non_digits(raw):
    with rejected("7 or 8 digits"):
        parse_bankgiro(raw)


# --- Plusgiro ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18", "1-8"),
        ("1-8", "1-8"),
        ("90209", "9020-9"),
        ("90 20 9", "9020-9"),
        ("9020-9", "9020-9"),
        ("12345674", "1234567-4"),
        ("12 34 56-74", "1234567-4"),
    ],
)
def test_plusgiro_is_normalised(raw, expected):
    assert parse_plusgiro(raw) == expected


@pytest.mark.parametrize("raw", ["19", "9020-8", "1234567-5"])
def test_plusgiro_rejects_bad_check_digit(raw):
    with rejected("check digit of the Plusgiro"):
        parse_plusgiro(raw)


@pytest.mark.parametrize("raw", ["0", "123456782", "9020-X", "", "pg"])
def test_plusgiro_rejects_wrong_length_and_non_digits(raw):
    with rejected("2 to 8 digits"):
        parse_plusgiro(raw)


# --- IBAN and BIC ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SE45 5000 0000 0583 9825 7466", "SE4550000000058398257466"),
        ("se4550000000058398257466", "SE4550000000058398257466"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("NO93 8601 1117 947", "NO9386011117947"),
        # A country without a listed length: mod-97 and the general 15-34 rule only.
        ("GR16 0110 1250 0000 0001 2300 695", "GR1601101250000000012300695"),
    ],
)
def test_iban_is_normalised(raw, expected):
    assert parse_iban(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "SE46 5000 0000 0583 9825 7466",  # check digits changed
        "SE45 5000 0000 0583 9825 7467",  # account digit changed
        "DE88 3704 0044 0532 0130 00",
        "NO93 8601 1117 948",
    ],
)
def test_iban_rejects_bad_mod97(raw):
    with rejected("check digits of the IBAN"):
        parse_iban(raw)


@pytest.mark.parametrize(
    ("raw", "country", "length"),
    [
        ("SE45 5000 0000 0583 9825 746", "SE", 24),
        ("SE45 5000 0000 0583 9825 7466 0", "SE", 24),
        ("NO93 8601 1117 9470", "NO", 15),
    ],
)
def test_iban_rejects_wrong_length_for_the_country(raw, country, length):
    with rejected(f"from {country} has {length} characters"):
        parse_iban(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hello",
        "SE",
        "1234567890123456",
        "SEXX50000000058398257466",
        "SE45-5000-0000-0583-9825-7466",
        "SE45 5000 0000 0583 9825 746!",
        "SE45" + "1" * 31,  # longer than 34
    ],
)
def test_iban_rejects_garbage(raw):
    with rejected("starts with a country code"):
        parse_iban(raw)


def test_format_iban_groups_of_four():
    assert format_iban("SE4550000000058398257466") == "SE45 5000 0000 0583 9825 7466"
    assert format_iban("NO9386011117947") == "NO93 8601 1117 947"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ESSESESS", "ESSESESS"),
        ("essesess", "ESSESESS"),
        ("NDEASESSXXX", "NDEASESSXXX"),
        ("ndeasessxxx", "NDEASESSXXX"),
        ("DEUT DE FF 500", "DEUTDEFF500"),
        ("HANDSESS", "HANDSESS"),
    ],
)
def test_bic_is_normalised(raw, expected):
    assert parse_bic(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["ESSESES", "ESSESESSX", "ESSESESSXX", "ESSESESSXXXX", "1SSESESS", "ESSE1ESS", "ESSE-SESS", ""],
)
def test_bic_rejects_bad(raw):
    with rejected("8 or 11 characters"):
        parse_bic(raw)


# --- Personal identity numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("198504121396", "198504121396"),
        ("19850412-1396", "198504121396"),
        ("8504121396", "198504121396"),
        ("850412-1396", "198504121396"),
        ("9912311231", "199912311231"),  # year above this year's two digits: 1900s
        ("0001011238", "200001011238"),  # year below: 2000s
        ("1010101010", "201010101010"),
        ("2601011238", "202601011238"),  # this year's two digits (tests run from 2026): 2000s
        ("121212+1212", "191212121212"),  # '+' marks 100 years or older
        ("8504721237", "198504721237"),  # samordningsnummer
    ],
)
def test_personal_number_is_normalised_to_twelve_digits(raw, expected):
    assert parse_personal_number(raw) == expected


def test_personal_number_plus_separator_with_year_above_today():
    assert parse_personal_number("850412+1396") == "188504121396"


@pytest.mark.parametrize("raw", ["218504121396", "308504121396"])
def test_personal_number_rejects_impossible_century(raw):
    with pytest.raises(InvalidNumber):
        parse_personal_number(raw)


@pytest.mark.parametrize(
    "raw", ["0013011234", "8504001234", "8502301230", "5560360793", "198513011234"]
)
def test_personal_number_rejects_invalid_date(raw):
    with rejected("date in the personal identity number"):
        parse_personal_number(raw)


@pytest.mark.parametrize("raw", ["8504121397", "198504121397", "850412-1390"])
def test_personal_number_rejects_bad_check_digit(raw):
    with rejected("check digit of the personal identity number"):
        parse_personal_number(raw)


@pytest.mark.parametrize(
    "raw", ["85041213", "850412139", "19850412139", "1985041213961", "abcdefghij", ""]
)
def test_personal_number_rejects_wrong_length_and_non_digits(raw):
    with rejected("12 digits"):
        parse_personal_number(raw)


def test_mask_personal_number_hides_the_last_four_digits():
    masked = mask_personal_number("198504121396")
    assert masked == "19850412-XXXX"
    assert "1396" not in masked


# --- Model-field validators: valid AND normalised -------------------------------------------


@pytest.mark.parametrize(
    ("validator", "normalised", "unnormalised"),
    [
        (validators.validate_org_number, "556036-0793", "5560360793"),
        (validators.validate_org_number, "850412-1396", "198504121396"),
        (validators.validate_vat_number, "SE556036079301", "se556036079301"),
        (validators.validate_bankgiro, "5050-1055", "50501055"),
        (validators.validate_plusgiro, "9020-9", "90209"),
        (validators.validate_iban, "SE4550000000058398257466", "SE45 5000 0000 0583 9825 7466"),
        (validators.validate_bic, "ESSESESS", "essesess"),
    ],
)
def test_validator_requires_the_normal_form(validator, normalised, unnormalised):
    validator(normalised)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validator(unnormalised)
    assert info.value.code == "not_normalised"
    assert normalised in info.value.messages[0]


@pytest.mark.parametrize(
    ("validator", "invalid"),
    [
        (validators.validate_org_number, "556036-0794"),
        (validators.validate_vat_number, "SE556036079401"),
        (validators.validate_bankgiro, "5050-1056"),
        (validators.validate_plusgiro, "9020-8"),
        (validators.validate_iban, "SE4650000000058398257466"),
        (validators.validate_bic, "ESSE1ESS"),
    ],
)
def test_validator_rejects_invalid_numbers(validator, invalid):
    with pytest.raises(ValidationError) as info:
        validator(invalid)
    assert info.value.code == "invalid"


# --- Where python-stdnum is stricter than the rules it replaced ------------------------------
# Each value below was accepted by the hand-written rules before stdnum; its Luhn or mod-97
# sum is right, so only the stricter rule refuses it.


def _iban_with_check_digits(country: str, bban: str) -> str:
    """Return the IBAN whose mod-97 check digits are right, whatever the account part."""
    numeric = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


@pytest.mark.parametrize(
    "raw",
    [
        "850229-1233",  # 29 February 1985: the old rule tried every date in a leap year
        "230229-1238",
        "850289-1230",  # the same as a samordningsnummer
    ],
)
def test_29_february_of_a_common_year_is_not_a_sole_trader(raw):
    assert luhn_valid(raw.replace("-", ""))
    assert is_personal_number(raw.replace("-", "")) is False
    with rejected("neither an organisation number nor a personal identity number"):
        parse_org_number(raw)


def test_29_february_of_a_leap_year_is_still_a_sole_trader():
    assert parse_org_number("000229-1235") == "000229-1235"
    assert parse_org_number("040229-1231") == "040229-1231"


def _digits_of(script_zero: int, ascii_value: str) -> str:
    """Return the value with 0-9 written in another script (Unicode digits from script_zero)."""
    return ascii_value.translate({ord(d): script_zero + int(d) for d in "0123456789"})


_FULL_WIDTH, _ARABIC_INDIC = 0xFF10, 0x0660


@pytest.mark.parametrize(
    ("parser", "raw", "match"),
    [
        # Such digits pass str.isdigit() and int(); they used to be stored as typed.
        (parse_org_number, _digits_of(_FULL_WIDTH, "556036-0793"), "only digits"),
        (parse_org_number, _digits_of(_ARABIC_INDIC, "5560360793"), "only digits"),
        (parse_personal_number, _digits_of(_FULL_WIDTH, "198504121396"), "12 digits"),
        (parse_vat_number, "SE" + _digits_of(_FULL_WIDTH, "5560360793") + "01", "SE \\+ 10"),
        (parse_bankgiro, _digits_of(_FULL_WIDTH, "5050-1055"), "7 or 8 digits"),
        (parse_plusgiro, _digits_of(_ARABIC_INDIC, "90209"), "2 to 8 digits"),
    ],
)
def test_digits_other_than_0_to_9_are_refused(parser, raw, match):
    with rejected(match):
        parser(raw)


def test_luhn_takes_only_the_digits_0_to_9():
    assert luhn_valid("5560360793") is True
    assert luhn_valid(_digits_of(_FULL_WIDTH, "5560360793")) is False


def test_iban_of_a_country_without_ibans_is_refused():
    iban = _iban_with_check_digits("XX", "50000000058398257466")
    with rejected("XX is not a country with IBANs"):
        parse_iban(iban)


def test_iban_length_is_known_for_every_country():
    # Greece was not in the old table of lengths: 26 characters passed on mod-97 alone.
    iban = _iban_with_check_digits("GR", "0110125000000001230069")
    assert len(iban) == 26
    with rejected("from GR has 27 characters"):
        parse_iban(iban)


@pytest.mark.parametrize(
    ("country", "bban"),
    [("SE", "5000000005839825746A"), ("DE", "37040044053201300X")],
)
def test_iban_account_part_must_follow_the_country_format(country, bban):
    iban = _iban_with_check_digits(country, bban)
    with rejected(f"does not follow the format of {country}"):
        parse_iban(iban)


@pytest.mark.parametrize(
    ("country", "bban"),
    [
        ("NO", "86011117948"),  # the Norwegian account number's own mod-11 digit is wrong
        ("BE", "539007547035"),  # the Belgian account number's own mod-97 pair is wrong
    ],
)
def test_iban_national_check_digit_is_checked(country, bban):
    iban = _iban_with_check_digits(country, bban)
    with rejected("check digits of the IBAN"):
        parse_iban(iban)


@pytest.mark.parametrize(("raw", "country"), [("ESSEXXSS", "XX"), ("DEUTQQFF500", "QQ")])
def test_bic_country_must_be_a_country(raw, country):
    with rejected(f"{country} in the BIC is not a country code"):
        parse_bic(raw)
