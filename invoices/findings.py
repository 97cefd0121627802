"""A validation finding: what rule, how bad, where, and what it means in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    FATAL = "fatal"  # blocks sending
    WARNING = "warning"  # shown, does not block


class Layer(StrEnum):
    XML = "xml"  # not acceptable XML at all (syntax, DOCTYPE, size, root element)
    XSD = "xsd"  # UBL 2.1 schema
    CEN = "cen"  # EN 16931 business rules (official CEN XSLT)
    PEPPOL = "peppol"  # PEPPOL BIS 3 and Swedish national rules (invoices.peppol)
    PORTAL = "portal"  # what the portal stores: embedded attachments' type, size and name


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "BR-CO-15", "PEPPOL-EN16931-R001", "SE-R-005", "XSD"
    severity: Severity
    message_en: str
    message_sv: str
    location: str  # an XPath to the element concerned, "/" when it is the document
    layer: Layer

    @property
    def is_fatal(self) -> bool:
        return self.severity == Severity.FATAL

    def message(self, language: str) -> str:
        """Return the message in Swedish or English (Swedish for anything but English)."""
        return self.message_en if language.lower().startswith("en") else self.message_sv

    def as_json(self, language: str = "en") -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message(language),
            "location": self.location,
        }
