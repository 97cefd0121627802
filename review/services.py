"""What a reviewer does besides deciding: look at evidence, verify it again, export a trail.

Each is written to the audit log with the staff member: evidence holds personal data, and
who looked at it, and when, is itself something the organisation may ask about.
Decisions on flags are accounts.services (review_decide, review_confirm, review_turn_down).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Organisation, RiskFlag
from accounts.services import audit_event_record
from signing.models import SignatureEvidence
from signing.services.completion import trusted_signature_roots
from signing.verify import Verdict, verify_bankid_signature

EVIDENCE_VIEWED = "review.evidence_viewed"
EVIDENCE_REVERIFIED = "review.evidence_reverified"
AUDIT_EXPORTED = "review.audit_exported"


@transaction.atomic
def evidence_view_record(
    *,
    staff: Any,
    flag: RiskFlag,
    evidence: list[SignatureEvidence],
    ip_address: str | None = None,
) -> None:
    """Record that a reviewer was shown the organisation's signature evidence."""
    if not evidence:
        return
    audit_event_record(
        action=EVIDENCE_VIEWED,
        actor=staff,
        organisation=flag.organisation,
        obj=flag,
        data={"evidence": [row.pk for row in evidence]},
        ip_address=ip_address,
    )


def evidence_reverify(
    *, staff: Any, evidence: SignatureEvidence, ip_address: str | None = None
) -> Verdict:
    """Verify the stored signature and OCSP response again, as at signing, and audit the result.

    Pure verification of the stored bytes against the roots trusted today: nothing is
    fetched. Certificates are checked at the time of signing, which is what the evidence
    claims; an expired certificate today does not make an old signature invalid.
    """
    roots = trusted_signature_roots()
    if roots:
        verdict = verify_bankid_signature(
            evidence.signature,
            trusted_roots_pem=roots,
            ocsp_response_b64=evidence.ocsp_response,
            expected_func_id="Signing",
            expected_visible_data=evidence.user_visible_data,
            expected_non_visible_data=evidence.user_non_visible_data,
            expected_personal_number=_personal_number(evidence),
            at=evidence.signed_at,
        )
    else:
        verdict = Verdict(valid=False, reason="no_trusted_roots")
    with transaction.atomic():
        audit_event_record(
            action=EVIDENCE_REVERIFIED,
            actor=staff,
            organisation=evidence.organisation,
            obj=evidence,
            data={"valid": verdict.valid, "reason": verdict.reason},
            ip_address=ip_address,
        )
    return verdict


def _personal_number(evidence: SignatureEvidence) -> str:
    # Kept in the clear only in BankID's completion data; the verifier compares it with the
    # certificate (an empty one fails, it is not skipped), and it never leaves this function.
    user = evidence.completion_data.get("user", {}) if evidence.completion_data else {}
    return str(user.get("personalNumber", ""))


@transaction.atomic
def audit_trail_export_record(
    *, staff: Any, organisation: Organisation, ip_address: str | None = None
) -> None:
    """Record that a reviewer downloaded the organisation's audit trail."""
    audit_event_record(
        action=AUDIT_EXPORTED,
        actor=staff,
        organisation=organisation,
        obj=organisation,
        ip_address=ip_address,
    )
