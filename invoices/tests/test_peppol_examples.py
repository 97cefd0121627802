"""The ten official BIS Billing 3.0.21 examples carry no fatal PEPPOL finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from invoices.peppol import check_peppol

EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "peppol" / "examples"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

if not EXAMPLES.is_dir():
    pytest.skip(f"official examples not found at {EXAMPLES}", allow_module_level=True)

FILES = sorted(EXAMPLES.glob("*.xml"))


def test_all_ten_examples_are_there() -> None:
    assert len(FILES) == 10


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_example_has_no_fatal_finding(path: Path) -> None:
    root = etree.parse(str(path), _PARSER).getroot()
    fatal = [f for f in check_peppol(root) if f.is_fatal]
    assert not fatal, [(f.rule, f.location, f.message_en) for f in fatal]


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_example_has_no_finding_at_all(path: Path) -> None:
    # The examples are meant to be clean; a warning here would be a false alarm of ours.
    root = etree.parse(str(path), _PARSER).getroot()
    assert [(f.rule, f.location) for f in check_peppol(root)] == []


def test_billing_02_is_refused_but_billing_with_response_is_not() -> None:
    # Since 3.0.21 profile 02 is identified as billing_with_response (the example uses it).
    root = etree.parse(str(EXAMPLES / "base-example_profile02.xml"), _PARSER).getroot()
    profile_id = root.find(f"{{{CBC}}}ProfileID")
    assert profile_id is not None
    profile_id.text = "urn:fdc:peppol.eu:2017:poacc:billing:02:1.0"
    assert [f.rule for f in check_peppol(root)] == ["PEPPOL-EN16931-R007"]
