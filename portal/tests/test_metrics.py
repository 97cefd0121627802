"""/metrics: Prometheus's text format for a caller with the token, nothing for anyone else.

Against the real PostgreSQL and Redis: the counters live in the shared cache, the rest is
counted in the database when scraped.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, RiskFlag
from invoices.models import Delivery, DeliveryChannel, Invoice
from invoices.tests.factories import issued
from invoices.validation import validate_document
from signing.models import SigningOrder

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-metrics-token-for-the-tests"
GOLDEN = Path(__file__).resolve().parents[2] / "invoices" / "tests" / "data" / "golden-invoice.xml"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

# The text exposition format 0.0.4, strictly: HELP and TYPE lines, then samples.
_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
_VALUE = r"[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|Inf|NaN)"
HELP = re.compile(rf"# HELP ({_NAME}) .*")
TYPE = re.compile(rf"# TYPE ({_NAME}) (counter|gauge|summary|histogram|untyped)")
SAMPLE = re.compile(rf"({_NAME})(?:\{{((?:{_LABEL})(?:,{_LABEL})*)?\}})? ({_VALUE})")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')


def parse(text: str) -> Samples:
    """Parse the exposition strictly; fail on any line the format does not allow."""
    assert text.endswith("\n")
    samples: Samples = {}
    typed: dict[str, str] = {}
    for line in text.splitlines():
        if HELP.fullmatch(line):
            continue
        if type_line := TYPE.fullmatch(line):
            assert type_line[1] not in typed, f"{type_line[1]} typed twice"
            typed[type_line[1]] = type_line[2]
            continue
        sample = SAMPLE.fullmatch(line)
        assert sample is not None, f"not a valid line: {line!r}"
        name = sample[1]
        family = re.sub(r"_(count|sum)$", "", name) if name not in typed else name
        assert family in typed, f"{name} has no TYPE line before it"
        labels = frozenset(LABEL.findall(sample[2] or ""))
        assert (name, labels) not in samples, f"{line!r} repeated"
        samples[(name, labels)] = float(sample[3])
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def scrape(client: Client | None = None) -> Samples:
    response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(response.content.decode())


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def test_metrics_do_not_exist_without_a_token_setting(settings: Any, client: Client) -> None:
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer åäö"],
)
def test_a_missing_or_wrong_token_gets_401(token: str, client: Client, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"efaktura_" not in response.content


def test_a_signed_in_session_is_no_token(token: str, alice_client: Client) -> None:
    assert alice_client.get("/metrics").status_code == 401


def test_the_exposition_parses_and_counts_what_the_database_holds(
    token: str, alice: Any, alice_org: Organisation, alice_client: Client
) -> None:
    waiting, delivered, sent = (issued(alice_org, alice) for _ in range(3))
    Invoice.objects.filter(pk=sent.pk).update(status=Invoice.Status.QUEUED)
    queued = Delivery.objects.create(
        organisation=alice_org,
        invoice=waiting,
        channel=DeliveryChannel.PEPPOL,
        recipient="0007:5560000001",
        reason="PEPPOL",
        status=Delivery.Status.QUEUED,
    )
    Delivery.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - timedelta(seconds=90)
    )
    Delivery.objects.create(
        organisation=alice_org,
        invoice=delivered,
        channel=DeliveryChannel.EMAIL,
        recipient="ekonomi@kund.example",
        reason="e-mail",
        status=Delivery.Status.DELIVERED,
    )
    for status in (RiskFlag.Status.OPEN, RiskFlag.Status.APPROVED):
        RiskFlag.objects.create(
            kind=RiskFlag.Kind.VELOCITY,
            org_number=alice_org.org_number,
            organisation=alice_org,
            status=status,
        )
    SigningOrder.objects.create(
        organisation=alice_org,
        user=alice,
        status=SigningOrder.Status.FAILED,
        details={},
        details_digest="0" * 64,
        end_user_ip="192.0.2.10",
    )
    for _ in range(2):
        assert alice_client.get(reverse("dashboard")).status_code == 200

    samples = scrape()

    assert value(samples, "efaktura_deliveries", channel="peppol", status="queued") == 1
    assert value(samples, "efaktura_deliveries", channel="email", status="delivered") == 1
    assert value(samples, "efaktura_deliveries", channel="network", status="failed") == 0
    assert value(samples, "efaktura_invoices_queued") == 1
    assert value(samples, "efaktura_delivery_queue_depth") == 1
    assert 90 <= value(samples, "efaktura_delivery_oldest_queued_age_seconds") < 300
    assert value(samples, "efaktura_signing_orders", status="failed") == 1
    assert value(samples, "efaktura_signing_orders", status="complete") == 0
    # The approved flag is decided: only the open one is a case.
    assert value(samples, "efaktura_review_cases_open", kind="velocity") == 1
    assert value(samples, "efaktura_review_cases_open", kind="takeover") == 0
    assert value(samples, "efaktura_http_requests_total", view="dashboard", status="200") == 2
    # Issuing validated each of the three invoices.
    assert value(samples, "efaktura_validation_seconds_count") >= 3
    assert value(samples, "efaktura_validation_seconds_sum") > 0


def test_an_empty_queue_has_age_zero(token: str) -> None:
    samples = scrape()

    assert value(samples, "efaktura_delivery_queue_depth") == 0
    assert value(samples, "efaktura_delivery_oldest_queued_age_seconds") == 0


def test_requests_add_up_across_clients_and_the_scrape_is_not_counted(
    token: str, alice_client: Client, bob_client: Client
) -> None:
    # Two clients stand for two server processes: all they share is the cache.
    alice_client.get(reverse("dashboard"))
    bob_client.get(reverse("dashboard"))
    bob_client.get(reverse("dashboard"))
    alice_client.get("/no-such-page/")

    scrape(alice_client)
    samples = scrape(bob_client)

    assert value(samples, "efaktura_http_requests_total", view="dashboard", status="200") == 3
    assert value(samples, "efaktura_http_requests_total", view="<unresolved>", status="404") == 1
    views = {dict(labels).get("view") for name, labels in samples if name.endswith("_total")}
    assert "metrics" not in views


def test_validation_time_is_a_summary_of_every_validation(token: str) -> None:
    data = GOLDEN.read_bytes()
    validate_document(data)
    validate_document(b"<not xml")

    samples = scrape()

    assert value(samples, "efaktura_validation_seconds_count") == 2
    assert value(samples, "efaktura_validation_seconds_sum") > 0


def test_a_cache_outage_counts_nothing_and_fails_nothing(
    settings: Any, alice_client: Client
) -> None:
    # A port nothing listens on: every cache call is refused, as while Redis restarts.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    assert alice_client.get(reverse("dashboard")).status_code == 200
    assert not validate_document(GOLDEN.read_bytes()).findings
