"""The daily register re-check in a real Celery worker, and the hold it puts on a queued delivery.

Real parts only: PostgreSQL, Redis, a worker process started here, a company register
on loopback. The test commits (transaction=True): the worker only sees committed rows.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Organisation, RiskFlag
from accounts.tests.factories import OrganisationFactory
from invoices import services as invoice_services
from invoices.models import Delivery, Invoice
from invoices.services.sending import enqueue_delivery
from invoices.tests.factories import CustomerFactory, draft
from portal.celery import app as celery_app
from tests.conftest import WorkerFactory
from tests.loopback import json_server
from tests.register_server import LoopbackRegister

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_rechecks_the_register_and_refuses_the_queued_delivery(
    worker_factory: WorkerFactory, alice: Any, alice_org: Organisation
) -> None:
    OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")
    customer = CustomerFactory(organisation=alice_org)
    invoice = draft(alice_org, alice, customer=customer)
    delivery = invoice_services.invoice_send(invoice=invoice, user=alice)
    # Its broker message is lost: only the row says it is queued (the sweeper's case).
    celery_app.control.purge()
    state = LoopbackRegister()

    def answer(path: str) -> tuple[int, bytes]:
        return state.answers.get(path, (404, b"{}"))

    with json_server(answer, state.requests) as root_url:
        state.company(alice_org, "bankruptcy")
        worker = worker_factory.start(
            {"COMPANY_REGISTER": "http", "COMPANY_REGISTER_URL": f"{root_url}/"}
        )
        celery_app.send_task("accounts.recheck_register")
        flagged = RiskFlag.objects.filter(kind=RiskFlag.Kind.REGISTER_INACTIVE)
        worker.wait_for(flagged.exists)
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Organisation.VerificationStatus.PENDING_REVIEW

    enqueue_delivery(delivery.pk)
    worker.wait_for(
        lambda: Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).exists()
    )
    delivery.refresh_from_db()
    assert delivery.error_code == "organisation_pending_review"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.FAILED
