"""/healthz reports the database and the broker, against the real PostgreSQL and Redis."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_broker_port(settings) -> Iterator[str]:
    """Point the broker at a local port nothing listens on, then put the real one back."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The socket is closed: connecting to the port is refused at once.
    url = f"redis://127.0.0.1:{port}/0"
    original = celery_app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    # Celery read its configuration once at start-up; the setting alone changes nothing.
    celery_app.conf.update(broker_url=url)
    try:
        yield url
    finally:
        celery_app.conf.update(broker_url=original)


def test_healthz_reports_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, closed_broker_port):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "unreachable"}
