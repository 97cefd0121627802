"""The test and demo side: the emulated app, faults, the clock and the app page (/sim/)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from signing.simulator.app_page import APP_PAGE
from signing.simulator.bank import SimulatedBank, device_uhi
from signing.simulator.errors import AppError
from signing.simulator.orders import Order, OrderStore
from signing.simulator.persons import Person, all_persons, find_person
from signing.simulator.qrcheck import parse_frame
from signing.simulator.rp_api import Faults
from signing.simulator.wire import Request, Response, json_response

PREFIX = "/sim/v1/"
HINT_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")
PERSONAL_NUMBER = re.compile(r"\d{12}")


@dataclass(frozen=True)
class Control:
    """What the control endpoints act on."""

    store: OrderStore
    faults: Faults
    bank: SimulatedBank
    is_clock_controllable: bool


Handler = Callable[[Control, Request], Response]


def handle_control(request: Request, control: Control) -> Response:
    """Answer one /sim/ request; refusals are {"error": message}."""
    try:
        return _route(request, control)
    except AppError as error:
        return json_response(error.body(), error.status)


def _route(request: Request, control: Control) -> Response:
    if request.path in ("/sim", "/sim/"):
        return _only(request, "GET", _page)
    name = request.path.removeprefix(PREFIX)
    if name.startswith("orders/"):
        return _only(request, "GET", lambda: _order(control, name.removeprefix("orders/")))
    if name == "clock" and control.is_clock_controllable:
        return _clock(control, request)
    route = ROUTES.get(name) if request.path.startswith(PREFIX) else None
    if route is None:
        raise AppError("Not found.", 404)
    method, handler = route
    return _only(request, method, lambda: handler(control, request))


def _only(request: Request, method: str, answer: Callable[[], Response]) -> Response:
    allowed = (method, "HEAD") if method == "GET" else (method,)
    if request.method not in allowed:
        return json_response({"error": f"Use {method}."}, 405, Allow=method)
    return answer()


def _page() -> Response:
    return Response(200, APP_PAGE.encode("utf-8"), "text/html; charset=utf-8")


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise AppError("The body must be JSON.") from None
    if not isinstance(body, dict):
        raise AppError("The body must be a JSON object.")
    return body


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise AppError(f"{name} must be a string.")
    return value or None


# --- The emulated app -------------------------------------------------------------------


def _app_start(control: Control, request: Request) -> Response:
    token = _text(_body(request), "autoStartToken")
    if token is None:
        raise AppError("autoStartToken is required.")
    order = control.store.app_start(token)
    return json_response({"orderRef": order.ref, "hintCode": "started"})


def _app_open(control: Control, request: Request) -> Response:
    body = _body(request)
    person = _person(body)
    qr = _text(body, "qr")
    order = control.store.app_open(
        person=person,
        device_ip=_ip(_text(body, "ipAddress")),
        uhi=_text(body, "uhi") or device_uhi(person.personal_number),
        auto_start_token=_text(body, "autoStartToken"),
        frame=parse_frame(qr) if qr else None,
        order_ref=_text(body, "orderRef"),
    )
    return json_response(_opened(order, person))


def _opened(order: Order, person: Person) -> dict[str, Any]:
    """Describe what the app now shows the user: who asks, for what, and the text."""
    return {
        "orderRef": order.ref,
        "operation": order.request.operation,
        "funcId": order.request.func_id,
        "rpDisplayName": order.rp.display_name,
        "userVisibleText": _decoded(order.request.user_visible_data),
        "userVisibleDataFormat": order.request.user_visible_data_format,
        "person": person.as_json(),
    }


def _decoded(data: str | None) -> str | None:
    if data is None:
        return None
    try:
        return base64.b64decode(data).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def _person(body: dict[str, Any]) -> Person:
    number = _text(body, "personalNumber")
    if number is None or not PERSONAL_NUMBER.fullmatch(number):
        raise AppError("personalNumber must be 12 digits (YYYYMMDDNNNN).")
    known = find_person(number)
    given = _text(body, "givenName") or (known.given_name if known else None)
    surname = _text(body, "surname") or (known.surname if known else None)
    if not given or not surname:
        raise AppError("givenName and surname are required for someone not in the test persons.")
    return Person(number, given, surname, known.signatory_of if known else ())


def _ip(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise AppError("ipAddress must be an IP address.") from None


def _app_confirm(control: Control, request: Request) -> Response:
    body = _body(request)
    ref, action = _text(body, "orderRef"), body.get("action")
    if ref is None or action not in ("sign", "cancel"):
        raise AppError('Give orderRef and action "sign" or "cancel".')
    if action == "cancel":
        control.store.app_cancel(ref)
        return json_response({"orderRef": ref, "status": "failed", "hintCode": "userCancel"})
    order = control.store.app_order(ref)
    # The signature is made outside the store's lock; app_complete re-checks the order.
    completion = control.bank.completion_data(order)
    control.store.app_complete(ref, completion)
    return json_response({"orderRef": ref, "status": "complete"})


# --- Faults, clock, inspection ------------------------------------------------------------


def _faults(control: Control, request: Request) -> Response:
    body = _body(request)
    ref = _text(body, "orderRef")
    if "error" in body:
        _inject_error(control.faults, body)
    elif "failHint" in body:
        hint = _hint(body, "failHint")
        if ref:
            control.store.fail(ref, hint)
        else:
            control.store.fail_next(hint)
    elif "pendingHint" in body:
        if ref is None:
            raise AppError("pendingHint needs an orderRef.")
        control.store.set_pending_hint(ref, _hint(body, "pendingHint"))
    else:
        raise AppError("Give error (with count), failHint or pendingHint.")
    return json_response({"ok": True, "errors": control.faults.pending()})


def _inject_error(faults: Faults, body: dict[str, Any]) -> None:
    code, count, status = body.get("error"), body.get("count", 1), body.get("status")
    if not isinstance(code, str) or not HINT_CODE.fullmatch(code):
        raise AppError("error must be an errorCode such as maintenance.")
    if not isinstance(count, int) or count < 1:
        raise AppError("count must be a positive integer.")
    if status is not None and not (isinstance(status, int) and 400 <= status <= 599):
        raise AppError("status must be an HTTP error status.")
    try:
        faults.inject(code, count, status)
    except ValueError as error:
        raise AppError(str(error)) from None


def _hint(body: dict[str, Any], name: str) -> str:
    hint = body.get(name)
    if not isinstance(hint, str) or not HINT_CODE.fullmatch(hint):
        raise AppError(f"{name} must be a hint code such as certificateErr.")
    return hint


def _reset(control: Control, request: Request) -> Response:
    control.faults.clear()
    control.store.reset_faults()
    return json_response({"ok": True})


def _clock(control: Control, request: Request) -> Response:
    clock = control.store.clock
    if request.method == "POST":
        advance = _body(request).get("advance")
        if isinstance(advance, bool) or not isinstance(advance, int | float) or advance < 0:
            raise AppError("advance must be a number of seconds, 0 or more.")
        clock.advance(float(advance))
    elif request.method not in ("GET", "HEAD"):
        return json_response({"error": "Use GET or POST."}, 405, Allow="GET, POST")
    now = datetime.fromtimestamp(clock.now(), UTC).isoformat()
    return json_response({"offset": clock.offset, "now": now})


def _order(control: Control, ref: str) -> Response:
    return json_response(control.store.describe(ref))


def _ca(control: Control, request: Request) -> Response:
    return Response(200, control.bank.root_pem(), "application/x-pem-file")


def _persons(control: Control, request: Request) -> Response:
    return json_response([person.as_json() for person in all_persons()])


ROUTES: dict[str, tuple[str, Handler]] = {
    "app/start": ("POST", _app_start),
    "app/open": ("POST", _app_open),
    "app/confirm": ("POST", _app_confirm),
    "faults": ("POST", _faults),
    "reset": ("POST", _reset),
    "ca.pem": ("GET", _ca),
    "persons": ("GET", _persons),
}
