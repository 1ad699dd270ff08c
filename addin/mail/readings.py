"""From what a walk over a message found to a ``MailMessage``: which attachments are the
documents, which senders are tried first, and the reading a secretariat officer can forward.

The readings are short sentences a secretariat officer can forward to a delegation unchanged.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from addin.mail.mail_message import Attachment, Found, MailMessage, Sender
from addin.mail.zips import is_word_document, open_zips

NO_DOCUMENT = "no Word document attached"
LEGACY_DOC = "legacy .doc: please send .docx"
PDF_ONLY = "PDF only: please send the Word file"
ODT_ONLY = "OpenDocument (.odt) only: please send the Word file (.docx)"
SEVERAL_DOCUMENTS = "several Word documents attached: each is kept as a separate submission; check which one is the markup"
ENCRYPTED = "encrypted message: please send it without encryption"


def assemble(
    filename: str, fmt: str, message_id: str | None, date: datetime | None, subject: str,
    senders: list[Sender], found: Found,
) -> MailMessage:
    """The message: its documents (the sender's own, else the forwarded original's), its senders
    in the order to try them, and its reading."""
    files = open_zips(found.attachments, found.notes)
    outer_docs = [a for a in files if is_word_document(a) and not a.inner]
    inner_docs = [a for a in files if is_word_document(a) and a.inner]
    documents = distinct(outer_docs or inner_docs, found.notes)
    from_forwarded = bool(inner_docs) and not outer_docs
    if outer_docs and inner_docs:
        found.notes.append("the forwarded message's Word documents were left aside: the sender attached their own")
    if from_forwarded:
        # A colleague forwarded the delegation's mail: the delegation is the original's sender.
        found.notes.append("the Word document comes from the forwarded message")
        ordered = found.forwarded_senders + senders
    else:
        ordered = senders + found.forwarded_senders
    others = [a for a in files if not any(a is d for d in documents)]
    return MailMessage(
        file=filename, format=fmt, message_id=message_id, date=date, subject=subject,
        senders=unique(ordered), documents=tuple(documents), attachments=tuple(others),
        forwarded=tuple(found.forwarded), reading=reading_for(documents, others, found.encrypted),
        notes=tuple(found.notes),
    )


def distinct(documents: list[Attachment], notes: list[str]) -> list[Attachment]:
    """The documents without byte-identical copies (the same file attached and zipped, or attached
    twice): one file is one submission."""
    seen: dict[str, str] = {}
    kept = []
    for document in documents:
        digest = hashlib.sha256(document.data).hexdigest()
        if digest in seen:
            notes.append(f"{document.name} is the same file as {seen[digest]}: counted once")
            continue
        seen[digest] = document.name
        kept.append(document)
    return kept


def reading_for(documents: list[Attachment], others: list[Attachment], encrypted: bool) -> str | None:
    """None for exactly one document; else the sentence saying what is wrong with the message."""
    if len(documents) == 1:
        return None
    if len(documents) > 1:
        return SEVERAL_DOCUMENTS
    if encrypted:
        return ENCRYPTED
    extensions = {a.extension for a in others}
    types = {a.content_type for a in others}
    if ".doc" in extensions or "application/msword" in types:
        return LEGACY_DOC
    if ".pdf" in extensions or "application/pdf" in types:
        return PDF_ONLY
    if ".odt" in extensions or "application/vnd.oasis.opendocument.text" in types:
        return ODT_ONLY
    return NO_DOCUMENT


def unique(senders: list[Sender]) -> tuple[Sender, ...]:
    """The senders without repeated addresses (compared without case), first one kept."""
    seen: set[str] = set()
    kept = []
    for sender in senders:
        key = sender.address.lower()
        if key not in seen:
            seen.add(key)
            kept.append(sender)
    return tuple(kept)
