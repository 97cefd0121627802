"""Delivery survives crashes: a killed worker, a broker outage, a flaky receiver.

Real parts only: PostgreSQL, Redis, worker processes started here, the PEPPOL test
receiver process. The tests commit (transaction=True) because the workers are other
processes that only see committed rows.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Organisation
from accounts.tests.factories import OrganisationFactory
from invoices import services
from invoices.models import Delivery, Invoice, InvoiceEvent, ReceivedInvoice
from invoices.tasks import deliveries_sweep_task
from invoices.tests.factories import CustomerFactory, draft
from portal.celery import app as celery_app
from tests.conftest import WorkerFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FAST_SWEEP = {
    "DELIVERY_SENDING_TIMEOUT_SECONDS": "1",
    "DELIVERY_QUEUED_GRACE_SECONDS": "1",
    "DELIVERY_RETRY_BASE_SECONDS": "1",
}


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    every: Callable[[], None] | None = None,
) -> None:
    """Poll `condition`; run `every` (e.g. the sweeper) between polls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if every is not None:
            every()
        time.sleep(0.5)
    pytest.fail(f"{what}: not done within {timeout}s")


@pytest.fixture
def buyer(db: None) -> Organisation:
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


def send_to_inbox(alice: Any, alice_org: Organisation, count: int) -> list[Invoice]:
    customer = CustomerFactory(organisation=alice_org)  # org number of the member buyer
    invoices = []
    for _ in range(count):
        invoice = draft(alice_org, alice, customer=customer)
        services.invoice_send(invoice=invoice, user=alice, confirm_duplicate=True)
        invoices.append(invoice)
    return invoices


def delivered() -> int:
    return Delivery.objects.filter(status=Delivery.Status.DELIVERED).count()


def sweep() -> None:
    deliveries_sweep_task.delay()


def test_a_killed_worker_loses_nothing_and_delivers_nothing_twice(
    worker_factory: WorkerFactory, alice: Any, alice_org: Organisation, buyer: Organisation
) -> None:
    first = worker_factory.start(FAST_SWEEP)
    invoices = send_to_inbox(alice, alice_org, 40)
    wait_until(lambda: delivered() >= 3, 60, "first deliveries")
    worker_factory.kill(first)
    at_kill = delivered()
    assert at_kill < len(invoices), "everything was delivered before the kill: nothing tested"

    worker_factory.start(FAST_SWEEP)
    wait_until(lambda: delivered() == len(invoices), 120, "delivery after the crash", sweep)
    assert ReceivedInvoice.objects.count() == len(invoices)
    assert Invoice.objects.filter(status=Invoice.Status.DELIVERED).count() == len(invoices)
    assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[Callable[[bool], str]]:
    """A Redis of the test's own that it may stop and start (never the shared one)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for the broker outage test")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process: list[subprocess.Popen[bytes]] = []

    def running(up: bool) -> str:
        if up:
            process.append(
                subprocess.Popen(
                    [
                        binary,
                        "--port",
                        str(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        str(tmp_path),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            _wait_for_port(port)
        elif process:
            stopped = process.pop()
            stopped.terminate()
            stopped.wait()
        return f"redis://127.0.0.1:{port}/0"

    try:
        yield running
    finally:
        for each in process:
            each.terminate()
            each.wait()


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"redis did not start on port {port}")


def _use_broker(url: str) -> None:
    # The test process publishes through the app's cached producer pool: drop it.
    celery_app.conf.broker_url = url  # type: ignore[misc]
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_sends_during_a_broker_outage_are_delivered_when_it_returns(
    worker_factory: WorkerFactory,
    private_redis: Callable[[bool], str],
    alice: Any,
    alice_org: Organisation,
    buyer: Organisation,
) -> None:
    original = celery_app.conf.broker_url
    url = private_redis(True)
    try:
        _use_broker(url)
        worker_factory.start(FAST_SWEEP | {"REDIS_URL": url, "CELERY_BROKER_URL": url})
        before = send_to_inbox(alice, alice_org, 3)
        wait_until(lambda: delivered() == 3, 60, "deliveries before the outage")

        private_redis(False)
        during = send_to_inbox(alice, alice_org, 5)  # the sends succeed: rows are queued
        assert Delivery.objects.filter(status=Delivery.Status.QUEUED).count() == 5

        private_redis(True)
        wait_until(
            lambda: delivered() == len(before) + len(during),
            120,
            "delivery after the outage",
            sweep,
        )
        assert ReceivedInvoice.objects.count() == 8
    finally:
        _use_broker(original)


def test_a_receiver_failing_then_recovering_gets_the_invoice_once(
    worker_factory: WorkerFactory, peppol_receiver: Any, alice: Any, alice_org: Organisation
) -> None:
    peppol_receiver.reset()
    peppol_receiver.fail_next(3, 500)
    worker_factory.start(FAST_SWEEP | {"PEPPOL_ACCESS_POINT_URL": peppol_receiver.url})
    customer = CustomerFactory(organisation=alice_org, org_number="", peppol_id="0007:5560360793")
    invoice = draft(alice_org, alice, customer=customer)
    delivery = services.invoice_send(invoice=invoice, user=alice)

    wait_until(lambda: delivered() == 1, 90, "delivery after the receiver recovered")
    stored = [m for m in peppol_receiver.messages() if m["key"] == str(delivery.public_id)]
    assert len(stored) == 1
    history = list(InvoiceEvent.objects.filter(invoice=invoice).values_list("status", flat=True))
    assert history.count("attempt_failed") == 3
    assert history[-1] == "delivered"
    delivery.refresh_from_db()
    assert delivery.attempts == 4


def test_an_email_delivery_arrives_with_pdf_and_xml(
    worker_factory: WorkerFactory, smtp_server: Any, alice: Any, alice_org: Organisation
) -> None:
    worker_factory.start(
        FAST_SWEEP
        | {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_server.port),
        }
    )
    # Not a portal member and no PEPPOL id: e-mail is the channel left.
    customer = CustomerFactory(organisation=alice_org, email="ekonomi@kund.example")
    invoice = draft(alice_org, alice, customer=customer)
    delivery = services.invoice_send(invoice=invoice, user=alice)

    wait_until(lambda: delivered() == 1, 60, "e-mail delivery")
    [message] = smtp_server.messages
    assert message["To"] == "ekonomi@kund.example"
    assert str(delivery.public_id) in message["Message-ID"]
    names = sorted(part.get_filename() for part in message.iter_attachments())
    assert names == ["faktura-1.pdf", "faktura-1.xml"]
    invoice.refresh_from_db()
    xml = next(p for p in message.iter_attachments() if p.get_filename().endswith(".xml"))
    assert xml.get_content() in (
        bytes(invoice.ubl_xml or b""),
        bytes(invoice.ubl_xml or b"").decode(),
    )
