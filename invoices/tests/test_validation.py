"""The validator: three layers, loaded once, and the validate_invoice command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from lxml import etree

from invoices import validation
from invoices.bench_validation import synthetic_invoice
from invoices.findings import Layer, Severity
from invoices.validation import (
    Report,
    codelists,
    lines,
    schematron,
    validate_document,
    validate_tree,
    xsd,
)
from invoices.validation.report import Document
from invoices.xmlsafe import INVOICE_TAG, parse_untrusted

BASE_DIR = Path(settings.BASE_DIR)
EXAMPLES = BASE_DIR.parent / "shared" / "fixtures" / "peppol" / "examples"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.glob("*.xml")) if EXAMPLES.is_dir() else []
needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"the official examples are not present at {EXAMPLES}"
)
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&c;</Invoice>'
)


def example(name: str = "base-example.xml") -> bytes:
    return (EXAMPLES / name).read_bytes()


def edited(data: bytes, edit: Callable[[etree._Element], None]) -> bytes:
    root = parse_untrusted(data)
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def one(root: etree._Element, path: str) -> etree._Element:
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list) and len(found) == 1
    element = found[0]
    assert isinstance(element, etree._Element)
    return element


def remove(path: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = one(root, path)
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)

    return edit


def add_to_amount(path: str, delta: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = one(root, path)
        element.text = str(Decimal(element.text or "0") + Decimal(delta))

    return edit


def rules(report: Report, layer: Layer) -> set[str]:
    return {finding.rule for finding in report.by_layer(layer)}


# --- the official examples ---------------------------------------------------------------------


@needs_examples
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_official_example_passes_xsd_and_cen(name: str) -> None:
    report = validate_document(example(name), layers=[Layer.XSD, Layer.CEN])
    assert report.fatal == (), [f"{f.rule} at {f.location}: {f.message_en}" for f in report.fatal]
    assert report.valid


@needs_examples
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_official_example_passes_every_layer(name: str) -> None:
    report = validate_document(example(name))
    assert report.fatal == (), [f"{f.rule} at {f.location}: {f.message_en}" for f in report.fatal]
    assert report.skipped == ()


# --- broken documents --------------------------------------------------------------------------


@needs_examples
def test_missing_mandatory_element_is_an_xsd_finding_and_stops_the_rule_layers() -> None:
    report = validate_document(edited(example(), remove("/*/cbc:IssueDate")))
    assert not report.valid
    assert [f.rule for f in report.findings] == ["UBL-XSD"]
    finding = report.findings[0]
    assert finding.layer == Layer.XSD and finding.severity == Severity.FATAL
    assert finding.location == "/Invoice/cbc:DueDate"
    assert "cbc:IssueDate" in finding.message_en and "(line " in finding.message_en
    assert finding.message_sv.startswith("Dokumentet följer inte UBL 2.1-schemat (rad ")
    assert "får inte stå här" in finding.message_sv
    # Schema errors cascade into misleading business-rule findings: those layers wait.
    assert report.skipped == (Layer.CEN, Layer.PEPPOL)


@needs_examples
def test_rule_layers_run_alone_when_the_xsd_layer_is_not_asked_for() -> None:
    report = validate_document(
        edited(example(), remove("/*/cbc:IssueDate")), layers=[Layer.CEN, Layer.PEPPOL]
    )
    assert "BR-03" in rules(report, Layer.CEN)
    assert report.skipped == ()


@needs_examples
def test_wrong_total_with_vat_is_br_co_15() -> None:
    data = edited(example(), add_to_amount("/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1"))
    report = validate_document(data)
    assert not report.valid
    assert {"BR-CO-15", "BR-CO-16"} <= rules(report, Layer.CEN)
    br_co_15 = next(f for f in report.fatal if f.rule == "BR-CO-15")
    assert br_co_15.location == "/Invoice"
    assert br_co_15.message_en.startswith("Invoice total amount with VAT (BT-112) =")
    assert br_co_15.message_sv.startswith("Totalbelopp inklusive moms (BT-112) ska vara")


@needs_examples
def test_wrong_line_sum_is_br_co_10_and_br_co_13() -> None:
    path = "/*/cac:LegalMonetaryTotal/cbc:LineExtensionAmount"
    report = validate_document(edited(example(), add_to_amount(path, "100")))
    assert {"BR-CO-10", "BR-CO-13"} <= rules(report, Layer.CEN)
    br_co_10 = next(f for f in report.fatal if f.rule == "BR-CO-10")
    assert br_co_10.location == "/Invoice/cac:LegalMonetaryTotal"
    assert "fakturaraders nettobelopp" in br_co_10.message_sv


@needs_examples
def test_wrong_vat_amount_is_br_s_09_located_at_its_subtotal() -> None:
    path = "/*/cac:TaxTotal/cac:TaxSubtotal[1]/cbc:TaxAmount"
    report = validate_document(edited(example(), add_to_amount(path, "1")))
    finding = next(f for f in report.fatal if f.rule == "BR-S-09")
    assert finding.layer == Layer.CEN
    assert finding.location.startswith("/Invoice/cac:TaxTotal/cac:TaxSubtotal")


@needs_examples
def test_untranslated_rule_gets_a_swedish_lead_in() -> None:
    def add_uuid(root: etree._Element) -> None:
        one(root, "/*/cbc:IssueDate").addprevious(etree.Element(f"{{{NS['cbc']}}}UUID"))

    report = validate_document(edited(example(), add_uuid), layers=[Layer.XSD, Layer.CEN])
    finding = next(f for f in report.findings if f.rule == "UBL-CR-005")
    assert finding.severity == Severity.WARNING
    assert report.valid  # a warning does not block
    assert finding.message_sv == "En UBL-faktura bör inte innehålla UUID."


def test_unsafe_input_is_a_report_not_an_exception() -> None:
    report = validate_document(BOMB)
    assert not report.valid
    assert [(f.rule, f.layer) for f in report.findings] == [("XML-DOCTYPE", Layer.XML)]


def test_non_ubl_tree_is_refused_by_validate_tree() -> None:
    report = validate_tree(etree.fromstring(b"<Order/>"))
    assert [(f.rule, f.layer) for f in report.findings] == [("XML-ROOT", Layer.XML)]


def test_report_groups_findings() -> None:
    report = validate_document(
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    )
    assert report.by_layer(Layer.XSD) == report.fatal
    assert report.warnings == ()
    assert report.by_layer(Layer.CEN) == ()


# --- loaded once, safe under threads -----------------------------------------------------------


@needs_examples
def test_layers_are_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    validation.load_layers()
    executable = schematron._executables[validation.cen_xslt_path()]
    schema = xsd._schemas[INVOICE_TAG]

    def recompiled(*args: object) -> None:
        raise AssertionError("a layer was loaded again")

    monkeypatch.setattr(schematron, "_compile_stylesheet", recompiled)
    monkeypatch.setattr(xsd, "_load_schema", recompiled)
    for _ in range(2):
        assert validate_document(example()).valid
    assert schematron._executables[validation.cen_xslt_path()] is executable
    assert xsd._schemas[INVOICE_TAG] is schema


@needs_examples
def test_concurrent_validations_give_their_own_results() -> None:
    good = example()
    bad = edited(good, add_to_amount("/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1"))
    results: dict[int, list[bool]] = {}

    def work(number: int) -> None:
        data = good if number % 2 else bad
        results[number] = [validate_document(data).valid for _ in range(5)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {0: [False] * 5, 1: [True] * 5, 2: [False] * 5, 3: [True] * 5}


def official_cen_results(text: str) -> list[tuple[str | None, str | None, str | None]]:
    """Run the official CEN stylesheet, as shipped, and return its failed asserts."""
    output = schematron.run_as_shipped(validation.cen_xslt_path(), text)
    return svrl_results(etree.fromstring(output.encode()))


def svrl_results(svrl: etree._Element | None) -> list[tuple[str | None, str | None, str | None]]:
    if svrl is None:  # the validator's shortcut: a report with no result at all
        return []
    found = svrl.iter(f"{{{validation.SVRL_NS}}}failed-assert")
    return sorted((e.get("id"), e.get("flag"), e.get("location")) for e in found)


def break_things(root: etree._Element) -> None:
    add_to_amount("/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1")(root)
    remove("/*/cbc:IssueDate")(root)
    remove("/*/cac:InvoiceLine[1]/cac:Item/cbc:Name")(root)
    one(root, "/*/cbc:ID").addnext(etree.Element(f"{{{NS['cbc']}}}UUID"))


@needs_examples
def test_lean_stylesheet_reports_what_the_official_one_reports() -> None:
    # The validator drops the skeleton's trace output before compiling; findings must not change.
    text = etree.tostring(parse_untrusted(edited(example(), break_things)), encoding="unicode")
    expected = official_cen_results(text)
    assert {"BR-03", "BR-25", "BR-CO-15", "UBL-CR-005"} <= {rule for rule, _, _ in expected}
    assert svrl_results(schematron._svrl(validation.cen_xslt_path(), text)) == expected


def set_codes(root: etree._Element, value: str) -> None:
    """Give every coded value a BR-CL rule checks (currency, unit, scheme, country) this value."""
    for element in root.iter():
        for attribute in ("currencyID", "unitCode", "schemeID"):
            if attribute in element.attrib:
                element.set(attribute, value)
    cbc = NS["cbc"]
    for element in root.iter(f"{{{cbc}}}DocumentCurrencyCode", f"{{{cbc}}}IdentificationCode"):
        element.text = value


# A code some lists know (SE: a country, not a currency), unknown ones, and the edges of the
# lookup: a space inside (then tested as written),
# spaces around, two codes in one, nothing at all, another case, a tab.
@needs_examples
@pytest.mark.parametrize("value", ["SE", "XX", "SE K", " SE ", "AED AFN", "", "se", "SE\t"])
def test_code_list_lookups_find_what_the_official_search_finds(value: str) -> None:
    text = Document(parse_untrusted(edited(example(), lambda root: set_codes(root, value)))).text
    expected = official_cen_results(text)
    if value != "SE":
        assert {"BR-CL-03", "BR-CL-23"} <= {rule for rule, _, _ in expected}
    assert svrl_results(schematron._svrl(validation.cen_xslt_path(), text)) == expected


def test_only_space_separated_code_lists_become_lookups() -> None:
    codes = " ".join(f"C{number}" for number in range(20))
    tests = {
        "list": f"contains(' {codes} C3 ', concat(' ', normalize-space(@unitCode), ' '))",
        "short": "contains(' A B C ', concat(' ', normalize-space(.), ' '))",
        "no edges": f"contains('{codes}', concat(' ', normalize-space(.), ' '))",
        "substring": f"contains(' {codes} ', substring(cbc:ID, 1, 2))",
    }
    stylesheet = etree.ElementTree(etree.Element(f"{{{validation.XSL_NS}}}stylesheet"))
    etree.SubElement(stylesheet.getroot(), f"{{{validation.XSL_NS}}}import", href="base.xsl")
    for test in tests.values():
        etree.SubElement(stylesheet.getroot(), f"{{{validation.XSL_NS}}}if", test=test)

    codelists.index_code_lists(stylesheet)

    imported, variable, *rewritten = stylesheet.getroot()
    assert imported.tag == f"{{{validation.XSL_NS}}}import"  # imports stay first
    assert variable.get("static") == "yes"
    assert f"distinct-values(tokenize(' {codes} C3 '))" in str(variable.get("select"))
    assert "map}contains($Q{urn:efaktura:validation:lean}codes-1, $lean-value)" in str(
        rewritten[0].get("test")
    )
    assert [element.get("test") for element in rewritten[1:]] == list(tests.values())[1:]


def official_line_paths() -> list[str]:
    """The paths the official stylesheet forbids in every line: `not((cac:InvoiceLine|...)/X)`."""
    prefix = f"not({lines.LINES}/"
    stylesheet = etree.parse(str(validation.cen_xslt_path()))
    tests = [str(when.get("test")) for when in stylesheet.iter(f"{{{validation.XSL_NS}}}when")]
    return [test[len(prefix) : -1] for test in tests if test.startswith(prefix)]


@needs_examples
def test_every_path_forbidden_in_a_line_is_found_as_the_official_stylesheet_finds_it() -> None:
    # The validator gathers the lines once for these asserts; each must still fire as shipped.
    paths = official_line_paths()
    assert len(paths) > 100
    differences = []
    for path in paths:
        root = parse_untrusted(example())
        parent = root.findall("cac:InvoiceLine", NS)[-1]
        for step in path.split("/"):
            prefix, name = step.split(":")
            parent = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}")
        parent.text = "1"
        text = Document(root).text
        found = svrl_results(schematron._svrl(validation.cen_xslt_path(), text))
        if not found or found != official_cen_results(text):
            differences.append(path)
    assert not differences


def test_the_lines_are_gathered_only_where_the_asserts_have_the_templates_context() -> None:
    xsl, cac = validation.XSL_NS, NS["cac"]
    stylesheet = etree.ElementTree(
        etree.fromstring(
            f"""<xsl:stylesheet xmlns:xsl="{xsl}" xmlns:cac="{cac}">
              <xsl:template match="/*"><xsl:param name="p"/>
                <xsl:choose><xsl:when test="not({lines.LINES}/cac:Item/cac:X)"/></xsl:choose>
                <xsl:for-each select="cac:Delivery">
                  <xsl:if test="not({lines.LINES}/cac:Y)"/>
                </xsl:for-each>
              </xsl:template>
              <xsl:template match="/*" mode="other" xmlns:cac="urn:other">
                <xsl:if test="not({lines.LINES}/cac:Z)"/>
              </xsl:template>
            </xsl:stylesheet>"""
        )
    )

    lines.share_the_lines(stylesheet)

    first, other = stylesheet.getroot()
    param, variable, choose, for_each = first
    assert param.tag == f"{{{xsl}}}param"  # the variable comes after the parameters
    assert variable.get("select") == lines.LINES
    assert choose[0].get("test") == "not($Q{urn:efaktura:validation:lean}lines/cac:Item/cac:X)"
    assert for_each[0].get("test") == f"not({lines.LINES}/cac:Y)"  # another context
    assert other[0].get("test") == f"not({lines.LINES}/cac:Z)"  # cac is not UBL's there


@needs_examples
def test_saxon_reads_the_document_without_indentation_and_finds_the_same() -> None:
    root = parse_untrusted(edited(example(), break_things))
    note = one(root, "/*/cac:PaymentTerms/cbc:Note")
    note.text = "   "  # whitespace as an element's whole value is that value, not indentation
    one(root, "/*/cac:PaymentTerms").addnext(etree.Comment(" between elements "))
    etree.indent(root)
    pretty = etree.tostring(root, encoding="unicode")

    text = Document(root).text

    assert "\n" not in text
    assert "<cbc:Note>   </cbc:Note></cac:PaymentTerms><!-- between elements --><cac:" in text
    assert text.count("<") == pretty.count("<")
    expected = official_cen_results(pretty)
    assert {"BR-03", "BR-CO-15", "UBL-CR-005"} <= {rule for rule, _, _ in expected}
    assert official_cen_results(text) == expected


# --- the operator's PEPPOL XSLT ----------------------------------------------------------------

# A compiled schematron in the ISO skeleton's shape, with its trace output (fired rules,
# an active pattern holding the pattern's walk) that the validator drops before compiling.
OPERATOR_XSLT = """<xsl:stylesheet version="2.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <xsl:template match="/">
    <svrl:schematron-output>
      <svrl:active-pattern id="test">
        <xsl:apply-templates select="/" mode="M1"/>
      </svrl:active-pattern>
    </svrl:schematron-output>
  </xsl:template>
  <xsl:template match="/*" mode="M1">
    <svrl:fired-rule context="/*"/>
    <xsl:if test="not(starts-with(cbc:ID, 'X'))">
      <svrl:failed-assert id="TEST-R001" flag="warning"
          location="/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]/*:ID[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'][1]">
        <svrl:text>[TEST-R001]-The invoice number should start with X.</svrl:text>
      </svrl:failed-assert>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
