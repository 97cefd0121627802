"""The invoice list, its search and the API's pages read indexes, not the whole history.

Each test gives the organisation a history (bulk rows, then ANALYZE) and asserts the index by
name in the plan of the query the code really runs (captured, then EXPLAINed with its own
parameters). On a few thousand rows reading the whole table is PostgreSQL's right choice, so
the plans are made with sequential scans off: what remains is the plan it takes on a long
history (at 100,000 invoices it chose the same indexes unprompted).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from conftest import api_client
from invoices import selectors
from invoices.models import Customer, Invoice
from invoices.tests.factories import invoice_history
from portal.paging import LAST_PAGE_NUMBER

pytestmark = pytest.mark.django_db

HISTORY = 3000


def _history(
    organisation: Organisation, user: Any, count: int = HISTORY, customers: int = HISTORY // 4
) -> list[Customer]:
    """Give the organisation `count` issued invoices over 20 of its customers and 3 years."""
    return invoice_history(organisation, user, count, customers)


def _plans(run: Callable[[], Any], table: str = "invoices_invoice") -> list[str]:
    """Run the code and return the plan of every query it made on the table."""
    captured: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run()
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # until the test's transaction ends
        for sql, params in captured:
            if sql.startswith("SELECT") and f'FROM "{table}"' in sql:
                cursor.execute(f"EXPLAIN {sql}", params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert plans, f"no query on {table}"
    return plans


@pytest.fixture
def history(alice_org: Organisation, alice: Any) -> list[Customer]:
    return _history(alice_org, alice)


def test_a_page_of_the_list_is_read_in_the_order_of_its_index(
    alice_client: Client, history: list[Customer]
) -> None:
    [plan] = _plans(lambda: alice_client.get(reverse("invoices:list")))
    assert "invoice_list_order" in plan
    assert "Sort" not in plan


def test_a_status_has_its_own_index_in_the_same_order(
    alice_client: Client, alice_org: Organisation, history: list[Customer]
) -> None:
    [plan] = _plans(lambda: alice_client.get(reverse("invoices:list"), {"status": "failed"}))
    assert "invoice_status_order" in plan
    # To manage lists every failed invoice: the same index, not the history.
    [plan] = _plans(lambda: alice_client.get(reverse("invoices:to_manage")))
    assert "invoice_status_order" in plan


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("F01234", ["invoice_number_trgm", "invoice_reference_trgm"]),
        ("inköp 0215", ["invoice_number_trgm", "invoice_reference_trgm"]),
        ("Snickeriet", ["invoice_number_trgm", "invoice_reference_trgm", "invoice_customer_id"]),
    ],
)
def test_a_rare_word_is_found_through_the_trigram_indexes(
    alice_client: Client, history: list[Customer], query: str, indexes: list[str]
) -> None:
    [plan] = _plans(lambda: alice_client.get(reverse("invoices:list"), {"q": query}))
    for index in indexes:
        assert index in plan


def test_the_customers_of_a_search_are_found_through_their_trigram_index(
    alice_client: Client, history: list[Customer]
) -> None:
    [plan] = _plans(
        lambda: alice_client.get(reverse("invoices:list"), {"q": "Snickeriet"}),
        table="invoices_customer",
    )
    assert "customer_name_trgm" in plan


def test_a_common_word_reads_the_list_in_order_until_the_page_is_full(
    alice_client: Client, history: list[Customer]
) -> None:
    [plan] = _plans(lambda: alice_client.get(reverse("invoices:list"), {"q": "kund"}))
    assert "invoice_list_order" in plan
    assert "Sort" not in plan


def test_the_api_walks_its_cursor_order_on_its_index(
    alice_org: Organisation, alice: Any, history: list[Customer]
) -> None:
    client = api_client(alice_org, alice)
    first = client.get("/api/v1/invoices", {"page_size": 50})
    assert first.status_code == 200
    [plan] = _plans(lambda: client.get(first.json()["next"]))
    assert "invoice_api_order" in plan
    assert "Sort" not in plan


def test_the_search_finds_number_reference_and_customer_in_any_case(
    alice_org: Organisation, history: list[Customer]
) -> None:
    def numbers(query: str, status: str = "") -> list[str]:
        found = selectors.invoice_list(organisation=alice_org, query=query, status=status)
        return [invoice.number for invoice in found]

    assert numbers("f01234") == ["F01234"]
    assert numbers("INKÖP 15838") == ["F00002"]  # its reference: 2 * 7919 % 100000
    # Newest invoice date first, like the list.
    assert numbers("särskilda snickeriet") == ["F01500", "F00007"]
    assert numbers("Snickeriet", status="failed") == []
    assert numbers("100% sure") == []  # % is a character, not a wildcard


def test_a_word_many_customers_share_finds_their_invoices_all_the_same(
    alice_org: Organisation, alice: Any
) -> None:
    # More customers match than the search lists by id: it asks by subquery instead.
    customers = Customer.objects.bulk_create(
        Customer(organisation=alice_org, name=f"Gemensam {n}")
        for n in range(selectors.SEARCH_CUSTOMERS_LISTED + 1)
    )
    Invoice.objects.bulk_create(
        Invoice(
            organisation=alice_org,
            customer=customer,
            number=f"G{n}",
            status=Invoice.Status.ISSUED,
            issue_date=date(2026, 1, 1),
            due_date=date(2026, 2, 1),
            created_by=alice,
        )
        for n, customer in enumerate(customers[-2:])
    )
    found = selectors.invoice_list(organisation=alice_org, query="gemensam")
    assert [invoice.number for invoice in found] == ["G1", "G0"]


def test_the_list_page_counts_nothing(alice_client: Client, history: list[Customer]) -> None:
    plans = _plans(lambda: alice_client.get(reverse("invoices:list"), {"q": "kund"}))
    assert not [plan for plan in plans if "Aggregate" in plan]


def _page(client: Client, page: str) -> tuple[int, list[str], bool, bool]:
    response = client.get(reverse("invoices:list"), {"page": page})
    assert response.status_code == 200
    shown = response.context["page"]
    numbers = [invoice.number for invoice in shown]
    return shown.number, numbers, shown.has_previous(), shown.has_next()


def test_pages_go_forward_and_back_without_a_count(
    alice_client: Client, alice_org: Organisation, alice: Any
) -> None:
    _history(alice_org, alice, count=30, customers=20)
    newest = list(
        Invoice.objects.filter(organisation=alice_org)
        .order_by("-issue_date", "-created_at", "-id")
        .values_list("number", flat=True)
    )
    assert _page(alice_client, "1") == (1, newest[:25], False, True)
    assert _page(alice_client, "2") == (2, newest[25:], True, False)
    html = alice_client.get(reverse("invoices:list"), {"page": "2"}).content.decode()
    assert 'rel="prev"' in html
    assert 'rel="next"' not in html
    # Past the end, not a number, or beyond any OFFSET: the first page, never an error.
    for page in ("3", "0", "-1", "abc", str(LAST_PAGE_NUMBER + 1), "9" * 30):
        assert _page(alice_client, page) == (1, newest[:25], False, True), page


def test_the_models_and_the_migrations_agree() -> None:
    call_command("makemigrations", "invoices", "--check", "--dry-run", verbosity=0)


def test_the_demo_migrates_on_sqlite_without_the_postgresql_indexes(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"}
    }
    environment |= {
        "PORTAL_ENV": "demo",
        "PORTAL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        timeout=120,
    )
    with sqlite3.connect(database) as sqlite:
        indexes = {
            name
            for (name,) in sqlite.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    assert {"invoice_list_order", "invoice_status_order", "invoice_api_order"} <= indexes
    assert not {"invoice_number_trgm", "customer_name_trgm"} & indexes
