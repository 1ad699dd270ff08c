"""The error of the submissions mailbox (its own module: the IMAP poller and the delivery into
the store both raise it, and the poller imports the delivery)."""
from __future__ import annotations


class MailboxError(Exception):
    """The mailbox cannot be polled: the message names the server and the problem."""
