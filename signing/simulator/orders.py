"""Orders and their state machine: lifetimes, hint codes, single collect, cancel.

All state sits behind one lock in OrderStore; time comes from a Clock that tests
can move forward instead of sleeping. Lifetimes are evaluated lazily, on every
access, so no timer thread is needed.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from signing.simulator.errors import AppError, RpError, invalid
from signing.simulator.persons import Person
from signing.simulator.qrcheck import QrFrame, check_frame
from signing.simulator.validation import StartRequest

# Phases; the first three are BankID's status "pending".
WAITING = "waiting"  # the app has not received the order
STARTED = "started"  # an autostart link opened the app
USER_SIGN = "userSign"  # the app has the order; the user is confirming
COMPLETE = "complete"
FAILED = "failed"
CANCELLED = "cancelled"  # by the RP's /cancel
PENDING_PHASES = (WAITING, STARTED, USER_SIGN)


class Clock:
    """Wall-clock seconds plus an offset that a controllable simulator can move forward."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward; return the new offset."""
        with self._lock:
            self._offset += seconds
            return self._offset


@dataclass(frozen=True)
class Lifetimes:
    """How long an order may wait, run and stay collectable, in seconds."""

    start_timeout: float = 30.0  # not opened by then: failed/startFailed
    order_timeout: float = 180.0  # not finished by then: failed/expiredTransaction
    no_client_after: float = 5.0  # outstandingTransaction turns into noClient
    complete_retention: float = 180.0
    failed_retention: float = 300.0
    qr_tolerance: int = 1  # seconds a scanned QR frame may be off the current one


@dataclass(frozen=True)
class RpIdentity:
    """The relying party as the signature names it: certificate subject DN and display name."""

    name: str
    display_name: str


@dataclass
class Order:
    """One auth, sign or phone order."""

    ref: str
    request: StartRequest
    rp: RpIdentity
    created_at: float
    auto_start_token: str | None
    qr_start_token: str | None
    qr_start_secret: str | None
    phase: str = WAITING
    hint: str = ""  # the failed hint code
    pending_hint: str | None = None  # a fault: report this hint while pending
    finished_at: float | None = None
    is_collected: bool = False
    person: Person | None = None
    device_ip: str | None = None
    uhi: str | None = None
    completion: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def is_pending(self) -> bool:
        return self.phase in PENDING_PHASES

    def start_response(self) -> dict[str, str]:
        if self.request.is_phone:
            return {"orderRef": self.ref}
        return {
            "orderRef": self.ref,
            "autoStartToken": str(self.auto_start_token),
            "qrStartToken": str(self.qr_start_token),
            "qrStartSecret": str(self.qr_start_secret),
        }

    def fail(self, hint: str, at: float) -> None:
        self.phase, self.hint, self.finished_at = FAILED, hint, at

    def refresh(self, now: float, lifetimes: Lifetimes) -> None:
        """Apply whichever lifetime has run out, timed at the moment it ran out."""
        if not self.is_pending:
            return
        deadlines = [(self.created_at + lifetimes.order_timeout, "expiredTransaction")]
        if self.phase == WAITING:
            deadlines.append((self.created_at + lifetimes.start_timeout, "startFailed"))
        at, hint = min(deadlines)
        if now >= at:
            self.fail(hint, at)

    def pending_hint_code(self, now: float, lifetimes: Lifetimes) -> str:
        if self.pending_hint:
            return self.pending_hint
        if self.phase == WAITING:
            waited = now - self.created_at
            return "noClient" if waited >= lifetimes.no_client_after else "outstandingTransaction"
        return self.phase  # "started" and "userSign" are their own hint codes

    def collect_view(self, now: float, lifetimes: Lifetimes) -> dict[str, Any]:
        if self.is_pending:
            hint = self.pending_hint_code(now, lifetimes)
            return {"orderRef": self.ref, "status": "pending", "hintCode": hint}
        if self.phase == FAILED:
            return {"orderRef": self.ref, "status": "failed", "hintCode": self.hint}
        return {"orderRef": self.ref, "status": "complete", "completionData": self.completion}

    def retained_until(self, lifetimes: Lifetimes) -> float:
        keep = (
            lifetimes.complete_retention if self.phase == COMPLETE else lifetimes.failed_retention
        )
        return (self.finished_at or self.created_at) + keep

    def is_held_by(self, personal_number: str) -> bool:
        """Whether this pending order belongs to that person (required or already identified)."""
        holder = self.person.personal_number if self.person else self.request.personal_number
        return self.is_pending and holder == personal_number


