"""The `delivery` benchmark of `make bench`: real workers on PostgreSQL and Redis.

`manage.py bench` runs under the demo's settings (SQLite, filesystem broker), so this runs
`manage.py bench_delivery` in a subprocess on the bench database and Redis database, and
relays its figures (portal/benchmarks.py). Without PostgreSQL or Redis it says why and
yields nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

from portal.benchmarks import Figure, Row, benchmark, report_rows, run_on_bench_servers

report_rows(
    Row("delivery_ratio", at_least=0.25),
    Row("worker_peak_rss_mib", at_most=300),
)


@benchmark
def delivery() -> Iterator[Figure]:
    """Deliver invoices to the network inbox with 2 workers; compare with a no-op task."""
    invoices = os.environ.get("BENCH_DELIVERY_INVOICES", "5000")
    argv = [sys.executable, "manage.py", "bench_delivery", "--invoices", invoices]
    yield from run_on_bench_servers("delivery", argv)
