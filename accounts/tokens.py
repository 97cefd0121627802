"""One-time secrets the portal hands out (invitation tokens, API keys): only hashes are kept."""

from __future__ import annotations

import hashlib


def secret_hash(secret: str) -> str:
    """Return the SHA-256 hex digest that stands for a secret in the database.

    The secrets are 32 random bytes, so a fast hash is enough: there is nothing to guess.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
