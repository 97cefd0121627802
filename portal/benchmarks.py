"""The benchmark framework of `make bench`: figures, their goals, and bench/report.md.

Each app keeps its benchmarks in its own module (invoices/bench_validation.py, ...): a
function decorated with @benchmark yields Figures, and the module declares at import time,
with report_rows(), which figure is judged against which floor measured in the same run, and
the goal. `manage.py bench` only imports those modules, runs them and prints each figure as a
human line and a `BENCH <name> <value>` line; run with no names it also writes
bench/report.md and copies the report's table into README.md.

A benchmark that needs PostgreSQL and Redis runs its measuring code in a subprocess on the
bench servers (run_on_bench_servers), which prints the same two lines per figure; they are
relayed back as Figures. When the servers do not answer, the benchmark is skipped and its
declared figures are reported as skipped, with the reason.
"""

from __future__ import annotations

import inspect
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psycopg
import redis
from django.conf import settings
from django.core.management.base import CommandError


@dataclass(frozen=True)
class Figure:
    """One measured figure: its BENCH name, value, unit and what it means."""

    name: str
    value: float
    unit: str  # "ms", "x", or a rate or size ("invoices/s", "MiB")
    text: str


Benchmark = Callable[[], Iterator[Figure]]
BENCHMARKS: dict[str, Benchmark] = {}
# Why a benchmark did not run, by benchmark name, for the report (filled during a run).
SKIPPED: dict[str, str] = {}


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


# --- Goals: one Row per judged figure --------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of bench/report.md: a figure, optionally its same-run floor, and its goal."""

    figure: str  # BENCH name of the value
    floor: str | None = None  # BENCH name of the floor; ratio = value / floor
    at_most: float | None = None  # goal on the ratio if floor is given, else on the value
    at_least: float | None = None


ROWS: dict[str, Row] = {}
# The module that declared each row: its figures are "skipped" when its benchmark was.
ROW_MODULES: dict[str, str] = {}


def report_rows(*rows: Row) -> None:
    """Declare the report's rows of the calling bench module (called at import time)."""
    frame = inspect.currentframe()
    caller = frame.f_back.f_globals.get("__name__", "") if frame and frame.f_back else ""
    for row in rows:
        ROWS[row.figure] = row
        ROW_MODULES[row.figure] = caller


# --- Benchmarks in a subprocess on the bench PostgreSQL and Redis ---------------------------

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/efaktura_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
TIMEOUT = 3
# The measuring process prints "<text>: <value> <unit>" and then "BENCH <name> <value>".
_HUMAN = re.compile(r"^(?P<text>.+): (?P<value>-?[\d.]+) (?P<unit>\S+)$")
_BENCH = re.compile(r"^BENCH (?P<name>\w+) (?P<value>-?[\d.]+)$")


def print_figure(figure: Figure) -> None:
    """Print a figure as `manage.py bench` does, for a measuring process to be relayed."""
    print(f"{figure.text}: {figure.value:.2f} {figure.unit}")
    print(f"BENCH {figure.name} {figure.value:.3f}", flush=True)


def run_on_bench_servers(
    name: str, argv: list[str], extra_env: dict[str, str] | None = None
) -> Iterator[Figure]:
    """Run a benchmark's process against the bench PostgreSQL and Redis, if they answer.

    The process gets the test settings (DEBUG off, as production runs), the connections
    production keeps (the tests close theirs) and its own var dir: nothing a run writes
    may land in the demo's var/.
    """
    database_url, redis_url = bench_urls()
    problem, detail = _unavailable(database_url, redis_url)
    if problem:
        SKIPPED[name] = problem
        print(f"{name} benchmark skipped: {problem} ({detail})", flush=True)
        return
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as var_dir:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CACHE_URL", "CELERY_BROKER_URL", "DEBUG"}
        } | {
            "PORTAL_ENV": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORTAL_VAR_DIR": var_dir,
            "DATABASE_CONN_MAX_AGE": "600",
            **(extra_env or {}),
        }
        yield from _relay(name, argv, env)


def bench_urls() -> tuple[str, str]:
    """Return the bench database's and the bench Redis's URLs."""
    return (
        os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
    )


def _relay(name: str, argv: list[str], env: dict[str, str]) -> Iterator[Figure]:
    """Run a benchmark's process; pass its progress lines through, its figures as Figures."""
    process = subprocess.Popen(  # noqa: S603 - fixed argv built from sys.executable
        argv, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    assert process.stdout is not None
    human: re.Match[str] | None = None
    try:
        for line in process.stdout:
            line = line.rstrip("\n")
            bench = _BENCH.match(line)
            if bench and human is not None:
                yield Figure(bench["name"], float(bench["value"]), human["unit"], human["text"])
                human = None
                continue
            if human is not None:
                print(human.string, flush=True)  # looked like a figure's text line, was not
                human = None
            if bench is None and (match := _HUMAN.match(line)):
                human = match  # the text line of the figure on the next line
            else:
                print(line, flush=True)
    finally:
        if process.poll() is None:
            process.terminate()  # its finally stops the workers
        returncode = process.wait()
    if returncode != 0:
        raise CommandError(f"the {name} benchmark failed (exit status {returncode})")


def _unavailable(database_url: str, redis_url: str) -> tuple[str, str]:
    """Return why the bench servers cannot be used and the error, or "" twice when both answer."""
    try:
        _server(database_url).close()
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return f"PostgreSQL at {_where(database_url)} does not answer", first_line
    try:
        redis.Redis.from_url(
            redis_url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        ).ping()
    except redis.RedisError as error:
        return f"Redis at {_where(redis_url)} does not answer", str(error)
    return "", ""


def _server(database_url: str) -> psycopg.Connection[tuple[object, ...]]:
    # The bench database may not exist yet: ask the server's maintenance database.
    server_url = urlsplit(database_url)._replace(path="/postgres").geturl()
    return psycopg.connect(server_url, connect_timeout=TIMEOUT)


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}{parts.path}"


