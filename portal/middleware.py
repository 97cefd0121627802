"""Language choice (Swedish unless the user picked English); query strings a database reads."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils import translation

KEPT = "_chosen_language_kept"  # session key: the choice already stored for mails


class ChosenLanguageMiddleware:
    """Activate the language from the switcher's cookie, else settings.LANGUAGE_CODE.

    Unlike Django's LocaleMiddleware the browser's Accept-Language is not consulted:
    the portal is Swedish by default, whatever language the browser happens to prefer.
    The API (/api/) does consult it: `Accept-Language: en` is how an ERP asks for English.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in self.supported and request.path.startswith("/api/"):
            # An ERP has no switcher: the API answers in the language its request asks for.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # The switcher's own response carries the new choice; other pages the one in use.
        switched = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        choice = switched.value if switched is not None else chosen
        if choice in self.supported and not request.path.startswith("/api/"):
            _keep_for_mails(request, choice)
        return response


def _keep_for_mails(request: HttpRequest, language: str) -> None:
    """Store the signed-in user's choice once per session: mails to them are written in it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.session.get(KEPT) == language:
        return
    from accounts.services.languages import user_language_remember

    user_language_remember(user=user, language=language)
    request.session[KEPT] = language


class NulFreeQueryMiddleware:
    """Answer 400 to a page address whose query string holds a NUL character.

    PostgreSQL cannot compare text holding NUL, so a search or filter with one would end
    in a server error. The API answers the same in its own error format (422), so it is
    left to it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _holds_nul(request):
            raise BadRequest("NUL in the query string")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )
