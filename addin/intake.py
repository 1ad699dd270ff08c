"""Intake of a submission: keep the exact bytes, then find the Word document, then read it.

Whatever arrives — by the page, the API, the add-in or e-mail — goes through ``receive``. The bytes
are stored first (with their SHA-256) so nothing is lost even if reading crashes; then the file is
recognised by its content, not its name (a .docx is a zip with Word's content types); then the
document is read against the round's base draft and the reading (proposals per paragraph,
warnings, Track Changes used or not) is stored next to the bytes. A file that cannot be read keeps
its error, worded for the delegation.
"""
from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Row

from addin.mail.mail_message import OLE_MAGIC
from addin.mail.messages import MessageError, envelope, read_message
from addin.merging import proposals_and_stances, without_sources
from addin.rounds import consolidate_in_round, registry_of, round_base
from addin.store import Store
from docxio.consolidation import Submission
from docxio.errors import DocxioError, UnsupportedFormatError
from docxio.proposals import Consolidation
from docxio.reader import read_draft

CHANNELS = ("upload", "api", "addin", "email")

#: Header fields of which at least one is in any e-mail message's header block.
_MAIL_FIELDS = {b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type",
                b"received", b"return-path", b"delivered-to", b"sender", b"reply-to"}
_HEADER_LINE = re.compile(rb"^([!-9;-~]+):")


@dataclass(frozen=True)
class Document:
    """The Word document found in a submission (its bytes and the name to call it by), or the
    reason there is none; plus what an e-mail said about its origin."""

    docx: bytes | None
    name: str
    problem: str | None = None
    unsupported: bool = False
    sender: str | None = None
    subject: str | None = None
    message_id: str | None = None
    date: datetime | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def sniff(data: bytes) -> str:
    """What the bytes are, whatever the file is called: "docx", "zip" (another zip: .odt, .xlsx, a
    zip of documents...), "ole" (.doc, encrypted Office file) , "msg" (Outlook message), "eml"
    (an RFC 5322 message), "pdf" or "unknown"."""
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                types = archive.read("[Content_Types].xml")[:200_000] if "[Content_Types].xml" in archive.namelist() else b""
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, NotImplementedError, RuntimeError):
            return "docx"  # a damaged zip: most likely a truncated .docx; the reader says what is wrong
        return "docx" if b"wordprocessingml" in types or b"ms-word" in types else "zip"
    if data.startswith(OLE_MAGIC):
        # Outlook .msg streams are named __substg1.0_<tag>, stored in UTF-16 in the directory.
        return "msg" if "__substg1.0_".encode("utf-16-le") in data else "ole"
    if data.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if looks_like_mail(data):
        return "eml"
    return "unknown"


def looks_like_mail(data: bytes) -> bool:
    """True when the bytes start with an RFC 5322 header block (optionally after an mbox "From "
    line): every line until the first blank one is a field or its continuation, and one of the
    fields is one every message has (From, Subject, Content-Type...)."""
    head = data[:65536].replace(b"\r\n", b"\n").lstrip(b"\n")
    block, blank, _ = head.partition(b"\n\n")
    if not blank and len(data) > 65536:
        return False  # 64 KB of header lines and still no body: not a message
    lines = block.split(b"\n")
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]
    fields = set()
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation of the previous field
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        fields.add(match.group(1).lower())
    return bool(fields & _MAIL_FIELDS)


def find_document(kind: str, data: bytes, filename: str) -> Document:
    """The Word document in a submission of that kind.

    E-mail messages (.eml / .msg) are opened by ``addin.mail.messages.read_message``; everything
    else is handed to the reader as is, which names the format of a file that is not a .docx
    ("legacy .doc: please save as .docx").
    """
    if kind in ("eml", "msg"):
        return _document_in_message(data, filename)
    return Document(docx=data, name=filename)


def _document_in_message(data: bytes, filename: str) -> Document:
    try:
        message = read_message(data, filename)
    except DocxioError as exc:
        return Document(None, filename, exc.problem)
    common = dict(sender=message.sender, subject=message.subject, message_id=message.message_id,
                  date=message.date, notes=tuple(message.notes))
    if not message.documents:
        return Document(None, filename, message.reading or "no Word document attached", **common)
    first = message.documents[0]
    notes = common.pop("notes") + ((message.reading,) if message.reading else ())
    return Document(first.data, first.name, None, notes=notes, **common)


def _receive_further_documents(store: Store, round_id: int, kind: str, data: bytes, filename: str,
                               channel: str, message_id: str | None, **details) -> None:
    """Each Word document after the first in a message is a submission of its own (addin.mail),
    identified by the message's identity and its position ("<id>#2"), so storing it again is a
    no-op: a crash between the message and its documents is repaired by receiving it again."""
    if kind not in ("eml", "msg") or not message_id:
        return
    try:
        documents = read_message(data, filename).documents
    except MessageError:
        return
    for number, document in enumerate(documents[1:], start=2):
        receive(store, round_id, document.data, document.name, channel,
                message_id=f"{message_id}#{number}", **details)


