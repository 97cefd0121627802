"""Deciding through the pages: a reason is required, errors become messages, four eyes hold.

The four-eyes rule is attacked as a fraudulent insider would: the staff member who
decided opens a second session (another browser, same account) and confirms there.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, ReviewDecision, RiskFlag
from review.tests.helpers import PAGE, raise_flag, signed_in

pytestmark = pytest.mark.django_db

Status = Organisation.VerificationStatus


def decide(client: Client, flag: RiskFlag, **data: str) -> Any:
    return client.post(reverse("review:decide", args=[flag.pk]), data, follow=True, headers=PAGE)


def second_review(client: Client, flag: RiskFlag, **data: str) -> Any:
    url = reverse("review:second_review", args=[flag.pk])
    return client.post(url, data, follow=True, headers=PAGE)


@pytest.fixture
def velocity(flagged_org: Organisation, owner: Any) -> RiskFlag:
    """An informing flag on a verified organisation: suspending it needs four eyes."""
    return raise_flag(
        flagged_org, RiskFlag.Kind.VELOCITY, reason="80 fakturor på en dag.", raised_by=owner
    )


def test_the_decision_form_offers_what_the_flag_offers(
    reviewer_client: Client, flag: RiskFlag
) -> None:
    from accounts.selectors import review_decisions_offered

    body = reviewer_client.get(reverse("review:case", args=[flag.pk]), headers=PAGE)
    offered = review_decisions_offered(flag=flag)
    assert offered
    for action in offered:
        assert f'value="{action}"' in body.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body.content.decode()


def test_a_decision_without_a_reason_shows_the_error_and_changes_nothing(
    reviewer_client: Client, flag: RiskFlag, flagged_org: Organisation
) -> None:
    for reason in ("", "   "):
        response = decide(reviewer_client, flag, action="approve", reason=reason)
        assert response.status_code == 200
        assert "Write the reason for your decision." in response.content.decode()
    flag.refresh_from_db()
    flagged_org.refresh_from_db()
    assert flag.status == RiskFlag.Status.OPEN
    assert not ReviewDecision.objects.exists()
    assert flagged_org.verification_status == Status.VERIFIED


def test_a_decision_the_flag_does_not_offer_is_refused_on_the_page(
    reviewer_client: Client, flag: RiskFlag
) -> None:
    response = decide(reviewer_client, flag, action="transfer", reason="Why not.")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ReviewDecision.objects.exists()


def test_approving_with_a_reason_closes_the_flag(
    reviewer_client: Client, reviewer: Any, flag: RiskFlag
) -> None:
    response = decide(reviewer_client, flag, action="approve", reason="Checked: the owner signs.")
    assert response.status_code == 200
    assert "The decision is carried out." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.APPROVED
    decision = flag.decisions.get()
    assert (decision.decided_by, decision.reason) == (reviewer, "Checked: the owner signs.")
    # The flag's page now shows the decision and offers nothing more.
    body = response.content.decode()
    assert "Checked: the owner signs." in body
    assert "This flag offers no decision now." in body


def test_a_domain_error_is_a_message_not_a_500(
    reviewer_client: Client, second_reviewer_client: Client, flag: RiskFlag
) -> None:
    # Two reviewers open the same flag; the second decides on a page that is out of date.
    page = reviewer_client.get(reverse("review:case", args=[flag.pk]), headers=PAGE)
    assert page.status_code == 200
    decide(second_reviewer_client, flag, action="approve", reason="First decision.")
    response = decide(reviewer_client, flag, action="reject", reason="Too late.")
    assert response.status_code == 200
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.APPROVED
    assert flag.decisions.count() == 1


def test_four_eyes_one_person_with_two_sessions_cannot_confirm(
    reviewer: Any,
    reviewer_client: Client,
    second_reviewer_client: Client,
    velocity: RiskFlag,
    flagged_org: Organisation,
) -> None:
    response = decide(reviewer_client, velocity, action="suspend", reason="Looks like fraud.")
    assert "Your decision waits for a second reviewer." in response.content.decode()
    body = response.content.decode()
    assert "Waiting for a second reviewer." in body
    assert reverse("review:second_review", args=[velocity.pk]) not in body
    velocity.refresh_from_db()
    flagged_org.refresh_from_db()
    assert velocity.status == RiskFlag.Status.AWAITING_SECOND_REVIEW
    assert flagged_org.verification_status == Status.VERIFIED

    # The same person in another browser: the form is not offered, and a forged POST fails.
    other_session = signed_in(reviewer)
    assert other_session.session.session_key != reviewer_client.session.session_key
    page = other_session.get(reverse("review:case", args=[velocity.pk]), headers=PAGE)
    assert reverse("review:second_review", args=[velocity.pk]) not in page.content.decode()
    response = second_review(other_session, velocity, outcome="confirm", reason="Agreed.")
    assert response.status_code == 200
    velocity.refresh_from_db()
    flagged_org.refresh_from_db()
    assert velocity.status == RiskFlag.Status.AWAITING_SECOND_REVIEW
    assert flagged_org.verification_status == Status.VERIFIED
    decision = velocity.decisions.get()
    assert decision.status == ReviewDecision.Status.AWAITING_SECOND
    assert decision.second_reviewer is None

    # Another staff member sees who decided what and why, and confirms.
    page = second_reviewer_client.get(reverse("review:case", args=[velocity.pk]), headers=PAGE)
    body = page.content.decode()
    assert reviewer.email in body and "Looks like fraud." in body
    assert reverse("review:second_review", args=[velocity.pk]) in body
    response = second_review(
        second_reviewer_client, velocity, outcome="confirm", reason="Agreed after a call."
    )
    assert "The decision is confirmed and carried out." in response.content.decode()
    decision.refresh_from_db()
    flagged_org.refresh_from_db()
    assert decision.status == ReviewDecision.Status.DONE
    assert flagged_org.verification_status == Status.SUSPENDED


def test_a_second_review_needs_a_reason_too(
    reviewer_client: Client, second_reviewer_client: Client, velocity: RiskFlag
) -> None:
    decide(reviewer_client, velocity, action="suspend", reason="Looks like fraud.")
    response = second_review(second_reviewer_client, velocity, outcome="confirm", reason="")
    assert response.status_code == 200
    assert "Write the reason for your decision." in response.content.decode()
    assert velocity.decisions.get().status == ReviewDecision.Status.AWAITING_SECOND


def test_the_second_reviewer_may_turn_it_down(
    reviewer_client: Client,
    second_reviewer_client: Client,
    velocity: RiskFlag,
    flagged_org: Organisation,
) -> None:
    decide(reviewer_client, velocity, action="suspend", reason="Looks like fraud.")
    response = second_review(
        second_reviewer_client, velocity, outcome="turn_down", reason="A seasonal peak."
    )
    assert "The decision is turned down; the flag is open again." in response.content.decode()
    velocity.refresh_from_db()
    flagged_org.refresh_from_db()
    assert velocity.status == RiskFlag.Status.OPEN
    assert velocity.decisions.get().status == ReviewDecision.Status.CANCELLED
    assert flagged_org.verification_status == Status.VERIFIED
