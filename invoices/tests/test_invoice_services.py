"""Drafts, totals stored for the list, issuing with a number series, credit notes."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from accounts.models import Organisation
from invoices import errors, services
from invoices.models import Invoice, NumberSeries
from invoices.tests.factories import CustomerFactory, draft, issued, two_rate_input
from invoices.totals import ocr_valid

pytestmark = pytest.mark.django_db


def test_draft_totals_follow_en16931(alice: Any, alice_org: Organisation) -> None:
    invoice = draft(alice_org, alice)
    # 25 %: 9500 - 500 allowance = 9000 → VAT 2250; 12 %: 748.50 - 48.50 = 700 → VAT 84.
    assert invoice.total_excl_vat == Decimal("9700.00")
    assert invoice.total_vat == Decimal("2334.00")
    assert invoice.total_payable == Decimal("12034.00")
    assert invoice.number == ""
    assert invoice.status == Invoice.Status.DRAFT


def test_issuing_numbers_freezes_and_adds_an_ocr(alice: Any, alice_org: Organisation) -> None:
    first = issued(alice_org, alice)
    second = issued(alice_org, alice)
    assert (first.number, second.number) == ("1", "2")
    assert ocr_valid(first.payment_reference)
    assert first.ubl_xml is not None
    assert b"<cbc:ID>1</cbc:ID>" in bytes(first.ubl_xml)
    with pytest.raises(errors.NotADraft):
        services.invoice_update(invoice=first, user=alice, data=two_rate_input(first.customer))
    with pytest.raises(errors.NotADraft):
        services.invoice_delete(invoice=first, user=alice)


def test_an_invalid_draft_is_not_issued_and_leaves_no_gap(
    alice: Any, alice_org: Organisation
) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(bankgiro="", plusgiro="", iban="")
    alice_org.refresh_from_db()
    customer = CustomerFactory(organisation=alice_org, name="")  # no buyer name: BR-7
    invoice = draft(alice_org, alice, customer=customer)
    with pytest.raises(errors.InvoiceInvalid) as raised:
        services.invoice_issue(invoice=invoice, user=alice)
    assert any(finding.is_fatal for finding in raised.value.findings)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number) == (Invoice.Status.DRAFT, "")
    assert not NumberSeries.objects.filter(organisation=alice_org, next_number__gt=1).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_duplicates_a_number(alice: Any, alice_org: Organisation) -> None:
    drafts = [draft(alice_org, alice) for _ in range(8)]
    failures: list[BaseException] = []

    def issue(invoice: Invoice) -> None:
        try:
            services.invoice_issue(invoice=invoice, user=alice)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=issue, args=(invoice,)) for invoice in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    numbers = sorted(int(n) for n in Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 9))


def test_credit_note_reverses_an_issued_invoice(alice: Any, alice_org: Organisation) -> None:
    invoice = issued(alice_org, alice)
    credit = services.credit_note_create(invoice=invoice, user=alice)
    assert credit.kind == Invoice.Kind.CREDIT_NOTE
    assert credit.credited_invoice == invoice
    assert credit.total_payable == invoice.total_payable
    credit = services.invoice_issue(invoice=credit, user=alice)
    assert b"<cac:BillingReference>" in bytes(credit.ubl_xml or b"")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED


def test_only_issued_invoices_are_credited(alice: Any, alice_org: Organisation) -> None:
    with pytest.raises(errors.NotCreditable):
        services.credit_note_create(invoice=draft(alice_org, alice), user=alice)


def test_copy_starts_a_new_draft(alice: Any, alice_org: Organisation) -> None:
    invoice = issued(alice_org, alice)
    copy = services.invoice_copy(invoice=invoice, user=alice)
    assert copy.is_draft and copy.pk != invoice.pk
    assert copy.lines.count() == 2
    assert copy.total_payable == invoice.total_payable


def test_customer_with_invoices_is_kept(alice: Any, alice_org: Organisation) -> None:
    invoice = draft(alice_org, alice)
    with pytest.raises(errors.CustomerInUse):
        services.customer_delete(user=alice, customer=invoice.customer)
