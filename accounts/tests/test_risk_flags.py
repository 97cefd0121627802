"""Risk flags: raised by the situation that should raise them, and by nothing else.

The daily register re-check runs against a register on loopback (real HTTP); the real
worker's run of it is in tests/test_risk_flag_worker.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts import selectors, services
from accounts.models import AuditEvent, Organisation, RiskFlag
from accounts.registry import company_register
from accounts.tasks import organisations_register_recheck_task
from accounts.tests.factories import NetworkRegistrationFactory, OrganisationFactory, UserFactory
from invoices import services as invoice_services
from invoices.models import ReceivedInvoice
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import CustomerFactory, draft
from portal.celery import app as celery_app
from tests.loopback import json_server
from tests.register_server import LoopbackRegister

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus
Kind = RiskFlag.Kind


def raise_flag(organisation: Organisation, kind: str, **extra: Any) -> RiskFlag:
    return services.risk_flag_raise(
        kind=kind,
        org_number=organisation.org_number,
        organisation=organisation,
        reason="test",
        evidence={"why": "test"},
        **extra,
    )


# --- Raising, holding, reusing ---------------------------------------------------------------


def test_a_holding_flag_puts_a_verified_organisation_in_review(alice_org: Organisation) -> None:
    flag = raise_flag(alice_org, Kind.REGISTER_INACTIVE)
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.PENDING_REVIEW
    assert (flag.holds_sending, flag.severity) == (True, RiskFlag.Severity.HIGH)
    held = AuditEvent.objects.get(action="organisation.pending_review", organisation=alice_org)
    assert held.data["previous"] == Status.VERIFIED
    assert held.data["risk_flag"] == flag.pk
    assert selectors.risk_flags_holding(organisation=alice_org) == [flag]


def test_an_informing_flag_leaves_sending_open(alice_org: Organisation) -> None:
    flag = raise_flag(alice_org, Kind.VELOCITY)
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.VERIFIED
    assert flag.holds_sending is False
    assert selectors.risk_flags_holding(organisation=alice_org) == []


def test_which_kinds_hold_is_a_setting(alice_org: Organisation, settings: Any) -> None:
    settings.RISK_FLAG_HOLDS = frozenset({"velocity"})
    flag = raise_flag(alice_org, Kind.VELOCITY)
    alice_org.refresh_from_db()
    assert flag.holds_sending is True
    assert alice_org.verification_status == Status.PENDING_REVIEW


def test_a_payment_details_flag_never_holds_the_organisation(
    alice_org: Organisation, settings: Any
) -> None:
    # Even configured to: only the new account waits for the decision.
    settings.RISK_FLAG_HOLDS = frozenset({"payment_details_changed"})
    flag = raise_flag(alice_org, Kind.PAYMENT_DETAILS_CHANGED)
    alice_org.refresh_from_db()
    assert flag.holds_sending is False
    assert alice_org.verification_status == Status.VERIFIED


def test_an_active_flag_is_reused_not_repeated(alice_org: Organisation) -> None:
    first = raise_flag(alice_org, Kind.REGISTER_INACTIVE)
    again = raise_flag(alice_org, Kind.REGISTER_INACTIVE)
    assert again.pk == first.pk
    assert RiskFlag.objects.count() == 1
    assert AuditEvent.objects.filter(action="risk_flag.raised.register_inactive").count() == 1


def test_a_closed_flag_does_not_stop_a_new_one(alice_org: Organisation) -> None:
    first = raise_flag(alice_org, Kind.VELOCITY)
    services.risk_flag_close(flag=first, actor=None, reason="moot")
    second = raise_flag(alice_org, Kind.VELOCITY)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.status == RiskFlag.Status.CLOSED


def test_a_flag_does_not_lift_a_suspension(alice_org: Organisation) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(verification_status=Status.SUSPENDED)
    raise_flag(alice_org, Kind.REGISTER_INACTIVE)
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.SUSPENDED


def test_a_held_organisation_cannot_be_taken_over_past_the_review(
    alice_org: Organisation,
) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(verified_at=timezone.now())
    raise_flag(alice_org, Kind.REGISTER_INACTIVE)
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.PENDING_REVIEW
    # A verified organisation a flag holds is still its owners': only a decision frees it.
    assert selectors.organisation_can_be_taken_over(organisation=alice_org) is False


def test_reasons_are_in_the_portals_language_whoever_acts() -> None:
    from django.utils import translation
    from django.utils.translation import gettext_lazy as _

    with translation.override("en"):
        text = services.risk_flag_reason(_("Suspended"))
    with translation.override(django_settings.LANGUAGE_CODE):
        assert text == str(_("Suspended"))


# --- Transfer request ------------------------------------------------------------------------


def test_a_transfer_request_raises_an_informing_flag_with_its_evidence() -> None:
    registration = NetworkRegistrationFactory(company_name="Partnerkund AB")
    requester = UserFactory(email="nyanvandare@example.com")
    flag = services.transfer_request_create(
        user=requester, org_number=registration.org_number, reason="Vi byter system"
    )
    assert (flag.kind, flag.holds_sending, flag.raised_by) == (
        Kind.TRANSFER_REQUEST,
        False,
        requester,
    )
    assert flag.registration == registration
    assert requester.email in flag.reason and registration.partner.name in flag.reason
    assert flag.evidence["partner"] == registration.partner.name
    assert flag.evidence["message"] == "Vi byter system"


# --- The daily re-check against the register -------------------------------------------------


@pytest.fixture
def register(settings: Any) -> Iterator[LoopbackRegister]:
    state = LoopbackRegister()

    def answer(path: str) -> tuple[int, bytes]:
        return state.answers.get(path, (404, b'{"error": "not found"}'))

    with json_server(answer, state.requests) as root_url:
        state.base_url = f"{root_url}/"
        settings.COMPANY_REGISTER = "http"
        settings.COMPANY_REGISTER_URL = state.base_url
        company_register.cache_clear()
        yield state
    company_register.cache_clear()


def test_the_recheck_holds_a_verified_organisation_the_register_lists_as_bankrupt(
    register: LoopbackRegister, alice_org: Organisation
) -> None:
    register.company(alice_org, "bankruptcy")
    summary = organisations_register_recheck_task()
    assert summary == {"checked": 1, "flagged": 1, "unknown": 0, "unanswered": 0}
    flag = RiskFlag.objects.get()
    assert (flag.kind, flag.holds_sending, flag.organisation) == (
        Kind.REGISTER_INACTIVE,
        True,
        alice_org,
    )
    assert flag.evidence["register_status"] == "bankruptcy"
    assert alice_org.legal_name in flag.reason
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.PENDING_REVIEW


def test_the_recheck_raises_nothing_for_active_or_unverified_companies(
    register: LoopbackRegister, alice_org: Organisation
) -> None:
    register.company(alice_org, "active")
    unverified = OrganisationFactory(verification_status=Status.UNVERIFIED)
    register.company(unverified, "liquidation")  # not verified: signing checks it
    summary = organisations_register_recheck_task()
    assert (summary["checked"], summary["flagged"]) == (1, 0)
    assert not RiskFlag.objects.exists()
    assert [path for path, _ in register.requests] == [
        f"/companies/{alice_org.org_number.replace('-', '')}"
    ]


def test_a_register_that_does_not_answer_raises_nothing_and_is_logged(
    register: LoopbackRegister, alice_org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    register.down(alice_org)
    with caplog.at_level(logging.WARNING, logger="accounts.services.register_checks"):
        summary = organisations_register_recheck_task()
    assert summary["unanswered"] == 1
    assert not RiskFlag.objects.exists()
    alice_org.refresh_from_db()
    assert alice_org.verification_status == Status.VERIFIED
    assert "no answer" in caplog.text


def test_the_recheck_stops_when_the_register_is_down(register: LoopbackRegister) -> None:
    organisations = [OrganisationFactory(verification_status=Status.VERIFIED) for _ in range(5)]
    for organisation in organisations:
        register.down(organisation)
    summary = organisations_register_recheck_task()
    # Three lookups without an answer in a row: the rest wait for tomorrow's run.
    assert summary["unanswered"] == 3
    assert len(register.requests) == 3


def test_the_recheck_is_on_the_beat_schedule_daily_by_default() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["recheck-register"]
    assert entry["task"] == "accounts.recheck_register"
    assert entry["schedule"] == 24 * 3600.0
    assert "accounts.recheck_register" in celery_app.tasks


def test_a_hold_stops_a_delivery_already_queued(
    register: LoopbackRegister, alice: Any, alice_org: Organisation
) -> None:
    buyer = OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")
    customer = CustomerFactory(organisation=alice_org)
    invoice = draft(alice_org, alice, customer=customer)
    delivery = invoice_services.invoice_send(invoice=invoice, user=alice)
    register.company(alice_org, "liquidation")
    organisations_register_recheck_task()
    # The worker's attempt (the task's body) checks the gate again before it delivers.
    attempt = delivery_attempt(delivery.pk, final=False)
    assert (attempt.outcome, attempt.detail) == ("failed", "organisation_pending_review")
    assert not ReceivedInvoice.objects.filter(recipient=buyer).exists()
