"""The inbox and the customer register page without counting (portal/paging.py).

Both lists grow with an organisation's history; a page reads one row past its end instead
of counting them all. Pages are made two rows long here so three rows make a second page.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organisation
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from invoices import services
from invoices.models import ReceivedInvoice
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import CustomerFactory, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    # The modules by import: the package's names of the same spelling are the views.
    for module in ("invoices.views.inbox", "invoices.views.registers"):
        monkeypatch.setattr(importlib.import_module(module), "PAGE_SIZE", 2)


def get_uncounted(client: Client, url: str, **params: str) -> str:
    """GET the page, checking that no query counted the list; return its body."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert not counts, counts
    return str(response.content.decode())


def test_the_inbox_pages_without_counting(
    two_a_page: None, alice: Any, alice_org: Organisation
) -> None:
    buyer = OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")
    numbers = []
    for day in (2, 3, 4):
        delivery = services.invoice_send(
            invoice=draft(alice_org, alice, issue_date=date(2026, 11, day)), user=alice
        )
        assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
        numbers.append(ReceivedInvoice.objects.get(delivery=delivery).number)
    reader = Client()
    reader.force_login(MembershipFactory(organisation=buyer, role=Membership.Role.OWNER).user)
    url = reverse("invoices:inbox")

    first = get_uncounted(reader, url)
    second = get_uncounted(reader, url, page="2")

    # Newest first: the oldest alone on page 2, reached by the first page's Next link.
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    assert f">{numbers[0]}</a>" in second and f">{numbers[2]}</a>" not in second
    assert 'href="?page=1" rel="prev"' in second and 'rel="next"' not in second


def test_the_customer_register_pages_without_counting(
    two_a_page: None, alice_client: Client, alice_org: Organisation
) -> None:
    for name in ("Anna AB", "Bertil AB", "Cesar AB"):
        CustomerFactory(organisation=alice_org, name=name)
    url = reverse("invoices:customers")

    first = get_uncounted(alice_client, url)
    second = get_uncounted(alice_client, url, page="2")
    searched = get_uncounted(alice_client, url, q="AB", page="2")

    assert "Anna AB" in first and "Cesar AB" not in first and 'rel="next"' in first
    assert "Cesar AB" in second and "Anna AB" not in second and 'rel="prev"' in second
    # The search stays in the page links.
    assert "Cesar AB" in searched and 'href="?q=AB&amp;page=1" rel="prev"' in searched
