"""Untrusted XML: what reaches the validator and the importer, and what is refused."""

from __future__ import annotations

import pytest
from lxml import etree

from invoices.findings import Layer, Severity
from invoices.xmlsafe import (
    CREDIT_NOTE_TAG,
    INVOICE_NS,
    INVOICE_TAG,
    MAX_BYTES,
    UnsafeXML,
    parse_untrusted,
)

INVOICE_OPEN = f'<Invoice xmlns="{INVOICE_NS}">'.encode()
MINIMAL = INVOICE_OPEN + b"<ID xmlns='urn:x'>1</ID></Invoice>"

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'.encode()
        for n in range(1, 10)
    )
    + b"]>\n"
    + INVOICE_OPEN
    + b"&lol9;</Invoice>"
)
EXTERNAL_ENTITY = (
    b'<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    + INVOICE_OPEN
    + b"&secret;</Invoice>"
)
EXTERNAL_DTD = (
    b'<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">' + INVOICE_OPEN + b"</Invoice>"
)
PARAMETER_ENTITY = (
    b'<!DOCTYPE Invoice [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>'
    + INVOICE_OPEN
    + b"</Invoice>"
)
BARE_DOCTYPE = b"<!DOCTYPE Invoice>" + INVOICE_OPEN + b"</Invoice>"
UTF16_DOCTYPE = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Invoice [<!ENTITY a "b">]>'
    f'<Invoice xmlns="{INVOICE_NS}">&a;</Invoice>'
).encode("utf-16")


def rejected(data: bytes) -> UnsafeXML:
    with pytest.raises(UnsafeXML) as info:
        parse_untrusted(data)
    return info.value


def test_accepts_an_invoice_and_a_credit_note() -> None:
    assert parse_untrusted(MINIMAL).tag == INVOICE_TAG
    credit_note = b'<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>'
    assert parse_untrusted(credit_note).tag == CREDIT_NOTE_TAG


def test_keeps_source_lines_for_messages() -> None:
    root = parse_untrusted(b'<?xml version="1.0"?>\n\n' + MINIMAL)
    line: object = root.sourceline  # lxml-stubs type it as "..."
    assert line == 3


def test_drops_indentation_but_keeps_whitespace_that_is_a_value() -> None:
    data = INVOICE_OPEN + (
        b"\n  <Note xmlns='urn:x'>   </Note>\n  <Mixed xmlns='urn:x'>a <b/> c</Mixed>\n</Invoice>"
    )

    root = parse_untrusted(data)

    assert root.text is None  # the indentation between the Invoice's elements
    note, mixed = root
    assert (note.text, note.tail) == ("   ", None)
    assert etree.tostring(mixed) == b'<Mixed xmlns="urn:x">a <b/> c</Mixed>'
    line: object = note.sourceline  # lxml-stubs type it as "..."
    assert line == 2  # line numbers still point into the file


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY, BARE_DOCTYPE, UTF16_DOCTYPE],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity", "bare", "utf16"],
)
def test_any_doctype_is_refused(data: bytes) -> None:
    error = rejected(data)
    assert error.rule == "XML-DOCTYPE"
    assert "DOCTYPE" in error.message_en and "DOCTYPE" in error.message_sv


def test_billion_laughs_is_refused_without_expanding() -> None:
    # Expanded, lol9 would be 10**9 characters; the refusal must not have built any of it.
    error = rejected(BILLION_LAUGHS)
    assert "lol" not in str(error)


def test_external_entity_is_never_read() -> None:
    error = rejected(EXTERNAL_ENTITY)
    assert "root:" not in error.message_en + error.message_sv


def test_xinclude_is_not_processed() -> None:
    data = (
        INVOICE_OPEN
        + b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"'
        + b' parse="text"/></Invoice>'
    )
    root = parse_untrusted(data)
    # The include stays an inert element (the XSD refuses it later); nothing was pulled in.
    assert "root:" not in etree.tostring(root, encoding="unicode")
    assert root[0].tag == "{http://www.w3.org/2001/XInclude}include"


def test_undeclared_entity_is_a_syntax_error() -> None:
    assert rejected(INVOICE_OPEN + b"&foo;</Invoice>").rule == "XML-SYNTAX"


def test_oversized_input_is_refused_before_parsing() -> None:
    data = MINIMAL + b" " * (21 * 1024 * 1024)
    error = rejected(data)
    assert error.rule == "XML-SIZE"
    assert "20 MB" in error.message_en and "20 MB" in error.message_sv


def test_input_at_the_cap_is_parsed() -> None:
    element = b"<Note>" + b"x" * 1000 + b"</Note>"
    body = element * ((MAX_BYTES - len(MINIMAL)) // len(element))
    data = INVOICE_OPEN + body + b"</Invoice>"
    data += b" " * (MAX_BYTES - len(data))
    assert len(data) == MAX_BYTES
    assert parse_untrusted(data).tag == INVOICE_TAG


@pytest.mark.parametrize(
    "data",
    [
        INVOICE_OPEN + b"<a>" * 300 + b"</a>" * 300 + b"</Invoice>",
        INVOICE_OPEN + b"<a>" + b"x" * (11 * 1024 * 1024) + b"</a></Invoice>",
    ],
    ids=["deep", "long-text"],
)
def test_parser_limits_stay_on(data: bytes) -> None:
    error = rejected(data)
    assert error.rule == "XML-LIMIT"
    assert "256" in error.message_sv


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"not xml at all", b"<Invoice>", b"\xff\xfe\x00"]
)
def test_non_xml_is_a_syntax_error(data: bytes) -> None:
    error = rejected(data)
    assert error.rule == "XML-SYNTAX"
    assert error.message_sv.startswith("Filen är inte korrekt XML")


@pytest.mark.parametrize("data", [b"", b"  \n\t "])
def test_empty_input_is_refused(data: bytes) -> None:
    assert rejected(data).rule == "XML-EMPTY"


def test_wrong_root_names_what_was_found() -> None:
    error = rejected(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')
    assert error.rule == "XML-ROOT"
    assert "'Order'" in error.message_en
    assert "urn:oasis:names:specification:ubl:schema:xsd:Order-2" in error.message_sv


def test_invoice_without_the_ubl_namespace_is_refused() -> None:
    error = rejected(b"<Invoice><ID>1</ID></Invoice>")
    assert error.rule == "XML-ROOT"
    assert "without a namespace" in error.message_en
    assert "utan namnrymd" in error.message_sv


def test_rejection_as_a_finding() -> None:
    finding = rejected(b"").finding()
    assert finding.layer == Layer.XML
    assert finding.severity == Severity.FATAL
    assert finding.location == "/"
    assert finding.message("sv") == "Filen är tom."
    assert finding.message("en") == "The file is empty."
