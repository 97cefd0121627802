"""Personas shared by every app's tests (see STYLE.md).

alice owns a verified Web Plus organisation, bob is a member of it, and mallory
owns another organisation: every view test checks that mallory sees nothing of alice's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import Client

from accounts.models import Membership, Organisation, Plan
from accounts.tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture(autouse=True, scope="session")
def _flush_may_truncate() -> Any:
    # The append-only tables refuse TRUNCATE (portal/db.py), but transactional tests end with
    # Django's flush, one TRUNCATE of every table. Only that flush may: it runs in its own
    # transaction, which SET LOCAL lets through and nothing after it.
    original = PostgresOperations.execute_sql_flush

    def execute_sql_flush(self: PostgresOperations, sql_list: list[str]) -> None:
        original(self, ["SET LOCAL portal.allow_truncate = 'on'", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    # allauth's rate limits live in the cache (Redis in the tests): start every test clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice_org(db: None) -> Organisation:
    return OrganisationFactory(
        legal_name="Alice Konsult AB",
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )


@pytest.fixture
def alice(alice_org: Organisation) -> Any:
    return MembershipFactory(
        organisation=alice_org, user__email="alice@example.com", role=Membership.Role.OWNER
    ).user


@pytest.fixture
def bob(alice_org: Organisation, alice: Any) -> Any:
    return MembershipFactory(
        organisation=alice_org, user__email="bob@example.com", role=Membership.Role.MEMBER
    ).user


@pytest.fixture
def mallory_org(db: None) -> Organisation:
    return OrganisationFactory(legal_name="Mallory Handel AB", plan=Plan.PLUS)


@pytest.fixture
def mallory(mallory_org: Organisation) -> Any:
    return MembershipFactory(
        organisation=mallory_org, user__email="mallory@example.com", role=Membership.Role.OWNER
    ).user


def _client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice: Any) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob: Any) -> Client:
    return _client_for(bob)


@pytest.fixture
def mallory_client(mallory: Any) -> Client:
    return _client_for(mallory)


# --- The API's callers: an organisation's key in the Authorization header ------------------


def api_client(organisation: Organisation, user: Any = None, *, read_only: bool = False) -> Any:
    """Return a DRF test client that sends a new key of the organisation with every request."""
    from rest_framework.test import APIClient

    from accounts.services import api_key_create

    if user is None:
        user = MembershipFactory(organisation=organisation, role=Membership.Role.OWNER).user
    _key, secret = api_key_create(
        actor=user, organisation=organisation, name="ERP", read_only=read_only
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def alice_api(alice_org: Organisation, alice: Any) -> Any:
    return api_client(alice_org, alice)


@pytest.fixture
def mallory_api(mallory_org: Organisation, mallory: Any) -> Any:
    return api_client(mallory_org, mallory)
