"""Celery tasks of invoicing: deliver one delivery, sweep up what was left behind."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.utils import translation

from invoices.services.delivering import deliveries_sweep, delivery_attempt


@shared_task(
    bind=True, name="invoices.deliver", acks_late=True, ignore_result=True, max_retries=None
)
def delivery_deliver_task(self: Task[..., str], delivery_id: int) -> str:
    """Deliver one invoice; transient failures come back later, with growing pauses."""
    retries = self.request.retries or 0
    delay = min(settings.DELIVERY_RETRY_BASE_SECONDS * 2**retries, 3600)
    final = retries >= settings.DELIVERY_MAX_RETRIES
    # What the attempt writes (history, errors) is a record in the portal's language.
    with translation.override(settings.LANGUAGE_CODE):
        attempt = delivery_attempt(delivery_id, final=final, retry_in=delay)
    if attempt.outcome == "retry":
        raise self.retry(countdown=delay)
    return attempt.outcome


@shared_task(name="invoices.sweep_deliveries", ignore_result=True)
def deliveries_sweep_task() -> int:
    """Re-queue deliveries stuck in queued or sending (run by Celery beat)."""
    return deliveries_sweep()
