"""What a validation returns (`Report`), and the document its layers share."""

from __future__ import annotations

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


class Document:
    """The root, and its ASCII serialization made once and only if an XSLT layer needs it."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root

    @cached_property
    def text(self) -> str:
        # ASCII with character references: Saxon reads it right whatever the locale's encoding.
        return etree.tostring(self.root, encoding="ascii").decode("ascii")
