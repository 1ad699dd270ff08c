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

import email
import email.policy
import hashlib
import io
import mailbox
import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Iterator

from docxio.errors import DocxioError

# The readings: short sentences a secretariat officer can forward to a delegation unchanged.
NO_DOCUMENT = "no Word document attached"
LEGACY_DOC = "legacy .doc: please send .docx"
PDF_ONLY = "PDF only: please send the Word file"
ODT_ONLY = "OpenDocument (.odt) only: please send the Word file (.docx)"
SEVERAL_DOCUMENTS = "several Word documents attached: each is kept as a separate submission; check which one is the markup"
ENCRYPTED = "encrypted message: please send it without encryption"

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A zip of documents is opened only within these limits (a zip bomb must not take the server down).
ZIP_MAX_MEMBERS = 200
ZIP_MAX_MEMBER_SIZE = 50 * 1024**2
ZIP_MAX_TOTAL_SIZE = 200 * 1024**2
# Forwarded messages inside forwarded messages are followed this deep, then kept unopened.
MAX_DEPTH = 5
NAME_MAX_CHARS = 180

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TNEF_MAGIC = b"\x78\x9f\x3e\x22"
_ZIP_MAGIC = b"PK\x03\x04"



class MessageError(DocxioError):
    """A file that should be a mail message (.eml, .msg, mbox, maildir) cannot be read."""


