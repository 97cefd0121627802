"""Signature evidence refuses TRUNCATE too: row triggers do not see it."""

from django.db import migrations

from portal.db import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("signing", "0002_evidence_append_only")]
    operations = [refuse_truncate("signing_signatureevidence")]
