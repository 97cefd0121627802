"""The one-time company verification, end to end over real HTTP against the BankID simulator.

The portal runs in-process (Django's test client); BankID is the simulator process,
reached through the portal's own RP client, and the "user's app" is driven through
the simulator's app-emulation endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Organisation, RiskFlag
from accounts.tests.factories import UserFactory
from signing import bankid, services
from signing.models import SignatureEvidence, SigningOrder
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
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("signing.tests.gate_urls")]

Status = Organisation.VerificationStatus


@pytest.fixture
def organisation(db: None) -> Organisation:
    return fjallgarden_create()


@pytest.fixture
def client(organisation: Organisation) -> Client:
    """Sara, owner of the organisation and its signatory in the register, logged in."""
    member(organisation, "sara@fjallgarden.example")
    return login("sara@fjallgarden.example")[0]


def test_first_user_signs_and_a_colleague_is_never_asked(
    sim: Simulator,
    organisation: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    member(organisation, "sara@fjallgarden.example")
    member(organisation, "nils@fjallgarden.example", Membership.Role.MEMBER)
    client, login_response = login("sara@fjallgarden.example")
    # At login an unverified organisation's user meets "Sign now / Later".
    assert login_response.url.startswith(reverse("signing:interstitial"))
    assert client.get(login_response.url).status_code == 200

    # A send is blocked and remembered: the user comes back to it after signing.
    blocked = client.post("/test/send/?invoice=7")
    assert blocked.url == reverse("signing:verify") + "?next=%2Ftest%2Fsend%2F%3Finvoice%3D7"
    order = start_signing(client, next_url="/test/send/?invoice=7")
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.DETAILS_CONFIRMED
    assert (
        order.qr_start_secret
        not in client.get(reverse("signing:order", args=[order.public_id])).content.decode()
    )

    sign_in_app(sim, client, order, SARA)
    with django_capture_on_commit_callbacks(execute=True):
        state = poll_until_done(client, order)
    assert state["status"] == "complete"
    assert state["redirect"] == "/test/send/?invoice=7"

    organisation.refresh_from_db()
    assert organisation.verification_status == Status.VERIFIED
    evidence = SignatureEvidence.objects.get(organisation=organisation)
    assert evidence.signer_name == "Sara Nilsson"
    assert evidence.personal_number_masked == "19920630-XXXX"
    assert "199206304421" not in evidence.personal_number_hash
    assert evidence.is_registered_signatory
    assert evidence.signed_details["org_number"] == "559045-6785"
    assert AuditEvent.objects.filter(
        organisation=organisation, action="organisation.verified"
    ).exists()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["nils@fjallgarden.example", "sara@fjallgarden.example"]
    assert client.post("/test/send/?invoice=7").content == b"sent"

    # The colleague logs in: no prompt, and sending just works.
    colleague, colleague_login = login("nils@fjallgarden.example")
    assert colleague_login.url == reverse("dashboard")
    assert colleague.post("/test/send/").content == b"sent"
    assert colleague.get(reverse("signing:verify")).status_code == 302


def test_signer_outside_the_register_goes_to_review(
    sim: Simulator, organisation: Organisation
) -> None:
    member(organisation, "tolvan@fjallgarden.example")
    client, _ = login("tolvan@fjallgarden.example")
    order = start_signing(client)
    sign_in_app(sim, client, order, TOLVAN)
    state = poll_until_done(client, order)
    assert state["redirect"] == reverse("signing:blocked")
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.PENDING_REVIEW
    evidence = SignatureEvidence.objects.get(organisation=organisation)
    assert evidence.risk_flags == ["signatory_mismatch"]
    flag = RiskFlag.objects.get(organisation=organisation)
    assert (flag.kind, flag.holds_sending) == (RiskFlag.Kind.SIGNATORY_MISMATCH, True)
    api = client.post("/api/v1/test/send/")
    assert (api.status_code, api.json()["code"]) == (403, "organisation_pending_review")


def test_details_entered_by_hand_inform_staff_but_do_not_hold_sending(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(
        details_source=Organisation.DetailsSource.MANUAL
    )
    order = start_signing(client)
    sign_in_app(sim, client, order, SARA)
    poll_until_done(client, order)
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.VERIFIED
    flag = RiskFlag.objects.get(organisation=organisation)
    assert (flag.kind, flag.holds_sending) == (RiskFlag.Kind.MANUAL_DETAILS, False)


def test_user_cancel_in_the_app_shows_rfa6_and_unlocks_nothing(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    order = start_signing(client)
    sim.open_app(qr=scanned_qr(client, order), **SARA)
    order.refresh_from_db()
    sim.confirm(order.order_ref, action="cancel")
    state = poll_until_done(client, order)
    assert state["status"] == "failed"
    assert state["message"] == "Åtgärden avbröts."
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.DETAILS_CONFIRMED
    assert not SignatureEvidence.objects.exists()
    # "Try again" starts a fresh order.
    assert start_signing(client).pk != order.pk


def test_qr_not_scanned_in_time_ends_start_failed(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    order = start_signing(client)
    sim.advance_clock(31)
    state = poll_until_done(client, order)
    assert (state["status"], state["hint_code"]) == ("failed", "startFailed")
    assert state["message"].startswith("Misslyckades att läsa av QR-koden")  # RFA17B


def test_order_never_approved_ends_expired(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    order = start_signing(client)
    sim.open_app(qr=scanned_qr(client, order), **SARA)
    sim.advance_clock(181)
    state = poll_until_done(client, order)
    assert (state["status"], state["hint_code"]) == ("failed", "expiredTransaction")
    assert state["message"].startswith("BankID-appen svarar inte")  # RFA8


def test_stale_qr_frame_is_refused_by_the_app(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    order = start_signing(client)
    frame = scanned_qr(client, order)
    sim.advance_clock(5)
    with pytest.raises(Exception, match="4"):
        sim.open_app(qr=frame, **SARA)
    order.refresh_from_db()
    assert order.status == SigningOrder.Status.PENDING


def test_bankid_maintenance_gives_rfa5_and_no_order(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    sim.fault(error="maintenance", count=1)
    response = client.post(reverse("signing:verify"), {"confirm": "on"}, follow=True)
    assert "Något gick fel. Försök igen." in response.content.decode()
    assert SigningOrder.objects.get().status == SigningOrder.Status.FAILED
    organisation.refresh_from_db()
    assert organisation.verification_status != Status.VERIFIED


def test_a_second_order_cancels_the_first(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    first = start_signing(client)
    second = start_signing(client)
    first.refresh_from_db()
    assert first.status == SigningOrder.Status.CANCELLED
    assert second.status == SigningOrder.Status.PENDING
    # BankID no longer knows the first order either.
    assert sim.order(first.order_ref)["status"] in {"cancelled", "failed"}


def test_two_users_signing_at_once_make_one_evidence(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    member(organisation, "per@fjallgarden.example", Membership.Role.ADMIN)
    per, _ = login("per@fjallgarden.example")
    clients = (client, per)
    orders = [start_signing(each) for each in clients]
    for each, order in zip(clients, orders, strict=True):
        sign_in_app(sim, each, order, SARA)
    for each, order in zip(clients, orders, strict=True):
        assert poll_until_done(each, order)["status"] == "complete"
    assert SignatureEvidence.objects.filter(organisation=organisation).count() == 1
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.VERIFIED


def test_changed_non_visible_data_is_rejected(
    sim: Simulator, organisation: Organisation, client: Client
) -> None:
    order = start_signing(client)
    # The details changed between start and completion: the signature no longer binds them.
    SigningOrder.objects.filter(pk=order.pk).update(user_non_visible_data="b3RoZXI=")
    sign_in_app(sim, client, order, SARA)
    state = poll_until_done(client, order)
    assert state["status"] == "failed"
    order.refresh_from_db()
    assert order.failure_reason == "verification: non_visible_data_mismatch"
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.DETAILS_CONFIRMED
    assert not SignatureEvidence.objects.exists()


def test_a_completion_replayed_into_another_organisations_order_is_rejected(
    sim: Simulator,
    organisation: Organisation,
    client: Client,
    mallory: Any,
    mallory_org: Organisation,
) -> None:
    order = start_signing(client)
    sign_in_app(sim, client, order, SARA)
    with bankid.bankid_client() as bankid_client:
        completion = bankid_client.collect(order.order_ref).completion
    assert completion is not None
    Organisation.objects.filter(pk=mallory_org.pk).update(street_address="Gatan 1", city="Lund")
    mallory_client = Client()
    mallory_client.force_login(mallory)
    mallory_order = start_signing(mallory_client)
    replayed = services.order_complete(mallory_order, completion)
    assert replayed.status == SigningOrder.Status.FAILED
    # Mallory's order carries her own details and digest: Sara's signature matches neither.
    assert replayed.failure_reason in {
        "verification: visible_data_mismatch",
        "verification: non_visible_data_mismatch",
    }
    mallory_org.refresh_from_db()
    assert mallory_org.verification_status != Status.VERIFIED


def test_mallory_cannot_see_or_poll_alices_order(
    sim: Simulator, organisation: Organisation, client: Client, mallory_client: Client
) -> None:
    order = start_signing(client)
    for name in ("signing:order", "signing:order_status", "signing:order_qr"):
        assert mallory_client.get(reverse(name, args=[order.public_id])).status_code == 404
    assert (
        mallory_client.post(reverse("signing:order_cancel", args=[order.public_id])).status_code
        == 404
    )
    order.refresh_from_db()
    assert order.status == SigningOrder.Status.PENDING


def test_malformed_order_ids_are_not_found(alice_client: Client) -> None:
    assert alice_client.get("/verify/orders/not-a-uuid/status/").status_code == 404


def test_reader_may_not_sign(organisation: Organisation) -> None:
    reader = member(organisation, "reader@fjallgarden.example", Membership.Role.READER)
    client = Client()
    client.force_login(reader)
    assert client.post(reverse("signing:verify"), {"confirm": "on"}).status_code == 403
    assert not SigningOrder.objects.exists()


def test_partner_held_number_cannot_start_signing(organisation: Organisation) -> None:
    from accounts.tests.factories import NetworkRegistrationFactory

    NetworkRegistrationFactory(org_number=organisation.org_number)
    member(organisation, "sara@fjallgarden.example")
    client = Client()
    client.force_login(
        UserFactory.build(email="x@example.com")
        and Membership.objects.get(organisation=organisation).user
    )
    response = client.post(reverse("signing:verify"), {"confirm": "on"})
    assert response.url == reverse("accounts:taken", args=[organisation.org_number])
    assert not SigningOrder.objects.exists()
