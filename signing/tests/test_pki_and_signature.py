"""The simulator's PKI and signatures, verified end to end, and every tampering rejected."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing.pki import TestPKI, issue_user_certificate, load_or_create_test_pki
from signing.signature import build_ocsp_response, build_signature
from signing.verify import Verdict, verify_bankid_signature

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PERSONAL_NUMBER = "199001011239"
OTHER_PERSONAL_NUMBER = "198002029877"
VISIBLE = base64.b64encode(
    "Jag intygar att uppgifterna om Ärlig Handel AB stämmer.".encode()
).decode()
NON_VISIBLE = base64.b64encode(hashlib.sha256(b'{"org":"556677-8899"}').digest()).decode()
NAME_OID = x509.ObjectIdentifier("2.5.4.41")

Person = tuple[x509.Certificate, rsa.RSAPrivateKey]


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    # Session-scoped: a PKI is seven 2048-bit keys, about a second to generate.
    return load_or_create_test_pki(tmp_path_factory.mktemp("bankid-pki"))


@pytest.fixture(scope="session")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    return load_or_create_test_pki(tmp_path_factory.mktemp("other-pki"))


@pytest.fixture(scope="session")
def person(pki: TestPKI) -> Person:
    return issue_user_certificate(
        pki, personal_number=PERSONAL_NUMBER, given_name="Åsa", surname="Öberg"
    )


def sign(pki: TestPKI, person: Person, **overrides: Any) -> str:
    cert, key = person
    options: dict[str, Any] = {
        "user_cert": cert,
        "user_key": key,
        "chain": [pki.customer_ca_cert, pki.bank_ca_cert],
        "func_id": "Signing",
        "user_visible_data": VISIBLE,
        "user_non_visible_data": NON_VISIBLE,
        "rp_name": "cn=e-faktura demo RP,name=e-faktura demo,serialNumber=5590000005",
        "rp_display_name": "e-faktura demo",
        "uhi": "OZvYM9VvyiAmG7NA5jU5zqGcVpo=",
    }
    options.update(overrides)
    return build_signature(**options)


def ocsp_for(pki: TestPKI, person: Person, signature: str, **overrides: Any) -> str:
    options: dict[str, Any] = {
        "user_cert": person[0],
        "issuer_cert": pki.customer_ca_cert,
        "responder_cert": pki.ocsp_cert,
        "responder_key": pki.ocsp_key,
        "signature_b64": signature,
    }
    options.update(overrides)
    return build_ocsp_response(**options)


def verify(pki: TestPKI, signature: str, ocsp_response: str | None, **overrides: Any) -> Verdict:
    options: dict[str, Any] = {
        "trusted_roots_pem": [pki.root_pem.read_bytes()],
        "ocsp_response_b64": ocsp_response,
        "expected_func_id": "Signing",
        "expected_visible_data": VISIBLE,
        "expected_non_visible_data": NON_VISIBLE,
        "expected_personal_number": PERSONAL_NUMBER,
    }
    options.update(overrides)
    return verify_bankid_signature(signature, **options)


def document_of(signature: str) -> str:
    return base64.b64decode(signature).decode()


def signature_of(document: str) -> str:
    return base64.b64encode(document.encode()).decode()


# --- the happy path -------------------------------------------------------------------


def test_simulated_signature_verifies(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    ocsp_response = ocsp_for(pki, person, signature)

    verdict = verify(pki, signature, ocsp_response)

    assert verdict.valid, verdict.detail
    assert verdict.reason == "ok"
    assert verdict.func_id == "Signing"
    assert verdict.signer_name == "Åsa Öberg"
    assert verdict.personal_number == PERSONAL_NUMBER
    assert verdict.personal_number_masked == "19900101-XXXX"
    produced_at = ocsp.load_der_ocsp_response(base64.b64decode(ocsp_response)).produced_at_utc
    assert verdict.signed_at == produced_at


def test_produced_at_follows_the_simulators_clock(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)

    verdict = verify(pki, signature, ocsp_for(pki, person, signature, produced_at=moment))

    assert verdict.valid, verdict.detail
    assert verdict.signed_at == moment


def test_produced_at_may_be_the_wall_clock(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    moment = datetime.now(UTC)

    verdict = verify(pki, signature, ocsp_for(pki, person, signature, produced_at=moment))

    assert verdict.valid, verdict.detail
    assert verdict.signed_at == moment.replace(microsecond=0)


def test_as_json_never_carries_the_personal_number(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    verdict = verify(pki, signature, ocsp_for(pki, person, signature))

    data = verdict.as_json()

    assert set(data) == {
        "valid", "reason", "func_id", "signer_name", "personal_number_masked", "signed_at"
    }  # fmt: skip
    assert PERSONAL_NUMBER not in str(data)
    assert data["signed_at"] == verdict.signed_at.isoformat()  # type: ignore[union-attr]


def test_several_trusted_roots(pki: TestPKI, other_pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    roots = [other_pki.root_pem.read_bytes() + pki.root_pem.read_bytes()]

    verdict = verify(pki, signature, ocsp_for(pki, person, signature), trusted_roots_pem=roots)

    assert verdict.valid, verdict.detail


def test_ocsp_may_be_waived_for_archived_evidence(pki: TestPKI, person: Person) -> None:
    verdict = verify(pki, sign(pki, person), None, require_ocsp=False)

    assert verdict.valid, verdict.detail
    assert verdict.signed_at is None


# --- the document follows BankID's profile ----------------------------------------------


def test_document_has_bankids_layout(pki: TestPKI, person: Person) -> None:
    document = document_of(sign(pki, person))

    assert document.startswith('<?xml version="1.0" encoding="UTF-8" standalone="no"?><Signature')
    assert '<SignedInfo xmlns="http://www.w3.org/2000/09/xmldsig#">' in document
    assert '<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#" Id="bidKeyInfo">' in document
    assert document.count("<X509Certificate>") == 3  # leaf, customer CA, bank CA; no root
    assert (
        '<bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types" '
        'Id="bidSignedData"><usrVisibleData charset="UTF-8" visible="wysiwys">'
        f"{VISIBLE}</usrVisibleData><usrNonVisibleData>{NON_VISIBLE}</usrNonVisibleData>"
    ) in document
    assert "<funcId>Signing</funcId>" in document
    assert "<uhi>OZvYM9VvyiAmG7NA5jU5zqGcVpo=</uhi>" in document
    assert "/>" not in document  # canonical form: explicit end tags everywhere


def test_digests_cover_the_raw_bytes(pki: TestPKI, person: Person) -> None:
    document = document_of(sign(pki, person))
    digests = re.findall(r"<DigestValue>([^<]+)</DigestValue>", document)

    for (start, end), digest in zip(
        [("<bankIdSignedData", "</bankIdSignedData>"), ("<KeyInfo", "</KeyInfo>")],
        digests,
        strict=True,
    ):
        part = document[document.index(start) : document.index(end) + len(end)]
        assert base64.b64encode(hashlib.sha256(part.encode()).digest()).decode() == digest


def test_non_visible_data_may_be_left_out(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person, user_non_visible_data=None)

    assert "usrNonVisibleData" not in document_of(signature)
    verdict = verify(
        pki, signature, ocsp_for(pki, person, signature), expected_non_visible_data=None
    )
    assert verdict.valid, verdict.detail


def test_user_certificate_follows_the_profile(pki: TestPKI, person: Person) -> None:
    cert, _ = person
    subject = cert.subject

    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == PERSONAL_NUMBER
    assert subject.get_attributes_for_oid(NameOID.GIVEN_NAME)[0].value == "Åsa"
    assert subject.get_attributes_for_oid(NameOID.SURNAME)[0].value == "Öberg"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Åsa Öberg"
    name = subject.get_attributes_for_oid(NAME_OID)[0].value
    assert re.fullmatch(r"\(\d{6} \d\d\.\d\d\) Åsa Öberg - BankID på fil", str(name))
    assert cert.issuer == pki.customer_ca_cert.subject
    cert.verify_directly_issued_by(pki.customer_ca_cert)
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["1.2.3.4.5"]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=700) < lifetime < timedelta(days=740)


def test_a_person_keeps_their_key(pki: TestPKI, person: Person) -> None:
    again, key = issue_user_certificate(
        pki, personal_number=PERSONAL_NUMBER, given_name="Åsa", surname="Öberg"
    )

    assert key.public_key() == person[1].public_key()
    assert again.serial_number != person[0].serial_number


def test_pki_hierarchies(pki: TestPKI) -> None:
    root, bank, customer = pki.root_cert, pki.bank_ca_cert, pki.customer_ca_cert
    assert "SIMULATED" in root.subject.rfc4514_string()
    assert root.issuer == root.subject
    bank.verify_directly_issued_by(root)
    customer.verify_directly_issued_by(bank)
    pki.ocsp_cert.verify_directly_issued_by(customer)
    for cert, path_length in ((root, 2), (bank, 1), (customer, 0)):
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.critical and constraints.value.ca
        assert constraints.value.path_length == path_length
        assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    ocsp_usage = pki.ocsp_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.OCSP_SIGNING in ocsp_usage
    # TLS lives in its own hierarchy, as at BankID.
    pki.server_cert.verify_directly_issued_by(pki.server_ca_cert)
    pki.rp_cert.verify_directly_issued_by(pki.server_ca_cert)
    assert pki.server_ca_cert.subject != root.subject
    san = pki.server_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    rp = pki.rp_cert.subject
    assert rp.get_attributes_for_oid(NAME_OID)[0].value == "e-faktura demo"
    assert re.fullmatch(r"\d{10}", str(rp.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value))


def test_pem_files_are_written_and_keys_private(pki: TestPKI) -> None:
    for path in (pki.root_pem, pki.server_ca_pem, pki.server_cert_pem, pki.rp_cert_pem):
        assert path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    for path in (pki.server_key_pem, pki.rp_key_pem, *pki.directory.glob("*-key.pem")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert x509.load_pem_x509_certificate(pki.root_pem.read_bytes()) == pki.root_cert


def test_load_or_create_is_idempotent(pki: TestPKI) -> None:
    again = load_or_create_test_pki(pki.directory)

    assert again.root_cert == pki.root_cert
    assert again.customer_ca_key.public_key() == pki.customer_ca_key.public_key()
    assert again.server_cert == pki.server_cert


def test_concurrent_processes_share_one_pki(tmp_path: Path) -> None:
    directory = tmp_path / "shared-pki"
    script = (
        "import sys; from pathlib import Path; from cryptography.hazmat.primitives import hashes; "
        "from signing.pki import load_or_create_test_pki as load; "
        "print(load(Path(sys.argv[1])).root_cert.fingerprint(hashes.SHA256()).hex())"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(directory)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    fingerprints = {process.communicate(timeout=60)[0].strip() for process in processes}

    assert all(process.returncode == 0 for process in processes)
    expected = load_or_create_test_pki(directory).root_cert.fingerprint(hashes.SHA256()).hex()
    assert fingerprints == {expected}


# --- tampering: each one rejected ----------------------------------------------------------


def test_changed_non_visible_data_breaks_the_signature(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    forged_value = base64.b64encode(b"\x00" * 32).decode()
    forged = signature_of(document_of(signature).replace(NON_VISIBLE, forged_value))

    verdict = verify(
        pki, forged, ocsp_for(pki, person, forged), expected_non_visible_data=forged_value
    )

    assert verdict.reason == "signature_invalid"
    assert not verdict.valid


def test_other_non_visible_data_than_sent(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    other = base64.b64encode(b"other details").decode()

    verdict = verify(
        pki, signature, ocsp_for(pki, person, signature), expected_non_visible_data=other
    )

    assert verdict.reason == "non_visible_data_mismatch"


def test_signature_by_another_key(pki: TestPKI, person: Person) -> None:
    impostor_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signature = sign(pki, person, user_key=impostor_key)

    verdict = verify(pki, signature, ocsp_for(pki, person, signature))

    assert verdict.reason == "signature_invalid"


def test_chain_to_an_untrusted_root(pki: TestPKI, other_pki: TestPKI) -> None:
    stranger = issue_user_certificate(
        other_pki, personal_number=PERSONAL_NUMBER, given_name="Åsa", surname="Öberg"
    )
    signature = sign(other_pki, stranger)

    verdict = verify(pki, signature, ocsp_for(other_pki, stranger, signature))

    assert verdict.reason == "untrusted_chain"
    assert verdict.personal_number is None  # nothing from an untrusted signature is reported


def test_ocsp_for_another_certificate(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    somebody_else = issue_user_certificate(
        pki, personal_number=OTHER_PERSONAL_NUMBER, given_name="Bo", surname="Ek"
    )

    verdict = verify(pki, signature, ocsp_for(pki, somebody_else, signature))

    assert verdict.reason == "ocsp_wrong_certificate"


def test_ocsp_with_a_wrong_nonce(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)

    verdict = verify(pki, signature, ocsp_for(pki, person, signature, nonce=os.urandom(32)))

    assert verdict.reason == "ocsp_nonce_mismatch"


def test_ocsp_replayed_from_another_signature(pki: TestPKI, person: Person) -> None:
    earlier = sign(pki, person)
    signature = sign(pki, person)

    assert verify(pki, signature, ocsp_for(pki, person, earlier)).reason == "ocsp_nonce_mismatch"


def test_ocsp_revoked(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)

    verdict = verify(pki, signature, ocsp_for(pki, person, signature, status="revoked"))

    assert verdict.reason == "ocsp_not_good"


def test_ocsp_from_an_unauthorised_responder(
    pki: TestPKI, other_pki: TestPKI, person: Person
) -> None:
    signature = sign(pki, person)
    response = ocsp_for(
        pki, person, signature, responder_cert=other_pki.ocsp_cert, responder_key=other_pki.ocsp_key
    )

    assert verify(pki, signature, response).reason == "ocsp_invalid"


def test_ocsp_garbage(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    response = base64.b64decode(ocsp_for(pki, person, signature))
    broken = base64.b64encode(response[:-40] + bytes(40)).decode()  # the signature zeroed

    assert verify(pki, signature, broken).reason == "ocsp_invalid"
    assert verify(pki, signature, "not base64!").reason == "ocsp_invalid"


def test_missing_ocsp_when_required(pki: TestPKI, person: Person) -> None:
    assert verify(pki, sign(pki, person), None).reason == "ocsp_missing"


def test_personal_number_mismatch(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)

    verdict = verify(
        pki,
        signature,
        ocsp_for(pki, person, signature),
        expected_personal_number=OTHER_PERSONAL_NUMBER,
    )

    assert verdict.reason == "personal_number_mismatch"


def test_identification_when_signing_expected(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person, func_id="Identification")

    verdict = verify(pki, signature, ocsp_for(pki, person, signature))

    assert verdict.reason == "func_id_mismatch"
    assert verdict.func_id == "Identification"


def test_wrapped_unsigned_data_is_never_read(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)
    fake_visible = base64.b64encode(b"Something else entirely").decode()
    decoy = (
        '<Object><bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types">'
        f'<usrVisibleData charset="UTF-8" visible="wysiwys">{fake_visible}</usrVisibleData>'
        "<clientInfo><funcId>Signing</funcId></clientInfo></bankIdSignedData></Object>"
    )
    wrapped = signature_of(document_of(signature).replace("<Object>", decoy + "<Object>", 1))
    response = ocsp_for(pki, person, wrapped)

    assert verify(pki, wrapped, response).valid  # the signed data is still what it was
    assert verify(pki, wrapped, response, expected_visible_data=fake_visible).reason == (
        "visible_data_mismatch"
    )


def test_moved_id_breaks_the_signature(pki: TestPKI, person: Person) -> None:
    document = document_of(sign(pki, person))
    fake_visible = base64.b64encode(b"Something else entirely").decode()
    moved = document.replace('Id="bidSignedData"', 'Id="original"').replace(
        "<Object>",
        '<Object><bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types" '
        f'Id="bidSignedData"><usrVisibleData>{fake_visible}</usrVisibleData></bankIdSignedData>'
        "</Object><Object>",
        1,
    )
    signature = signature_of(moved)

    verdict = verify(pki, signature, ocsp_for(pki, person, signature), expected_visible_data=None)

    assert not verdict.valid
    assert verdict.reason == "signature_invalid"


@pytest.mark.parametrize(
    ("doctype", "reference"),
    [
        ('<!DOCTYPE Signature [<!ENTITY name "Mallory">]>', "&name;"),
        ('<!DOCTYPE Signature SYSTEM "http://127.0.0.1:9/evil.dtd">', ""),
        ('<!DOCTYPE Signature [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>', "&b;"),
    ],
)
def test_doctype_and_entities_are_malformed(
    pki: TestPKI, person: Person, doctype: str, reference: str
) -> None:
    document = document_of(sign(pki, person))
    declaration_end = document.index("?>") + 2
    hostile = document[:declaration_end] + doctype + document[declaration_end:]
    hostile = hostile.replace("<funcId>Signing", "<funcId>Signing" + reference, 1)
    signature = signature_of(hostile)

    verdict = verify(pki, signature, ocsp_for(pki, person, signature))

    assert verdict.reason == "malformed"


@pytest.mark.parametrize(
    "signature", ["", "not base64 at all!", signature_of("<a>not a signature</a>")]
)
def test_garbage_is_malformed(pki: TestPKI, signature: str) -> None:
    assert verify(pki, signature, None).reason == "malformed"


def test_not_yet_valid_at_an_earlier_time(pki: TestPKI, person: Person) -> None:
    signature = sign(pki, person)

    verdict = verify(pki, signature, None, require_ocsp=False, at=datetime(2001, 1, 1, tzinfo=UTC))

    assert verdict.reason == "certificate_not_yet_valid"


def test_no_trusted_roots_is_a_configuration_error(pki: TestPKI, person: Person) -> None:
    with pytest.raises(ValueError, match="no trusted"):
        verify(pki, sign(pki, person), None, trusted_roots_pem=[])
