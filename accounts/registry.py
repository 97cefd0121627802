"""The company register: look up an organisation number, get name, address, status, signatories.

Two implementations behind one small interface: a fixture register of fictional
companies (the embedded default and the test double) and an HTTP client for an
official register's JSON API, chosen by settings.COMPANY_REGISTER.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import httpx
from django.conf import settings

FIXTURE_FILE = Path(__file__).resolve().parent / "data" / "company_register.json"


class RegisterUnavailable(Exception):
    """The register did not answer usefully; the user may enter details by hand."""


@dataclass(frozen=True)
class Signatory:
    name: str
    personal_number: str  # 12 digits, YYYYMMDDNNNN


@dataclass(frozen=True)
class CompanyRecord:
    org_number: str
    legal_name: str
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    registered_office: str = ""  # an aktiebolag's board seat (styrelsens säte)
    status: str = "active"  # active, liquidation, bankruptcy, deregistered
    company_form: str = ""
    has_f_skatt: bool = False
    signatories: tuple[Signatory, ...] = field(default_factory=tuple)

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def has_signatory(self, personal_number: str) -> bool:
        return any(s.personal_number == personal_number for s in self.signatories)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompanyRecord:
        return cls(
            org_number=str(data["org_number"]),
            legal_name=str(data["legal_name"]),
            street_address=str(data.get("street_address", "")),
            postal_code=str(data.get("postal_code", "")),
            city=str(data.get("city", "")),
            registered_office=str(data.get("registered_office", "")),
            status=str(data.get("status", "active")),
            company_form=str(data.get("company_form", "")),
            has_f_skatt=bool(data.get("has_f_skatt", False)),
            signatories=tuple(
                Signatory(name=str(s["name"]), personal_number=str(s["personal_number"]))
                for s in data.get("signatories", [])
            ),
        )


class CompanyRegister(Protocol):
    def lookup(self, org_number: str) -> CompanyRecord | None:
        """Return the record for a normalised org number, or None when the register has none."""
        ...


class FixtureRegister:
    """Fictional companies read from a JSON file; the demo's and the tests' register."""

    def __init__(self, path: Path = FIXTURE_FILE) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self._records = {
            record.org_number: record
            for record in (CompanyRecord.from_json(item) for item in data["companies"])
        }

    def lookup(self, org_number: str) -> CompanyRecord | None:
        return self._records.get(org_number)

    def all(self) -> list[CompanyRecord]:
        return list(self._records.values())


class HttpRegister:
    """Client for a register's JSON API: GET {base}/companies/{10 digits} → a company record.

    404 means the register has no such company; anything else that is not 200
    is RegisterUnavailable, so onboarding falls back to entry by hand.
    """

    def __init__(self, base_url: str, *, api_key: str = "", timeout: float = 5.0) -> None:
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def lookup(self, org_number: str) -> CompanyRecord | None:
        try:
            response = self._client.get(f"/companies/{org_number.replace('-', '')}")
        except httpx.HTTPError as error:
            raise RegisterUnavailable(str(error)) from error
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RegisterUnavailable(f"register answered {response.status_code}")
        try:
            return CompanyRecord.from_json(response.json())
        except (ValueError, KeyError, TypeError) as error:
            raise RegisterUnavailable(f"register sent an unreadable record: {error}") from error


@cache
def company_register() -> CompanyRegister:
    """Return the register the settings choose (one per process)."""
    if settings.COMPANY_REGISTER == "http":
        return HttpRegister(
            settings.COMPANY_REGISTER_URL,
            api_key=settings.COMPANY_REGISTER_API_KEY,
            timeout=settings.COMPANY_REGISTER_TIMEOUT,
        )
    return FixtureRegister()
