"""Tell an instance its related rows when the code that just wrote them still holds them.

Writing a draft's lines and then reading them back for its totals, its validation and the
API's answer cost a query each time, for rows the service had in hand. Remembered rows
answer `instance.<name>.all()` as a `prefetch_related` would, and `prefetch_related_objects`
leaves them be. Whoever changes those rows afterwards through another instance forgets
them on the caller's (`forget_related`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model


def remember_related(instance: Model, name: str, rows: Iterable[Any]) -> None:
    """Make `instance.<name>.all()` answer `rows` without a query (`name`: the related name)."""
    forget_related(instance, name)
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    instance._prefetched_objects_cache = {  # type: ignore[attr-defined]
        **getattr(instance, "_prefetched_objects_cache", {}),
        name: queryset,
    }


def forget_related(instance: Model, name: str) -> None:
    """Let `instance.<name>` be read from the database again."""
    getattr(instance, "_prefetched_objects_cache", {}).pop(name, None)
