"""How the app reads an animated QR frame: parse it, check its HMAC and its age.

Written independently of signing/qr.py so that a bug in the portal's QR code is
caught here instead of being mirrored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from signing.simulator.errors import AppError

PAYLOAD = re.compile(r"bankid\.([0-9a-fA-F-]{36})\.(0|[1-9][0-9]{0,6})\.([0-9a-f]{64})")


@dataclass(frozen=True)
class QrFrame:
    """One scanned frame: which order, which second, and the code claimed for it."""

    qr_start_token: str
    qr_time: int
    auth_code: str


def parse_frame(payload: str) -> QrFrame:
    """Parse "bankid.<qrStartToken>.<qrTime>.<qrAuthCode>"; reject anything else."""
    match = PAYLOAD.fullmatch(payload.strip())
    if match is None:
        raise AppError("This is not a BankID QR code (bankid.<token>.<time>.<code>).")
    return QrFrame(match[1].lower(), int(match[2]), match[3])


def check_frame(frame: QrFrame, *, qr_start_secret: str, seconds: float, tolerance: int) -> None:
    """Accept the frame only if its code is right and it is the current second's frame."""
    expected = hmac.new(
        qr_start_secret.encode("ascii"), str(frame.qr_time).encode("ascii"), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, frame.auth_code):
        raise AppError("The QR code is invalid (its code does not match the order).")
    # The RP counts seconds from when it received the start response, a moment
    # after the order was created here, so its frame may trail ours slightly.
    if abs(frame.qr_time - int(seconds)) > tolerance:
        raise AppError("The QR code is too old. Scan the code that is shown now.")
