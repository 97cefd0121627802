"""Plain-text mails rendered from a subject and a body template."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.template.loader import render_to_string


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
