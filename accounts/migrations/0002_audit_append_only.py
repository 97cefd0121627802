"""Make the audit log append-only in PostgreSQL itself, not only in the ORM."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION accounts_auditevent_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_forbid_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_forbid_change();
"""


SQLITE_FORBID = [
    f"""CREATE TRIGGER accounts_auditevent_no_{verb.lower()}
        BEFORE {verb} ON accounts_auditevent
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"""
    for verb in ("UPDATE", "DELETE")
]
SQLITE_ALLOW = [
    f"DROP TRIGGER IF EXISTS accounts_auditevent_no_{verb}" for verb in ("update", "delete")
]


def forbid(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(FORBID)
    elif vendor == "sqlite":
        for statement in SQLITE_FORBID:
            schema_editor.execute(statement)


def allow(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(ALLOW)
    elif vendor == "sqlite":
        for statement in SQLITE_ALLOW:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forbid, allow)]
