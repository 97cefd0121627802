"""Negative lines correct an invoice that still has something to pay; money back: a credit note."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from invoices import errors, services
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, draft, issued, two_rate_input
from invoices.tests.test_invoice_views import formset, invoice_post

pytestmark = pytest.mark.django_db
RULE = "SE-PORTAL-NEGATIVE-TOTAL"


def _rules(invoice: Invoice) -> dict[str, Any]:
    return {finding.rule: finding for finding in services.invoice_validate(invoice).findings}


def test_the_form_refuses_an_invoice_whose_lines_give_money_back(
    alice_client: Client, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    data = invoice_post(customer, quantity="-2") | formset("charges", [])

    response = alice_client.post(reverse("invoices:create"), data)

    assert response.status_code == 200
    assert response.context["lines"].non_form_errors()
    page = response.content.decode()
    assert "Fakturans totalbelopp måste vara större än noll." in page
    assert "skapa en kreditfaktura för fakturan i stället" in page
    assert not Invoice.objects.exists()


def test_a_correction_line_on_an_invoice_with_something_to_pay_is_accepted(
    alice_client: Client, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    data = invoice_post(customer, quantity="-1", unit_price="100") | formset("charges", [])

    response = alice_client.post(reverse("invoices:create"), data)

    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.total_payable > 0
    assert RULE not in _rules(invoice)


def test_a_draft_with_a_negative_total_does_not_pass_the_checks(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    # The lines are positive, the discount on the whole invoice is larger than they are.
    invoice = draft(alice_org, alice)
    data = two_rate_input(invoice.customer)
    data.allowances[0].amount = Decimal("20000")
    services.invoice_update(invoice=invoice, user=alice, data=data)
    invoice.refresh_from_db()
    assert invoice.total_payable < 0

    finding = _rules(invoice)[RULE]
    assert finding.is_fatal
    assert finding.location.endswith("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")
    assert "credit note" in finding.message_en and "kreditfaktura" in finding.message_sv
    page = alice_client.get(reverse("invoices:detail", args=[invoice.public_id]))
    assert "<strong>Summor</strong> — En fakturas totalbelopp måste vara större än noll." in (
        page.content.decode()
    )
    with pytest.raises(errors.InvoiceInvalid):
        services.invoice_issue(invoice=invoice, user=alice)


def test_an_invoice_of_zero_is_refused_too(alice: Any, alice_org: Organisation) -> None:
    invoice = draft(alice_org, alice)
    data = two_rate_input(invoice.customer, allowances=[])
    for line in data.lines:
        line.unit_price, line.discount_amount = Decimal("0"), Decimal("0")
    services.invoice_update(invoice=invoice, user=alice, data=data)
    assert RULE in _rules(invoice)


def test_credit_notes_keep_their_positive_amounts(alice: Any, alice_org: Organisation) -> None:
    note = services.credit_note_create(invoice=issued(alice_org, alice), user=alice)
    assert note.total_payable > 0
    assert RULE not in _rules(note)
    assert services.invoice_issue(invoice=note, user=alice).status == Invoice.Status.ISSUED
