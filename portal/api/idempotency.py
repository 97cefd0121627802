"""`Idempotency-Key` on every POST under /api/v1/: a retried request is answered, not redone.

Modelled on pretix's idempotency middleware. A POST carrying the header claims the key
(scoped to the API key) before the view runs, and its answer is kept for 24 hours: the
same request again gets the kept answer without the work, another request under the same
key gets 422, and one arriving while the first still runs gets 409. Requests without the
header, or not POSTs to the API, pass without a query.

A middleware rather than a view base class so that every API view is covered without
opting in; it authenticates the key itself with the API's own authentication class,
because DRF only authenticates inside the view.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.request import Request

from accounts.models import ApiKey, PartnerKey
from integrations.models import IdempotencyRecord
from integrations.services_idempotency import (
    IdempotencyKeyReused,
    RequestInProgress,
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
)
from invoices.xmlsafe import MAX_BYTES
from portal.api.authentication import ApiKeyAuthentication
from portal.api.errors import error_body
from portal.api.parsers import PayloadTooLarge
from portal.errors import DomainError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/v1/"
MAX_KEY_LENGTH = IdempotencyRecord._meta.get_field("key").max_length or 255
REFUSALS = {
    IdempotencyKeyReused.code: status.HTTP_422_UNPROCESSABLE_ENTITY,
    RequestInProgress.code: status.HTTP_409_CONFLICT,
}


class IdempotencyMiddleware:
    """Replay the answer to a POST made again with the same Idempotency-Key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        api_key = _api_key_of(request)
        if api_key is None:
            return self.get_response(request)  # the view answers 401 as usual
        return self._once(request, api_key, key)

    def _once(self, request: HttpRequest, api_key: ApiKey | PartnerKey, key: str) -> HttpResponse:
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            return _invalid_key_response()
        if _declared_length(request) > MAX_BYTES:
            return _too_large_response()  # as the API's parsers answer, before reading it
        try:
            fingerprint = request_hash(request)
        except RequestDataTooBig:  # DATA_UPLOAD_MAX_MEMORY_SIZE set below the API's cap
            return _too_large_response()
        try:
            record = idempotency_claim(api_key=api_key, key=key, request_hash=fingerprint)
        except DomainError as refusal:
            return JsonResponse(error_body(refusal.code, refusal), status=REFUSALS[refusal.code])
        if record.status == IdempotencyRecord.Status.COMPLETED:
            return _replay(record)
        try:
            response = self.get_response(request)
        except BaseException:
            idempotency_release(record=record)
            raise
        if is_replayable(response):
            idempotency_complete(
                record=record,
                status=response.status_code,
                body=response.content,
                content_type=response.get("Content-Type", ""),
            )
        else:
            idempotency_release(record=record)
        return response


def request_hash(request: HttpRequest) -> str:
    """Fingerprint what makes two requests the same: method, path with query, body, and
    the organisation a partner key acts for (the same body for two of them is two requests)."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode() + b"\n")
    organisation = request.headers.get("X-Organisation")
    if organisation is not None:
        digest.update(b"X-Organisation: " + organisation.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def is_replayable(response: HttpResponse) -> bool:
    """Keep finished answers; a 5xx or a rate limit says nothing was decided, so retry."""
    if response.streaming:
        return False
    return response.status_code < 500 and response.status_code != 429


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # the server answers a malformed length; the body read is empty then


def _api_key_of(request: HttpRequest) -> ApiKey | PartnerKey | None:
    try:
        found = ApiKeyAuthentication().authenticate(Request(request))
    except exceptions.AuthenticationFailed:
        return None
    return found[1] if found else None


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.response_status or status.HTTP_200_OK,
        content_type=record.response_content_type or None,
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _too_large_response() -> HttpResponse:
    refusal = PayloadTooLarge()
    return JsonResponse(
        error_body(PayloadTooLarge.default_code, refusal.detail), status=refusal.status_code
    )


def _invalid_key_response() -> HttpResponse:
    message = gettext("Use 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH}
    return JsonResponse(
        error_body(
            "invalid_request",
            _("Some fields are not valid."),
            [{"field": HEADER, "message": message}],
        ),
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


# --- The OpenAPI schema: the header on every POST -----------------------------------------

_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "Any unique string (a UUID is good), scoped to the API key. The same request "
        "sent again with the same key within 24 hours gets the first answer again, "
        "marked `Idempotent-Replayed: true`, and nothing is done twice. Another request "
        "with a used key gets 422 `idempotency_key_reused`; a request made while the "
        "first is still running gets 409 `request_in_progress`."
    ),
}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["code", "detail"],
}
_REFUSALS_DOC = {
    "409": "`request_in_progress`: the first request with this Idempotency-Key is running.",
    "422": "`idempotency_key_reused`: this Idempotency-Key was used for another request.",
}


def document_idempotency_key(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the header and its refusals on POSTs."""
    components = result.setdefault("components", {})
    components.setdefault("parameters", {})["IdempotencyKey"] = _PARAMETER
    schemas = components.setdefault("schemas", {})
    # The views' shared error component (portal/api/schema.py) when some view uses it.
    error_name = "Error" if "Error" in schemas else "ApiError"
    schemas.setdefault(error_name, _ERROR_SCHEMA)
    error_schema = {"$ref": f"#/components/schemas/{error_name}"}
    for operations in result.get("paths", {}).values():
        post = operations.get("post")
        if post is None:
            continue
        post.setdefault("parameters", []).append({"$ref": "#/components/parameters/IdempotencyKey"})
        responses = post.setdefault("responses", {})
        for code, description in _REFUSALS_DOC.items():
            if code in responses:  # the view's own refusals with this status: add ours
                responses[code]["description"] = f"{responses[code]['description']} {description}"
            else:
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": error_schema}},
                }
    return result
