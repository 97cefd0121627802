"""An invitation opened while logged out: see it, sign up or log in, come back, accept.

Signing up through the link with the invited address needs no confirmation mail: the token
was mailed to that address. Any other address typed in is confirmed as usual.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Membership, Organisation
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation_url(
    alice_client: Client, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            reverse("accounts:invite"),
            {"email": "carol@example.com", "role": Membership.Role.ADMIN},
        )
    link = next(word for word in mail.outbox[-1].body.split() if "/invitations/accept/" in word)
    mail.outbox.clear()
    return urlsplit(link).path


def visitor() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_logged_out_visitor_sees_the_invitation(invitation_url: str) -> None:
    response = visitor().get(invitation_url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Konsult AB" in body
    assert "alice@example.com" in body  # who invited
    assert "as administrator" in body
    # Both links come back to this page; sign-up starts with the invited address.
    links = {
        urlsplit(href).path: parse_qs(urlsplit(href).query)
        for href in _hrefs(body)
        if href.startswith(("/accounts/signup/", "/accounts/login/"))
    }
    assert links[reverse("account_signup")] == {
        "next": [invitation_url],
        "email": ["carol@example.com"],
    }
    assert links[reverse("account_login")] == {"next": [invitation_url]}
    assert 'name="password"' not in body  # not a bare login page


def test_post_while_logged_out_goes_to_login_and_back(invitation_url: str) -> None:
    response = visitor().post(invitation_url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={invitation_url}"
    assert not Membership.objects.filter(user__email="carol@example.com").exists()


def test_signup_through_the_invitation_needs_no_second_confirmation(
    invitation_url: str, alice_org: Organisation
) -> None:
    client = visitor()
    client.get(invitation_url)
    signup = client.get(f"{reverse('account_signup')}?next={invitation_url}")
    assert signup.context["form"]["email"].value() == "carol@example.com"
    response = client.post(
        reverse("account_signup"),
        {
            "email": "carol@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": invitation_url,
        },
    )
    assert response.url == invitation_url
    assert mail.outbox == []
    assert EmailAddress.objects.get(email="carol@example.com").verified
    assert client.post(invitation_url).status_code == 302
    carol = Membership.objects.get(organisation=alice_org, user__email="carol@example.com")
    assert carol.role == Membership.Role.ADMIN


def test_another_address_typed_in_at_signup_is_not_trusted(invitation_url: str) -> None:
    client = visitor()
    client.get(invitation_url)
    response = client.post(
        reverse("account_signup"),
        {
            "email": "eve@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": invitation_url,
        },
    )
    assert response.url == reverse("account_email_verification_sent")
    assert [message.to for message in mail.outbox] == [["eve@example.com"]]
    # Neither the typed address nor the invited one is on the new account as verified.
    assert list(
        EmailAddress.objects.filter(user__email="eve@example.com").values_list("email", "verified")
    ) == [("eve@example.com", False)]
    assert not EmailAddress.objects.filter(email="carol@example.com").exists()
    assert client.post(invitation_url).status_code == 302
    assert not Membership.objects.filter(user__email="eve@example.com").exists()


def test_existing_user_logs_in_and_comes_back_to_accept(
    invitation_url: str, alice_org: Organisation
) -> None:
    UserFactory(email="carol@example.com")
    client = visitor()
    client.get(invitation_url)
    response = client.post(
        reverse("account_login"),
        {"login": "carol@example.com", "password": PASSWORD, "next": invitation_url},
    )
    assert response.url == invitation_url
    assert client.post(invitation_url).status_code == 302
    assert Membership.objects.filter(organisation=alice_org, user__email="carol@example.com")


def test_mallory_cannot_accept_carols_invitation(
    invitation_url: str, mallory_client: Client, mallory: Any, alice_org: Organisation
) -> None:
    mallory_client.post(invitation_url)
    assert not Membership.objects.filter(organisation=alice_org, user=mallory).exists()
    assert Invitation.objects.get().is_open


def test_unknown_token_is_not_found_while_logged_out() -> None:
    url = reverse("accounts:invitation_accept", args=["nope"])
    assert visitor().get(url).status_code == 404


def _hrefs(body: str) -> list[str]:
    return [part.split('"', 1)[0].replace("&amp;", "&") for part in body.split('href="')[1:]]
