"""The validation benchmark names a figure for each layer and for its floor (timings unjudged)."""

from __future__ import annotations

from invoices.bench_validation import _validation_figures


def test_each_layer_and_the_official_floor_get_a_figure() -> None:
    figures = {figure.name: figure for figure in _validation_figures(lines=3, runs=2)}

    assert sorted(figures) == [
        "validate_3_lines_ms",
        "validate_cen_only_3_lines_ms",
        "validate_official_cen_3_lines_ms",
        "validate_peppol_layer_3_lines_ms",
        "validate_xsd_3_lines_ms",
    ]
    assert all(figure.unit == "ms" and figure.value > 0 for figure in figures.values())
