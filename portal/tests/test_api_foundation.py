"""What every API request meets: the key, the error format, the limits, the docs."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import redis
from django.db import OperationalError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiKey, AuditEvent, Organisation
from accounts.services import api_key_revoke
from conftest import api_client
from portal.api.errors import api_exception_handler

pytestmark = pytest.mark.django_db
ORGANISATION = "/api/v1/organisation"


def test_without_a_key_the_answer_is_401_in_the_api_format() -> None:
    response = APIClient().get(ORGANISATION)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer efk_nothing_here", "Bearer", "Bearer a b", "Bearer efk_123456789012_" + "x" * 43],
)
def test_an_unknown_or_malformed_key_is_401(header: str) -> None:
    response = APIClient().get(ORGANISATION, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


def test_a_revoked_key_is_refused_at_once(alice_org: Organisation, alice: Any) -> None:
    client = api_client(alice_org, alice)
    assert client.get(ORGANISATION).status_code == 200
    api_key_revoke(actor=alice, api_key=ApiKey.objects.get())
    response = client.get(ORGANISATION)
    assert (response.status_code, response.json()["code"]) == (401, "invalid_api_key")


def test_a_session_does_not_authenticate_the_api(alice_client: Any) -> None:
    # No cookie-authenticated API: nothing for a cross-site request to ride on.
    assert alice_client.get(ORGANISATION).status_code == 401


def test_the_key_is_stored_only_as_a_hash(alice_org: Organisation, alice: Any) -> None:
    from accounts.services import api_key_create

    api_key, secret = api_key_create(actor=alice, organisation=alice_org, name="ERP")
    assert secret.startswith(f"efk_{api_key.prefix}_")
    assert secret not in str(ApiKey.objects.filter(pk=api_key.pk).values().get())
    event = AuditEvent.objects.get(action="api_key.created")
    assert secret not in str(event.data) and event.actor == alice


def test_a_read_only_key_reads_but_does_not_write(alice_org: Organisation, alice: Any) -> None:
    client = api_client(alice_org, alice, read_only=True)
    assert client.get("/api/v1/customers").status_code == 200
    response = client.post("/api/v1/customers", {"name": "Ny Kund AB"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "read_only_key")


def test_malformed_json_is_400_and_stores_nothing(alice_api: Any) -> None:
    response = alice_api.post(
        "/api/v1/customers", data=b'{"name": ', content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")


def test_a_wrong_media_type_is_415(alice_api: Any) -> None:
    response = alice_api.post("/api/v1/customers", data=b"name=x", content_type="text/csv")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_an_unknown_method_is_405(alice_api: Any) -> None:
    response = alice_api.delete(ORGANISATION)
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def test_an_unknown_path_under_the_api_is_404(alice_api: Any) -> None:
    assert alice_api.get("/api/v1/customers/999999").json()["code"] == "not_found"


def test_a_key_over_its_rate_gets_429_with_retry_after(alice_api: Any, settings: Any) -> None:
    settings.API_RATE_PER_KEY = "3/min"
    statuses = [alice_api.get(ORGANISATION).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = alice_api.get(ORGANISATION)
    assert response.json()["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 61


def test_each_key_has_its_own_rate(alice_api: Any, mallory_api: Any, settings: Any) -> None:
    settings.API_RATE_PER_KEY = "1/min"
    assert alice_api.get(ORGANISATION).status_code == 200
    assert mallory_api.get(ORGANISATION).status_code == 200


def test_the_schema_and_the_docs_are_public(client: Any) -> None:
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    assert "/api/v1/organisation" in schema["paths"]
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert client.get(reverse("api-docs")).status_code == 200


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def test_a_cache_that_does_not_answer_does_not_stop_the_api(
    alice_api: Any, settings: Any
) -> None:
    # Redis restarting for a moment must not fail an ERP's requests: the rate limit, whose
    # counters live there, lets them through until it answers again.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    settings.API_RATE_PER_KEY = "1/min"
    assert [alice_api.get(ORGANISATION).status_code for _ in range(2)] == [200, 200]


@pytest.mark.parametrize(
    "outage",
    [redis.ConnectionError("Connection refused"), OperationalError("server closed")],
)
def test_an_outage_of_redis_or_the_database_is_503_with_retry_after(outage: Exception) -> None:
    response = api_exception_handler(outage, {})

    assert response is not None
    assert response.status_code == 503
    assert response.data["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0
