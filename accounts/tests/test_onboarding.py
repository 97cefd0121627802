"""Onboarding: org number → register lookup → confirm or enter by hand; join and taken paths."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import (
    AuditEvent,
    JoinRequest,
    Membership,
    Organisation,
    RiskFlag,
)
from accounts.tests.factories import NetworkRegistrationFactory, UserFactory, org_number_for

pytestmark = pytest.mark.django_db

REGISTER_HIT = "559045-6785"  # Fjällgården Turism AB in the fixture register
REGISTER_INACTIVE = "559078-9011"  # Gamla Verkstaden AB, in liquidation
SOLE_TRADER = "850412-1396"  # Linnea Åberg Design, a personal identity number


@pytest.fixture
def newcomer() -> Any:
    return UserFactory(email="new@example.com")


@pytest.fixture
def client(newcomer: Any) -> Client:
    client = Client()
    client.force_login(newcomer)
    return client


@pytest.fixture
def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def details_url(org_number: str) -> str:
    return reverse("accounts:onboarding_details", args=[org_number])


def test_dashboard_sends_a_user_without_organisation_to_onboarding(client: Client) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:onboarding")


def test_onboarding_requires_login() -> None:
    response = Client().get(reverse("accounts:onboarding"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_swedish_is_the_default_whatever_the_browser_prefers(client: Client) -> None:
    page = client.get(reverse("accounts:onboarding"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert page["Content-Language"] == "sv"
    assert "Organisationsnummer" in page.content.decode()


def test_english_when_chosen_with_the_switcher(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:onboarding"))
    assert page["Content-Language"] == "en"
    assert "Organisation number" in page.content.decode()


def test_org_number_is_normalised_and_routed_to_details(client: Client) -> None:
    response = client.post(reverse("accounts:onboarding"), {"org_number": "5590456785"})
    assert response.status_code == 302
    assert response.url == details_url(REGISTER_HIT)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("559045-6786", "check digit"),
        ("55904567", "10 digits"),
        ("55904A6785", "only digits"),
    ],
)
def test_bad_org_number_gets_a_message_and_nothing_is_saved(
    english: Client, raw: str, message: str
) -> None:
    response = english.post(reverse("accounts:onboarding"), {"org_number": raw})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


def test_register_hit_shows_the_company_to_confirm(client: Client) -> None:
    response = client.get(details_url(REGISTER_HIT))
    assert response.status_code == 200
    assert response.context["record"].legal_name == "Fjällgården Turism AB"
    assert "Fjällgården Turism AB" in response.content.decode()
    assert response.context["form"].fields["legal_name"].disabled


def test_confirming_a_register_hit_creates_an_unverified_organisation(
    client: Client, newcomer: Any
) -> None:
    response = client.post(
        details_url(REGISTER_HIT),
        # A crafted request cannot rename a company the register knows.
        {
            "legal_name": "Something Else AB",
            "contact_email": "faktura@fjallgarden.example",
            "bankgiro": "5050 1055",
            "iban": "se45 5000 0000 0583 9825 7466",
            "bic": "essesess",
        },
    )
    # Straight on to the one-time signature: "Sign now" or "Later".
    assert response.url == reverse("signing:interstitial")
    organisation = Organisation.objects.get(org_number=REGISTER_HIT)
    assert organisation.legal_name == "Fjällgården Turism AB"
    assert organisation.verification_status == Organisation.VerificationStatus.UNVERIFIED
    assert organisation.details_source == Organisation.DetailsSource.REGISTER
    assert organisation.vat_number == "SE559045678501"
    assert (organisation.bankgiro, organisation.iban, organisation.bic) == (
        "5050-1055",
        "SE4550000000058398257466",
        "ESSESESS",
    )
    assert organisation.city == "Åre"
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (newcomer, Membership.Role.OWNER)
    assert AuditEvent.objects.filter(
        organisation=organisation, action="organisation.created"
    ).exists()
    assert client.get(reverse("dashboard")).context["organisation"] == organisation


def test_register_miss_lets_the_user_enter_details_by_hand(client: Client) -> None:
    unknown = org_number_for(777)
    page = client.get(details_url(unknown))
    assert page.context["record"] is None
    assert not page.context["form"].fields["legal_name"].disabled
    response = client.post(
        details_url(unknown),
        {
            "legal_name": "Handgjort AB",
            "street_address": "Gatan 1",
            "postal_code": "123 45",
            "city": "Lund",
            "plusgiro": "4 12 34-6",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(org_number=unknown)
    assert organisation.details_source == Organisation.DetailsSource.MANUAL
    assert organisation.legal_name == "Handgjort AB"
    assert organisation.plusgiro == "41234-6"


def test_inactive_company_is_warned_about(client: Client) -> None:
    response = client.get(details_url(REGISTER_INACTIVE))
    assert response.context["record"].status == "liquidation"
    assert not response.context["record"].is_active


def test_sole_trader_registers_with_a_personal_identity_number(client: Client) -> None:
    response = client.post(details_url(SOLE_TRADER), {})
    assert response.status_code == 302
    organisation = Organisation.objects.get(org_number=SOLE_TRADER)
    assert organisation.is_sole_trader


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bankgiro", "5050-1056"),
        ("plusgiro", "4 12 34-5"),
        ("iban", "SE45 5000 0000 0583 9825 7467"),
        ("bic", "ESSE"),
        ("vat_number", "SE559045678601"),
        ("contact_email", "not-an-address"),
    ],
)
def test_bad_details_get_a_field_error_and_nothing_is_saved(
    client: Client, field: str, value: str
) -> None:
    data = {"iban": "SE4550000000058398257466", field: value}
    response = client.post(details_url(REGISTER_HIT), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_bic_without_iban_is_refused(client: Client) -> None:
    response = client.post(details_url(REGISTER_HIT), {"bic": "ESSESESS"})
    assert "iban" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_bad_org_number_in_the_url_is_not_found(client: Client) -> None:
    assert client.get(details_url("559045-6786")).status_code == 404


# --- One organisation per org number --------------------------------------------------


def test_existing_organisation_routes_to_join(client: Client, alice_org: Organisation) -> None:
    response = client.post(reverse("accounts:onboarding"), {"org_number": alice_org.org_number})
    assert response.url == reverse("accounts:join", args=[alice_org.org_number])
    # Posting details directly cannot create a second organisation either.
    direct = client.post(details_url(alice_org.org_number), {"legal_name": "Copy AB"})
    assert direct.url == reverse("accounts:join", args=[alice_org.org_number])
    assert Organisation.objects.filter(org_number=alice_org.org_number).count() == 1


def test_join_request_is_recorded_once(
    client: Client, alice_org: Organisation, alice: Any, newcomer: Any
) -> None:
    url = reverse("accounts:join", args=[alice_org.org_number])
    page = client.get(url)
    assert alice_org.legal_name in page.content.decode()
    assert client.post(url, {"message": "I am the new CFO"}).status_code == 302
    client.post(url, {"message": "again"})
    request = JoinRequest.objects.get(organisation=alice_org)
    assert (request.user, request.status, request.message) == (
        newcomer,
        JoinRequest.Status.PENDING,
        "I am the new CFO",
    )
    assert not Membership.objects.filter(organisation=alice_org, user=newcomer).exists()


def test_partner_held_number_shows_the_taken_page(english: Client) -> None:
    client = english
    registration = NetworkRegistrationFactory(partner__name="Kontura ERP")
    response = client.post(reverse("accounts:onboarding"), {"org_number": registration.org_number})
    taken_url = reverse("accounts:taken", args=[registration.org_number])
    assert response.url == taken_url
    page = client.get(taken_url)
    body = page.content.decode()
    assert "Kontura ERP" in body
    assert "not recommended" in body
    assert page.context["partner"].get_kind_display() in body
    direct = client.post(details_url(registration.org_number), {"legal_name": "Copy AB"})
    assert direct.url == taken_url
    assert not Organisation.objects.exists()


def test_transfer_request_records_one_review_case(client: Client, newcomer: Any) -> None:
    registration = NetworkRegistrationFactory()
    url = reverse("accounts:taken", args=[registration.org_number])
    client.post(url, {"message": "We moved to the web service"})
    client.post(url, {"message": "twice"})
    case = RiskFlag.objects.get()
    assert case.kind == RiskFlag.Kind.TRANSFER_REQUEST
    assert (case.org_number, case.raised_by, case.registration) == (
        registration.org_number,
        newcomer,
        registration,
    )
    assert case.status == RiskFlag.Status.OPEN
    assert client.get(url).context["transfer_requested"] is True
    assert AuditEvent.objects.filter(action="transfer.requested").count() == 1
