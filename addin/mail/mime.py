"""Reading an RFC 5322 / MIME message (.eml): its headers, senders and attached files.

Any encoding, nested multiparts, forwarded ``message/rfc822`` originals, S/MIME (signed content
opened without checking the signature: the registry, not a certificate, says which delegation an
address belongs to; encrypted content noted), TNEF winmail.dat and Outlook .msg attachments.
"""
from __future__ import annotations

import email
import email.policy
import re
import subprocess
from datetime import datetime, timezone
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from addin.mail.mail_message import (
    MAX_DEPTH, OLE_MAGIC, Attachment, Found, MailMessage, MessageError, Sender, clean_id, clean_text,
)
from addin.mail.names import sanitise_filename
from addin.mail.readings import assemble
from addin.mail.tnef import walk_tnef


def read_eml(data: bytes, filename: str) -> MailMessage:
    """Read an RFC 5322 message; ``MessageError`` naming the file when it is none."""
    try:
        parsed = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as exc:  # the email package raises many kinds on hostile input
        raise MessageError(filename, f"not a readable mail message ({exc})") from exc
    if not looks_like_message(parsed):
        raise MessageError(filename, "not a mail message: no From, Date, Subject or MIME headers")
    found = Found()
    walk_mime(parsed, found, depth=0)
    return assemble(
        filename, "eml", clean_id(header(parsed, "Message-ID")), parse_date(header(parsed, "Date")),
        clean_text(header(parsed, "Subject")), eml_senders(parsed), found,
    )


def looks_like_message(parsed: Message) -> bool:
    """True when the parsed bytes have at least one header a mail message has."""
    keys = {k.lower() for k in parsed.keys()}
    return bool(keys & {"from", "date", "subject", "message-id", "mime-version", "content-type", "to"})


def header(message: Message, name: str) -> str:
    """A header's decoded text, "" when absent or so broken the email package gives up on it."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header can raise during lazy parsing
        raw = message.get_all(name, failobj=[None])[0] if hasattr(message, "get_all") else None
        value = raw
    if value is None:
        return ""
    return str(value)


def parse_date(text: str) -> datetime | None:
    """A Date header as an aware datetime, None when absent or unreadable."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    # A date without a zone is taken as UTC, so every stored date is comparable.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def eml_senders(message: Message) -> list[Sender]:
    """The addresses of From, Sender and Reply-To, in that order."""
    senders = []
    for role, name in (("from", "From"), ("sender", "Sender"), ("reply-to", "Reply-To")):
        senders.extend(addresses(role, raw_header(message, name)))
    return senders


def raw_header(message: Message, name: str) -> str:
    """An address header as text: the decoded value, or the raw one when decoding failed."""
    try:
        values = message.get_all(name) or []
    except Exception:
        return ""
    return ", ".join(str(v) for v in values)


def addresses(role: str, text: str) -> list[Sender]:
    """The e-mail addresses in an address header's text, each a ``Sender`` with ``role``."""
    found = []
    for name, address in getaddresses([text]):
        address = address.replace("\x00", "").strip().strip("<>").strip()
        if "@" in address and " " not in address:
            found.append(Sender(role, address, clean_text(name)))
    return found


def walk_mime(part: Message, found: Found, depth: int, inner: bool = False) -> None:
    """Collect the attachments of a MIME tree, descending into multiparts and forwarded messages."""
    ctype = part.get_content_type()
    if part.is_multipart() and ctype != "message/rfc822":
        _walk_multipart(part, ctype, found, depth, inner)
        return
    if ctype == "message/rfc822" or (ctype.startswith("message/") and part.is_multipart()):
        _walk_forwarded(part, found, depth)
        return
    if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        _walk_smime(part, found, depth, inner)
        return
    if ctype == "application/ms-tnef" or (filename_of(part) or "").lower() == "winmail.dat":
        if walk_tnef(payload_bytes(part), found, inner):
            return
    if (filename_of(part) or "").lower().endswith(".msg") or ctype == "application/vnd.ms-outlook":
        # An Outlook item forwarded from webmail: the original, with its documents, is inside.
        # Imported here: the Outlook reader walks attached .eml files with this module.
        from addin.mail.outlook import walk_attached_msg

        data = payload_bytes(part)
        if data.startswith(OLE_MAGIC) and depth + 1 <= MAX_DEPTH and walk_attached_msg(data, found, depth):
            return
    if _is_attachment(part):
        _add_leaf(part, found, inner, index=len(found.attachments))


