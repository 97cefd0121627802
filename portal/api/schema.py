"""The error bodies of portal/api/errors.py, described for the OpenAPI schema.

Views list them in `@extend_schema(responses=...)`; one component per shape, shared by
every endpoint, so the schema names each shape once.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text='The input that is wrong, e.g. "lines[0].quantity".')
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error: a stable code to switch on, a sentence in the request's language."""

    code = serializers.CharField(help_text="Stable, machine-readable: switch on this.")
    detail = serializers.CharField(help_text="For people, in the request's language.")
    # The body's field shadows Serializer.errors for the type checker only: DRF pops it.
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


def error(description: str, serializer: Any = ErrorSerializer) -> OpenApiResponse:
    """Return an error response for `@extend_schema(responses=...)`."""
    return OpenApiResponse(response=serializer, description=description)


# The answers every endpoint that takes a key can give.
NOT_FOUND = error("Not found, or another organisation's (never its data).")
READ_ONLY = error("The key is read-only (`read_only_key`).")
INVALID = error("`invalid_request`: `errors` names each field that is wrong.")


# --- The answers any operation can give, documented on each ----------------------------------

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_WRITES = {"post", "put", "patch", "delete"}
_UNAUTHENTICATED = "`not_authenticated` (no key) or `invalid_api_key` (unknown or revoked)."
_RATE_LIMITED = {
    "description": "`rate_limited`: too many requests with this key; wait `Retry-After` seconds.",
    "headers": {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "Seconds until the key may send again.",
        }
    },
}

_UNAVAILABLE = {
    "description": "`service_unavailable`: Redis or the database is away for a moment (a "
    "restart); repeat the request, with the same `Idempotency-Key`, after `Retry-After` seconds.",
    "headers": {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
    },
}


def document_common_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the errors the API's defaults can answer.

    The authentication, throttle and permission classes, the parsers and the selectors'
    404 apply to every view, so no view lists them all; a view's own entry for a status wins.
    """
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, extra in _common_errors(method, operation).items():
                responses.setdefault(
                    status, {"content": {"application/json": {"schema": _ERROR_REF}}, **extra}
                )
    return result


def _common_errors(method: str, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the statuses the defaults can give this operation, with their documentation."""
    errors: dict[str, dict[str, Any]] = {}
    if operation.get("security"):
        errors["401"] = {"description": _UNAUTHENTICATED}
        errors["429"] = _RATE_LIMITED
    errors["503"] = _UNAVAILABLE
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        errors["404"] = {"description": str(NOT_FOUND.description)}
    if method in _WRITES:
        errors["403"] = {"description": str(READ_ONLY.description)}
    if "requestBody" in operation:
        errors["400"] = {"description": "`malformed_request`: the body cannot be read."}
        errors["415"] = {"description": "`unsupported_media_type`: a body type not listed."}
        errors["422"] = {"description": str(INVALID.description)}
    return errors
