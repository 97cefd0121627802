"""Partners act for their organisations: partner keys, attestation evidence, connections.

A registration now links the organisation the partner acts for; a partner gets a webhook
secret and can be suspended; the attestation evidence is append-only like the audit log.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from portal.db import append_only, refuse_truncate


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_audit_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="networkregistration",
            name="end_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason for ending"),
        ),
        migrations.AddField(
            model_name="networkregistration",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="network_registrations",
                to="accounts.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AddField(
            model_name="networkregistration",
            name="partner_suspended_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="partnerintegration",
            name="suspended_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="suspended"
            ),
        ),
        migrations.AddField(
            model_name="partnerintegration",
            name="webhook_secret",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.CreateModel(
            name="PartnerKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "prefix",
                    models.CharField(max_length=16, unique=True, verbose_name="key prefix"),
                ),
                ("key_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "last_used_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last used"),
                ),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="keys",
                        to="accounts.partnerintegration",
                    ),
                ),
            ],
            options={
                "verbose_name": "partner key",
                "verbose_name_plural": "partner keys",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="PartnerAttestation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attested_details", models.JSONField()),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="partner_attestations",
                        to="accounts.organisation",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.partnerintegration",
                    ),
                ),
                (
                    "registration",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attestations",
                        to="accounts.networkregistration",
                    ),
                ),
                (
                    "partner_key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.partnerkey",
                    ),
                ),
            ],
            options={
                "verbose_name": "partner attestation",
                "verbose_name_plural": "partner attestations",
                "ordering": ["-created_at", "-id"],
            },
        ),
        append_only("accounts_partnerattestation"),
        refuse_truncate("accounts_partnerattestation"),
    ]