def _new_order(request: StartRequest, rp: RpIdentity, now: float) -> Order:
    tokens = (None, None, None) if request.is_phone else (_uuid(), _uuid(), _uuid())
    return Order(_uuid(), request, rp, now, *tokens)


def _uuid() -> str:
    return str(uuid.uuid4())


class OrderStore:
    """Every live order, behind one lock."""

    def __init__(self, clock: Clock, lifetimes: Lifetimes) -> None:
        self.clock = clock
        self.lifetimes = lifetimes
        self._orders: dict[str, Order] = {}
        self._fail_next: str | None = None
        self._lock = threading.Lock()

    @contextmanager
    def _locked(self) -> Iterator[float]:
        """Hold the lock, drop results past their retention and yield the current time."""
        with self._lock:
            now = self.clock.now()
            for order in list(self._orders.values()):
                order.refresh(now, self.lifetimes)
                if not order.is_pending and order.retained_until(self.lifetimes) <= now:
                    del self._orders[order.ref]
            yield now

    # --- The RP API -----------------------------------------------------------------

    def create(self, request: StartRequest, rp: RpIdentity) -> Order:
        """Start an order; a second order for a person who has one cancels both."""
        with self._locked() as now:
            number = request.personal_number
            clashing = [o for o in self._orders.values() if number and o.is_held_by(number)]
            if clashing:
                for order in clashing:
                    order.fail("cancelled", now)
                raise RpError("alreadyInProgress", "Order already in progress for pno")
            order = _new_order(request, rp, now)
            if self._fail_next:
                order.fail(self._fail_next, now)
                self._fail_next = None
            self._orders[order.ref] = order
            return copy.copy(order)

    def collect(self, ref: str) -> dict[str, Any]:
        """Return the order's status; a finished result is handed out once."""
        with self._locked() as now:
            order = self._rp_order(ref)
            if not order.is_pending:
                if order.is_collected:
                    raise invalid("The order's result has already been collected")
                order.is_collected = True
            return order.collect_view(now, self.lifetimes)

    def cancel(self, ref: str) -> None:
        """Cancel a pending order on the RP's behalf."""
        with self._locked() as now:
            order = self._rp_order(ref)
            if not order.is_pending:
                raise invalid("The order is no longer pending")
            order.phase, order.finished_at = CANCELLED, now

    def _rp_order(self, ref: str) -> Order:
        order = self._orders.get(ref)
        if order is None or order.phase == CANCELLED:
            raise invalid("No such order")
        return order

    # --- The emulated app -------------------------------------------------------------

    def app_start(self, auto_start_token: str) -> Order:
        """Record that the autostart link opened the app (hint "started")."""
        with self._locked():
            order = self._by_token(auto_start_token)
            _require_unopened(order)
            order.phase = STARTED
            return copy.copy(order)

    def app_open(
        self,
        *,
        person: Person,
        device_ip: str | None,
        uhi: str,
        auto_start_token: str | None = None,
        frame: QrFrame | None = None,
        order_ref: str | None = None,
    ) -> Order:
        """Let the app pick the order up for this person (hint "userSign")."""
        with self._locked() as now:
            order = self._locate(auto_start_token, frame, order_ref)
            if frame is not None:
                check_frame(
                    frame,
                    qr_start_secret=str(order.qr_start_secret),
                    seconds=now - order.created_at,
                    tolerance=self.lifetimes.qr_tolerance,
                )
            _require_unopened(order)
            if order.request.personal_number not in (None, person.personal_number):
                raise AppError("This order may only be completed by another person.", 403)
            order.phase, order.person = USER_SIGN, person
            order.device_ip = device_ip or order.request.end_user_ip or "127.0.0.1"
            order.uhi = uhi
            return copy.copy(order)

    def app_order(self, ref: str, *, phases: tuple[str, ...] = (USER_SIGN,)) -> Order:
        """Return a copy of an order the app holds, refusing one in any other phase."""
        with self._locked():
            order = self._app_order(ref)
            if order.phase not in phases:
                raise AppError(f"The order is not waiting for the user ({_describe(order)}).")
            return copy.copy(order)

    def app_complete(self, ref: str, completion: dict[str, Any]) -> None:
        """Finish the order as signed, unless it ended while the signature was being made."""
        with self._locked() as now:
            order = self._app_order(ref)
            if order.phase != USER_SIGN:
                raise AppError(f"The order ended before it was signed ({_describe(order)}).")
            order.phase, order.finished_at, order.completion = COMPLETE, now, completion

    def app_cancel(self, ref: str) -> None:
        """The user cancelled in the app: failed/userCancel."""
        with self._locked() as now:
            order = self._app_order(ref)
            if order.phase not in (STARTED, USER_SIGN):
                raise AppError(f"The app does not hold this order ({_describe(order)}).")
            order.fail("userCancel", now)

    def _locate(self, token: str | None, frame: QrFrame | None, ref: str | None) -> Order:
        if token:
            return self._by_token(token)
        if frame is not None:
            found = [o for o in self._orders.values() if o.qr_start_token == frame.qr_start_token]
            if not found:
                raise AppError("No order has this QR code.", 404)
            return found[0]
        if ref:
            order = self._app_order(ref)
            if not order.request.is_phone:
                raise AppError("Only phone orders are opened by orderRef; scan the QR code.")
            return order
        raise AppError("Give autoStartToken, qr or (for phone orders) orderRef.")

    def _by_token(self, token: str) -> Order:
        found = [o for o in self._orders.values() if o.auto_start_token == token]
        if not found:
            raise AppError("No order has this autostart token.", 404)
        return found[0]

    def _app_order(self, ref: str) -> Order:
        order = self._orders.get(ref)
        if order is None:
            raise AppError("No such order.", 404)
        return order

    # --- Faults and inspection ----------------------------------------------------------

    def fail(self, ref: str, hint: str) -> None:
        """Fail a pending order now with the given hint code."""
        with self._locked() as now:
            order = self._app_order(ref)
            if not order.is_pending:
                raise AppError(f"The order is not pending ({_describe(order)}).")
            order.fail(hint, now)

    def fail_next(self, hint: str) -> None:
        """Make the next order that is created fail at once with this hint code."""
        with self._locked():
            self._fail_next = hint

    def set_pending_hint(self, ref: str, hint: str) -> None:
        """Make a pending order report this hint code (e.g. an unknown one) while pending."""
        with self._locked():
            self._app_order(ref).pending_hint = hint

    def reset_faults(self) -> None:
        with self._locked():
            self._fail_next = None

    def describe(self, ref: str) -> dict[str, Any]:
        """Return an order's state for debugging and the app page; never its secrets."""
        with self._locked() as now:
            order = self._app_order(ref)
            pending = order.is_pending
            return {
                "orderRef": order.ref,
                "operation": order.request.operation,
                "phase": order.phase,
                "status": "pending" if pending else order.phase,
                "hintCode": order.pending_hint_code(now, self.lifetimes) if pending else order.hint,
                "ageSeconds": round(now - order.created_at, 3),
                "requiredPersonalNumber": order.request.personal_number,
                "personalNumber": order.person.personal_number if order.person else None,
                "isCollected": order.is_collected,
            }


def _require_unopened(order: Order) -> None:
    if order.phase not in (WAITING, STARTED):
        raise AppError(f"The order cannot be opened now ({_describe(order)}).")


def _describe(order: Order) -> str:
    return f"{order.phase}/{order.hint}" if order.phase == FAILED else order.phase
