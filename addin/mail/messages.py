"""A submission message: the .docx documents a delegation mailed, who sent them, and a reading.

Pure functions, no Flask, no network. ``read_message`` takes the bytes of one message — an RFC
5322 ``.eml`` (any encoding, nested multipart, forwarded ``message/rfc822``, S/MIME signed, TNEF
``winmail.dat``), an Outlook ``.msg`` or a bare ``winmail.dat`` — and returns a ``MailMessage``;
``read_mailbox`` does the same for each message of an mbox file or a maildir folder.

Decisions a secretariat officer should know about:

* The documents are the ``.docx`` attachments (found by name, MIME type or content). A zip of
  documents is opened (safely: size- and count-limited, no paths kept) and its ``.docx`` taken.
* A forwarded message (the original attached as ``message/rfc822`` or an embedded ``.msg``) gives
  its documents when the outer message carries none, and its sender is then tried first: when a
  colleague forwards a delegation's mail, the delegation is the original's sender.
* Several ``.docx`` in one message are all kept, each as its own submission, with a reading that
  asks a human to check which one is the delegation's markup: dropping any would lose a file.
  (Intake stores the first under the message's identity and each further one as "<id>#2"...)
  Byte-identical copies (the same file attached and zipped) count once.
* S/MIME signed mail gives the signed content's attachments (the signature itself is not
  checked: the registry, not a certificate, says which delegation an address belongs to);
  encrypted mail gets a reading asking for plain mail.
* A message with no usable document gets a ``reading`` the officer can forward as it is.
"""

from __future__ import annotations

# This module is the public face of the message reader; each concept lives in its own module:
# mail_message (values), names (attachment names), zips (documents and zips of documents),
# readings (documents, sender order and reading), mime (.eml), outlook (.msg), tnef
# (winmail.dat), reader (read_message), mailbox_files (mbox, maildir, paths), envelope.
from addin.mail.envelope import Envelope, delegation_for, envelope
from addin.mail.mail_message import DOCX_TYPE, MAX_DEPTH, Attachment, MailMessage, MessageError, Sender
from addin.mail.mailbox_files import (
    MESSAGE_SUFFIXES, documents_from_path, is_maildir, is_message_path, looks_like_mbox, messages_from_path,
    read_mailbox,
)
from addin.mail.names import NAME_MAX_CHARS, sanitise_filename
from addin.mail.reader import read_message
from addin.mail.readings import ENCRYPTED, LEGACY_DOC, NO_DOCUMENT, ODT_ONLY, PDF_ONLY, SEVERAL_DOCUMENTS
from addin.mail.zips import ZIP_MAX_MEMBER_SIZE, ZIP_MAX_MEMBERS, ZIP_MAX_TOTAL_SIZE, is_word_document

__all__ = [
    "DOCX_TYPE", "ENCRYPTED", "LEGACY_DOC", "MAX_DEPTH", "MESSAGE_SUFFIXES", "NAME_MAX_CHARS", "NO_DOCUMENT",
    "ODT_ONLY", "PDF_ONLY", "SEVERAL_DOCUMENTS", "ZIP_MAX_MEMBERS", "ZIP_MAX_MEMBER_SIZE", "ZIP_MAX_TOTAL_SIZE",
    "Attachment", "Envelope", "MailMessage", "MessageError", "Sender", "delegation_for", "documents_from_path",
    "envelope", "is_maildir", "is_message_path", "is_word_document", "looks_like_mbox", "messages_from_path",
    "read_mailbox", "read_message", "sanitise_filename",
]
