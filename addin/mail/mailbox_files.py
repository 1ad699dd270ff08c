"""Messages saved as files: one .eml/.msg/winmail.dat, an mbox file or a maildir folder, as
``concord merge`` is given them on the command line."""
from __future__ import annotations

import mailbox
from pathlib import Path
from typing import Iterator

from addin.mail.mail_message import MailMessage, MessageError
from addin.mail.reader import read_message

MESSAGE_SUFFIXES = (".eml", ".msg", ".mbox", ".mbx", ".dat")


def read_mailbox(path: str | Path) -> Iterator[MailMessage]:
    """Each message of an mbox file or a maildir folder, in mailbox order.

    Messages are named "<mailbox> #<n>" in readings and errors. A message that cannot be read
    raises ``MessageError`` naming it; the messages before it have been yielded.
    """
    path = Path(path)
    if path.is_dir():
        if not is_maildir(path):
            raise MessageError(path.name, "this folder is not a maildir (it has no cur/ and new/ folders)")
        box: mailbox.Mailbox = mailbox.Maildir(str(path), factory=None, create=False)
        keys = sorted(box.keys(), key=maildir_order)
    elif path.is_file():
        if not looks_like_mbox(path):
            raise MessageError(path.name, "this file is not an mbox mailbox (it does not start with a \"From \" line)")
        box = mailbox.mbox(str(path), factory=None, create=False)
        keys = list(box.keys())
    else:
        raise MessageError(path.name, "no such file or folder")
    try:
        for number, key in enumerate(keys, start=1):
            yield read_message(box.get_bytes(key), f"{path.name} #{number}")
    finally:
        box.close()


def is_message_path(path: str | Path) -> bool:
    """True when ``concord merge`` should read the path as mail: an .eml/.msg/.mbox/winmail.dat
    file, an mbox without extension, or a maildir folder."""
    path = Path(path)
    if path.is_dir():
        return is_maildir(path)
    if path.suffix.lower() in MESSAGE_SUFFIXES:
        return True
    return path.is_file() and path.suffix.lower() != ".docx" and looks_like_mbox(path)


def messages_from_path(path: str | Path) -> list[MailMessage]:
    """Every message of a path given on the command line: one .eml/.msg/winmail.dat file, an mbox
    file or a maildir folder. Raises ``MessageError`` naming the file when it cannot be read."""
    path = Path(path)
    if path.is_dir() or (path.is_file() and looks_like_mbox(path)):
        return list(read_mailbox(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MessageError(path.name, f"cannot be read ({exc.strerror or exc})") from exc
    return [read_message(data, path.name)]


def documents_from_path(path: str | Path, registry: object | None = None) -> list[tuple[str, bytes, str | None]]:
    """The Word documents mailed in a message file, mbox or maildir, as ``(name, bytes, sender)``.

    ``sender`` is the address to attribute the document by: with a ``registry`` (anything with
    ``delegation_for_email(address)``), the first of the message's senders the registry knows,
    else the first sender; None when the message names no address. Messages without a usable
    document contribute nothing: call ``messages_from_path`` to show their ``reading``.
    """
    found = []
    for message in messages_from_path(path):
        sender = message.sender
        if registry is not None:
            sender = next(
                (s.address for s in message.senders if registry.delegation_for_email(s.address)),  # type: ignore[attr-defined]
                sender,
            )
        found.extend((document.name, document.data, sender) for document in message.documents)
    return found


def looks_like_mbox(path: Path) -> bool:
    """True when the file starts like an mbox mailbox (a "From " separator line)."""
    with open(path, "rb") as handle:
        return handle.read(5) == b"From "


def is_maildir(path: Path) -> bool:
    """True when the folder is a maildir (has cur/ and new/)."""
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def maildir_order(key: str) -> tuple[float, str]:
    """Maildir keys start with the delivery time: sort by it, so messages come in arrival order."""
    head = key.split(".", 1)[0]
    try:
        return (float(head), key)
    except ValueError:
        return (0.0, key)
