"""Keyboard alone: log in, write an invoice, save it and send it without a mouse.

A user of a verified company who does not use a mouse moves with Tab, types into the
fields, picks from the lists with the arrow keys and typing, and presses Enter or Space
on links and buttons: no click and no fill anywhere. The invoice has two lines at two VAT
rates, the second added with the form's own "Add line" button, and a discount on the whole
invoice; a real Celery worker delivers it to the buyer's inbox.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import Organisation
from accounts.tests.factories import PASSWORD, OrganisationFactory, org_number_for
from invoices.models import Invoice, ReceivedInvoice
from invoices.tests.factories import CustomerFactory
from tests.conftest import CeleryWorker
from tests.e2e.steps import plain
from tests.signing_steps import fjallgarden_create, member

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80


# Where the focus is, and whether a sighted user can see it there (the focus ring).
FOCUS = """selector => {
  const el = document.activeElement;
  return {
    here: el.matches(selector),
    shown: el.getClientRects().length > 0 && getComputedStyle(el).outlineStyle !== "none",
  };
}"""


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until the focus is on the element the selector names, with its ring shown."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS, selector)
        if focus["here"]:
            assert focus["shown"], f"no visible focus on {selector} at {page.url}"
            return
    pytest.fail(f"{selector} cannot be reached with Tab on {page.url}")


def type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_keyboard_user_writes_and_sends_an_invoice(
    live_server: Any, page: Any, celery_worker_process: CeleryWorker, a11y: Any
) -> None:
    seller = fjallgarden_create(verification_status=Organisation.VerificationStatus.VERIFIED)
    owner = member(seller, "sara@fjallgarden.example")
    buyer = OrganisationFactory(legal_name="Köparen Handel AB", org_number=org_number_for(90003))
    CustomerFactory(organisation=seller, name=buyer.legal_name, org_number=buyer.org_number)

    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, "input[name=login]", owner.email)
    type_into(page, "input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    a11y.check(page)  # the dashboard
    tab_to(page, "main a[href$='/invoices/new/']")  # "Skriv en faktura"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/invoices/new/"))
    a11y.check(page)

    tab_to(page, "select[name=customer]")
    page.keyboard.press("ArrowDown")  # the first customer after the empty choice
    type_into(page, "input[name=buyer_reference]", "Inköp 42")
    type_into(page, "[name=lines-0-description]", "Konsulttimme")
    type_into(page, "[name=lines-0-quantity]", "3")
    type_into(page, "[name=lines-0-unit_price]", "950")  # 25 %, the rate already chosen
    tab_to(page, "button[data-add-row=lines]")  # "Lägg till rad"
    page.keyboard.press("Space")  # the new line's first field takes the focus
    page.keyboard.type("Kurslitteratur")
    type_into(page, "[name=lines-1-quantity]", "2")
    type_into(page, "[name=lines-1-unit_price]", "249,50")
    tab_to(page, "[name=lines-1-vat_rate]")
    page.keyboard.type("6")  # picks "6 %" from the list, as typing does on a closed list
    type_into(page, "[name=charges-0-reason]", "Avtalsrabatt")
    type_into(page, "[name=charges-0-amount]", "100")
    # 3 x 950 - 100 = 2 750 at 25 % (687,50) and 2 x 249,50 = 499 at 6 % (29,94).
    assert plain(page.inner_text("[data-total=payable]")) == "3 966,44 SEK"
    tab_to(page, "main button[type=submit]")  # "Spara utkast"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/invoices/[0-9a-f-]{36}/$"))
    a11y.check(page)

    tab_to(page, "main form[action$='/send/'] button")  # "Skicka"; its prompt is accepted
    page.keyboard.press("Enter")
    page.wait_for_selector("main .notice:has-text('Fakturan är på väg')")
    a11y.check(page)
    invoice = Invoice.objects.get(organisation=seller)
    celery_worker_process.wait_for(
        lambda: Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.DELIVERED, 30
    )
    page.reload()
    assert "Levererad" in page.inner_text("main")
    a11y.check(page)
    received = ReceivedInvoice.objects.get(recipient=buyer)
    assert received.total_payable == Decimal("3966.44")
