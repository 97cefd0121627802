"""Verify a BankID signature and its OCSP response, trusting nothing but the pinned roots.

Pure: the caller passes the signature, the OCSP response, the trusted roots and what it
expects; the answer is a Verdict. The checks are those of DESIGN.md §4 step 4:
XMLDSig and chain (signxml), funcId, the user data, the personal number, then OCSP.

Reasons: ok, malformed, signature_invalid, untrusted_chain, certificate_expired,
certificate_not_yet_valid, func_id_mismatch, visible_data_mismatch,
non_visible_data_mismatch, personal_number_mismatch, ocsp_missing, ocsp_invalid,
ocsp_wrong_certificate, ocsp_not_good, ocsp_nonce_mismatch.
"""

from __future__ import annotations

import base64
import binascii
import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from lxml import etree
from signxml.exceptions import InvalidCertificate, InvalidInput, SignXMLException
from signxml.verifier import SignatureConfiguration, VerifyResult, XMLVerifier

from accounts.numbers import mask_personal_number
from signing.signature import BANKID_NS, DSIG_NS, signature_nonce_prefix

logger = logging.getLogger(__name__)

# A sign order carries at most 40 000 + 200 000 characters of user data; the rest of a
# BankID document is a few kilobytes. Anything far bigger is not BankID's.
MAX_SIGNATURE_CHARS = 1_000_000
MAX_OCSP_CHARS = 64_000

