"""allauth's mails and messages in the portal's own voice: e-faktura, not "Hello from <host>"."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_up(client: Client, email: str) -> None:
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302


def confirm_link(body: object) -> str:
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", str(body))
    assert link is not None, body
    return link.group(0)


def last_mail_to(email: str) -> str:
    """Return the body of the last mail, sent to email, with our greeting and not allauth's."""
    message = mail.outbox[-1]
    assert message.to == [email]
    assert str(message.body).startswith("Hello,\n")
    assert "Hello from" not in message.body
    return str(message.body)


def test_signup_confirmation_mail_names_the_portal_and_carries_the_link() -> None:
    sign_up(Client(), "newbie@example.com")
    message = mail.outbox[-1]
    assert message.to == ["newbie@example.com"]
    assert message.subject == "[e-faktura] Bekräfta din e-postadress för e-faktura"
    # Our greeting, not allauth's "Hello from <the host the request came in on>!".
    assert message.body.startswith("Hej,\n")
    assert "Hello from" not in message.body
    assert "Välkommen till e-faktura" in message.body
    confirm_link(message.body)
    assert "BankID" in message.body  # what happens after the confirmation


def test_signup_confirmation_mail_in_english() -> None:
    sign_up(english(), "newbie@example.com")
    body = last_mail_to("newbie@example.com")
    assert mail.outbox[-1].subject == "[e-faktura] Confirm your e-mail address for e-faktura"
    assert "Welcome to e-faktura" in body
    assert settings.SITE_URL in body
    confirm_link(body)


def test_confirmation_link_from_the_mail_confirms_the_address() -> None:
    client = Client()
    sign_up(client, "newbie@example.com")
    path = confirm_link(mail.outbox[-1].body).split("testserver", 1)[1]
    client.post(path)
    assert client.get(reverse("dashboard")).url == reverse("accounts:onboarding")


def test_login_with_an_unconfirmed_address_resends_in_the_same_voice() -> None:
    client = english()
    sign_up(client, "newbie@example.com")
    cache.clear()  # allauth resends a confirmation after a cooldown held in the cache
    client.post(reverse("account_login"), {"login": "newbie@example.com", "password": PASSWORD})
    assert len(mail.outbox) == 2
    assert mail.outbox[-1].subject == "[e-faktura] Confirm your e-mail address"
    confirm_link(last_mail_to("newbie@example.com"))


def test_password_reset_mail_in_the_portals_voice() -> None:
    UserFactory(email="forgetful@example.com")
    english().post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    body = last_mail_to("forgetful@example.com")
    assert mail.outbox[-1].subject == "[e-faktura] Choose a new password"
    assert "username" not in body  # users log in with their e-mail address
    assert "/accounts/password/reset/key/" in body


def test_password_reset_for_an_unknown_address_offers_sign_up() -> None:
    english().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    body = last_mail_to("nobody@example.com")
    assert "no e-faktura account" in body
    assert "/accounts/signup/" in body


def test_signup_with_a_known_address_mails_the_owner() -> None:
    UserFactory(email="known@example.com")
    sign_up(english(), "known@example.com")
    body = last_mail_to("known@example.com")
    assert "already has an e-faktura account" in body
    assert "/accounts/password/reset/" in body


def test_login_message_names_the_email_address() -> None:
    UserFactory(email="known@example.com", username="known-7f3a")
    client = english()
    response = client.post(
        reverse("account_login"), {"login": "known@example.com", "password": PASSWORD}
    )
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert texts == ["Successfully signed in as known@example.com."]
