"""The RP API v6 surface: /rp/v6.0/{auth,sign,phone/auth,phone/sign,collect,cancel}."""

from __future__ import annotations

import threading
from typing import Any

from signing.simulator.errors import ERROR_STATUS, RpError, invalid
from signing.simulator.orders import OrderStore
from signing.simulator.validation import parse_order_ref, parse_start
from signing.simulator.wire import Request, Response, json_response

PREFIX = "/rp/v6.0/"
START_OPERATIONS = ("auth", "sign", "phone/auth", "phone/sign")
ENDPOINTS = (*START_OPERATIONS, "collect", "cancel")


class Faults:
    """Injected RP API errors: the next `count` calls fail with one errorCode."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._error: RpError | None = None
        self._remaining = 0

    def inject(self, code: str, count: int, status: int | None = None) -> None:
        if status is None and code not in ERROR_STATUS:
            raise ValueError(f"give an HTTP status for the unknown errorCode {code!r}")
        with self._lock:
            self._error = RpError(code, f"Simulated fault: {code}", status)
            self._remaining = count

    def take(self) -> RpError | None:
        """Return the error the current call must fail with, if any, and count it."""
        with self._lock:
            if self._remaining <= 0:
                return None
            self._remaining -= 1
            return self._error

    def clear(self) -> None:
        with self._lock:
            self._remaining = 0

    def pending(self) -> dict[str, Any]:
        with self._lock:
            code = self._error.code if self._error and self._remaining else None
            return {"error": code, "count": self._remaining}


def handle_rp(request: Request, *, store: OrderStore, faults: Faults, strict: bool) -> Response:
    """Answer one RP API call; every refusal is BankID's {"errorCode", "details"}."""
    try:
        return json_response(_dispatch(request, store, faults, strict))
    except RpError as error:
        headers = {"Allow": "POST"} if error.code == "methodNotAllowed" else {}
        return json_response(error.body(), error.status, **headers)


def _dispatch(request: Request, store: OrderStore, faults: Faults, strict: bool) -> Any:
    endpoint = request.path.removeprefix(PREFIX)
    if endpoint not in ENDPOINTS:
        raise RpError("notFound", "No such endpoint")
    if request.method != "POST":
        raise RpError("methodNotAllowed", "Only POST is allowed")
    fault = faults.take()
    if fault is not None:
        raise fault
    _check_content_type(request.content_type, strict)
    try:
        body = request.json()
    except ValueError:
        raise invalid("The body is not valid JSON") from None
    if endpoint in START_OPERATIONS:
        return store.create(parse_start(endpoint, body), request.rp).start_response()
    if endpoint == "collect":
        return store.collect(parse_order_ref(body))
    store.cancel(parse_order_ref(body))
    return {}


def _check_content_type(value: str | None, strict: bool) -> None:
    # BankID answers 415 even for "application/json; charset=UTF-8"; lenient mode
    # accepts parameters for clients that cannot help sending one.
    media_type = value if strict else (value or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise RpError("unsupportedMediaType", "Content-Type must be application/json")