"""


@needs_examples
def test_operator_xslt_runs_in_the_peppol_layer(tmp_path: Path) -> None:
    stylesheet = tmp_path / "peppol.xslt"
    stylesheet.write_text(OPERATOR_XSLT)
    with override_settings(PEPPOL_XSLT=str(stylesheet)):
        report = validate_document(example())
    finding = next(f for f in report.findings if f.rule == "TEST-R001")
    assert finding.layer == Layer.PEPPOL
    assert finding.severity == Severity.WARNING
    assert finding.location == "/Invoice/cbc:ID"
    assert finding.message_en == "The invoice number should start with X."
    assert finding.message_sv.startswith("Regeln TEST-R001 i PEPPOL BIS 3")
    assert report.valid


# Two patterns in the skeleton's shape: one with rules on elements only, one with a rule on
# an attribute. Only the first pattern's walk may skip attributes.
WALKS_XSLT = """<xsl:stylesheet version="2.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <xsl:template match="/">
    <svrl:schematron-output>
      <xsl:apply-templates select="/" mode="M1"/>
      <xsl:apply-templates select="/" mode="M2"/>
    </svrl:schematron-output>
  </xsl:template>
  <xsl:template match="cbc:ID" mode="M1" priority="1000">
    <xsl:if test="not(starts-with(., 'X'))">
      <svrl:failed-assert id="ELEMENT-R001" flag="warning" location="/"/>
    </xsl:if>
    <xsl:apply-templates select="@*|*" mode="M1"/>
  </xsl:template>
  <xsl:template match="@*|node()" mode="M1" priority="-2">
    <xsl:apply-templates select="@*|*" mode="M1"/>
  </xsl:template>
  <xsl:template match="cbc:EndpointID/@schemeID | cbc:Nothing" mode="M2" priority="1000">
    <xsl:if test=". != '0007'">
      <svrl:failed-assert id="ATTRIBUTE-R001" flag="warning" location="/"/>
    </xsl:if>
  </xsl:template>
  <xsl:template match="@*|node()" mode="M2" priority="-2">
    <xsl:apply-templates select="@*|*" mode="M2"/>
  </xsl:template>
