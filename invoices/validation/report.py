"""What a validation returns (`Report`), and the document its layers share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from invoices.findings import Finding, Layer


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


# Whitespace-only runs that belong to an element with element children: after an end tag
# (`</x>`, `/>`) and before a start tag (`<x`). A run between an element's own start and end
# tag (`<cbc:Note> </cbc:Note>`) is that element's value and stays.
_AFTER_END_TAG = re.compile(r"(</[^<>]*>|/>)[ \t\r\n]+(?=<)")
_BEFORE_START_TAG = re.compile(r">[ \t\r\n]+(?=<[^/!?])")


class Document:
    """The root, and its ASCII serialization made once and only if an XSLT layer needs it."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root

    @cached_property
    def text(self) -> str:
        """The document as the XSLT layers read it: ASCII, without indentation.

        ASCII with character references, so Saxon reads it right whatever the locale's
        encoding. Indentation is whitespace in element-only content (UBL's aggregates), which
        no rule reads; dropping it spares Saxon a tenth of its run on a pretty-printed invoice.
        lxml writes no CDATA section and escapes `>` in text, so every `>` here ends markup.
        """
        serialized = etree.tostring(self.root, encoding="ascii").decode("ascii")
        return _BEFORE_START_TAG.sub(">", _AFTER_END_TAG.sub(r"\1", serialized))