def postgresql_version() -> str:
    """Return the bench PostgreSQL's version, or why there is none, for the report's header."""
    database_url, _redis_url = bench_urls()
    try:
        with _server(database_url) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return f"not answering at {_where(database_url)}"
    return str(row[0]) if row else "unknown"


# --- bench/report.md ------------------------------------------------------------------------

HEADER = "| Figure | Value | Floor (same run) | Ratio | Goal | Met |"
README_START = "<!-- bench-table:start -->"
README_END = "<!-- bench-table:end -->"


@dataclass(frozen=True)
class Run:
    """What one run measured: each benchmark's figures in order, and why some were skipped."""

    figures: dict[str, list[Figure]]  # by benchmark name, in the order they ran
    skipped: dict[str, str]  # benchmark name -> reason
    modules: dict[str, str]  # benchmark name -> the module that defines it
    failed: dict[str, str] = field(default_factory=dict)  # benchmark name -> error


def report_table(
    run: Run, rows: dict[str, Row], row_modules: dict[str, str] | None = None
) -> str:
    """Return the report's Markdown table: every figure measured, and every declared one skipped.

    A declared figure that was not measured is listed after its module's benchmark, as skipped
    (with the reason) or as not measured.
    """
    row_modules = ROW_MODULES if row_modules is None else row_modules
    measured = {figure.name: figure for figures in run.figures.values() for figure in figures}
    lines = [HEADER, "|---|---|---|---|---|---|"]
    listed: set[str] = set()
    for benchmark_name, figures in run.figures.items():
        for figure in figures:
            lines.append(_line(figure, rows.get(figure.name), measured))
            listed.add(figure.name)
        module = run.modules.get(benchmark_name)
        for name, row in rows.items():
            if name in listed or row_modules.get(name) != module:
                continue
            value = _escape(_not_measured(run, benchmark_name))
            lines.append(_cells(f"`{name}`", value, _floor_name(row), "", _goal(row), ""))
            listed.add(name)
    return "\n".join(lines) + "\n"


def _not_measured(run: Run, benchmark_name: str) -> str:
    if benchmark_name in run.failed:
        return f"failed: {run.failed[benchmark_name]}"
    if benchmark_name in run.skipped:
        return f"skipped: {run.skipped[benchmark_name]}"
    return "not measured"


def _line(figure: Figure, row: Row | None, measured: dict[str, Figure]) -> str:
    what = f"{_escape(figure.text)} (`{figure.name}`)"
    value = _amount(figure.value, figure.unit)
    if row is None:
        return _cells(what, value, "", "", "", "")
    goal = _goal(row)
    if row.floor is None:
        return _cells(what, value, "", "", goal, _met(row, figure.value))
    floor = measured.get(row.floor)
    if floor is None:
        # Without its floor a ratio says nothing: the goal is not judged.
        return _cells(what, value, _floor_name(row) + ": not measured", "", goal, "unknown")
    floor_text = f"{_amount(floor.value, floor.unit)} (`{floor.name}`)"
    if floor.value == 0:
        return _cells(what, value, floor_text, "", goal, "unknown")
    ratio = figure.value / floor.value
    return _cells(what, value, floor_text, f"{ratio:.2f} x", goal, _met(row, ratio))


def _goal(row: Row) -> str:
    subject = "ratio" if row.floor else "value"
    parts = []
    if row.at_most is not None:
        parts.append(f"{subject} ≤ {_number(row.at_most)}")
    if row.at_least is not None:
        parts.append(f"{subject} ≥ {_number(row.at_least)}")
    return ", ".join(parts)


def _met(row: Row, judged: float) -> str:
    if row.at_most is None and row.at_least is None:
        return ""
    too_high = row.at_most is not None and judged > row.at_most
    too_low = row.at_least is not None and judged < row.at_least
    return "no" if too_high or too_low else "yes"


def _floor_name(row: Row) -> str:
    return f"`{row.floor}`" if row.floor else ""


def _amount(value: float, unit: str) -> str:
    return f"{_number(value)} {unit}"


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    # Below 1, two decimals would leave a fast layer's time (0.03 ms) one digit.
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _cells(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def report_markdown(table: str, header_lines: Iterable[str], run: Run) -> str:
    """Return bench/report.md: what ran on which machine, the table, and the BENCH lines."""
    bench_lines = [
        f"BENCH {figure.name} {figure.value:.3f}"
        for figures in run.figures.values()
        for figure in figures
    ]
    return "\n".join(
        [
            "# Benchmark report",
            "",
            *header_lines,
            "",
            "Ratio = value / floor; the floor is measured in the same run, on the same machine.",
            "",
            table.rstrip("\n"),
            "",
            "The same figures as `make bench` prints them:",
            "",
            "```",
            *bench_lines,
            "```",
            "",
        ]
    )


def readme_with_table(readme: str, table: str) -> str:
    """Return the README with the table between its bench-table markers replaced."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise CommandError(f"README.md lacks the markers {README_START} and {README_END}")
    before = readme[: start + len(README_START)]
    return f"{before}\n{table}{readme[end:]}"
