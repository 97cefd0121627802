"""The risk flags a signing raises, over real HTTP against the BankID simulator.

Each kind is raised by the situation that should raise it and by nothing else: a
signatory signing the register's details raises none; a personal number appears only
masked in a flag.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, PaymentDetailsChange, RiskFlag
from accounts.registry import company_register
from signing.models import SigningOrder
from tests.bankid_simulator import Simulator
from tests.signing_steps import (
    SARA,
    TOLVAN,
    fjallgarden_create,
    login,
    member,
    poll_until_done,
    scanned_qr,
    sign_in_app,
    start_signing,
    started_order,
)

# In the register as in liquidation: details as the register has them.
GAMLA_VERKSTADEN = {
    "org_number": "559078-9011",
    "legal_name": "Gamla Verkstaden AB",
    "vat_number": "SE559078901101",
    "street_address": "Verkstadsgatan 9",
    "postal_code": "211 19",
    "city": "Malmö",
}

pytestmark = pytest.mark.django_db

Status = Organisation.VerificationStatus
Kind = RiskFlag.Kind
KARL = {"personal_number": "195801190710", "given_name": "Karl", "surname": "Persson"}
ANNA = {"personal_number": "198002142381", "given_name": "Anna", "surname": "Lindqvist"}


def kinds(organisation: Organisation) -> dict[str, bool]:
    """Return the organisation's flags as {kind: holds_sending}."""
    flags = RiskFlag.objects.filter(organisation=organisation)
    return {flag.kind: flag.holds_sending for flag in flags}


def sign(sim: Simulator, client: Client, person: dict[str, str]) -> dict[str, Any]:
    order = start_signing(client)
    sign_in_app(sim, client, order, person)
    return poll_until_done(client, order)


def owner_client(organisation: Organisation, email: str = "sara@fjallgarden.example") -> Client:
    member(organisation, email)
    return login(email)[0]


def status_of(organisation: Organisation) -> str:
    organisation.refresh_from_db()
    return organisation.verification_status


# --- First signing ----------------------------------------------------------------------------


def test_the_registers_signatory_signing_the_registers_details_raises_no_flag(
    sim: Simulator,
) -> None:
    organisation = fjallgarden_create()
    assert sign(sim, owner_client(organisation), SARA)["status"] == "complete"
    assert status_of(organisation) == Status.VERIFIED
    assert not RiskFlag.objects.exists()


def test_a_signer_outside_the_register_raises_a_holding_mismatch_with_masked_evidence(
    sim: Simulator,
) -> None:
    organisation = fjallgarden_create()
    sign(sim, owner_client(organisation), TOLVAN)
    assert kinds(organisation) == {Kind.SIGNATORY_MISMATCH: True}
    assert status_of(organisation) == Status.PENDING_REVIEW
    flag = RiskFlag.objects.get()
    assert flag.severity == RiskFlag.Severity.HIGH
    assert flag.evidence["signer_name"] == "Tolvan Tolvansson"
    assert flag.evidence["signer_personal_number"] == "19721212-XXXX"
    assert flag.evidence["register_signatories"] == [
        {"name": "Sara Nilsson", "personal_number": "19920630-XXXX"}
    ]
    assert flag.evidence["signature_evidence"] == organisation.signature_evidence.get().pk
    assert "Tolvan Tolvansson" in flag.reason
    stored = json.dumps(flag.evidence) + flag.reason
    assert TOLVAN["personal_number"] not in stored and SARA["personal_number"] not in stored


def test_an_inactive_company_signed_by_its_signatory_is_held_as_inactive_only(
    sim: Simulator,
) -> None:
    organisation = fjallgarden_create(**GAMLA_VERKSTADEN, registered_office="Malmö")
    sign(sim, owner_client(organisation, "karl@verkstaden.example"), KARL)
    # Karl is the register's signatory: no mismatch, but the company is in liquidation.
    assert kinds(organisation) == {Kind.REGISTER_INACTIVE: True}
    assert status_of(organisation) == Status.PENDING_REVIEW
    assert RiskFlag.objects.get().evidence["register_status"] == "liquidation"


