"""Indexes for the invoice list, its search and the API's cursor pages (issue 14).

The list and the API read a page in index order, so a page costs the same at 1,000 invoices as
at 100,000. The search is a substring match (icontains), which only trigram GIN indexes
(pg_trgm) serve; they exist on PostgreSQL only, so on the SQLite demo those operations change
the migration state and leave the database alone.
"""

from typing import Any

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models.functions import Upper


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """AddIndex on PostgreSQL; elsewhere only the state, so the models stay as migrated."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class TrigramExtensionKept(TrigramExtension):
    """pg_trgm on PostgreSQL (the base class skips other databases); kept when migrating
    back, as it may have been there before and other indexes may use it."""

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        pass


def trigram_index(field: str, name: str) -> GinIndex:
    # On UPPER(field): icontains compares UPPER(field) LIKE UPPER('%...%') on PostgreSQL.
    return GinIndex(OpClass(Upper(field), "gin_trgm_ops"), name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0008_invoice_created_by_partner_key"),
    ]

    operations = [
        TrigramExtensionKept(),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["organisation", "-issue_date", "-created_at", "-id"],
                name="invoice_list_order",
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["organisation", "status", "-issue_date", "-created_at", "-id"],
                name="invoice_status_order",
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                fields=["organisation", "updated_at", "id"], name="invoice_api_order"
            ),
        ),
        AddIndexOnPostgreSQL(
            model_name="invoice", index=trigram_index("number", "invoice_number_trgm")
        ),
        AddIndexOnPostgreSQL(
            model_name="invoice", index=trigram_index("buyer_reference", "invoice_reference_trgm")
        ),
        AddIndexOnPostgreSQL(
            model_name="customer", index=trigram_index("name", "customer_name_trgm")
        ),
    ]
