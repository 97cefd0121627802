"""The PEPPOL BIS Billing 3.0 rules (release 3.0.21), the Swedish national rules and what
Swedish law adds to them (VAT Act, Companies Act), in Python.

The official schematron has no licence grant, so these rules are written from their published
definitions and proven against the official rule unit tests (invoices/tests/test_peppol_*).
Pure: it takes an already safely parsed UBL Invoice or CreditNote root and returns findings.
"""

from __future__ import annotations

from lxml import etree

from invoices.findings import Finding

from . import codelists, common, en16931, lines, sweden, swedish_law
from ._core import Doc, Rule
from .codes import RULESET

__all__ = ["RULESET", "check_peppol", "implemented_rules"]

_FAMILIES = (en16931, lines, codelists, common, sweden, swedish_law)
_RULES: tuple[Rule, ...] = tuple(rule for family in _FAMILIES for rule in family.RULES)


def check_peppol(root: etree._Element) -> list[Finding]:
    """Return every PEPPOL and Swedish rule finding (fatal and warning) for the document."""
    doc = Doc(root)
    return [finding for family in _FAMILIES for finding in family.check(doc)]


def implemented_rules() -> list[str]:
    """Return the ids of the rules this layer implements, sorted."""
    return sorted(rule.id for rule in _RULES)
