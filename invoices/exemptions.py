"""Why a line carries no VAT: the grounds the invoice form offers, with their VATEX codes.

The VAT Act asks an exempt invoice to refer to the provision that exempts it (ML 2023:200,
17 kap. 24 §). The common Swedish grounds cite their chapter of the act; the VATEX codes
name the article of the EU VAT directive (2006/112/EC) that the Swedish rule implements.
Reverse charge uses the 2023 act's term, "omvänd betalningsskyldighet".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

REVERSE_CHARGE_SV = "Omvänd betalningsskyldighet"
REVERSE_CHARGE_EN = "Reverse charge"
_EXEMPT_BY_ACT = "Undantagen från skatteplikt enligt 10 kap. mervärdesskattelagen (2023:200)"


@dataclass(frozen=True)
class Ground:
    """One reason for an exempt line: what the invoice says (Swedish) and its VATEX code."""

    key: str
    label: StrOrPromise
    text: str  # BT-120, in Swedish: the invoice's language for a Swedish seller
    code: str  # BT-121


SWEDISH_GROUNDS = (
    Ground(
        "medical", _("Health and medical care"), f"{_EXEMPT_BY_ACT}: sjukvård", "VATEX-EU-132-1B"
    ),
    Ground("dental", _("Dental care"), f"{_EXEMPT_BY_ACT}: tandvård", "VATEX-EU-132-1E"),
    Ground("social", _("Social care"), f"{_EXEMPT_BY_ACT}: social omsorg", "VATEX-EU-132-1G"),
    Ground("education", _("Education"), f"{_EXEMPT_BY_ACT}: utbildning", "VATEX-EU-132-1I"),
    Ground(
        "finance",
        _("Financial services and insurance"),
        f"{_EXEMPT_BY_ACT}: finansiella tjänster och försäkring",
        "VATEX-EU-135-1",
    ),
    Ground(
        "property",
        _("Letting or sale of real property"),
        f"{_EXEMPT_BY_ACT}: fastighet",
        "VATEX-EU-135-1",
    ),
)

# The VATEX codes EN 16931 accepts for exempt supplies (category E), as the directive numbers them.
DIRECTIVE_CODES = (
    *(f"VATEX-EU-132-1{point}" for point in "ABCDEFGHIJKLMNOPQ"),
    "VATEX-EU-135-1",
    *(f"VATEX-EU-143-1{point}" for point in "ABCDEFGHIJKL"),
    *(f"VATEX-EU-148-{point}" for point in "ABCDEFG"),
    *(f"VATEX-EU-151-1{point}" for point in "ABCDE"),
)

_ARTICLE = re.compile(r"VATEX-EU-(\d+)(?:-(\d*)([A-Z]*))?$")


def directive_text(code: str) -> str:
    """Return the Swedish reference for a VATEX code, e.g. "... artikel 132.1 i ..."."""
    match = _ARTICLE.match(code)
    if match is None:
        return code
    article, paragraph, point = match.groups()
    where = (
        article + (f".{paragraph}" if paragraph else "") + (f" {point.lower()}" if point else "")
    )
    return (
        f"Undantagen från skatteplikt enligt artikel {where} "
        "i mervärdesskattedirektivet (2006/112/EG)"
    )


def ground_choices() -> list[tuple[StrOrPromise, list[tuple[str, StrOrPromise]]]]:
    """Return the grouped choices of the line form: Swedish grounds first, then the VATEX list."""
    swedish = [(ground.key, ground.label) for ground in SWEDISH_GROUNDS]
    directive: list[tuple[str, StrOrPromise]] = [(code, code) for code in DIRECTIVE_CODES]
    return [
        (_("Common Swedish grounds (10 kap. ML)"), swedish),
        (_("EU VAT directive (VATEX)"), directive),
    ]


def resolve(choice: str) -> tuple[str, str]:
    """Return (BT-120 text, BT-121 code) for a chosen ground or VATEX code; ("", "") for none."""
    for ground in SWEDISH_GROUNDS:
        if ground.key == choice:
            return ground.text, ground.code
    if choice in DIRECTIVE_CODES:
        return directive_text(choice), choice
    return "", ""


def choice_for(code: str, text: str) -> str:
    """Return the form choice that produced this code and text, or "" (a free-text reason)."""
    for ground in SWEDISH_GROUNDS:
        if (ground.code, ground.text) == (code, text):
            return ground.key
    return code if code in DIRECTIVE_CODES else ""


_PROVISION = re.compile(r"§|\bkap\.|mervärdesskatte|\bML\b|artikel|article|directive", re.I)


def cites_provision(text: str) -> bool:
    """Whether a free-text exemption reason refers to a provision (law, chapter, article)."""
    return bool(_PROVISION.search(text))
