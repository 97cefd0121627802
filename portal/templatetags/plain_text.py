"""Template filters any page may use to show stored data as a person reads it."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def plain(value: Any) -> str:
    """Show a value from a flag's evidence or an audit event's data as a person reads it."""
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
