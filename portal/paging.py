"""Pages of a list that is never counted, so a page costs the same however long the list.

Django's Paginator counts every row to number the pages; on a list that grows with an
organisation's history (100,000 invoices) the count costs more than the page itself. These
pages read one row past their end instead: enough to know whether a next page exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T", bound=Model)


class UncountedPage(Generic[T]):
    """One page of rows and whether another follows: Django's Page without the paginator."""

    def __init__(self, object_list: list[T], number: int, has_next: bool) -> None:
        self.object_list = object_list
        self.number = number
        self._has_next = has_next

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


# Beyond any real list, and below what an OFFSET may be: a larger number is no page number.
LAST_PAGE_NUMBER = 1_000_000


def uncounted_page(queryset: QuerySet[T], number: str | None, per_page: int) -> UncountedPage[T]:
    """Return the page numbered `number`, or the first if that is no page or lies past the end."""
    try:
        page_number = int(number or 1)
    except ValueError:
        page_number = 1
    if not 1 <= page_number <= LAST_PAGE_NUMBER:
        page_number = 1
    start = (page_number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and page_number > 1:
        # A link past the end (the list has shrunk since): the first page, where
        # Paginator.get_page gives the last, which only a count would find.
        return uncounted_page(queryset, None, per_page)
    return UncountedPage(rows[:per_page], page_number, has_next=len(rows) > per_page)
