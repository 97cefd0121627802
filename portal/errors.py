"""The base of every app's domain errors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain said no; `code` is stable for the API, str() is for people."""

    code = "error"
    message = _("The request could not be completed.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(str(message or self.message))
