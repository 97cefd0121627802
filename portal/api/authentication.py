"""`Authorization: Bearer <key>`: the organisation's API key."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.services import api_key_authenticate
from portal.api.caller import ApiCaller
from portal.api.context import use_api_key


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate a request by its API key; a missing header leaves it anonymous (401)."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[ApiCaller, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Bearer <key>.")
            )
        api_key = api_key_authenticate(parts[1].decode("ascii", errors="replace"))
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("The API key is unknown or revoked."))
        use_api_key(api_key)
        return ApiCaller(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'  # makes DRF answer 401, not 403, without a key


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "portal.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from Settings → API keys: `Authorization: Bearer efk_…`.",
        }
