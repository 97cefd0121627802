"""`make bench`: warm, per-process timings printed for people and as `BENCH <name> <value>` lines.

A benchmark is a function decorated with @benchmark that yields Figures; later work adds
its own function here, or in a module listed in BENCH_MODULES. Benchmarks build their own
inputs (no ../shared, no demo data); `delivery` (invoices/bench.py) needs PostgreSQL and
Redis and runs in its own process.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoices import samples, ubl
from invoices.findings import Layer
from invoices.validation import (
    cen_xslt_path,
    load_layers,
    run_as_shipped,
    validate_document,
    validate_tree,
)
from invoices.xmlsafe import parse_untrusted


@dataclass(frozen=True)
class Figure:
    """One measured figure: its BENCH name, value, unit and what it means."""

    name: str
    value: float
    unit: str  # "ms", "x", or a rate or size ("invoices/s", "MiB")
    text: str


Benchmark = Callable[[], Iterator[Figure]]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(function: Benchmark) -> Benchmark:
    """Register a benchmark under its function name."""
    BENCHMARKS[function.__name__] = function
    return function


def medians_ms(
    calls: dict[str, Callable[[], object]], runs: int, rounds: int = 5
) -> dict[str, float]:
    """Return each call's warm median wall time in ms over `runs` timed calls.

    Each call runs in blocks (its caches warm, the block's first call not timed), and the
    blocks of all calls take turns over a few rounds, so a burst of load on the machine
    hits every call alike and the ratios between them stay meaningful.
    """
    samples: dict[str, list[int]] = {name: [] for name in calls}
    per_block = max(1, runs // rounds)
    while min(len(times) for times in samples.values()) < runs:
        for name, call in calls.items():
            call()  # warm-up: the first call of a block (and of the process) is excluded
            for _ in range(per_block):
                start = time.perf_counter_ns()
                call()
                samples[name].append(time.perf_counter_ns() - start)
    return {name: statistics.median(times[:runs]) / 1e6 for name, times in samples.items()}


class Command(BaseCommand):
    help = "Run the benchmarks (all, or the named ones) and print BENCH <name> <value> lines."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["names"] or list(BENCHMARKS)
        unknown = sorted(set(names) - set(BENCHMARKS))
        if unknown:
            raise CommandError(f"unknown benchmark {', '.join(unknown)}; known: {list(BENCHMARKS)}")
        for name in names:
            for figure in BENCHMARKS[name]():
                self.stdout.write(f"{figure.text}: {figure.value:.2f} {figure.unit}")
                self.stdout.write(f"BENCH {figure.name} {figure.value:.3f}")
                self.stdout.flush()


# --- Validation (issue 4) -----------------------------------------------------------------------

_LAYER_NAMES = {Layer.XSD: "xsd", Layer.CEN: "cen_only", Layer.PEPPOL: "peppol_layer"}
_LAYER_TEXTS = {
    Layer.XSD: "UBL 2.1 XSD alone",
    Layer.CEN: "EN 16931 CEN XSLT alone",
    Layer.PEPPOL: "PEPPOL layer alone",
}
_OFFICIAL = "the official CEN XSLT as shipped, in Saxon alone"


@benchmark
def validation() -> Iterator[Figure]:
    """Time each validation layer and the whole, for a 3-line and a 1000-line invoice."""
    load_layers()
    measured: dict[str, float] = {}
    for lines, runs in ((3, 200), (1000, 10)):
        for figure in _validation_figures(lines, runs):
            measured[figure.name] = figure.value
            yield figure
    cen = measured["validate_cen_only_3_lines_ms"]
    yield Figure(
        "validate_full_to_cen_ratio",
        measured["validate_3_lines_ms"] / cen,
        "x",
        "Full validation / CEN layer alone, 3 lines",
    )
    yield Figure(
        "validate_3_lines_to_official_cen_ratio",
        measured["validate_3_lines_ms"] / measured["validate_official_cen_3_lines_ms"],
        "x",
        "Full validation / the official CEN XSLT as shipped, run alone, 3 lines",
    )
    yield Figure(
        "validate_peppol_to_cen_ratio",
        measured["validate_peppol_layer_3_lines_ms"] / cen,
        "x",
        "PEPPOL layer / CEN layer, 3 lines (target: at most 1)",
    )


def _validation_figures(lines: int, runs: int) -> Iterator[Figure]:
    data = synthetic_invoice(lines)
    _check_valid(data, lines)
    root = parse_untrusted(data)
    calls: dict[str, Callable[[], object]] = {"all layers": partial(validate_document, data)}
    for layer in (Layer.XSD, Layer.CEN, Layer.PEPPOL):
        calls[_LAYER_TEXTS[layer]] = partial(validate_tree, root, layers=[layer])
    # The floor: Saxon alone, reading the same text and running the official stylesheet
    # untouched. Machines differ; the ratio to this says what the validator adds.
    calls[_OFFICIAL] = partial(run_as_shipped, cen_xslt_path(), data.decode())
    medians = medians_ms(calls, runs)
    what = f"a {lines}-line invoice (median of {runs})"
    yield Figure(
        f"validate_{lines}_lines_ms", medians["all layers"], "ms", f"Validate {what}, all layers"
    )
    for layer in (Layer.XSD, Layer.CEN, Layer.PEPPOL):
        text = _LAYER_TEXTS[layer]
        name = f"validate_{_LAYER_NAMES[layer]}_{lines}_lines_ms"
        yield Figure(name, medians[text], "ms", f"Validate {what}, {text}")
    name = f"validate_official_cen_{lines}_lines_ms"
    yield Figure(name, medians[_OFFICIAL], "ms", f"Validate {what}, {_OFFICIAL}")


def _check_valid(data: bytes, lines: int) -> None:
    # Timing an invoice the validator rejects would time the wrong path (XSD stops early).
    report = validate_document(data)
    if not report.valid:
        found = "; ".join(f"{f.rule} at {f.location}" for f in report.fatal)
        raise CommandError(f"the synthetic {lines}-line invoice does not validate: {found}")


def synthetic_invoice(lines: int) -> bytes:
    """Build a Swedish invoice with the portal's own generator: three VAT rates, a discount."""
    return ubl.build(samples.sample_document(lines=lines, number="BENCH-1"))


# --- Benchmarks in other apps' modules; imported last, as they use @benchmark and Figure. ------

BENCH_MODULES = ["invoices.bench", "invoices.bench_api"]
for _module in BENCH_MODULES:
    import_module(_module)
