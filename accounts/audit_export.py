"""One organisation's audit trail as CSV, for staff: streamed line by line, oldest first."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from datetime import UTC

from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Organisation
from accounts.selectors import audit_event_list

CHUNK = 500
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audit_trail_csv(*, organisation: Organisation) -> Iterator[str]:
    """Return the organisation's audit trail as CSV lines, the header first."""
    # The header now, in the caller's language: a streamed body is read after the view returns.
    header = [
        _("Time"),
        _("Actor e-mail"),
        _("Event"),
        _("Object"),
        _("Data (JSON)"),
        _("IP address"),
        _("Sequence"),
        _("Content hash"),
    ]
    events = audit_event_list(organisation=organisation).order_by("sequence")
    rows = (_csv_line(_row(event)) for event in events.iterator(chunk_size=CHUNK))
    return itertools.chain([_csv_line(header)], rows)


def _row(event: AuditEvent) -> list[str]:
    return [
        event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        event.actor.email if event.actor is not None else "",
        event.action,
        f"{event.object_type} {event.object_id}".strip(),
        json.dumps(event.data, ensure_ascii=False, sort_keys=True),
        event.ip_address or "",
        str(event.sequence),
        event.content_hash,
    ]


def _csv_line(cells: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_defused(cell) for cell in cells])
    return buffer.getvalue()


def _defused(cell: str) -> str:
    # A leading apostrophe makes the spreadsheet show the text instead of running it.
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
