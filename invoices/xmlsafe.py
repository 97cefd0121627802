"""Parse untrusted XML (uploads, API bodies, files from the shell) without trusting it.

Everything that reaches the validator or the importer from outside goes through
`parse_untrusted` first. The XSLT layers run on Saxon, which resolves external
entities; they only ever see what this module has parsed and lxml re-serialized.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from invoices.findings import Finding, Layer, Severity

MAX_BYTES = 20 * 1024 * 1024

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
INVOICE_TAG = f"{{{INVOICE_NS}}}Invoice"
CREDIT_NOTE_TAG = f"{{{CREDIT_NOTE_NS}}}CreditNote"
ROOT_TAGS = frozenset({INVOICE_TAG, CREDIT_NOTE_TAG})
# libxml2 ends every message about its size and depth limits with this advice.
_LIMIT_HINT = "XML_PARSE_HUGE"


class UnsafeXML(ValueError):
    """Input that is not an acceptable UBL document; the messages are for people."""

    def __init__(self, rule: str, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.rule = rule
        self.message_en = message_en
        self.message_sv = message_sv

    def finding(self) -> Finding:
        """Return the rejection as a fatal finding of the XML layer."""
        return Finding(
            rule=self.rule,
            severity=Severity.FATAL,
            message_en=self.message_en,
            message_sv=self.message_sv,
            location="/",
            layer=Layer.XML,
        )


def parse_untrusted(data: bytes) -> etree._Element:
    """Parse bytes from outside into a UBL Invoice or CreditNote root, or raise UnsafeXML."""
    _check_size(data)
    root = _parse(data)
    _reject_doctype(root.getroottree())
    check_root(root)
    return root


def check_root(root: etree._Element) -> None:
    """Raise UnsafeXML unless the element is a UBL 2.1 Invoice or CreditNote."""
    if root.tag in ROOT_TAGS:
        return
    qname = etree.QName(root)
    found_en = f"'{qname.localname}' in namespace {qname.namespace}"
    found_sv = f"'{qname.localname}' i namnrymden {qname.namespace}"
    if qname.namespace is None:
        found_en = f"'{qname.localname}' without a namespace"
        found_sv = f"'{qname.localname}' utan namnrymd"
    raise UnsafeXML(
        "XML-ROOT",
        f"The document's root element is {found_en}, not a UBL 2.1 Invoice or CreditNote.",
        f"Dokumentets rotelement är {found_sv}, inte en UBL 2.1 Invoice (faktura) "
        "eller CreditNote (kreditnota).",
    )


def _check_size(data: bytes) -> None:
    # Checked before parsing: the parser must never see more than the cap.
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise UnsafeXML(
            "XML-SIZE",
            f"The file is larger than {limit} MB.",
            f"Filen är större än {limit} MB.",
        )
    if not data or data.isspace():
        raise UnsafeXML("XML-EMPTY", "The file is empty.", "Filen är tom.")


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers must not be shared between threads.
    # No entity expansion, no DTD loading, no network; huge_tree off keeps libxml2's
    # depth and text-size limits. A DTD's internal subset is still read (libxml2
    # always reads it) but never applied, and _reject_doctype refuses it afterwards.
    # remove_blank_text drops indentation between elements (UBL's aggregates hold
    # elements only); whitespace that is an element's whole value, or sits beside
    # text, stays. A smaller tree makes every layer after the parse faster.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=False,
        remove_blank_text=True,
    )


def _parse(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(data, exc.msg) from None
    if root is None:  # lxml returns None for some inputs that hold no element at all
        raise UnsafeXML("XML-SYNTAX", "The file holds no XML element.", "Filen saknar XML-element.")
    return root


def _syntax_error(data: bytes, detail: str) -> UnsafeXML:
    # libxml2 may stop inside a DTD (an entity bomb trips its amplification limit even
    # unexpanded): say "DOCTYPE", the real reason, rather than a parser message.
    if _has_doctype(data):
        return _doctype_refused()
    if _LIMIT_HINT in detail:
        return UnsafeXML(
            "XML-LIMIT",
            "The file exceeds the XML parser's safety limits (a text over 10 MB or nesting "
            f"deeper than 256 levels): {detail}",
            "Filen överskrider XML-tolkens säkerhetsgränser (en text över 10 MB eller mer än "
            f"256 nivåer): {detail}",
        )
    return UnsafeXML(
        "XML-SYNTAX",
        f"The file is not well-formed XML: {detail}",
        f"Filen är inte korrekt XML: {detail}",
    )


class _DoctypeFound(Exception):
    pass


class _RootReached(Exception):
    pass


class _DoctypeProbe:
    """A parser target that stops at the DOCTYPE or at the root element, whichever comes first."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _DoctypeFound

    def start(self, tag: str | bytes, attrib: dict[str | bytes, str | bytes]) -> None:
        raise _RootReached  # a DOCTYPE can only come before the root element

    def end(self, tag: str | bytes) -> None:
        return None

    def data(self, data: str | bytes) -> None:
        return None

    def comment(self, text: str | bytes) -> None:
        return None

    def close(self) -> None:
        return None


def _has_doctype(data: bytes) -> bool:
    parser = etree.XMLParser(
        target=_DoctypeProbe(), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        etree.fromstring(data, parser=parser)
    except _DoctypeFound:
        return True
    except (_RootReached, etree.XMLSyntaxError):
        return False
    return False


def _reject_doctype(tree: etree._ElementTree) -> None:
    # A UBL document never needs a DOCTYPE; refusing every one closes entity
    # expansion, external DTDs and external entities at once, whatever the content.
    docinfo: Any = tree.docinfo  # lxml-stubs do not declare DocInfo.doctype
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _doctype_refused()


def _doctype_refused() -> UnsafeXML:
    return UnsafeXML(
        "XML-DOCTYPE",
        "The file has a DOCTYPE declaration (DTDs and entities are not accepted).",
        "Filen har en DOCTYPE-deklaration (DTD:er och entiteter accepteras inte).",
    )
