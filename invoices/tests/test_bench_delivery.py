"""The delivery benchmark's own parts: its figures reach `make bench`, its CPU sums add up."""

from __future__ import annotations

import os
import sys
import time

import pytest
from django.core.management.base import CommandError

from invoices.management.commands.bench_delivery import _Cpu, _machine_cpu, _process_cpu
from portal.benchmarks import _relay

CHILD_OUTPUT = """
print("  progress: 10 of 20 done")
print("Deliver 20 invoices: 12.50 invoices/s")
print("BENCH delivery_invoices_per_s 12.500")
print("CPU per invoice: send 1.0 ms, workers 2.0 ms")
print("Ratio: 0.05 x")
print("BENCH delivery_ratio 0.050")
"""


def test_relay_turns_text_and_bench_lines_into_figures(capsys: pytest.CaptureFixture[str]) -> None:
    figures = list(_relay("child", [sys.executable, "-c", CHILD_OUTPUT], dict(os.environ)))

    assert [(f.name, f.value, f.unit, f.text) for f in figures] == [
        ("delivery_invoices_per_s", 12.5, "invoices/s", "Deliver 20 invoices"),
        ("delivery_ratio", 0.05, "x", "Ratio"),
    ]
    passed_through = capsys.readouterr().out
    assert "progress: 10 of 20 done" in passed_through
    assert "CPU per invoice: send 1.0 ms" in passed_through


def test_relay_fails_when_the_benchmark_fails() -> None:
    with pytest.raises(CommandError, match="exit status 3"):
        list(_relay("child", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ)))


def test_cpu_of_this_process_and_of_the_machine_grow_with_work() -> None:
    own, machine = _process_cpu(os.getpid()), _machine_cpu()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass  # burn CPU: both counters must see it

    assert _process_cpu(os.getpid()) - own >= 0.2
    assert _machine_cpu() - machine >= 0.2


def test_cpu_per_invoice_says_what_is_left_for_the_database() -> None:
    spent = _Cpu(sender=2.0, workers=1.0, machine=4.0, wall=4.0) - _Cpu(0, 0, 0, 0)

    text = spent.per_invoice(100)

    assert text.startswith("CPU per invoice: send 20.0 ms, workers 10.0 ms,")
    assert "the rest 10.0 ms" in text
    assert f"{400 / (os.cpu_count() or 1) / 4:.0f} % busy" in text
