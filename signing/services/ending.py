"""Ending an order: the one place an order becomes terminal and a failure is audited."""

from __future__ import annotations

from django.utils import timezone

from accounts import services as accounts_services
from signing.models import SigningOrder

Status = SigningOrder.Status


def order_finish(
    order: SigningOrder, status: str, *, rfa: str = "", hint: str = "", reason: str = ""
) -> SigningOrder:
    """Make the order terminal; `reason` says why a failure is ours rather than BankID's."""
    order.status = status
    order.rfa = rfa
    order.hint_code = hint or order.hint_code
    order.failure_reason = reason
    order.finished_at = timezone.now()
    order.save(update_fields=["status", "rfa", "hint_code", "failure_reason", "finished_at"])
    if status == Status.FAILED:
        accounts_services.audit_event_record(
            action="signing.failed",
            actor=order.user,
            organisation=order.organisation,
            obj=order,
            data={"hint_code": order.hint_code, "reason": reason, "rfa": rfa},
        )
    return order
