"""Fictional people who hold a simulated BankID: the register's signatories and two outsiders."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from accounts.numbers import luhn_check_digit

REGISTER_PATH = Path(__file__).resolve().parents[2] / "accounts" / "data" / "company_register.json"


@dataclass(frozen=True)
class Person:
    """A BankID holder: 12-digit personal number and names as the certificate carries them."""

    personal_number: str
    given_name: str
    surname: str
    signatory_of: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"

    def as_json(self) -> dict[str, Any]:
        return {
            "personalNumber": self.personal_number,
            "givenName": self.given_name,
            "surname": self.surname,
            "name": self.name,
            "signatoryOf": list(self.signatory_of),
        }


def _personal_number(birth_date: str, serial: str) -> str:
    """Return YYYYMMDDNNNC; the check digit is computed over the 10-digit form."""
    ten_without_check = birth_date[2:] + serial
    return birth_date + serial + luhn_check_digit(ten_without_check)


# Signatories of no company in the register: they exercise the "signer is not a
# registered signatory" risk rule.
OUTSIDERS = (
    Person(_personal_number("19721212", "121"), "Tolvan", "Tolvansson"),
    Person(_personal_number("19900101", "123"), "Greta", "Provdocka"),
)


def split_name(name: str) -> tuple[str, str]:
    """Split "Given Names Surname" at the last space (a register carries one name string)."""
    given, _, surname = name.strip().rpartition(" ")
    return (given, surname) if given else (surname, "")


def _register_signatories(path: Path) -> list[Person]:
    companies = json.loads(path.read_text(encoding="utf-8"))["companies"]
    roles: dict[tuple[str, str], list[str]] = {}
    for company in companies:
        for signatory in company.get("signatories", []):
            key = (signatory["personal_number"], signatory["name"])
            roles.setdefault(key, []).append(company["legal_name"])
    people = []
    for (personal_number, name), legal_names in roles.items():
        given, surname = split_name(name)
        people.append(Person(personal_number, given, surname, tuple(legal_names)))
    return people


@cache
def all_persons() -> tuple[Person, ...]:
    """Return every person the simulated app can sign as, signatories first."""
    return (*_register_signatories(REGISTER_PATH), *OUTSIDERS)


def find_person(personal_number: str) -> Person | None:
    """Return the test person with this personal number, if there is one."""
    return next((p for p in all_persons() if p.personal_number == personal_number), None)
