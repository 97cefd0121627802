"""The append-only audit log: one event per decision that matters."""

from __future__ import annotations

from typing import Any

from accounts.models import AuditEvent, Organisation


def audit_event_record(
    *,
    action: str,
    actor: Any = None,
    organisation: Organisation | None = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
        ip_address=ip_address,
    )
