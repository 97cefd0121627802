"""BankID's animated QR code: the frame payload for a given second and its SVG rendering."""

from __future__ import annotations

import hashlib
import hmac

import qrcode
from qrcode.image.svg import SvgPathFillImage


def qr_payload(qr_start_token: str, qr_start_secret: str, seconds: int) -> str:
    """Return the QR payload for the frame `seconds` after the order was started."""
    # The HMAC key is the secret string's own ASCII bytes, not a decoded UUID or hex value.
    qr_time = str(seconds)
    code = hmac.new(
        qr_start_secret.encode("ascii"), qr_time.encode("ascii"), hashlib.sha256
    ).hexdigest()
    return f"bankid.{qr_start_token}.{qr_time}.{code}"


def qr_svg(payload: str) -> str:
    """Render a payload as a self-contained SVG QR code."""
    # A white background and the standard 4-module quiet zone keep it scannable on dark pages.
    code = qrcode.QRCode(border=4, image_factory=SvgPathFillImage)
    code.add_data(payload)
    code.make(fit=True)
    markup: str = code.make_image().to_string(encoding="unicode")
    return markup
