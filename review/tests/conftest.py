"""Fixtures of the review workspace tests: a flagged organisation, reviewers and outsiders."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Membership, Organisation, RiskFlag
from accounts.registry import company_register
from accounts.tests.factories import MembershipFactory
from review.tests.helpers import raise_flag, signed_in, staff
from tests.signing_steps import fjallgarden_create


@pytest.fixture(autouse=True)
def _fixture_register(settings: Any) -> Any:
    # The register is chosen once per process; a test that points it elsewhere must not leak.
    settings.COMPANY_REGISTER = "fixture"
    company_register.cache_clear()
    yield
    company_register.cache_clear()


@pytest.fixture
def flagged_org(db: None) -> Organisation:
    """Fjällgården Turism AB, verified, whose street address differs from the register's."""
    return fjallgarden_create(
        street_address="Drottninggatan 12",
        has_f_skatt=True,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )


@pytest.fixture
def owner(flagged_org: Organisation) -> Any:
    return MembershipFactory(
        organisation=flagged_org, user__email="sara@fjallgarden.example", role=Membership.Role.OWNER
    ).user


@pytest.fixture
def flag(flagged_org: Organisation, owner: Any) -> RiskFlag:
    return raise_flag(flagged_org, raised_by=owner)


@pytest.fixture
def reviewer(db: None) -> Any:
    return staff("reviewer@efaktura.example")


@pytest.fixture
def second_reviewer(db: None) -> Any:
    return staff("reviewer2@efaktura.example")


@pytest.fixture
def reviewer_client(reviewer: Any) -> Client:
    return signed_in(reviewer)


@pytest.fixture
def second_reviewer_client(second_reviewer: Any) -> Client:
    return signed_in(second_reviewer)
