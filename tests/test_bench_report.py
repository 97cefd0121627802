"""bench/report.md: each figure beside its same-run floor and goal, and the README shows it.

No timing is judged: the figures here are given, or measured once and only named.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.benchmarks import (
    BENCHMARKS,
    HEADER,
    README_END,
    README_START,
    ROW_MODULES,
    ROWS,
    SKIPPED,
    Figure,
    Row,
    Run,
    benchmark,
    readme_with_table,
    report_markdown,
    report_rows,
    report_table,
    run_on_bench_servers,
)

BASE_DIR = Path(settings.BASE_DIR)


def _between_markers(readme: str) -> str:
    start, end = readme.index(README_START), readme.index(README_END)
    return readme[start + len(README_START) : end]


def test_the_readme_table_is_the_reports_table_byte_for_byte() -> None:
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    report = (BASE_DIR / "bench" / "report.md").read_text(encoding="utf-8")

    table = _between_markers(readme)

    assert table.startswith("\n" + HEADER + "\n")
    assert table[1:] in report
    # The whole table: the report has nothing more of it after the README's last line.
    after = report[report.index(table[1:]) + len(table) - 1 :]
    assert not after.startswith("|")


def _run(*figures: Figure, skipped: dict[str, str] | None = None) -> Run:
    return Run(figures={"one": list(figures)}, skipped=skipped or {}, modules={"one": "m"})


def _line(table: str, name: str) -> list[str]:
    [line] = [line for line in table.splitlines() if f"`{name}`" in line.split(" | ")[0]]
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_a_ratio_within_its_goal_is_met() -> None:
    run = _run(Figure("page_ms", 3.0, "ms", "Page"), Figure("floor_ms", 2.0, "ms", "Floor"))
    rows = {"page_ms": Row("page_ms", floor="floor_ms", at_most=2)}

    table = report_table(run, rows, {})

    assert table.startswith(HEADER + "\n|---|")
    assert _line(table, "page_ms") == [
        "Page (`page_ms`)",
        "3 ms",
        "2 ms (`floor_ms`)",
        "1.50 x",
        "ratio ≤ 2",
        "yes",
    ]
    # The floor is a figure of its own too, without a goal.
    assert _line(table, "floor_ms") == ["Floor (`floor_ms`)", "2 ms", "", "", "", ""]


def test_a_ratio_beyond_its_goal_is_not_met() -> None:
    run = _run(Figure("page_ms", 4.5, "ms", "Page"), Figure("floor_ms", 2.0, "ms", "Floor"))
    rows = {"page_ms": Row("page_ms", floor="floor_ms", at_most=2)}

    assert _line(report_table(run, rows, {}), "page_ms")[3:] == ["2.25 x", "ratio ≤ 2", "no"]


def test_a_goal_on_the_value_itself() -> None:
    run = _run(
        Figure("rate_ratio", 0.2, "x", "Rate | ratio"), Figure("errors", 0, "requests", "Errors")
    )
    rows = {"rate_ratio": Row("rate_ratio", at_least=0.25), "errors": Row("errors", at_most=0)}

    table = report_table(run, rows, {})

    assert _line(table, "rate_ratio") == [
        "Rate \\| ratio (`rate_ratio`)",
        "0.2 x",
        "",
        "",
        "value ≥ 0.25",
        "no",
    ]
    assert _line(table, "errors")[1:] == ["0 requests", "", "", "value ≤ 0", "yes"]


def test_a_floor_without_a_goal_gives_the_ratio_unjudged() -> None:
    run = _run(Figure("page_ms", 3.0, "ms", "Page"), Figure("floor_ms", 1.5, "ms", "Floor"))

    line = _line(report_table(run, {"page_ms": Row("page_ms", floor="floor_ms")}, {}), "page_ms")

    assert line[3:] == ["2.00 x", "", ""]


def test_a_missing_floor_leaves_the_goal_unjudged() -> None:
    run = _run(Figure("page_ms", 3.0, "ms", "Page"))
    rows = {"page_ms": Row("page_ms", floor="floor_ms", at_most=2)}

    line = _line(report_table(run, rows, {}), "page_ms")

    assert line[2:] == ["`floor_ms`: not measured", "", "ratio ≤ 2", "unknown"]


def test_the_figures_of_a_skipped_benchmark_are_listed_with_the_reason() -> None:
    run = _run(skipped={"one": "PostgreSQL at 127.0.0.1:5432/x does not answer"})
    rows = {"page_ms": Row("page_ms", floor="floor_ms", at_most=2), "other": Row("other")}

    table = report_table(run, rows, {"page_ms": "m", "other": "another module"})

    assert _line(table, "page_ms") == [
        "`page_ms`",
        "skipped: PostgreSQL at 127.0.0.1:5432/x does not answer",
        "`floor_ms`",
        "",
        "ratio ≤ 2",
        "",
    ]
    assert "other" not in table  # its module's benchmark did not run at all


def test_the_report_holds_the_header_the_table_and_the_bench_lines() -> None:
    run = _run(Figure("page_ms", 3.0, "ms", "Page"))
    table = report_table(run, {}, {})

    report = report_markdown(table, ["Machine: 2 cores."], run)

    assert report.startswith("# Benchmark report\n\nMachine: 2 cores.\n")
    assert "\n" + table + "\n" in report
    assert "\nBENCH page_ms 3.000\n" in report


def test_the_readme_table_is_replaced_between_its_markers_only() -> None:
    readme = f"# Title\n\nBefore.\n\n{README_START}\n| old |\n{README_END}\n\nAfter.\n"

    replaced = readme_with_table(readme, "| new |\n")

    assert replaced == f"# Title\n\nBefore.\n\n{README_START}\n| new |\n{README_END}\n\nAfter.\n"
    with pytest.raises(CommandError, match="lacks the markers"):
        readme_with_table("# Title\n", "| new |\n")


@pytest.fixture
def probe() -> Iterator[None]:
    """A benchmark of this module, registered as apps register theirs, removed afterwards."""

    @benchmark
    def bench_report_probe() -> Iterator[Figure]:
        yield Figure("probe_floor_ms", 2.0, "ms", "Probe floor")
        yield Figure("probe_ms", 5.0, "ms", "Probe")

    report_rows(Row("probe_ms", floor="probe_floor_ms", at_most=2), Row("probe_missing"))
    yield
    del BENCHMARKS["bench_report_probe"]
    for name in ("probe_ms", "probe_missing"):
        del ROWS[name], ROW_MODULES[name]


def test_the_command_writes_the_report_and_the_readme_table(
    probe: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text(f"# Portal\n{README_START}\n{README_END}\nEnd.\n")

    call_command("bench", "bench_report_probe", report_root=tmp_path)

    printed = capsys.readouterr().out
    assert "Probe: 5.00 ms\nBENCH probe_ms 5.000\n" in printed
    report = (tmp_path / "bench" / "report.md").read_text(encoding="utf-8")
    assert "benchmarks run: bench_report_probe; not run: " in report
    assert "Machine: " in report and " cores; load average (1 min) " in report
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    table = _between_markers(readme)[1:]
    assert table in report
    assert _line(table, "probe_ms")[3:] == ["2.50 x", "ratio ≤ 2", "no"]
    assert _line(table, "probe_missing")[1] == "not measured"
    assert readme.endswith(f"{README_END}\nEnd.\n")


def test_the_figures_of_a_failed_benchmark_are_listed_with_the_error() -> None:
    run = Run(
        figures={"one": [Figure("page_ms", 3.0, "ms", "Page")]},
        skipped={},
        modules={"one": "m"},
        failed={"one": "the one benchmark failed (exit status 1)"},
    )
    rows = {"page_ms": Row("page_ms"), "later_ms": Row("later_ms")}

    table = report_table(run, rows, {"page_ms": "m", "later_ms": "m"})

    assert _line(table, "page_ms")[1] == "3 ms"
    assert _line(table, "later_ms")[1] == "failed: the one benchmark failed (exit status 1)"


def test_a_benchmark_whose_servers_do_not_answer_is_skipped_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens on it once closed
    monkeypatch.setenv("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:{port}/x_bench")
    monkeypatch.delitem(SKIPPED, "report_probe", raising=False)

    figures = list(run_on_bench_servers("report_probe", [sys.executable, "-c", "print(1)"]))

    assert figures == []
    assert SKIPPED.pop("report_probe") == f"PostgreSQL at 127.0.0.1:{port}/x_bench does not answer"
    assert "report_probe benchmark skipped: PostgreSQL at " in capsys.readouterr().out


def test_a_value_below_one_keeps_three_significant_digits() -> None:
    run = _run(Figure("layer_ms", 0.0297, "ms", "Layer"), Figure("big_ms", 585.253, "ms", "Big"))

    table = report_table(run, {}, {})

    assert _line(table, "layer_ms")[1] == "0.0297 ms"
    assert _line(table, "big_ms")[1] == "585.25 ms"
