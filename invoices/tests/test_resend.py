"""Send again: for failed deliveries only, and it asks the duplicate question as Send does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation
from invoices import errors, services
from invoices.forms import ResendForm
from invoices.models import Delivery, DeliveryChannel, Invoice
from invoices.tests.factories import draft

pytestmark = pytest.mark.django_db
ROUTE: dict[str, str] = {
    "channel": DeliveryChannel.EMAIL,
    "email": "faktura@kund.example",
    "peppol_id": "",
}


def failed(invoice: Invoice, user: Any) -> Invoice:
    """Send the invoice and let its delivery fail for good, as the worker would record it."""
    delivery = services.invoice_send(invoice=invoice, user=user, confirm_duplicate=True)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.FAILED)
    invoice.refresh_from_db()
    return invoice


def test_an_invoice_that_did_not_fail_is_not_sent_again(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    email_before = invoice.customer.email

    response = alice_client.post(reverse("invoices:resend", args=[invoice.public_id]), ROUTE)

    assert response.url == reverse("invoices:detail", args=[invoice.public_id])
    page = alice_client.get(response.url).content.decode()
    assert "Bara en faktura vars leverans misslyckades kan skickas igen." in page
    assert not Delivery.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT
    assert invoice.customer.email == email_before  # nothing corrected either
    with pytest.raises(errors.NotResendable):
        services.invoice_resend(invoice=invoice, user=alice, channel=DeliveryChannel.EMAIL)


def test_send_again_asks_the_duplicate_question_then_sends_when_confirmed(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    first = draft(alice_org, alice)
    services.invoice_send(invoice=first, user=alice)
    twin = failed(draft(alice_org, alice, customer=first.customer), alice)
    url = reverse("invoices:resend", args=[twin.public_id])

    asked = alice_client.post(url, ROUTE)

    detail = reverse("invoices:detail", args=[twin.public_id])
    assert asked.url == detail + "?duplicate=1"
    assert twin.deliveries.count() == 1  # only the failed one
    page = alice_client.get(asked.url).content.decode()
    assert f'action="{url}"' in page and 'name="confirm_duplicate"' in page
    assert 'type="hidden" name="email" value="faktura@kund.example"' in page

    sent = alice_client.post(url, {**ROUTE, "confirm_duplicate": "1"})

    assert sent.url == detail
    live = twin.deliveries.get(status=Delivery.Status.QUEUED)
    assert (live.channel, live.recipient) == (DeliveryChannel.EMAIL, "faktura@kund.example")


def test_the_send_again_form_is_shown_for_failed_invoices_only(
    alice_client: Client, alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    services.invoice_send(invoice=invoice, user=alice)
    page = alice_client.get(reverse("invoices:detail", args=[invoice.public_id]))
    assert reverse("invoices:resend", args=[invoice.public_id]) not in page.content.decode()
    other = draft(alice_org, alice, issue_date=invoice.issue_date.replace(day=9))
    failed_invoice = failed(other, alice)
    page = alice_client.get(reverse("invoices:detail", args=[failed_invoice.public_id]))
    assert reverse("invoices:resend", args=[failed_invoice.public_id]) in page.content.decode()


def test_mallory_cannot_send_alices_failed_invoice_again(
    mallory_client: Client, mallory_org: Organisation, alice: Any, alice_org: Organisation
) -> None:
    Organisation.objects.filter(pk=mallory_org.pk).update(
        verification_status=Organisation.VerificationStatus.VERIFIED
    )
    invoice = failed(draft(alice_org, alice), alice)
    response = mallory_client.post(reverse("invoices:resend", args=[invoice.public_id]), ROUTE)
    assert response.status_code == 404
    assert invoice.deliveries.count() == 1


@pytest.mark.parametrize(
    ("peppol_id", "message"),
    [
        ("ab:cd", "Write the scheme and the id"),
        ("9955:5566778899", "Scheme 9955 is no longer used"),
    ],
)
def test_send_again_checks_the_peppol_id_as_the_customer_form_does(
    peppol_id: str, message: str
) -> None:
    # Weaker, it saved "ab:cd" on the customer, and the access point refused it later.
    form = ResendForm(data={"channel": DeliveryChannel.PEPPOL, "peppol_id": peppol_id})

    with translation.override("en"):
        assert not form.is_valid()
        assert message in " ".join(str(error) for error in form.errors["peppol_id"])
