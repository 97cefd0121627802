"""Reads for the review workspace; each prefetches what its page shows, so templates never query.

Visibility is decided once, by review.access: a reviewer may see every flag and every
organisation, so these selectors take the flag or the organisation they read about.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.http import Http404

from accounts.adapters import SIGN_IN_ACTIONS
from accounts.models import (
    AuditEvent,
    Membership,
    Organisation,
    ReviewDecision,
    RiskFlag,
    RiskFlagAnswer,
)
from invoices.models import Delivery, Invoice
from review.services import EVIDENCE_REVERIFIED
from signing.models import SignatureEvidence

SIGN_INS_PER_MEMBER = 5
EVIDENCE_SHOWN = 10
INVOICES_SHOWN = 10
AUDIT_EVENTS_SHOWN = 30
EARLIER_FLAGS_SHOWN = 20
# The evidence list shows who signed and when; the signature itself stays in the database.
EVIDENCE_HEAVY_FIELDS = (
    "signature",
    "ocsp_response",
    "completion_data",
    "signed_details",
    "user_visible_data",
    "user_non_visible_data",
)


@dataclass(frozen=True)
class QueueFilters:
    kind: str = ""
    severity: int | None = None
    status: str = ""
    search: str = ""


def flag_queue(*, filters: QueueFilters) -> QuerySet[RiskFlag]:
    """Return the flags not decided yet, most severe first and then oldest, with organisations."""
    flags = RiskFlag.objects.filter(status__in=RiskFlag.ACTIVE).select_related("organisation")
    if filters.kind:
        flags = flags.filter(kind=filters.kind)
    if filters.severity is not None:
        flags = flags.filter(severity=filters.severity)
    if filters.status:
        flags = flags.filter(status=filters.status)
    if filters.search:
        # A transfer request may have no organisation yet: its number is on the flag itself.
        flags = flags.filter(
            Q(organisation__legal_name__icontains=filters.search)
            | Q(org_number__icontains=filters.search)
        )
    return flags.order_by("-severity", "created_at", "pk")


def _decisions() -> Prefetch[Any]:
    # A question to the owners (request_info) shows beside it the answers they gave.
    answers = Prefetch("answers", queryset=RiskFlagAnswer.objects.select_related("answered_by"))
    return Prefetch(
        "decisions",
        queryset=ReviewDecision.objects.select_related("decided_by", "second_reviewer")
        .prefetch_related(answers)
        .order_by("-created_at", "-pk"),
    )


def flag_get(*, pk: int) -> RiskFlag:
    """Return one flag with everything its header and decision panel show, or 404."""
    flag = (
        RiskFlag.objects.filter(pk=pk)
        .select_related(
            "organisation",
            "registration__partner",
            "payment_change",
            "raised_by",
            "resolved_by",
        )
        .prefetch_related(_decisions())
        .first()
    )
    if flag is None:
        raise Http404
    return flag


def decision_awaiting_second(*, flag: RiskFlag) -> ReviewDecision | None:
    """Return the flag's decision that waits for a second reviewer, if any (prefetched)."""
    return next(
        (d for d in flag.decisions.all() if d.status == ReviewDecision.Status.AWAITING_SECOND),
        None,
    )


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    sign_ins: list[AuditEvent]


@dataclass(frozen=True)
class CaseFile:
    """Everything the case screen shows about the organisation behind a flag."""

    members: list[MemberRow]
    # Who asked, when no organisation has the number yet (a transfer request's requester).
    requester_sign_ins: list[AuditEvent]
    evidence: list[SignatureEvidence]
    invoices: list[Invoice]
    earlier_flags: list[RiskFlag]
    audit_events: list[AuditEvent]


