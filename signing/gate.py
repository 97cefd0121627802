"""The sending gate: a decorator marks views that send; a middleware checks the mark.

Modelled on Django's LoginRequiredMiddleware: unmarked views pass without a query;
a marked view reached by an organisation that may not send gets a redirect to
verification (browser) or a 403 with a machine-readable code (API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.access import current_membership
from signing import selectors

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


# Given the request and the view's kwargs, remember the held-back action and return the
# URL that carries it out after signing (or None to come back to the same path).
ResumeHook = Callable[[HttpRequest, dict[str, Any]], str | None]


def sending_view(view: ViewT | None = None, *, resume: ResumeHook | None = None) -> Any:
    """Mark a view as one that sends invoices; the gate checks it before it runs.

    `@sending_view` alone, or `@sending_view(resume=hook)` where the hook remembers
    the pending send server-side so it goes out by itself once the user has signed.
    """

    def mark(function: ViewT) -> ViewT:
        function.sends_invoices = True  # type: ignore[attr-defined]
        function.resume_after_signing = resume  # type: ignore[attr-defined]
        return function

    return mark(view) if view is not None else mark


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def verify_url(next_path: str = "") -> str:
    url = reverse("signing:verify")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def gate_response(
    request: HttpRequest,
    decision: selectors.SendingDecision,
    resume: ResumeHook | None = None,
    view_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """Answer a blocked send: 403 JSON for the API, a redirect for the browser."""
    if is_api_request(request):
        body = {
            "code": decision.code,
            "detail": str(decision.detail),
            "verify_url": request.build_absolute_uri(reverse("signing:verify")),
        }
        return JsonResponse(body, status=403)
    if decision.code == "organisation_not_verified":
        # The user comes back here after signing; the path is checked as same-site then.
        resume_url = resume(request, view_kwargs or {}) if resume else None
        return redirect(verify_url(resume_url or request.get_full_path()))
    return redirect(reverse("signing:blocked"))


class SendingGateMiddleware:
    """Stop marked views for organisations that may not send (place after auth middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "sends_invoices", False):
            return None  # unmarked views cost nothing
        membership = current_membership(request)
        if membership is None:
            return None  # the view's own login and membership checks answer
        decision = selectors.sending_allowed(organisation=membership.organisation)
        if decision.allowed:
            return None
        resume = getattr(view_func, "resume_after_signing", None)
        return gate_response(request, decision, resume, kwargs)
