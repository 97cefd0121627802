"""Layers 2 and 3 as XSLT: run a compiled schematron in saxonche and read its SVRL findings.

One Saxon processor per process; each stylesheet is compiled once (~0.5 s) and kept. A
compiled stylesheet is not thread-safe, so every use holds `_saxon_lock`. Saxon resolves
external entities, so it only ever sees the tree `invoices.xmlsafe` parsed, re-serialized.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, cast

import saxonche
from lxml import etree

from invoices.findings import Finding, Layer, Severity

from .cen_messages import CEN_SV
from .codelists import index_code_lists
from .lines import share_the_lines
from .locations import element_path
from .report import Document

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"

_saxon_lock = threading.Lock()
_processor: Any = None  # the one saxonche.PySaxonProcessor of this process
_executables: dict[Path, Any] = {}  # stylesheet path -> compiled saxonche.PyXsltExecutable
_as_shipped: dict[Path, Any] = {}  # the same, compiled from the file untouched


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


def load_stylesheet(path: Path) -> None:
    """Compile a stylesheet now instead of on first use."""
    with _saxon_lock:
        _executable(path)


def run_as_shipped(path: Path, xml_text: str) -> str:
    """Run a stylesheet exactly as its file is, with none of the changes below; return the SVRL.

    The yardstick for those changes: the tests compare findings with it, and the bench
    measures the validator against it in the same run.
    """
    with _saxon_lock:
        executable = _as_shipped.get(path)
        if executable is None:
            compiler = _saxon().new_xslt30_processor()
            executable = _as_shipped[path] = compiler.compile_stylesheet(stylesheet_file=str(path))
        source = _saxon().parse_xml(xml_text=xml_text)
        return cast(str, executable.transform_to_string(xdm_node=source))


def _compile_stylesheet(path: Path) -> Any:
    builder = _saxon().new_document_builder()
    builder.set_base_uri(path.resolve().as_uri())  # for any relative xsl:include / import
    node = builder.parse_xml(xml_text=_lean_stylesheet(path))
    return _saxon().new_xslt30_processor().compile_stylesheet(stylesheet_node=node)


def _lean_stylesheet(path: Path) -> str:
    """Return a compiled schematron without its trace output (fired rules, active patterns),
    with element-only walks where no rule reads an attribute, code-list tests as map lookups
    (`codelists`) and the lines gathered once (`lines`). Findings are those of the file as
    shipped (`run_as_shipped`)."""
    # The ISO skeleton writes an svrl:fired-rule for every rule that matches and walks the
    # whole document once more per pattern for svrl:active-pattern. Neither carries a
    # finding; dropping them saves about a fifth of the run. Asserts and reports are untouched.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    tree = etree.parse(str(path), parser=parser)
    namespaces = {"xsl": XSL_NS}
    # The same goes for the namespace table at the top of the report, and its indentation.
    trace = tree.iter(f"{{{SVRL_NS}}}fired-rule", f"{{{SVRL_NS}}}ns-prefix-in-attribute-values")
    for fired in list(trace):
        if not fired.xpath(".//xsl:apply-templates | .//xsl:call-template", namespaces=namespaces):
            _remove(fired)
    for output in tree.iter(f"{{{XSL_NS}}}output"):
        output.set("indent", "no")
    # Nor does the report need the stylesheet's fifteen namespaces declared on each element:
    # findings are read by name, and their locations are plain strings.
    tree.getroot().set("exclude-result-prefixes", "#all")
    for pattern in list(tree.iter(f"{{{SVRL_NS}}}active-pattern")):
        # Keep any pattern-mode walk a generator may have nested inside the element.
        for walk in pattern.xpath(".//xsl:apply-templates[@mode]", namespaces=namespaces):
            pattern.addprevious(walk)
        _remove(pattern)
    _walk_elements_only(tree)
    index_code_lists(tree)
    share_the_lines(tree)
    return etree.tostring(tree, encoding="unicode")


_WALK = "@*|*"


def _walk_elements_only(tree: etree._ElementTree) -> None:
    """Stop a pattern's walk from visiting attributes when no rule of it matches one.

    The skeleton walks `@*|*` in every pattern mode, so that rules on attributes fire. With
    no such rule, an attribute only reaches the catch-all template, which walks the
    attribute's (absent) children: nothing, at a twentieth of the run. Asserts, reports
    and their order are untouched.
    """
    walks: dict[str, list[etree._Element]] = {}
    for walk in tree.iter(f"{{{XSL_NS}}}apply-templates"):
        if walk.get("select") == _WALK and walk.get("mode"):
            walks.setdefault(str(walk.get("mode")), []).append(walk)
    for mode, mode_walks in walks.items():
        templates = [t for t in tree.iter(f"{{{XSL_NS}}}template") if t.get("mode") == mode]
        if not any(_rule_on_attributes(template) for template in templates):
            for walk in mode_walks:
                walk.set("select", "*")


def _rule_on_attributes(template: etree._Element) -> bool:
    """Tell whether a template may match an attribute and then do something there."""
    alternatives = _top_level_split(template.get("match") or "", "|")
    on_attributes = any(_last_step(part).startswith(("@", "attribute::")) for part in alternatives)
    if not on_attributes:
        return False
    # The skeleton's catch-all (`@*|node()`) only walks on, from an attribute into nothing.
    body = [child for child in template if isinstance(child.tag, str)]
    catch_all = len(body) == 1 and body[0].tag == f"{{{XSL_NS}}}apply-templates"
    return not (catch_all and body[0].get("select") in {_WALK, "*"})


def _last_step(pattern: str) -> str:
    return _top_level_split(pattern.strip(), "/")[-1].strip()


def _top_level_split(text: str, separator: str) -> list[str]:
    """Split on the separator where it is outside brackets, parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


_RESULT_TAGS = ("failed-assert", "successful-report")


def _svrl(path: Path, xml_text: str) -> etree._Element | None:
    """Return the SVRL report, or None when it holds no result (a valid document's case)."""
    with _saxon_lock:
        executable = _executable(path)
        source = _saxon().parse_xml(xml_text=xml_text)
        output = cast(str, executable.transform_to_string(xdm_node=source))
    if not any(tag in output for tag in _RESULT_TAGS):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(output.encode("utf-8"), parser=parser)


def schematron_findings(path: Path, document: Document, layer: Layer) -> list[Finding]:
    """Run a compiled schematron XSLT on the serialized document; return asserts and reports."""
    svrl = _svrl(path, document.text)
    if svrl is None:
        return []
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
    translated = CEN_SV.get(rule) if layer == Layer.CEN else None
    if translated:
        return translated
    match = _NOT_INCLUDE.match(text)
    if match:
        verb = "bör" if match.group(1) == "should" else "får"
        return f"En UBL-faktura {verb} inte innehålla {match.group(2)}."
    source = "EN 16931" if layer == Layer.CEN else "PEPPOL BIS 3"
    return f"Regeln {rule} i {source} är inte uppfylld (officiell text på engelska): {text}"
