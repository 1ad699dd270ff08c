"""Attachment names: a safe, readable file name from whatever a mail client sent, and the MIME
type a name suggests (for files that arrive without one, e.g. from winmail.dat)."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from addin.mail.mail_message import DOCX_TYPE

NAME_MAX_CHARS = 180

#: The extension a nameless attachment gets from its MIME type, and the type a name suggests.
EXTENSIONS = {
    DOCX_TYPE: ".docx",
    "application/msword": ".doc",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/vnd.oasis.opendocument.text": ".odt",
    "message/rfc822": ".eml",
    "text/plain": ".txt",
    "text/html": ".html",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
    "application/pgp-signature": ".asc",
}


def guess_type(name: str) -> str:
    """The MIME type a file name's extension suggests, else "application/octet-stream"."""
    suffix = Path(name).suffix.lower()
    for ctype, ext in EXTENSIONS.items():
        if ext == suffix:
            return ctype
    return "application/octet-stream"


def sanitise_filename(name: str, content_type: str = "application/octet-stream", index: int = 0) -> str:
    """A safe, readable file name from whatever a mail client sent.

    Keeps only the last path component (no "../" traversal, no folders), turns control
    characters (a newline in a name) into spaces, drops characters Windows forbids, strips
    leading dots, and shortens very long names keeping the extension. A missing name becomes
    "attachment-<n>" with the extension of the MIME type.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    text = re.split(r"[\\/]", text)[-1]
    text = re.sub(r'[<>:"|?*]', "_", text)
    text = re.sub(r"\s+", " ", text).strip().lstrip(".").strip()
    if not text:
        return f"attachment-{index + 1}{EXTENSIONS.get(content_type, '')}"
    if len(text) > NAME_MAX_CHARS:
        stem, dot, ext = text.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 6 else ""
        text = text[: NAME_MAX_CHARS - len(ext)].rstrip() + ext
    return text
