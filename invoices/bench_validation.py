"""The `validation` benchmark of `make bench`: each layer of the validator against its floor.

Pure CPU work on inputs it builds (the portal's own generator), so it runs in the bench
command's process under the demo's settings. The floor is Saxon alone running the official
CEN stylesheet as shipped on the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from django.core.management.base import CommandError

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
from portal.benchmarks import Figure, Row, benchmark, medians_ms, report_rows

report_rows(
    Row("validate_3_lines_ms", floor="validate_official_cen_3_lines_ms"),
    Row("validate_1000_lines_ms", floor="validate_official_cen_1000_lines_ms"),
    Row("validate_peppol_to_cen_ratio", at_most=1),
)


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
