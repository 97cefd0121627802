"""Staff decisions on risk flags: reasons, the permission, four eyes, effects, telling the owners.

Attacks first: a decision without a reason, a reviewer without the permission, one person
passing four eyes alone (through the service or with two sessions), "reject" as a way round
the second reviewer, two staff deciding at once, another organisation answering a question.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission as AuthPermission
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from standardwebhooks.webhooks import Webhook

from accounts import errors, selectors, services
from accounts.models import (
    AuditEvent,
    Membership,
    NetworkRegistration,
    Organisation,
    PaymentDetailsChange,
    ReviewDecision,
    RiskFlag,
    RiskFlagAnswer,
    UserLanguage,
)
from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from accounts.tests.staff import staff_user, totp_code, totp_logged_in
from integrations.models import WebhookDelivery
from integrations.services import webhook_delivery_attempt
from invoices import errors as invoice_errors
from invoices import services as invoice_services
from invoices.models import Delivery, PendingSend, ReceivedInvoice
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import draft
from tests.loopback import Received, post_server

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus
Kind = RiskFlag.Kind
Action = ReviewDecision.Action


def reviewer(email: str) -> Any:
    """A staff user with the review permission (not a superuser) and a TOTP authenticator."""
    user = staff_user(email)
    user.is_superuser = False
    user.save()
    user.user_permissions.add(AuthPermission.objects.get(codename="review_riskflag"))
    return type(user).objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def first() -> Any:
    return reviewer("first@efaktura.example")


@pytest.fixture
def second() -> Any:
    return reviewer("second@efaktura.example")


@pytest.fixture
def member_buyer(db: None) -> Organisation:
    """Another portal organisation: invoices to it land in its inbox."""
    return OrganisationFactory(legal_name="Köparen AB", org_number="556036-0793")


def raise_flag(organisation: Organisation, kind: str = Kind.SIGNATORY_MISMATCH) -> RiskFlag:
    return services.risk_flag_raise(
        kind=kind,
        org_number=organisation.org_number,
        organisation=organisation,
        reason="Test flag",
        evidence={},
    )


def was_verified(organisation: Organisation) -> Organisation:
    """The organisation signed and sent before (a flag raised now holds a verified sender)."""
    Organisation.objects.filter(pk=organisation.pk).update(verified_at=timezone.now())
    organisation.refresh_from_db()
    return organisation


def status_of(organisation: Organisation) -> str:
    organisation.refresh_from_db()
    return organisation.verification_status


def decide(staff: Any, flag: RiskFlag, action: str, reason: str = "Checked") -> ReviewDecision:
    return services.review_decide(staff=staff, flag=flag, action=action, reason=reason)


def mails_to(email: str) -> list[Any]:
    return [message for message in mail.outbox if email in message.to]


# --- A reason, the permission ------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n\t"])
def test_a_decision_without_a_reason_changes_nothing(
    first: Any, alice: Any, alice_org: Organisation, reason: str
) -> None:
    flag = raise_flag(alice_org)
    assert status_of(alice_org) == Status.PENDING_REVIEW

    with pytest.raises(errors.ReasonRequired):
        decide(first, flag, Action.APPROVE, reason)

    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.OPEN
    assert status_of(alice_org) == Status.PENDING_REVIEW
    assert not ReviewDecision.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="review.").exists()


def test_a_confirmation_or_turn_down_without_a_reason_changes_nothing(
    first: Any, second: Any, alice: Any, alice_org: Organisation
) -> None:
    was_verified(alice_org)
    decision = decide(first, raise_flag(alice_org, Kind.VELOCITY), Action.SUSPEND)
    for review in (services.review_confirm, services.review_turn_down):
        with pytest.raises(errors.ReasonRequired):
            review(staff=second, decision=decision, reason=" ")
    decision.refresh_from_db()
    assert decision.status == ReviewDecision.Status.AWAITING_SECOND
    assert status_of(alice_org) == Status.VERIFIED


def test_the_service_refuses_whoever_lacks_the_review_permission(
    alice: Any, alice_org: Organisation
) -> None:
    flag = raise_flag(alice_org)
    staff_without = UserFactory(is_staff=True)
    # The permission alone is not enough: reviewers are staff, and active.
    user_with = UserFactory()
    user_with.user_permissions.add(AuthPermission.objects.get(codename="review_riskflag"))
    inactive = reviewer("gone@efaktura.example")
    inactive.is_active = False
    inactive.save()
    for user in (staff_without, type(user_with).objects.get(pk=user_with.pk), inactive, alice):
        with pytest.raises(errors.ReviewNotAllowed):
            decide(user, flag, Action.APPROVE)
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.OPEN
    assert status_of(alice_org) == Status.PENDING_REVIEW


def test_a_decision_the_flag_does_not_offer_is_refused(first: Any, alice_org: Organisation) -> None:
    flag = raise_flag(alice_org)
    for action in (Action.TRANSFER, Action.DECLINE, "delete_everything"):
        with pytest.raises(errors.DecisionNotOffered):
            decide(first, flag, action)
    assert not ReviewDecision.objects.exists()


# --- Approve -------------------------------------------------------------------------------------


def test_an_approval_lets_the_held_organisation_send_and_releases_its_held_send(
    first: Any,
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    flag = raise_flag(alice_org)
    assert status_of(alice_org) == Status.PENDING_REVIEW
    waiting = draft(alice_org, alice)
    invoice_services.pending_send_remember(user=alice, invoice=waiting)
    with pytest.raises(invoice_errors.SendingBlocked):
        invoice_services.invoice_send(invoice=draft(alice_org, alice), user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(first, flag, Action.APPROVE, "Power of attorney from the board seen")

    assert decision.status == ReviewDecision.Status.DONE
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_by) == (RiskFlag.Status.APPROVED, first)
    assert status_of(alice_org) == Status.VERIFIED
    assert alice_org.verified_at is not None
    # The send pressed during the review went out; new sends are let through.
    assert not PendingSend.objects.exists()
    assert Delivery.objects.filter(invoice=waiting).count() == 1
    assert invoice_services.invoice_send(invoice=draft(alice_org, alice), user=alice)
    event = AuditEvent.objects.get(action="review.decided")
    assert event.actor == first
    assert event.data["reason"] == "Power of attorney from the board seen"
    assert event.data["decision"] == "approve"
    [message] = mails_to(alice.email)
    assert "Alice Konsult AB" in message.subject


def test_approving_one_flag_keeps_sending_held_while_another_holds_it(
    first: Any, alice: Any, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    mismatch = raise_flag(alice_org, Kind.SIGNATORY_MISMATCH)
    inactive = raise_flag(alice_org, Kind.REGISTER_INACTIVE)

    with django_capture_on_commit_callbacks(execute=True):
        decide(first, mismatch, Action.APPROVE)
    assert status_of(alice_org) == Status.PENDING_REVIEW
    assert mail.outbox == []  # nothing changed for the owners yet

    with django_capture_on_commit_callbacks(execute=True):
        decide(first, inactive, Action.APPROVE)
    assert status_of(alice_org) == Status.VERIFIED
    assert len(mails_to(alice.email)) == 1


def test_approving_an_informing_flag_leaves_the_organisation_as_it_is(
    first: Any, alice: Any, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    flag = raise_flag(alice_org, Kind.VELOCITY)
    assert status_of(alice_org) == Status.VERIFIED
    with django_capture_on_commit_callbacks(execute=True):
        decide(first, flag, Action.APPROVE)
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.APPROVED
    assert status_of(alice_org) == Status.VERIFIED
    assert mail.outbox == []


# --- Reject and suspend ------------------------------------------------------------------------


def test_a_rejection_stops_an_organisation_that_never_sent(
    first: Any, alice: Any, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    flag = raise_flag(alice_org)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(first, flag, Action.REJECT, "The signer is unknown to the company")
    assert decision.status == ReviewDecision.Status.DONE  # nothing was running: one pair of eyes
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.REJECTED
    assert status_of(alice_org) == Status.REJECTED
    [message] = mails_to(alice.email)
    assert settings.SUPPORT_EMAIL in message.body


def test_reject_is_no_way_round_four_eyes_for_a_verified_organisation(
    first: Any, alice_org: Organisation
) -> None:
    was_verified(alice_org)
    for kind in (Kind.VELOCITY, Kind.REGISTER_INACTIVE):  # informing, and holding
        flag = raise_flag(alice_org, kind)
        assert Action.REJECT not in selectors.review_decisions_offered(flag=flag)
        assert Action.SUSPEND in selectors.review_decisions_offered(flag=flag)
        with pytest.raises(errors.DecisionNotOffered):
            decide(first, flag, Action.REJECT)
    assert status_of(alice_org) == Status.PENDING_REVIEW  # held by the register, not rejected


def test_the_admin_has_no_one_click_suspension(alice_org: Organisation) -> None:
    superuser = staff_user("root@efaktura.example")
    client = totp_logged_in(superuser)
    client.post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "suspend", "_selected_action": [alice_org.pk]},
    )
    assert status_of(alice_org) == Status.VERIFIED


def test_a_suspension_waits_for_a_second_reviewer_then_stops_a_queued_delivery(
    first: Any,
    second: Any,
    alice: Any,
    alice_org: Organisation,
    member_buyer: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    was_verified(alice_org)
    flag = raise_flag(alice_org, Kind.VELOCITY)
    queued = invoice_services.invoice_send(invoice=draft(alice_org, alice), user=alice)

    decision = decide(first, flag, Action.SUSPEND, "Invoices to 40 new buyers in an hour")

    # Nothing happens on one person's word.
    assert decision.status == ReviewDecision.Status.AWAITING_SECOND
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.AWAITING_SECOND_REVIEW
    assert status_of(alice_org) == Status.VERIFIED
    assert selectors.review_decisions_offered(flag=flag) == []
    assert selectors.review_decision_awaiting(flag=flag) == decision
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.review_confirm(staff=second, decision=decision, reason="Agreed: the pattern fits")

    decision.refresh_from_db()
    assert (decision.status, decision.second_reviewer) == (ReviewDecision.Status.DONE, second)
    assert decision.second_reason == "Agreed: the pattern fits"
    assert status_of(alice_org) == Status.SUSPENDED
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.REJECTED
    # The worker's attempt at the delivery queued before the suspension is refused.
    assert delivery_attempt(queued.pk, final=False).outcome == "failed"
    assert not ReceivedInvoice.objects.exists()
    reviews = AuditEvent.objects.filter(action__startswith="review.")
    assert {(event.action, event.actor) for event in reviews} == {
        ("review.awaiting_second", first),
        ("review.confirmed", second),
    }
    [message] = mails_to(alice.email)
    assert settings.SUPPORT_EMAIL in message.body


def test_the_one_who_decided_cannot_confirm_or_turn_down_through_the_service(
    first: Any, alice_org: Organisation
) -> None:
    was_verified(alice_org)
    decision = decide(first, raise_flag(alice_org, Kind.VELOCITY), Action.SUSPEND)
    # Another object for the same user (as another session would load it) is still that user.
    same_person = type(first).objects.get(pk=first.pk)
    for review in (services.review_confirm, services.review_turn_down):
        with pytest.raises(errors.SameReviewer):
            review(staff=same_person, decision=decision, reason="Looks right to me")
    decision.refresh_from_db()
    assert decision.status == ReviewDecision.Status.AWAITING_SECOND
    assert status_of(alice_org) == Status.VERIFIED


def test_the_database_refuses_one_person_as_both_reviewers(
    first: Any, alice_org: Organisation
) -> None:
    was_verified(alice_org)
    decision = decide(first, raise_flag(alice_org, Kind.VELOCITY), Action.SUSPEND)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewDecision.objects.filter(pk=decision.pk).update(
            second_reviewer=first, status=ReviewDecision.Status.DONE
        )


def another_session(user: Any) -> Client:
    """Log the user in once more, as from another browser a TOTP period later."""
    # allauth refuses a spent code within its period; the next period brings a fresh one.
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={totp_code()}")
    return totp_logged_in(user)


def test_four_eyes_cannot_be_passed_with_two_sessions_of_one_user(
    first: Any, second: Any, alice_org: Organisation
) -> None:
    was_verified(alice_org)
    flag = raise_flag(alice_org, Kind.VELOCITY)
    first_session, other_session = totp_logged_in(first), another_session(first)
    first_session.post(
        reverse("review:decide", args=[flag.pk]),
        {"action": Action.SUSPEND, "reason": "Sends on behalf of a shell company"},
    )
    decision = ReviewDecision.objects.get(flag=flag)
    assert decision.status == ReviewDecision.Status.AWAITING_SECOND

    other_session.post(
        reverse("review:second_review", args=[flag.pk]),
        {"outcome": "confirm", "reason": "Confirmed from my other browser"},
    )

    assert other_session.session.session_key != first_session.session.session_key
    decision.refresh_from_db()
    assert decision.status == ReviewDecision.Status.AWAITING_SECOND
    assert status_of(alice_org) == Status.VERIFIED
    # Another staff member can.
    another_session(second).post(
        reverse("review:second_review", args=[flag.pk]),
        {"outcome": "confirm", "reason": "I checked the register too"},
    )
    assert status_of(alice_org) == Status.SUSPENDED


def test_a_turned_down_decision_changes_nothing_and_opens_the_flag_again(
    first: Any, second: Any, alice_org: Organisation
) -> None:
    was_verified(alice_org)
    flag = raise_flag(alice_org, Kind.VELOCITY)
    decision = decide(first, flag, Action.SUSPEND)
    # While it waits, no other decision is taken on the flag.
    with pytest.raises(errors.DecisionAwaitingSecond):
        decide(second, flag, Action.APPROVE)

    services.review_turn_down(staff=second, decision=decision, reason="Seasonal peak, known")

    decision.refresh_from_db()
    assert decision.status == ReviewDecision.Status.CANCELLED
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.OPEN
    assert status_of(alice_org) == Status.VERIFIED
    with pytest.raises(errors.DecisionNotAwaiting):
        services.review_confirm(staff=second, decision=decision, reason="Changed my mind")
    assert status_of(alice_org) == Status.VERIFIED


def test_a_decided_flag_takes_no_other_decision(first: Any, alice_org: Organisation) -> None:
    flag = raise_flag(alice_org)
    decide(first, flag, Action.REJECT)
    with pytest.raises(errors.FlagDecided):
        decide(first, flag, Action.APPROVE)
    assert status_of(alice_org) == Status.REJECTED


# --- Two staff at once -------------------------------------------------------------------------


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads that start together; return each result or exception."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(10)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_staff_confirming_at_once_carry_the_decision_out_once(
    first: Any, second: Any, alice: Any, alice_org: Organisation
) -> None:
    third = reviewer("third@efaktura.example")
    was_verified(alice_org)
    decision = decide(first, raise_flag(alice_org, Kind.VELOCITY), Action.SUSPEND)

    results = at_once(
        *(
            lambda staff=staff: services.review_confirm(
                staff=staff, decision=decision, reason="Confirmed"
            )
            for staff in (second, third)
        )
    )

    done = [result for result in results if isinstance(result, ReviewDecision)]
    refused = [result for result in results if isinstance(result, errors.DecisionNotAwaiting)]
    assert (len(done), len(refused)) == (1, 1), results
    assert AuditEvent.objects.filter(action="review.confirmed").count() == 1
    assert AuditEvent.objects.filter(action="organisation.suspended").count() == 1
    assert len(mails_to(alice.email)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_take_one_decision(
    first: Any, second: Any, alice_org: Organisation
) -> None:
    flag = raise_flag(alice_org)

    results = at_once(
        lambda: decide(first, flag, Action.APPROVE), lambda: decide(second, flag, Action.REJECT)
    )

    decided = [result for result in results if isinstance(result, ReviewDecision)]
    assert len(decided) == 1, results
    assert isinstance(next(r for r in results if r not in decided), errors.FlagDecided)
    assert ReviewDecision.objects.count() == 1
    expected = Status.VERIFIED if decided[0].action == Action.APPROVE else Status.REJECTED
    assert status_of(alice_org) == expected


# --- Payment account changes -------------------------------------------------------------------


@pytest.fixture
def account_in_review(alice: Any, alice_org: Organisation) -> RiskFlag:
    was_verified(alice_org)
    change = services.organisation_update(
        actor=alice, organisation=alice_org, changes={"bankgiro": "5402-9681"}
    )
    assert change is not None
    change.organisation = Organisation.objects.get(pk=alice_org.pk)
    services.payment_change_confirmed(change=change, signer_is_signatory=False, confirmed_by=alice)
    mail.outbox.clear()
    return RiskFlag.objects.get(kind=Kind.PAYMENT_DETAILS_CHANGED)


def test_rejecting_a_new_account_declines_only_the_account(
    first: Any,
    alice: Any,
    alice_org: Organisation,
    account_in_review: RiskFlag,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        decide(first, account_in_review, Action.REJECT, "The CEO did not ask for it")
    alice_org.refresh_from_db()
    assert alice_org.bankgiro == "5050-1055"
    assert alice_org.verification_status == Status.VERIFIED  # sending goes on
    assert PaymentDetailsChange.objects.get().status == PaymentDetailsChange.Status.DECLINED
    [message] = mails_to(alice.email)
    assert "5402-9681" in message.body
    assert settings.SUPPORT_EMAIL in message.body


def test_approving_a_new_account_applies_it(
    first: Any,
    alice: Any,
    alice_org: Organisation,
    account_in_review: RiskFlag,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        decide(first, account_in_review, Action.APPROVE, "Bank letter seen")
    alice_org.refresh_from_db()
    assert alice_org.bankgiro == "5402-9681"
    assert len(mails_to(alice.email)) == 1


# --- Transfer requests -------------------------------------------------------------------------


@pytest.fixture
def received() -> list[Received]:
    return []


@pytest.fixture
def partner_receiver(received: list[Received]) -> Any:
    with post_server(lambda request: 204, received) as root_url:
        yield root_url + "/partner/hooks"


@pytest.fixture
def partner_org(partner_receiver: str) -> NetworkRegistration:
    """An organisation an ERP partner connected; the partner listens for webhooks."""
    partner = services.partner_create(name="Affärssystem AB", webhook_url=partner_receiver)
    partner_key, _key = services.partner_key_create(partner=partner, name="prod")
    connection = services.partner_organisation_connect(
        partner_key=partner_key, org_number="556612-3450"
    )
    assert connection.organisation.verification_status == Status.VERIFIED
    return connection.registration


def test_a_transfer_takes_two_staff_ends_the_connection_and_the_partner_gets_a_signed_webhook(
    first: Any,
    second: Any,
    partner_org: NetworkRegistration,
    received: list[Received],
    django_capture_on_commit_callbacks: Any,
) -> None:
    requester = UserFactory(email="fredrik@partnerkunden.example")
    flag = services.transfer_request_create(user=requester, org_number=partner_org.org_number)
    assert flag.organisation == partner_org.organisation  # staff see what it has sent
    decision = decide(first, flag, Action.TRANSFER, "Fredrik is the register's signatory")
    partner_org.refresh_from_db()
    assert partner_org.ended_at is None  # one pair of eyes moves nothing

    with django_capture_on_commit_callbacks(execute=True):
        services.review_confirm(staff=second, decision=decision, reason="Agreed")

    partner_org.refresh_from_db()
    assert partner_org.ended_at is not None
    organisation = Organisation.objects.get(org_number=partner_org.org_number)
    # The requester owns the organisation now, and must sign for it with BankID.
    assert organisation.verification_status == Status.UNVERIFIED
    assert organisation.memberships.get(user=requester).role == Membership.Role.OWNER
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.APPROVED
    [message] = mails_to(requester.email)
    assert reverse("signing:verify") in message.body
    # The partner's receiver gets the event, signed with the partner's secret.
    [webhook] = WebhookDelivery.objects.filter(event__type="partner.connection_ended")
    assert webhook_delivery_attempt(webhook.pk).outcome == "delivered"
    [request] = received
    payload = Webhook(partner_org.partner.webhook_secret).verify(request.body, request.headers)
    assert payload["type"] == "partner.connection_ended"
    assert payload["data"]["org_number"] == partner_org.org_number
    assert "Fredrik" not in request.body.decode()  # staff's reason stays in the file


def test_a_transferred_organisation_gives_its_new_owner_the_full_time_to_sign(
    first: Any,
    second: Any,
    partner_org: NetworkRegistration,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The partner connected the company long ago: the unsigned-claim clock must start at the
    # transfer, or the hourly lapse would free the number under its new owner at once.
    long_ago = timezone.now() - timedelta(days=settings.UNSIGNED_CLAIM_DAYS + 100)
    Organisation.objects.filter(org_number=partner_org.org_number).update(
        created_at=long_ago, claimed_at=long_ago
    )
    requester = UserFactory(email="ny.agare@example.com")
    flag = services.transfer_request_create(user=requester, org_number=partner_org.org_number)
    decision = decide(first, flag, Action.TRANSFER, "The register's signatory asks")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_confirm(staff=second, decision=decision, reason="Agreed")
    assert services.organisation_claims_lapse() == 0
    later = timezone.now() + timedelta(days=settings.UNSIGNED_CLAIM_DAYS + 1)
    assert services.organisation_claims_lapse(now=later) == 1  # unsigned in time: it lapses


def test_a_declined_transfer_keeps_the_connection_and_tells_the_requester(
    first: Any, partner_org: NetworkRegistration, django_capture_on_commit_callbacks: Any
) -> None:
    requester = UserFactory(email="someone@example.com")
    flag = services.transfer_request_create(user=requester, org_number=partner_org.org_number)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(first, flag, Action.DECLINE, "Not a signatory, no power of attorney")
    assert decision.status == ReviewDecision.Status.DONE
    partner_org.refresh_from_db()
    assert partner_org.ended_at is None
    assert not Membership.objects.filter(user=requester).exists()
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.REJECTED
    [message] = mails_to(requester.email)
    assert partner_org.org_number in message.subject
    assert "no power of attorney" not in message.body


# --- Asking the owners -------------------------------------------------------------------------


def test_a_question_goes_to_the_owners_and_their_answer_reopens_the_flag(
    first: Any,
    alice: Any,
    bob: Any,
    alice_client: Client,
    alice_org: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    flag = raise_flag(alice_org)
    question = "Who is Tolvan Tolvansson, who signed for the company?"
    with django_capture_on_commit_callbacks(execute=True):
        decide(first, flag, Action.REQUEST_INFO, question)
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.INFO_REQUESTED
    [message] = mail.outbox
    assert message.to == [alice.email]  # the owners, not every member
    assert question in message.body
    assert Action.REQUEST_INFO not in selectors.review_decisions_offered(flag=flag)
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert question in page

    response = alice_client.post(
        reverse("dashboard"), {"flag": flag.pk, "text": "Our new CFO; the board appointed him."}
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.OPEN
    answer = RiskFlagAnswer.objects.get()
    assert (answer.answered_by, answer.flag) == (alice, flag)
    assert answer.question.reason == question
    assert AuditEvent.objects.filter(action="review.info_answered", actor=alice).exists()
    assert question not in alice_client.get(reverse("dashboard")).content.decode()


def test_only_owners_and_admins_answer_and_never_for_another_organisation(
    first: Any,
    alice_org: Organisation,
    bob_client: Client,
    mallory_client: Client,
    mallory_org: Organisation,
) -> None:
    flag = raise_flag(alice_org)
    question = "Please send the board's minutes."
    decide(first, flag, Action.REQUEST_INFO, question)

    assert question not in bob_client.get(reverse("dashboard")).content.decode()
    bob_client.post(reverse("dashboard"), {"flag": flag.pk, "text": "Trust me"})
    # Mallory posts alice's flag from her own organisation's dashboard: it is not hers.
    response = mallory_client.post(reverse("dashboard"), {"flag": flag.pk, "text": "All fine"})

    assert response.status_code == 404
    assert question not in mallory_client.get(reverse("dashboard")).content.decode()
    assert not RiskFlagAnswer.objects.exists()
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.INFO_REQUESTED


# --- Each owner in their language --------------------------------------------------------------


def test_the_switcher_keeps_the_users_language_for_mails(alice: Any, alice_client: Client) -> None:
    alice_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert UserLanguage.objects.get(user=alice).language == "en"
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    alice_client.get(reverse("dashboard"))
    assert UserLanguage.objects.get(user=alice).language == "sv"


def test_owners_get_the_decision_in_the_language_each_chose(
    first: Any, alice: Any, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    english_owner = MembershipFactory(
        organisation=alice_org, user__email="erik@example.com", role=Membership.Role.OWNER
    ).user
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english.force_login(english_owner)
    english.get(reverse("dashboard"))  # the owner uses the portal in English
    flag = raise_flag(alice_org)

    # The staff member works in Swedish: that does not decide the owners' language.
    with django_capture_on_commit_callbacks(execute=True), translation.override("sv"):
        decide(first, flag, Action.APPROVE)

    [to_erik] = mails_to("erik@example.com")
    [to_alice] = mails_to(alice.email)
    assert to_erik.subject == "Alice Konsult AB can send invoices"
    assert "every user can now send invoices" in to_erik.body
    assert to_alice.subject == "Alice Konsult AB kan skicka fakturor"
    assert "alla användare kan nu skicka fakturor" in to_alice.body


# --- The dashboard says what it means ----------------------------------------------------------


def test_the_dashboard_says_what_staff_check_while_sending_is_held(
    alice_client: Client, alice_org: Organisation
) -> None:
    raise_flag(alice_org, Kind.REGISTER_INACTIVE)
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert "being reviewed by our staff" in page
    assert "deregistered, in liquidation or bankrupt" in page


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.REJECTED])
def test_the_dashboard_of_a_stopped_organisation_says_whom_to_write_to(
    alice_client: Client, alice_org: Organisation, status: str
) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(verification_status=status)
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert f"mailto:{settings.SUPPORT_EMAIL}" in page
