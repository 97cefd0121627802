"""The API key of the request being served, for the audit log to name it.

Services take the user a key acts as (invoices and events need a user); the audit log
also wants to say the change came through the API, and with which key. The key is set
when the request authenticates and cleared when the next request starts.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from accounts.models import ApiKey

_api_key: ContextVar[ApiKey | None] = ContextVar("api_key", default=None)


def api_key_in_use() -> ApiKey | None:
    return _api_key.get()


def use_api_key(api_key: ApiKey | None) -> None:
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
