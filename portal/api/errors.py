"""One error format for the whole API: {"code", "detail", "errors"?}, never a 500 page.

DRF's own exceptions keep their status and get a stable code; domain errors (the
services' "no") get the status their meaning calls for. Views raise, this answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from portal.errors import DomainError

logger = logging.getLogger(__name__)

# Domain errors by code: the status that says what went wrong (default 409: the state of
# things does not allow it now).
DOMAIN_STATUS = {
    "invoice_invalid": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "import_rejected": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "attachment_rejected": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "seller_mismatch": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "number_taken": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "sending_blocked": status.HTTP_403_FORBIDDEN,
    "articles_need_plus": status.HTTP_403_FORBIDDEN,
}
# DRF's exceptions by class: the code an API client can switch on.
DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_api_key",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}

ErrorBody = dict[str, Any]
# Extra fields some domain errors carry (the findings, the duplicates, the gate's decision).
_DETAILS: dict[str, Callable[[Any], ErrorBody]] = {}


def error_body(code: str, detail: Any, errors: list[Any] | None = None, **extra: Any) -> ErrorBody:
    body: ErrorBody = {"code": code, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    return {**body, **extra}


def details_for(*codes: str) -> Callable[[Callable[[Any], ErrorBody]], Callable[[Any], ErrorBody]]:
    """Register what a domain error adds to its body (apps register their own)."""

    def register(function: Callable[[Any], ErrorBody]) -> Callable[[Any], ErrorBody]:
        for code in codes:
            _DETAILS[code] = function
        return function

    return register


# Redis or PostgreSQL away (a restart, a failover): nothing wrong with the request, and a
# repeat with the same Idempotency-Key is safe.
OUTAGES = (redis.RedisError, OperationalError)
OUTAGE_RETRY_AFTER_SECONDS = 5


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn any exception a view raises into the API's error format."""
    if isinstance(exc, DomainError):
        return _domain_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # A model's full_clean() in a service (a customer number already used, ...).
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            error_body(
                "invalid_request", _("Some fields are not valid."), _field_errors(exc.detail)
            ),
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if isinstance(exc, exceptions.APIException):
        return _api_exception_response(exc)
    if isinstance(exc, OUTAGES):
        logger.warning("a service the API needs is unavailable", exc_info=exc)
        return Response(
            error_body(
                "service_unavailable",
                _("The service is unavailable for a moment. Try again in a few seconds."),
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
        )
    logger.exception("unhandled error in an API view", exc_info=exc)
    return Response(
        error_body("server_error", _("Something went wrong on our side. Try again later.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _api_exception_response(exc: exceptions.APIException) -> Response:
    code = DRF_CODES.get(type(exc))
    if code is None:
        detail_code = exc.get_codes()
        code = detail_code if isinstance(detail_code, str) else "error"
    headers = {}
    auth_header = getattr(exc, "auth_header", None)  # set by DRF on a 401: how to authenticate
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)  # set on Throttled: the seconds until the next request
    if wait is not None:
        headers["Retry-After"] = str(int(wait) + 1)
    return Response(error_body(code, exc.detail), status=exc.status_code, headers=headers)


def _domain_response(exc: DomainError) -> Response:
    extra = _DETAILS[exc.code](exc) if exc.code in _DETAILS else {}
    body = {**error_body(exc.code, exc), **extra}
    return Response(body, status=DOMAIN_STATUS.get(exc.code, status.HTTP_409_CONFLICT))


def _field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested errors into [{"field": "lines[0].quantity", "message": ...}]."""
    if isinstance(detail, dict):
        return [
            error
            for name, value in detail.items()
            for error in _field_errors(value, _join(path, name))
        ]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"field": path or "non_field_errors", "message": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in _field_errors(item, f"{path}[{index}]")
        ]
    return [{"field": path or "non_field_errors", "message": str(detail)}]


def _join(path: str, name: str | int) -> str:
    if name == "non_field_errors":
        return path
    if isinstance(name, int):  # a list's item, as DRF's ListSerializer names it
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def api_not_found(request: Request, *args: Any, **kwargs: Any) -> Response:
    """Answer a path under /api/v1/ that no route matches (an id that is no UUID, ...)."""
    # Without it Django's HTML 404 page answers, which is not the API's format.
    raise exceptions.NotFound