@dataclass(frozen=True)
class Sender:
    """One address the message came from. ``role`` is "from", "sender", "reply-to" or
    "forwarded from" (the From of a forwarded original)."""

    role: str
    address: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    """One attached file. ``name`` is decoded and sanitised (a plain file name: no folders, no
    control characters); ``inner`` is True when it sits inside a forwarded message; ``container``
    names the zip or winmail.dat it was taken from ("" when attached directly)."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    inner: bool = False
    container: str = ""

    @property
    def extension(self) -> str:
        """The lower-case extension of the name, with its dot (".docx"), or ""."""
        suffix = Path(self.name).suffix.lower()
        return suffix if 1 < len(suffix) <= 6 else ""


@dataclass(frozen=True)
class MailMessage:
    """What Concord reads in one message.

    ``senders`` are the addresses in the order they are tried against the delegation registry.
    ``documents`` are the .docx files, each a submission; ``attachments`` everything else
    attached (images, PDFs, signatures...), ``forwarded`` the subjects of forwarded messages
    found inside. ``reading`` is None when there is exactly one document, else a sentence for a
    human. ``notes`` say what was done on the way ("taken from the zip Markup.zip").
    """

    file: str
    format: str
    message_id: str | None
    date: datetime | None
    subject: str
    senders: tuple[Sender, ...]
    documents: tuple[Attachment, ...]
    attachments: tuple[Attachment, ...] = ()
    forwarded: tuple[str, ...] = ()
    reading: str | None = None
    notes: tuple[str, ...] = ()
    sha256: str = ""

    @property
    def sender(self) -> str | None:
        """The first address to try for the delegation, or None when the message names none."""
        return self.senders[0].address if self.senders else None

    @property
    def identity(self) -> str:
        """What makes the message unique: its Message-ID, else the sha256 of its bytes."""
        return self.message_id or f"sha256:{self.sha256}"


@dataclass
class _Found:
    """What a walk over one message (and the messages forwarded inside it) collected."""

    attachments: list[Attachment] = field(default_factory=list)
    forwarded_senders: list[Sender] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encrypted: bool = False


# --------------------------------------------------------------------------------------------
# Entry points


def read_message(data: bytes, filename: str) -> MailMessage:
    """Read one message (.eml, .msg or a bare winmail.dat) from its bytes.

    ``filename`` is how errors and readings refer to the file. The format is found from the
    content (an Outlook .msg is an OLE file whatever its name), so a misnamed file still reads.
    Raises ``MessageError`` naming the file when it is no message at all.
    """
    if not data.strip():
        raise MessageError(filename, "the file is empty, not a mail message")
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_ZIP_MAGIC):
        raise MessageError(filename, "this is a zip or Word file, not a mail message")
    try:
        if data.startswith(_OLE_MAGIC):
            message = _read_msg(data, filename)
        elif data.startswith(_TNEF_MAGIC):
            message = _read_bare_tnef(data, filename)
        else:
            message = _read_eml(data, filename)
    except MessageError:
        raise
    except Exception as exc:  # hostile structure the parsers did not foresee: an error, not a crash
        raise MessageError(filename, f"the message could not be read ({type(exc).__name__}: {exc})") from exc
    return _replace_sha(message, digest)


def read_mailbox(path: str | Path) -> Iterator[MailMessage]:
    """Each message of an mbox file or a maildir folder, in mailbox order.

    Messages are named "<mailbox> #<n>" in readings and errors. A message that cannot be read
    raises ``MessageError`` naming it; the messages before it have been yielded.
    """
    path = Path(path)
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new")):
            raise MessageError(path.name, "this folder is not a maildir (it has no cur/ and new/ folders)")
        box: mailbox.Mailbox = mailbox.Maildir(str(path), factory=None, create=False)
        keys = sorted(box.keys(), key=lambda k: _maildir_order(box, k))
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


MESSAGE_SUFFIXES = (".eml", ".msg", ".mbox", ".mbx", ".dat")


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


def delegation_for(message: MailMessage, registry: object) -> str | None:
    """The delegation of the first sender the registry knows (its addresses and domains), trying
    ``message.senders`` in order; None when none is known. ``registry`` has
    ``delegation_for_email(address) -> str | None`` (``docxio.delegations.Registry``)."""
    for sender in message.senders:
        found = registry.delegation_for_email(sender.address)  # type: ignore[attr-defined]
        if found:
            return getattr(found, "name", found)
    return None


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


def _maildir_order(box: mailbox.Mailbox, key: str) -> tuple[float, str]:
    """Maildir keys start with the delivery time: sort by it, so messages come in arrival order."""
    head = key.split(".", 1)[0]
    try:
        return (float(head), key)
    except ValueError:
        return (0.0, key)


def _replace_sha(message: MailMessage, digest: str) -> MailMessage:
    from dataclasses import replace

    return replace(message, sha256=digest)


# --------------------------------------------------------------------------------------------
# RFC 5322 / MIME


def _read_eml(data: bytes, filename: str) -> MailMessage:
    try:
        parsed = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as exc:  # the email package raises many kinds on hostile input
        raise MessageError(filename, f"not a readable mail message ({exc})") from exc
    if not _looks_like_message(parsed):
        raise MessageError(filename, "not a mail message: no From, Date, Subject or MIME headers")
    found = _Found()
    _walk_mime(parsed, found, depth=0)
    senders = _eml_senders(parsed)
    return _assemble(
        filename, "eml", _clean_id(_header(parsed, "Message-ID")), _eml_date(parsed),
        _clean_text(_header(parsed, "Subject")), senders, found,
    )


def _looks_like_message(parsed: Message) -> bool:
    keys = {k.lower() for k in parsed.keys()}
    return bool(keys & {"from", "date", "subject", "message-id", "mime-version", "content-type", "to"})


def _header(message: Message, name: str) -> str:
    """A header's decoded text, "" when absent or so broken the email package gives up on it."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header can raise during lazy parsing
        raw = message.get_all(name, failobj=[None])[0] if hasattr(message, "get_all") else None
        value = raw
    if value is None:
        return ""
    return str(value)


def _eml_date(message: Message) -> datetime | None:
    return _parse_date(_header(message, "Date"))


def _parse_date(text: str) -> datetime | None:
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


def _eml_senders(message: Message) -> list[Sender]:
    senders = []
    for role, header in (("from", "From"), ("sender", "Sender"), ("reply-to", "Reply-To")):
        senders.extend(_addresses(role, _raw_header(message, header)))
    return senders


def _raw_header(message: Message, name: str) -> str:
    """An address header as text: the decoded value, or the raw one when decoding failed."""
    try:
        values = message.get_all(name) or []
    except Exception:
        return ""
    return ", ".join(str(v) for v in values)


def _addresses(role: str, text: str) -> list[Sender]:
    found = []
    for name, address in getaddresses([text]):
        address = address.replace("\x00", "").strip().strip("<>").strip()
        if "@" in address and " " not in address:
            found.append(Sender(role, address, _clean_text(name)))
    return found


