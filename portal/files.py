"""What an uploaded file really is, judged by its first bytes rather than its name."""

from __future__ import annotations

_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_mime_type(content: bytes) -> str | None:
    """Return the MIME type of a PDF, PNG or JPEG, or None for anything else."""
    for signature, mime_type in _SIGNATURES.items():
        if content.startswith(signature):
            return mime_type
    return None
