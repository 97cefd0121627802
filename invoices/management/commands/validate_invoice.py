"""Validate UBL invoice and credit note files from the shell, one JSON line per file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoices.findings import Finding, Layer, Severity
from invoices.validation import Report, validate_document
from invoices.xmlsafe import MAX_BYTES


class Command(BaseCommand):
    help = (
        "Validate UBL 2.1 Invoice/CreditNote files (UBL XSD, EN 16931, PEPPOL BIS 3). Prints "
        "one JSON object per file; exits 1 when any file has a fatal finding."
    )
    # Pure validation: no database, so no system or migration checks before it runs.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="UBL XML files")
        parser.add_argument(
            "--language",
            choices=["en", "sv"],
            default="en",
            help="language of the messages (default: en)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["files"]
        failed = 0
        for name in names:
            report = validate_file(Path(name))
            failed += not report.valid
            line = json.dumps(_as_json(name, report, options["language"]), ensure_ascii=False)
            self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} of {len(names)} files did not pass", returncode=1)


def validate_file(path: Path) -> Report:
    """Validate one file; a file that cannot be read is a fatal finding, not an exception."""
    try:
        with path.open("rb") as handle:
            # One byte over the cap is enough for the parser's size check to refuse it.
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Report(findings=(_unreadable(reason),))
    return validate_document(data)


def _unreadable(reason: str) -> Finding:
    return Finding(
        rule="FILE-UNREADABLE",
        severity=Severity.FATAL,
        message_en=f"The file cannot be read: {reason}",
        message_sv=f"Filen kan inte läsas: {reason}",
        location="/",
        layer=Layer.XML,
    )


def _as_json(name: str, report: Report, language: str) -> dict[str, Any]:
    return {
        "file": name,
        "valid": report.valid,
        "findings": [finding.as_json(language) for finding in report.findings],
    }
