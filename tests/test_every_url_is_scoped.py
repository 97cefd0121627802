"""Another organisation's session or key gets 404 on every URL that takes an object id.

The test walks the project's resolver (tests/url_walk.py): a new pattern with an id and
no entry in FILL fails here, naming the pattern, so every view meets this check.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.middleware import SESSION_KEY
from accounts.registry import company_register
from accounts.tests.factories import MembershipFactory
from accounts.tests.partners import make_partner
from conftest import api_client
from review.tests.helpers import signed_in, staff
from tests.url_walk import (
    ADMIN_ARGS,
    FILL,
    POST_DATA,
    PUBLIC_BY_DESIGN,
    Route,
    World,
    all_routes,
    build_world,
)
from tests.url_walk import sender_organisation as make_sender

pytestmark = pytest.mark.django_db

# Words in a pattern's name that mark a request undoing the object the next request needs.
DESTRUCTIVE = ("delete", "remove", "revoke", "withdraw", "cancel")


@pytest.fixture
def worlds(settings: Any) -> Any:
    """Alfa and Beta, each with one object of every kind, invoiced by the same third party."""
    settings.COMPANY_REGISTER = "fixture"
    company_register.cache_clear()
    sender = make_sender()
    yield build_world("Alfa", sender), build_world("Beta", sender)
    company_register.cache_clear()


def _call(client: Any, route: Route, method: str, path: str) -> Any:
    if method == "get":
        return client.get(path)
    # A valid body, so that a 404 comes from the scope and not from a form that refuses it.
    data = POST_DATA.get(route.key, {})
    if route.is_api:
        return getattr(client, method)(path, data, format="json")
    return getattr(client, method)(path, data)


def _is_admin(route: Route) -> bool:
    return route.route.startswith("admin/")


def _leaks(response: Any, world: World) -> list[str]:
    """Return the markers of the world's private data that the response shows."""
    if response.get("Content-Type", "").startswith(("application/pdf", "image/")):
        return []
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    return [marker for marker in world.markers if marker in text]


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_pattern_with_an_id_is_filled_or_public_by_design() -> None:
    unknown = [
        route.key
        for route in all_routes()
        if route.args
        and route.key not in FILL
        and route.key not in PUBLIC_BY_DESIGN
        and not _is_admin(route)
    ]

    assert not unknown, (
        "URL patterns the scoping test cannot fill: add each to FILL in tests/url_walk.py "
        f"(or, with a reason, to PUBLIC_BY_DESIGN): {unknown}"
    )
    assert set(FILL) <= {route.key for route in all_routes()}, "FILL names a removed pattern"


def test_another_organisation_gets_404_on_every_object_url(worlds: tuple[World, World]) -> None:
    alfa, beta = worlds
    beta_client, beta_api = _login(beta.owner), api_client(beta.organisation, beta.owner)
    failures: list[str] = []
    routes = all_routes()

    for route in routes:
        if route.key not in FILL:
            continue
        kinds = list(FILL[route.key].items())
        # Every mix with at least one of Alfa's ids: Beta's invoice with Alfa's attachment too.
        for owners in product((alfa, beta), repeat=len(kinds)):
            if alfa not in owners:
                continue
            kwargs = {arg: w.value(kind, arg) for (arg, kind), w in zip(kinds, owners, strict=True)}
            path = route.path(kwargs)
            client = beta_api if route.is_api else beta_client
            statuses: dict[str, int] = {}
            for method in route.methods():
                response = _call(client, route, method, path)
                statuses[method] = response.status_code
                if response.status_code not in (404, 405):
                    failures.append(f"{route.key} {method.upper()} {path}: {response.status_code}")
                if leaked := _leaks(response, alfa):
                    failures.append(f"{route.key} {method.upper()} {path} shows {leaked}")
            if 404 not in statuses.values():
                failures.append(f"{route.key} {path}: never 404 ({statuses})")

    assert not failures, "Beta reaches Alfa's objects:\n" + "\n".join(failures)


def test_urls_without_an_object_id_show_nothing_of_another_organisation(
    worlds: tuple[World, World],
) -> None:
    alfa, beta = worlds
    beta_client, beta_api = _login(beta.owner), api_client(beta.organisation, beta.owner)
    failures: list[str] = []

    for route in all_routes():
        if route.key in FILL:
            continue
        if _is_admin(route):
            # The admin admits staff only: anyone else is sent to log in, id or not.
            path = route.path({arg: ADMIN_ARGS[arg] for arg in route.args})
            for method in ("get", "post"):
                response = _call(beta_client, route, method, path)
                # Its login refuses a signed-in non-staff user (403, no redirect loop); every
                # other page sends them to it, or from logout to the index, which does.
                if response.status_code != 403 and not (
                    response.status_code == 302 and response.url.startswith(reverse("admin:index"))
                ):
                    failures.append(f"{route.key} {method.upper()} {path}: {response.status_code}")
            continue
        path = route.path(alfa.kwargs(route))
        response = (beta_api if route.is_api else beta_client).get(path)
        if response.status_code >= 500:
            failures.append(f"{route.key} GET {path}: {response.status_code}")
        if leaked := _leaks(response, alfa):
            failures.append(f"{route.key} GET {path} shows {leaked}")

    assert not failures, "Pages without an id that fail or show Alfa's data:\n" + "\n".join(
        failures
    )


