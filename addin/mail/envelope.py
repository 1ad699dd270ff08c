"""What must be known about a message before its bytes are stored, and which delegation sent it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from addin.mail.mail_message import MailMessage, MessageError, Sender
from addin.mail.reader import read_message


@dataclass(frozen=True)
class Envelope:
    """What must be known about a message before its bytes are stored: its identity (so the same
    message is stored once), its senders in order, subject and date; and the message itself when
    it could be read (``problem`` says why not)."""

    identity: str
    senders: tuple[Sender, ...] = ()
    subject: str | None = None
    date: datetime | None = None
    message: MailMessage | None = None
    problem: str | None = None

    def sender_for(self, registry: object | None = None) -> str | None:
        """The address to attribute the submission by: the first sender the registry knows, else
        the first sender; None when the message names no address."""
        if registry is not None:
            for sender in self.senders:
                if registry.delegation_for_email(sender.address):  # type: ignore[attr-defined]
                    return sender.address
        return self.senders[0].address if self.senders else None


def envelope(data: bytes, filename: str) -> Envelope:
    """The envelope of a message; never raises, so intake can store the bytes of an unreadable
    message too (its identity is then the sha256 of its bytes)."""
    try:
        message = read_message(data, filename)
    except MessageError as exc:
        return Envelope(identity=f"sha256:{hashlib.sha256(data).hexdigest()}", problem=exc.problem)
    return Envelope(message.identity, message.senders, message.subject or None, message.date, message)


def delegation_for(message: MailMessage, registry: object) -> str | None:
    """The delegation of the first sender the registry knows (its addresses and domains), trying
    ``message.senders`` in order; None when none is known. ``registry`` has
    ``delegation_for_email(address) -> str | None`` (``docxio.delegations.Registry``)."""
    for sender in message.senders:
        found = registry.delegation_for_email(sender.address)  # type: ignore[attr-defined]
        if found:
            return getattr(found, "name", found)
    return None
