"""Delivery reasons and errors, and history lines, stored as a code and parameters."""

from django.db import migrations, models

from portal.db import append_only_around_rebuild

# SQLite adds a NOT NULL column by rebuilding the table, and the history's triggers go with it.
before_rebuild, after_rebuild = append_only_around_rebuild("invoices_invoiceevent")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0004_invoice_event_refuse_truncate")]

    operations = [
        before_rebuild,
        migrations.AddField(
            model_name="delivery",
            name="reason_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="delivery",
            name="reason_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="delivery",
            name="error_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="delivery",
            name="error_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="invoiceevent",
            name="code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="invoiceevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        after_rebuild,
    ]