def _walk_mime(part: Message, found: _Found, depth: int, inner: bool = False) -> None:
    """Collect the attachments of a MIME tree, descending into multiparts and forwarded messages."""
    ctype = part.get_content_type()
    if part.is_multipart() and ctype != "message/rfc822":
        if ctype == "multipart/encrypted":
            found.encrypted = True
            return
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if ctype == "multipart/signed" and children:
            # The signed content is the first part; the second is the signature, kept as a file.
            _walk_mime(children[0], found, depth, inner)
            for signature in children[1:]:
                _add_leaf(signature, found, inner, index=len(found.attachments))
            return
        for child in children:
            _walk_mime(child, found, depth, inner)
        return
    if ctype == "message/rfc822" or (ctype.startswith("message/") and part.is_multipart()):
        _walk_forwarded(part, found, depth)
        return
    if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        _walk_smime(part, found, depth, inner)
        return
    if ctype == "application/ms-tnef" or (_filename(part) or "").lower() == "winmail.dat":
        if _walk_tnef(_payload_bytes(part), found, inner):
            return
    if (_filename(part) or "").lower().endswith(".msg") or ctype == "application/vnd.ms-outlook":
        # An Outlook item forwarded from webmail: the original, with its documents, is inside.
        data = _payload_bytes(part)
        if data.startswith(_OLE_MAGIC) and depth + 1 <= MAX_DEPTH and _walk_attached_msg(data, found, depth):
            return
    if _is_attachment(part, depth):
        _add_leaf(part, found, inner, index=len(found.attachments))


def _walk_forwarded(part: Message, found: _Found, depth: int) -> None:
    payload = part.get_payload()
    original = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(original, Message):
        return
    found.forwarded.append(_clean_text(_header(original, "Subject")) or _filename(part) or "forwarded message")
    found.forwarded_senders.extend(
        Sender("forwarded from", s.address, s.name) for s in _addresses("from", _raw_header(original, "From"))
    )
    if depth + 1 > MAX_DEPTH:
        found.notes.append("a forwarded message nested too deep was kept unopened")
        return
    _walk_mime(original, found, depth + 1, inner=True)


def _walk_smime(part: Message, found: _Found, depth: int, inner: bool) -> None:
    """Opaque S/MIME: signed data carries the signed message inside it, encrypted data cannot be read."""
    smime_type = (part.get_param("smime-type") or "").lower()
    data = _payload_bytes(part)
    content = _smime_signed_content(data) if smime_type != "enveloped-data" else None
    if content is None:
        found.encrypted = True
        return
    signed = email.message_from_bytes(content, policy=email.policy.default)
    _walk_mime(signed, found, depth, inner)


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


def _is_attachment(part: Message, depth: int) -> bool:
    """A leaf is an attachment when it is declared one, has a file name, or is not text (the body)."""
    if part.get_content_disposition() == "attachment" or _filename(part):
        return True
    maintype = part.get_content_maintype()
    return maintype not in ("text", "multipart", "message")


def _add_leaf(part: Message, found: _Found, inner: bool, index: int) -> None:
    data = _payload_bytes(part)
    ctype = part.get_content_type()
    name = sanitise_filename(_filename(part) or "", ctype, index)
    found.attachments.append(Attachment(name, data, ctype, inner))


def _payload_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _filename(part: Message) -> str | None:
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
        for header, param in (("content-disposition", "filename"), ("content-type", "name")):
            raw = _raw_param(part, header, param)
            if raw:
                name = raw
                break
    if not name:
        return None
    if "=?" in name:
        name = _decode_words(name)
    return name


def _raw_param(part: Message, header: str, param: str) -> str | None:
    # The raw header, before the email package's parser dropped what it could not parse.
    raws = [str(v) for k, v in part.raw_items() if k.lower() == header]
    if not raws:
        return None
    text = raws[0]
    match = re.search(rf"(?i)\b{param}\s*=\s*(\"[^\"]*\"|[^;\s]+)", text)
    return match.group(1).strip('"') if match else None


def _decode_words(text: str) -> str:
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # an unknown charset or broken base64: keep the text as sent
        return text


# --------------------------------------------------------------------------------------------
# TNEF (winmail.dat)


