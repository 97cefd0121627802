"""manage.py verify_signature: an auditor's check of an archived BankID signature."""

from __future__ import annotations

import json
from argparse import ArgumentParser, ArgumentTypeError
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from signing.verify import verify_bankid_signature


def _iso_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Verify a BankID signature (base64, as in completionData.signature) against the given "
        "root(s) and print a JSON verdict. Exits 0 only when the signature is valid. "
        "Without --ocsp the OCSP response is not required (archived evidence may lack it); "
        "with it, the response must be good and bound to the signature."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--signature",
            required=True,
            type=Path,
            metavar="FILE",
            help="file holding the base64 signature (whitespace is ignored)",
        )
        parser.add_argument(
            "--ca",
            required=True,
            action="append",
            type=Path,
            metavar="PEM",
            help="PEM file of a trusted root or anchor; repeat for several",
        )
        parser.add_argument(
            "--ocsp",
            type=Path,
            metavar="FILE",
            help="file holding the base64 OCSP response; without it OCSP is not required",
        )
        parser.add_argument(
            "--at",
            type=_iso_time,
            metavar="ISO-TIME",
            help="check certificate validity at this time, e.g. 2022-10-01T00:00:00Z "
            "(default now; UTC when no offset is given)",
        )
        parser.add_argument(
            "--visible-data", metavar="B64", help="expected usrVisibleData, base64 as sent"
        )
        parser.add_argument(
            "--non-visible-data", metavar="B64", help="expected usrNonVisibleData, base64 as sent"
        )
        parser.add_argument(
            "--func-id", choices=["Signing", "Identification"], help="expected funcId"
        )
        parser.add_argument(
            "--personal-number", metavar="N", help="expected personal number, 12 digits"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        signature = _read_text(options["signature"])
        ocsp = _read_text(options["ocsp"]) if options["ocsp"] else None
        try:
            verdict = verify_bankid_signature(
                signature,
                trusted_roots_pem=[_read_bytes(path) for path in options["ca"]],
                ocsp_response_b64=ocsp,
                expected_func_id=options["func_id"],
                expected_visible_data=options["visible_data"],
                expected_non_visible_data=options["non_visible_data"],
                expected_personal_number=options["personal_number"],
                at=options["at"],
                require_ocsp=ocsp is not None,
            )
        except ValueError as exc:  # unusable --ca files
            raise CommandError(f"cannot use the trusted roots: {exc}") from exc
        self.stdout.write(json.dumps(verdict.as_json(), ensure_ascii=False))
        if not verdict.valid:
            # stdout stays one JSON object; the explanation goes to stderr with the exit code.
            raise CommandError(f"{verdict.reason}: {verdict.detail}", returncode=1)


def _read_text(path: Path) -> str:
    # Files copied from logs or e-mail end in a newline or are wrapped at 76 columns; the
    # base64 BankID sends has no whitespace, so dropping it restores the text as received.
    return "".join(_read_bytes(path).decode("ascii", "replace").split())


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
