"""A failed PEPPOL delivery, fixed from "To manage" in the browser.

A verified seller sends an invoice to a customer reached over PEPPOL whose participant id
has two digits swapped: the access point (the PEPPOL test receiver process) answers 404, which
is final, so the delivery fails. The user finds the invoice under To manage with the
reason, corrects the id in the form the invoice page offers, sends again and sees it
delivered; the access point has it exactly once. A real Celery worker delivers.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.models import Organisation
from invoices.models import Invoice
from invoices.tests.factories import CustomerFactory, draft
from tests.conftest import WorkerFactory
from tests.e2e.steps import log_in
from tests.peppol_receiver import Receiver
from tests.signing_steps import fjallgarden_create, member

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RIGHT_ID = "0007:5560360793"
# Two digits swapped, and a valid number still (the checks pass it): only the access point knows.
WRONG_ID = "0007:5560360975"


@pytest.fixture
def receiver(peppol_receiver: Receiver) -> Receiver:
    peppol_receiver.reset()
    return peppol_receiver


def test_a_refused_peppol_delivery_is_corrected_from_to_manage_and_arrives_once(
    live_server: Any,
    page: Any,
    worker_factory: WorkerFactory,
    receiver: Receiver,
    a11y: Any,
) -> None:
    worker = worker_factory.start({"PEPPOL_ACCESS_POINT_URL": receiver.url})
    seller = fjallgarden_create(verification_status=Organisation.VerificationStatus.VERIFIED)
    owner = member(seller, "sara@fjallgarden.example")
    customer = CustomerFactory(
        organisation=seller, name="Kommunen i Väst", org_number="", peppol_id=WRONG_ID
    )
    invoice = draft(seller, owner, customer=customer)
    receiver.fail_next(1, 404)  # the access point knows no such participant: final

    log_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/invoices/{invoice.public_id}/")
    a11y.check(page)
    page.click("main form button:has-text('Skicka')")  # its confirm prompt is accepted
    page.wait_for_selector("main .notice:has-text('Fakturan är på väg')")
    a11y.check(page)
    worker.wait_for(lambda: status(invoice) == Invoice.Status.FAILED, 30)

    page.click("nav a:has-text('Att hantera')")
    page.wait_for_url(re.compile(r"/to-manage/"))
    a11y.check(page)
    row = page.locator("main table tbody tr")
    assert row.count() == 1
    invoice.refresh_from_db()
    assert invoice.number in row.inner_text()
    assert WRONG_ID in row.inner_text()
    assert "HTTP 404" in row.inner_text()  # the reason, as the access point gave it
    row.locator("a:has-text('Rätta och skicka igen')").click()
    page.wait_for_url(re.compile(rf"/invoices/{invoice.public_id}/"))
    a11y.check(page)
    assert page.input_value("select[name=channel]") == "peppol"  # the channel that was tried
    page.fill("input[name=peppol_id]", RIGHT_ID)
    page.click("main button:has-text('Skicka igen')")
    page.wait_for_selector("main .notice:has-text('Fakturan är på väg')")
    worker.wait_for(lambda: status(invoice) == Invoice.Status.DELIVERED, 30)

    page.reload()
    assert "Levererad" in page.inner_text("main")
    a11y.check(page)
    page.click("nav a:has-text('Att hantera')")
    page.wait_for_url(re.compile(r"/to-manage/"))
    assert "Inget att hantera" in page.inner_text("main")
    a11y.check(page)
    customer.refresh_from_db()
    assert customer.peppol_id == RIGHT_ID  # corrected for the next invoice too
    received = receiver.messages()
    assert [(m["receiver"], m["count"]) for m in received] == [(RIGHT_ID, 1)]


def status(invoice: Invoice) -> str:
    return str(Invoice.objects.values_list("status", flat=True).get(pk=invoice.pk))
