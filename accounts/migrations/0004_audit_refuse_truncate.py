"""The audit log refuses TRUNCATE too: row triggers do not see it."""

from django.db import migrations

from portal.db import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_organisation_logo")]
    operations = [refuse_truncate("accounts_auditevent")]
