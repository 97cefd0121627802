"""Exchange rates: the Riksbank client against a loopback server that answers like SWEA, and
the fixture rates; both reached through rate_provider(), as the invoices reach them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from invoices.rates import (
    FIXTURE_FILE,
    LOOKBACK_DAYS,
    ExchangeRate,
    FixtureRates,
    RateUnavailable,
    RiksbankRates,
    rate_provider,
)
from tests.loopback import json_server

WEDNESDAY = date(2025, 11, 26)
FRIDAY = date(2025, 11, 28)
SATURDAY = date(2025, 11, 29)


@dataclass
class FakeSwea:
    """The Riksbank's SWEA API in miniature: GET /Observations/{series}/{from}/{to}."""

    base_url: str = ""
    # series -> {ISO date: value as JSON number text}
    series: dict[str, dict[str, str]] = field(default_factory=dict)
    status: int = 200
    body: bytes | None = None  # sent as is instead of the observations
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def handle(self, path: str) -> tuple[int, bytes] | None:
        self.requests.append(path)
        if self.delay and self.release.wait(self.delay):
            return None  # released at teardown: the client gave up long ago
        if self.body is not None or self.status != 200:
            return self.status, self.body or b'{"message": "failure"}'
        *_base, resource, series, first, last = path.split("/")
        if resource != "Observations" or series not in self.series:
            return 404, b'{"message": "Series not found"}'
        rows = [
            f'{{"date": "{day}", "value": {value}}}'
            for day, value in sorted(self.series[series].items())
            if first <= day <= last
        ]
        return 200, f"[{', '.join(rows)}]".encode()


@pytest.fixture
def swea(settings: Any) -> Iterator[FakeSwea]:
    """Start the fake API and point the settings at it, as production points at the real one."""
    state = FakeSwea()
    with json_server(state.handle) as root_url:
        state.base_url = f"{root_url}/swea/v1"
        settings.EXCHANGE_RATES = "riksbank"
        settings.RIKSBANK_API_URL = state.base_url
        settings.RIKSBANK_TIMEOUT_SECONDS = 5.0
        try:
            yield state
        finally:
            state.release.set()  # a slow answer still pending ends now, not after its delay


def _eur_week(swea: FakeSwea) -> None:
    swea.series["SEKEURPMI"] = {
        "2025-11-24": "11.0215",
        "2025-11-25": "11.0480",
        "2025-11-26": "11.0352",
        "2025-11-27": "11.0610",
        "2025-11-28": "11.0795",
    }


# --- The Riksbank client -------------------------------------------------------------------


def test_riksbank_rate_is_the_days_observation(swea):
    _eur_week(swea)
    rate = rate_provider().rate("EUR", WEDNESDAY)
    assert rate == ExchangeRate("EUR", Decimal("11.0352"), WEDNESDAY, "riksbank")
    # The window asked for ends on the day and reaches back far enough for any holiday run.
    assert swea.requests == ["/swea/v1/Observations/SEKEURPMI/2025-11-16/2025-11-26"]


def test_riksbank_rate_keeps_every_decimal_of_the_quote(swea):
    swea.series["SEKUSDPMI"] = {"2025-11-26": "9.51234567"}
    rate = rate_provider().rate("usd", WEDNESDAY)
    assert rate.currency == "USD"
    assert str(rate.rate) == "9.51234567"


def test_riksbank_saturday_falls_back_to_fridays_rate(swea):
    _eur_week(swea)
    rate = rate_provider().rate("EUR", SATURDAY)
    assert rate == ExchangeRate("EUR", Decimal("11.0795"), FRIDAY, "riksbank")
    assert swea.requests == ["/swea/v1/Observations/SEKEURPMI/2025-11-19/2025-11-29"]


