"""Admin building blocks shared by the apps, and the admin's login (allauth's)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Django's default title, "Django administration", tells staff nothing about whose admin it is.
admin.site.site_header = admin.site.site_title = _("e-faktura administration")


class ReadOnlyAdminMixin:
    """Staff may look, never write: for append-only records (audit log, evidence)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def admin_login(request: HttpRequest) -> HttpResponse:
    """Send the admin's login to allauth's, which asks staff for a TOTP code and rate limits.

    Django's own admin login form checks the password only. allauth validates `next`.
    """
    if request.user.is_authenticated and not request.user.is_staff:
        # allauth sends a logged-in user straight on to `next`, back into the admin: a loop.
        raise PermissionDenied
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
