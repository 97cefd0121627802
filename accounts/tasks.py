"""Celery tasks of accounts: lapse the claims that nobody signed in time."""

from __future__ import annotations

from celery import shared_task

from accounts.services import organisation_claims_lapse


@shared_task(name="accounts.lapse_unsigned_claims", ignore_result=True)
def organisation_claims_lapse_task() -> int:
    """Free the numbers of organisations not signed for within the claim period (beat)."""
    return organisation_claims_lapse()
