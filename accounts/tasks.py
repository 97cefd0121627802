"""Celery tasks of accounts: lapse the claims nobody signed in time, re-check the register."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from accounts.services import organisation_claims_lapse, organisations_register_recheck


@shared_task(name="accounts.lapse_unsigned_claims", ignore_result=True)
def organisation_claims_lapse_task() -> int:
    """Free the numbers of organisations not signed for within the claim period (beat)."""
    return organisation_claims_lapse()


@shared_task(name="accounts.recheck_register", ignore_result=True)
def organisations_register_recheck_task() -> dict[str, int]:
    """Look every verified organisation up in the register again; flag inactive ones (beat)."""
    return asdict(organisations_register_recheck())
