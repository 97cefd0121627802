"""Only staff with the review permission, in a two-factor session, reach the workspace.

Everyone else meets a 404 on every page and every form: an organisation's own members,
users of other organisations, and staff without the permission. The logged-out are sent
to the login page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import AuditEvent, Organisation, RiskFlag
from accounts.tests.staff import staff_user
from review.tests.helpers import PAGE, signed_evidence, signed_in, staff

pytestmark = pytest.mark.django_db

Page = tuple[str, str, dict[str, str]]
REASON = {"action": "approve", "reason": "Checked the register by phone."}


@pytest.fixture
def pages(flag: RiskFlag, flagged_org: Organisation, owner: Any) -> list[Page]:
    evidence = signed_evidence(flagged_org, owner)
    return [
        ("get", reverse("review:queue"), {}),
        ("get", reverse("review:case", args=[flag.pk]), {}),
        ("get", reverse("review:audit_csv", args=[flagged_org.public_id]), {}),
        ("post", reverse("review:decide", args=[flag.pk]), REASON),
        ("post", reverse("review:second_review", args=[flag.pk]), {"outcome": "confirm"}),
        ("post", reverse("review:evidence_verify", args=[flag.pk, evidence.pk]), {}),
    ]


def call(client: Client, method: str, url: str, data: dict[str, str]) -> Any:
    return getattr(client, method)(url, data, headers=PAGE)


def assert_nothing_happened(flag: RiskFlag) -> None:
    flag.refresh_from_db()
    assert flag.status == RiskFlag.Status.OPEN
    assert not flag.decisions.exists()
    assert not AuditEvent.objects.filter(action__startswith="review.").exists()


def test_a_reviewer_reaches_every_page(reviewer_client: Client, pages: list[Page]) -> None:
    for method, url, _data in pages:
        if method == "get":
            assert reviewer_client.get(url, headers=PAGE).status_code == 200, url


def test_a_superuser_reviews_without_an_explicit_permission(pages: list[Page]) -> None:
    client = signed_in(staff_user("root@efaktura.example"))
    assert client.get(pages[0][1], headers=PAGE).status_code == 200


def test_staff_without_the_permission_get_404_everywhere(pages: list[Page], flag: RiskFlag) -> None:
    client = signed_in(staff("helpdesk@efaktura.example", permission=False))
    for method, url, data in pages:
        assert call(client, method, url, data).status_code == 404, url
    assert_nothing_happened(flag)


@pytest.mark.parametrize("persona", ["owner", "mallory"])
def test_users_get_404_everywhere(
    request: pytest.FixtureRequest, persona: str, pages: list[Page], flag: RiskFlag
) -> None:
    # The owner is a member of the flagged organisation; mallory is a user of another one.
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in pages:
        assert call(client, method, url, data).status_code == 404, url
    assert_nothing_happened(flag)


def test_the_logged_out_are_sent_to_log_in(pages: list[Page], flag: RiskFlag) -> None:
    client = Client()
    for method, url, data in pages:
        response = call(client, method, url, data)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url
    assert_nothing_happened(flag)


def test_a_password_only_session_must_give_its_code_first(
    reviewer: Any, pages: list[Page], flag: RiskFlag
) -> None:
    client = Client()
    client.force_login(reviewer)  # what a password alone would give
    for method, url, data in pages:
        response = call(client, method, url, data)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("mfa_reauthenticate")), url
    assert_nothing_happened(flag)


def test_without_the_middleware_the_workspace_still_wants_the_second_factor(
    reviewer: Any, pages: list[Page], flag: RiskFlag
) -> None:
    client = Client()
    client.force_login(reviewer)
    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("StaffTwoFactorMiddleware")]
    with override_settings(MIDDLEWARE=middleware):
        for method, url, data in pages:
            assert call(client, method, url, data).status_code == 404, url
    assert_nothing_happened(flag)


def test_the_admin_index_links_to_the_workspace(reviewer_client: Client) -> None:
    body = reviewer_client.get(reverse("admin:index"), headers=PAGE).content.decode()
    assert reverse("review:queue") in body
