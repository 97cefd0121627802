"""The "number already registered" page points the user to the partner that holds it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import NetworkRegistrationFactory, UserFactory, org_number_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(UserFactory(email="new@example.com"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def taken_url(org_number: str) -> str:
    return reverse("accounts:taken", args=[org_number])


def test_taken_page_names_the_partners_contact_address(client: Client) -> None:
    registration = NetworkRegistrationFactory(
        partner__name="Kontura ERP", partner__contact_email="support@kontura.example"
    )
    body = client.get(taken_url(registration.org_number)).content.decode()
    assert "Contact Kontura ERP first" in body
    assert '<a href="mailto:support@kontura.example">support@kontura.example</a>' in body
    # The transfer request is still offered.
    assert 'name="message"' in body
    assert "Request transfer" in body


def test_taken_page_in_swedish(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    registration = NetworkRegistrationFactory(
        partner__name="Kontura ERP", partner__contact_email="support@kontura.example"
    )
    body = client.get(taken_url(registration.org_number)).content.decode()
    assert "Kontakta Kontura ERP först" in body
    assert 'href="mailto:support@kontura.example"' in body


def test_taken_page_without_a_contact_address_still_says_whom_to_contact(
    client: Client,
) -> None:
    registration = NetworkRegistrationFactory(partner__name="Kontura ERP")
    body = client.get(taken_url(registration.org_number)).content.decode()
    assert "Contact Kontura ERP first" in body
    assert "mailto:" not in body


def test_number_that_is_not_taken_redirects_to_the_details(client: Client) -> None:
    org_number = org_number_for(777)
    response = client.get(taken_url(org_number))
    assert response.url == reverse("accounts:onboarding_details", args=[org_number])


def test_taken_page_needs_login() -> None:
    registration = NetworkRegistrationFactory()
    response = Client().get(taken_url(registration.org_number))
    assert response.url.startswith(reverse("account_login"))
