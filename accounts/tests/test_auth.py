"""Sign-up and login by e-mail with mandatory verification, rate limits, TOTP for every user."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_signup_requires_email_verification_before_login() -> None:
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {"email": "newbie@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert get_user_model().objects.filter(email="newbie@example.com").exists()
    # Not logged in until the address is confirmed.
    assert client.get(reverse("dashboard")).status_code == 302
    login = client.post(
        reverse("account_login"), {"login": "newbie@example.com", "password": PASSWORD}
    )
    assert login.url == reverse("account_email_verification_sent")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(mail.outbox[-1].body))
    assert link is not None
    path = link.group(0).split("testserver", 1)[1]
    client.post(path)
    response = client.get(reverse("dashboard"))
    assert response.url == reverse("accounts:onboarding")


def test_login_with_email_and_password() -> None:
    UserFactory(email="known@example.com")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "known@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:onboarding")).status_code == 200


def test_wrong_passwords_are_rate_limited() -> None:
    UserFactory(email="target@example.com")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    statuses = []
    for _attempt in range(8):
        response = client.post(
            reverse("account_login"), {"login": "target@example.com", "password": "wrong-password"}
        )
        statuses.append(response.status_code)
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password is refused while the limit holds.
    response = client.post(
        reverse("account_login"), {"login": "target@example.com", "password": PASSWORD}
    )
    assert response.status_code != 302


def test_password_reset_mails_a_link() -> None:
    UserFactory(email="forgetful@example.com")
    response = Client().post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["forgetful@example.com"]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def logged_in(email: str) -> Client:
    """Log in through the form: allauth asks for recent authentication before MFA changes."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def reauthenticated(client: Client) -> Client:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return client


def test_totp_is_offered_to_every_user(alice: Any) -> None:
    client = reauthenticated(logged_in(alice.email))
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "totp" in response.content.decode().lower()
