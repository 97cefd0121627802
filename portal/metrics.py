"""What an operator watches: /metrics in Prometheus's text format (exposition format 0.0.4).

Two kinds of figures. Counters of events (requests by view and status, validation time)
live in the shared cache, so that every gunicorn process and every worker adds to the
same numbers: one round trip per event on Redis (INCRBY, pipelined), `incr` and `add` on
another cache. The cache cannot list its keys, so each new request counter also takes a
numbered slot that says which labels it counts; a scrape reads the slots, then the
counters. Everything else
(deliveries, the queue, signing orders, review cases) is counted in the database at
scrape time, so it is right whichever process did the work.

Only a caller with `Authorization: Bearer <METRICS_TOKEN>` is answered; without the
setting the URL does not exist. A cache that is down never fails a request or a
validation: the event is simply not counted.
"""

from __future__ import annotations

import functools
import hmac
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
KEY = "efaktura_metrics:"  # every cache key of this module starts so
REQUESTS_SLOTS = f"{KEY}requests:slots"
VALIDATION_COUNT = f"{KEY}validation:count"
VALIDATION_MICROSECONDS = f"{KEY}validation:us"  # incr adds integers only
UNRESOLVED = "<unresolved>"  # a path no URL pattern matched


# --- Counting events in the cache -----------------------------------------------------------


@functools.cache
def _redis_of_the_cache() -> redis.Redis | None:
    """A client of the cache's own Redis, if the cache is Redis; one per process."""
    backend = settings.CACHES["default"]
    if not backend["BACKEND"].endswith("RedisCache"):
        return None
    return redis.Redis.from_url(backend["LOCATION"])


def _add(deltas: dict[str, int]) -> dict[str, int]:
    """Add to counters that never expire; return their new values.

    On Redis one pipelined round trip adds to them all (INCRBY makes a missing counter),
    under the keys the cache gives them, so the scrape reads them with cache.get_many.
    Another cache (the demo's files) adds one by one.
    """
    client = _redis_of_the_cache()
    if client is None:
        return {key: _incr(key, delta) for key, delta in deltas.items()}
    with client.pipeline(transaction=False) as pipeline:
        for key, delta in deltas.items():
            pipeline.incrby(cache.make_and_validate_key(key), delta)
        return dict(zip(deltas, pipeline.execute(), strict=True))


def _incr(key: str, delta: int) -> int:
    """Add to one counter through the cache's own API, making it the first time."""
    try:
        return cache.incr(key, delta)
    except ValueError:  # the key does not exist yet
        if cache.add(key, delta, timeout=None):
            return delta
        # Another process created it between our incr and our add.
        return cache.incr(key, delta)


def _request_key(view: str, status: int) -> str:
    return f"{KEY}requests:{view}:{status}"


def request_count(*, view: str, status: int) -> None:
    """Count one answered request; a new (view, status) pair also takes a slot."""
    key = _request_key(view, status)
    if _add({key: 1})[key] == 1:  # this call made the counter
        slot = _add({REQUESTS_SLOTS: 1})[REQUESTS_SLOTS]
        cache.set(f"{KEY}requests:slot:{slot}", (view, status), timeout=None)


