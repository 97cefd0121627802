"""The first send, in the browser: write the invoice, check it, Send, sign once, and it goes out.

The user writes the invoice in the form (a customer, lines at 25 % and 12 %, a line discount
and a discount on the whole invoice), reads the estimated totals while writing, saves the
draft and checks its totals on the page and in the PDF, presses Send, is taken to
verification, opens the simulated BankID app from the page's own link, approves as the
company's signatory, comes back, and sees the invoice delivered without pressing Send again.
A colleague then sends with no prompt. BankID is the simulator over HTTP; a real Celery
worker delivers to the buyer's inbox.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from accounts.models import Membership, Organisation, Plan
from accounts.tests.factories import OrganisationFactory, org_number_for
from invoices import services as invoice_services
from invoices.models import Invoice, ReceivedInvoice
from invoices.tests.factories import CustomerFactory, draft
from tests.bankid_simulator import Simulator
from tests.conftest import CeleryWorker
from tests.e2e.steps import definitions, log_in, plain, sign_in_the_app
from tests.signing_steps import SARA, fjallgarden_create, member

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DELIVERED = re.compile("Levererad|Delivered")

# What the user writes: 2 x 1 500 less 300 at 25 %, 10 x 125 at 12 %, and 200 off the 25 % part.
LINES = [
    {"description": "Konferenslokal, heldag", "quantity": "2", "unit_price": "1500",
     "discount_amount": "300", "vat_rate": "25"},
    {"description": "Lunch", "quantity": "10", "unit_price": "125", "vat_rate": "12"},
]
ALLOWANCE = {"reason": "Stamkundsrabatt", "amount": "200", "vat_rate": "25"}
# Lines 2 700 + 1 250 = 3 950; less 200 = 3 750; VAT 25 % of 2 500 = 625 and 12 % of 1 250 = 150.
TOTALS = {
    "Summa rader": "3 950,00 SEK",
    "Rabatter": "\N{MINUS SIGN}200,00 SEK",  # the page writes a minus sign
    "Summa exklusive moms": "3 750,00 SEK",
    "Moms": "775,00 SEK",
    "Summa inklusive moms": "4 525,00 SEK",
    "Att betala": "4 525,00 SEK",
}
ESTIMATE = {"net": "3 750,00 SEK", "vat": "775,00 SEK", "payable": "4 525,00 SEK"}
VAT_GROUPS = [("25 %", "2 500,00", "625,00"), ("12 %", "1 250,00", "150,00")]


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


def write_the_invoice(page: Any, customer: str) -> None:
    """Fill the invoice form: customer, reference, two lines (adding the second) and a discount."""
    page.select_option("select[name=customer]", label=customer)
    page.fill("input[name=buyer_reference]", "Inköp 42")
    for index, line in enumerate(LINES):
        if index:
            page.click("main button:has-text('Lägg till rad')")
        for name, value in line.items():
            field = f"[name=lines-{index}-{name}]"
            if name == "vat_rate":
                page.select_option(field, value)
            else:
                page.fill(field, value)
    # The form offers one empty row for a discount or fee on the whole invoice.
    page.fill("[name=charges-0-reason]", ALLOWANCE["reason"])
    page.fill("[name=charges-0-amount]", ALLOWANCE["amount"])
    page.select_option("[name=charges-0-vat_rate]", ALLOWANCE["vat_rate"])


def vat_groups(page: Any) -> list[tuple[str, ...]]:
    """Return the VAT breakdown's rate, basis and VAT per row, as shown."""
    rows = page.locator("table.paper-vat tbody tr")
    return [
        tuple(plain(cell) for cell in rows.nth(i).locator("td").all_inner_texts()[1:])
        for i in range(rows.count())
    ]


def pdf_text(page: Any) -> str:
    """Download the PDF from the invoice page and return its text."""
    with page.expect_download() as download:
        page.click("main a:has-text('Ladda ner PDF')")
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    return plain(" ".join(page_.extract_text() for page_ in reader.pages))


def test_write_check_send_sign_once_and_it_goes_out_then_a_colleague_sends_unasked(
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

    log_in(page, live_server.url, owner.email)
    a11y.check(page)  # the notice: confirm the company and sign, now or later
    page.click("main a:has-text('Senare')")
    page.wait_for_load_state("networkidle")
    a11y.check(page)  # the dashboard
    page.click("main a:has-text('Skriv en faktura')")
    page.wait_for_url(re.compile(r"/invoices/new/"))
    write_the_invoice(page, buyer_customer.name)
    # The estimate while writing, before anything is saved.
    estimate = {name: plain(page.inner_text(f"[data-total={name}]")) for name in ESTIMATE}
    assert estimate == ESTIMATE
    a11y.check(page)  # the form, filled in
    page.click("main button:has-text('Spara utkast')")
    page.wait_for_url(re.compile(r"/invoices/[0-9a-f-]{36}/$"))
    first = Invoice.objects.get(organisation=seller)

    # The draft as the customer will see it: the totals on the page and in the PDF.
    assert definitions(page, "dl.paper-totals") == TOTALS
    assert vat_groups(page) == VAT_GROUPS
    assert "4 525,00" in pdf_text(page)
    a11y.check(page)
    page.click("main form button:has-text('Skicka')")  # its confirm prompt is accepted
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
    assert ReceivedInvoice.objects.get().total_payable == first.total_payable

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
