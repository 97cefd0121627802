"""allauth hooks: after login, users of an unverified organisation meet the signing prompt.

Also: mails in the portal's voice, users shown by e-mail address, the invited address
trusted at sign-up (the invitation's token proved that its owner reads that mailbox), and
every sign-in and failed password recorded in the audit log for the staff who review an
organisation's members.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from accounts import selectors
from accounts.middleware import SESSION_KEY
from accounts.models import Organisation, Permission
from accounts.services import audit_event_record
from portal.http import client_ip

# Audit actions of the sign-in history; the event's object is the user signing in.
SIGNED_IN = "user.signed_in"
SIGN_IN_FAILED = "user.sign_in_failed"
SIGN_IN_ACTIONS = (SIGNED_IN, SIGN_IN_FAILED)

# Statuses in which signing is the user's next step (review and suspension are not).
_PROMPT_STATUSES = {
    Organisation.VerificationStatus.UNVERIFIED,
    Organisation.VerificationStatus.DETAILS_CONFIRMED,
}


def user_display(user: AbstractBaseUser) -> str:
    """Name a user by e-mail address (ACCOUNT_USER_DISPLAY): users never see their username."""
    return str(getattr(user, "email", "") or user.get_username())


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # The signature names the portal's own address, not the host the request came in on.
        super().send_mail(template_prefix, email, {"site_url": settings.SITE_URL, **context})

    def unstash_verified_email(self, request: HttpRequest) -> str | None:
        """Leave the invited address to is_email_verified, which trusts it only if typed in.

        allauth would add the stashed address to the new account as verified whatever address
        the user typed; the default is_email_verified compares the typed one with the stash.
        """
        return None

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

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """Log the user in (every login stage passed, a TOTP code included) and record it."""
        super().login(request, user)
        methods = sorted({str(r.get("method")) for r in get_authentication_records(request, user)})
        audit_event_record(
            action=SIGNED_IN,
            actor=user,
            obj=user,
            data={"methods": methods},
            ip_address=client_ip(request),
        )

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """Record a wrong password for a known user; the password itself is never kept."""
        super().authentication_failed(request, **credentials)
        user = _user_for(credentials)
        if user is not None:
            # No actor: whoever typed the password is not known to be the user.
            audit_event_record(action=SIGN_IN_FAILED, obj=user, ip_address=client_ip(request))

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits count per address: the same one as BankID and the audit log.
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip


def _user_for(credentials: dict[str, Any]) -> AbstractBaseUser | None:
    """Return the user a failed login named, by e-mail or username; None for an unknown one."""
    users = get_user_model().objects
    if email := credentials.get("email"):
        return users.filter(email__iexact=str(email)).first()
    if username := credentials.get("username"):
        return users.filter(username=str(username)).first()
    return None
