"""The company register: the fixture register and the HTTP client against a real loopback server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from accounts.numbers import parse_org_number, parse_personal_number
from accounts.registry import (
    CompanyRecord,
    FixtureRegister,
    HttpRegister,
    RegisterUnavailable,
    Signatory,
    company_register,
)
from tests.loopback import json_server

# --- Fixture register ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_register() -> FixtureRegister:
    return FixtureRegister()


def test_fixture_register_hit_returns_every_field(fixture_register):
    record = fixture_register.lookup("559012-3450")
    assert record == CompanyRecord(
        org_number="559012-3450",
        legal_name="Norrsken Konsult AB",
        street_address="Storgatan 12",
        postal_code="903 26",
        city="Umeå",
        registered_office="Umeå",
        status="active",
        company_form="AB",
        has_f_skatt=True,
        signatories=(
            Signatory(name="Anna Lindqvist", personal_number="198002142381"),
            Signatory(name="Per Holm", personal_number="197511034154"),
        ),
    )
    assert record.is_active is True
    assert record.has_signatory("197511034154") is True
    assert record.has_signatory("198504121396") is False


def test_fixture_register_sole_trader(fixture_register):
    record = fixture_register.lookup("850412-1396")
    assert record is not None
    assert record.legal_name == "Linnea Åberg Design"
    assert record.company_form == "EF"
    assert record.signatories == (Signatory(name="Linnea Åberg", personal_number="198504121396"),)


@pytest.mark.parametrize(
    "org_number",
    ["556036-0793", "5590123450", "000000-0000", "", "559012-3451"],
)
def test_fixture_register_miss_returns_none(fixture_register, org_number):
    assert fixture_register.lookup(org_number) is None


@pytest.mark.parametrize("status", ["liquidation", "bankruptcy", "deregistered"])
def test_fixture_register_has_inactive_companies(fixture_register, status):
    records = [r for r in fixture_register.all() if r.status == status]
    assert records, f"the fixture register needs a company in {status}"
    for record in records:
        assert record.is_active is False
        assert fixture_register.lookup(record.org_number) == record


def test_fixture_register_statuses_are_known_and_mostly_active(fixture_register):
    statuses = {r.status for r in fixture_register.all()}
    assert statuses == {"active", "liquidation", "bankruptcy", "deregistered"}
    assert sum(r.is_active for r in fixture_register.all()) >= 5


def test_every_fixture_org_number_is_valid_and_normalised(fixture_register):
    records = fixture_register.all()
    assert len(records) >= 10
    for record in records:
        assert parse_org_number(record.org_number) == record.org_number, record.legal_name


def test_every_fixture_signatory_has_a_valid_twelve_digit_personal_number(fixture_register):
    signatories = [s for r in fixture_register.all() for s in r.signatories]
    assert signatories
    for signatory in signatories:
        assert parse_personal_number(signatory.personal_number) == signatory.personal_number, (
            signatory.name
        )
    assert all(r.signatories for r in fixture_register.all()), "each company lists a signatory"


def test_fixture_register_reads_another_file(tmp_path):
    path = tmp_path / "register.json"
    path.write_text(
        json.dumps({"companies": [{"org_number": "556036-0793", "legal_name": "Test AB"}]}),
        encoding="utf-8",
    )
    register = FixtureRegister(path)
    record = register.lookup("556036-0793")
    assert record == CompanyRecord(org_number="556036-0793", legal_name="Test AB")
    assert record.is_active is True
    assert register.lookup("559012-3450") is None


# --- HTTP register against a real server on loopback --------------------------------------

NORRSKEN_JSON: dict[str, Any] = {
    "org_number": "559012-3450",
    "legal_name": "Norrsken Konsult AB",
    "street_address": "Storgatan 12",
    "postal_code": "903 26",
    "city": "Umeå",
    "status": "liquidation",
    "company_form": "AB",
    "has_f_skatt": True,
    "signatories": [{"name": "Anna Lindqvist", "personal_number": "198002142381"}],
}


@dataclass
class FakeRegister:
    """What the loopback server answers, and what it was asked."""

    base_url: str = ""
    # path -> (status, body bytes)
    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer(
        self, org_digits: str, status: int, body: bytes | dict[str, Any] | list[Any]
    ) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.answers[f"/companies/{org_digits}"] = (status, raw)


@pytest.fixture
def fake_register() -> Iterator[FakeRegister]:
    state = FakeRegister()

    def answer(path: str) -> tuple[int, bytes]:
        return state.answers.get(path, (404, b'{"error": "not found"}'))

    with json_server(answer, state.requests) as root_url:
        state.base_url = f"{root_url}/"
        yield state


def test_http_register_200_returns_the_record(fake_register):
    fake_register.answer("5590123450", 200, NORRSKEN_JSON)
    record = HttpRegister(fake_register.base_url).lookup("559012-3450")
    assert record == CompanyRecord(
        org_number="559012-3450",
        legal_name="Norrsken Konsult AB",
        street_address="Storgatan 12",
        postal_code="903 26",
        city="Umeå",
        status="liquidation",
        company_form="AB",
        has_f_skatt=True,
        signatories=(Signatory(name="Anna Lindqvist", personal_number="198002142381"),),
    )
    assert record.is_active is False
    # The org number goes in the path as 10 digits.
    assert [path for path, _headers in fake_register.requests] == ["/companies/5590123450"]


def test_http_register_minimal_record_gets_defaults(fake_register):
    fake_register.answer("5560360793", 200, {"org_number": "556036-0793", "legal_name": "X AB"})
    record = HttpRegister(fake_register.base_url).lookup("556036-0793")
    assert record == CompanyRecord(org_number="556036-0793", legal_name="X AB")
    assert record.is_active is True


def test_http_register_404_returns_none(fake_register):
    assert HttpRegister(fake_register.base_url).lookup("556036-0793") is None
    assert len(fake_register.requests) == 1


@pytest.mark.parametrize("status", [500, 503, 401, 403, 302, 204])
def test_http_register_other_status_is_unavailable(fake_register, status):
    fake_register.answer("5590123450", status, NORRSKEN_JSON if status != 204 else b"")
    with pytest.raises(RegisterUnavailable, match=str(status)):
        HttpRegister(fake_register.base_url).lookup("559012-3450")


@pytest.mark.parametrize(
    "body",
    [
        b"this is not json",
        b'{"org_number": "559012-3450"',  # truncated
        b"",
        b"[1, 2, 3]",  # JSON, but not a record
        b'{"legal_name": "No number AB"}',  # missing org_number
        b'{"org_number": "559012-3450", "legal_name": "X", "signatories": [{"name": "A"}]}',
    ],
)
def test_http_register_unreadable_body_is_unavailable(fake_register, body):
    fake_register.answer("5590123450", 200, body)
    with pytest.raises(RegisterUnavailable):
        HttpRegister(fake_register.base_url).lookup("559012-3450")


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_http_register_connection_refused_is_unavailable():
    register = HttpRegister(f"http://127.0.0.1:{_closed_port()}", timeout=2)
    with pytest.raises(RegisterUnavailable):
        register.lookup("559012-3450")


def test_http_register_sends_the_api_key(fake_register):
    fake_register.answer("5590123450", 200, NORRSKEN_JSON)
    HttpRegister(fake_register.base_url, api_key="s3cret-key").lookup("559012-3450")
    ((_path, headers),) = fake_register.requests
    assert headers["Authorization"] == "Bearer s3cret-key"
    assert headers["Accept"] == "application/json"


def test_http_register_sends_no_authorization_without_a_key(fake_register):
    fake_register.answer("5590123450", 200, NORRSKEN_JSON)
    HttpRegister(fake_register.base_url).lookup("559012-3450")
    ((_path, headers),) = fake_register.requests
    assert "Authorization" not in headers


# --- The register the settings choose -----------------------------------------------------


@pytest.fixture
def fresh_register_choice() -> Iterator[None]:
    company_register.cache_clear()
    yield
    company_register.cache_clear()


def test_company_register_defaults_to_the_fixture_register(settings, fresh_register_choice):
    assert settings.COMPANY_REGISTER == "fixture"
    register = company_register()
    assert isinstance(register, FixtureRegister)
    assert register is company_register()  # one per process
    assert register.lookup("559012-3450") is not None


def test_company_register_http_choice_uses_the_settings(
    settings, fresh_register_choice, fake_register
):
    fake_register.answer("5590123450", 200, NORRSKEN_JSON)
    settings.COMPANY_REGISTER = "http"
    settings.COMPANY_REGISTER_URL = fake_register.base_url
    settings.COMPANY_REGISTER_API_KEY = "from-settings"
    settings.COMPANY_REGISTER_TIMEOUT = 3
    register = company_register()
    assert isinstance(register, HttpRegister)
    record = register.lookup("559012-3450")
    assert record is not None
    assert record.legal_name == "Norrsken Konsult AB"
    ((_path, headers),) = fake_register.requests
    assert headers["Authorization"] == "Bearer from-settings"
