"""`make bench`: warm, per-process timings printed for people and as `BENCH <name> <value>` lines.

The benchmarks live in their apps (BENCH_MODULES; the framework is portal/benchmarks.py):
this command only imports them, runs all or the named ones and prints their figures. Run with
no names, or with --report-root, it also writes bench/report.md (each figure beside the floor
measured in the same run, the ratio and the goal) and puts the report's table into README.md.
"""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.benchmarks import (
    BENCHMARKS,
    ROWS,
    SKIPPED,
    Figure,
    Run,
    postgresql_version,
    readme_with_table,
    report_markdown,
    report_table,
)

BENCH_MODULES = [
    "invoices.bench_validation",
    "invoices.bench",
    "invoices.bench_api",
    "invoices.bench_pages",
    "invoices.bench_load",
]
REPORT = Path("bench") / "report.md"


def import_bench_modules() -> None:
    """Import every app's bench module that exists: importing one registers its benchmarks."""
    for module in BENCH_MODULES:
        if find_spec(module) is not None:
            import_module(module)


import_bench_modules()


class Command(BaseCommand):
    help = (
        "Run the benchmarks (all, or the named ones) and print BENCH <name> <value> lines; "
        "with all of them, write bench/report.md and the README's benchmark table."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
        parser.add_argument(
            "--report-root",
            type=Path,
            help="write ROOT/bench/report.md and the table of ROOT/README.md "
            "(default: the project, when every benchmark runs)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["names"] or list(BENCHMARKS)
        unknown = sorted(set(names) - set(BENCHMARKS))
        if unknown:
            raise CommandError(f"unknown benchmark {', '.join(unknown)}; known: {list(BENCHMARKS)}")
        root: Path | None = options["report_root"]
        if root is None and not options["names"]:
            root = Path(settings.BASE_DIR)
        started, load_before = datetime.now(UTC), os.getloadavg()
        SKIPPED.clear()  # run_on_bench_servers fills it anew, for this run's report
        run = Run(figures={}, skipped=SKIPPED, modules={})
        for name in names:
            run.modules[name] = BENCHMARKS[name].__module__
            run.figures[name] = []
            try:
                for figure in BENCHMARKS[name]():
                    self._print(figure)
                    run.figures[name].append(figure)
            except CommandError as error:
                # The others still run and the report still says what they measured.
                self.stderr.write(f"{name}: {error}")
                run.failed[name] = str(error)
        if root is not None:
            header = _machine(started, load_before, os.getloadavg(), names)
            self._write_report(root, run, header)
        if run.failed:
            raise CommandError(f"benchmarks failed: {', '.join(run.failed)}")

    def _print(self, figure: Figure) -> None:
        self.stdout.write(f"{figure.text}: {figure.value:.2f} {figure.unit}")
        self.stdout.write(f"BENCH {figure.name} {figure.value:.3f}")
        self.stdout.flush()

    def _write_report(self, root: Path, run: Run, header: list[str]) -> None:
        table = report_table(run, ROWS)
        report = root / REPORT
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(report_markdown(table, header, run), encoding="utf-8")
        readme = root / "README.md"
        if readme.exists():
            text = readme.read_text(encoding="utf-8")
            readme.write_text(readme_with_table(text, table), encoding="utf-8")
        self.stdout.write(f"wrote {report} and the table of {readme}")


def _machine(
    started: datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    names: list[str],
) -> list[str]:
    """Say when, on what and what ran: a ratio means little without the machine's load."""
    skipped = sorted(set(BENCHMARKS) - set(names))
    return [
        f"Written by `manage.py bench` on {started:%Y-%m-%d %H:%M} UTC; "
        f"benchmarks run: {', '.join(names)}"
        + (f"; not run: {', '.join(skipped)}." if skipped else "."),
        "",
        f"Machine: {os.cpu_count()} cores; load average (1 min) {load_before[0]:.2f} at the "
        f"start, {load_after[0]:.2f} at the end; Python {platform.python_version()}; "
        f"PostgreSQL {postgresql_version()}.",
    ]
