"""`Authorization: Bearer <key>`: an organisation's API key ("efk_…") or a partner's ("efp_…").

The two kinds differ in their first part, so the key's own format says which table to look
in: nothing is guessed, and a key of one kind never matches a row of the other.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import ApiKey, PartnerKey
from accounts.services import api_key_authenticate, partner_key_authenticate
from accounts.services.partners import KEY_PREFIX as PARTNER_KEY_PREFIX
from portal.api.caller import ApiCaller, Caller, PartnerCaller
from portal.api.context import use_api_key

_AUTHENTICATED = "_api_key_authentication"  # on the HttpRequest: what its key turned out to be


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate a request by its API key; a missing header leaves it anonymous (401)."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Caller, ApiKey | PartnerKey] | None:
        # The idempotency middleware authenticates before the view does; the second time,
        # the same request gets the same answer without a query.
        known: tuple[Caller, ApiKey | PartnerKey] | None = getattr(
            request._request, _AUTHENTICATED, None
        )
        if known is None:
            known = self._authenticate(request)
            setattr(request._request, _AUTHENTICATED, known)
        if known is not None:
            use_api_key(known[1])
        return known

    def _authenticate(self, request: Request) -> tuple[Caller, ApiKey | PartnerKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Bearer <key>.")
            )
        key = parts[1].decode("ascii", errors="replace")
        if key.startswith(PARTNER_KEY_PREFIX + "_"):
            return _partner(key)
        api_key = api_key_authenticate(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("The API key is unknown or revoked."))
        return ApiCaller(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'  # makes DRF answer 401, not 403, without a key


def _partner(key: str) -> tuple[PartnerCaller, PartnerKey]:
    partner_key = partner_key_authenticate(key)
    if partner_key is None:
        raise exceptions.AuthenticationFailed(_("The API key is unknown or revoked."))
    return PartnerCaller(partner_key), partner_key


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "portal.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An organisation's API key from Settings → API keys: "
                "`Authorization: Bearer efk_…`. Or a partner key (`efp_…`, from "
                "`manage.py create_partner`), which names the organisation it acts for in "
                "`X-Organisation`."
            ),
        }


# --- The OpenAPI schema: X-Organisation on every organisation endpoint ----------------------

ORGANISATION_HEADER = "X-Organisation"
PARTNER_PATHS = "/api/v1/partner/"
_PARAMETER = {
    "in": "header",
    "name": ORGANISATION_HEADER,
    "required": False,
    "schema": {"type": "string", "pattern": r"^\d{6}-?\d{4}$", "example": "556036-0793"},
    "description": (
        "With a partner key (required then): the organisation number of the connected "
        "organisation the request acts for. Any organisation the partner does not hold "
        "(another partner's, the web service's, an ended connection, an unknown number) "
        "answers 404 `not_found`. Ignored with an organisation's own key."
    ),
}
_MISSING = (
    "With a partner key: `organisation_header_required` (no X-Organisation) or "
    "`invalid_organisation_header` (not an organisation number)."
)
_NOT_HELD = "With a partner key: X-Organisation names no organisation the partner holds."
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document_organisation_header(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: X-Organisation and its answers on the
    organisation endpoints (all but /partner/, which act for the partner itself)."""
    components = result.setdefault("components", {})
    components.setdefault("parameters", {})["Organisation"] = _PARAMETER
    for path, operations in result.get("paths", {}).items():
        if path.startswith(PARTNER_PATHS):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            operation.setdefault("parameters", []).append(
                {"$ref": "#/components/parameters/Organisation"}
            )
            responses = operation.setdefault("responses", {})
            for code, description in (("400", _MISSING), ("404", _NOT_HELD)):
                if code in responses:
                    responses[code]["description"] += f" {description}"
                else:
                    responses[code] = {"description": description, "content": _ERROR}
    return result
