"""Email intake: reading submission messages, polling the submissions mailbox, sending receipts.

``addin.mail.messages`` reads .eml/.msg/mbox/maildir (pure; the public face of mail_message,
names, zips, readings, mime, outlook, tnef, reader, mailbox_files and envelope);
``addin.mail.mailbox`` polls IMAP; ``addin.mail.delivery`` stores through ``addin.intake`` and
keeps the receipt each message is owed until it is sent; ``addin.mail.receipts`` writes and sends
receipts over SMTP.
"""
from __future__ import annotations

from addin.mail.messages import (
    Attachment,
    MailMessage,
    MessageError,
    Sender,
    documents_from_path,
    is_message_path,
    messages_from_path,
    read_mailbox,
    read_message,
)

__all__ = [
    "Attachment", "MailMessage", "MessageError", "Sender", "documents_from_path", "is_message_path",
    "messages_from_path", "read_mailbox", "read_message",
]
