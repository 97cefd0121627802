"""Database helpers shared by the apps' migrations."""

from __future__ import annotations

from collections.abc import Callable
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


# TRUNCATE skips row triggers, so it needs a statement trigger of its own (PostgreSQL only:
# SQLite has no TRUNCATE, and its DELETE is already refused). The escape is a custom setting:
# Django's test flush empties every table with one TRUNCATE, and the root conftest.py sets
# `portal.allow_truncate` for that one transaction only (SET LOCAL). Nothing else sets it.
# The portal's own role is not granted TRUNCATE at all (see README, production); the trigger
# stops the owner role's mistakes, such as `manage.py flush` against the wrong database.
_POSTGRES_FORBID_TRUNCATE = """
CREATE OR REPLACE FUNCTION {table}_forbid_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('portal.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '{table} is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_forbid_truncate();
"""
_POSTGRES_ALLOW_TRUNCATE = """
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP FUNCTION IF EXISTS {table}_forbid_truncate();
"""
StatementsFor = Callable[[str, str, bool], list[str]]


def _statements(table: str, vendor: str, forbid: bool) -> list[str]:
    if vendor == "postgresql":
        return [(_POSTGRES_FORBID if forbid else _POSTGRES_ALLOW).format(table=table)]
    if vendor == "sqlite":
        if forbid:
            return [_SQLITE_FORBID.format(table=table, verb=verb) for verb in ("UPDATE", "DELETE")]
        return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("UPDATE", "DELETE")]
    return []


def _truncate_statements(table: str, vendor: str, forbid: bool) -> list[str]:
    if vendor != "postgresql":
        return []
    return [(_POSTGRES_FORBID_TRUNCATE if forbid else _POSTGRES_ALLOW_TRUNCATE).format(table=table)]


def _reversible(table: str, statements: StatementsFor) -> migrations.RunPython:
    def forbid(apps: Any, schema_editor: Any) -> None:
        for statement in statements(table, schema_editor.connection.vendor, True):
            schema_editor.execute(statement)

    def allow(apps: Any, schema_editor: Any) -> None:
        for statement in statements(table, schema_editor.connection.vendor, False):
            schema_editor.execute(statement)

    return migrations.RunPython(forbid, allow)


def append_only(table: str) -> migrations.RunPython:
    """Return a migration operation that makes a table refuse UPDATE and DELETE.

    The ORM guards (save/delete raising) stop honest mistakes; the trigger stops
    everything else that reaches the database, raw SQL included.
    """
    return _reversible(table, _statements)


def refuse_truncate(table: str) -> migrations.RunPython:
    """Return a migration operation that makes an append-only table refuse TRUNCATE too."""
    return _reversible(table, _truncate_statements)


def _sqlite_triggers(table: str, vendor: str, forbid: bool) -> list[str]:
    if vendor != "sqlite":
        return []
    drop = _statements(table, vendor, False)
    return drop + _statements(table, vendor, True) if forbid else drop


def append_only_around_rebuild(table: str) -> tuple[migrations.RunPython, migrations.RunPython]:
    """Return operations to put before and after an ALTER that rebuilds an append-only table.

    SQLite applies many ALTERs by copying the table into a new one, and the triggers go
    with the old table; PostgreSQL alters in place and keeps them, so it needs nothing.
    """
    after = _reversible(table, _sqlite_triggers)
    assert after.reverse_code is not None
    return migrations.RunPython(after.reverse_code, after.code), after
