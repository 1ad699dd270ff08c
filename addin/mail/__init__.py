"""Email intake: reading submission messages, polling the submissions mailbox, sending receipts.

``addin.mail.messages`` reads .eml/.msg/mbox/maildir (pure); ``addin.mail.mailbox`` polls IMAP and
stores through ``addin.intake``; ``addin.mail.receipts`` writes and sends receipts over SMTP.
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
