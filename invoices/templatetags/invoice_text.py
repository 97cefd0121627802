"""Template filters that name the invoice's stored codes in the reader's language."""

from __future__ import annotations

from django import template

from invoices.models import RateSource

register = template.Library()


@register.filter
def rate_source(code: str) -> str:
    """Name where an exchange rate came from ("riksbank" -> "Sveriges riksbank")."""
    try:
        return str(RateSource(code).label)
    except ValueError:
        return code
