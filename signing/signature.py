"""Build signatures and OCSP responses in BankID's signature profile (pure).

The simulator signs with these, and tests build tampered variants with them. The
layout follows a real BankID test signature byte for byte: an enveloping XMLDSig whose
two references (bankIdSignedData and KeyInfo) use inclusive C14N 1.0 and SHA-256.
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from typing import Literal
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
BANKID_NS = "http://www.bankid.com/signature/v1.0.0/types"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
CLIENT_VERSION = "7.14.0.1"


def build_signature(
    *,
    user_cert: x509.Certificate,
    user_key: rsa.RSAPrivateKey,
    chain: list[x509.Certificate],
    func_id: str,
    user_visible_data: str,
    user_non_visible_data: str | None,
    rp_name: str,
    rp_display_name: str,
    uhi: str,
    nonce: bytes | None = None,
) -> str:
    """Return base64 of a BankID-profile XML signature, as in completionData.signature.

    chain is the customer CA then the bank CA (BankID never includes the root); the
    user data strings are the base64 exactly as the RP sent them.
    """
    signed_data = _signed_data(
        func_id=func_id,
        user_visible_data=user_visible_data,
        user_non_visible_data=user_non_visible_data,
        rp_name=rp_name,
        rp_display_name=rp_display_name,
        uhi=uhi,
        nonce=os.urandom(20) if nonce is None else nonce,
    )
    key_info = _key_info([user_cert, *chain])
    signed_info = _signed_info(signed_data, key_info)
    signature_value = user_key.sign(signed_info.encode(), padding.PKCS1v15(), hashes.SHA256())
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        f'<Signature xmlns="{DSIG_NS}">{signed_info}'
        f"<SignatureValue>{_b64(signature_value)}</SignatureValue>"
        f"{key_info}<Object>{signed_data}</Object></Signature>"
    )
    return _b64(document.encode())


def build_ocsp_response(
    *,
    user_cert: x509.Certificate,
    issuer_cert: x509.Certificate,
    responder_cert: x509.Certificate,
    responder_key: rsa.RSAPrivateKey,
    signature_b64: str,
    produced_at: datetime | None = None,
    status: Literal["good", "revoked"] = "good",
    nonce: bytes | None = None,
) -> str:
    """Return base64 DER of an OCSP response for user_cert, its nonce bound to the signature.

    The default nonce is BankID's: SHA-1 of the signature's base64 text, then 12 random bytes.
    """
    if produced_at is not None and produced_at.tzinfo is None:
        produced_at = produced_at.replace(tzinfo=UTC)  # naive means UTC, as in cryptography
    moment = produced_at or datetime.now(UTC)
    if nonce is None:
        nonce = signature_nonce_prefix(signature_b64) + os.urandom(12)
    revoked = status == "revoked"
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=user_cert,
            issuer=issuer_cert,
            # SHA-1 CertIDs: the lightweight OCSP profile (RFC 5019) every client accepts.
            algorithm=hashes.SHA1(),  # noqa: S303
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=moment,
            next_update=None,
            revocation_time=moment - timedelta(hours=1) if revoked else None,
            revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder_cert)
        .certificates([responder_cert])
        .add_extension(x509.OCSPNonce(nonce), critical=False)
    )
    response = builder.sign(responder_key, hashes.SHA256())
    der = response.public_bytes(serialization.Encoding.DER)
    if produced_at is not None:
        der = _restamp_produced_at(response, der, produced_at, responder_key)
    return _b64(der)


def signature_nonce_prefix(signature_b64: str) -> bytes:
    """Return the 20 bytes an OCSP nonce must start with: SHA-1 of the signature text."""
    digest = hashes.Hash(hashes.SHA1())  # noqa: S303 - fixed by BankID's profile
    digest.update(signature_b64.encode())
    return digest.finalize()


# --- the pieces, each already in canonical form (explicit end tags, no whitespace) ------


def _signed_data(
    *,
    func_id: str,
    user_visible_data: str,
    user_non_visible_data: str | None,
    rp_name: str,
    rp_display_name: str,
    uhi: str,
    nonce: bytes,
) -> str:
    non_visible = (
        ""
        if user_non_visible_data is None
        else f"<usrNonVisibleData>{escape(user_non_visible_data)}</usrNonVisibleData>"
    )
    return (
        f'<bankIdSignedData xmlns="{BANKID_NS}" Id="bidSignedData">'
        f'<usrVisibleData charset="UTF-8" visible="wysiwys">{escape(user_visible_data)}'
        f"</usrVisibleData>{non_visible}"
        f"<srvInfo><name>{_b64(rp_name.encode())}</name><nonce>{_b64(nonce)}</nonce>"
        f"<displayName>{_b64(rp_display_name.encode())}</displayName></srvInfo>"
        f"<clientInfo><funcId>{escape(func_id)}</funcId>"
        f"<version>{_b64(_client_version(uhi).encode())}</version>{_environment(uhi)}"
        "</clientInfo></bankIdSignedData>"
    )


def _client_version(uhi: str) -> str:
    # Same shape as the real app's version string, which carries the device's uhi too.
    return (
        f"Personal={CLIENT_VERSION}&BankID_exe={CLIENT_VERSION}&BISP={CLIENT_VERSION}"
        f"&platform=simulator&os_version=1.0&display_version=&uhi={uhi}&legacyuhi={uhi}&"
    )


def _environment(uhi: str) -> str:
    return (
        f"<env><ai><type>{_b64(b'SIMULATOR')}</type><deviceInfo>{_b64(b'1.0')}</deviceInfo>"
        f"<uhi>{escape(uhi)}</uhi><fsib>0</fsib><utb>cs1</utb>"
        "<requirement><condition><type>CertificatePolicies</type><value>1.2.3.4.5</value>"
        "</condition></requirement><uauth>pw</uauth></ai></env>"
    )


def _key_info(certificates: list[x509.Certificate]) -> str:
    # The namespace is redeclared here, as BankID does, so the element is canonical alone.
    items = "".join(
        f"<X509Certificate>{_b64(cert.public_bytes(serialization.Encoding.DER))}</X509Certificate>"
        for cert in certificates
    )
    return f'<KeyInfo xmlns="{DSIG_NS}" Id="bidKeyInfo"><X509Data>{items}</X509Data></KeyInfo>'


def _signed_info(signed_data: str, key_info: str) -> str:
    return (
        f'<SignedInfo xmlns="{DSIG_NS}">'
        f'<CanonicalizationMethod Algorithm="{C14N}"></CanonicalizationMethod>'
        f'<SignatureMethod Algorithm="{RSA_SHA256}"></SignatureMethod>'
        f"{_reference('#bidSignedData', signed_data, type_=BANKID_NS)}"
        f"{_reference('#bidKeyInfo', key_info)}"
        "</SignedInfo>"
    )


def _reference(uri: str, canonical: str, *, type_: str | None = None) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(canonical.encode())
    type_attribute = f' Type="{type_}"' if type_ else ""
    return (
        f'<Reference{type_attribute} URI="{uri}">'
        f'<Transforms><Transform Algorithm="{C14N}"></Transform></Transforms>'
        f'<DigestMethod Algorithm="{SHA256}"></DigestMethod>'
        f"<DigestValue>{_b64(digest.finalize())}</DigestValue></Reference>"
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _restamp_produced_at(
    response: ocsp.OCSPResponse, der: bytes, produced_at: datetime, key: rsa.RSAPrivateKey
) -> bytes:
    """Return der with producedAt set to produced_at and the response re-signed.

    cryptography always stamps producedAt with the wall clock; the simulator runs on a
    controllable clock. GeneralizedTime and an RSA signature have fixed lengths, so the
    bytes can be swapped in place without re-encoding any ASN.1 lengths.
    """
    old_time = _generalized_time(response.produced_at_utc)
    new_time = _generalized_time(produced_at)
    if old_time == new_time:
        return der
    tbs = response.tbs_response_bytes
    if old_time not in tbs or der.count(tbs) != 1 or der.count(response.signature) != 1:
        raise ValueError("cannot locate producedAt in the OCSP response")
    # producedAt is the first time in ResponseData (after version and responderID).
    new_tbs = tbs.replace(old_time, new_time, 1)
    new_signature = key.sign(new_tbs, padding.PKCS1v15(), hashes.SHA256())
    restamped = der.replace(tbs, new_tbs).replace(response.signature, new_signature)
    ocsp.load_der_ocsp_response(restamped)  # fail here, not in the verifier, if it broke
    return restamped


def _generalized_time(moment: datetime) -> bytes:
    # DER GeneralizedTime: tag 0x18, length 15, YYYYMMDDHHMMSSZ.
    return b"\x18\x0f" + moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ").encode()
