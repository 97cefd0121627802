"""Attacks on the verification, each played out over real HTTP against the BankID simulator.

Each test is a fraudster's move from the penetration test (issue 10): swap the details
mid-signing, redirect payments after verification, use a running order to undo a
suspension, squat a company's number, flood BankID with starts, or lie in the RP's JSON.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import errors as accounts_errors
from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.models import (
    AuditEvent,
    JoinRequest,
    Membership,
    Organisation,
    PaymentDetailsChange,
    RiskFlag,
)
from accounts.tests.factories import MembershipFactory, UserFactory
from accounts.tests.staff import staff_user, totp_logged_in
from signing import bankid, services
from signing.models import Purpose, SignatureEvidence, SigningOrder
from tests.bankid_simulator import Simulator
from tests.signing_steps import (
    SARA,
    TOLVAN,
    fjallgarden_create,
    login,
    member,
    poll_until_done,
    sign_in_app,
    start_signing,
    started_order,
)

pytestmark = pytest.mark.django_db

Status = Organisation.VerificationStatus
ChangeStatus = PaymentDetailsChange.Status
NEW_BANKGIRO = "5402-9681"
SETTINGS_FORM = {
    "street_address": "Fjällvägen 8",
    "postal_code": "837 52",
    "city": "Åre",
    "contact_email": "",
    "payment_terms_days": "30",
    "bankgiro": "5050-1055",
    "plusgiro": "",
    "iban": "",
    "bic": "",
}


@pytest.fixture
def organisation(db: None) -> Organisation:
    return fjallgarden_create()


@pytest.fixture
def sara(organisation: Organisation) -> Client:
    """Sara: owner of Fjällgården and its signatory in the register, logged in."""
    member(organisation, "sara@fjallgarden.example")
    return login("sara@fjallgarden.example")[0]


def verified(organisation: Organisation) -> Organisation:
    Organisation.objects.filter(pk=organisation.pk).update(
        verification_status=Status.VERIFIED, verified_at=timezone.now()
    )
    organisation.refresh_from_db()
    return organisation


def change_bankgiro(client: Client, bankgiro: str) -> Any:
    return client.post(reverse("accounts:settings"), {**SETTINGS_FORM, "bankgiro": bankgiro})


def confirm_change(client: Client, change: PaymentDetailsChange) -> SigningOrder:
    url = reverse("signing:payment_change", args=[change.public_id])
    return started_order(client.post(url, {"confirm": "on"}))


def sign(sim: Simulator, client: Client, order: SigningOrder, person: dict[str, str]) -> Any:
    sign_in_app(sim, client, order, person)
    return poll_until_done(client, order)


# --- 1. The details that were signed are the ones invoices carry ---------------------------------


def test_a_bankgiro_changed_while_the_order_runs_verifies_nothing(
    sim: Simulator, organisation: Organisation, sara: Client
) -> None:
    order = start_signing(sara)
    assert change_bankgiro(sara, NEW_BANKGIRO).status_code == 302
    state = sign(sim, sara, order, SARA)
    assert state["status"] == "failed"
    assert "signera igen" in state["message"]
    order.refresh_from_db()
    assert order.failure_reason == "details_changed"
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.DETAILS_CONFIRMED
    assert not SignatureEvidence.objects.exists()


def test_after_verification_a_new_bankgiro_waits_for_bankid_and_invoices_keep_the_signed_one(
    sim: Simulator,
    organisation: Organisation,
    sara: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    verified(organisation)
    member(organisation, "per@fjallgarden.example")  # another owner, told by e-mail
    response = change_bankgiro(sara, NEW_BANKGIRO)
    change = PaymentDetailsChange.objects.get(organisation=organisation)
    assert response.url == reverse("signing:payment_change", args=[change.public_id])
    organisation.refresh_from_db()
    assert organisation.bankgiro == "5050-1055"  # what invoices carry until confirmed
    assert change.status == ChangeStatus.AWAITING_SIGNATURE
    page = sara.get(response.url).content.decode()
    assert "5050-1055" in page and NEW_BANKGIRO in page

    order = confirm_change(sara, change)
    assert order.purpose == Purpose.PAYMENT_CHANGE
    text = order.user_visible_data
    assert text  # the app shows old and new account
    with django_capture_on_commit_callbacks(execute=True):
        state = sign(sim, sara, order, SARA)
    assert state["status"] == "complete"
    assert state["redirect"] == reverse("accounts:settings")
    organisation.refresh_from_db()
    change.refresh_from_db()
    assert (organisation.bankgiro, change.status) == (NEW_BANKGIRO, ChangeStatus.APPLIED)
    assert organisation.verification_status == Status.VERIFIED  # never a second verification
    evidence = SignatureEvidence.objects.get(order=order)
    assert evidence.outcome == SignatureEvidence.Outcome.PAYMENT_CHANGE_APPLIED
    assert [message.to for message in mail.outbox] == [["per@fjallgarden.example"]]
    assert NEW_BANKGIRO in mail.outbox[0].body


def test_a_change_confirmed_by_a_non_signatory_waits_for_staff_and_a_decline_keeps_the_account(
    sim: Simulator, organisation: Organisation, admin_user: Any
) -> None:
    verified(organisation)
    member(organisation, "tolvan@fjallgarden.example")
    tolvan, _ = login("tolvan@fjallgarden.example")
    change_bankgiro(tolvan, NEW_BANKGIRO)
    change = PaymentDetailsChange.objects.get(organisation=organisation)
    state = sign(sim, tolvan, confirm_change(tolvan, change), TOLVAN)
    assert state["status"] == "complete"
    change.refresh_from_db()
    organisation.refresh_from_db()
    assert change.status == ChangeStatus.IN_REVIEW
    assert organisation.bankgiro == "5050-1055"
    # Sending never stops for it: only the new account waits.
    assert organisation.verification_status == Status.VERIFIED
    case = RiskFlag.objects.get(kind=RiskFlag.Kind.PAYMENT_DETAILS_CHANGED)
    assert case.payment_change == change
    assert {"approve", "reject"} <= set(accounts_selectors.review_decisions_offered(flag=case))

    accounts_services.review_decide(
        staff=admin_user, flag=case, action="reject", reason="Not asked for by the company"
    )
    change.refresh_from_db()
    organisation.refresh_from_db()
    assert change.status == ChangeStatus.DECLINED
    assert organisation.bankgiro == "5050-1055"


def test_staff_approval_of_a_change_in_review_applies_the_new_account(
    organisation: Organisation, admin_user: Any
) -> None:
    verified(organisation)
    owner = member(organisation, "tolvan@fjallgarden.example")
    change = accounts_services.organisation_update(
        actor=owner, organisation=organisation, changes={"bankgiro": NEW_BANKGIRO}
    )
    assert change is not None
    change.organisation = Organisation.objects.get(pk=organisation.pk)
    accounts_services.payment_change_confirmed(
        change=change, signer_is_signatory=False, confirmed_by=owner
    )
    case = RiskFlag.objects.get(kind=RiskFlag.Kind.PAYMENT_DETAILS_CHANGED)
    accounts_services.review_decide(
        staff=admin_user, flag=case, action="approve", reason="Confirmed by the CEO by phone"
    )
    organisation.refresh_from_db()
    assert organisation.bankgiro == NEW_BANKGIRO


def test_during_review_a_new_bankgiro_is_held_and_approval_verifies_the_signed_one(
    sim: Simulator, organisation: Organisation, admin_user: Any
) -> None:
    member(organisation, "tolvan@fjallgarden.example")
    tolvan, _ = login("tolvan@fjallgarden.example")
    sign(sim, tolvan, start_signing(tolvan), TOLVAN)
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.PENDING_REVIEW

    change_bankgiro(tolvan, NEW_BANKGIRO)
    organisation.refresh_from_db()
    assert organisation.bankgiro == "5050-1055"
    assert PaymentDetailsChange.objects.get().status == ChangeStatus.AWAITING_SIGNATURE

    case = RiskFlag.objects.get(kind=RiskFlag.Kind.SIGNATORY_MISMATCH)
    accounts_services.review_decide(
        staff=admin_user, flag=case, action="approve", reason="Power of attorney seen"
    )
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.VERIFIED
    assert organisation.bankgiro == "5050-1055"  # the signed account, not the typed one


def test_a_case_offers_no_decision_without_an_effect(
    organisation: Organisation, admin_user: Any
) -> None:
    case = RiskFlag.objects.create(
        kind=RiskFlag.Kind.SIGNATORY_MISMATCH,
        org_number=organisation.org_number,
        organisation=organisation,
        holds_sending=True,
    )
    Organisation.objects.filter(pk=organisation.pk).update(verification_status=Status.SUSPENDED)
    case.refresh_from_db()
    assert accounts_selectors.review_decisions_offered(flag=case) == []
    with pytest.raises(accounts_errors.DecisionNotOffered):
        accounts_services.review_decide(
            staff=admin_user, flag=case, action="approve", reason="Looks fine"
        )
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.SUSPENDED


def test_a_newer_change_withdraws_the_older_one(organisation: Organisation) -> None:
    verified(organisation)
    owner = member(organisation, "sara@fjallgarden.example")
    first = accounts_services.organisation_update(
        actor=owner, organisation=organisation, changes={"bankgiro": NEW_BANKGIRO}
    )
    second = accounts_services.organisation_update(
        actor=owner, organisation=organisation, changes={"plusgiro": "9020-9"}
    )
    assert first is not None and second is not None
    first.refresh_from_db()
    assert first.status == ChangeStatus.WITHDRAWN
    assert second.proposed["bankgiro"] == "5050-1055"  # the signed account, plus the new one


def test_a_confirmation_started_before_a_newer_change_confirms_nothing(
    sim: Simulator, organisation: Organisation, sara: Client
) -> None:
    verified(organisation)
    change_bankgiro(sara, NEW_BANKGIRO)
    order = confirm_change(sara, PaymentDetailsChange.objects.get())
    assert change_bankgiro(sara, "123-4566").status_code == 302  # swapped while the app is open
    assert PaymentDetailsChange.objects.filter(status=ChangeStatus.AWAITING_SIGNATURE).count() == 1
    state = sign(sim, sara, order, SARA)
    assert state["status"] == "failed"
    organisation.refresh_from_db()
    assert organisation.bankgiro == "5050-1055"


def test_a_member_removed_mid_order_cannot_complete_it(
    sim: Simulator, organisation: Organisation, sara: Client
) -> None:
    order = start_signing(sara)
    Membership.objects.filter(user__email="sara@fjallgarden.example").delete()
    state = sign(sim, sara, order, SARA)
    assert state["status"] == "failed"
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.DETAILS_CONFIRMED


def test_mallory_cannot_open_or_confirm_alices_payment_change(
    organisation: Organisation, mallory_client: Client
) -> None:
    verified(organisation)
    owner = member(organisation, "sara@fjallgarden.example")
    change = accounts_services.organisation_update(
        actor=owner, organisation=organisation, changes={"bankgiro": NEW_BANKGIRO}
    )
    assert change is not None
    url = reverse("signing:payment_change", args=[change.public_id])
    assert mallory_client.get(url).status_code in (403, 404)
    assert mallory_client.post(url, {"confirm": "on"}).status_code in (403, 404)
    withdraw = reverse("signing:payment_change_withdraw", args=[change.public_id])
    assert mallory_client.post(withdraw).status_code in (403, 404)
    change.refresh_from_db()
    assert change.status == ChangeStatus.AWAITING_SIGNATURE
    assert not SigningOrder.objects.exists()


# --- 2. A running order cannot lift a suspension or a rejection --------------------------------


@pytest.mark.parametrize("blocked", [Status.SUSPENDED, Status.REJECTED])
def test_a_running_order_cannot_lift_a_suspension_or_rejection(
    sim: Simulator, organisation: Organisation, sara: Client, blocked: str
) -> None:
    order = start_signing(sara)
    Organisation.objects.filter(pk=organisation.pk).update(verification_status=blocked)
    state = sign(sim, sara, order, SARA)
    assert state["redirect"] == reverse("signing:blocked")
    organisation.refresh_from_db()
    assert organisation.verification_status == blocked
    evidence = SignatureEvidence.objects.get(order=order)
    assert evidence.outcome == SignatureEvidence.Outcome.RECORDED_ONLY
    assert AuditEvent.objects.filter(action="signing.recorded_only").exists()


# --- 3. No squatting of organisation numbers ------------------------------------------------------


@pytest.fixture
def squatted(db: None, mallory: Any) -> Organisation:
    """Mallory registered Fjällgården's number, with her own Bankgiro, and never signed."""
    organisation = fjallgarden_create(
        bankgiro="123-4566",
        contact_email="mallory@example.com",
        logo=b"\x89PNG mallory",
        registered_office="Palma",
    )
    MembershipFactory(organisation=organisation, user=mallory, role=Membership.Role.OWNER)
    return organisation


