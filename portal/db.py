"""Database helpers shared by the apps' migrations."""

from __future__ import annotations

from typing import Any

from django.db import migrations

_POSTGRES_FORBID = """
CREATE OR REPLACE FUNCTION {table}_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_forbid_change();
"""
_POSTGRES_ALLOW = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_forbid_change();
"""
_SQLITE_FORBID = """
CREATE TRIGGER {table}_no_{verb}
    BEFORE {verb} ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
"""


def _statements(table: str, vendor: str, *, forbid: bool) -> list[str]:
    if vendor == "postgresql":
        return [(_POSTGRES_FORBID if forbid else _POSTGRES_ALLOW).format(table=table)]
    if vendor == "sqlite":
        if forbid:
            return [_SQLITE_FORBID.format(table=table, verb=verb) for verb in ("UPDATE", "DELETE")]
        return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("UPDATE", "DELETE")]
    return []


def append_only(table: str) -> migrations.RunPython:
    """Return a migration operation that makes a table refuse UPDATE and DELETE.

    The ORM guards (save/delete raising) stop honest mistakes; the trigger stops
    everything else that reaches the database, raw SQL included.
    """

    def forbid(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table, schema_editor.connection.vendor, forbid=True):
            schema_editor.execute(statement)

    def allow(apps: Any, schema_editor: Any) -> None:
        for statement in _statements(table, schema_editor.connection.vendor, forbid=False):
            schema_editor.execute(statement)

    return migrations.RunPython(forbid, allow)
