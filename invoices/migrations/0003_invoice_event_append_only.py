"""The invoice history is written once: the database refuses UPDATE and DELETE."""

from django.db import migrations

from portal.db import append_only


class Migration(migrations.Migration):
    dependencies = [("invoices", "0002_delivery")]
    operations = [append_only("invoices_invoiceevent")]