def takeover_form() -> dict[str, str]:
    return {"bankgiro": NEW_BANKGIRO, "vat_number": "", "confirm": "on"}


def test_the_companys_signatory_takes_a_squatted_number_over(
    sim: Simulator,
    squatted: Organisation,
    mallory: Any,
    mallory_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    UserFactory(email="sara@fjallgarden.example")
    sara, _ = login("sara@fjallgarden.example")
    # Onboarding routes Sara to the join page, which offers the takeover.
    onboarding = sara.post(reverse("accounts:onboarding"), {"org_number": "5590456785"})
    assert onboarding.url == reverse("accounts:join", args=["559045-6785"])
    takeover_url = reverse("signing:takeover", args=["559045-6785"])
    assert takeover_url in sara.get(onboarding.url).content.decode()

    order = started_order(sara.post(takeover_url, takeover_form()))
    assert order.purpose == Purpose.TAKEOVER
    with django_capture_on_commit_callbacks(execute=True):
        state = sign(sim, sara, order, SARA)
    assert (state["status"], state["redirect"]) == ("complete", reverse("dashboard"))

    squatted.refresh_from_db()
    assert squatted.verification_status == Status.VERIFIED
    assert squatted.bankgiro == NEW_BANKGIRO  # Mallory's account is never signed
    # Nor do her address for invoice questions or her logo stay on the company's invoices.
    assert squatted.contact_email == "sara@fjallgarden.example"
    assert squatted.logo is None
    assert squatted.registered_office == "Åre"  # the register's board seat, not hers
    memberships = Membership.objects.filter(organisation=squatted)
    assert [(m.user.email, m.role) for m in memberships] == [
        ("sara@fjallgarden.example", Membership.Role.OWNER)
    ]
    displaced = JoinRequest.objects.get(organisation=squatted, user=mallory)
    assert displaced.displaced_from_role == Membership.Role.OWNER
    members_page = sara.get(reverse("accounts:members")).content.decode()
    assert "Var ägare innan firmatecknaren tog över organisationen." in members_page
    case = RiskFlag.objects.get(kind=RiskFlag.Kind.TAKEOVER)
    assert case.organisation == squatted and case.status == RiskFlag.Status.OPEN
    evidence = SignatureEvidence.objects.get(order=order)
    assert evidence.outcome == SignatureEvidence.Outcome.TAKEN_OVER
    assert any(mallory.email in message.to for message in mail.outbox)
    # Mallory's session falls back to her own organisation; the taken-over one is gone.
    current = accounts_selectors.membership_current(user=mallory, organisation_id=squatted.pk)
    assert current is None or current.organisation != squatted
    assert "Fjällgården" not in mallory_client.get(reverse("dashboard")).content.decode()


def test_a_non_signatory_cannot_take_a_number_over(
    sim: Simulator, squatted: Organisation, mallory: Any
) -> None:
    UserFactory(email="tolvan@example.com")
    tolvan, _ = login("tolvan@example.com")
    order = started_order(
        tolvan.post(reverse("signing:takeover", args=["559045-6785"]), takeover_form())
    )
    state = sign(sim, tolvan, order, TOLVAN)
    assert state["status"] == "failed"
    assert "firmatecknare" in state["message"]
    squatted.refresh_from_db()
    assert squatted.verification_status == Status.UNVERIFIED
    assert Membership.objects.get(organisation=squatted).user == mallory


def test_a_verified_organisation_cannot_be_taken_over(
    squatted: Organisation,
) -> None:
    verified(squatted)
    UserFactory(email="sara@fjallgarden.example")
    sara, _ = login("sara@fjallgarden.example")
    response = sara.post(reverse("signing:takeover", args=["559045-6785"]), takeover_form())
    assert response.url == reverse("accounts:join", args=["559045-6785"])
    assert "signing:takeover" not in sara.get(response.url).content.decode()
    assert not SigningOrder.objects.exists()


def test_an_unsigned_claim_lapses_after_the_claim_period_and_frees_the_number(
    squatted: Organisation, settings: Any
) -> None:
    settings.UNSIGNED_CLAIM_DAYS = 30
    Organisation.objects.filter(pk=squatted.pk).update(
        claimed_at=timezone.now() - timedelta(days=29)
    )
    assert accounts_services.organisation_claims_lapse() == 0
    Organisation.objects.filter(pk=squatted.pk).update(
        claimed_at=timezone.now() - timedelta(days=31)
    )
    assert accounts_services.organisation_claims_lapse() == 1
    squatted.refresh_from_db()
    assert squatted.verification_status == Status.LAPSED
    assert accounts_selectors.org_number_claim(org_number=squatted.org_number).is_free
    # The company registers its own number now.
    sara = UserFactory(email="sara@fjallgarden.example")
    details = accounts_services.OrganisationDetails(
        org_number=squatted.org_number, legal_name="Fjällgården Turism AB"
    )
    created = accounts_services.organisation_create(user=sara, details=details, record=None)
    assert created.pk != squatted.pk


def test_a_claim_being_signed_does_not_lapse(
    sim: Simulator, organisation: Organisation, sara: Client
) -> None:
    start_signing(sara)
    Organisation.objects.filter(pk=organisation.pk).update(
        claimed_at=timezone.now() - timedelta(days=40)
    )
    assert accounts_services.organisation_claims_lapse() == 0


def test_a_verified_organisation_never_lapses(organisation: Organisation) -> None:
    verified(organisation)
    Organisation.objects.filter(pk=organisation.pk).update(
        claimed_at=timezone.now() - timedelta(days=400)
    )
    assert accounts_services.organisation_claims_lapse() == 0


# --- 4. Order starts are rate limited -------------------------------------------------------------


def test_bankid_starts_are_limited_per_user(
    sim: Simulator, organisation: Organisation, sara: Client, settings: Any
) -> None:
    settings.BANKID_START_LIMIT = 3
    for _ in range(3):
        start_signing(sara)
    response = sara.post(reverse("signing:verify"), {"confirm": "on"}, follow=True)
    assert "Försök igen senare" in response.content.decode()
    assert SigningOrder.objects.count() == 3


def test_bankid_starts_are_limited_per_organisation(
    sim: Simulator, organisation: Organisation, settings: Any
) -> None:
    settings.BANKID_START_LIMIT = 2
    clients = []
    for name in ("a", "b", "c"):
        member(organisation, f"{name}@fjallgarden.example")
        clients.append(login(f"{name}@fjallgarden.example")[0])
    start_signing(clients[0])
    start_signing(clients[1])
    clients[2].post(reverse("signing:verify"), {"confirm": "on"})
    assert SigningOrder.objects.count() == 2


# --- 5. Evidence names come from the verified certificate ---------------------------------------


def test_the_evidence_takes_the_name_from_the_certificate_not_the_rp_json(
    sim: Simulator, organisation: Organisation, sara: Client
) -> None:
    order = start_signing(sara)
    sign_in_app(sim, sara, order, SARA)
    with bankid.bankid_client() as client:
        completion = client.collect(order.order_ref).completion
    assert completion is not None
    forged = dataclasses.replace(completion, name="Mallory Malicious")
    order.refresh_from_db()
    services.order_complete(order, forged)
    evidence = SignatureEvidence.objects.get(order=order)
    assert evidence.signer_name == "Sara Nilsson"


def test_the_admin_masks_the_personal_number_until_a_revealed_and_audited_request(
    sim: Simulator, organisation: Organisation, sara: Client
) -> None:
    sign(sim, sara, start_signing(sara), SARA)
    admin_client = totp_logged_in(staff_user())
    evidence = SignatureEvidence.objects.get()
    page = admin_client.get(
        reverse("admin:signing_signatureevidence_change", args=[evidence.pk])
    ).content.decode()
    assert "19920630-XXXX" in page
    assert "199206304421" not in page
    reveal = reverse("admin:signing_signatureevidence_reveal", args=[evidence.pk])
    assert "199206304421" not in admin_client.get(reveal).content.decode()
    revealed = admin_client.post(reveal, {"reason": "Police request 2026-117"})
    assert "199206304421" in revealed.content.decode()
    event = AuditEvent.objects.get(action="evidence.personal_number_revealed")
    assert event.data["reason"] == "Police request 2026-117"


def test_staff_approval_of_a_review_releases_the_sends_held_for_signing(
    alice_org: Organisation, alice: Any, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from invoices.models import Delivery, PendingSend
    from invoices.tests.factories import draft

    invoice = draft(alice_org, alice)
    Organisation.objects.filter(pk=alice_org.pk).update(verification_status=Status.PENDING_REVIEW)
    PendingSend.objects.create(user=alice, invoice=invoice)
    case = RiskFlag.objects.create(
        kind=RiskFlag.Kind.SIGNATORY_MISMATCH,
        org_number=alice_org.org_number,
        organisation=alice_org,
        holds_sending=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.review_decide(
            staff=admin_user, flag=case, action="approve", reason="Signatory confirmed"
        )
    assert not PendingSend.objects.exists()
    assert Delivery.objects.filter(invoice=invoice).count() == 1
