"""Two-factor login for staff: what counts as a two-factor session, and a stable TOTP set-up."""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.http import HttpRequest


def session_used_second_factor(request: HttpRequest) -> bool:
    """Return whether this session's user gave a second factor (TOTP or a recovery code) in it.

    allauth records every step that authenticated the session: its MFA login stage and its
    MFA reauthentication add an "mfa" record, a password or a test's force_login does not.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """allauth's TOTP set-up form, with one secret for the whole session.

    allauth draws a new secret on every GET of the page, so a reload (or a favicon
    request that was redirected here) replaced the secret the user had just scanned and
    every code was refused. The secret is only a candidate until a code for it is
    entered; allauth drops it from the session once the authenticator is saved.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        session = context.request.session
        kept = session.get(SECRET_SESSION_KEY)
        super().__init__(*args, **kwargs)
        if kept:
            self.secret = session[SECRET_SESSION_KEY] = kept
