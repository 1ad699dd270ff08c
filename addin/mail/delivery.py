"""Delivering e-mailed submissions into the store, and the receipt each one is owed.

Receipts are sent at least once and, short of a crash in the instant between the SMTP server
accepting a receipt and the store recording it, exactly once: a receipt is noted as owed in the
store *before* the message is stored, and settled (sent, or not due) afterwards. A poller that
dies in between leaves the message in the inbox and the receipt owed; the next poll finds the
message already stored and sends the owed receipt. A receipt that cannot be sent (the SMTP server
is down) stays owed and is sent by a later poll, even after its message has left the inbox; one
the server refuses for good (a 5xx reply) is recorded as not sent, with the reason.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import Any

from sqlalchemy.engine import Row

from addin.intake import receive
from addin.mail.errors import MailboxError
from addin.mail.messages import MailMessage, envelope
from addin.mail.receipts import (
    ReceiptError, ReceiptRefused, ReceivedDocument, SmtpSettings, build_receipt, send_receipt,
)
from addin.store import Store

log = logging.getLogger(__name__)

SENT, NOT_SENT, OWED = "sent", "not sent", "owed"


def target_round(store: Store, negotiation_id: int | None = None) -> Row:
    """The round e-mailed submissions go to: the current round of the configured negotiation,
    else of the latest one. ``MailboxError`` when there is none yet."""
    if negotiation_id is None:
        found = store.negotiations()
        if not found:
            raise MailboxError("no negotiation yet: mail stays in the mailbox until one is set up")
        negotiation_id = found[0].id
    current = store.current_round(negotiation_id)
    if current is None:
        raise MailboxError(f"negotiation {negotiation_id} has no round yet: mail stays in the mailbox")
    return current


@dataclass(frozen=True)
class StoreDelivery:
    """A ``Deliver`` (``deliver(bytes, name) -> newly stored?``) that stores each message through
    ``addin.intake.receive`` (channel "email") into the current round and, when ``smtp`` is
    given, sends the receipt each newly stored message is owed."""

    store: Any
    negotiation_id: int | None = None
    smtp: SmtpSettings | None = None

    def __call__(self, data: bytes, name: str) -> bool:
        round_row = target_round(self.store, self.negotiation_id)
        negotiation, identity = round_row.negotiation_id, envelope(data, name).identity
        existed = self.store.submission_by_message_id(negotiation, identity) is not None
        if self.smtp is not None and not existed:
            # Noted before the bytes are stored: a poller killed after storing still owes it.
            self.store.owe_receipt(negotiation, identity)
        receive(self.store, round_row.id, data, name, "email", message_id=identity)
        if self.smtp is not None:
            settle_receipt(self.store, self.smtp, negotiation, identity)
        return not existed

    def send_owed_receipts(self) -> int:
        """Send the receipts still owed (their poller died, or the SMTP server was down); returns
        how many were sent. Stops at the first that cannot be sent: the server is still down."""
        if self.smtp is None:
            return 0
        sent = 0
        for owed in self.store.owed_receipts():
            outcome = settle_receipt(self.store, self.smtp, owed.negotiation_id, owed.message_id)
            if outcome == OWED:
                break
            sent += outcome == SENT
        return sent


def deliver_to_store(store: Store, negotiation_id: int | None = None, smtp: SmtpSettings | None = None) -> StoreDelivery:
    """A ``Deliver`` that stores each message through ``addin.intake.receive`` (channel "email")
    into the current round and, when ``smtp`` is given, sends a receipt for each new message."""
    return StoreDelivery(store, negotiation_id, smtp)


def settle_receipt(store: Store, smtp: SmtpSettings, negotiation_id: int, identity: str) -> str | None:
    """Send the receipt owed for the stored message ``identity`` and record it; returns "sent",
    "not sent" (not due: recorded with the reason), "owed" (sending failed: tried again later) or
    None when nothing is owed or the message is not stored yet."""
    owed = store.receipt(negotiation_id, identity)
    row = store.submission_by_message_id(negotiation_id, identity) if owed is not None else None
    if owed is None or owed.state != OWED or row is None:
        return None
    data = store.submission(row.id).content
    message = envelope(data, row.filename).message
    round_row = store.round(row.round_id)
    try:
        if message is None:
            raise ReceiptError("the message could not be read")
        if not deserves_receipt(store, round_row, identity, message):
            raise ReceiptError("no Word document, from a sender the registry does not know")
        receipt = receipt_for(store, round_row, message, data, smtp.sender)
    except ReceiptError as exc:
        store.settle_receipt(negotiation_id, identity, NOT_SENT, str(exc))
        return NOT_SENT
    try:
        send_receipt(smtp, receipt)
    except ReceiptRefused as exc:  # a 5xx reply: sending it again cannot help
        log.warning("receipt refused for %s: %s", identity, exc)
        store.settle_receipt(negotiation_id, identity, NOT_SENT, str(exc))
        return NOT_SENT
    except ReceiptError as exc:  # the submission is stored; the receipt waits for the next poll
        log.warning("receipt not sent for %s (tried again at the next poll): %s", identity, exc)
        return OWED
    store.settle_receipt(negotiation_id, identity, SENT)
    return SENT


def deserves_receipt(store: Store, round_row: Row, identity: str, message: MailMessage) -> bool:
    """A receipt goes to a message carrying a Word document, or coming from a delegation the
    registry knows; an unknown sender with no document (spam, mostly) is kept but not answered,
    so the secretariat's address never becomes a source of backscatter."""
    if message.documents:
        return True
    row = store.submission_by_message_id(round_row.negotiation_id, identity)
    return row is not None and row.delegation_id is not None


