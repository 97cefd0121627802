"""Celery tasks of the webhooks (deliver one, sweep up what was left behind) and the API's
idempotency records (purge those past the replay window)."""

from __future__ import annotations

from celery import Task, shared_task

from integrations.services import webhook_delivery_attempt, webhooks_sweep
from integrations.services_idempotency import idempotency_records_purge


@shared_task(
    bind=True,
    name="integrations.deliver_webhook",
    acks_late=True,
    ignore_result=True,
    max_retries=None,  # the delivery's own attempt count bounds it (WEBHOOK_MAX_ATTEMPTS)
)
def webhook_deliver_task(self: Task[..., str], delivery_id: int) -> str:
    """POST one webhook delivery; a failed attempt comes back later, with growing pauses."""
    attempt = webhook_delivery_attempt(delivery_id)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.outcome


@shared_task(name="integrations.sweep_webhooks", ignore_result=True)
def webhooks_sweep_task() -> int:
    """Fan out lost events and re-queue overdue webhook deliveries (run by Celery beat)."""
    return webhooks_sweep()


@shared_task(name="integrations.purge_idempotency_records", ignore_result=True)
def idempotency_records_purge_task() -> int:
    """Delete the API's idempotency records past the replay window (run by Celery beat)."""
    return idempotency_records_purge()
