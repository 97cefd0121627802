"""Hold rows locked, or writes uncommitted, in another connection, as a second worker or
request would meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet


@contextmanager
def locked_elsewhere(rows: QuerySet[Any]) -> Iterator[None]:
    """Lock the rows (SELECT ... FOR UPDATE) in another thread until the block ends.

    Needs @pytest.mark.django_db(transaction=True): the other thread has its own connection.
    """
    with uncommitted_elsewhere(lambda: list(rows.select_for_update())):
        yield


@contextmanager
def uncommitted_elsewhere(work: Callable[[], Any]) -> Iterator[None]:
    """Run `work` in a transaction of another thread, committed when the block ends."""
    done, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                work()
                done.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert done.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()
