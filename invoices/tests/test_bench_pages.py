"""The pages benchmark times every page of both histories and checks what they show first.

No timing is judged here: the histories are small, and each page is timed once.
"""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from invoices.bench_pages import PAGES, SEARCHES, _check, seed, time_pages
from invoices.models import Invoice
from invoices.selectors import invoice_list
from portal.benchmarks import ROWS, Row

pytestmark = pytest.mark.django_db


def test_each_page_of_both_histories_gets_a_figure_beside_healthz() -> None:
    organisations = [seed("1k", 200), seed("100k", 400)]

    figures = list(time_pages(organisations, runs=1))

    assert [figure.name for figure in figures] == ["page_healthz_ms"] + [
        f"page_{page}_{label}_ms" for page in PAGES for label in ("1k", "100k")
    ]
    assert all(figure.unit == "ms" and figure.value > 0 for figure in figures)
    assert "400 invoices" in figures[2].text


def test_each_search_finds_the_invoice_it_expects_in_both_histories() -> None:
    small, large = seed("1k", 200), seed("100k", 2000)
    numbers = {}
    for seeded in (small, large):
        organisation = Invoice.objects.get(public_id=seeded.expected["search_number"]).organisation
        numbers[seeded.label] = {
            page: [invoice.number for invoice in invoice_list(organisation=organisation, query=q)]
            for page, (q, _number) in SEARCHES.items()
        }

    assert numbers["1k"] == {
        "search_number": ["F00123"],
        "search_customer": ["F00007"],
        "search_reference": ["F00002"],
    }
    # The special customer's second invoice is number 1500.
    assert numbers["100k"] == numbers["1k"] | {"search_customer": ["F01500", "F00007"]}
    assert small.urls["search_reference"].endswith("?q=Ink%C3%B6p+15838")


def test_a_page_that_does_not_show_its_invoice_is_not_timed() -> None:
    seeded = seed("1k", 200)

    with pytest.raises(CommandError, match="does not show"):
        _check(seeded.client, seeded.urls["list"] + "?q=F99999", seeded.expected["search_number"])


def test_each_large_page_is_judged_against_the_same_page_at_1000() -> None:
    for page in PAGES:
        assert ROWS[f"page_{page}_100k_ms"] == Row(
            f"page_{page}_100k_ms", floor=f"page_{page}_1k_ms", at_most=2
        )
        assert ROWS[f"page_{page}_1k_ms"].floor == "page_healthz_ms"
