"""Requests per API key, counted in the shared cache (Redis in production): 429 beyond."""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from portal.api.caller import ApiCaller, PartnerCaller

logger = logging.getLogger(__name__)


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def allow_request(self, request: Request, view: Any) -> bool:
        """Count the request; while the cache does not answer (Redis restarting), let it by.

        The limit protects the service from a runaway client over minutes; refusing every
        request of every ERP for the seconds Redis is away would be an outage of its own.
        """
        try:
            return super().allow_request(request, view)
        except (redis.RedisError, OSError):
            logger.warning("rate limit not counted: the cache is unavailable")
            return True

    def get_rate(self) -> str:
        return str(settings.API_RATE_PER_KEY)  # read per request, so a change applies at once

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        caller = request.user
        if not isinstance(caller, ApiCaller | PartnerCaller):
            return None  # unauthenticated requests are refused before they cost anything
        # Per key, of either kind: a partner's key counts for all its organisations together.
        return self.cache_format % {"scope": self.scope, "ident": caller.key_id}
