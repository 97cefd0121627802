"""Signature evidence is written once: the database refuses UPDATE and DELETE."""

from django.db import migrations

from portal.db import append_only


class Migration(migrations.Migration):
    dependencies = [("signing", "0001_initial")]
    operations = [append_only("signing_signatureevidence")]