_SIGNED_DATA = f"{{{BANKID_NS}}}bankIdSignedData"
_KEY_INFO = f"{{{DSIG_NS}}}KeyInfo"


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying one signature: valid or the first reason it is not."""

    valid: bool
    reason: str
    func_id: str | None = None
    signer_name: str | None = None
    personal_number: str | None = None
    personal_number_masked: str | None = None
    signed_at: datetime | None = None
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        """Return the verdict as JSON-ready data, without the unmasked personal number."""
        return {
            "valid": self.valid,
            "reason": self.reason,
            "func_id": self.func_id,
            "signer_name": self.signer_name,
            "personal_number_masked": self.personal_number_masked,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
        }


def verify_bankid_signature(
    signature_b64: str,
    *,
    trusted_roots_pem: list[bytes],
    ocsp_response_b64: str | None,
    expected_func_id: str | None = None,
    expected_visible_data: str | None = None,
    expected_non_visible_data: str | None = None,
    expected_personal_number: str | None = None,
    at: datetime | None = None,
    require_ocsp: bool = True,
) -> Verdict:
    """Verify completionData.signature (and ocspResponse); expectations left None are skipped.

    The user data expectations are the base64 strings exactly as sent to BankID. `at` is
    the time the certificates must be valid at (default now). Raises ValueError only for
    unusable trusted roots: that is a configuration error, not a property of the signature.
    """
    roots = _load_roots(trusted_roots_pem)
    expected = _Expected(
        func_id=expected_func_id,
        visible=expected_visible_data,
        non_visible=expected_non_visible_data,
        personal_number=expected_personal_number,
    )
    try:
        return _verify(signature_b64, ocsp_response_b64, roots, expected, at, require_ocsp)
    except Exception as exc:
        # Fail closed: input odd enough to trip up a library is rejected, never trusted.
        logger.warning("BankID signature verification failed unexpectedly", exc_info=True)
        return Verdict(valid=False, reason="malformed", detail=f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class _Expected:
    func_id: str | None
    visible: str | None
    non_visible: str | None
    personal_number: str | None


def _verify(
    signature_b64: str,
    ocsp_b64: str | None,
    roots: list[x509.Certificate],
    expected: _Expected,
    at: datetime | None,
    require_ocsp: bool,
) -> Verdict:
    try:
        signed = _verify_xml(signature_b64, roots, at)
    except _Rejected as rejected:
        return Verdict(valid=False, reason=rejected.reason, detail=rejected.detail)
    try:
        _check_fields(signed, expected)
        signed_at = _check_ocsp_if_any(ocsp_b64, signature_b64, signed, require_ocsp)
    except _Rejected as rejected:
        return _verdict(signed, reason=rejected.reason, detail=rejected.detail)
    detail = "signature, chain and OCSP verified" if signed_at else "signature and chain verified"
    return _verdict(signed, reason="ok", detail=detail, signed_at=signed_at)


class _Rejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class _Signed:
    """What the signature provably covers: the signed data and the certificates."""

    data: etree._Element  # bankIdSignedData as canonicalised for its digest
    leaf: x509.Certificate
    issuer: x509.Certificate  # the leaf's issuing CA, from the signed KeyInfo


def _verdict(
    signed: _Signed, *, reason: str, detail: str, signed_at: datetime | None = None
) -> Verdict:
    personal_number = _subject_value(signed.leaf, NameOID.SERIAL_NUMBER)
    return Verdict(
        valid=reason == "ok",
        reason=reason,
        func_id=_text(signed.data, "clientInfo", "funcId"),
        signer_name=_signer_name(signed.leaf),
        personal_number=personal_number,
        personal_number_masked=mask_personal_number(personal_number) if personal_number else None,
        signed_at=signed_at,
        detail=detail,
    )


# --- XMLDSig and chain ----------------------------------------------------------------


def _load_roots(trusted_roots_pem: list[bytes]) -> list[x509.Certificate]:
    roots = [cert for pem in trusted_roots_pem for cert in x509.load_pem_x509_certificates(pem)]
    if not roots:
        # signxml would fall back to the public web CAs (certifi): never let it.
        raise ValueError("no trusted BankID signature roots given")
    return roots


def _verify_xml(signature_b64: str, roots: list[x509.Certificate], at: datetime | None) -> _Signed:
    document = _decode(signature_b64, limit=MAX_SIGNATURE_CHARS, what="signature")
    root = _parse(document)
    # BankID's KeyInfo is the Signature's own, and the one its second reference names.
    key_info = root.find(_KEY_INFO)
    if root.tag != f"{{{DSIG_NS}}}Signature" or key_info is None:
        raise _Rejected("malformed", "not an XMLDSig Signature document with KeyInfo")
    if key_info.get("Id") != "bidKeyInfo":
        raise _Rejected("malformed", "the signature's KeyInfo is not bidKeyInfo")
    try:
        results = _run_signxml(document, roots, at)
    except InvalidCertificate as exc:
        raise _chain_rejection(key_info, at, exc) from exc
    except InvalidInput as exc:  # before SignXMLException: it is one too
        raise _Rejected("malformed", str(exc)) from exc
    except (SignXMLException, CryptoInvalidSignature) as exc:
        raise _Rejected("signature_invalid", str(exc) or "signature does not verify") from exc
    except (etree.LxmlError, ValueError, x509.InvalidVersion) as exc:
        raise _Rejected("malformed", str(exc)) from exc
    return _signed_parts(results)


def _decode(value: str, *, limit: int, what: str) -> bytes:
    if len(value) > limit:
        raise _Rejected("malformed", f"{what} larger than {limit} characters")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Rejected("malformed", f"{what} is not base64: {exc}") from exc


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(document: bytes) -> etree._Element:
    try:
        root = etree.fromstring(document, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _Rejected("malformed", f"not well-formed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        # No DTD in a BankID signature, ever; a DOCTYPE is an entity attack or junk.
        raise _Rejected("malformed", "a DOCTYPE is not allowed")
    return root


def _run_signxml(
    document: bytes, roots: list[x509.Certificate], at: datetime | None
) -> list[VerifyResult]:
    config = SignatureConfiguration(expect_references=2, verification_time=_utc(at))
    verifier = XMLVerifier()
    # BankID redeclares the default namespace on SignedInfo and KeyInfo; libxml2 then
    # emits xmlns="" on their children when canonicalising a subtree (signxml issue #193).
    verifier.excise_empty_xmlns_declarations = True
    with tempfile.NamedTemporaryFile("wb", suffix=".pem") as ca_file:
        # signxml reads its trust anchors from a file only.
        ca_file.writelines(cert.public_bytes(serialization.Encoding.PEM) for cert in roots)
        ca_file.flush()
        results = verifier.verify(
            document, ca_pem_file=ca_file.name, parser=_parser(), expect_config=config
        )
    return results if isinstance(results, list) else [results]


def _signed_parts(results: list[VerifyResult]) -> _Signed:
    """Return the signed data and certificates, read only from what the digests cover."""
    by_tag = {r.signed_xml.tag: r.signed_xml for r in results if r.signed_xml is not None}
    data, key_info = by_tag.get(_SIGNED_DATA), by_tag.get(_KEY_INFO)
    if data is None or key_info is None:
        raise _Rejected(
            "signature_invalid", "the references do not cover bankIdSignedData and KeyInfo"
        )
    certs = [
        _certificate(element.text or "")
        for element in key_info.iter(f"{{{DSIG_NS}}}X509Certificate")
    ]
    used_key = serialization.load_pem_public_key(results[0].signature_key)
    leaf = next((c for c in certs if c.public_key() == used_key), None)
    if leaf is None:
        raise _Rejected("signature_invalid", "the signing certificate is not in the signed KeyInfo")
    issuer = next((c for c in certs if _issued(leaf, c)), None)
    if issuer is None:
        raise _Rejected("untrusted_chain", "the signed KeyInfo lacks the leaf's issuing CA")
    return _Signed(data=data, leaf=leaf, issuer=issuer)


def _certificate(text: str) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text))
    except (ValueError, x509.InvalidVersion) as exc:
        raise _Rejected("malformed", f"unreadable certificate in KeyInfo: {exc}") from exc


def _issued(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Return whether issuer's key signed cert (and the names chain)."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, CryptoInvalidSignature):
        return False
    return True


def _chain_rejection(key_info: etree._Element, at: datetime | None, exc: Exception) -> _Rejected:
    """Explain a chain failure: an expired certificate is worth naming as such."""
    moment = _utc(at) or datetime.now(UTC)
    for element in key_info.iter(f"{{{DSIG_NS}}}X509Certificate"):
        try:
            cert = x509.load_der_x509_certificate(base64.b64decode(element.text or ""))
            # The CN only: a full subject would leak the personal number into logs.
            subject = _subject_value(cert, NameOID.COMMON_NAME) or "a certificate"
        except (ValueError, TypeError, x509.InvalidVersion):  # a mangled one explains nothing
            continue
        if moment > cert.not_valid_after_utc:
            return _Rejected(
                "certificate_expired", f"{subject} expired {cert.not_valid_after_utc:%Y-%m-%d}"
            )
        if moment < cert.not_valid_before_utc:
            return _Rejected(
                "certificate_not_yet_valid",
                f"{subject} valid from {cert.not_valid_before_utc:%Y-%m-%d}",
            )
    return _Rejected("untrusted_chain", f"no chain to a trusted root: {exc}")


# --- business fields --------------------------------------------------------------------


def _check_fields(signed: _Signed, expected: _Expected) -> None:
    func_id = _text(signed.data, "clientInfo", "funcId")
    if expected.func_id is not None and func_id != expected.func_id:
        raise _Rejected("func_id_mismatch", f"funcId is {func_id!r}, expected {expected.func_id!r}")
    if expected.visible is not None and _text(signed.data, "usrVisibleData") != expected.visible:
        raise _Rejected("visible_data_mismatch", "usrVisibleData differs from what was sent")
    non_visible = _text(signed.data, "usrNonVisibleData")
    if expected.non_visible is not None and non_visible != expected.non_visible:
        raise _Rejected("non_visible_data_mismatch", "usrNonVisibleData differs from what was sent")
    personal_number = _subject_value(signed.leaf, NameOID.SERIAL_NUMBER)
    if expected.personal_number is not None and personal_number != expected.personal_number:
        raise _Rejected("personal_number_mismatch", "the certificate belongs to another person")


def _text(element: etree._Element, *path: str) -> str | None:
    found = element.find("/".join(f"{{{BANKID_NS}}}{step}" for step in path))
    return None if found is None else (found.text or "")


def _subject_value(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    attributes = cert.subject.get_attributes_for_oid(oid)
    if not attributes:
        return None
    value = attributes[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _signer_name(cert: x509.Certificate) -> str | None:
    common_name = _subject_value(cert, NameOID.COMMON_NAME)
    if common_name:
        return common_name
    parts = [_subject_value(cert, NameOID.GIVEN_NAME), _subject_value(cert, NameOID.SURNAME)]
    return " ".join(part for part in parts if part) or None


# --- OCSP -----------------------------------------------------------------------------------


def _check_ocsp_if_any(
    ocsp_b64: str | None, signature_b64: str, signed: _Signed, required: bool
) -> datetime | None:
    if ocsp_b64:
        return _check_ocsp(ocsp_b64, signature_b64, signed)
    if required:
        raise _Rejected("ocsp_missing", "no OCSP response for the signing certificate")
    return None


def _check_ocsp(ocsp_b64: str, signature_b64: str, signed: _Signed) -> datetime:
    """Return producedAt once the response is authentic, for this leaf, good and bound."""
    response = _load_ocsp(ocsp_b64)
    produced_at = response.produced_at_utc
    responder = _authorised_responder(response, signed.issuer, produced_at)
    _check_response_signature(response, responder)
    single = _single_response_for(response, signed.leaf, signed.issuer)
    if single.certificate_status != ocsp.OCSPCertStatus.GOOD:
        raise _Rejected("ocsp_not_good", f"certificate status is {single.certificate_status.name}")
    _check_nonce(response, signature_b64)
    leaf = signed.leaf
    if not leaf.not_valid_before_utc <= produced_at <= leaf.not_valid_after_utc:
        raise _Rejected("ocsp_invalid", "signed outside the certificate's validity")
    return produced_at


def _load_ocsp(ocsp_b64: str) -> ocsp.OCSPResponse:
    try:
        der = _decode(ocsp_b64, limit=MAX_OCSP_CHARS, what="OCSP response")
        response = ocsp.load_der_ocsp_response(der)
    except (_Rejected, ValueError) as exc:
        raise _Rejected("ocsp_invalid", f"unreadable OCSP response: {exc}") from exc
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise _Rejected("ocsp_invalid", f"OCSP response status {response.response_status.name}")
    return response


def _authorised_responder(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, produced_at: datetime
) -> x509.Certificate:
    """Return the certificate that signed the response, if the leaf's CA authorised it."""
    responder = next(
        (c for c in [*response.certificates, issuer] if _is_responder(response, c)), None
    )
    if responder is None:
        raise _Rejected("ocsp_invalid", "the responder's certificate is not in the response")
    if responder == issuer:  # the CA may answer for its own certificates (RFC 6960 4.2.2.2)
        return responder
    if not _issued(responder, issuer):
        raise _Rejected("ocsp_invalid", "the responder is not certified by the leaf's issuer")
    if not _has_ocsp_signing(responder):
        raise _Rejected("ocsp_invalid", "the responder certificate lacks OCSPSigning")
    if not responder.not_valid_before_utc <= produced_at <= responder.not_valid_after_utc:
        raise _Rejected("ocsp_invalid", "the responder certificate was not valid at producedAt")
    return responder


