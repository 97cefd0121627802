"""Attach the current organisation to the request, and hold staff to two-factor login."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.mfa import session_used_second_factor
from accounts.models import Membership, Organisation

SESSION_KEY = "current_organisation_id"


def _current_membership(request: HttpRequest) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    return selectors.membership_current(
        user=request.user, organisation_id=request.session.get(SESSION_KEY)
    )


def _current_organisation(request: HttpRequest) -> Organisation | None:
    membership = request.membership  # type: ignore[attr-defined]
    return membership.organisation if membership else None


class CurrentOrganisationMiddleware:
    """Set request.membership and request.organisation, resolved lazily.

    Lazy so that a view which never looks at the organisation costs no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: _current_membership(request))  # type: ignore[attr-defined]
        request.organisation = SimpleLazyObject(lambda: _current_organisation(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def _is_page_request(request: HttpRequest) -> bool:
    """Return whether a browser is navigating to a page, not fetching an asset or data."""
    return (
        "text/html" in request.headers.get("Accept", "")
        and request.headers.get("X-Requested-With") != "XMLHttpRequest"
    )


def _reauthenticate_url(request: HttpRequest) -> str:
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}"


class StaffTwoFactorMiddleware:
    """Let staff past only in a session that was authenticated with their second factor.

    Staff without a TOTP authenticator are sent to set one up; staff with one whose
    session was authenticated by password alone are sent to confirm it with a code.
    A device that merely exists does not count: allauth records how this session was
    authenticated. Only page requests are redirected: a browser fetches the favicon and
    assets by itself, and following such a redirect rendered the set-up page behind the
    user's back. Everything else is refused with a 403.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/favicon.ico", "/healthz", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            not user.is_authenticated
            or not user.is_staff
            or request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return self.get_response(request)
        has_totp = selectors.user_has_totp(user=user)
        if has_totp and session_used_second_factor(request):
            return self.get_response(request)
        if not _is_page_request(request):
            return HttpResponseForbidden(
                _("Two-factor authentication is required."),
                content_type="text/plain; charset=utf-8",
            )
        return redirect(_reauthenticate_url(request) if has_totp else reverse("mfa_activate_totp"))
