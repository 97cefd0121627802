"""The append-only audit log: one event per decision that matters."""

from __future__ import annotations

from typing import Any

from accounts.models import AuditEvent, Organisation
from portal.api.context import api_key_in_use


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
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
        ip_address=ip_address,
    )
