"""Run the layers in order (XSD, then CEN and PEPPOL), and the CEN and PEPPOL layers themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from lxml import etree

from invoices.findings import Finding, Layer
from invoices.xmlsafe import UnsafeXML, check_root, parse_untrusted
from portal.metrics import validation_timed

from .report import Document, Report
from .schematron import load_stylesheet, schematron_findings
from .xsd import load_schemas, ubl_dir, xsd_findings

ALL_LAYERS: tuple[Layer, ...] = (Layer.XSD, Layer.CEN, Layer.PEPPOL)


def cen_xslt_path() -> Path:
    """Return the path of the official EN 16931 UBL validation XSLT."""
    return ubl_dir() / "EN16931-UBL-validation.xslt"


# --- Entry points ------------------------------------------------------------------------


def validate_document(data: bytes, *, layers: Iterable[Layer] = ALL_LAYERS) -> Report:
    """Parse untrusted bytes safely and validate them; bad input gives findings, not errors."""
    # Timed here, where every issue and import validates, parsing included (/metrics).
    with validation_timed():
        try:
            root = parse_untrusted(data)
        except UnsafeXML as exc:
            return Report(findings=(exc.finding(),))
        return validate_tree(root, layers=layers)


def validate_tree(root: etree._Element, *, layers: Iterable[Layer] = ALL_LAYERS) -> Report:
    """Validate a root already parsed safely (or built by the portal) in the chosen layers."""
    try:
        check_root(root)
    except UnsafeXML as exc:
        return Report(findings=(exc.finding(),))
    wanted = set(layers)
    document = Document(root)
    findings: list[Finding] = []
    for index, layer in enumerate(ALL_LAYERS):
        if layer not in wanted:
            continue
        findings.extend(_RUNNERS[layer](document))
        if layer == Layer.XSD and any(finding.is_fatal for finding in findings):
            skipped = tuple(later for later in ALL_LAYERS[index + 1 :] if later in wanted)
            return Report(findings=tuple(findings), skipped=skipped)
    return Report(findings=tuple(findings))


def load_layers() -> None:
    """Load every layer now (e.g. when a worker starts) instead of on first use."""
    load_schemas()
    load_stylesheet(cen_xslt_path())
    operator = operator_xslt_path()
    if operator is not None:
        load_stylesheet(operator)


# --- Layer 2: EN 16931 ------------------------------------------------------------------------


def _cen_findings(document: Document) -> list[Finding]:
    return schematron_findings(cen_xslt_path(), document, Layer.CEN)


# --- Layer 3: PEPPOL BIS 3 ---------------------------------------------------------------------


def operator_xslt_path() -> Path | None:
    """Return the operator's official PEPPOL XSLT (settings.PEPPOL_XSLT), if one is set."""
    try:
        configured = str(getattr(settings, "PEPPOL_XSLT", "") or "")
    except ImproperlyConfigured:
        return None  # Django is not configured (a bare script): no operator layer
    if not configured:
        return None
    path = Path(configured)
    if not path.is_file():
        raise ImproperlyConfigured(f"PEPPOL_XSLT is set to {configured}, which is not a file")
    return path


def _peppol_findings(document: Document) -> list[Finding]:
    # Imported on use, so importing this module never loads the PEPPOL rules' code lists.
    from invoices.peppol import check_peppol

    findings = list(check_peppol(document.root))
    operator = operator_xslt_path()
    if operator is not None:
        seen = {(finding.rule, finding.location) for finding in findings}
        extra = schematron_findings(operator, document, Layer.PEPPOL)
        # The Python rules and the official XSLT check the same rule ids; say each once.
        findings += [f for f in extra if (f.rule, f.location) not in seen]
    return findings


_RUNNERS: dict[Layer, Callable[[Document], list[Finding]]] = {
    Layer.XSD: xsd_findings,
    Layer.CEN: _cen_findings,
    Layer.PEPPOL: _peppol_findings,
}
