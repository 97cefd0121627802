"""Access helpers that keep views short: current membership, permission checks, 404/403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import Membership


def current_membership(request: HttpRequest) -> Membership | None:
    """Return the request's current membership (unwrapped from the lazy object), or None."""
    membership = getattr(request, "membership", None)
    if not membership:
        return None
    return membership._wrapped if hasattr(membership, "_wrapped") else membership  # type: ignore[no-any-return]


def require_permission(request: HttpRequest, permission: str) -> Membership:
    """Return the current membership if it grants the permission; 403 otherwise."""
    membership = current_membership(request)
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    return membership
