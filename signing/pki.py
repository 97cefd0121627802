"""The BankID simulator's test PKI: generated once under a directory, never committed.

Two hierarchies, as at BankID: a signature hierarchy (root -> bank CA -> customer CA ->
user certificates and the OCSP responder) and a separate TLS hierarchy (server CA ->
the simulator's HTTPS certificate and an RP client certificate for mutual TLS).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

KEY_SIZE = 2048
CA_LIFETIME = timedelta(days=3650)
LEAF_LIFETIME = timedelta(days=730)
# Backdating absorbs clock skew between the processes that share the PKI.
BACKDATE = timedelta(days=1)
# Regenerate rather than hand out a certificate that dies during a demo or test run.
MIN_REMAINING = timedelta(days=7)

_NAME_OID = x509.ObjectIdentifier("2.5.4.41")  # X.520 "name", as in BankID's subjects
BANKID_TEST_POLICY = x509.ObjectIdentifier("1.2.3.4.5")  # "BankID on file", test environment
RP_ORG_NUMBER = "5590000005"  # fictional, Luhn-valid
SIMULATOR_BANK = "Simulated Bank AB"
ROOT_ORG = "BankID Simulator"
ROOT_NAME = "SIMULATED BankID Root CA v1 (not for production)"
SSL_ROOT_NAME = "SIMULATED BankID SSL Root CA v1 (not for production)"
# Written into user certificates; .invalid never resolves, so nothing is ever fetched.
OCSP_URL = "http://ocsp.bankid-simulator.invalid/"

# Certificates in the order they are issued; each maps to <name>.pem and <name>-key.pem.
_PARTS = ("root", "bank_ca", "customer_ca", "ocsp", "server_ca", "server", "rp")


@dataclass(frozen=True)
class TestPKI:
    """The simulator's certificates, keys and the PEM files they live in."""

    __test__ = False  # not a pytest test class, despite the name

    directory: Path
    root_cert: x509.Certificate
    root_key: rsa.RSAPrivateKey
    bank_ca_cert: x509.Certificate
    bank_ca_key: rsa.RSAPrivateKey
    customer_ca_cert: x509.Certificate
    customer_ca_key: rsa.RSAPrivateKey
    ocsp_cert: x509.Certificate
    ocsp_key: rsa.RSAPrivateKey
    server_ca_cert: x509.Certificate
    server_ca_key: rsa.RSAPrivateKey
    server_cert: x509.Certificate
    server_key: rsa.RSAPrivateKey
    rp_cert: x509.Certificate
    rp_key: rsa.RSAPrivateKey

    @property
    def root_pem(self) -> Path:
        return _cert_path(self.directory, "root")

    @property
    def server_ca_pem(self) -> Path:
        return _cert_path(self.directory, "server_ca")

    @property
    def server_cert_pem(self) -> Path:
        return _cert_path(self.directory, "server")

    @property
    def server_key_pem(self) -> Path:
        return _key_path(self.directory, "server")

    @property
    def rp_cert_pem(self) -> Path:
        return _cert_path(self.directory, "rp")

    @property
    def rp_key_pem(self) -> Path:
        return _key_path(self.directory, "rp")

    @property
    def signing_chain(self) -> list[x509.Certificate]:
        """Return the intermediates a signature carries after the leaf (no root)."""
        return [self.customer_ca_cert, self.bank_ca_cert]


def load_or_create_test_pki(directory: Path) -> TestPKI:
    """Return the PKI stored in directory, generating it on first use."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The web server, the simulator and test workers may all start at once: one lock
    # makes exactly one of them generate, and the others read what it wrote.
    with _locked(directory / ".lock"):
        loaded = _load(directory)
        if loaded is not None:
            return loaded
        certs, keys = _generate()
        _write(directory, certs, keys)
        return _assemble(directory, certs, keys)


def issue_user_certificate(
    pki: TestPKI, *, personal_number: str, given_name: str, surname: str
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Issue a BankID-profile user certificate (BankID on file) from the customer CA."""
    key = _user_key(personal_number)
    now = datetime.now(UTC)
    full_name = f"{given_name} {surname}"
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SIMULATOR_BANK),
            x509.NameAttribute(NameOID.SURNAME, surname),
            x509.NameAttribute(NameOID.GIVEN_NAME, given_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, personal_number),
            # BankID's "name" attribute: issue time, holder and the kind of BankID.
            x509.NameAttribute(_NAME_OID, f"({now:%y%m%d %H.%M}) {full_name} - BankID på fil"),
            x509.NameAttribute(NameOID.COMMON_NAME, full_name),
        ]
    )
    builder = (
        _builder(subject, key, pki.customer_ca_cert, (now - BACKDATE, now + LEAF_LIFETIME))
        .add_extension(_ocsp_access(), critical=False)
        .add_extension(_policies(), critical=False)
        .add_extension(_key_usage(digital_signature=True), critical=True)
    )
    return builder.sign(pki.customer_ca_key, hashes.SHA256()), key