def reading_of(consolidation: Consolidation) -> dict:
    """The JSON reading of one submission: Track Changes used, proposals and stances per
    paragraph (only paragraphs it touches), warnings and the delegation it was credited to."""
    summary = consolidation.submissions[0] if consolidation.submissions else None
    paragraphs = []
    for p in consolidation.paragraphs:
        if not p.proposals and not p.stances:
            continue
        paragraphs.append({
            "paragraph": p.id, "base_text": p.base_text, "new": p.new, "after": p.after,
            **proposals_and_stances(p),
        })
    warnings = list(summary.warnings) if summary else []
    # The consolidation repeats each file's warnings prefixed with its name: keep the other ones.
    prefix = f"{summary.file}: " if summary else "\0"
    warnings += [w for w in consolidation.warnings if not w.startswith(prefix) and w not in warnings]
    return {
        "delegation": (summary.delegation if summary else None) or _sole_delegation(consolidation),
        "tracked": summary.tracked if summary else False,
        "proposal_count": summary.proposals if summary else 0,
        "paragraphs": paragraphs,
        "stances": [without_sources(dataclasses.asdict(s)) for s in consolidation.stances],
        "warnings": warnings,
    }


def _sole_delegation(consolidation) -> str | None:
    """The one delegation every proposal and stance of a single submission is credited to, if any:
    how a file sent without a known sender is attributed from its Word authors."""
    names = {d for p in consolidation.paragraphs for x in (*p.proposals, *p.stances) for d in x.delegations}
    names |= {d for s in consolidation.stances for d in s.delegations}
    return names.pop() if len(names) == 1 else None


def read_submission(store: Store, round_row: Row, docx: bytes, name: str, delegation: str | None,
                    sender: str | None, arrived: datetime | None) -> dict:
    """Read one submission's .docx against the round's base (and the earlier rounds' bases, so a
    file marked up on an older draft is recognised): its reading (see ``reading_of``).
    Raises ``DocxioError`` when the document cannot be read."""
    round_base(round_row)  # the base first: every reading is against it
    draft = read_draft(docx, name)
    submission = Submission(draft=draft, file=name, delegation=delegation,
                            arrived=arrived.isoformat() if arrived else None, sender=sender)
    return reading_of(consolidate_in_round(store, round_row, [submission]))


def receive(store: Store, round_id: int, data: bytes, filename: str, channel: str,
            delegation_id: int | None = None, sender: str | None = None, message_id: str | None = None,
            subject: str | None = None, received_at: datetime | None = None) -> Row:
    """Store a submission, then read it; returns the stored submission row (with its reading).

    The bytes are stored before anything else; the same ``message_id`` twice in a negotiation is
    stored once (the first row is returned). A file that cannot be read is kept with ``error``
    set (and ``reading_json`` saying whether the format is unsupported or the file damaged).
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    kind = sniff(data)
    if kind in ("eml", "msg"):
        # Known before storing: the identity (Message-ID, else sha256) so a message is stored once,
        # and the first of its senders (From, Sender, Reply-To, forwarded original) the registry knows.
        found = envelope(data, filename)
        negotiation = store.round(round_id)
        registry = registry_of(store, negotiation.negotiation_id) if negotiation is not None else None
        message_id = message_id or found.identity
        sender = sender or found.sender_for(registry)
        subject, received_at = subject or found.subject, received_at or found.date
        known = registry.delegation_for_email(sender) if registry is not None and sender else None
        if delegation_id is None and known:
            delegation_id = store.delegation_by_name(negotiation.negotiation_id, known).id
    submission_id, created = store.add_submission(
        round_id, filename, data, channel, delegation_id=delegation_id, sender=sender,
        message_id=message_id, subject=subject, received_at=received_at)
    further = dict(delegation_id=delegation_id, sender=sender, subject=subject, received_at=received_at)
    if not created and store.submission(submission_id).kind != "unknown":
        _receive_further_documents(store, round_id, kind, data, filename, channel, message_id, **further)
        return store.submission(submission_id)
    # Stored now, or stored earlier by a process that died before reading it: read it.

    round_row = store.round(round_id)
    row = store.submission(submission_id)
    delegation = store.delegation(row.delegation_id) if row.delegation_id else None
    document = find_document(kind, data, filename)
    reading: dict | None = None
    error = document.problem if document.docx is None else None
    unsupported = document.unsupported
    found_delegation = None
    if document.docx is not None:
        try:
            reading = read_submission(store, round_row, document.docx, document.name,
                                      delegation.name if delegation else None,
                                      document.sender or sender, row.received_at)
        except UnsupportedFormatError as exc:
            error, unsupported = exc.problem, True
        except DocxioError as exc:
            error = exc.problem
        else:
            reading["warnings"] = list(document.notes) + reading["warnings"]
            if delegation is None and reading.get("delegation"):
                found = store.delegation_by_name(round_row.negotiation_id, reading["delegation"])
                found_delegation = found.id if found else None
    if error is not None:
        reading = {"unsupported": unsupported, "warnings": list(document.notes)}
    store.set_reading(submission_id, kind=kind, docx=document.docx if error is None else None,
                      reading=reading, error=error, delegation_id=found_delegation)
    _receive_further_documents(store, round_id, kind, data, filename, channel, message_id, **further)
    return store.submission(submission_id)
