"""Who may use the review workspace: staff with the review permission, in a two-factor session.

Everyone else meets a 404, so the workspace does not even admit it exists to an
organisation's users or to staff without the permission. StaffTwoFactorMiddleware sends
staff whose session lacks the second factor to confirm it first; the check here holds
even if that middleware were ever left out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase

from accounts.mfa import session_used_second_factor

REVIEW_PERMISSION = "accounts.review_riskflag"

View = Callable[..., HttpResponseBase]


def is_reviewer(request: HttpRequest) -> bool:
    """Return whether the request comes from a reviewer in a two-factor session."""
    user = request.user
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(REVIEW_PERMISSION)
        and session_used_second_factor(request)
    )


def reviewer_required(view: View) -> View:
    """Let reviewers through; send the logged-out to the login page; 404 for everyone else."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_reviewer(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
