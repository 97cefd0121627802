"""A re-verification's outcome in words a reviewer can act on (signing.verify's reason codes)."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from signing.models import SignatureEvidence

REASONS: dict[str, StrOrPromise] = {
    "malformed": gettext_lazy("the stored signature is not a readable BankID signature"),
    "signature_invalid": gettext_lazy("the signature does not match the signed content"),
    "untrusted_chain": gettext_lazy("the certificate chain does not lead to a trusted BankID root"),
    "certificate_expired": gettext_lazy("the certificate had expired when it signed"),
    "certificate_not_yet_valid": gettext_lazy("the certificate was not yet valid when it signed"),
    "func_id_mismatch": gettext_lazy("it is not a signature (BankID funcId)"),
    "visible_data_mismatch": gettext_lazy("the signed text differs from what was shown"),
    "non_visible_data_mismatch": gettext_lazy(
        "the signed digest differs from the confirmed details"
    ),
    "personal_number_mismatch": gettext_lazy(
        "the certificate belongs to another person than the completion data names"
    ),
    "ocsp_missing": gettext_lazy("there is no OCSP response"),
    "ocsp_invalid": gettext_lazy("the OCSP response is not authentic"),
    "ocsp_wrong_certificate": gettext_lazy("the OCSP response is about another certificate"),
    "ocsp_not_good": gettext_lazy("the OCSP response says the certificate was not good"),
    "ocsp_nonce_mismatch": gettext_lazy("the OCSP response is not bound to this signature"),
    "no_trusted_roots": gettext_lazy("no BankID root is trusted in this installation"),
}


def verdict_text(*, valid: bool, reason: str, evidence: SignatureEvidence) -> str:
    """Return one sentence: who signed when, and whether the signature holds now."""
    signed = {
        "signer": evidence.signer_name,
        "number": evidence.personal_number_masked,
        "time": date_format(localtime(evidence.signed_at), "DATETIME_FORMAT"),
    }
    if valid:
        return (
            _(
                "Verified again now: the signature by %(signer)s (%(number)s) at %(time)s, its "
                "certificate chain and its OCSP response are valid."
            )
            % signed
        )
    return _(
        "Not valid: the signature by %(signer)s (%(number)s) at %(time)s failed verification: "
        "%(reason)s."
    ) % {**signed, "reason": REASONS.get(reason, reason)}
