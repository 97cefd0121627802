"""Plain-text mails rendered from a subject and a body template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_mail(template: str, context: dict[str, Any], recipients: list[str]) -> None:
    """Send `<template>_subject.txt` / `<template>_body.txt` to the recipients."""
    if not recipients:
        return
    send_mail(
        subject=" ".join(render_to_string(f"{template}_subject.txt", context).split()),
        message=render_to_string(f"{template}_body.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


def send_templated_mail_to_users(template: str, context: dict[str, Any], users: list[Any]) -> None:
    """Send the mail to each user in the language they chose; Swedish if they never chose."""
    from accounts.models import UserLanguage

    chosen = dict(
        UserLanguage.objects.filter(user__in=[user.pk for user in users]).values_list(
            "user_id", "language"
        )
    )
    by_language: dict[str, list[str]] = {}
    for user in users:
        language = chosen.get(user.pk, settings.LANGUAGE_CODE)
        by_language.setdefault(language, []).append(user.email)
    for language, emails in sorted(by_language.items()):
        # A staff member's decision mails each owner in the owner's language, not the staff's.
        with translation.override(language):
            send_templated_mail(template, context, emails)


def mail_users_on_commit(template: str, context: dict[str, Any], users: list[Any]) -> None:
    """Send the mail to the users, each in their language, once the transaction commits."""
    recipients = [user for user in users if user.email]
    if recipients:
        transaction.on_commit(lambda: send_templated_mail_to_users(template, context, recipients))
