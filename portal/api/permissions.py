"""Who may do what over the API: any key reads, only a full-access key writes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from portal.api.caller import ApiCaller


class HasApiKey(BasePermission):
    """The request carries a valid key; a read-only key may only read."""

    message = _("This API key is read-only.")
    code = "read_only_key"

    def has_permission(self, request: Request, view: Any) -> bool:
        caller = request.user
        if not isinstance(caller, ApiCaller):
            return False  # DRF answers 401: no credentials were presented
        return request.method in SAFE_METHODS or not caller.read_only


def caller_of(request: Request) -> ApiCaller:
    """Return the request's caller (the permission has made sure there is one)."""
    caller = request.user
    assert isinstance(caller, ApiCaller)
    return caller
