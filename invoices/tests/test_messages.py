"""Delivery reasons, errors, history lines and payment terms in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation
from accounts.tests.factories import OrganisationFactory
from invoices import services
from invoices.messages import Message
from invoices.models import (
    Delivery,
    DeliveryChannel,
    Invoice,
    InvoiceEvent,
)
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import CustomerFactory, draft, issued

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # The middleware activates the reader's language for the thread: give the next test its own.
    with translation.override(settings.LANGUAGE_CODE):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def detail_url(invoice: Invoice) -> str:
    return reverse("invoices:detail", args=[invoice.public_id])


@pytest.fixture
def member_buyer(db: None) -> Organisation:
    """Another portal organisation: invoices to it land in its inbox."""
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


@pytest.fixture
def failed_peppol(alice: Any, alice_org: Organisation, settings: Any) -> Invoice:
    """An invoice whose PEPPOL delivery failed: no access point is configured."""
    settings.PEPPOL_ACCESS_POINT_URL = ""
    customer = CustomerFactory(
        organisation=alice_org,
        peppol_id="0007:5566778899",
        preferred_channel=DeliveryChannel.PEPPOL,
    )
    delivery = services.invoice_send(invoice=draft(alice_org, alice, customer=customer), user=alice)
    assert delivery_attempt(delivery.pk, final=False).outcome == "failed"
    return delivery.invoice


def test_the_invoice_page_shows_reason_history_and_terms_in_the_readers_language(
    alice: Any, alice_org: Organisation, alice_client: Client, member_buyer: Organisation
) -> None:
    delivery = services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    url = detail_url(delivery.invoice)

    english = page(alice_client, url, "en")
    assert "the buyer uses the portal: the invoice goes to its inbox" in english
    assert "Network inbox: the buyer uses the portal" in english  # the "queued" line
    assert "Network inbox, attempt 1: inbox:" in english
    assert "30 days net" in english
    assert "köparen" not in english and "dagar netto" not in english

    swedish = page(alice_client, url, "sv")
    assert "köparen använder portalen: fakturan hamnar i dess inkorg" in swedish
    assert "Nätverkets inkorg, försök 1: inbox:" in swedish
    assert "30 dagar netto" in swedish

    # The document itself keeps its language, whoever read it.
    delivery.invoice.refresh_from_db()
    assert b"30 dagar netto" in bytes(delivery.invoice.ubl_xml or b"")


def test_a_failed_delivery_reads_in_the_readers_language_on_to_manage_and_the_invoice(
    alice_client: Client, failed_peppol: Invoice
) -> None:
    to_manage = reverse("invoices:to_manage")
    english = page(alice_client, to_manage, "en")
    assert "No PEPPOL access point is configured (PEPPOL_ACCESS_POINT_URL)." in english
    english = page(alice_client, detail_url(failed_peppol), "en")
    assert "the buyer has PEPPOL participant id 0007:5566778899" in english
    assert "PEPPOL, attempt 1: No PEPPOL access point is configured" in english
    assert "Ingen PEPPOL-accesspunkt" not in english

    swedish = page(alice_client, to_manage, "sv")
    assert "Ingen PEPPOL-accesspunkt är inställd (PEPPOL_ACCESS_POINT_URL)." in swedish
    swedish = page(alice_client, detail_url(failed_peppol), "sv")
    assert "köparen har PEPPOL-id 0007:5566778899" in swedish
    assert "PEPPOL, försök 1: Ingen PEPPOL-accesspunkt är inställd" in swedish


def test_another_organisation_sees_none_of_it(
    mallory_client: Client, failed_peppol: Invoice
) -> None:
    assert mallory_client.get(detail_url(failed_peppol)).status_code == 404
    to_manage = page(mallory_client, reverse("invoices:to_manage"), "en")
    assert "PEPPOL access point" not in to_manage


def test_rows_from_before_the_codes_show_their_text(
    alice: Any, alice_org: Organisation, alice_client: Client
) -> None:
    invoice = issued(alice_org, alice)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.FAILED)
    Delivery.objects.create(
        organisation=alice_org,
        invoice=invoice,
        channel=DeliveryChannel.EMAIL,
        recipient="ekonomi@kund.example",
        reason="köparen tar emot fakturor med e-post (gammal rad)",
        status=Delivery.Status.FAILED,
        last_error="E-postservern tog inte emot adressen (gammal rad)",
    )
    InvoiceEvent.objects.create(
        invoice=invoice, status="failed", detail="E-post, försök 1 (gammal)"
    )

    english = page(alice_client, detail_url(invoice), "en")
    assert "köparen tar emot fakturor med e-post (gammal rad)" in english
    assert "E-postservern tog inte emot adressen (gammal rad)" in english
    assert "E-post, försök 1 (gammal)" in english
    assert "(gammal rad)" in page(alice_client, reverse("invoices:to_manage"), "en")


def test_terms_an_imported_invoice_brought_along_stay_as_written(
    alice: Any, alice_org: Organisation, alice_client: Client
) -> None:
    invoice = draft(alice_org, alice)
    Invoice.objects.filter(pk=invoice.pk).update(extra={"payment_terms": "Betalas vid leverans"})

    english = page(alice_client, detail_url(invoice), "en")

    assert "Betalas vid leverans" in english
    assert "days net" not in english


def test_a_nested_message_survives_json_and_renders_in_either_language() -> None:
    stored = Message("delivery.gave_up", {"reason": Message("peppol.unconfigured")})
    code, params = stored.code, stored.params_json()
    again = Message(code, params)

    with translation.override("en"):
        assert str(again) == (
            "Gave up after retries: No PEPPOL access point is configured (PEPPOL_ACCESS_POINT_URL)."
        )
    assert stored.in_portal_language().startswith("Gav upp efter flera försök: Ingen PEPPOL")
    with translation.override("en"):
        assert str(Message("terms.net", {"days": 1})) == "1 day net"
