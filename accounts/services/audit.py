"""The append-only audit log: one event per decision that matters, each linked into a hash chain."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit_chain import GENESIS_HASH, audit_event_hash
from accounts.models import AuditChainHead, AuditEvent, Organisation
from portal.api.context import api_key_in_use, partner_key_in_use


# No savepoint: it runs inside almost every service, and an error here fails the caller anyway.
@transaction.atomic(savepoint=False)
def audit_event_record(
    *,
    action: str,
    actor: Any = None,
    organisation: Organisation | None = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log.

    A change made through the API (`actor` an API caller, or a request authenticated
    with a key) names the key; the user the key acts as stands as the actor.
    """
    data = dict(data or {})
    api_key = getattr(actor, "api_key", None) or api_key_in_use()
    if api_key is not None:
        data["api_key"] = api_key.prefix
        actor = api_key.created_by
    elif (partner_key := getattr(actor, "partner_key", None) or partner_key_in_use()) is not None:
        # A partner acts for organisations without members: its key says who did it.
        data["partner_key"] = partner_key.prefix
        data["partner"] = partner_key.partner_id
        actor = None
    # The head stays locked until the caller's transaction ends: a concurrent writer waits
    # here and then links to this event, so the chain never forks and never has a gap.
    head = _chain_head_locked()
    event = AuditEvent(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
        ip_address=ip_address,
        created_at=timezone.now(),
        sequence=head.sequence + 1,
        previous_hash=head.content_hash,
    )
    # Cleaning normalises what the database would (an IPv6 spelling) before it is hashed.
    # The foreign keys and the unique sequence are left to the database: no extra queries.
    event.full_clean(
        exclude=["actor", "organisation", "content_hash"],
        validate_unique=False,
        validate_constraints=False,
    )
    event.content_hash = audit_event_hash(event)
    event.save(force_insert=True)
    head.sequence, head.content_hash = event.sequence, event.content_hash
    head.save(update_fields=["sequence", "content_hash"])
    return event


def _chain_head_locked() -> AuditChainHead:
    heads = AuditChainHead.objects.select_for_update()
    try:
        return heads.get(pk=AuditChainHead.ROW)
    except AuditChainHead.DoesNotExist:
        pass
    # Migration 0012 creates the row; a database emptied since (a test flush) starts it
    # again from its last event. Two first writers may race: the loser inserts nothing.
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "content_hash")
    sequence, content_hash = last.first() or (0, GENESIS_HASH)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=AuditChainHead.ROW, sequence=sequence, content_hash=content_hash)],
        ignore_conflicts=True,
    )
    return heads.get(pk=AuditChainHead.ROW)
