"""The audit log becomes a hash chain (accounts/audit_chain.py); existing events are chained.

The backfill is the one writer ever allowed past the append-only triggers, and only inside
this migration's transaction: on PostgreSQL it disables the row trigger and enables it again
(ALTER TABLE locks the table, so no other session writes meanwhile, and a failure rolls the
trigger back with the rest); on SQLite the triggers are already gone for the table rebuilds
(BEFORE_REBUILD) and AFTER_REBUILD puts them back.
"""

from typing import Any

import django.utils.timezone
from django.db import migrations, models

from accounts.audit_chain import GENESIS_HASH, audit_event_hash
from portal.db import append_only_around_rebuild

BEFORE_REBUILD, AFTER_REBUILD = append_only_around_rebuild("accounts_auditevent")
BATCH = 1000


def _trigger(schema_editor: Any, state: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE accounts_auditevent {state} TRIGGER accounts_auditevent_append_only"
        )


def chain_existing_events(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    AuditChainHead = apps.get_model("accounts", "AuditChainHead")
    # Ids first, then batches: no open cursor over the rows being updated.
    ids = list(AuditEvent.objects.order_by("created_at", "id").values_list("id", flat=True))
    sequence, previous = 0, GENESIS_HASH
    # No try/finally: on an error the transaction rolls back, the trigger's state with it.
    _trigger(schema_editor, "DISABLE")
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        events = AuditEvent.objects.in_bulk(chunk)
        for pk in chunk:
            sequence += 1
            event = events[pk]
            event.sequence, event.previous_hash = sequence, previous
            event.content_hash = previous = audit_event_hash(event)
        AuditEvent.objects.bulk_update(
            events.values(), ["sequence", "previous_hash", "content_hash"]
        )
    _trigger(schema_editor, "ENABLE")
    AuditChainHead.objects.create(id=1, sequence=sequence, content_hash=previous)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_api_keys")]

    operations = [
        BEFORE_REBUILD,
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("content_hash", models.CharField(default=GENESIS_HASH, max_length=64)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="audit_chain_head_one_row"
                    )
                ],
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        # Null until the backfill has numbered every event.
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
        AFTER_REBUILD,
    ]
