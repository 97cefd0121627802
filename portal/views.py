"""Dashboard and health check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from django_stubs_ext import StrOrPromise

from accounts import errors as accounts_errors
from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from accounts.access import current_membership
from accounts.models import Membership, Organisation, Permission, RiskFlag
from portal.celery import app as celery_app
from portal.forms import RiskFlagAnswerForm

Kind = RiskFlag.Kind
# What our staff check while a flag holds sending, as the organisation's owners read it.
REVIEW_CHECKS: dict[str, StrOrPromise] = {
    Kind.SIGNATORY_MISMATCH: _(
        "Whether the person who signed may represent the company: the company register does "
        "not list them as a signatory."
    ),
    Kind.REGISTER_INACTIVE: _(
        "The company's status: the company register lists it as deregistered, in liquidation "
        "or bankrupt."
    ),
    Kind.REGISTER_UNCONFIRMED: _(
        "The company itself: the company register could not confirm it when the details "
        "were signed."
    ),
    Kind.MANUAL_DETAILS: _(
        "The company details that were typed in instead of taken from the register."
    ),
    Kind.VELOCITY: _("The number of invoices sent since the organisation was registered."),
    Kind.FAILED_SIGNING_ATTEMPTS: _("Several failed signing attempts by different people."),
}
GENERAL_CHECK = _("The company details and the signature.")


def review_checks(organisation: Organisation) -> list[StrOrPromise]:
    """Say what our staff check before sending opens (nothing when sending is not held)."""
    if organisation.verification_status != Organisation.VerificationStatus.PENDING_REVIEW:
        return []
    flags = accounts_selectors.risk_flags_holding(organisation=organisation)
    checks = list(dict.fromkeys(REVIEW_CHECKS.get(flag.kind, GENERAL_CHECK) for flag in flags))
    return checks or [GENERAL_CHECK]


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the organisation's status and what to do next; staff go to their queue."""
    membership = current_membership(request)
    if membership is None and request.user.is_staff:
        may_review = request.user.has_perm("accounts.review_riskflag")
        return redirect("review:queue" if may_review else "admin:index")
    if membership is None:
        return redirect("accounts:onboarding")
    if request.method == "POST":
        return _answer_staff(request, membership)
    return render(request, "portal/dashboard.html", _dashboard_context(membership))


def _dashboard_context(membership: Membership) -> dict[str, Any]:
    organisation = membership.organisation
    may_answer = membership.can(Permission.MANAGE_ORGANISATION)
    return {
        "organisation": organisation,
        "review_checks": review_checks(organisation),
        "questions": accounts_selectors.review_questions_open(organisation=organisation),
        "may_answer": may_answer,
        "support_email": settings.SUPPORT_EMAIL,
    }


def _answer_staff(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Store an owner's answer to the staff's question; the review continues with it."""
    form = RiskFlagAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer before sending it."))
        return redirect("dashboard")
    flag = accounts_selectors.review_question_get(
        organisation=membership.organisation, pk=form.cleaned_data["flag"]
    )
    try:
        accounts_services.risk_flag_answer(
            membership=membership, flag=flag, text=form.cleaned_data["text"]
        )
    except accounts_errors.AccountsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. Our staff continue the review with your answer."))
    return redirect("dashboard")


def favicon(request: HttpRequest) -> HttpResponse:
    """Answer the /favicon.ico that browsers request whatever the page names."""
    return redirect(static("portal/favicon.svg"))


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except DatabaseError:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report database and broker reachability as JSON; 503 when either is down."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"} | {
        name: "ok" if ok else "unreachable" for name, ok in checks.items()
    }
    return JsonResponse(body, status=200 if healthy else 503)
