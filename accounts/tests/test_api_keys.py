"""Settings → API keys, the create_api_key command, and GET /organisation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiKey, AuditEvent, Organisation
from accounts.services import api_key_create
from accounts.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus


def create(client: Client, **data: Any) -> Any:
    return client.post(reverse("accounts:api_keys"), {"name": "Fortnox", **data})


def test_an_owner_creates_a_key_and_sees_it_once(alice_client: Client) -> None:
    response = create(alice_client)
    key = response.context["new_key"]
    assert key.startswith("efk_") and key in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    page = alice_client.get(reverse("accounts:api_keys")).content.decode()
    assert key not in page and "Fortnox" in page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/organisation").json()["name"] == "Alice Konsult AB"


def test_a_read_only_key_from_the_browser(alice_client: Client) -> None:
    create(alice_client, read_only="on")
    assert ApiKey.objects.get().scope == ApiKey.Scope.READ_ONLY


def test_a_member_may_not_manage_keys(bob_client: Client) -> None:
    assert bob_client.get(reverse("accounts:api_keys")).status_code == 403
    assert create(bob_client).status_code == 403
    assert not ApiKey.objects.exists()


def test_an_owner_revokes_a_key_and_it_is_audited(alice_client: Client, alice: Any) -> None:
    create(alice_client)
    api_key = ApiKey.objects.get()
    alice_client.post(reverse("accounts:api_key_revoke", args=[api_key.pk]))
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoked", actor=alice).exists()


def test_mallory_can_neither_see_nor_revoke_alices_keys(
    alice_org: Organisation, alice: Any, mallory_client: Client
) -> None:
    api_key, _secret = api_key_create(actor=alice, organisation=alice_org, name="Alice ERP")
    assert "Alice ERP" not in mallory_client.get(reverse("accounts:api_keys")).content.decode()
    response = mallory_client.post(reverse("accounts:api_key_revoke", args=[api_key.pk]))
    assert response.status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_the_command_prints_the_key_alone_on_the_last_line(
    alice_org: Organisation, alice: Any
) -> None:
    out = io.StringIO()
    call_command(
        "create_api_key",
        "--org",
        alice_org.org_number,
        "--name",
        "Script",
        "--read-only",
        stdout=out,
    )
    key = out.getvalue().strip().splitlines()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/organisation").status_code == 200
    api_key = ApiKey.objects.get()
    assert api_key.is_read_only and api_key.created_by == alice  # the owner, by default


def test_the_command_refuses_an_unknown_number(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_key", "--org", "556036-0793", "--name", "x", stdout=io.StringIO())


def test_the_organisation_says_whether_it_can_send(alice_api: Any) -> None:
    body = alice_api.get("/api/v1/organisation").json()
    assert body["can_send"] is True and body["verify_url"] is None
    assert body["verification_status"] == Status.VERIFIED


def test_an_unverified_organisation_is_told_where_to_sign(db: None) -> None:
    from conftest import api_client

    organisation = OrganisationFactory(verification_status=Status.UNVERIFIED)
    body = api_client(organisation).get("/api/v1/organisation").json()
    assert body["can_send"] is False
    assert body["verify_url"].endswith(reverse("signing:verify"))


def test_a_removed_members_keys_stop_working(
    alice_client: Client, alice_org: Organisation, bob: Any
) -> None:
    from conftest import api_client

    bobs_api = api_client(alice_org, bob)
    assert bobs_api.get("/api/v1/organisation").status_code == 200
    membership = bob.memberships.get(organisation=alice_org)
    alice_client.post(reverse("accounts:member_remove", args=[membership.pk]))
    response = bobs_api.get("/api/v1/organisation")
    assert (response.status_code, response.json()["code"]) == (401, "invalid_api_key")
    assert AuditEvent.objects.filter(action="api_key.revoked").exists()


def test_a_squatters_key_dies_with_the_takeover(db: None) -> None:
    from accounts.services import members_displace
    from accounts.tests.factories import MembershipFactory, UserFactory
    from conftest import api_client
    from integrations.models import WebhookSubscription

    squatted = OrganisationFactory(verification_status=Status.UNVERIFIED)
    mallory = MembershipFactory(organisation=squatted).user
    mallorys_api = api_client(squatted, mallory)
    hook = {"url": "http://127.0.0.1:9/hook", "event_types": []}
    assert mallorys_api.post("/api/v1/webhooks", hook, format="json").status_code == 201
    members_displace(organisation=squatted, new_owner=UserFactory())
    assert mallorys_api.get("/api/v1/organisation").status_code == 401
    assert not ApiKey.objects.active().filter(organisation=squatted).exists()
    # Nor does her ERP go on hearing about the company's invoices.
    assert not WebhookSubscription.objects.filter(
        organisation=squatted, deleted_at__isnull=True
    ).exists()


def test_a_demoted_administrators_keys_stop_working(
    alice_client: Client, alice_org: Organisation
) -> None:
    from accounts.models import Membership
    from accounts.tests.factories import MembershipFactory
    from conftest import api_client

    admin = MembershipFactory(organisation=alice_org, role=Membership.Role.ADMIN)
    admins_api = api_client(alice_org, admin.user)
    alice_client.post(
        reverse("accounts:member_role", args=[admin.pk]), {"role": Membership.Role.READER}
    )
    admin.refresh_from_db()
    assert admin.role == Membership.Role.READER
    assert admins_api.get("/api/v1/organisation").status_code == 401