def _is_responder(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return cert.subject == response.responder_name
    # By key: SHA-1 of the public key bits, which is exactly what a SKI "method 1" is.
    key_id = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
    return response.responder_key_hash == key_id


def _has_ocsp_signing(cert: x509.Certificate) -> bool:
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usages


def _check_response_signature(response: ocsp.OCSPResponse, responder: x509.Certificate) -> None:
    key, algorithm = responder.public_key(), response.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(
                response.signature, response.tbs_response_bytes, padding.PKCS1v15(), algorithm
            )
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(algorithm))
        else:
            raise _Rejected("ocsp_invalid", "unsupported OCSP signature algorithm")
    except CryptoInvalidSignature as exc:
        raise _Rejected("ocsp_invalid", "the OCSP response signature does not verify") from exc


def _single_response_for(
    response: ocsp.OCSPResponse, leaf: x509.Certificate, issuer: x509.Certificate
) -> ocsp.OCSPSingleResponse:
    for single in response.responses:
        # A request built for (leaf, issuer) yields the CertID hashes to compare with.
        try:
            builder = ocsp.OCSPRequestBuilder().add_certificate(leaf, issuer, single.hash_algorithm)
        except ValueError as exc:  # a CertID hash cryptography does not offer
            raise _Rejected("ocsp_invalid", f"unsupported CertID hash: {exc}") from exc
        expected = builder.build()
        if (
            single.serial_number == expected.serial_number
            and single.issuer_name_hash == expected.issuer_name_hash
            and single.issuer_key_hash == expected.issuer_key_hash
        ):
            return single
    raise _Rejected("ocsp_wrong_certificate", "the OCSP response is about another certificate")


def _check_nonce(response: ocsp.OCSPResponse, signature_b64: str) -> None:
    try:
        nonce = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound as exc:
        raise _Rejected("ocsp_nonce_mismatch", "the OCSP response has no nonce") from exc
    if nonce[:20] != signature_nonce_prefix(signature_b64):
        raise _Rejected("ocsp_nonce_mismatch", "the OCSP nonce is not bound to this signature")


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