_user_keys: dict[str, rsa.RSAPrivateKey] = {}
_user_keys_lock = threading.Lock()


def _user_key(personal_number: str) -> rsa.RSAPrivateKey:
    # A 2048-bit key takes tens to hundreds of milliseconds; a person keeps theirs.
    with _user_keys_lock:
        key = _user_keys.get(personal_number)
        if key is None:
            key = _new_key()
            _user_keys[personal_number] = key
        return key


# --- generation -----------------------------------------------------------------------


def _generate() -> tuple[dict[str, x509.Certificate], dict[str, rsa.RSAPrivateKey]]:
    now = datetime.now(UTC)
    ca_validity = (now - BACKDATE, now + CA_LIFETIME)
    leaf_validity = (now - BACKDATE, now + LEAF_LIFETIME)
    keys = {part: _new_key() for part in _PARTS}
    root = _ca(_ROOT_SUBJECT, keys["root"], None, ca_validity, path_length=2)
    bank = _ca(_BANK_SUBJECT, keys["bank_ca"], (root, keys["root"]), ca_validity, path_length=1)
    customer = _ca(
        _CUSTOMER_SUBJECT, keys["customer_ca"], (bank, keys["bank_ca"]), ca_validity, path_length=0
    )
    server_ca = _ca(_SSL_ROOT_SUBJECT, keys["server_ca"], None, ca_validity, path_length=0)
    tls_issuer = (server_ca, keys["server_ca"])
    certs = {
        "root": root,
        "bank_ca": bank,
        "customer_ca": customer,
        "ocsp": _ocsp_responder(keys["ocsp"], (customer, keys["customer_ca"]), leaf_validity),
        "server_ca": server_ca,
        "server": _tls_server(keys["server"], tls_issuer, leaf_validity),
        "rp": _tls_client(keys["rp"], tls_issuer, leaf_validity),
    }
    return certs, keys


def _assemble(
    directory: Path, certs: dict[str, x509.Certificate], keys: dict[str, rsa.RSAPrivateKey]
) -> TestPKI:
    return TestPKI(
        directory=directory,
        root_cert=certs["root"], root_key=keys["root"],
        bank_ca_cert=certs["bank_ca"], bank_ca_key=keys["bank_ca"],
        customer_ca_cert=certs["customer_ca"], customer_ca_key=keys["customer_ca"],
        ocsp_cert=certs["ocsp"], ocsp_key=keys["ocsp"],
        server_ca_cert=certs["server_ca"], server_ca_key=keys["server_ca"],
        server_cert=certs["server"], server_key=keys["server"],
        rp_cert=certs["rp"], rp_key=keys["rp"],
    )  # fmt: skip


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _name(common_name: str, *, org: str = SIMULATOR_BANK, unit: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


# The signature roots mirror BankID's (OU "BankID Member Banks CA" vs "Infrastructure CA"),
# and every name says SIMULATED so nobody mistakes them for the real thing.
_ROOT_SUBJECT = _name(ROOT_NAME, org=ROOT_ORG, unit="BankID Member Banks CA")
_BANK_SUBJECT = _name("Simulated Bank CA v1 for BankID Simulator")
_CUSTOMER_SUBJECT = _name("Simulated Bank Customer CA1 v1 for BankID Simulator")
_SSL_ROOT_SUBJECT = _name(SSL_ROOT_NAME, org=ROOT_ORG, unit="Infrastructure CA")

_Issuer = tuple[x509.Certificate, rsa.RSAPrivateKey]
_Validity = tuple[datetime, datetime]


def _builder(
    subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Certificate | None, validity: _Validity
) -> x509.CertificateBuilder:
    """Return a builder with the fields and key identifiers every certificate here has."""
    public_key = key.public_key()
    if issuer is None:  # self-signed: the authority key is the subject's own
        issuer_name = subject
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key)
    else:
        issuer_name = issuer.subject
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(aki, critical=False)
    )


