"""The API key of the request being served, for the audit log to name it.

Services take the user a key acts as (invoices and events need a user); the audit log
also wants to say the change came through the API, and with which key. The key is set
when the request authenticates and cleared when the next request starts. A partner's key
acts with no user at all: then the key is all there is to say who did it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from accounts.models import ApiKey, PartnerKey

_api_key: ContextVar[ApiKey | PartnerKey | None] = ContextVar("api_key", default=None)


def api_key_in_use() -> ApiKey | None:
    """Return the organisation's key the request authenticated with, if any."""
    key = _api_key.get()
    return key if isinstance(key, ApiKey) else None


def partner_key_in_use() -> PartnerKey | None:
    """Return the partner's key the request authenticated with, if any."""
    key = _api_key.get()
    return key if isinstance(key, PartnerKey) else None


def use_api_key(api_key: ApiKey | PartnerKey | None) -> None:
    _api_key.set(api_key)


class ApiKeyContextMiddleware:
    """Start every request with no key in use (threads are reused between requests)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        use_api_key(None)
        try:
            return self.get_response(request)
        finally:
            use_api_key(None)
