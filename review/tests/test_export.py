"""The CSV export of one organisation's audit trail: its events only, streamed, and audited."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Organisation, RiskFlag
from accounts.services import audit_event_record
from review.tests.helpers import PAGE

pytestmark = pytest.mark.django_db


def test_the_export_holds_that_organisations_events_only_and_is_audited(
    reviewer_client: Client,
    reviewer: Any,
    flag: RiskFlag,
    flagged_org: Organisation,
    mallory_org: Organisation,
) -> None:
    audit_event_record(action="organisation.updated", organisation=flagged_org, data={"x": 1})
    audit_event_record(action="secret.elsewhere", organisation=mallory_org)
    response = reviewer_client.get(
        reverse("review:audit_csv", args=[flagged_org.public_id]), headers=PAGE
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert flagged_org.org_number in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    actions = [row[2] for row in rows[1:]]
    assert "organisation.updated" in actions
    assert "risk_flag.raised.manual_details" in actions
    assert "secret.elsewhere" not in actions
    exported = AuditEvent.objects.get(action="review.audit_exported")
    assert exported.actor == reviewer
    assert exported.organisation == flagged_org
    assert exported.ip_address == "127.0.0.1"


def test_an_unknown_organisation_is_404(reviewer_client: Client) -> None:
    url = reverse("review:audit_csv", args=["00000000-0000-0000-0000-000000000000"])
    assert reviewer_client.get(url, headers=PAGE).status_code == 404
    assert not AuditEvent.objects.filter(action="review.audit_exported").exists()
