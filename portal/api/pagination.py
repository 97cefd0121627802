"""Cursor pages for lists an ERP walks through while the list keeps growing."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request


class UpdatedCursorPagination(CursorPagination):
    """Oldest change first, by (updated_at, id): the cursor is a position, not an offset.

    An offset page shifts when a row is added or changed before it; a position does not:
    a new or changed row goes to the end, so a client walking the pages sees every row once
    and every later change again, at the end.
    """

    ordering = ("updated_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF answers a cursor it cannot read with 404; it is a bad query parameter (422),
        # as the event feed's cursor is.
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise exceptions.ValidationError({self.cursor_query_param: [error.detail]}) from None