def test_riksbank_ignores_observations_after_the_day(swea):
    _eur_week(swea)
    swea.body = json.dumps(
        [{"date": "2025-11-26", "value": 11.0352}, {"date": "2025-11-27", "value": 11.0610}]
    ).encode()
    assert rate_provider().rate("EUR", WEDNESDAY).rate_date == WEDNESDAY


def test_riksbank_empty_window_is_unavailable(swea):
    swea.series["SEKEURPMI"] = {"2025-10-01": "11.1000"}  # outside the look-back window
    with pytest.raises(RateUnavailable) as caught:
        rate_provider().rate("EUR", WEDNESDAY)
    assert caught.value.currency == "EUR"
    assert caught.value.on == WEDNESDAY
    assert str(caught.value) == (
        "No exchange rate for EUR on or before 2025-11-26: "
        "no rate was published from 2025-11-16 to 2025-11-26."
    )


def test_riksbank_slower_than_the_timeout_is_unavailable(swea, settings):
    _eur_week(swea)
    swea.delay = 5.0
    settings.RIKSBANK_TIMEOUT_SECONDS = 0.2
    started = time.monotonic()
    with pytest.raises(RateUnavailable, match="did not answer"):
        rate_provider().rate("EUR", WEDNESDAY)
    assert time.monotonic() - started < 2.0
    assert len(swea.requests) == 1


@pytest.mark.parametrize("status", [500, 503, 429, 400])
def test_riksbank_error_status_is_unavailable(swea, status):
    _eur_week(swea)
    swea.status = status
    with pytest.raises(RateUnavailable, match=f"answered HTTP {status}"):
        rate_provider().rate("EUR", WEDNESDAY)


def test_riksbank_unknown_currency_is_unavailable(swea):
    with pytest.raises(RateUnavailable, match="answered HTTP 404") as caught:
        rate_provider().rate("XAU", WEDNESDAY)
    assert caught.value.currency == "XAU"
    assert swea.requests == ["/swea/v1/Observations/SEKXAUPMI/2025-11-16/2025-11-26"]


@pytest.mark.parametrize("currency", ["EU", "EURO", "E/R", "", "€"])
def test_riksbank_malformed_code_is_unavailable_without_a_request(swea, currency):
    with pytest.raises(RateUnavailable, match="three-letter"):
        rate_provider().rate(currency, WEDNESDAY)
    assert swea.requests == []


@pytest.mark.parametrize(
    "body",
    [
        b"<html>maintenance</html>",
        b"",
        b'{"date": "2025-11-26", "value": 11.0352}',  # an object, not a list
        b'[{"date": "2025-11-26"}]',
        b'[{"date": "26/11/2025", "value": 11.0352}]',
        b'[{"date": "2025-11-26", "value": null}]',
        b'[{"date": "2025-11-26", "value": 0}]',
        b'[{"date": "2025-11-26", "value": -11.03}]',
        b'[{"date": "2025-11-26", "value": NaN}]',
    ],
)
def test_riksbank_unreadable_answer_is_unavailable(swea, body):
    swea.body = body
    with pytest.raises(RateUnavailable):
        rate_provider().rate("EUR", WEDNESDAY)


def test_riksbank_unreachable_is_unavailable(settings):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.EXCHANGE_RATES = "riksbank"
    settings.RIKSBANK_API_URL = f"http://127.0.0.1:{closed_port}/swea/v1"
    with pytest.raises(RateUnavailable, match="did not answer") as caught:
        rate_provider().rate("EUR", WEDNESDAY)
    assert caught.value.__cause__ is not None


def test_riksbank_second_call_is_served_from_the_cache(swea):
    _eur_week(swea)
    first = rate_provider().rate("EUR", SATURDAY)
    second = rate_provider().rate("EUR", SATURDAY)
    assert second == first == ExchangeRate("EUR", Decimal("11.0795"), FRIDAY, "riksbank")
    assert len(swea.requests) == 1
    # Another day or another currency is another question.
    rate_provider().rate("EUR", WEDNESDAY)
    assert len(swea.requests) == 2


