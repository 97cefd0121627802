"""Members, roles, invitations, join requests, plans and switching organisation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import errors, services
from accounts.models import Invitation, JoinRequest, Membership, Organisation, Plan
from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def membership_of(user: Any, organisation: Organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


# --- Roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "can_manage_members", "can_send", "can_edit_settings"),
    [
        (Role.OWNER, True, True, True),
        (Role.ADMIN, True, True, True),
        (Role.MEMBER, False, True, False),
        (Role.READER, False, False, False),
    ],
)
def test_what_each_role_may_do(
    role: str, can_manage_members: bool, can_send: bool, can_edit_settings: bool
) -> None:
    membership = MembershipFactory(role=role)
    assert membership.can("manage_members") is can_manage_members
    assert membership.can("send_invoices") is can_send
    assert membership.can("manage_organisation") is can_edit_settings
    assert membership.can("view")
    assert membership.can("manage_plan") is (role == Role.OWNER)


def test_member_may_not_invite_or_change_roles(bob_client: Client, alice: Any) -> None:
    alice_membership = Membership.objects.get(user=alice)
    assert (
        bob_client.post(
            reverse("accounts:invite"), {"email": "x@example.com", "role": Role.MEMBER}
        ).status_code
        == 403
    )
    url = reverse("accounts:member_role", args=[alice_membership.pk])
    assert bob_client.post(url, {"role": Role.READER}).status_code == 403
    assert membership_of(alice, alice_membership.organisation).role == Role.OWNER


def test_reader_may_view_settings_but_not_change_them(alice_org: Organisation) -> None:
    reader = MembershipFactory(organisation=alice_org, role=Role.READER).user
    client = Client()
    client.force_login(reader)
    assert client.get(reverse("accounts:settings")).status_code == 200
    response = client.post(reverse("accounts:settings"), {"city": "Kiruna"})
    assert response.status_code == 403
    alice_org.refresh_from_db()
    assert alice_org.city != "Kiruna"


def test_owner_changes_a_role(alice_client: Client, bob: Any, alice_org: Organisation) -> None:
    bob_membership = membership_of(bob, alice_org)
    alice_client.post(
        reverse("accounts:member_role", args=[bob_membership.pk]), {"role": Role.ADMIN}
    )
    bob_membership.refresh_from_db()
    assert bob_membership.role == Role.ADMIN


def test_admin_may_not_create_an_owner(alice_org: Organisation, bob: Any) -> None:
    admin = MembershipFactory(organisation=alice_org, role=Role.ADMIN)
    with pytest.raises(errors.RoleNotAllowed):
        services.membership_change_role(
            actor=admin, membership=membership_of(bob, alice_org), role=Role.OWNER
        )


def test_the_last_owner_stays(alice_client: Client, alice: Any, alice_org: Organisation) -> None:
    own = membership_of(alice, alice_org)
    alice_client.post(reverse("accounts:member_role", args=[own.pk]), {"role": Role.MEMBER})
    alice_client.post(reverse("accounts:member_remove", args=[own.pk]))
    own.refresh_from_db()
    assert own.role == Role.OWNER


def test_owner_removes_a_member(alice_client: Client, bob: Any, alice_org: Organisation) -> None:
    alice_client.post(reverse("accounts:member_remove", args=[membership_of(bob, alice_org).pk]))
    assert not Membership.objects.filter(user=bob).exists()


# --- Invitations ---------------------------------------------------------------------------


def invite(client: Client, email: str = "carol@example.com", role: str = Role.MEMBER) -> Any:
    return client.post(reverse("accounts:invite"), {"email": email, "role": role})


def token_from_mail() -> str:
    body = mail.outbox[-1].body
    link = next(word for word in body.split() if "/invitations/accept/" in word)
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_invitation_is_mailed_and_accepted(
    alice_client: Client, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_client, role=Role.ADMIN)
    assert mail.outbox[-1].to == ["carol@example.com"]
    token = token_from_mail()
    invitation = Invitation.objects.get()
    assert invitation.token_hash != token  # only the hash is stored
    carol = UserFactory(email="carol@example.com")
    client = Client()
    client.force_login(carol)
    url = reverse("accounts:invitation_accept", args=[token])
    assert alice_org.legal_name in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert membership_of(carol, alice_org).role == Role.ADMIN
    # The link works once.
    assert client.get(url).status_code == 404


def test_invitation_for_another_address_is_refused(
    alice_client: Client, alice_org: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_client)
    eve = UserFactory(email="eve@example.com")
    client = Client()
    client.force_login(eve)
    client.post(reverse("accounts:invitation_accept", args=[token_from_mail()]))
    assert not Membership.objects.filter(user=eve).exists()


def test_unknown_and_expired_invitations_are_not_found(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    carol = UserFactory(email="carol@example.com")
    client = Client()
    client.force_login(carol)
    assert client.get(reverse("accounts:invitation_accept", args=["nope"])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_client)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    url = reverse("accounts:invitation_accept", args=[token_from_mail()])
    assert client.get(url).status_code == 404
    client.post(url)
    assert not Membership.objects.filter(user=carol).exists()


def test_revoked_invitation_stops_working(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_client)
    invitation = Invitation.objects.get()
    alice_client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    with pytest.raises(errors.InvitationInvalid):
        services.invitation_for_token(token_from_mail())


def test_web_bas_allows_one_user_and_offers_the_upgrade(
    alice_client: Client, alice_org: Organisation
) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(plan=Plan.BAS)
    response = invite(alice_client)
    assert response.url == reverse("accounts:settings")
    assert not Invitation.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Web Plus" in m for m in messages)


def test_upgrade_to_plus_then_invite(alice_client: Client, alice_org: Organisation) -> None:
    Organisation.objects.filter(pk=alice_org.pk).update(plan=Plan.BAS)
    alice_client.post(reverse("accounts:plan"), {"plan": Plan.PLUS})
    alice_org.refresh_from_db()
    assert alice_org.plan == Plan.PLUS
    invite(alice_client)
    assert Invitation.objects.count() == 1


def test_downgrade_with_several_users_is_refused(
    alice_client: Client, bob: Any, alice_org: Organisation
) -> None:
    alice_client.post(reverse("accounts:plan"), {"plan": Plan.BAS})
    alice_org.refresh_from_db()
    assert alice_org.plan == Plan.PLUS


def test_member_may_not_change_the_plan(bob_client: Client, alice_org: Organisation) -> None:
    assert bob_client.post(reverse("accounts:plan"), {"plan": Plan.BAS}).status_code == 403


# --- Join requests --------------------------------------------------------------------------


@pytest.fixture
def join_request(alice_org: Organisation, alice: Any) -> JoinRequest:
    return services.join_request_create(
        user=UserFactory(email="dave@example.com"), organisation=alice_org
    )


def decide(client: Client, join_request: JoinRequest, decision: str) -> Any:
    url = reverse("accounts:join_request_decide", args=[join_request.pk])
    return client.post(url, {"decision": decision, "role": Role.MEMBER})


def test_owner_approves_a_join_request(
    alice_client: Client, join_request: JoinRequest, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        decide(alice_client, join_request, "approve")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert membership_of(join_request.user, join_request.organisation).role == Role.MEMBER
    [message] = mail.outbox
    assert message.to == ["dave@example.com"] and "medlem" in message.subject


def test_owner_declines_a_join_request(
    alice_client: Client, join_request: JoinRequest, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        decide(alice_client, join_request, "decline")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert not Membership.objects.filter(user=join_request.user).exists()
    [message] = mail.outbox
    assert message.to == ["dave@example.com"] and "avslagits" in message.subject


def test_the_requester_sees_the_waiting_request_when_registering(
    join_request: JoinRequest,
) -> None:
    client = Client()
    client.force_login(join_request.user)
    page = client.get(reverse("accounts:onboarding")).content.decode()
    assert "väntar på svar från en ägare" in page
    assert join_request.organisation.legal_name in page


def test_join_request_on_web_bas_needs_the_upgrade(
    alice_client: Client, join_request: JoinRequest
) -> None:
    Organisation.objects.filter(pk=join_request.organisation_id).update(plan=Plan.BAS)
    decide(alice_client, join_request, "approve")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING
    assert not Membership.objects.filter(user=join_request.user).exists()


# --- Switching organisation -----------------------------------------------------------------


def test_user_in_two_organisations_switches_from_the_header(
    alice: Any, alice_org: Organisation
) -> None:
    second = OrganisationFactory(legal_name="Alice Andra AB")
    MembershipFactory(user=alice, organisation=second)
    client = Client()
    client.force_login(alice)
    first_page = client.get(reverse("dashboard"))
    assert len(first_page.context["user_memberships"]()) == 2
    current = first_page.context["organisation"]
    other = second if current == alice_org else alice_org
    client.post(reverse("accounts:switch"), {"organisation": str(other.public_id)})
    assert client.get(reverse("dashboard")).context["organisation"] == other


# --- The other organisation's user gets 404, never the data ---------------------------------


def test_mallory_cannot_switch_into_alices_organisation(
    mallory_client: Client, alice_org: Organisation
) -> None:
    response = mallory_client.post(
        reverse("accounts:switch"), {"organisation": str(alice_org.public_id)}
    )
    assert response.status_code == 404
    assert mallory_client.get(reverse("dashboard")).context["organisation"] != alice_org


def test_mallory_cannot_act_on_alices_members(
    mallory_client: Client,
    bob: Any,
    alice_org: Organisation,
    join_request: JoinRequest,
    alice_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_client)
    bob_membership = membership_of(bob, alice_org)
    invitation = Invitation.objects.get()
    urls = [
        (reverse("accounts:member_role", args=[bob_membership.pk]), {"role": Role.OWNER}),
        (reverse("accounts:member_remove", args=[bob_membership.pk]), {}),
        (reverse("accounts:invitation_revoke", args=[invitation.pk]), {}),
        (
            reverse("accounts:join_request_decide", args=[join_request.pk]),
            {"decision": "approve", "role": Role.OWNER},
        ),
    ]
    for url, data in urls:
        assert mallory_client.post(url, data).status_code == 404, url
    bob_membership.refresh_from_db()
    invitation.refresh_from_db()
    join_request.refresh_from_db()
    assert bob_membership.role == Role.MEMBER
    assert invitation.revoked_at is None
    assert join_request.status == JoinRequest.Status.PENDING


def test_mallory_sees_only_her_own_organisation(
    mallory_client: Client, alice: Any, bob: Any, alice_org: Organisation
) -> None:
    for name in ("dashboard", "accounts:members", "accounts:settings", "accounts:audit"):
        body = mallory_client.get(reverse(name)).content.decode()
        assert alice_org.legal_name not in body, name
        assert "bob@example.com" not in body, name
        assert alice_org.org_number not in body, name