def receipt_for(store: Store, round_row: Row, message: MailMessage, data: bytes, sender: str) -> EmailMessage:
    """The receipt of a stored message from the secretariat's ``sender`` address, built from what
    intake stored for it. ``ReceiptError`` when it must not be answered (an auto-reply, a bounce,
    a list) or names no address."""
    to = reply_address(message, data)
    if to is None:
        raise ReceiptError("no address to send the receipt to (or the message is an automatic one)")
    documents = []
    identities = [message.identity] + [f"{message.identity}#{n}" for n in range(2, len(message.documents) + 1)]
    for number, identity in enumerate(identities):
        row = store.submission_by_message_id(round_row.negotiation_id, identity)
        if row is None:
            continue
        delegation = store.delegation(row.delegation_id) if row.delegation_id else None
        name = message.documents[number].name if number < len(message.documents) else row.filename
        documents.append(ReceivedDocument(
            name=name, delegation=delegation.name if delegation else None,
            reading=json.loads(row.reading_json) if row.reading_json else None,
            error=row.error if message.documents else None,
        ))
    return build_receipt(
        to=to, sender=sender, subject=message.subject, received_at=message.date,
        documents=documents, message_reading=message.reading, in_reply_to=message.message_id,
    )


def reply_address(message: MailMessage, data: bytes) -> str | None:
    """Where a receipt goes: the Reply-To, else the From of the message as sent (not a forwarded
    original: whoever sent this message gets the receipt); None for automatic mail (bounces,
    auto-replies, lists), which must never be answered (RFC 3834)."""
    headers = BytesHeaderParser().parsebytes(data[:262144]) if not data.startswith(b"\xd0\xcf") else None
    if headers is not None:
        auto = str(headers.get("Auto-Submitted") or "no").strip().lower()
        precedence = str(headers.get("Precedence") or "").strip().lower()
        if auto != "no" or precedence in ("bulk", "junk", "list") or headers.get("List-Id"):
            return None
    for role in ("reply-to", "from", "sender"):
        for sender in message.senders:
            if sender.role == role:
                local = sender.address.split("@", 1)[0].lower()
                if local in ("mailer-daemon", "postmaster", "no-reply", "noreply"):
                    return None
                return sender.address
    return None
