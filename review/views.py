"""The staff review workspace: the queue, one screen per flag, decisions, evidence, export.

Only reviewers get past review.access.reviewer_required; everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.audit_export import audit_trail_csv
from accounts.models import RiskFlag
from portal.errors import DomainError
from portal.http import client_ip, content_disposition
from review import selectors, services
from review.access import reviewer_required
from review.forms import (
    ACTION_EFFECTS,
    ConcernForm,
    DecisionForm,
    QueueFilterForm,
    SecondReviewForm,
)
from review.register import RegisterComparison, register_compare
from review.selectors import QueueFilters
from review.verdicts import verdict_text
from signing.models import SignatureEvidence

PAGE_SIZE = 25


@require_GET
@reviewer_required
def queue(request: HttpRequest) -> HttpResponse:
    """List the flags not decided yet, most severe and oldest first, with filters."""
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.flag_queue(filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "is_filtered": filters != QueueFilters()}
    return render(request, "review/queue.html", context)


@require_http_methods(["GET", "POST"])
@reviewer_required
def concern_new(request: HttpRequest) -> HttpResponse:
    """Open a flag on an organisation for a concern of staff's own (a tip, a bank's warning)."""
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = selectors.organisation_by_number(org_number=form.cleaned_data["org_number"])
        if organisation is None:
            form.add_error("org_number", _("No organisation in the portal has this number."))
        else:
            flag = accounts_services.staff_concern_raise(
                staff=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The flag is open: decide it here."))
            return redirect("review:case", flag_id=flag.pk)
    return render(request, "review/concern_new.html", {"form": form})


@require_GET
@reviewer_required
def case(request: HttpRequest, flag_id: int) -> HttpResponse:
    """Show everything needed to decide one flag."""
    flag = selectors.flag_get(pk=flag_id)
    verified = request.GET.get("verified", "")
    return _case_page(request, flag, verified=int(verified) if verified.isdigit() else None)


def _case_page(
    request: HttpRequest,
    flag: RiskFlag,
    *,
    decision_form: DecisionForm | None = None,
    second_form: SecondReviewForm | None = None,
    verified: int | None = None,
) -> HttpResponse:
    dossier = selectors.case_file(flag=flag)
    comparison = register_compare(
        org_number=flag.org_number,
        organisation=flag.organisation,
        signer_hashes=frozenset(row.personal_number_hash for row in dossier.evidence),
    )
    services.evidence_view_record(
        staff=request.user, flag=flag, evidence=dossier.evidence, ip_address=client_ip(request)
    )
    offered = accounts_selectors.review_decisions_offered(flag=flag)
    awaiting = selectors.decision_awaiting_second(flag=flag)
    context: dict[str, Any] = {
        "flag": flag,
        "title": _title(flag, comparison),
        "dossier": dossier,
        "register": comparison,
        "reverified": _reverified(request, flag, dossier.evidence, verified),
        "awaiting": awaiting,
        "history": [d for d in flag.decisions.all() if d != awaiting],
        "decision_form": decision_form or DecisionForm(offered=offered),
        "second_form": second_form or SecondReviewForm(),
        "action_effects": [(action, ACTION_EFFECTS.get(action, "")) for action in offered],
    }
    return render(request, "review/case.html", context)


def _back_to_top(flag: RiskFlag) -> HttpResponse:
    # The forms post to "…#decision"; without a fragment of its own the redirect would keep
    # that one, and the message saying what happened, at the top, would stay out of sight.
    return redirect(reverse("review:case", kwargs={"flag_id": flag.pk}) + "#main")


def _title(flag: RiskFlag, comparison: RegisterComparison) -> str:
    # A transfer request may name a number no organisation in the portal has yet.
    if flag.organisation is not None:
        return flag.organisation.legal_name
    if comparison.record is not None:
        return comparison.record.legal_name
    return flag.registration.company_name if flag.registration else ""


def _reverified(
    request: HttpRequest, flag: RiskFlag, evidence: list[SignatureEvidence], pk: int | None
) -> dict[str, Any] | None:
    """Return the outcome of the re-verification just asked for, read back from the audit log."""
    row = next((row for row in evidence if row.pk == pk), None)
    if row is None or flag.organisation is None:
        return None
    event = selectors.reverification_last(
        staff=request.user, organisation=flag.organisation, evidence_id=row.pk
    )
    if event is None:
        return None
    valid, reason = bool(event.data.get("valid")), str(event.data.get("reason", ""))
    text = verdict_text(valid=valid, reason=reason, evidence=row)
    return {"evidence_id": row.pk, "valid": valid, "text": text, "at": event.created_at}


@require_POST
@reviewer_required
def decide(request: HttpRequest, flag_id: int) -> HttpResponse:
    """Take a decision on the flag; a second reviewer carries out the four-eyes ones."""
    flag = selectors.flag_get(pk=flag_id)
    offered = accounts_selectors.review_decisions_offered(flag=flag)
    form = DecisionForm(request.POST, offered=offered)
    if not form.is_valid():
        return _case_page(request, flag, decision_form=form)
    try:
        decision = accounts_services.review_decide(
            staff=request.user,
            flag=flag,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        messages.error(request, str(error))
        return _back_to_top(flag)
    if decision.status == decision.Status.AWAITING_SECOND:
        messages.info(request, _("Your decision waits for a second reviewer."))
    else:
        messages.success(request, _("The decision is carried out."))
    return _back_to_top(flag)


@require_POST
@reviewer_required
def second_review(request: HttpRequest, flag_id: int) -> HttpResponse:
    """Confirm or turn down the decision that waits for a second reviewer."""
    flag = selectors.flag_get(pk=flag_id)
    decision = selectors.decision_awaiting_second(flag=flag)
    if decision is None:
        messages.error(request, _("No decision waits for a second review any more."))
        return _back_to_top(flag)
    form = SecondReviewForm(request.POST)
    if not form.is_valid():
        return _case_page(request, flag, second_form=form)
    confirm = form.cleaned_data["outcome"] == SecondReviewForm.CONFIRM
    review = accounts_services.review_confirm if confirm else accounts_services.review_turn_down
    try:
        review(staff=request.user, decision=decision, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, str(error))
        return _back_to_top(flag)
    messages.success(
        request,
        _("The decision is confirmed and carried out.")
        if confirm
        else _("The decision is turned down; the flag is open again."),
    )
    return _back_to_top(flag)


@require_POST
@reviewer_required
def evidence_verify(request: HttpRequest, flag_id: int, evidence_id: int) -> HttpResponse:
    """Verify a stored signature and its OCSP response again now, and say how it went."""
    flag = selectors.flag_get(pk=flag_id)
    if flag.organisation is None:
        raise Http404  # a transfer request without an organisation has no evidence
    evidence = selectors.evidence_get(organisation=flag.organisation, pk=evidence_id)
    services.evidence_reverify(staff=request.user, evidence=evidence, ip_address=client_ip(request))
    # The case page shows the outcome beside the evidence, as the audit log recorded it.
    case_url = reverse("review:case", kwargs={"flag_id": flag.pk})
    return redirect(f"{case_url}?{urlencode({'verified': evidence.pk})}#evidence")


@require_GET
@reviewer_required
def audit_csv(request: HttpRequest, public_id: UUID) -> StreamingHttpResponse:
    """Stream the organisation's whole audit trail as CSV; the export is audited too."""
    organisation = selectors.organisation_get(public_id=public_id)
    services.audit_trail_export_record(
        staff=request.user, organisation=organisation, ip_address=client_ip(request)
    )
    response = StreamingHttpResponse(
        audit_trail_csv(organisation=organisation), content_type="text/csv; charset=utf-8"
    )
    filename = f"audit-{organisation.org_number}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = content_disposition(filename)
    return response
