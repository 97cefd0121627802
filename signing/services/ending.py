"""Ending an order: the one place an order becomes terminal and a failure is audited."""

from __future__ import annotations

from django.utils import timezone

from accounts import services as accounts_services
from accounts.numbers import mask_personal_number
from signing.models import SigningOrder
from signing.services.evidence import personal_number_hash
from signing.services.risk import failed_signings_check

Status = SigningOrder.Status


def order_finish(
    order: SigningOrder,
    status: str,
    *,
    rfa: str = "",
    hint: str = "",
    reason: str = "",
    personal_number: str = "",
) -> SigningOrder:
    """Make the order terminal; `reason` says why a failure is ours rather than BankID's.

    `personal_number` is who BankID says tried, when it said (a completed order that
    failed our checks); it is audited only masked and as a keyed hash.
    """
    order.status = status
    order.rfa = rfa
    order.hint_code = hint or order.hint_code
    order.failure_reason = reason
    order.finished_at = timezone.now()
    order.save(update_fields=["status", "rfa", "hint_code", "failure_reason", "finished_at"])
    if status == Status.FAILED:
        signer = (
            {
                "personal_number_masked": mask_personal_number(personal_number),
                "personal_number_hash": personal_number_hash(personal_number),
            }
            if personal_number
            else {}
        )
        accounts_services.audit_event_record(
            action="signing.failed",
            actor=order.user,
            organisation=order.organisation,
            obj=order,
            data={"hint_code": order.hint_code, "reason": reason, "rfa": rfa, **signer},
        )
    if status in (Status.FAILED, Status.CANCELLED):
        failed_signings_check(order)
    return order