def test_a_company_the_register_does_not_know_is_held_unconfirmed(sim: Simulator) -> None:
    organisation = fjallgarden_create(
        org_number="556036-0793",
        legal_name="Okänt Bolag AB",
        vat_number="SE556036079301",
        details_source=Organisation.DetailsSource.MANUAL,
    )
    sign(sim, owner_client(organisation, "tolvan@okant.example"), TOLVAN)
    # Nothing to compare the signer with: unconfirmed, not a mismatch. The hand-typed
    # details were flagged when they were confirmed, and only inform.
    assert kinds(organisation) == {Kind.REGISTER_UNCONFIRMED: True, Kind.MANUAL_DETAILS: False}
    assert status_of(organisation) == Status.PENDING_REVIEW


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def register_down(settings: Any) -> Iterator[None]:
    settings.COMPANY_REGISTER = "http"
    settings.COMPANY_REGISTER_URL = f"http://127.0.0.1:{_closed_port()}/"
    settings.COMPANY_REGISTER_TIMEOUT = 2
    company_register.cache_clear()
    yield
    company_register.cache_clear()


def test_a_register_that_does_not_answer_at_signing_holds_the_organisation(
    sim: Simulator, register_down: None
) -> None:
    organisation = fjallgarden_create()
    sign(sim, owner_client(organisation), SARA)
    assert kinds(organisation) == {Kind.REGISTER_UNCONFIRMED: True}
    assert RiskFlag.objects.get().evidence["register_answered"] is False
    assert status_of(organisation) == Status.PENDING_REVIEW


# --- Details typed in by hand --------------------------------------------------------------------


def test_details_typed_in_are_flagged_when_confirmed_once_and_inform_only(
    sim: Simulator,
) -> None:
    organisation = fjallgarden_create(details_source=Organisation.DetailsSource.MANUAL)
    client = owner_client(organisation)
    start_signing(client)
    # Raised when the user confirms the details, before any signature.
    assert kinds(organisation) == {Kind.MANUAL_DETAILS: False}
    flag = RiskFlag.objects.get()
    assert flag.evidence["confirmed_by"] == "sara@fjallgarden.example"
    assert flag.evidence["details"]["legal_name"] == "Fjällgården Turism AB"
    # Starting again with the same details confirms nothing new; the signatory's signature
    # then verifies the organisation: the flag only informed.
    assert sign(sim, client, SARA)["status"] == "complete"
    assert RiskFlag.objects.count() == 1
    assert status_of(organisation) == Status.VERIFIED


def test_a_holding_flag_raised_before_the_signature_still_holds_after_it(
    sim: Simulator, settings: Any
) -> None:
    settings.RISK_FLAG_HOLDS = frozenset({"manual_details"})
    organisation = fjallgarden_create(details_source=Organisation.DetailsSource.MANUAL)
    assert sign(sim, owner_client(organisation), SARA)["status"] == "complete"
    assert kinds(organisation) == {Kind.MANUAL_DETAILS: True}
    assert status_of(organisation) == Status.PENDING_REVIEW


# --- Failed and cancelled signings ----------------------------------------------------------------


def _cancel_in_app(sim: Simulator, client: Client) -> None:
    order = start_signing(client)
    sim.open_app(qr=scanned_qr(client, order), **SARA)
    order.refresh_from_db()
    sim.confirm(order.order_ref, action="cancel")
    assert poll_until_done(client, order)["status"] == "failed"


def _cancel_in_portal(client: Client) -> None:
    order = start_signing(client)
    client.post(reverse("signing:order_cancel", args=[order.public_id]))
    order.refresh_from_db()
    assert order.status == SigningOrder.Status.CANCELLED


def test_signings_failed_or_cancelled_by_different_people_are_flagged(sim: Simulator) -> None:
    organisation = fjallgarden_create()
    clients = [owner_client(organisation, f"user{n}@fjallgarden.example") for n in range(3)]
    _cancel_in_app(sim, clients[0])
    _cancel_in_portal(clients[1])
    assert not RiskFlag.objects.exists()  # two people are not yet "repeated"
    _cancel_in_app(sim, clients[2])
    assert kinds(organisation) == {Kind.FAILED_SIGNING_ATTEMPTS: False}
    flag = RiskFlag.objects.get()
    assert flag.evidence["people"] == 3
    assert {attempt["user"] for attempt in flag.evidence["attempts"]} == {
        "user0@fjallgarden.example",
        "user1@fjallgarden.example",
        "user2@fjallgarden.example",
    }
    assert status_of(organisation) == Status.DETAILS_CONFIRMED


