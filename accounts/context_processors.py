"""Template context: the current organisation and the user's other organisations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts import selectors


def organisation(request: HttpRequest) -> dict[str, Any]:
    """Expose current_membership, current_organisation and user_memberships to templates."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "current_membership": membership,
        "current_organisation": getattr(request, "organisation", None),
        "user_memberships": lambda: list(selectors.membership_list_for_user(user=request.user)),
    }
