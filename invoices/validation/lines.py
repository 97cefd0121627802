"""Gather an invoice's lines once for the document-level asserts that look into every line.

The EN 16931 syntax pattern checks, at the document element, 131 asserts of the form
`not((cac:InvoiceLine|cac:CreditNoteLine)/cbc:UUID)`. Saxon evaluates the union for each
of them: it scans the document element's children twice and merges the two into document
order, 131 times. On a 1000-line invoice that is a tenth of the EN 16931 run.

This rewrite binds the union once, at the start of such a template, and lets each of
these asserts start from the variable: `not($lines/cbc:UUID)`. The variable holds the
same nodes in the same order, evaluated from the same context (the template's), so every
assert answers as before. Only tests that begin with exactly that union change.
"""

from __future__ import annotations

from lxml import etree

XSL_NS = "http://www.w3.org/1999/XSL/Transform"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
LINES = "(cac:InvoiceLine|cac:CreditNoteLine)"
_VARIABLE = "Q{urn:efaktura:validation:lean}lines"
_PREFIX = f"not({LINES}/"


def share_the_lines(stylesheet: etree._ElementTree) -> None:
    """Bind the lines once in every template where asserts start from them, in place."""
    for template in stylesheet.iter(f"{{{XSL_NS}}}template"):
        if template.nsmap.get("cac") != CAC_NS:
            continue  # the variable's `cac:` would not be the UBL namespace
        rewritten = 0
        for test in _tests_in_template_context(template):
            text = test.get("test") or ""
            if text.startswith(_PREFIX) and test.nsmap.get("cac") == CAC_NS:
                test.set("test", f"not(${_VARIABLE}/{text[len(_PREFIX):]}")
                rewritten += 1
        if rewritten:
            # After any xsl:param, which must come first.
            position = sum(1 for child in template if child.tag == f"{{{XSL_NS}}}param")
            variable = etree.Element(f"{{{XSL_NS}}}variable", name=_VARIABLE, select=LINES)
            template.insert(position, variable)


def _tests_in_template_context(template: etree._Element) -> list[etree._Element]:
    """The skeleton's asserts and reports: xsl:choose/xsl:when and xsl:if right in the template.

    Their context is the template's, as the variable's is; a test inside xsl:for-each or
    any other instruction could have another, and is left alone.
    """
    ifs = [child for child in template if child.tag == f"{{{XSL_NS}}}if"]
    chooses = [child for child in template if child.tag == f"{{{XSL_NS}}}choose"]
    whens = [when for choose in chooses for when in choose if when.tag == f"{{{XSL_NS}}}when"]
    return ifs + whens
