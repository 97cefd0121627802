"""Idempotency records: claim a key before the work, keep the answer after it, release on failure.

The unique (api_key, key) constraint decides who runs: the first INSERT wins, committed
on its own, so a second request with the same key sees the claim at once and is told to
wait (409) or, once the first has answered, gets that answer again.

Each write is one statement, so none opens a transaction of its own: outside one it
commits alone, inside one (a caller's, or a test's) a savepoint fences the INSERT's
conflict. Records past the replay window are purged by Celery beat
(`integrations.purge_idempotency_records`), not by every request; one that outlived the
window but not yet the purge counts as gone.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, PartnerKey
from integrations.models import IdempotencyRecord
from portal.errors import DomainError

REPLAY_WINDOW = timedelta(hours=24)
# A claim still running after this long belongs to a process that died (a killed worker
# never releases): a retry may take it over instead of waiting out the whole day.
ABANDONED_AFTER = timedelta(minutes=10)
# Taking over an abandoned or just-released claim races other requests; give up after this.
_CLAIM_ATTEMPTS = 3


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was used for another request. Use a new key.")


class RequestInProgress(DomainError):
    code = "request_in_progress"
    message = _("A request with this Idempotency-Key is still running. Try again shortly.")


def idempotency_claim(
    *, api_key: ApiKey | PartnerKey, key: str, request_hash: str
) -> IdempotencyRecord:
    """Claim the key for this request, or return its completed record to replay.

    `api_key` is either kind of key: an organisation's or a partner's, each its own scope.
    """
    owner: dict[str, ApiKey | PartnerKey] = (
        {"partner_key": api_key} if isinstance(api_key, PartnerKey) else {"api_key": api_key}
    )
    for _attempt in range(_CLAIM_ATTEMPTS):
        try:
            with _savepoint_if_nested():
                return IdempotencyRecord.objects.create(
                    **owner, key=key, request_hash=request_hash
                )
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(**owner, key=key).first()
        if record is None:
            continue  # released between our INSERT and this read: claim again
        if record.created_at < _window_start():
            _delete_expired(record)
            continue
        if record.request_hash != request_hash:
            raise IdempotencyKeyReused()
        if record.status == IdempotencyRecord.Status.COMPLETED:
            return record
        if not _take_over_abandoned(record):
            raise RequestInProgress()
    raise RequestInProgress()


def idempotency_complete(
    *, record: IdempotencyRecord, status: int, body: bytes, content_type: str
) -> None:
    """Keep the answer of a claimed request so the same request gets it again."""
    IdempotencyRecord.objects.filter(
        pk=record.pk, status=IdempotencyRecord.Status.IN_PROGRESS
    ).update(
        status=IdempotencyRecord.Status.COMPLETED,
        response_status=status,
        response_body=body,
        response_content_type=content_type,
    )


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Give the key back unanswered, so a retry runs the request again."""
    IdempotencyRecord.objects.filter(
        pk=record.pk, status=IdempotencyRecord.Status.IN_PROGRESS
    ).delete()


def idempotency_records_purge() -> int:
    """Delete the records past the replay window; return how many went."""
    expired = IdempotencyRecord.objects.filter(created_at__lt=_window_start())
    deleted, _by_model = expired.delete()
    return deleted


def _window_start() -> datetime:
    return timezone.now() - REPLAY_WINDOW


def _delete_expired(record: IdempotencyRecord) -> None:
    # Two requests may both find it expired; the INSERT that follows lets only one run.
    IdempotencyRecord.objects.filter(pk=record.pk, created_at__lt=_window_start()).delete()


def _savepoint_if_nested() -> transaction.Atomic | nullcontext[None]:
    return transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()


def _take_over_abandoned(record: IdempotencyRecord) -> bool:
    """Delete a claim nobody finished in time; True if the key is free to claim again."""
    if timezone.now() - record.created_at < ABANDONED_AFTER:
        return False
    # Two retries may both get here; the INSERT that follows lets only one of them run.
    IdempotencyRecord.objects.filter(
        pk=record.pk, status=IdempotencyRecord.Status.IN_PROGRESS
    ).delete()
    return True
