"""Credit notes read as credit notes: no payment block, negative in the list, their own wording."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from invoices import services
from invoices.models import Invoice
from invoices.pdf import render_pdf
from invoices.tests.factories import issued
from invoices.tests.test_pdf import bankgiro, credit_note, text_of

pytestmark = pytest.mark.django_db
MINUS = "\u2212"  # the list writes a real minus sign, as the invoice page does


def page_of(client: Client, name: str, invoice: Invoice) -> str:
    """Return the HTML of one of the invoice's pages (detail, edit)."""
    return client.get(reverse(f"invoices:{name}", args=[invoice.public_id])).content.decode()


@pytest.fixture
def credit_draft(alice: Any, alice_org: Organisation) -> Invoice:
    """A draft credit note for a whole issued invoice."""
    return services.credit_note_create(invoice=issued(alice_org, alice), user=alice)


@pytest.fixture
def credit(alice: Any, credit_draft: Invoice) -> Invoice:
    """The credit note issued (so it has an OCR number)."""
    return services.invoice_issue(invoice=credit_draft, user=alice)


def test_the_pdf_of_a_credit_note_has_no_payment_block() -> None:
    document = credit_note()
    document.payment_means = [bankgiro("1234567897")]
    document.payment_terms = "0 dagar netto"
    document.due_date = date(2026, 1, 20)

    text = text_of(render_pdf(document))

    assert "Att kreditera" in text and "2 375,00 kr" in text
    for payment_text in ("Betalning", "OCR-nummer", "1234567897", "0 dagar netto", "Förfallodatum"):
        assert payment_text not in text, payment_text


def test_the_credit_note_page_has_no_payment_block_and_its_own_wording(
    alice_client: Client, credit: Invoice
) -> None:
    assert credit.payment_reference  # the page must not show it
    page = page_of(alice_client, "detail", credit)

    assert "Krediterat belopp" in page
    for payment_text in ("OCR-nummer", credit.payment_reference, "dagar netto", "Förfallodatum"):
        assert payment_text not in page, payment_text
    assert "En utfärdad kreditfaktura kan inte ändras." in page
    assert "Skapa en kreditfaktura för att rätta den." not in page


def test_an_invoice_page_keeps_its_payment_block(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = issued(alice_org, alice)
    page = page_of(alice_client, "detail", invoice)
    assert "OCR-nummer" in page and invoice.payment_reference in page
    assert "30 dagar netto" in page


def test_send_asks_about_the_credit_note_not_the_invoice(
    alice_client: Client, credit_draft: Invoice
) -> None:
    page = page_of(alice_client, "detail", credit_draft)
    assert 'data-confirm="Skicka kreditfakturan? Den utfärdas först' in page
    assert "Skicka fakturan?" not in page
    assert "När kreditfakturan skickas utfärdas den först" in page
    form = page_of(alice_client, "edit", credit_draft)
    assert "kreditfakturan betalar tillbaka beloppen av sig själv" in form
    assert "Rabatten är ett belopp för hela raden." not in form


def test_the_list_shows_a_credit_note_as_a_negative_amount(
    alice_client: Client, credit: Invoice
) -> None:
    assert credit.total_payable > 0  # stored positive, as UBL writes it
    page = alice_client.get(reverse("invoices:list")).content.decode()
    amount = f"{credit.total_payable:,.2f}".replace(",", "\xa0").replace(".", ",")
    assert f"{MINUS}{amount} SEK" in page
    invoice = credit.credited_invoice
    assert invoice is not None and f"{MINUS}{invoice.total_payable:,.2f}" not in page


def test_the_credit_note_form_writes_amounts_with_a_decimal_comma(
    alice_client: Client, credit_draft: Invoice
) -> None:
    page = page_of(alice_client, "edit", credit_draft)
    assert 'name="lines-1-unit_price" value="249,5"' in page
    assert 'name="lines-1-discount_amount" value="48,50"' in page
    assert 'name="charges-0-amount" value="500,00"' in page
    assert 'inputmode="decimal"' in page
    assert "249.5" not in page and "500.00" not in page

    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = page_of(alice_client, "edit", credit_draft)
    assert 'name="lines-1-unit_price" value="249.5"' in page
