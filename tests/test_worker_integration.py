"""A real Celery worker process takes tasks from Redis and works on the test PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group

from portal.celery import app as celery_app
from tests.conftest import CeleryWorker

pytestmark = pytest.mark.integration


def test_worker_answers_control_ping(celery_worker_process: CeleryWorker) -> None:
    replies = celery_app.control.ping(destination=[celery_worker_process.node_name], timeout=2)

    assert replies == [{celery_worker_process.node_name: {"ok": "pong"}}]


def test_worker_executes_a_task_sent_through_the_broker(
    celery_worker_process: CeleryWorker,
) -> None:
    # No result backend (task_ignore_result): the worker's own log is the evidence.
    result = celery_app.send_task("portal.ping")

    celery_worker_process.wait_for(
        lambda: f"Task portal.ping[{result.id}] succeeded" in celery_worker_process.log()
    )


@pytest.mark.django_db(transaction=True)
def test_worker_reads_and_writes_the_test_database(celery_worker_process: CeleryWorker) -> None:
    marker = f"probe-{uuid.uuid4()}"
    Group.objects.create(name=marker)  # committed at once: transaction=True

    celery_app.send_task("tests.mark_seen", args=[marker])

    celery_worker_process.wait_for(lambda: Group.objects.filter(name=f"{marker}:seen").exists())