def case_file(*, flag: RiskFlag) -> CaseFile:
    """Return the organisation's members, evidence, invoices, earlier flags and audit trail."""
    organisation = flag.organisation
    earlier = list(_earlier_flags(flag))
    if organisation is None:
        requester = [flag.raised_by_id] if flag.raised_by_id else []
        return CaseFile(
            members=[],
            requester_sign_ins=sign_ins_recent(user_ids=requester).get(flag.raised_by_id or 0, []),
            evidence=[],
            invoices=[],
            earlier_flags=earlier,
            audit_events=[],
        )
    return CaseFile(
        members=_members(organisation),
        requester_sign_ins=[],
        evidence=list(evidence_list(organisation=organisation)),
        invoices=list(_recent_invoices(organisation)),
        earlier_flags=earlier,
        audit_events=list(
            AuditEvent.objects.filter(organisation=organisation).select_related("actor")[
                :AUDIT_EVENTS_SHOWN
            ]
        ),
    )


def evidence_list(*, organisation: Organisation) -> QuerySet[SignatureEvidence]:
    """Return the organisation's signature evidence, newest first, without the heavy fields."""
    return (
        SignatureEvidence.objects.filter(organisation=organisation)
        .defer(*EVIDENCE_HEAVY_FIELDS)
        .order_by("-signed_at", "-pk")[:EVIDENCE_SHOWN]
    )


def evidence_get(*, organisation: Organisation, pk: int) -> SignatureEvidence:
    """Return one evidence row of the organisation, whole (for re-verification), or 404."""
    evidence: SignatureEvidence | None = (
        SignatureEvidence.objects.filter(organisation=organisation, pk=pk)
        .select_related("organisation")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


def reverification_last(
    *, staff: Any, organisation: Organisation, evidence_id: int
) -> AuditEvent | None:
    """Return the staff member's latest re-verification of one of the organisation's evidence."""
    return (
        AuditEvent.objects.filter(
            action=EVIDENCE_REVERIFIED,
            actor=staff,
            organisation=organisation,
            object_type=SignatureEvidence.__name__,
            object_id=str(evidence_id),
        )
        .order_by("-created_at", "-id")
        .first()
    )


def organisation_get(*, public_id: UUID) -> Organisation:
    """Return the organisation with this public id, or 404."""
    organisation = Organisation.objects.filter(public_id=public_id).first()
    if organisation is None:
        raise Http404
    return organisation


def _members(organisation: Organisation) -> list[MemberRow]:
    memberships = list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("created_at")
    )
    sign_ins = sign_ins_recent(user_ids=[m.user_id for m in memberships])
    return [MemberRow(m, sign_ins.get(m.user_id, [])) for m in memberships]


def sign_ins_recent(
    *, user_ids: list[int], per_user: int = SIGN_INS_PER_MEMBER
) -> dict[int, list[AuditEvent]]:
    """Return each user's last sign-ins and failed attempts, newest first, in one query."""
    if not user_ids:
        return {}
    events = (
        AuditEvent.objects.filter(
            action__in=SIGN_IN_ACTIONS,
            object_type="User",
            object_id__in=[str(pk) for pk in user_ids],
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("object_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=per_user)
        .order_by("-created_at", "-id")
    )
    by_user: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_user[int(event.object_id)].append(event)
    return by_user


def _recent_invoices(organisation: Organisation) -> QuerySet[Invoice]:
    deliveries = Prefetch("deliveries", queryset=Delivery.objects.order_by("-created_at", "-pk"))
    return (
        Invoice.objects.for_org(organisation)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("customer")
        .prefetch_related(deliveries)
        .order_by(F("issued_at").desc(nulls_last=True), "-pk")[:INVOICES_SHOWN]
    )


def _earlier_flags(flag: RiskFlag) -> QuerySet[RiskFlag]:
    same = Q(org_number=flag.org_number)
    if flag.organisation_id is not None:
        same |= Q(organisation_id=flag.organisation_id)
    return (
        RiskFlag.objects.filter(same)
        .exclude(pk=flag.pk)
        .prefetch_related(_decisions())
        .order_by("-created_at", "-pk")[:EARLIER_FLAGS_SHOWN]
    )


def organisation_by_number(*, org_number: str) -> Organisation | None:
    """Return the organisation that holds the number in the portal (a lapsed claim does not)."""
    return (
        Organisation.objects.filter(org_number=org_number)
        .exclude(verification_status=Organisation.VerificationStatus.LAPSED)
        .first()
    )
