"""The sending gate: marked views are blocked for organisations that may not send."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organisation
from accounts.tests.factories import MembershipFactory
from signing.selectors import sending_allowed

pytestmark = [pytest.mark.django_db, pytest.mark.urls("signing.tests.gate_urls")]
Status = Organisation.VerificationStatus


def client_in(status: str) -> tuple[Client, Organisation]:
    membership = MembershipFactory(
        organisation__verification_status=status, role=Membership.Role.MEMBER
    )
    client = Client()
    client.force_login(membership.user)
    return client, membership.organisation


def test_verified_organisation_sends(alice_client: Client) -> None:
    assert alice_client.post("/test/send/").content == b"sent"
    assert alice_client.post("/api/v1/test/send/").json() == {"sent": True}


def test_a_second_user_of_a_verified_organisation_is_never_asked(bob_client: Client) -> None:
    assert bob_client.post("/test/send/").status_code == 200


@pytest.mark.parametrize("status", [Status.UNVERIFIED, Status.DETAILS_CONFIRMED, Status.LAPSED])
def test_unverified_browser_send_goes_to_verification_and_back(status: str) -> None:
    client, _org = client_in(status)
    response = client.post("/test/send/?invoice=7")
    assert response.status_code == 302
    assert response.url == reverse("signing:verify") + "?next=%2Ftest%2Fsend%2F%3Finvoice%3D7"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Status.UNVERIFIED, "organisation_not_verified"),
        (Status.DETAILS_CONFIRMED, "organisation_not_verified"),
        (Status.PENDING_REVIEW, "organisation_pending_review"),
        (Status.SUSPENDED, "organisation_suspended"),
        (Status.REJECTED, "organisation_suspended"),
    ],
)
def test_api_send_gets_403_with_the_right_code(status: str, code: str) -> None:
    client, _org = client_in(status)
    response = client.post("/api/v1/test/send/")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    assert body["verify_url"].endswith(reverse("signing:verify"))


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.SUSPENDED, Status.REJECTED])
def test_review_and_suspension_show_the_blocked_page(status: str) -> None:
    client, _org = client_in(status)
    response = client.post("/test/send/")
    assert response.url == reverse("signing:blocked")
    page = client.get(response.url)
    assert page.context["decision"].code == sending_allowed(organisation=_org).code


def test_unmarked_views_cost_no_query(alice_client: Client) -> None:
    alice_client.get("/test/plain/")  # warm the session
    with CaptureQueriesContext(connection) as queries:
        alice_client.get("/test/plain/")
    # Only the session and user lookups of authentication; nothing about organisations.
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "accounts_organisation" not in tables
    assert "accounts_membership" not in tables


def test_marked_views_ask_the_selector_once(alice_client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        alice_client.post("/test/send/")
    membership_queries = [q for q in queries.captured_queries if "accounts_membership" in q["sql"]]
    assert len(membership_queries) == 1


def test_anonymous_users_are_left_to_the_view(db: Any) -> None:
    # The gate does not decide for anonymous users; the view's own checks do.
    assert Client().post("/test/send/").content == b"sent"


def test_the_switched_organisation_is_the_one_checked(alice: Any, alice_org: Organisation) -> None:
    unverified = MembershipFactory(user=alice, organisation__verification_status=Status.UNVERIFIED)
    client = Client()
    client.force_login(alice)
    client.post(
        reverse("accounts:switch"), {"organisation": str(unverified.organisation.public_id)}
    )
    assert client.post("/test/send/").status_code == 302
    client.post(reverse("accounts:switch"), {"organisation": str(alice_org.public_id)})
    assert client.post("/test/send/").status_code == 200