def walk_attached_eml(data: bytes, found: Found, depth: int) -> None:
    """Walk an .eml kept as a plain attached file (Outlook does that) as a forwarded original."""
    try:
        parsed = email.message_from_bytes(data, policy=email.policy.default)
    except Exception:
        return
    found.forwarded.append(clean_text(header(parsed, "Subject")) or "forwarded message")
    found.forwarded_senders.extend(
        Sender("forwarded from", s.address, s.name) for s in addresses("from", raw_header(parsed, "From"))
    )
    walk_mime(parsed, found, depth + 1, inner=True)


def _walk_multipart(part: Message, ctype: str, found: Found, depth: int, inner: bool) -> None:
    if ctype == "multipart/encrypted":
        found.encrypted = True
        return
    children = part.get_payload()
    if not isinstance(children, list):
        return
    if ctype == "multipart/signed" and children:
        # The signed content is the first part; the second is the signature, kept as a file.
        walk_mime(children[0], found, depth, inner)
        for signature in children[1:]:
            _add_leaf(signature, found, inner, index=len(found.attachments))
        return
    for child in children:
        walk_mime(child, found, depth, inner)


def _walk_forwarded(part: Message, found: Found, depth: int) -> None:
    payload = part.get_payload()
    original = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(original, Message):
        return
    found.forwarded.append(clean_text(header(original, "Subject")) or filename_of(part) or "forwarded message")
    found.forwarded_senders.extend(
        Sender("forwarded from", s.address, s.name) for s in addresses("from", raw_header(original, "From"))
    )
    if depth + 1 > MAX_DEPTH:
        found.notes.append("a forwarded message nested too deep was kept unopened")
        return
    walk_mime(original, found, depth + 1, inner=True)


def _walk_smime(part: Message, found: Found, depth: int, inner: bool) -> None:
    """Opaque S/MIME: signed data carries the signed message inside it, encrypted data cannot be read."""
    smime_type = (part.get_param("smime-type") or "").lower()
    data = payload_bytes(part)
    content = _smime_signed_content(data) if smime_type != "enveloped-data" else None
    if content is None:
        found.encrypted = True
        return
    signed = email.message_from_bytes(content, policy=email.policy.default)
    walk_mime(signed, found, depth, inner)


def _smime_signed_content(data: bytes) -> bytes | None:
    """The content of an opaque S/MIME signed-data blob (without checking the signature: the
    signature proves nothing about the delegation here; the registry decides that), or None."""
    try:
        result = subprocess.run(
            ["openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-binary"],
            input=data, capture_output=True, timeout=30, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 and result.stdout else None


def _is_attachment(part: Message) -> bool:
    """A leaf is an attachment when it is declared one, has a file name, or is not text (the body)."""
    if part.get_content_disposition() == "attachment" or filename_of(part):
        return True
    return part.get_content_maintype() not in ("text", "multipart", "message")


def _add_leaf(part: Message, found: Found, inner: bool, index: int) -> None:
    ctype = part.get_content_type()
    name = sanitise_filename(filename_of(part) or "", ctype, index)
    found.attachments.append(Attachment(name, payload_bytes(part), ctype, inner))


def payload_bytes(part: Message) -> bytes:
    """A leaf's content, transfer-decoded; the raw text when it cannot be decoded."""
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def filename_of(part: Message) -> str | None:
    """The attachment's file name, decoded however the sending client encoded it.

    The email package decodes RFC 2231 and quoted encoded-words; some clients (Gmail in 2005,
    Outlook) put encoded-words in unquoted or in the ``name`` parameter only, so those are decoded
    here too rather than losing the name.
    """
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        for header_name, param in (("content-disposition", "filename"), ("content-type", "name")):
            raw = _raw_param(part, header_name, param)
            if raw:
                name = raw
                break
    if not name:
        return None
    if "=?" in name:
        name = _decode_words(name)
    return name


def _raw_param(part: Message, header_name: str, param: str) -> str | None:
    # The raw header, before the email package's parser dropped what it could not parse.
    raws = [str(v) for k, v in part.raw_items() if k.lower() == header_name]
    if not raws:
        return None
    match = re.search(rf"(?i)\b{param}\s*=\s*(\"[^\"]*\"|[^;\s]+)", raws[0])
    return match.group(1).strip('"') if match else None


def _decode_words(text: str) -> str:
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # an unknown charset or broken base64: keep the text as sent
        return text
