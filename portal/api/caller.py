"""Who is calling the API: an organisation's key (partner keys will be a second kind)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import ApiKey, Organisation


@dataclass(frozen=True)
class ApiCaller:
    """The authenticated caller, in request.user's place: the key and its one organisation.

    Views ask for `organisation` and `read_only` only, so a partner key that acts for
    several organisations can become another caller that picks one per request.
    """

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True

    @property
    def organisation(self) -> Organisation:
        return self.api_key.organisation

    @property
    def user(self) -> Any:
        """The member the key acts as: what the services record as the actor."""
        return self.api_key.created_by

    @property
    def read_only(self) -> bool:
        return self.api_key.is_read_only

    @property
    def pk(self) -> int:
        return int(self.api_key.pk)

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"
