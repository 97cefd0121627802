"""Idempotency-Key on API POSTs: a retry gets the first answer, and the work is done once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiKey, Organisation
from accounts.services import api_key_create
from conftest import api_client
from integrations.models import IdempotencyRecord
from integrations.services_idempotency import idempotency_records_purge
from integrations.tasks import idempotency_records_purge_task
from invoices.models import Customer, Invoice
from invoices.tests.factories import CustomerFactory
from invoices.xmlsafe import MAX_BYTES
from portal.api.idempotency import IdempotencyMiddleware, request_hash

CUSTOMERS = "/api/v1/customers"
INVOICES = "/api/v1/invoices"
NEW_CUSTOMER = {"name": "Kund AB", "org_number": "5560360793"}


def post(client: Any, key: str | None, payload: Any = NEW_CUSTOMER, path: str = CUSTOMERS) -> Any:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, json.dumps(payload), content_type="application/json", **headers)


def hash_of(payload: Any = NEW_CUSTOMER, path: str = CUSTOMERS) -> str:
    """The fingerprint post() gives a request, to set up a claim by hand."""
    body = json.dumps(payload)
    return request_hash(RequestFactory().post(path, body, content_type="application/json"))


def clients_of_one_key(organisation: Organisation, user: Any) -> tuple[Any, Any]:
    """Two clients sending the same API key, one for each concurrent request."""
    _key, secret = api_key_create(actor=user, organisation=organisation, name="ERP")
    clients = (APIClient(), APIClient())
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return clients


# --- Replay, reuse, no header ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_request_again_gets_the_first_answer_and_no_second_customer(
    alice_api: Any,
) -> None:
    first = post(alice_api, "order-1")
    second = post(alice_api, "order-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Customer.objects.count() == 1
    assert IdempotencyRecord.objects.get().status == IdempotencyRecord.Status.COMPLETED


@pytest.mark.django_db
def test_a_refusal_is_replayed_too_and_nothing_is_stored(alice_api: Any) -> None:
    first = post(alice_api, "bad-1", {"name": "X", "colour": "blue"})
    second = post(alice_api, "bad-1", {"name": "X", "colour": "blue"})
    assert first.status_code == second.status_code == 422
    assert second.json() == first.json() and first.json()["code"] == "invalid_request"
    assert not Customer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "path"),
    [({"name": "Annan Kund AB"}, CUSTOMERS), (NEW_CUSTOMER, CUSTOMERS + "?q=x")],
)
def test_the_same_key_with_another_request_is_422(alice_api: Any, payload: Any, path: str) -> None:
    assert post(alice_api, "order-1").status_code == 201
    response = post(alice_api, "order-1", payload, path)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_reused" and body["detail"]
    assert list(Customer.objects.values_list("name", flat=True)) == ["Kund AB"]


@pytest.mark.django_db
def test_without_the_header_every_post_does_the_work(alice_api: Any) -> None:
    assert post(alice_api, None).status_code == 201
    assert post(alice_api, None).status_code == 201
    assert Customer.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_reads_are_not_recorded(alice_api: Any) -> None:
    response = alice_api.get(CUSTOMERS, HTTP_IDEMPOTENCY_KEY="read-1")
    assert response.status_code == 200
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "k" * 256])
def test_an_empty_or_overlong_key_is_422_and_nothing_runs(alice_api: Any, key: str) -> None:
    response = post(alice_api, key)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert [error["field"] for error in body["errors"]] == ["Idempotency-Key"]
    assert not Customer.objects.exists() and not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_key_of_255_characters_is_fine(alice_api: Any) -> None:
    assert post(alice_api, "k" * 255).status_code == 201
    assert post(alice_api, "k" * 255)["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_body_past_the_cap_is_413_before_it_is_read(alice_api: Any) -> None:
    response = alice_api.post(
        CUSTOMERS,
        json.dumps(NEW_CUSTOMER),
        content_type="application/json",
        CONTENT_LENGTH=str(MAX_BYTES + 1),
        HTTP_IDEMPOTENCY_KEY="order-1",
    )
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert not Customer.objects.exists() and not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_without_a_valid_api_key_the_header_changes_nothing(alice_api: Any) -> None:
    alice_api.credentials(HTTP_AUTHORIZATION="Bearer efk_nothing_here")
    response = post(alice_api, "order-1")
    assert (response.status_code, response.json()["code"]) == (401, "invalid_api_key")
    assert not IdempotencyRecord.objects.exists()


# --- Scope: one API key's keys are its own -----------------------------------------------------


@pytest.mark.django_db
def test_two_api_keys_use_the_same_idempotency_key_independently(
    alice_org: Organisation, alice: Any, mallory_api: Any
) -> None:
    erp, other_erp = api_client(alice_org, alice), api_client(alice_org, alice)
    assert post(erp, "order-1").status_code == 201
    assert post(other_erp, "order-1").status_code == 201
    mallorys = post(mallory_api, "order-1")
    assert mallorys.status_code == 201 and "Idempotent-Replayed" not in mallorys
    assert Customer.objects.filter(organisation=alice_org).count() == 2
    assert Customer.objects.get(pk=mallorys.json()["id"]).organisation != alice_org
    assert IdempotencyRecord.objects.count() == 3


@pytest.mark.django_db
def test_a_read_only_keys_403_is_not_replayed_to_a_full_key(
    alice_org: Organisation, alice: Any, alice_api: Any
) -> None:
    reader = api_client(alice_org, alice, read_only=True)
    refused = post(reader, "order-1")
    assert (refused.status_code, refused.json()["code"]) == (403, "read_only_key")
    assert post(reader, "order-1").status_code == 403
    created = post(alice_api, "order-1")
    assert created.status_code == 201 and "Idempotent-Replayed" not in created
    assert Customer.objects.count() == 1


# --- 24 hours, abandoned claims, what is not kept ------------------------------------------------


@pytest.mark.django_db
def test_after_24_hours_the_key_is_forgotten_and_cleaned_up(alice_api: Any) -> None:
    assert post(alice_api, "order-1").status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    again = post(alice_api, "order-1", {"name": "Annan Kund AB"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Customer.objects.count() == 2
    record = IdempotencyRecord.objects.get()  # the old one is gone, the new one kept
    assert timezone.now() - record.created_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_the_purge_keeps_records_inside_the_window(alice_api: Any) -> None:
    post(alice_api, "old")
    post(alice_api, "recent")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    IdempotencyRecord.objects.filter(key="recent").update(
        created_at=timezone.now() - timedelta(hours=23)
    )
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


@pytest.mark.django_db
def test_beat_purges_the_records_past_the_window_every_hour(alice_api: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-records"]
    assert entry == {"task": idempotency_records_purge_task.name, "schedule": 3600.0}
    post(alice_api, "old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    post(alice_api, "recent")
    assert idempotency_records_purge_task() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


@pytest.mark.django_db
def test_a_request_with_a_key_looks_its_api_key_up_once(alice_api: Any) -> None:
    # The middleware authenticates before the view; the view must not ask again.
    with CaptureQueriesContext(connection) as queries:
        assert post(alice_api, "order-1").status_code == 201
    lookups = [query for query in queries if 'FROM "accounts_apikey"' in query["sql"]]
    assert len(lookups) == 1


def _claim(api_key: ApiKey, key: str, age: timedelta) -> None:
    """A claim of post(client, key) made `age` ago and never finished."""
    IdempotencyRecord.objects.create(api_key=api_key, key=key, request_hash=hash_of())
    IdempotencyRecord.objects.filter(key=key).update(created_at=timezone.now() - age)


@pytest.mark.django_db
def test_a_running_claim_answers_409(alice_api: Any) -> None:
    _claim(ApiKey.objects.get(), "order-1", timedelta(minutes=9))
    response = post(alice_api, "order-1")
    assert (response.status_code, response.json()["code"]) == (409, "request_in_progress")
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_dead_process_is_taken_over(alice_api: Any) -> None:
    _claim(ApiKey.objects.get(), "order-1", timedelta(minutes=11))
    response = post(alice_api, "order-1")
    # The dead claim's request is unknown: the retry runs instead of waiting a day.
    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().status == IdempotencyRecord.Status.COMPLETED


@pytest.mark.django_db
def test_a_rate_limited_request_is_not_kept(alice_api: Any, settings: Any) -> None:
    settings.API_RATE_PER_KEY = "1/min"
    assert post(alice_api, "first").status_code == 201
    limited = post(alice_api, "second", {"name": "Annan Kund AB"})
    assert limited.status_code == 429
    assert not IdempotencyRecord.objects.filter(key="second").exists()
    cache.clear()  # the minute has passed
    assert post(alice_api, "second", {"name": "Annan Kund AB"}).status_code == 201
    assert Customer.objects.count() == 2


def _middleware_call(downstream: Callable[[HttpRequest], HttpResponse], secret: str) -> Any:
    request = RequestFactory().post(
        CUSTOMERS,
        b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY="order-1",
    )
    return IdempotencyMiddleware(downstream)(request)


@pytest.mark.django_db
def test_a_5xx_or_an_exception_releases_the_key_for_a_retry(
    alice_org: Organisation, alice: Any
) -> None:
    # The downstream stands in for a view failing in a way no real view should.
    _key, secret = api_key_create(actor=alice, organisation=alice_org, name="ERP")
    assert _middleware_call(lambda request: HttpResponse(status=503), secret).status_code == 503
    assert not IdempotencyRecord.objects.exists()

    def crash(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("the view fell over")

    with pytest.raises(RuntimeError):
        _middleware_call(crash, secret)
    assert not IdempotencyRecord.objects.exists()
    done = _middleware_call(lambda request: HttpResponse(b"ok", status=201), secret)
    assert done.status_code == 201
    replay = _middleware_call(crash, secret)  # a replay never reaches the view
    assert (replay.status_code, replay.content) == (201, b"ok")


# --- The schema ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_documents_the_header_on_every_post(client: Any) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    posts = [ops["post"] for ops in schema["paths"].values() if "post" in ops]
    assert posts
    reference = {"$ref": "#/components/parameters/IdempotencyKey"}
    assert all(reference in operation["parameters"] for operation in posts)
    assert all({"409", "422"} <= set(operation["responses"]) for operation in posts)
    assert schema["components"]["parameters"]["IdempotencyKey"]["name"] == "Idempotency-Key"
    gets = [ops["get"] for ops in schema["paths"].values() if "get" in ops]
    assert not any(reference in operation.get("parameters", []) for operation in gets)


# --- Two requests at once (real threads, real transactions) --------------------------------------


def _in_thread(results: list[Any], client: Any, key: str) -> threading.Thread:
    def run() -> None:
        try:
            results.append(post(client, key))
        finally:
            connection.close()  # each thread has its own connection; let the flush run

    return threading.Thread(target=run)


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_request_arriving_while_the_first_runs_gets_409_then_the_replay(
    alice_org: Organisation, alice: Any
) -> None:
    first_client, retry_client = clients_of_one_key(alice_org, alice)
    first_results: list[Any] = []
    with transaction.atomic():
        # Hold the first request inside its view: its INSERT waits for this lock.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Customer._meta.db_table} IN EXCLUSIVE MODE")
        first = _in_thread(first_results, first_client, "order-1")
        first.start()
        _wait_for(lambda: IdempotencyRecord.objects.filter(key="order-1").exists())
        refused = post(retry_client, "order-1")
        assert (refused.status_code, refused.json()["code"]) == (409, "request_in_progress")
        assert not Customer.objects.exists()
    first.join(10)
    replayed = post(retry_client, "order-1")
    assert first_results[0].status_code == replayed.status_code == 201
    assert replayed.json() == first_results[0].json()
    assert Customer.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_make_one_customer_and_one_answer(
    alice_org: Organisation, alice: Any
) -> None:
    start = threading.Barrier(2)
    results: list[Any] = []

    def run(client: Any) -> None:
        try:
            start.wait(5)
            results.append(post(client, "order-1"))
        finally:
            connection.close()

    clients = clients_of_one_key(alice_org, alice)
    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    statuses = sorted(response.status_code for response in results)
    assert statuses in ([201, 201], [201, 409])
    assert Customer.objects.count() == 1
    created = [response.json() for response in results if response.status_code == 201]
    assert all(body == created[0] for body in created)


@pytest.mark.django_db(transaction=True)
def test_two_invoice_creates_at_once_make_one_invoice_and_the_same_answer(
    alice_org: Organisation, alice: Any
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    invoice = {
        "customer_id": customer.pk,
        "lines": [{"description": "Konsulttimmar", "quantity": "2", "unit_price": "950.00"}],
    }
    start = threading.Barrier(2)
    results: list[Any] = []

    def run(client: Any) -> None:
        try:
            start.wait(5)
            results.append(post(client, "invoice-1", invoice, INVOICES))
        finally:
            connection.close()

    clients = clients_of_one_key(alice_org, alice)
    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(response.status_code for response in results) in ([201, 201], [201, 409])
    assert Invoice.objects.count() == 1
    # Whichever way the race went, a retry now gets the first answer.
    created = next(response for response in results if response.status_code == 201)
    retried = post(clients[0], "invoice-1", invoice, INVOICES)
    assert (retried.status_code, retried.json()) == (201, created.json())
    assert Invoice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_over_real_http_a_retry_is_replayed(
    live_server: Any, alice_org: Organisation, alice: Any
) -> None:
    _key, secret = api_key_create(actor=alice, organisation=alice_org, name="ERP")
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "order-1"}
    url = live_server.url + CUSTOMERS
    with httpx.Client(headers=headers, timeout=10) as http:
        first = http.post(url, json=NEW_CUSTOMER)
        retried = http.post(url, json=NEW_CUSTOMER)
        reused = http.post(url, json={"name": "Annan Kund AB"})
    assert (first.status_code, retried.status_code, reused.status_code) == (201, 201, 422)
    assert retried.json() == first.json() and retried.headers["Idempotent-Replayed"] == "true"
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1
