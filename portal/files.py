"""What an uploaded file really is, judged by its first bytes rather than its name."""

from __future__ import annotations

import re
import unicodedata

_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
}
# Unicode categories dropped from names: controls (CR, LF, NUL), format characters (U+202E
# shows "a\u202efdp.exe" as "aexe.pdf"), unassigned, private, line and paragraph breaks.
_DROPPED = {"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"}
_RESERVED = re.compile(r'["*:<>?|]')


def sniff_mime_type(content: bytes) -> str | None:
    """Return the MIME type of a PDF, PNG or JPEG, or None for anything else."""
    for signature, mime_type in _SIGNATURES.items():
        if content.startswith(signature):
            return mime_type
    return None


def safe_filename(name: str, mime_type: str | None = None, *, max_length: int = 200) -> str:
    """Return a file name that is safe to store, show and offer for download.

    No folders (the last part of a path only), no control or format characters, no quotes
    or characters other systems reserve, and no leading dots. With the sniffed `mime_type`,
    the name ends in that type's extension, so a PDF named "faktura.exe" downloads as a PDF.
    """
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    name = "".join(char for char in name if unicodedata.category(char) not in _DROPPED)
    name = " ".join(_RESERVED.sub("_", name).split()).strip(" .")
    extensions = _EXTENSIONS.get(mime_type or "", ("",))
    kept = next((len(ext) for ext in extensions if ext and name.lower().endswith(ext)), 0)
    stem, suffix = (name[:-kept], name[-kept:]) if kept else (name, extensions[0])
    return (stem[: max_length - len(suffix)].rstrip(" .") or "bilaga") + suffix
