"""manage.py verify_audit_log: recompute the audit log's hash chain from the first event.

Prints how many events it checked and, when the chain is broken, the first broken link;
exits with status 1 when any event was changed, removed or inserted, 0 otherwise.

An intact chain ends with its head (sequence and hash). Someone who can write to the
database could rewrite the whole log and its head consistently; a head recorded outside
the database (a ticket, a mail, another system's log) is what a later run is compared with.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.audit_chain import ChainHead, ChainReport, audit_chain_verify
from accounts.models import AuditChainHead, AuditEvent

CHUNK = 2000


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report, head = self._verify()
        self.stdout.write(f"Checked {report.checked} audit events.")
        if report.is_intact:
            self.stdout.write("The audit chain is intact.")
            if head is not None:
                self.stdout.write(
                    f"Chain head: sequence {head.sequence}, hash {head.content_hash}."
                )
            return
        self.stdout.write(f"First broken link: {report.first_broken}.")
        raise CommandError(
            f"The audit chain is broken ({report.broken_count} broken link(s)).", returncode=1
        )

    def _verify(self) -> tuple[ChainReport, ChainHead | None]:
        # The head and the events must come from one snapshot, or an event committed between
        # the two reads would look inserted. PostgreSQL needs REPEATABLE READ for that (set
        # first thing in the transaction); a SQLite transaction is one snapshot already.
        fresh = not connection.in_atomic_block
        with transaction.atomic():
            if fresh and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            row = AuditChainHead.objects.filter(pk=AuditChainHead.ROW).first()
            head = ChainHead(row.sequence, row.content_hash) if row is not None else None
            events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=CHUNK)
            return audit_chain_verify(events, head=head), head
