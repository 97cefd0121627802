"""Dashboard and health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from accounts.access import current_membership
from portal.celery import app as celery_app


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the organisation's status; send staff to their queue, a new user to onboarding."""
    membership = current_membership(request)
    if membership is None and request.user.is_staff:
        return redirect("admin:accounts_reviewcase_changelist")
    if membership is None:
        return redirect("accounts:onboarding")
    return render(request, "portal/dashboard.html", {"organisation": membership.organisation})


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
