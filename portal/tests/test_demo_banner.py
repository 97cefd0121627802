"""The demo's start banner says how each demo user logs in."""

from __future__ import annotations

from portal.management.commands.run_demo import _banner

STAFF = {"email": "staff@efaktura.example", "password": "demo-staff-2026", "is_staff": True}
OWNER = {"email": "anna@norrsken.example", "password": "demo-anna-2026", "role": "owner"}


def test_the_banner_says_how_staff_log_in_with_totp() -> None:
    text = _banner(8013, {"users": [OWNER, STAFF]})
    assert "staff@efaktura.example" in text
    assert "TOTP code" in text
    assert "authenticator app" in text
    assert "/staff/review/" in text


def test_without_staff_the_banner_says_nothing_of_totp() -> None:
    assert "TOTP" not in _banner(8013, {"users": [OWNER]})