def _walk_tnef(data: bytes, found: _Found, inner: bool) -> bool:
    """Add the files inside a winmail.dat; False when it is not TNEF (kept as a plain file then)."""
    try:
        import tnefparse

        tnef = tnefparse.TNEF(data)
    except Exception as exc:  # tnefparse raises ValueError and others on a non-TNEF payload
        found.notes.append(f"winmail.dat is not a readable TNEF file ({exc}); kept as it is")
        return False
    for index, item in enumerate(tnef.attachments):
        try:
            long_name = item.long_filename()
        except Exception:
            long_name = getattr(item, "name", "") or ""
        content = item.data if isinstance(item.data, bytes) else b""
        name = sanitise_filename(long_name or "", _guess_type(long_name or ""), index)
        found.attachments.append(Attachment(name, content, _guess_type(name), inner, "winmail.dat"))
    return True


def _read_bare_tnef(data: bytes, filename: str) -> MailMessage:
    found = _Found()
    if not _walk_tnef(data, found, inner=False):
        raise MessageError(filename, "not a readable winmail.dat (TNEF) file")
    return _assemble(filename, "tnef", None, None, "", [], found)


# --------------------------------------------------------------------------------------------
# Outlook .msg


def _read_msg(data: bytes, filename: str) -> MailMessage:
    import extract_msg

    try:
        msg = extract_msg.openMsg(data, delayAttachments=False)
    except Exception as exc:  # extract-msg raises its own and olefile's errors on bad files
        raise MessageError(filename, f"not a readable Outlook message ({exc})") from exc
    try:
        if not hasattr(msg, "attachments"):
            raise MessageError(filename, "this Outlook file is not an email message (a contact, task or appointment?)")
        found = _Found()
        _walk_msg(msg, found, depth=0, inner=False)
        return _assemble(
            filename, "msg", _clean_id(_msg_text(msg, "messageId")), _msg_date(msg),
            _clean_text(_msg_text(msg, "subject")), _msg_senders(msg), found,
        )
    finally:
        try:
            msg.close()
        except Exception:
            pass


def _msg_text(msg: object, attribute: str) -> str:
    try:
        value = getattr(msg, attribute)
    except Exception:
        return ""
    return "" if value is None else str(value)


def _msg_date(msg: object) -> datetime | None:
    try:
        moment = getattr(msg, "date")
    except Exception:
        return None
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return _parse_date(str(moment)) if moment else None


def _msg_senders(msg: object, role_prefix: str = "") -> list[Sender]:
    """The sender addresses of a .msg: its transport headers, then the MAPI sender properties.

    Exchange-internal mail may carry only an X500 address ("/O=EXCHANGELABS/..."); that is no
    email address, so only SMTP addresses are kept.
    """
    senders: list[Sender] = []
    header = None
    try:
        header = getattr(msg, "header")
    except Exception:
        header = None
    if header is not None:
        for role, name in (("from", "From"), ("sender", "Sender"), ("reply-to", "Reply-To")):
            senders.extend(_addresses(role_prefix or role, str(header.get(name) or "")))
    display = _msg_text(msg, "sender")
    for prop, role in (("5D01", "sender"), ("5D02", "from"), ("0C1F", "sender"), ("0065", "from")):
        value = _msg_property(msg, prop)
        if value and "@" in value and " " not in value.strip():
            senders.append(Sender(role_prefix or role, value.strip(), _sender_name(display)))
    senders.extend(_addresses(role_prefix or "from", display))
    return senders


def _sender_name(display: str) -> str:
    return _clean_text(display.split("<", 1)[0].strip().strip('"'))


def _msg_property(msg: object, prop: str) -> str | None:
    getter = getattr(msg, "getStringStream", None)
    if getter is None:
        return None
    try:
        value = getter(f"__substg1.0_{prop}")
    except Exception:
        return None
    return value.replace("\x00", "") if isinstance(value, str) else None


