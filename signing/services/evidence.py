"""Reading evidence for staff: the personal number stays masked unless deliberately revealed."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts import services as accounts_services
from accounts.numbers import mask_personal_number
from signing.models import SignatureEvidence

PERSONAL_NUMBER_KEY = "personalNumber"


def personal_number_hash(personal_number: str) -> str:
    """Return a keyed hash: matches a known number without keeping it in the clear."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, personal_number.encode(), hashlib.sha256).hexdigest()


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: mask_personal_number(str(item)) if key == PERSONAL_NUMBER_KEY else _masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def masked_completion_data(evidence: SignatureEvidence) -> Any:
    """Return BankID's completion data with every personal number masked."""
    return _masked(evidence.completion_data)


@transaction.atomic
def evidence_personal_number_reveal(*, staff: Any, evidence: SignatureEvidence, reason: str) -> str:
    """Return the signer's full personal number for staff, and audit who asked and why."""
    user = evidence.completion_data.get("user", {})
    personal_number = str(user.get(PERSONAL_NUMBER_KEY, ""))
    accounts_services.audit_event_record(
        action="evidence.personal_number_revealed",
        actor=staff,
        organisation=evidence.organisation,
        obj=evidence,
        data={"reason": reason, "masked": evidence.personal_number_masked},
    )
    return personal_number
