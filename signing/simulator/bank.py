"""The simulated bank: user certificates, BankID-profile signatures and OCSP responses."""

from __future__ import annotations

import base64
import hashlib
import threading
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from signing.pki import TestPKI, issue_user_certificate
from signing.signature import build_ocsp_response, build_signature
from signing.simulator.orders import Order, RpIdentity
from signing.simulator.persons import Person

NAME_ATTRIBUTE = x509.ObjectIdentifier("2.5.4.41")
# srvInfo/name is the RP certificate's subject DN; over plain HTTP there is no certificate.
PLAIN_HTTP_RP = RpIdentity(
    name="cn=BankID simulator RP without client certificate,o=Simulated RP AB,c=SE",
    display_name="e-faktura (simulator)",
)
# BankID writes DNs with lower-case short names, e.g. "cn=FP Testcert 5,name=Test av BankID,…".
_DN_NAMES = {
    NameOID.COMMON_NAME: "cn",
    NAME_ATTRIBUTE: "name",
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.ORGANIZATION_NAME: "o",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "ou",
    NameOID.COUNTRY_NAME: "c",
    NameOID.GIVEN_NAME: "givenName",
    NameOID.SURNAME: "sn",
}

_Credentials = tuple[x509.Certificate, rsa.RSAPrivateKey]


def rp_identity(certificate: x509.Certificate | None) -> RpIdentity:
    """Name the RP after its client certificate, as BankID does in srvInfo."""
    if certificate is None:
        return PLAIN_HTTP_RP
    subject = certificate.subject
    display = next(
        (
            str(attribute.value)
            for oid in (NAME_ATTRIBUTE, NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME)
            for attribute in subject.get_attributes_for_oid(oid)
        ),
        PLAIN_HTTP_RP.display_name,
    )
    return RpIdentity(subject.rfc4514_string(_DN_NAMES), display)


def device_uhi(personal_number: str) -> str:
    """Return a stable unique-hardware-identifier lookalike for this person's "phone"."""
    digest = hashlib.sha1(f"simulated device of {personal_number}".encode()).digest()  # noqa: S324
    return base64.b64encode(digest).decode("ascii")


class SimulatedBank:
    """Issues each test person one certificate and signs on their behalf."""

    def __init__(self, pki: TestPKI) -> None:
        self.pki = pki
        self._credentials: dict[tuple[str, str, str], _Credentials] = {}
        self._lock = threading.Lock()

    def root_pem(self) -> bytes:
        return self.pki.root_pem.read_bytes()

    def credentials(self, person: Person) -> _Credentials:
        """Return the person's certificate and key, issued on first use."""
        # One certificate per person keeps bankIdIssueDate stable across orders.
        holder = (person.personal_number, person.given_name, person.surname)
        with self._lock:
            found = self._credentials.get(holder)
            if found is None:
                found = issue_user_certificate(
                    self.pki,
                    personal_number=person.personal_number,
                    given_name=person.given_name,
                    surname=person.surname,
                )
                self._credentials[holder] = found
            return found

    def completion_data(self, order: Order) -> dict[str, Any]:
        """Sign the order as its person and return BankID's completionData."""
        person = order.person
        if person is None:
            raise ValueError("the order has not been opened by anyone")
        cert, key = self.credentials(person)
        signature = build_signature(
            user_cert=cert,
            user_key=key,
            chain=self.pki.signing_chain,
            func_id=order.request.func_id,
            # /auth may come without a text; the signed data then carries an empty one.
            user_visible_data=order.request.user_visible_data or "",
            user_non_visible_data=order.request.user_non_visible_data,
            rp_name=order.rp.name,
            rp_display_name=order.rp.display_name,
            uhi=str(order.uhi),
        )
        # producedAt stays real time: the controllable clock only drives lifetimes.
        ocsp = build_ocsp_response(
            user_cert=cert,
            issuer_cert=self.pki.customer_ca_cert,
            responder_cert=self.pki.ocsp_cert,
            responder_key=self.pki.ocsp_key,
            signature_b64=signature,
        )
        return {
            "user": {
                "personalNumber": person.personal_number,
                "name": person.name,
                "givenName": person.given_name,
                "surname": person.surname,
            },
            "device": {"ipAddress": order.device_ip, "uhi": order.uhi},
            "bankIdIssueDate": cert.not_valid_before_utc.date().isoformat(),
            "stepUp": {"mrtd": order.request.mrtd},
            "signature": signature,
            "ocspResponse": ocsp,
        }
