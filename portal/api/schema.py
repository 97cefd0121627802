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