def test_the_fills_are_right_the_owner_reaches_every_object_url(
    worlds: tuple[World, World],
) -> None:
    # The 404s above mean something only if the same URL answers its owner.
    alfa, _beta = worlds
    alfa_client, alfa_api = _login(alfa.owner), api_client(alfa.organisation, alfa.owner)
    reviewer = signed_in(staff("reviewer@efaktura.example"))
    failures: list[str] = []
    routes = sorted(
        (route for route in all_routes() if route.key in FILL),
        key=lambda route: any(word in route.key for word in DESTRUCTIVE),
    )
    later: list[Route] = []

    def owner_reaches(route: Route, methods: list[str]) -> bool | None:
        """Return whether the first method the view takes found the object; None if none."""
        client = alfa_client
        if route.is_api or route.namespace == "review":
            client = alfa_api if route.is_api else reviewer
        path = route.path(alfa.kwargs(route))
        for method in methods:
            response = _call(client, route, method, path)
            if response.status_code >= 500:
                failures.append(f"{route.key} {method.upper()} {path}: {response.status_code}")
            if response.status_code != 405:
                return bool(response.status_code != 404)
        return None

    for route in routes:
        found = owner_reaches(route, ["get"])
        if found is None:
            later.append(route)
        elif not found:
            failures.append(f"{route.key}: 404 for the owner")
    # Writes after every read; the ones that undo an object last (the sort is stable).
    later.sort(key=lambda route: "delete" in route.methods())
    for route in later:
        found = owner_reaches(route, route.methods()[1:])
        if not found:
            failures.append(f"{route.key}: 404 (or no method) for the owner")

    assert not failures, "The fills do not reach the owner's objects:\n" + "\n".join(failures)


def test_neither_the_session_nor_a_switch_chooses_another_organisation(
    worlds: tuple[World, World],
) -> None:
    alfa, beta = worlds
    client = _login(beta.owner)
    pages = ["dashboard", "invoices:list", "invoices:customers", "accounts:members"]
    choose_alfa = {"organisation": alfa.organisation.public_id}

    switched = client.post(reverse("accounts:switch"), choose_alfa)
    session = client.session
    session[SESSION_KEY] = alfa.organisation.pk  # a forged or stale choice
    session.save()
    shown = {name: _leaks(client.get(reverse(name)), alfa) for name in pages}

    assert switched.status_code == 404
    assert shown == {name: [] for name in pages}
    # The same switch works for a member of both, and then the page does show Alfa's data.
    MembershipFactory(organisation=alfa.organisation, user=beta.owner)
    switched = client.post(reverse("accounts:switch"), choose_alfa)
    assert switched.status_code == 302
    assert _leaks(client.get(reverse("invoices:customers")), alfa)


def test_a_partner_key_cannot_name_an_organisation_it_does_not_hold(
    worlds: tuple[World, World],
) -> None:
    alfa, _beta = worlds
    partner = make_partner().api(alfa.organisation.org_number)
    failures: list[str] = []

    for route in all_routes():
        if not route.is_api or not route.name:
            continue
        path = route.path(alfa.kwargs(route))
        for method in route.methods():
            response = _call(partner, route, method, path)
            # The partner's own routes (its connections) answer it; they must not show Alfa.
            own = route.key.startswith("api:partner_")
            if not own and response.status_code not in (403, 404, 405):
                failures.append(f"{route.key} {method.upper()} {path}: {response.status_code}")
            if leaked := _leaks(response, alfa):
                failures.append(f"{route.key} {method.upper()} {path} shows {leaked}")

    assert not failures, "A partner reaches an organisation it does not hold:\n" + "\n".join(
        failures
    )


def test_staff_without_the_review_permission_get_404_in_the_review_workspace(
    worlds: tuple[World, World],
) -> None:
    alfa, _beta = worlds
    outsider = signed_in(staff("support@efaktura.example", permission=False))
    answers = {
        f"{route.key} {method.upper()}": _call(
            outsider, route, method, route.path(alfa.kwargs(route))
        ).status_code
        for route in all_routes()
        if route.namespace == "review"
        for method in ("get", "post")
    }

    assert len(answers) >= 14
    assert set(answers.values()) <= {404, 405}, answers
    assert 404 in answers.values()