def _ca(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: _Issuer | None,
    validity: _Validity,
    *,
    path_length: int,
) -> x509.Certificate:
    issuer_cert, signing_key = issuer if issuer else (None, key)
    builder = (
        _builder(subject, key, issuer_cert, validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
    )
    if issuer_cert is not None:  # BankID's CAs below the root carry the policy too
        builder = builder.add_extension(_policies(), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _end_entity(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: _Issuer,
    validity: _Validity,
    *,
    usage: x509.KeyUsage,
    purposes: list[x509.ObjectIdentifier],
) -> x509.CertificateBuilder:
    return (
        _builder(subject, key, issuer[0], validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage(purposes), critical=False)
    )


def _ocsp_responder(
    key: rsa.RSAPrivateKey, issuer: _Issuer, validity: _Validity
) -> x509.Certificate:
    subject = _name("Simulated Bank Customer CA1 v1 OCSP Responder")
    usage = _key_usage(digital_signature=True)
    builder = _end_entity(
        subject, key, issuer, validity, usage=usage, purposes=[ExtendedKeyUsageOID.OCSP_SIGNING]
    )
    # RFC 6960 4.2.2.2.1: clients need not check the responder's own revocation.
    return builder.add_extension(x509.OCSPNoCheck(), critical=False).sign(
        issuer[1], hashes.SHA256()
    )


def _tls_server(key: rsa.RSAPrivateKey, issuer: _Issuer, validity: _Validity) -> x509.Certificate:
    usage = _key_usage(digital_signature=True, key_encipherment=True)
    subject = _name("localhost", org=ROOT_ORG)
    builder = _end_entity(
        subject, key, issuer, validity, usage=usage, purposes=[ExtendedKeyUsageOID.SERVER_AUTH]
    )
    names = [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
    san = x509.SubjectAlternativeName(names)
    return builder.add_extension(san, critical=False).sign(issuer[1], hashes.SHA256())


def _tls_client(key: rsa.RSAPrivateKey, issuer: _Issuer, validity: _Validity) -> x509.Certificate:
    # Shaped like a BankID RP certificate: the app shows the "name" attribute.
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "e-faktura demo RP"),
            x509.NameAttribute(_NAME_OID, "e-faktura demo"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, RP_ORG_NUMBER),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "e-faktura demo AB"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        ]
    )
    usage = _key_usage(digital_signature=True, key_encipherment=True)
    builder = _end_entity(
        subject, key, issuer, validity, usage=usage, purposes=[ExtendedKeyUsageOID.CLIENT_AUTH]
    )
    return builder.sign(issuer[1], hashes.SHA256())


def _key_usage(
    *,
    digital_signature: bool = False,
    key_encipherment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _policies() -> x509.CertificatePolicies:
    return x509.CertificatePolicies([x509.PolicyInformation(BANKID_TEST_POLICY, None)])


def _ocsp_access() -> x509.AuthorityInformationAccess:
    location = x509.UniformResourceIdentifier(OCSP_URL)
    return x509.AuthorityInformationAccess(
        [x509.AccessDescription(AuthorityInformationAccessOID.OCSP, location)]
    )


# --- storage --------------------------------------------------------------------------


def _cert_path(directory: Path, part: str) -> Path:
    return directory / f"{part.replace('_', '-')}.pem"


def _key_path(directory: Path, part: str) -> Path:
    return directory / f"{part.replace('_', '-')}-key.pem"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load(directory: Path) -> TestPKI | None:
    """Return the stored PKI, or None when any part is missing, unreadable or expiring."""
    certs: dict[str, x509.Certificate] = {}
    keys: dict[str, rsa.RSAPrivateKey] = {}
    for part in _PARTS:
        try:
            cert = x509.load_pem_x509_certificate(_cert_path(directory, part).read_bytes())
            # Our own files: skip the RSA consistency check, which costs ~40 ms a key.
            key = serialization.load_pem_private_key(
                _key_path(directory, part).read_bytes(),
                password=None,
                unsafe_skip_rsa_key_validation=True,
            )
        except (OSError, ValueError):
            return None
        if not isinstance(key, rsa.RSAPrivateKey) or not _still_valid(cert):
            return None
        certs[part], keys[part] = cert, key
    return _assemble(directory, certs, keys)


def _still_valid(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - datetime.now(UTC) > MIN_REMAINING


def _write(
    directory: Path, certs: dict[str, x509.Certificate], keys: dict[str, rsa.RSAPrivateKey]
) -> None:
    for part in _PARTS:
        key_pem = keys[part].private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_atomically(_key_path(directory, part), key_pem, mode=0o600)
        cert_pem = certs[part].public_bytes(serialization.Encoding.PEM)
        _write_atomically(_cert_path(directory, part), cert_pem, mode=0o644)


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    # A reader never sees half a file: write beside it, then rename over it.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)  # the umask may have narrowed or widened it
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
