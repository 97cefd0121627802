"""Exchange rates to SEK, for the VAT in kronor a foreign-currency invoice must state.

ML (2023:200) 17 kap. 24 § asks an invoice in another currency to give its VAT also in
SEK; the portal shows the rate used with its source and date. Two providers behind one
small interface, chosen by settings.EXCHANGE_RATES: the Riksbank's SWEA API (production)
and fixed rates from a JSON file (the demo and the tests).

Asking for SEK itself is a programming error (ValueError), not a missing rate: an invoice
in kronor has no rate to show, and a rate of 1 "from the Riksbank" would be a made-up quote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

FIXTURE_FILE = Path(__file__).resolve().parent / "data" / "exchange_rates.json"
# Weekends and bank holidays have no rate; the longest Swedish run of them (Easter,
# Christmas to Boxing Day plus a weekend) is well inside this many days.
LOOKBACK_DAYS = 10
CACHE_SECONDS = 24 * 60 * 60
# An earlier day's rate given for today may be replaced when today's is published (16:15).
PROVISIONAL_CACHE_SECONDS = 60 * 60
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class ExchangeRate:
    """SEK for ONE unit of `currency`, as published for `rate_date` by `source`."""

    currency: str
    rate: Decimal
    rate_date: date
    source: str  # "riksbank" or "fixture"


class RateUnavailable(Exception):
    """No rate for the currency on or before the date could be had; `cause` says why."""

    def __init__(self, currency: str, on: date, cause: str) -> None:
        self.currency = currency
        self.on = on
        self.cause = cause
        super().__init__(f"No exchange rate for {currency} on or before {on.isoformat()}: {cause}.")


class RateProvider(Protocol):
    def rate(self, currency: str, on: date) -> ExchangeRate:
        """Return the latest rate published on or before `on`.

        Raise RateUnavailable when there is none, ValueError for SEK itself.
        """
        ...


class RiksbankRates:
    """Client for the Riksbank's SWEA API: the daily mid rate, series SEK{CUR}PMI.

    Units: since 27 November 2023, when the Riksbank's rates became ECB-based and the REST
    API opened, every currency is quoted as SEK for 1 unit (Riksbank FAQ "I vilken enhet
    publiceras valutakurserna?"); before that a few (DKK, NOK, JPY, ...) were per 100 units.
    Values are therefore used as they come; a date before the switch is refused rather than
    risk a rate a hundred times too large.
    """

    source = "riksbank"
    first_date = date(2023, 11, 27)

    def __init__(self, *, base_url: str, timeout: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout

    def rate(self, currency: str, on: date) -> ExchangeRate:
        code = _currency_code(currency, on)
        if on < self.first_date:
            raise RateUnavailable(code, on, "the Riksbank quoted some currencies per 100 then")
        key = f"exchange-rate:{self.source}:{code}:{on.isoformat()}"
        cached = cache.get(key)
        if cached is not None:
            rate, rate_date = cached
            return ExchangeRate(code, Decimal(rate), date.fromisoformat(rate_date), self.source)
        found = self._fetch(code, on)
        final = found.rate_date == on or on < timezone.localdate()
        seconds = CACHE_SECONDS if final else PROVISIONAL_CACHE_SECONDS
        cache.set(key, (str(found.rate), found.rate_date.isoformat()), seconds)
        return found

    def _fetch(self, code: str, on: date) -> ExchangeRate:
        """Ask the API for the window ending on `on` (today at the latest); take its last day."""
        last = min(on, timezone.localdate())
        first = last - timedelta(days=LOOKBACK_DAYS)
        url = f"{self._base_url}/Observations/SEK{code}PMI/{first.isoformat()}/{last.isoformat()}"
        try:
            response = httpx.get(url, timeout=self._timeout, headers={"Accept": "application/json"})
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            # Some httpx errors carry an empty message; the class name still says what happened.
            reason = str(error) or type(error).__name__
            raise RateUnavailable(code, on, f"the Riksbank did not answer ({reason})") from error
        if not response.is_success:
            raise RateUnavailable(code, on, f"the Riksbank answered HTTP {response.status_code}")
        observations = [row for row in _observations(response, code, on) if row[0] <= last]
        if not observations:
            raise RateUnavailable(code, on, f"no rate was published from {first} to {last}")
        rate_date, rate = max(observations)
        return ExchangeRate(code, rate, rate_date, self.source)


class FixtureRates:
    """Fixed rates read from a JSON file: the demo's and the tests' provider, not real quotes."""

    source = "fixture"

    def __init__(self, path: Path = FIXTURE_FILE) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self._rates = {code: Decimal(value) for code, value in data["rates"].items()}

    def rate(self, currency: str, on: date) -> ExchangeRate:
        code = _currency_code(currency, on)
        if code not in self._rates:
            raise RateUnavailable(code, on, "the fixture rates do not include it")
        # Like a bank's rate: Saturday and Sunday show Friday's.
        rate_date = on - timedelta(days=max(0, on.weekday() - 4))
        return ExchangeRate(code, self._rates[code], rate_date, self.source)


def rate_provider() -> RateProvider:
    """Return the provider settings.EXCHANGE_RATES chooses."""
    if settings.EXCHANGE_RATES == "riksbank":
        return RiksbankRates(
            base_url=settings.RIKSBANK_API_URL, timeout=settings.RIKSBANK_TIMEOUT_SECONDS
        )
    if settings.EXCHANGE_RATES == "fixture":
        return FixtureRates()
    raise ImproperlyConfigured(f"EXCHANGE_RATES {settings.EXCHANGE_RATES!r} is not a provider")


def _currency_code(currency: str, on: date) -> str:
    """Return the upper-case ISO 4217 code; it also goes into a URL path, so nothing else."""
    code = currency.strip().upper()
    if code == "SEK":
        raise ValueError("SEK has no exchange rate to SEK; ask only for foreign currencies")
    if not _CURRENCY_CODE.fullmatch(code):
        raise RateUnavailable(currency, on, "it is not a three-letter currency code")
    return code


def _observations(response: httpx.Response, code: str, on: date) -> list[tuple[date, Decimal]]:
    """Return the answer's (date, value) pairs; anything else is RateUnavailable."""
    try:
        # Decimal straight from the JSON text: a float would turn 11.4520 into 11.452000000001.
        rows: Any = json.loads(response.content, parse_float=Decimal)
        if not isinstance(rows, list):
            raise TypeError(f"a list was expected, not {type(rows).__name__}")
        observations = [(date.fromisoformat(row["date"]), Decimal(row["value"])) for row in rows]
    except (ValueError, KeyError, TypeError, ArithmeticError) as error:
        raise RateUnavailable(code, on, f"the Riksbank's answer is unreadable ({error})") from error
    if any(not value.is_finite() or value <= 0 for _day, value in observations):
        raise RateUnavailable(code, on, "the Riksbank's answer holds a rate that is not positive")
    return observations
