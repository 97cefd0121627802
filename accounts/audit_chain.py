"""The audit log's hash chain: canonical content, content hash, and verification of a chain.

Every audit event stores its position in the chain (`sequence`, 1, 2, 3, ... with no gap),
the content hash of the event before it (`previous_hash`, 64 zeros for the first) and its
own `content_hash`: the SHA-256 of a canonical JSON text of every stored field, sequence and
previous_hash included. Changing, removing or inserting an event therefore breaks a link
that anyone can recompute; to hide a change, a forger must rewrite every later event and
the chain head (accounts.AuditChainHead) as well.

Pure functions over values: the writer (accounts.services.audit), the backfill of migration
0012 and `manage.py verify_audit_log` all hash through `audit_event_hash`, so they cannot
drift apart. No ORM inside; the events may be model instances or historical models.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS_HASH = "0" * 64

# PostgreSQL's jsonb keeps a number's decimal value, not its Python type: 1e16 comes back as
# the int 10000000000000000, -0.0 as 0.0. So numbers are hashed by value: a whole number that
# a float holds exactly becomes an int, every other number a float.
_EXACT_FLOAT_INTEGERS = 2**53


class ChainedEvent(Protocol):
    """What the chain reads of an audit event (a model or a historical model instance)."""

    @property
    def id(self) -> Any: ...
    @property
    def action(self) -> str: ...
    @property
    def actor_id(self) -> Any: ...
    @property
    def organisation_id(self) -> Any: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def ip_address(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def sequence(self) -> int: ...
    @property
    def previous_hash(self) -> str: ...
    @property
    def content_hash(self) -> str: ...


def audit_event_canonical(event: ChainedEvent) -> bytes:
    """Return the canonical content of an event: sorted keys, fixed separators, ASCII."""
    content = {
        "action": event.action,
        "actor_id": _key(event.actor_id),
        "organisation_id": _key(event.organisation_id),
        "object_type": event.object_type,
        "object_id": event.object_id,
        # Through JSON first: tuples become lists and keys strings, as the database returns them.
        "data": _number_values(json.loads(json.dumps(event.data))),
        "ip_address": _ip_text(event.ip_address),
        "created_at": _utc_text(event.created_at),
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("ascii")


def audit_event_hash(event: ChainedEvent) -> str:
    """Return the hex SHA-256 of the event's canonical content."""
    return hashlib.sha256(audit_event_canonical(event)).hexdigest()


def _key(value: Any) -> Any:
    return value if value is None or isinstance(value, int) else str(value)


def _number_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _number_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_number_values(item) for item in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if abs(value) < _EXACT_FLOAT_INTEGERS and value == int(value):
        return int(value)
    return float(value)


def _ip_text(value: str | None) -> str | None:
    # PostgreSQL's inet and Python spell IPv6 addresses differently (and Python's spelling
    # changed in 3.13), so IPv6 is written out in full from its 16 bytes.
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return value
    if address.version == 4:
        return str(address)
    return ":".join(address.packed[i : i + 2].hex() for i in range(0, 16, 2))


def _utc_text(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- Verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    sequence: int
    event_id: Any
    problem: str

    def __str__(self) -> str:
        event = f"event id {self.event_id}" if self.event_id is not None else "the chain head"
        return f"sequence {self.sequence} ({event}): {self.problem}"


@dataclass(frozen=True)
class ChainHead:
    sequence: int
    content_hash: str


@dataclass
class ChainReport:
    checked: int = 0
    first_broken: BrokenLink | None = None
    broken_count: int = 0

    @property
    def is_intact(self) -> bool:
        return self.first_broken is None

    def add(self, link: BrokenLink) -> None:
        self.broken_count += 1
        if self.first_broken is None:
            self.first_broken = link


def audit_chain_verify(events: Iterable[ChainedEvent], *, head: ChainHead | None) -> ChainReport:
    """Recompute a chain given in sequence order and report where it breaks.

    `head` is the chain head read in the same snapshot as the events (None: no head row).
    After a break the check picks the chain up again at the next event, so one tampered
    event counts once (per thing wrong with it) and the rest of the log is still checked.
    """
    report = ChainReport()
    expected_sequence, expected_previous = 1, GENESIS_HASH
    for event in events:
        report.checked += 1
        for problem in _event_problems(event, expected_sequence, expected_previous, head):
            report.add(BrokenLink(event.sequence, event.id, problem))
        expected_sequence = max(expected_sequence, event.sequence + 1)
        expected_previous = event.content_hash
    broken_head = _head_problem(head, report.checked, expected_sequence - 1, expected_previous)
    if broken_head is not None:
        report.add(broken_head)
    return report


def _event_problems(
    event: ChainedEvent, sequence: int, previous: str, head: ChainHead | None
) -> list[str]:
    problems = [] if (link := _link_problem(event, sequence, previous, head)) is None else [link]
    if audit_event_hash(event) != event.content_hash:
        problems.append(
            "content changed: the stored content hash does not match the event's content"
        )
    return problems


def _link_problem(
    event: ChainedEvent, sequence: int, previous: str, head: ChainHead | None
) -> str | None:
    if event.sequence < sequence:
        return f"an inserted event: sequence {event.sequence} is out of place"
    if head is not None and event.sequence > head.sequence:
        return f"an inserted event: the chain head ends at sequence {head.sequence}"
    if event.sequence > sequence:
        return f"missing sequence {_span(sequence, event.sequence - 1)}: events were removed"
    if event.previous_hash != previous:
        before = f"sequence {sequence - 1}" if sequence > 1 else "the genesis hash"
        return f"previous link mismatch: previous_hash is not the content hash of {before}"
    return None


def _head_problem(
    head: ChainHead | None, checked: int, last_sequence: int, last_hash: str
) -> BrokenLink | None:
    # The head is what catches events removed from the end: the events left still link.
    if head is None:
        return BrokenLink(last_sequence, None, "the chain head is missing") if checked else None
    if head.sequence > last_sequence:
        missing = _span(last_sequence + 1, head.sequence)
        problem = f"missing sequence {missing}: events were removed from the end of the chain"
        return BrokenLink(last_sequence + 1, None, problem)
    if head.sequence == last_sequence and head.content_hash != last_hash:
        problem = "the chain head's hash does not match the last event's content hash"
        return BrokenLink(head.sequence, None, problem)
    return None


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"