def _walk_msg(msg: object, found: _Found, depth: int, inner: bool) -> None:
    for index, item in enumerate(getattr(msg, "attachments", []) or []):
        payload = getattr(item, "data", None)
        if payload is not None and hasattr(payload, "attachments"):
            # An embedded .msg (attach method 5): a forwarded original.
            found.forwarded.append(_clean_text(_msg_text(payload, "subject")) or "forwarded message")
            found.forwarded_senders.extend(
                Sender("forwarded from", s.address, s.name) for s in _msg_senders(payload, "forwarded from")
            )
            if depth + 1 <= MAX_DEPTH:
                _walk_msg(payload, found, depth + 1, inner=True)
            continue
        if not isinstance(payload, bytes):
            continue
        raw_name = (
            getattr(item, "longFilename", None) or getattr(item, "name", None)
            or getattr(item, "shortFilename", None) or ""
        )
        ctype = getattr(item, "mimetype", None) or _guess_type(raw_name)
        name = sanitise_filename(str(raw_name), ctype, index)
        if name.lower() == "winmail.dat" and _walk_tnef(payload, found, inner):
            continue
        if name.lower().endswith(".eml") and depth + 1 <= MAX_DEPTH:
            # Outlook keeps an attached .eml as a plain file: open it like any forwarded message.
            found.attachments.append(Attachment(name, payload, "message/rfc822", inner))
            _walk_attached_eml(payload, found, depth)
            continue
        found.attachments.append(Attachment(name, payload, ctype, inner))


def _walk_attached_msg(data: bytes, found: _Found, depth: int) -> bool:
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
        found.forwarded.append(_clean_text(_msg_text(msg, "subject")) or "forwarded message")
        found.forwarded_senders.extend(_msg_senders(msg, "forwarded from"))
        _walk_msg(msg, found, depth + 1, inner=True)
        return True
    finally:
        try:
            msg.close()
        except Exception:
            pass


def _walk_attached_eml(data: bytes, found: _Found, depth: int) -> None:
    try:
        parsed = email.message_from_bytes(data, policy=email.policy.default)
    except Exception:
        return
    found.forwarded.append(_clean_text(_header(parsed, "Subject")) or "forwarded message")
    found.forwarded_senders.extend(
        Sender("forwarded from", s.address, s.name) for s in _addresses("from", _raw_header(parsed, "From"))
    )
    _walk_mime(parsed, found, depth + 1, inner=True)


# --------------------------------------------------------------------------------------------
# From attachments to documents and a reading


def _assemble(
    filename: str, fmt: str, message_id: str | None, date: datetime | None, subject: str,
    senders: list[Sender], found: _Found,
) -> MailMessage:
    files = _open_zips(found.attachments, found.notes)
    outer_docs = [a for a in files if is_word_document(a) and not a.inner]
    inner_docs = [a for a in files if is_word_document(a) and a.inner]
    documents = _distinct(outer_docs or inner_docs, found.notes)
    from_forwarded = bool(inner_docs) and not outer_docs
    if outer_docs and inner_docs:
        found.notes.append("the forwarded message's Word documents were left aside: the sender attached their own")
    if from_forwarded:
        found.notes.append("the Word document comes from the forwarded message")
        ordered = found.forwarded_senders + senders
    else:
        ordered = senders + found.forwarded_senders
    others = [a for a in files if not any(a is d for d in documents)]
    reading = _reading(documents, others, found.encrypted)
    return MailMessage(
        file=filename, format=fmt, message_id=message_id, date=date, subject=subject,
        senders=_unique(ordered), documents=tuple(documents), attachments=tuple(others),
        forwarded=tuple(found.forwarded), reading=reading, notes=tuple(found.notes),
    )


def _distinct(documents: list[Attachment], notes: list[str]) -> list[Attachment]:
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


def _reading(documents: list[Attachment], others: list[Attachment], encrypted: bool) -> str | None:
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


def _unique(senders: list[Sender]) -> tuple[Sender, ...]:
    seen: set[str] = set()
    kept = []
    for sender in senders:
        key = sender.address.lower()
        if key not in seen:
            seen.add(key)
            kept.append(sender)
    return tuple(kept)


def is_word_document(attachment: Attachment) -> bool:
    """True for a .docx: by extension, by MIME type, or — for a nameless or misnamed file — by
    being a zip that holds word/document.xml. A legacy .doc or a .docm is not one."""
    if attachment.extension == ".docx":
        return True
    if attachment.extension in (".doc", ".pdf", ".odt", ".zip", ".xlsx", ".pptx", ".docm", ".dotx"):
        return False
    if attachment.content_type == DOCX_TYPE:
        return True
    return _zip_has(attachment.data, "word/document.xml")


def _zip_has(data: bytes, member: str) -> bool:
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        return False


