"""Numbers, amounts, units and account numbers as a Swedish or English reader expects them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation

from invoices.units import COMMON_UNITS

from .labels import EXCHANGE_SOURCES, LANGUAGES, TEXTS, VAT_CATEGORIES

_UNIT_NAMES = dict(COMMON_UNITS)


@dataclass(frozen=True)
class Locale:
    """Texts and number formats of one language."""

    language: str
    texts: Mapping[str, str]

    def __call__(self, key: str) -> str:
        return self.texts[key]

    def number(self, value: Decimal, places: int) -> str:
        """Group thousands: "1 234,50" in Swedish, "1,234.50" in English."""
        quantized = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{abs(quantized) if quantized == 0 else quantized:,f}"
        if self.language == "sv":
            text = text.replace(",", " ").replace(".", ",")
        return text

    def amount(self, value: Decimal) -> str:
        return self.number(value, 2)

    def price(self, value: Decimal) -> str:
        # Unit prices may carry more than two decimals (BT-146); never hide them.
        return self.number(value, _places(value, minimum=2))

    def quantity(self, value: Decimal) -> str:
        return self.number(value, _places(value, minimum=0))

    def percent(self, value: Decimal) -> str:
        number = self.number(value, _places(value, minimum=0))
        return f"{number} %" if self.language == "sv" else f"{number}%"

    def money(self, value: Decimal, currency: str) -> str:
        if self.language == "sv" and currency == "SEK":
            return f"{self.amount(value)} kr"
        return f"{self.amount(value)} {currency}"

    def exchange_rate(self, value: Decimal) -> str:
        # Four decimals, as the Riksbank publishes its rates; more if the seller gave more.
        return self.number(value, _places(value, minimum=4))

    def unit(self, code: str) -> str:
        """Name the unit as the invoice form does ("tim", "år"); show other codes as they are."""
        name = _UNIT_NAMES.get(code.upper())
        if name is None:
            return code
        with translation.override(self.language):
            return str(name)

    def exchange_source(self, source: str) -> str:
        return EXCHANGE_SOURCES[self.language].get(source, source)

    def vat_category(self, code: str, rate: Decimal | None) -> str:
        name = VAT_CATEGORIES[self.language].get(code, code)
        # A zero rate adds nothing to "exempt", "reverse charge" and the like.
        return f"{name} {self.percent(rate)}" if rate else name


def locale_for(language: str) -> Locale:
    """Return the texts and number formats of a supported language."""
    if language not in TEXTS:
        raise ValueError(f"unsupported language {language!r}; use one of {LANGUAGES}")
    return Locale(language, TEXTS[language])


def _places(value: Decimal, *, minimum: int) -> int:
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) else 0
    return min(max(minimum, decimals), 6)


def format_period(start: date | None, end: date | None) -> str:
    """Return the two dates joined by an en dash; an open end stays blank."""
    first = start.isoformat() if start else ""
    last = end.isoformat() if end else ""
    return f"{first} \N{EN DASH} {last}".strip()


def format_bankgiro(digits: str) -> str:
    # Bankgirot prints 7 digits as NNN-NNNN and 8 as NNNN-NNNN: the hyphen before the last four.
    return f"{digits[:-4]}-{digits[-4:]}" if digits.isdigit() and len(digits) in (7, 8) else digits


def format_plusgiro(digits: str) -> str:
    # Plusgiro numbers are printed with the check digit set off: NNNNNN-N.
    return f"{digits[:-1]}-{digits[-1]}" if digits.isdigit() and len(digits) >= 2 else digits


def format_iban(iban: str) -> str:
    """Return an IBAN in groups of four, as banks print it."""
    compact = iban.upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
