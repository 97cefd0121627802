"""The `pages` benchmark of `make bench`: page times at 1,000 and at 100,000 invoices.

Issue 14 asks that an organisation's pages do not slow down as its history grows: the p50 of
the dashboard, the invoice list, the list's search (by number, customer name and reference)
and an invoice's page, for an organisation with 1,000 invoices and one with 100,000, beside
/healthz timed in the same rounds. Goal: each page at 100,000 within 2x of the same page at
1,000 (the 1,000 page's floor is /healthz, for scale).

Like `api` (invoices/bench_api.py) it runs in its own process on the bench PostgreSQL and
Redis, under the test settings with DEBUG off: `measure()` DROPS and re-creates the bench
database, migrates it, bulk-inserts both histories in the same table (as production keeps
every organisation's invoices in one), and times the pages with a logged-in Django test
client in that process: no network or server in between, so the figures are what Django,
the queries and the templates cost. All calls take turns (medians_ms), so a burst of load on
the machine hits the small and the large organisation alike.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from portal.benchmarks import (
    Figure,
    Row,
    benchmark,
    medians_ms,
    print_figure,
    report_rows,
    run_on_bench_servers,
)

SIZES = {"1k": 1_000, "100k": 100_000}
RUNS = 40  # timed requests of each page
INVOICES_PER_CUSTOMER = 50
# The histories spread over nearly four years, up to the day before the invoice to open
# (2026-11-02, see issued()): that one heads the list.
DAYS = 1400
# Each search finds the same invoice in both histories (see invoice_history): the time is
# what finding it costs, not what showing more rows costs.
SEARCHES = {
    "search_number": ("F00123", "F00123"),
    "search_customer": ("Snickeriet", "F00007"),
    "search_reference": ("Inköp 15838", "F00002"),
}
PAGES = ("dashboard", "list", *SEARCHES, "detail")
_TEXTS = {
    "dashboard": "Dashboard",
    "list": "Invoice list, first page",
    "search_number": "List search by invoice number",
    "search_customer": "List search by customer name",
    "search_reference": "List search by reference",
    "detail": "Invoice page (3-line invoice, validated)",
}

report_rows(
    Row("page_healthz_ms"),
    *(
        row
        for page in PAGES
        for row in (
            Row(f"page_{page}_1k_ms", floor="page_healthz_ms"),
            Row(f"page_{page}_100k_ms", floor=f"page_{page}_1k_ms", at_most=2),
        )
    ),
)


@benchmark
def pages() -> Iterator[Figure]:
    """Time the pages of an organisation with 1,000 and one with 100,000 invoices."""
    # Not `-m invoices.bench_pages`: run as __main__, the module would be imported twice.
    measuring = "from invoices.bench_pages import measure; measure()"
    yield from run_on_bench_servers(
        "pages", [sys.executable, "-c", measuring], {"LOG_LEVEL": "WARNING"}
    )


# --- The measuring process: measure() and what it calls ----------------------------------


@dataclass(frozen=True)
class Seeded:
    """An organisation with a history, its logged-in owner, and the pages to time."""

    label: str
    count: int
    client: Client
    urls: dict[str, str]  # page -> URL with its query string
    expected: dict[str, str]  # page -> text its answer must hold


def measure() -> None:
    """Re-create the bench database, seed both histories, time the pages, print figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from invoices.management.commands.bench_delivery import (
        _recreate_database,
        _require_bench_services,
    )

    _require_bench_services()
    _recreate_database()
    call_command("migrate", verbosity=0)
    _say(f"database {settings.DATABASES['default']['NAME']} re-created and migrated")
    organisations = []
    for label, count in SIZES.items():
        started = time.monotonic()
        organisations.append(seed(label, count))
        _say(f"{count} invoices bulk-inserted in {time.monotonic() - started:.1f} s")
    for figure in time_pages(organisations, RUNS):
        print_figure(figure)  # relayed back to `manage.py bench` (portal/benchmarks.py)


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def seed(label: str, count: int) -> Seeded:
    """Make a verified organisation with `count` invoices and one real 3-line one to open."""
    # The test factories build through the services, as users would; bench runs use the dev venv.
    from accounts.models import Membership, Organisation, Plan
    from accounts.tests.factories import MembershipFactory, OrganisationFactory
    from invoices.models import Invoice
    from invoices.tests.factories import invoice_history, issued

    organisation = OrganisationFactory(
        legal_name=f"Bench {label} AB",
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )
    owner = MembershipFactory(
        organisation=organisation, user__email=f"{label}@example.com", role=Membership.Role.OWNER
    ).user
    customers = max(1, count // INVOICES_PER_CUSTOMER)
    invoice_history(
        organisation, owner, count, customers, customers_used=customers, days=DAYS
    )
    opened = issued(organisation, owner)
    client = Client()
    client.force_login(owner)
    urls = {
        "dashboard": reverse("dashboard"),
        "list": reverse("invoices:list"),
        "detail": reverse("invoices:detail", args=[opened.public_id]),
    }
    expected = {"dashboard": "", "list": str(opened.public_id), "detail": str(opened.number)}
    for page, (query, number) in SEARCHES.items():
        urls[page] = f"{urls['list']}?{urlencode({'q': query})}"
        found = Invoice.objects.get(organisation=organisation, number=number)
        expected[page] = str(found.public_id)  # its link in the list
    return Seeded(label, count, client, urls, expected)


def time_pages(organisations: list[Seeded], runs: int) -> Iterator[Figure]:
    """Check every page, then time all of them and /healthz in turns; yield the figures."""
    healthz = Client()
    calls: dict[str, Callable[[], object]] = {"healthz": _getter(healthz, reverse("healthz"))}
    for seeded in organisations:
        for page in PAGES:
            # A page that fails or finds nothing must not be timed.
            _check(seeded.client, seeded.urls[page], seeded.expected[page])
            calls[f"{page}_{seeded.label}"] = _getter(seeded.client, seeded.urls[page])
    medians = medians_ms(calls, runs)
    yield Figure(
        "page_healthz_ms", medians["healthz"], "ms", f"GET /healthz, p50 of {runs}, same rounds"
    )
    for page in PAGES:
        for seeded in organisations:
            yield Figure(
                f"page_{page}_{seeded.label}_ms",
                medians[f"{page}_{seeded.label}"],
                "ms",
                f"{_TEXTS[page]}, {seeded.count:,} invoices, p50 of {runs}",
            )


def _check(client: Client, url: str, expected: str) -> None:
    response = _getter(client, url)()
    if expected not in response.content.decode():
        raise CommandError(f"GET {url} does not show {expected}")


def _getter(client: Client, url: str) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}")
        return response

    return get
