"""Every invoice the demo data generates validates clean in all three layers."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from invoices import services
from invoices.models import Invoice

pytestmark = pytest.mark.django_db


def test_demo_invoices_validate_clean() -> None:
    call_command("seed_demo", "--json", stdout=io.StringIO())
    invoices = list(Invoice.objects.all())
    assert len(invoices) == 3
    for invoice in invoices:
        report = services.invoice_validate(invoice)
        assert report.findings == (), (invoice, [f.as_json() for f in report.findings])
