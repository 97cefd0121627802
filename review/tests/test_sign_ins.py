"""Sign-ins are recorded through allauth's adapter: who, when, from where, and how."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.adapters import SIGN_IN_FAILED, SIGNED_IN
from accounts.models import AuditEvent
from accounts.tests.factories import PASSWORD, UserFactory
from review.tests.helpers import signed_in, staff

pytestmark = pytest.mark.django_db


def login(email: str, password: str = PASSWORD) -> Any:
    return Client().post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR="198.51.100.7"
    )


def test_a_sign_in_is_recorded_with_time_ip_and_method() -> None:
    user = UserFactory(email="anna@example.com")
    assert login(user.email).status_code == 302
    event = AuditEvent.objects.get(action=SIGNED_IN)
    assert event.actor == user
    assert (event.object_type, event.object_id) == ("User", str(user.pk))
    assert event.ip_address == "198.51.100.7"
    assert event.data == {"methods": ["password"]}
    assert event.organisation is None


def test_a_wrong_password_is_recorded_without_the_password_and_without_an_actor() -> None:
    user = UserFactory(email="anna@example.com")
    assert login(user.email, "guessed-Password-1").status_code == 200
    event = AuditEvent.objects.get(action=SIGN_IN_FAILED)
    assert event.actor is None
    assert event.object_id == str(user.pk)
    assert event.ip_address == "198.51.100.7"
    assert "guessed-Password-1" not in str(event.data)
    assert not AuditEvent.objects.filter(action=SIGNED_IN).exists()


def test_an_unknown_address_records_nothing() -> None:
    assert login("nobody@example.com", "whatever-1").status_code == 200
    assert not AuditEvent.objects.filter(action__in=[SIGNED_IN, SIGN_IN_FAILED]).exists()


def test_staff_are_recorded_once_the_second_factor_is_given() -> None:
    reviewer = staff("reviewer@efaktura.example")
    signed_in(reviewer)
    event = AuditEvent.objects.get(action=SIGNED_IN)
    assert event.actor == reviewer
    assert event.data == {"methods": ["mfa", "password"]}
