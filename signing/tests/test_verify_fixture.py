"""The verifier against BankID's own published test signature (see fixtures/PROVENANCE.md)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from signing.verify import Verdict, verify_bankid_signature

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures" / "bankid"
SIGNATURE_FILE = FIXTURES / "bankid-test-identification-2022.b64"
BANK_CA_FILE = FIXTURES / "testbank-a-ca-v1-for-bankid-test.pem"
AT = datetime(2022, 10, 1, tzinfo=UTC)  # its certificates expired on 2023-09-13
VISIBLE = base64.b64encode(b"signeringstext").decode()
NON_VISIBLE = base64.b64encode(b"ej synlig").decode()

pytestmark = pytest.mark.skipif(
    not SIGNATURE_FILE.is_file(),
    reason=f"BankID's test signature is not at {FIXTURES} (the shared fixtures beside the project)",
)


@pytest.fixture(scope="module")
def signature() -> str:
    return SIGNATURE_FILE.read_text().strip()


@pytest.fixture(scope="module")
def bank_ca() -> bytes:
    return BANK_CA_FILE.read_bytes()


def verify(signature: str, bank_ca: bytes, **overrides: Any) -> Verdict:
    options: dict[str, Any] = {
        "trusted_roots_pem": [bank_ca],
        "ocsp_response_b64": None,
        "require_ocsp": False,
        "at": AT,
        "expected_func_id": "Identification",
        "expected_visible_data": VISIBLE,
        "expected_non_visible_data": NON_VISIBLE,
        "expected_personal_number": "191212121212",
    }
    options.update(overrides)
    return verify_bankid_signature(signature, **options)


def run_command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "verify_signature", *map(str, args)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PORTAL_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def fixture_args(signature_file: Path = SIGNATURE_FILE) -> list[str | Path]:
    return [
        "--signature", signature_file, "--ca", BANK_CA_FILE, "--at", "2022-10-01T00:00:00Z",
        "--visible-data", VISIBLE, "--non-visible-data", NON_VISIBLE,
    ]  # fmt: skip


def decoded(signature: str) -> bytes:
    return base64.b64decode(signature)


def encoded(document: bytes) -> str:
    return base64.b64encode(document).decode()


def flipped(document: bytes, position: int) -> bytes:
    """Return the document with one byte changed (to another base64-safe character)."""
    replacement = b"B" if document[position : position + 1] == b"A" else b"A"
    return document[:position] + replacement + document[position + 1 :]


def region(document: bytes, start: bytes, end: bytes) -> range:
    """Return the byte positions from the start marker to the end of the end marker."""
    first = document.index(start)
    return range(first, document.index(end, first) + len(end))


def test_real_signature_verifies(signature: str, bank_ca: bytes) -> None:
    verdict = verify(signature, bank_ca)

    assert verdict.valid, verdict.detail
    assert verdict.reason == "ok"
    assert verdict.func_id == "Identification"
    assert verdict.signer_name == "Tolvan Tolvansson"
    assert verdict.personal_number == "191212121212"
    assert verdict.personal_number_masked == "19121212-XXXX"
    assert verdict.signed_at is None  # no OCSP response in the fixture


def test_command_accepts_real_signature() -> None:
    result = run_command(*fixture_args(), "--func-id", "Identification")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "valid": True,
        "reason": "ok",
        "func_id": "Identification",
        "signer_name": "Tolvan Tolvansson",
        "personal_number_masked": "19121212-XXXX",
        "signed_at": None,
    }


def test_command_tolerates_wrapped_base64(tmp_path: Path, signature: str) -> None:
    wrapped = tmp_path / "wrapped.b64"
    lines = [signature[i : i + 76] for i in range(0, len(signature), 76)]
    wrapped.write_text("\n  " + "\n".join(lines) + "\n\n")

    assert run_command(*fixture_args(wrapped)).returncode == 0


def test_command_rejects_a_changed_byte(tmp_path: Path, signature: str) -> None:
    document = decoded(signature)
    position = document.index(b"c2lnbmVyaW5nc3RleHQ=") + 3  # inside usrVisibleData
    tampered = tmp_path / "tampered.b64"
    tampered.write_text(encoded(flipped(document, position)))

    result = run_command(*fixture_args(tampered))

    assert result.returncode == 1
    verdict = json.loads(result.stdout)
    assert verdict["valid"] is False
    assert verdict["reason"] == "signature_invalid"
    assert "signature_invalid" in result.stderr


def test_command_reports_wrong_visible_data() -> None:
    args = fixture_args()
    args[args.index("--visible-data") + 1] = base64.b64encode(b"annan text").decode()

    result = run_command(*args)

    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == "visible_data_mismatch"


# Every signed part: the signed data, the certificates, SignedInfo and SignatureValue.
SIGNED_PARTS = {
    "bankIdSignedData": (b"<bankIdSignedData", b"</bankIdSignedData>", 7),
    "KeyInfo": (b"<KeyInfo", b"</KeyInfo>", 41),
    "SignedInfo": (b"<SignedInfo", b"</SignedInfo>", 17),
    "SignatureValue": (b"<SignatureValue>", b"</SignatureValue>", 11),
}


@pytest.mark.parametrize("part", SIGNED_PARTS)
def test_any_changed_byte_in_a_signed_part_is_rejected(
    signature: str, bank_ca: bytes, part: str
) -> None:
    start, end, step = SIGNED_PARTS[part]
    document = decoded(signature)
    positions = region(document, start, end)[::step]

    accepted = [
        position
        for position in positions
        if verify(encoded(flipped(document, position)), bank_ca).valid
    ]

    assert len(positions) > 20
    assert accepted == []


def test_byte_changes_inside_certificates_are_rejected(signature: str, bank_ca: bytes) -> None:
    document = decoded(signature)
    tag = b"<X509Certificate>"
    texts = [i + len(tag) for i in range(len(document)) if document.startswith(tag, i)]

    # A few positions inside each certificate's base64 text, away from the padding.
    for text_start in texts:
        for offset in (10, 200, 700, 1300):
            verdict = verify(encoded(flipped(document, text_start + offset)), bank_ca)
            assert not verdict.valid, f"byte {text_start + offset} changed, still valid"
    assert len(texts) == 3


def test_wrong_visible_data_is_a_mismatch(signature: str, bank_ca: bytes) -> None:
    verdict = verify(signature, bank_ca, expected_visible_data=NON_VISIBLE)

    assert verdict.reason == "visible_data_mismatch"
    assert not verdict.valid
    assert verdict.func_id == "Identification"  # the signature itself verified


def test_identification_is_not_a_signing(signature: str, bank_ca: bytes) -> None:
    assert verify(signature, bank_ca, expected_func_id="Signing").reason == "func_id_mismatch"


def test_today_the_chain_has_expired(signature: str, bank_ca: bytes) -> None:
    verdict = verify(signature, bank_ca, at=None)

    assert not verdict.valid
    assert verdict.reason == "certificate_expired"
    assert "191212121212" not in verdict.detail  # details end up in logs


def test_another_root_is_not_trusted(signature: str) -> None:
    verdict = verify(signature, _self_signed_root())

    assert not verdict.valid
    assert verdict.reason == "untrusted_chain"


def test_ocsp_is_required_unless_waived(signature: str, bank_ca: bytes) -> None:
    assert verify(signature, bank_ca, require_ocsp=True).reason == "ocsp_missing"


def _self_signed_root() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some Other Root")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)