def _open_zips(attachments: list[Attachment], notes: list[str]) -> list[Attachment]:
    """Replace each zip attachment that holds .docx files by those files (the zip is kept too)."""
    result = []
    for attachment in attachments:
        result.append(attachment)
        if attachment.extension != ".zip" and attachment.content_type not in (
            "application/zip", "application/x-zip-compressed", "application/x-zip",
        ):
            continue
        if _zip_has(attachment.data, "word/document.xml"):
            continue  # a .docx sent as .zip is a document, not an archive of documents
        inside = _documents_in_zip(attachment, notes)
        if inside:
            notes.append(f"{len(inside)} Word document(s) taken from the zip {attachment.name}")
        result.extend(inside)
    return result


def _documents_in_zip(archive_file: Attachment, notes: list[str]) -> list[Attachment]:
    """The .docx files of a zip, opened safely: members counted and size-limited before reading,
    folder paths dropped, encrypted members skipped with a note."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(archive_file.data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        notes.append(f"the zip {archive_file.name} could not be opened ({exc})")
        return []
    if len(members) > ZIP_MAX_MEMBERS:
        notes.append(f"the zip {archive_file.name} holds {len(members)} files, more than {ZIP_MAX_MEMBERS}: not opened")
        return []
    found: list[Attachment] = []
    total = 0
    with archive:
        for info in members:
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if info.is_dir() or "__MACOSX/" in info.filename or base.startswith(("~$", "._")):
                continue
            if not base.lower().endswith(".docx"):
                continue
            if info.flag_bits & 0x1:
                notes.append(f"{base} in the zip {archive_file.name} is password-protected: not opened")
                continue
            if info.file_size > ZIP_MAX_MEMBER_SIZE or total + info.file_size > ZIP_MAX_TOTAL_SIZE:
                notes.append(f"{base} in the zip {archive_file.name} is too large: not opened")
                continue
            try:
                with archive.open(info) as handle:
                    # Read one byte past the declared size: a lying header cannot smuggle more.
                    content = handle.read(ZIP_MAX_MEMBER_SIZE + 1)
            except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, OSError) as exc:
                notes.append(f"{base} in the zip {archive_file.name} could not be read ({exc})")
                continue
            if len(content) > ZIP_MAX_MEMBER_SIZE:
                notes.append(f"{base} in the zip {archive_file.name} is too large: not opened")
                continue
            total += len(content)
            name = sanitise_filename(base, DOCX_TYPE, len(found))
            found.append(Attachment(name, content, DOCX_TYPE, archive_file.inner, archive_file.name))
    return found


# --------------------------------------------------------------------------------------------
# Names and text


_EXTENSIONS = {
    DOCX_TYPE: ".docx",
    "application/msword": ".doc",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/vnd.oasis.opendocument.text": ".odt",
    "message/rfc822": ".eml",
    "text/plain": ".txt",
    "text/html": ".html",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
    "application/pgp-signature": ".asc",
}


def _guess_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    for ctype, ext in _EXTENSIONS.items():
        if ext == suffix:
            return ctype
    return "application/octet-stream"


def sanitise_filename(name: str, content_type: str = "application/octet-stream", index: int = 0) -> str:
    """A safe, readable file name from whatever a mail client sent.

    Keeps only the last path component (no "../" traversal, no folders), turns control
    characters (a newline in a name) into spaces, drops characters Windows forbids, strips
    leading dots, and shortens very long names keeping the extension. A missing name becomes
    "attachment-<n>" with the extension of the MIME type.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    text = re.split(r"[\\/]", text)[-1]
    text = re.sub(r'[<>:"|?*]', "_", text)
    text = re.sub(r"\s+", " ", text).strip().lstrip(".").strip()
    if not text:
        return f"attachment-{index + 1}{_EXTENSIONS.get(content_type, '')}"
    if len(text) > NAME_MAX_CHARS:
        stem, dot, ext = text.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 6 else ""
        text = text[: NAME_MAX_CHARS - len(ext)].rstrip() + ext
    return text


def _clean_text(text: str) -> str:
    """A header's text on one line: no NULs (the new Outlook ends strings with one), no folding."""
    return re.sub(r"\s+", " ", (text or "").replace("\x00", " ")).strip()


def _clean_id(text: str) -> str | None:
    text = _clean_text(text)
    return text or None
