"""Reading an Outlook .msg (an OLE file): its sender properties and attached files, including
embedded .msg originals (a forwarded message) and attached .eml files."""
from __future__ import annotations

from datetime import datetime, timezone

from addin.mail.mail_message import (
    MAX_DEPTH, Attachment, Found, MailMessage, MessageError, Sender, clean_id, clean_text,
)
from addin.mail.mime import addresses, parse_date, walk_attached_eml
from addin.mail.names import guess_type, sanitise_filename
from addin.mail.readings import assemble
from addin.mail.tnef import walk_tnef

# MAPI string properties that may hold the sender's SMTP address, with the role each plays.
_SENDER_PROPERTIES = (("5D01", "sender"), ("5D02", "from"), ("0C1F", "sender"), ("0065", "from"))


def read_msg(data: bytes, filename: str) -> MailMessage:
    """Read an Outlook .msg; ``MessageError`` naming the file when it is no e-mail message."""
    import extract_msg

    try:
        msg = extract_msg.openMsg(data, delayAttachments=False)
    except Exception as exc:  # extract-msg raises its own and olefile's errors on bad files
        raise MessageError(filename, f"not a readable Outlook message ({exc})") from exc
    try:
        if not hasattr(msg, "attachments"):
            raise MessageError(filename, "this Outlook file is not an email message (a contact, task or appointment?)")
        found = Found()
        walk_msg(msg, found, depth=0, inner=False)
        return assemble(
            filename, "msg", clean_id(msg_text(msg, "messageId")), msg_date(msg),
            clean_text(msg_text(msg, "subject")), msg_senders(msg), found,
        )
    finally:
        _close(msg)


def walk_msg(msg: object, found: Found, depth: int, inner: bool) -> None:
    """Collect the attachments of an open .msg, descending into embedded messages."""
    for index, item in enumerate(getattr(msg, "attachments", []) or []):
        payload = getattr(item, "data", None)
        if payload is not None and hasattr(payload, "attachments"):
            _walk_embedded(payload, found, depth)
            continue
        if not isinstance(payload, bytes):
            continue
        raw_name = (
            getattr(item, "longFilename", None) or getattr(item, "name", None)
            or getattr(item, "shortFilename", None) or ""
        )
        ctype = getattr(item, "mimetype", None) or guess_type(raw_name)
        name = sanitise_filename(str(raw_name), ctype, index)
        if name.lower() == "winmail.dat" and walk_tnef(payload, found, inner):
            continue
        if name.lower().endswith(".eml") and depth + 1 <= MAX_DEPTH:
            # Outlook keeps an attached .eml as a plain file: open it like any forwarded message.
            found.attachments.append(Attachment(name, payload, "message/rfc822", inner))
            walk_attached_eml(payload, found, depth)
            continue
        found.attachments.append(Attachment(name, payload, ctype, inner))


def walk_attached_msg(data: bytes, found: Found, depth: int) -> bool:
    """Walk an Outlook .msg attached to a MIME message as a forwarded original; False when it is
    not a readable Outlook message (it is then kept as a plain file)."""
    import extract_msg

    try:
        msg = extract_msg.openMsg(data, delayAttachments=False)
    except Exception:  # not an Outlook message after all
        return False
    try:
        if not hasattr(msg, "attachments"):
            return False
        found.forwarded.append(clean_text(msg_text(msg, "subject")) or "forwarded message")
        found.forwarded_senders.extend(msg_senders(msg, "forwarded from"))
        walk_msg(msg, found, depth + 1, inner=True)
        return True
    finally:
        _close(msg)


def _walk_embedded(embedded: object, found: Found, depth: int) -> None:
    """An embedded .msg (attach method 5): a forwarded original."""
    found.forwarded.append(clean_text(msg_text(embedded, "subject")) or "forwarded message")
    found.forwarded_senders.extend(
        Sender("forwarded from", s.address, s.name) for s in msg_senders(embedded, "forwarded from")
    )
    if depth + 1 <= MAX_DEPTH:
        walk_msg(embedded, found, depth + 1, inner=True)


def msg_text(msg: object, attribute: str) -> str:
    """An attribute of an open .msg as text, "" when missing or unreadable."""
    try:
        value = getattr(msg, attribute)
    except Exception:
        return ""
    return "" if value is None else str(value)


def msg_date(msg: object) -> datetime | None:
    """When the .msg was sent, as an aware datetime (UTC when it names no zone), or None."""
    try:
        moment = getattr(msg, "date")
    except Exception:
        return None
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return parse_date(str(moment)) if moment else None


def msg_senders(msg: object, role_prefix: str = "") -> list[Sender]:
    """The sender addresses of a .msg: its transport headers, then the MAPI sender properties.

    Exchange-internal mail may carry only an X500 address ("/O=EXCHANGELABS/..."); that is no
    email address, so only SMTP addresses are kept.
    """
    senders: list[Sender] = []
    try:
        transport = getattr(msg, "header")
    except Exception:
        transport = None
    if transport is not None:
        for role, name in (("from", "From"), ("sender", "Sender"), ("reply-to", "Reply-To")):
            senders.extend(addresses(role_prefix or role, str(transport.get(name) or "")))
    display = msg_text(msg, "sender")
    for prop, role in _SENDER_PROPERTIES:
        value = _msg_property(msg, prop)
        if value and "@" in value and " " not in value.strip():
            senders.append(Sender(role_prefix or role, value.strip(), _sender_name(display)))
    senders.extend(addresses(role_prefix or "from", display))
    return senders


def _sender_name(display: str) -> str:
    return clean_text(display.split("<", 1)[0].strip().strip('"'))


def _msg_property(msg: object, prop: str) -> str | None:
    getter = getattr(msg, "getStringStream", None)
    if getter is None:
        return None
    try:
        value = getter(f"__substg1.0_{prop}")
    except Exception:
        return None
    return value.replace("\x00", "") if isinstance(value, str) else None


def _close(msg: object) -> None:
    try:
        msg.close()  # type: ignore[attr-defined]
    except Exception:  # closing a half-read OLE file may fail; nothing is left to do then
        pass
