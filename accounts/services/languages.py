"""The language each user chose, kept so that mails to them are written in it."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from accounts.models import UserLanguage


def user_language_remember(*, user: Any, language: str) -> None:
    """Keep the language the user chose with the switcher (one of settings.LANGUAGES)."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        return
    UserLanguage.objects.update_or_create(user=user, defaults={"language": language})
