"""The queue: undecided flags by severity then age, filters, pages, and no query per row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, RiskFlag
from accounts.services import risk_flag_close
from accounts.tests.factories import OrganisationFactory
from review.tests.helpers import PAGE, raise_flag

pytestmark = pytest.mark.django_db

Kind = RiskFlag.Kind
QUEUE = reverse("review:queue")


def flagged(name: str, kind: str = Kind.MANUAL_DETAILS, **extra: Any) -> RiskFlag:
    return raise_flag(OrganisationFactory(legal_name=name), kind, **extra)


def rows(client: Client, **params: Any) -> list[RiskFlag]:
    response = client.get(QUEUE, params, headers=PAGE)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_the_queue_shows_each_undecided_flag_with_what_matters(reviewer_client: Client) -> None:
    flag = flagged("Tveksam Handel AB", Kind.VELOCITY, evidence={"invoices": 80})
    holding = flagged("Konkurs Kanske AB", Kind.REGISTER_INACTIVE)
    decided = flagged("Redan Klar AB")
    risk_flag_close(flag=decided, actor=None, reason="moot")

    body = reviewer_client.get(QUEUE, headers=PAGE).content.decode()

    assert "Tveksam Handel AB" in body
    assert flag.org_number in body
    assert reverse("review:case", args=[flag.pk]) in body
    assert "Unusual sending volume" in body
    assert "Informs" in body
    assert "Konkurs Kanske AB" in body and "Holds sending" in body
    assert reverse("review:case", args=[holding.pk]) in body
    assert "Redan Klar AB" not in body


def test_the_queue_is_swedish_by_default(reviewer: Any, flag: RiskFlag) -> None:
    from review.tests.helpers import signed_in

    response = signed_in(reviewer, english=False).get(QUEUE, headers=PAGE)
    assert response["Content-Language"] == "sv"
    assert '<html lang="sv">' in response.content.decode()


def test_most_severe_first_then_oldest(reviewer_client: Client) -> None:
    low = flagged("Låg AB", severity=RiskFlag.Severity.LOW)
    old_medium = flagged("Gammal AB")
    new_medium = flagged("Ny AB")
    high = flagged("Hög AB", Kind.SIGNATORY_MISMATCH)
    RiskFlag.objects.filter(pk=old_medium.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert rows(reviewer_client) == [high, old_medium, new_medium, low]


def test_filters_by_kind_severity_status_and_organisation(reviewer_client: Client) -> None:
    manual = flagged("Handskrivna AB")
    velocity = flagged("Snabba Fakturor AB", Kind.VELOCITY, severity=RiskFlag.Severity.LOW)
    waiting = flagged("Fyra Ögon AB")
    RiskFlag.objects.filter(pk=waiting.pk).update(status=RiskFlag.Status.AWAITING_SECOND_REVIEW)

    assert rows(reviewer_client, kind=Kind.VELOCITY) == [velocity]
    assert rows(reviewer_client, severity=RiskFlag.Severity.LOW) == [velocity]
    assert rows(reviewer_client, status=RiskFlag.Status.AWAITING_SECOND_REVIEW) == [waiting]
    assert rows(reviewer_client, q="handskrivna") == [manual]
    assert rows(reviewer_client, q=manual.org_number) == [manual]
    # An unknown value filters nothing rather than failing.
    assert len(rows(reviewer_client, kind="nonsense", severity="x")) == 3


def test_a_transfer_request_without_an_organisation_is_found_by_its_number(
    reviewer_client: Client,
) -> None:
    transfer = raise_flag(None, Kind.TRANSFER_REQUEST, org_number="556612-3450")
    assert rows(reviewer_client, q="556612") == [transfer]
    assert "No organisation yet" in reviewer_client.get(QUEUE, headers=PAGE).content.decode()


def test_the_queue_is_paginated(reviewer_client: Client) -> None:
    for n in range(30):
        flagged(f"Bolag {n:02d} AB")
    first = rows(reviewer_client)
    second = rows(reviewer_client, page=2)
    assert len(first) == 25
    assert len(second) == 5
    assert not set(first) & set(second)


def queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE, headers=PAGE).status_code == 200
    return len(queries)


def test_no_query_per_row(reviewer_client: Client, flagged_org: Organisation) -> None:
    raise_flag(flagged_org)
    queue_queries(reviewer_client)  # the first request fills per-process caches
    one = queue_queries(reviewer_client)
    for n in range(19):
        flagged(f"Fler {n} AB", Kind.VELOCITY if n % 2 else Kind.MANUAL_DETAILS)
    assert RiskFlag.objects.count() == 20
    assert queue_queries(reviewer_client) == one
