"""seed_demo: the documented JSON shape, idempotence, working logins, the partner-held number."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from accounts import selectors
from accounts.models import Membership, NetworkRegistration, Organisation, PartnerIntegration
from accounts.numbers import parse_org_number
from accounts.registry import FixtureRegister

pytestmark = pytest.mark.django_db

ORGANISATION_KEYS = {"org_number", "name", "verification_status", "plan"}
USER_KEYS = {"email", "password", "org_number", "role", "is_staff", "note"}
PARTNER_KEYS = {"name", "org_numbers"}


def seed_json() -> dict[str, Any]:
    buf = io.StringIO()
    call_command("seed_demo", "--json", stdout=buf)
    data = json.loads(buf.getvalue())  # exactly one JSON document, nothing else on stdout
    assert isinstance(data, dict)
    return data


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "registrations": NetworkRegistration.objects.count(),
        "partners": PartnerIntegration.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # seed_demo hashes four passwords per run; the default hasher makes that take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(_fast_hasher) -> dict[str, Any]:
    return seed_json()


def test_json_has_the_documented_shape(demo):
    assert set(demo) == {"organisations", "users", "partners"}
    assert demo["organisations"]
    assert demo["users"]
    assert demo["partners"]
    for organisation in demo["organisations"]:
        assert set(organisation) == ORGANISATION_KEYS
        assert parse_org_number(organisation["org_number"]) == organisation["org_number"]
        assert isinstance(organisation["name"], str) and organisation["name"]
        assert organisation["plan"] in {"bas", "plus"}
    for user in demo["users"]:
        assert set(user) == USER_KEYS
        assert isinstance(user["is_staff"], bool)
        assert isinstance(user["password"], str) and user["password"]
    for partner in demo["partners"]:
        assert set(partner) == PARTNER_KEYS
        assert isinstance(partner["org_numbers"], list)


def test_json_matches_the_database(demo):
    for entry in demo["organisations"]:
        organisation = Organisation.objects.get(org_number=entry["org_number"])
        assert organisation.legal_name == entry["name"]
        assert organisation.verification_status == entry["verification_status"]
        assert organisation.plan == entry["plan"]
    for entry in demo["users"]:
        user = get_user_model().objects.get(email=entry["email"])
        assert user.is_staff is entry["is_staff"]
        if entry["org_number"] is not None:
            membership = Membership.objects.get(
                user=user, organisation__org_number=entry["org_number"]
            )
            assert membership.role == entry["role"]
    for entry in demo["partners"]:
        partner = PartnerIntegration.objects.get(name=entry["name"])
        held = NetworkRegistration.objects.filter(partner=partner, ended_at__isnull=True)
        assert sorted(r.org_number for r in held) == entry["org_numbers"]


def _members_of(demo: dict[str, Any], org_number: str) -> list[dict[str, Any]]:
    return [u for u in demo["users"] if u["org_number"] == org_number]


def test_a_verified_organisation_with_two_users(demo):
    verified = [o for o in demo["organisations"] if o["verification_status"] == "verified"]
    assert len(verified) == 1
    org_number = verified[0]["org_number"]
    members = _members_of(demo, org_number)
    assert len(members) == 2
    assert {m["role"] for m in members} >= {"owner"}
    assert Membership.objects.filter(organisation__org_number=org_number).count() == 2
    # Two users need Web Plus (Web Bas has one seat).
    assert verified[0]["plan"] == "plus"


def test_unverified_organisations_with_an_owner_each(demo):
    unverified = [o for o in demo["organisations"] if o["verification_status"] == "unverified"]
    assert len(unverified) == 2
    for organisation in unverified:
        members = _members_of(demo, organisation["org_number"])
        assert [m["role"] for m in members] == ["owner"]


def test_a_squatted_number_and_its_signatory_without_organisation(demo):
    sara = next(u for u in demo["users"] if u["email"] == "sara@fjallgarden.example")
    assert (sara["org_number"], sara["is_staff"]) == (None, False)
    assert "559045-6785" in sara["note"]
    record = FixtureRegister().lookup("559045-6785")
    assert record is not None and record.signatories[0].name == "Sara Nilsson"


def test_a_partner_holds_a_third_org_number(demo):
    (partner,) = demo["partners"]
    assert partner["name"]
    (held,) = partner["org_numbers"]
    assert parse_org_number(held) == held
    assert held not in {o["org_number"] for o in demo["organisations"]}
    assert not Organisation.objects.filter(org_number=held).exists()


def test_the_partner_org_number_is_reported_taken(demo):
    (partner,) = demo["partners"]
    (held,) = partner["org_numbers"]
    claim = selectors.org_number_claim(org_number=held)
    assert claim.is_free is False
    assert claim.organisation is None
    assert claim.registration is not None
    assert claim.registration.partner.name == partner["name"]


def test_demo_organisations_are_not_reported_free(demo):
    for entry in demo["organisations"]:
        claim = selectors.org_number_claim(org_number=entry["org_number"])
        assert claim.organisation is not None
        assert claim.organisation.org_number == entry["org_number"]


def test_two_staff_users_without_organisation_who_may_review(demo):
    # Two, so that a four-eyes decision can be tried in the demo.
    staff = [u for u in demo["users"] if u["is_staff"]]
    assert len(staff) == 2
    for entry in staff:
        assert entry["org_number"] is None
        user = get_user_model().objects.get(email=entry["email"])
        assert user.is_staff is True
        assert user.user_permissions.filter(codename="review_riskflag").exists()
        assert not Membership.objects.filter(user=user).exists()
    assert all(not u["is_staff"] for u in demo["users"] if u["org_number"] is not None)


def test_the_squatters_hand_typed_claim_waits_in_the_review_queue(demo):
    from accounts.models import RiskFlag

    flag = RiskFlag.objects.get(org_number="559045-6785")
    assert flag.kind == RiskFlag.Kind.MANUAL_DETAILS
    assert flag.is_active
    organisation = Organisation.objects.get(org_number="559045-6785")
    assert flag.organisation == organisation
    assert organisation.details_source == Organisation.DetailsSource.MANUAL
    assert organisation.verification_status == Organisation.VerificationStatus.UNVERIFIED
    seed_json()  # idempotent: no second flag
    assert RiskFlag.objects.filter(org_number="559045-6785").count() == 1


def test_every_printed_password_logs_in(demo):
    for entry in demo["users"]:
        user = authenticate(username=entry["email"], password=entry["password"])
        assert user is not None, entry["email"]
        assert user.email == entry["email"]
        assert authenticate(username=entry["email"], password=entry["password"] + "x") is None


def test_every_user_has_a_verified_primary_email(demo):
    from allauth.account.models import EmailAddress

    for entry in demo["users"]:
        address = EmailAddress.objects.get(email=entry["email"])
        assert address.verified is True
        assert address.primary is True


def test_running_twice_gives_the_same_result_and_no_duplicates(demo):
    counts = row_counts()
    assert counts["organisations"] == len(demo["organisations"])
    assert counts["users"] == len(demo["users"])
    second = seed_json()
    assert second == demo
    assert row_counts() == counts
    # The passwords still work after the second run.
    for entry in second["users"]:
        assert authenticate(username=entry["email"], password=entry["password"]) is not None


def test_a_second_run_restores_a_changed_password(demo):
    entry = demo["users"][0]
    user = get_user_model().objects.get(email=entry["email"])
    user.set_password("something-else-entirely-7")
    user.save()
    assert authenticate(username=entry["email"], password=entry["password"]) is None
    seed_json()
    assert authenticate(username=entry["email"], password=entry["password"]) is not None


def test_text_output_lists_the_logins(demo):
    buf = io.StringIO()
    call_command("seed_demo", stdout=buf)
    text = buf.getvalue()
    for entry in demo["users"]:
        assert entry["email"] in text
        assert entry["password"] in text
    for entry in demo["organisations"]:
        assert entry["org_number"] in text
