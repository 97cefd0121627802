"""Hold rows locked in another connection, as a second worker or request would meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet


@contextmanager
def locked_elsewhere(rows: QuerySet[Any]) -> Iterator[None]:
    """Lock the rows (SELECT ... FOR UPDATE) in another thread until the block ends.

    Needs @pytest.mark.django_db(transaction=True): the other thread has its own connection.
    """
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(rows.select_for_update())
                held.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()
