"""Verify again now: the stored signature and OCSP response checked anew, the result shown,
and who asked written to the audit log."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Organisation, RiskFlag
from accounts.tests.factories import OrganisationFactory
from review.tests.helpers import PAGE, signed_evidence
from signing.models import SignatureEvidence, SigningOrder

pytestmark = pytest.mark.django_db


def verify(client: Client, flag: RiskFlag, evidence: SignatureEvidence) -> str:
    url = reverse("review:evidence_verify", args=[flag.pk, evidence.pk])
    response = client.post(url, follow=True, headers=PAGE)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].endswith("#evidence")
    return response.content.decode()


def test_a_sound_signature_verifies_again(
    reviewer_client: Client, reviewer: Any, flag: RiskFlag, flagged_org: Organisation, owner: Any
) -> None:
    evidence = signed_evidence(flagged_org, owner)
    body = verify(reviewer_client, flag, evidence)
    assert "Verified again now" in body
    assert "Sara Nilsson (19920630-XXXX)" in body
    event = AuditEvent.objects.get(action="review.evidence_reverified")
    assert event.actor == reviewer
    assert event.organisation == flagged_org
    assert event.object_id == str(evidence.pk)
    assert event.data == {"valid": True, "reason": "ok"}


def test_a_stored_signature_that_no_longer_matches_is_reported(
    reviewer_client: Client, flag: RiskFlag, flagged_org: Organisation, owner: Any
) -> None:
    # Evidence whose signed text is not what the row says was shown: as if someone had
    # edited the stored text (evidence rows are append-only; a fresh row stands in for it).
    genuine = signed_evidence(flagged_org, owner)
    order = SigningOrder.objects.create(
        organisation=flagged_org,
        user=owner,
        status=SigningOrder.Status.COMPLETE,
        order_ref="forged",
        details={},
        details_digest=genuine.details_digest,
        end_user_ip="192.0.2.10",
    )
    copied = {
        field.name: getattr(genuine, field.name)
        for field in SignatureEvidence._meta.concrete_fields
        if field.name not in {"id", "order", "created_at"}
    }
    copied["user_visible_data"] = base64.b64encode("Jag intygar något annat".encode()).decode()
    forged = SignatureEvidence.objects.create(**copied, order=order)
    body = verify(reviewer_client, flag, forged)
    assert "Not valid" in body
    assert "the signed text differs from what was shown" in body
    event = AuditEvent.objects.get(action="review.evidence_reverified", object_id=str(forged.pk))
    assert event.data == {"valid": False, "reason": "visible_data_mismatch"}


def test_another_organisations_evidence_is_not_reachable_through_a_flag(
    reviewer_client: Client, flag: RiskFlag, owner: Any
) -> None:
    elsewhere = signed_evidence(OrganisationFactory(), owner)
    url = reverse("review:evidence_verify", args=[flag.pk, elsewhere.pk])
    assert reviewer_client.post(url, headers=PAGE).status_code == 404
    assert not AuditEvent.objects.filter(action="review.evidence_reverified").exists()


def test_verifying_needs_a_post(
    reviewer_client: Client, flag: RiskFlag, flagged_org: Organisation, owner: Any
) -> None:
    evidence = signed_evidence(flagged_org, owner)
    url = reverse("review:evidence_verify", args=[flag.pk, evidence.pk])
    assert reviewer_client.get(url, headers=PAGE).status_code == 405


def test_the_outcome_shown_is_the_reviewers_own_from_the_audit_log(
    reviewer_client: Client,
    second_reviewer_client: Client,
    flag: RiskFlag,
    flagged_org: Organisation,
    owner: Any,
) -> None:
    evidence = signed_evidence(flagged_org, owner)
    verify(reviewer_client, flag, evidence)
    url = reverse("review:case", args=[flag.pk]) + f"?verified={evidence.pk}"
    body = second_reviewer_client.get(url, headers=PAGE).content.decode()
    assert "Verified again now" not in body
    assert "Verified again now" in reviewer_client.get(url, headers=PAGE).content.decode()
