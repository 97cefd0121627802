"""The first send, in the browser: Send, sign once with BankID, and the invoice goes out.

The user presses Send on a draft, is taken to verification, opens the simulated BankID
app from the page's own link, approves as the company's signatory, comes back, and sees
the invoice delivered without pressing Send again. A colleague then sends with no prompt.
BankID is the simulator over HTTP; a real Celery worker delivers to the buyer's inbox.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Membership, Organisation, Plan
from accounts.tests.factories import OrganisationFactory, org_number_for
from invoices import services as invoice_services
from invoices.models import Invoice, ReceivedInvoice
from invoices.tests.factories import CustomerFactory, draft
from tests.bankid_simulator import Simulator
from tests.conftest import CeleryWorker
from tests.e2e.steps import log_in
from tests.signing_steps import SARA, fjallgarden_create, member

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DELIVERED = re.compile("Levererad|Delivered")


@pytest.fixture
def seller(transactional_db: None) -> Organisation:
    return fjallgarden_create(plan=Plan.PLUS)


@pytest.fixture
def buyer(transactional_db: None) -> Organisation:
    return OrganisationFactory(
        legal_name="Köparen Handel AB",
        org_number=org_number_for(90002),
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )


@pytest.fixture
def buyer_customer(seller: Organisation, buyer: Organisation) -> Any:
    """A customer that is itself a member organisation: the invoice goes to its inbox."""
    return CustomerFactory(
        organisation=seller, name=buyer.legal_name, org_number=buyer.org_number
    )


def sign_in_the_app(page: Any, person: dict[str, str]) -> None:
    """Open the simulated app from the order page's own link and approve as the person."""
    link = page.get_attribute("#autostart", "href")
    app = page.context.new_page()
    app.goto(link)
    option = app.locator("#person option", has_text=person["personal_number"])
    app.select_option("#person", value=option.get_attribute("value"))
    app.click("#open")
    app.wait_for_selector("#order:not([hidden])")
    app.click("#sign")
    app.wait_for_selector("#message.ok", timeout=15_000)  # "Klart. Gå tillbaka till tjänsten."
    app.close()


def test_send_sign_once_and_it_goes_out_then_a_colleague_sends_unasked(
    live_server: Any,
    page: Any,
    browser: Any,
    sim: Simulator,
    settings: Any,
    celery_worker_process: CeleryWorker,
    seller: Organisation,
    buyer_customer: Any,
    a11y: Any,
) -> None:
    settings.BANKID_SIMULATOR_APP_URL = sim.app_url
    owner = member(seller, "sara@fjallgarden.example")
    colleague = member(seller, "per@fjallgarden.example", Membership.Role.MEMBER)
    first = draft(seller, owner, customer=buyer_customer)

    log_in(page, live_server.url, owner.email)
    a11y.check(page)  # the dashboard
    page.goto(f"{live_server.url}/invoices/{first.public_id}/")
    a11y.check(page)
    page.click("main form button:has-text('Skicka')")
    page.wait_for_url(re.compile(r"/verify/"))
    a11y.check(page)
    page.check("input[name=confirm]")
    page.click("main button:has-text('BankID')")
    page.wait_for_url(re.compile(r"/orders/"))
    a11y.check(page)
    sign_in_the_app(page, SARA)

    # Back on the portal: the page polls, then carries out the send it held back.
    page.wait_for_url(re.compile(rf"/invoices/{first.public_id}/"), timeout=30_000)
    celery_worker_process.wait_for(
        lambda: Invoice.objects.get(pk=first.pk).status == Invoice.Status.DELIVERED, 30
    )
    page.reload()
    assert DELIVERED.search(page.inner_text("main"))
    a11y.check(page)
    seller.refresh_from_db()
    assert seller.verification_status == Organisation.VerificationStatus.VERIFIED

    # A colleague sends the next one with no BankID prompt (a new month: not a duplicate).
    second = draft(
        seller, colleague, customer=buyer_customer, issue_date=first.issue_date + timedelta(31)
    )
    other = browser.new_context(locale="sv-SE").new_page()
    other.on("dialog", lambda dialog: dialog.accept())
    log_in(other, live_server.url, colleague.email)
    other.goto(f"{live_server.url}/invoices/{second.public_id}/")
    other.click("main form button:has-text('Skicka')")
    other.wait_for_load_state("networkidle")
    assert "/verify/" not in other.url
    celery_worker_process.wait_for(
        lambda: Invoice.objects.get(pk=second.pk).status == Invoice.Status.DELIVERED, 30
    )
    other.context.close()


def test_the_buyer_finds_it_in_the_inbox_downloads_it_and_marks_it_handled(
    live_server: Any,
    page: Any,
    celery_worker_process: CeleryWorker,
    seller: Organisation,
    buyer: Organisation,
    buyer_customer: Any,
    a11y: Any,
) -> None:
    Organisation.objects.filter(pk=seller.pk).update(
        verification_status=Organisation.VerificationStatus.VERIFIED
    )
    seller.refresh_from_db()
    sender = member(seller, "sara@fjallgarden.example")
    sent = invoice_services.invoice_send(
        invoice=draft(seller, sender, customer=buyer_customer), user=sender
    )
    celery_worker_process.wait_for(
        lambda: ReceivedInvoice.objects.filter(recipient=buyer).exists(), 30
    )
    reader = member(buyer, "ekonomi@koparen.example")

    log_in(page, live_server.url, reader.email)
    page.goto(f"{live_server.url}/invoices/inbox/")
    a11y.check(page)
    page.click(f"main table a:has-text('{sent.invoice.number}')")
    a11y.check(page)
    for label, suffix in (("XML", ".xml"), ("PDF", ".pdf")):
        with page.expect_download() as download:
            page.click(f"main a:has-text('{label}')")
        assert download.value.suggested_filename.endswith(suffix)
        assert Path(download.value.path()).stat().st_size > 500
    page.click("main button:has-text('Markera som hanterad')")
    page.wait_for_load_state("networkidle")
    assert ReceivedInvoice.objects.get(recipient=buyer).handled_at is not None
    page.goto(f"{live_server.url}/invoices/inbox/")
    assert page.locator("main table a").count() == 0  # handled: off the unhandled list
