"""A probe task loaded only by the integration tests' worker (celery worker -I tests.worker_tasks).

It lives outside the portal's apps so production workers never register it.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth.models import Group


@shared_task(name="tests.mark_seen")
def mark_seen(marker: str) -> None:
    """Find the group the test committed and create '<marker>:seen' beside it."""
    # Reading first makes the task fail loudly when the worker is on another database.
    Group.objects.get(name=marker)
    Group.objects.create(name=f"{marker}:seen")
