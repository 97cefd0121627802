"""Settings → API keys: create a key (shown once), see when each was used, revoke it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import errors, selectors, services
from accounts.access import require_permission
from accounts.forms import ApiKeyForm
from accounts.models import Permission
from portal.http import client_ip


@login_required
@never_cache  # the page that shows a new key must not be kept by any cache
def api_keys(request: HttpRequest) -> HttpResponse:
    """List the keys; a valid POST creates one and shows it, this once."""
    membership = require_permission(request, Permission.MANAGE_API_KEYS)
    organisation = membership.organisation
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _api_key, new_key = services.api_key_create(
            actor=request.user,
            organisation=organisation,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            ip_address=client_ip(request),
        )
        form = ApiKeyForm()
    context = {
        "form": form,
        "keys": selectors.api_key_list(organisation=organisation),
        "new_key": new_key,
        "organisation": organisation,
    }
    return render(request, "accounts/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = require_permission(request, Permission.MANAGE_API_KEYS)
    api_key = selectors.api_key_get(organisation=membership.organisation, pk=pk)
    try:
        services.api_key_revoke(actor=request.user, api_key=api_key, ip_address=client_ip(request))
        messages.success(request, _("The key “%(name)s” is revoked.") % {"name": api_key.name})
    except errors.ApiKeyRevoked as error:
        messages.error(request, str(error))
    return redirect("accounts:api_keys")