</xsl:stylesheet>
"""


@needs_examples
def test_a_walk_skips_attributes_only_where_no_rule_reads_one(tmp_path: Path) -> None:
    stylesheet = tmp_path / "walks.xslt"
    stylesheet.write_text(WALKS_XSLT)

    lean = etree.fromstring(schematron._lean_stylesheet(stylesheet).encode())

    walks = {
        (walk.get("mode"), walk.get("select"))
        for walk in lean.iter(f"{{{validation.XSL_NS}}}apply-templates")
    }
    assert walks == {("M1", "/"), ("M2", "/"), ("M1", "*"), ("M2", "@*|*")}
    text = etree.tostring(parse_untrusted(example()), encoding="unicode")
    fired = {rule for rule, _, _ in svrl_results(schematron._svrl(stylesheet, text))}
    assert fired == {"ELEMENT-R001", "ATTRIBUTE-R001"}  # base-example's ids are not 0007


def test_operator_xslt_that_is_not_a_file_is_a_configuration_error(tmp_path: Path) -> None:
    with (
        override_settings(PEPPOL_XSLT=str(tmp_path / "missing.xslt")),
        pytest.raises(ImproperlyConfigured, match="PEPPOL_XSLT"),
    ):
        validation.operator_xslt_path()


# --- manage.py validate_invoice ----------------------------------------------------------------


def run_command(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "validate_invoice", *args],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return result.returncode, lines, result.stderr


@needs_examples
def test_command_passes_valid_files() -> None:
    names = [str(EXAMPLES / "base-example.xml"), str(EXAMPLES / "base-creditnote-correction.xml")]
    code, lines, stderr = run_command(*names)
    assert code == 0, stderr
    assert [line["file"] for line in lines] == names
    for line in lines:
        assert set(line) == {"file", "valid", "findings"}
        assert line["valid"] is True and line["findings"] == []


@needs_examples
def test_command_fails_on_fatal_findings_and_unreadable_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    path = "/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"
    broken.write_bytes(edited(example(), add_to_amount(path, "1")))
    missing = tmp_path / "missing.xml"
    code, lines, stderr = run_command(str(EXAMPLES / "base-example.xml"), str(broken), str(missing))
    assert code == 1
    assert "2 of 3 files did not pass" in stderr
    valid, bad, absent = lines
    assert valid["valid"] is True
    assert bad["valid"] is False
    assert isinstance(bad["findings"], list)
    finding = next(f for f in bad["findings"] if f["rule"] == "BR-CO-15")
    assert set(finding) == {"rule", "severity", "message", "location"}
    assert finding["severity"] == "fatal"
    assert str(finding["message"]).startswith("Invoice total amount with VAT")
    assert absent["valid"] is False
    assert absent["findings"][0]["rule"] == "FILE-UNREADABLE"  # type: ignore[index]


def test_command_refuses_an_xml_bomb_in_swedish(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(BOMB)
    code, lines, _ = run_command("--language", "sv", str(bomb))
    assert code == 1
    assert lines == [
        {
            "file": str(bomb),
            "valid": False,
            "findings": [
                {
                    "rule": "XML-DOCTYPE",
                    "severity": "fatal",
                    "message": "Filen har en DOCTYPE-deklaration "
                    "(DTD:er och entiteter accepteras inte).",
                    "location": "/",
                }
            ],
        }
    ]


# --- make bench's inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("lines", [3, 40])
def test_bench_invoice_validates_clean_in_every_layer(lines: int) -> None:
    report = validate_document(synthetic_invoice(lines))
    assert report.findings == (), [f"{f.rule} at {f.location}" for f in report.findings]
