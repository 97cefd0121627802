"""Staff users with a TOTP authenticator, logged in the only way staff can: through allauth."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def staff_user(email: str = "staff@example.com", *, with_totp: bool = True) -> Any:
    """Create a staff superuser, with a TOTP authenticator on TOTP_SECRET unless told not to."""
    user = UserFactory(email=email)
    user.is_staff = user.is_superuser = True
    user.save()
    if with_totp:
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
        )
    return user


TOTP_MARGIN_S = 3  # a login on a loaded CI machine posts its code well within this


def totp_code(secret: str = TOTP_SECRET) -> str:
    """Return the code an authenticator app shows for secret, valid for a few seconds more."""
    # allauth accepts only the current period's code: one read in the period's last moment is
    # stale by the time a loaded machine posts it. Wait for the next period instead, as a
    # person would when the app's countdown is nearly out.
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < TOTP_MARGIN_S:
        time.sleep(period - time.time() % period + 0.05)
    counter = int(time.time()) // period
    code: str = format_hotp_value(hotp_value(secret, counter))
    return code


def totp_logged_in(user: Any, client: Client | None = None) -> Client:
    """Log user in through allauth's form and its TOTP step, as a browser would."""
    client = client or Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302, response.content.decode()
    return client