class RequestMetricsMiddleware:
    """Count every response by view name and status code (first in MIDDLEWARE, so all count)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        view = match.view_name if match is not None else UNRESOLVED
        if view != "metrics":  # the scraper's own requests would only count themselves
            try:
                request_count(view=view, status=response.status_code)
            except Exception:  # a cache outage (Redis restarting) must not fail the request
                logger.warning("request not counted: the cache is unavailable", exc_info=True)
        return response


@contextmanager
def validation_timed() -> Iterator[None]:
    """Time the block as one validation and add it to the validation summary."""
    started = time.perf_counter()
    try:
        yield
    finally:
        microseconds = round((time.perf_counter() - started) * 1_000_000)
        try:
            _add({VALIDATION_COUNT: 1, VALIDATION_MICROSECONDS: microseconds})
        except Exception:  # no cache (a bare script) or a cache outage: not counted
            logger.debug("validation not timed: the cache is unavailable", exc_info=True)


# --- The exposition --------------------------------------------------------------------------


@dataclass
class Family:
    """One metric family: its name, type, help text and samples (labels -> value)."""

    name: str
    type: str
    help: str
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, suffix: str = "", **labels: str) -> None:
        self.samples.append((self.name + suffix, labels, value))


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(families: Iterable[Family]) -> str:
    """Write the families in the text exposition format 0.0.4."""
    lines: list[str] = []
    for family in families:
        help_text = family.help.replace("\\", "\\\\").replace("\n", "\\n")
        lines += [f"# HELP {family.name} {help_text}", f"# TYPE {family.name} {family.type}"]
        for name, labels, value in family.samples:
            pairs = ",".join(f'{key}="{_escape_label(val)}"' for key, val in labels.items())
            selector = f"{name}{{{pairs}}}" if pairs else name
            lines.append(f"{selector} {_number(value)}")
    return "\n".join(lines) + "\n"


def _cache_families() -> list[Family]:
    requests = Family(
        "efaktura_http_requests_total", "counter", "Answered requests by view name and status."
    )
    slots = int(cache.get(REQUESTS_SLOTS) or 0)
    slot_keys = [f"{KEY}requests:slot:{slot}" for slot in range(1, slots + 1)]
    pairs = sorted(set(cache.get_many(slot_keys).values()))
    counts = cache.get_many([_request_key(view, status) for view, status in pairs])
    for view, status in pairs:
        requests.add(int(counts.get(_request_key(view, status), 0)), view=view, status=str(status))
    validation = Family(
        "efaktura_validation_seconds",
        "summary",
        "Time spent validating invoices (UBL XSD, EN 16931 and PEPPOL layers).",
    )
    figures = cache.get_many([VALIDATION_COUNT, VALIDATION_MICROSECONDS])
    validation.add(int(figures.get(VALIDATION_COUNT, 0)), "_count")
    validation.add(int(figures.get(VALIDATION_MICROSECONDS, 0)) / 1_000_000, "_sum")
    return [requests, validation]


def _database_families() -> list[Family]:
    # Imported on use: invoices.validation times itself with this module and must stay
    # importable where no ORM is set up.
    from django.db.models import Count, Min
    from django.utils import timezone

    from accounts.models import RiskFlag
    from invoices.models import Delivery, DeliveryChannel, Invoice
    from signing.models import SigningOrder

    deliveries = Family("efaktura_deliveries", "gauge", "Deliveries by channel and status.")
    grouped = Delivery.objects.order_by().values_list("channel", "status").annotate(n=Count("id"))
    found = {(channel, status): n for channel, status, n in grouped}
    channels = [c for c in DeliveryChannel.values if c != DeliveryChannel.AUTO]
    for channel in sorted({*channels, *(c for c, _s in found)}):
        for status in Delivery.Status.values:
            deliveries.add(found.get((channel, status), 0), channel=channel, status=status)

    queued = Family("efaktura_invoices_queued", "gauge", "Invoices sent and not yet delivering.")
    queued.add(Invoice.objects.filter(status=Invoice.Status.QUEUED).count())

    waiting = Delivery.objects.filter(status=Delivery.Status.QUEUED).aggregate(
        depth=Count("id"), oldest=Min("created_at")
    )
    depth = Family("efaktura_delivery_queue_depth", "gauge", "Deliveries waiting to be sent.")
    depth.add(waiting["depth"])
    age = Family(
        "efaktura_delivery_oldest_queued_age_seconds",
        "gauge",
        "Age of the oldest delivery waiting to be sent (0 when none waits).",
    )
    oldest = waiting["oldest"]
    age.add(max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0)

    signing = Family("efaktura_signing_orders", "gauge", "BankID signing orders by status.")
    by_status = dict(
        SigningOrder.objects.order_by().values_list("status").annotate(n=Count("id"))
    )
    for status in SigningOrder.Status.values:
        signing.add(by_status.get(status, 0), status=status)

    review = Family("efaktura_review_cases_open", "gauge", "Undecided risk flags by kind.")
    by_kind = dict(
        RiskFlag.objects.filter(status__in=RiskFlag.ACTIVE)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    for kind in RiskFlag.Kind.values:
        review.add(by_kind.get(kind, 0), kind=kind)
    return [deliveries, queued, depth, age, signing, review]


# --- The view ----------------------------------------------------------------------------------


def _authorised(request: HttpRequest, token: str) -> bool:
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    # Constant time: the comparison must not tell how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def metrics(request: HttpRequest) -> HttpResponse:
    """Answer the scraper with every metric; 404 when no token is set, 401 without it."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are off")
    if not _authorised(request, token):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    body = render([*_cache_families(), *_database_families()])
    return HttpResponse(body, content_type=CONTENT_TYPE)
