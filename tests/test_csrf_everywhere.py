"""Every browser POST without a CSRF token is refused, and nothing is stored.

The test walks the project's resolver (tests/url_walk.py) with Django's enforcing test
client: a new view that is exempt from the check, or that writes before it, fails here.
The API under /api/v1/ takes keys, never cookies: a session alone gets 401 there.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts.registry import company_register
from review.tests.helpers import signed_in, staff
from tests.url_walk import ADMIN_ARGS, POST_DATA, Route, World, all_routes, build_world
from tests.url_walk import sender_organisation as make_sender

pytestmark = pytest.mark.django_db

# Views exempt from the CSRF check on purpose, with why no browser session can use them.
CSRF_EXEMPT: dict[str, str] = {
    "api-schema": "DRF view, read-only: the OpenAPI document",
    "api-docs": "DRF view, read-only: the Swagger page",
    "<unnamed> ^api/v1/": "the API's own 404 for what no route matches",
}
# Rows that change without a write: sessions (every login) and the spent TOTP codes.
NOT_COUNTED = {"sessions.session"}
COUNTED_APPS = ("accounts", "invoices", "signing", "integrations", "auth", "account", "mfa")


@pytest.fixture
def world(settings: Any) -> Any:
    settings.COMPANY_REGISTER = "fixture"
    company_register.cache_clear()
    yield build_world("Alfa", make_sender())
    company_register.cache_clear()


def _row_counts() -> dict[str, int]:
    """Return the number of rows of every model the portal stores data in."""
    return {
        model._meta.label_lower: model._default_manager.count()
        for label in COUNTED_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label_lower not in NOT_COUNTED
    }


def _enforcing(client: Client) -> Client:
    """Return a client with the same session that, like a browser, sends no token unasked."""
    enforcing = Client(enforce_csrf_checks=True)
    enforcing.cookies = client.cookies
    # A page first, so the CSRF cookie is set: the refusal below is for the missing token.
    enforcing.get(reverse("dashboard"))
    return enforcing


def _kwargs(route: Route, world: World) -> dict[str, Any]:
    if route.route.startswith("admin/"):
        return {arg: ADMIN_ARGS[arg] for arg in route.args}
    return world.kwargs(route)


def test_every_browser_post_without_a_token_is_refused(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    owner = Client()
    owner.force_login(world.owner)
    browser = _enforcing(owner)
    reviewer = _enforcing(signed_in(staff("reviewer@efaktura.example")))
    failures: list[str] = []
    tried = 0

    for route in all_routes():
        if route.is_api or route.key in CSRF_EXEMPT:
            continue
        client = reviewer if route.route.startswith(("staff/", "admin/")) else browser
        path = route.path(_kwargs(route, world))
        before = _row_counts()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
            response = client.post(path, POST_DATA.get(route.key, {}))
        tried += 1
        refused = any("CSRF token missing" in record.getMessage() for record in caplog.records)
        if response.status_code != 403 or not refused:
            failures.append(f"{route.key} POST {path}: {response.status_code}, CSRF log {refused}")
        if (after := _row_counts()) != before:
            changed = {name for name in after if after[name] != before[name]}
            failures.append(f"{route.key} POST {path} stored rows in {sorted(changed)}")

    assert tried > 50, "the walk found too few patterns"
    assert not failures, "POSTs without a CSRF token that were not refused:\n" + "\n".join(
        failures
    )


def test_the_exempt_views_take_no_post(world: World) -> None:
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(world.owner)
    routes = {route.key: route for route in all_routes()}

    for key in CSRF_EXEMPT:
        before = _row_counts()
        response = owner.post(routes[key].path({}))

        assert response.status_code in (401, 403, 404, 405), key
        assert _row_counts() == before, key


def test_the_api_refuses_a_session_without_a_key(world: World) -> None:
    # The API authenticates keys only: a browser's session cookie must not carry a write.
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(world.owner)
    failures: list[str] = []
    tried = 0

    for route in all_routes():
        if not route.is_api or route.key in CSRF_EXEMPT:
            continue
        path = route.path(world.kwargs(route))
        for method in route.methods()[1:]:  # every method but GET writes
            before = _row_counts()
            tried += 1
            response = getattr(owner, method)(
                path, POST_DATA.get(route.key, {}), content_type="application/json"
            )
            if response.status_code != 401:
                failures.append(f"{route.key} {method.upper()} {path}: {response.status_code}")
            if _row_counts() != before:
                failures.append(f"{route.key} {method.upper()} {path} stored rows")

    assert tried > 10, "the walk found too few API writes"
    assert not failures, "API writes a session reached without a key:\n" + "\n".join(failures)
