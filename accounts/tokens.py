"""One-time secrets the portal hands out (invitation tokens, API keys): only hashes are kept.

Keys read `<kind>_<prefix>_<secret>`: the kind tells an organisation's key ("efk") from a
partner's ("efp") without a lookup, and the public prefix finds the row to compare hashes with.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

# Writing last_used_at on every request would make each call a write; a minute is precise
# enough to tell a key in use from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    """Return the SHA-256 hex digest that stands for a secret in the database.

    The secrets are 32 random bytes, so a fast hash is enough: there is nothing to guess.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def key_new(kind: str) -> tuple[str, str]:
    """Return (public prefix, whole key) for a new key of this kind."""
    prefix = secrets.token_hex(6)
    return prefix, f"{kind}_{prefix}_{secrets.token_urlsafe(32)}"


def key_prefix(key: str, kind: str) -> str | None:
    """Return the public prefix of a presented key of this kind, or None if it is none."""
    parts = key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != kind:
        return None
    return parts[1]


def key_used(key: Any) -> None:
    """Note that a key row was used just now (at most once per LAST_USED_RESOLUTION)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        type(key).objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
