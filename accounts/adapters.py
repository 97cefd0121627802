"""allauth hooks: after login, users of an unverified organisation meet the signing prompt."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from accounts import selectors
from accounts.middleware import SESSION_KEY
from accounts.models import Organisation, Permission
from portal.http import client_ip

# Statuses in which signing is the user's next step (review and suspension are not).
_PROMPT_STATUSES = {
    Organisation.VerificationStatus.UNVERIFIED,
    Organisation.VerificationStatus.DETAILS_CONFIRMED,
}


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        url: str = super().get_login_redirect_url(request)
        membership = selectors.membership_current(
            user=request.user, organisation_id=request.session.get(SESSION_KEY)
        )
        if (
            membership is not None
            and membership.organisation.verification_status in _PROMPT_STATUSES
            and membership.can(Permission.SIGN_VERIFICATION)
        ):
            return f"{reverse('signing:interstitial')}?{urlencode({'next': url})}"
        return url

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits count per address: the same one as BankID and the audit log.
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip
