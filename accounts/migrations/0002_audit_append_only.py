"""Make the audit log append-only in the database itself, not only in the ORM."""

from django.db import migrations

from portal.db import append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [append_only("accounts_auditevent")]
