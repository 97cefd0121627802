"""Requests per API key, counted in the shared cache (Redis in production): 429 beyond."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from portal.api.caller import ApiCaller, PartnerCaller


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str:
        return str(settings.API_RATE_PER_KEY)  # read per request, so a change applies at once

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        caller = request.user
        if not isinstance(caller, ApiCaller | PartnerCaller):
            return None  # unauthenticated requests are refused before they cost anything
        # Per key, of either kind: a partner's key counts for all its organisations together.
        return self.cache_format % {"scope": self.scope, "ident": caller.key_id}
