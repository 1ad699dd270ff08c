"""What Concord reads in one mail message: its senders, its attached files and its documents.

Values only (frozen dataclasses, no parsing): ``MailMessage`` is what ``read_message`` returns,
``Sender`` one address it came from, ``Attachment`` one attached file; ``Found`` is what a walk
over a message's parts collects before it is assembled into a ``MailMessage``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docxio.errors import DocxioError

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Forwarded messages inside forwarded messages are followed this deep, then kept unopened.
MAX_DEPTH = 5

# How each format starts: the format is found from the content, never trusted from the name.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"
ZIP_MAGIC = b"PK\x03\x04"


class MessageError(DocxioError):
    """A file that should be a mail message (.eml, .msg, mbox, maildir) cannot be read."""


@dataclass(frozen=True)
class Sender:
    """One address the message came from. ``role`` is "from", "sender", "reply-to" or
    "forwarded from" (the From of a forwarded original)."""

    role: str
    address: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    """One attached file. ``name`` is decoded and sanitised (a plain file name: no folders, no
    control characters); ``inner`` is True when it sits inside a forwarded message; ``container``
    names the zip or winmail.dat it was taken from ("" when attached directly)."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    inner: bool = False
    container: str = ""

    @property
    def extension(self) -> str:
        """The lower-case extension of the name, with its dot (".docx"), or ""."""
        suffix = Path(self.name).suffix.lower()
        return suffix if 1 < len(suffix) <= 6 else ""


@dataclass(frozen=True)
class MailMessage:
    """What Concord reads in one message.

    ``senders`` are the addresses in the order they are tried against the delegation registry.
    ``documents`` are the .docx files, each a submission; ``attachments`` everything else
    attached (images, PDFs, signatures...), ``forwarded`` the subjects of forwarded messages
    found inside. ``reading`` is None when there is exactly one document, else a sentence for a
    human. ``notes`` say what was done on the way ("taken from the zip Markup.zip").
    """

    file: str
    format: str
    message_id: str | None
    date: datetime | None
    subject: str
    senders: tuple[Sender, ...]
    documents: tuple[Attachment, ...]
    attachments: tuple[Attachment, ...] = ()
    forwarded: tuple[str, ...] = ()
    reading: str | None = None
    notes: tuple[str, ...] = ()
    sha256: str = ""

    @property
    def sender(self) -> str | None:
        """The first address to try for the delegation, or None when the message names none."""
        return self.senders[0].address if self.senders else None

    @property
    def identity(self) -> str:
        """What makes the message unique: its Message-ID, else the sha256 of its bytes."""
        return self.message_id or f"sha256:{self.sha256}"


@dataclass
class Found:
    """What a walk over one message (and the messages forwarded inside it) collected.

    Mutable on purpose: the MIME, Outlook and TNEF walkers recurse into each other and all add
    to the one collection, which ``readings.assemble`` then turns into a frozen ``MailMessage``.
    """

    attachments: list[Attachment] = field(default_factory=list)
    forwarded_senders: list[Sender] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encrypted: bool = False


def clean_text(text: str) -> str:
    """A header's text on one line: no NULs (the new Outlook ends strings with one), no folding."""
    return re.sub(r"\s+", " ", (text or "").replace("\x00", " ")).strip()


def clean_id(text: str) -> str | None:
    """A Message-ID on one line, or None when there is none."""
    text = clean_text(text)
    return text or None