def test_riksbank_failure_is_not_cached(swea):
    _eur_week(swea)
    swea.status = 503
    with pytest.raises(RateUnavailable):
        rate_provider().rate("EUR", WEDNESDAY)
    swea.status = 200
    assert rate_provider().rate("EUR", WEDNESDAY).rate == Decimal("11.0352")
    assert len(swea.requests) == 2


def test_riksbank_future_day_asks_up_to_today(swea):
    today = timezone.localdate()
    swea.series["SEKGBPPMI"] = {today.isoformat(): "12.5901"}
    rate = rate_provider().rate("GBP", today + timedelta(days=3))
    assert rate == ExchangeRate("GBP", Decimal("12.5901"), today, "riksbank")
    first = today - timedelta(days=LOOKBACK_DAYS)
    assert swea.requests == [f"/swea/v1/Observations/SEKGBPPMI/{first}/{today}"]


def test_riksbank_refuses_days_before_the_per_unit_quotes(swea):
    with pytest.raises(RateUnavailable, match="per 100"):
        rate_provider().rate("DKK", date(2023, 11, 24))
    assert swea.requests == []


def test_sek_has_no_rate(swea):
    with pytest.raises(ValueError, match="SEK"):
        rate_provider().rate("SEK", WEDNESDAY)
    with pytest.raises(ValueError, match="SEK"):
        FixtureRates().rate("sek", WEDNESDAY)
    assert swea.requests == []


# --- The fixture rates ---------------------------------------------------------------------


def test_fixture_file_has_the_five_currencies_with_four_decimals():
    rates = json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))["rates"]
    assert set(rates) == {"EUR", "USD", "GBP", "NOK", "DKK"}
    for code, value in rates.items():
        assert Decimal(value).as_tuple().exponent == -4, code
        assert Decimal("0.5") < Decimal(value) < Decimal("20"), code  # SEK for ONE unit


def test_fixture_rate_on_a_weekday_is_that_days(settings):
    settings.EXCHANGE_RATES = "fixture"
    expected = Decimal(json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))["rates"]["EUR"])
    assert rate_provider().rate("eur", WEDNESDAY) == ExchangeRate(
        "EUR", expected, WEDNESDAY, "fixture"
    )


@pytest.mark.parametrize("day", [FRIDAY, SATURDAY, date(2025, 11, 30)])
def test_fixture_rate_on_a_weekend_is_fridays(day):
    assert FixtureRates().rate("NOK", day).rate_date == FRIDAY


def test_fixture_unknown_currency_is_unavailable():
    with pytest.raises(RateUnavailable, match="JPY") as caught:
        FixtureRates().rate("JPY", WEDNESDAY)
    assert caught.value.currency == "JPY"


def test_fixture_rates_read_another_file(tmp_path):
    path = tmp_path / "rates.json"
    path.write_text(json.dumps({"rates": {"CHF": "11.8765"}}), encoding="utf-8")
    rates = FixtureRates(path)
    assert rates.rate("CHF", WEDNESDAY).rate == Decimal("11.8765")
    with pytest.raises(RateUnavailable):
        rates.rate("EUR", WEDNESDAY)


# --- The provider the settings choose ------------------------------------------------------


def test_test_settings_default_to_the_fixture_rates(settings):
    assert settings.EXCHANGE_RATES == "fixture"
    assert isinstance(rate_provider(), FixtureRates)


def test_rate_provider_follows_the_setting(settings, swea):
    _eur_week(swea)
    settings.EXCHANGE_RATES = "riksbank"
    provider = rate_provider()
    assert isinstance(provider, RiksbankRates)
    assert provider.rate("EUR", WEDNESDAY).source == "riksbank"
    assert len(swea.requests) == 1
    settings.EXCHANGE_RATES = "fixture"
    assert rate_provider().rate("EUR", WEDNESDAY).source == "fixture"
    assert len(swea.requests) == 1
