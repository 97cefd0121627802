"""The invoice history refuses TRUNCATE too: row triggers do not see it."""

from django.db import migrations

from portal.db import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_invoice_event_append_only")]
    operations = [refuse_truncate("invoices_invoiceevent")]
