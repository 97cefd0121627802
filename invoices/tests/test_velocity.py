"""Velocity: a young organisation sending far beyond the thresholds raises one flag."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent, Organisation, RiskFlag
from invoices import services
from invoices.models import Customer, Delivery
from invoices.tests.factories import CustomerFactory, draft

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus


@pytest.fixture(autouse=True)
def thresholds(settings: Any) -> None:
    settings.RISK_VELOCITY_AGE_DAYS = 30
    settings.RISK_VELOCITY_WINDOW_HOURS = 24
    settings.RISK_VELOCITY_MAX_INVOICES = 2
    settings.RISK_VELOCITY_MAX_NEW_RECIPIENTS = 2


def send(organisation: Organisation, user: Any, customer: Customer) -> Delivery:
    invoice = draft(organisation, user, customer=customer)
    return services.invoice_send(invoice=invoice, user=user, confirm_duplicate=True)


def velocity_flags() -> list[RiskFlag]:
    return list(RiskFlag.objects.filter(kind=RiskFlag.Kind.VELOCITY))


def test_a_young_organisation_sending_past_the_invoice_limit_is_flagged_once(
    alice: Any, alice_org: Organisation
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    send(alice_org, alice, customer)
    send(alice_org, alice, customer)
    assert velocity_flags() == []  # at the limit is not past it
    send(alice_org, alice, customer)
    (flag,) = velocity_flags()
    assert (flag.organisation, flag.holds_sending, flag.raised_by) == (alice_org, False, alice)
    assert flag.evidence["invoices"] == 3
    assert flag.evidence["max_invoices"] == 2
    assert alice_org.legal_name in flag.reason
    send(alice_org, alice, customer)
    assert velocity_flags() == [flag]
    assert AuditEvent.objects.filter(action="risk_flag.raised.velocity").count() == 1
    # It informs: sending goes on.
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.VERIFIED


def test_a_young_organisation_sending_to_many_new_recipients_is_flagged(
    alice: Any, alice_org: Organisation, settings: Any
) -> None:
    settings.RISK_VELOCITY_MAX_INVOICES = 100
    for _ in range(3):
        send(alice_org, alice, CustomerFactory(organisation=alice_org))
    (flag,) = velocity_flags()
    assert flag.evidence["new_recipients"] == 3


def test_recipients_sent_to_before_the_window_are_not_new(
    alice: Any, alice_org: Organisation, settings: Any
) -> None:
    settings.RISK_VELOCITY_MAX_INVOICES = 100
    customers = [CustomerFactory(organisation=alice_org) for _ in range(3)]
    for customer in customers:
        send(alice_org, alice, customer)
    RiskFlag.objects.all().delete()
    Delivery.objects.update(created_at=timezone.now() - timedelta(days=2))
    for customer in customers:
        send(alice_org, alice, customer)
    assert velocity_flags() == []


def test_an_established_organisation_sending_many_is_not_flagged_nor_queried(
    alice: Any, alice_org: Organisation
) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    alice_org.refresh_from_db()
    customer = CustomerFactory(organisation=alice_org)
    for _ in range(3):
        send(alice_org, alice, CustomerFactory(organisation=alice_org))
    invoice = draft(alice_org, alice, customer=customer)
    with CaptureQueriesContext(connection) as queries:
        services.invoice_send(invoice=invoice, user=alice, confirm_duplicate=True)
    assert velocity_flags() == []
    assert not [q for q in queries.captured_queries if "COUNT(DISTINCT" in q["sql"]]


def test_the_check_of_a_young_organisation_is_one_query(
    alice: Any, alice_org: Organisation
) -> None:
    invoice = draft(alice_org, alice)
    with CaptureQueriesContext(connection) as queries:
        services.invoice_send(invoice=invoice, user=alice)
    assert len([q for q in queries.captured_queries if "COUNT(DISTINCT" in q["sql"]]) == 1


def test_once_flagged_a_young_organisation_is_not_counted_again(
    alice: Any, alice_org: Organisation
) -> None:
    # The count covers every delivery of the window: run on each send, a month end would
    # count thousands of rows per invoice, to find the flag that is already raised.
    customer = CustomerFactory(organisation=alice_org)
    for _ in range(3):
        send(alice_org, alice, customer)
    (flag,) = velocity_flags()
    invoice = draft(alice_org, alice, customer=customer)
    with CaptureQueriesContext(connection) as queries:
        services.invoice_send(invoice=invoice, user=alice, confirm_duplicate=True)
    assert not [q for q in queries.captured_queries if "COUNT(DISTINCT" in q["sql"]]
    assert velocity_flags() == [flag]