def test_one_person_cancelling_again_and_again_raises_nothing(sim: Simulator) -> None:
    organisation = fjallgarden_create()
    client = owner_client(organisation)
    for _ in range(2):
        _cancel_in_app(sim, client)
    _cancel_in_portal(client)
    assert SigningOrder.objects.filter(status__in=["failed", "cancelled"]).count() == 3
    assert not RiskFlag.objects.exists()


def _refused_after_signing(
    sim: Simulator, client: Client, person: dict[str, str], n: int
) -> None:
    """Sign an order whose details changed meanwhile: BankID names the signer, we refuse."""
    order = start_signing(client)
    Organisation.objects.filter(pk=order.organisation_id).update(street_address=f"Ny väg {n}")
    sign_in_app(sim, client, order, person)
    assert poll_until_done(client, order)["status"] == "failed"


def test_three_portal_users_with_one_personal_number_are_one_person(sim: Simulator) -> None:
    organisation = fjallgarden_create()
    for n in range(3):
        client = owner_client(organisation, f"alias{n}@fjallgarden.example")
        _refused_after_signing(sim, client, TOLVAN, n)
    assert not RiskFlag.objects.exists()


def test_three_personal_numbers_failing_are_three_people(sim: Simulator) -> None:
    organisation = fjallgarden_create()
    client = owner_client(organisation)
    for n, person in enumerate([TOLVAN, SARA, ANNA]):
        _refused_after_signing(sim, client, person, n)
    flag = RiskFlag.objects.get(kind=Kind.FAILED_SIGNING_ATTEMPTS)
    masked = {attempt["personal_number"] for attempt in flag.evidence["attempts"]}
    assert masked == {"19721212-XXXX", "19920630-XXXX", "19800214-XXXX"}
    assert TOLVAN["personal_number"] not in json.dumps(flag.evidence)


# --- A new payment account -----------------------------------------------------------------------

SETTINGS_FORM = {
    "street_address": "Fjällvägen 8",
    "postal_code": "837 52",
    "city": "Åre",
    "contact_email": "",
    "payment_terms_days": "30",
    "bankgiro": "5402-9681",
    "plusgiro": "",
    "iban": "",
    "bic": "",
}


def _confirm_new_bankgiro(
    sim: Simulator, person: dict[str, str], **company: str
) -> Organisation:
    organisation = fjallgarden_create(
        verification_status=Status.VERIFIED, verified_at=timezone.now(), **company
    )
    client = owner_client(organisation)
    form = {name: company.get(name, value) for name, value in SETTINGS_FORM.items()}
    client.post(reverse("accounts:settings"), form)
    change = PaymentDetailsChange.objects.get(organisation=organisation)
    url = reverse("signing:payment_change", args=[change.public_id])
    order = started_order(client.post(url, {"confirm": "on"}))
    sign_in_app(sim, client, order, person)
    assert poll_until_done(client, order)["status"] == "complete"
    return organisation


def test_a_new_account_confirmed_by_a_non_signatory_flags_the_account_only(
    sim: Simulator,
) -> None:
    organisation = _confirm_new_bankgiro(sim, TOLVAN)
    # One flag for the account; the organisation keeps sending with the signed account.
    assert kinds(organisation) == {Kind.PAYMENT_DETAILS_CHANGED: False}
    assert status_of(organisation) == Status.VERIFIED
    flag = RiskFlag.objects.get()
    assert flag.payment_change is not None
    assert flag.payment_change.status == PaymentDetailsChange.Status.IN_REVIEW
    assert flag.evidence["proposed"]["bankgiro"] == "5402-9681"
    assert flag.evidence["signer_personal_number"] == "19721212-XXXX"
    assert "5402-9681" in flag.reason


def test_a_new_account_confirmed_by_the_signatory_raises_nothing(sim: Simulator) -> None:
    organisation = _confirm_new_bankgiro(sim, SARA)
    assert not RiskFlag.objects.exists()
    organisation.refresh_from_db()
    assert organisation.bankgiro == "5402-9681"


def test_a_new_account_confirmed_while_the_register_lists_the_company_inactive_holds_it(
    sim: Simulator,
) -> None:
    organisation = _confirm_new_bankgiro(
        sim,
        KARL,
        **GAMLA_VERKSTADEN,
    )
    # Karl is its signatory, but of a company in liquidation: the account waits, and the
    # register's answer holds all sending until staff decide.
    assert kinds(organisation) == {
        Kind.PAYMENT_DETAILS_CHANGED: False,
        Kind.REGISTER_INACTIVE: True,
    }
    assert status_of(organisation) == Status.PENDING_REVIEW
