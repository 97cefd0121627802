"""Partner keys have idempotency records of their own; a webhook delivery may go to a partner."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_partners"),
        ("integrations", "0003_event_xid"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="partner_key",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.partnerkey",
            ),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="webhook_deliveries",
                to="accounts.partnerintegration",
            ),
        ),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="api_key",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.apikey",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="subscription",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="integrations.webhooksubscription",
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotencyrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partner_key__isnull", False)),
                fields=("partner_key", "key"),
                name="one_record_per_partner_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotencyrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("api_key__isnull", False), ("partner_key__isnull", True)),
                    models.Q(("api_key__isnull", True), ("partner_key__isnull", False)),
                    _connector="OR",
                ),
                name="idempotency_record_has_one_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("partner__isnull", False)),
                fields=("partner", "event"),
                name="one_partner_delivery_per_event",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("subscription__isnull", False), ("partner__isnull", True)),
                    models.Q(("subscription__isnull", True), ("partner__isnull", False)),
                    _connector="OR",
                ),
                name="webhook_delivery_has_one_target",
            ),
        ),
    ]
