"""Attach the current organisation to the request, and hold staff to two-factor login."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts import selectors
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


class StaffTwoFactorMiddleware:
    """Send staff without an active TOTP authenticator to set one up before anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not selectors.user_has_totp(user=user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
