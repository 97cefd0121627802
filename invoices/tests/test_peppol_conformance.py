"""The official PEPPOL rule unit tests (vefa testSet files) against invoices.peppol.

Read from ../shared, never copied into the project (OpenPeppol material without a licence
grant). One case per (file, test): each <success>, <warning> and <error> expectation of the
test must be reproduced: no finding, a warning finding or a fatal finding for that rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from invoices import validation
from invoices.findings import Severity
from invoices.peppol import check_peppol, implemented_rules
from invoices.tests.test_validation import official_cen_results, svrl_results
from invoices.validation import schematron
from invoices.validation.report import Document

RULE_TESTS = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "rule-tests"
VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_OUTCOMES = {"success": None, "warning": Severity.WARNING, "error": Severity.FATAL}

if not RULE_TESTS.is_dir():
    pytest.skip(f"official rule tests not found at {RULE_TESTS}", allow_module_level=True)

# Cases whose expectation cannot be reproduced, with the reason (none so far).
KNOWN_DIFFERENCES: dict[str, str] = {}


@dataclass(frozen=True)
class Expectation:
    outcome: str  # success, warning or error
    rule: str
    number: int | None  # how many times the rule fires, when the test says

    def reproduced(self, severities: list[Severity]) -> bool:
        if self.outcome == "success":
            return not severities
        wanted = _OUTCOMES[self.outcome]
        if not severities or any(severity != wanted for severity in severities):
            return False
        return self.number is None or len(severities) == self.number


@dataclass(frozen=True)
class Case:
    name: str
    document: etree._Element
    expectations: tuple[Expectation, ...]


def _cases() -> list[Case]:
    files = sorted(RULE_TESTS.glob("unit-UBL-PEPPOL/*.xm*")) + sorted(
        RULE_TESTS.glob("unit-UBL-SE/*.xml")
    )
    return [case for path in files for case in _file_cases(path)]


def _file_cases(path: Path) -> list[Case]:
    test_set = etree.parse(str(path), _PARSER).getroot()
    cases = []
    for index, test in enumerate(test_set.iterfind(f"{VEFA}test"), start=1):
        documents = [child for child in test if not str(child.tag).startswith(VEFA)]
        documents = [child for child in documents if isinstance(child.tag, str)]
        cases.append(
            Case(
                name=f"{path.parent.name}/{path.name}#{index}",
                # A document of its own, so that /Invoice is the root as in a real file.
                document=copy.deepcopy(documents[0]),
                expectations=tuple(_expectations(test.find(f"{VEFA}assert"))),
            )
        )
    return cases


def _expectations(assertion: etree._Element | None) -> list[Expectation]:
    if assertion is None:
        return []
    return [
        Expectation(outcome, (element.text or "").strip(), _number(element))
        for outcome in _OUTCOMES
        for element in assertion.iterfind(f"{VEFA}{outcome}")
    ]


def _number(element: etree._Element) -> int | None:
    value = element.get("number")
    return int(value) if value else None


def _params() -> list[object]:
    return [
        pytest.param(
            case,
            id=case.name,
            marks=[pytest.mark.xfail(reason=KNOWN_DIFFERENCES[case.name], strict=True)]
            if case.name in KNOWN_DIFFERENCES
            else [],
        )
        for case in _cases()
    ]


@pytest.mark.parametrize("case", _params())
def test_rule_expectations_are_reproduced(case: Case, peppol_scoreboard) -> None:
    peppol_scoreboard.implemented = set(implemented_rules())
    findings = check_peppol(case.document)
    failures = []
    for expectation in case.expectations:
        severities = [f.severity for f in findings if f.rule == expectation.rule]
        ok = expectation.reproduced(severities) and expectation.rule in implemented_rules()
        peppol_scoreboard.record(expectation.rule, ok)
        if not ok:
            failures.append(f"{expectation} got {[s.value for s in severities]}")
    assert case.expectations, "a test without expectations"
    assert not failures, "; ".join(failures)


def test_lean_cen_stylesheet_reports_what_the_official_one_reports_on_every_rule_test() -> None:
    # The validator compiles the CEN stylesheet with its own changes (no trace output,
    # element-only walks, code lists as lookups); on each of these odd documents the
    # findings must be those of the file as shipped.
    differences = []
    for case in _cases():
        text = Document(case.document).text
        lean = svrl_results(schematron._svrl(validation.cen_xslt_path(), text))
        if lean != official_cen_results(text):
            differences.append(case.name)
    assert not differences


# Rules the official tests leave out (new in 3.0.20/3.0.21, or never given a test file):
# our own cases, written from the rule definitions.
UBL = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)


def _invoice(body: str) -> etree._Element:
    return etree.fromstring(f"<Invoice {UBL}>{body}</Invoice>", _PARSER)


def _endpoint(scheme: str, value: str) -> str:
    return (
        "<cac:AccountingCustomerParty><cac:Party>"
        f'<cbc:EndpointID schemeID="{scheme}">{value}</cbc:EndpointID>'
        "</cac:Party></cac:AccountingCustomerParty>"
    )


def _vat(value: str) -> str:
    return (
        "<cac:AccountingSupplierParty><cac:Party><cac:PartyTaxScheme>"
        f"<cbc:CompanyID>{value}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID>"
        "</cac:TaxScheme></cac:PartyTaxScheme></cac:Party></cac:AccountingSupplierParty>"
    )


OWN_CASES = [
    ("PEPPOL-COMMON-R041", _endpoint("0192", "987654325"), None),
    ("PEPPOL-COMMON-R041", _endpoint("0192", "987654321"), Severity.FATAL),
    ("PEPPOL-COMMON-R052", _endpoint("0096", "1234567890"), None),
    ("PEPPOL-COMMON-R052", _endpoint("0096", "123456789"), Severity.FATAL),
    ("PEPPOL-COMMON-R053", _endpoint("0198", "DK12345678"), None),
    ("PEPPOL-COMMON-R053", _endpoint("0198", "12345678"), Severity.FATAL),
    ("PEPPOL-COMMON-R054", _endpoint("0106", "12345678"), None),
    ("PEPPOL-COMMON-R054", _endpoint("0106", "1234567"), Severity.WARNING),
    ("PEPPOL-COMMON-R055", _endpoint("0190", "1" * 20), None),
    ("PEPPOL-COMMON-R055", _endpoint("0190", "1" * 19), Severity.WARNING),
    ("PEPPOL-COMMON-R056-1", _endpoint("9944", "NL123456789B12"), None),
    ("PEPPOL-COMMON-R056-1", _endpoint("9944", "NL123456789"), Severity.WARNING),
    ("PEPPOL-COMMON-R056-2", _vat("NL123456789B01"), None),
    ("PEPPOL-COMMON-R056-2", _vat("NL12345"), Severity.WARNING),
    ("PEPPOL-COMMON-R056-2", _vat("SE123456789001"), None),
    ("PEPPOL-COMMON-R057", _endpoint("0217", "1" * 12), None),
    ("PEPPOL-COMMON-R057", _endpoint("0217", "1" * 11), Severity.WARNING),
    ("PEPPOL-EN16931-R008", "<cbc:Note>x</cbc:Note>", None),
    ("PEPPOL-EN16931-R008", "<cbc:Note> </cbc:Note>", Severity.FATAL),
    (
        "PEPPOL-EN16931-R007",
        "<cbc:ProfileID>urn:peppol:bis:billing_with_response</cbc:ProfileID>",
        None,
    ),
    (
        "PEPPOL-EN16931-R007",
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:02:1.0</cbc:ProfileID>",
        Severity.FATAL,
    ),
]


@pytest.mark.parametrize(
    ("rule", "body", "severity"),
    OWN_CASES,
    ids=[
        f"{rule}-{'ok' if severity is None else severity.value}-{i}"
        for i, (rule, _, severity) in enumerate(OWN_CASES)
    ],
)
def test_rules_without_official_tests(rule: str, body: str, severity: Severity | None) -> None:
    got = [f.severity for f in check_peppol(_invoice(body)) if f.rule == rule]
    assert got == ([] if severity is None else [severity])


def test_two_notes_are_allowed_between_german_parties() -> None:
    parties = "".join(
        f"<cac:{role}><cac:Party><cac:PostalAddress><cac:Country>"
        "<cbc:IdentificationCode>DE</cbc:IdentificationCode>"
        f"</cac:Country></cac:PostalAddress></cac:Party></cac:{role}>"
        for role in ("AccountingSupplierParty", "AccountingCustomerParty")
    )
    body = "<cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note>" + parties
    assert "PEPPOL-EN16931-R002" not in [f.rule for f in check_peppol(_invoice(body))]


def test_location_names_the_line_and_element() -> None:
    line = (
        "<cac:InvoiceLine><cbc:InvoicedQuantity unitCode='EA'>2</cbc:InvoicedQuantity>"
        "<cbc:LineExtensionAmount currencyID='SEK'>{}</cbc:LineExtensionAmount>"
        "<cac:Price><cbc:PriceAmount currencyID='SEK'>10</cbc:PriceAmount></cac:Price>"
        "</cac:InvoiceLine>"
    )
    root = _invoice(line.format("20") + line.format("21"))
    [finding] = [f for f in check_peppol(root) if f.rule == "PEPPOL-EN16931-R120"]
    assert finding.location == "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount"
    assert finding.is_fatal and finding.message_en and finding.message_sv


def test_every_rule_has_both_languages_and_a_unique_id() -> None:
    rules = implemented_rules()
    assert len(rules) == len(set(rules))
    findings = check_peppol(_invoice(""))  # an empty invoice breaks several rules
    assert findings
    for finding in findings:
        assert finding.message_en and finding.message_sv
        assert finding.message_en != finding.message_sv
