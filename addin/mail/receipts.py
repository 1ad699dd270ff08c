"""The receipt a delegation gets back by mail: what was received and what Concord read in it.

``build_receipt`` is pure (values in, an ``EmailMessage`` out, plain text plus simple HTML);
``send_receipt`` hands it to the SMTP server from settings (STARTTLS, TLS, or none for a relay on
localhost). The receipt lists each document with its delegation, the proposals read per paragraph,
and the warnings a delegate can act on (Track Changes off, older round, unknown author).
"""
from __future__ import annotations

import html
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Mapping

QUOTE_CHARS = 90


class ReceiptError(Exception):
    """The receipt could not be sent: the message names the SMTP server and the problem."""


class ReceiptRefused(ReceiptError):
    """The SMTP server refused the receipt for good (a 5xx reply): sending it again cannot help."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where receipts are sent through (the CONCORD_SMTP_* settings)."""

    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "SmtpSettings | None":
        """The SMTP settings, or None when receipts are switched off."""
        if not config.get("SMTP_ENABLED"):
            return None
        security = str(config.get("SMTP_SECURITY") or "starttls").lower()
        if security not in ("starttls", "tls", "none"):
            raise ReceiptError(f"CONCORD_SMTP_SECURITY must be starttls, tls or none, not {security!r}")
        if not config.get("SMTP_HOST") or not config.get("SMTP_FROM"):
            raise ReceiptError("receipts are switched on but CONCORD_SMTP_HOST or CONCORD_SMTP_FROM is not set")
        port = config.get("SMTP_PORT") or {"starttls": 587, "tls": 465, "none": 25}[security]
        return cls(str(config["SMTP_HOST"]), int(port), security, str(config["SMTP_FROM"]),
                   config.get("SMTP_USER"), config.get("SMTP_PASSWORD"), config.get("SMTP_CA_FILE"))


@dataclass(frozen=True)
class ReceivedDocument:
    """One document of the message as intake stored it: its name, the delegation it was credited
    to, the reading (``addin.intake.reading_of``'s JSON) or the error that kept it from being read."""

    name: str
    delegation: str | None = None
    reading: dict | None = None
    error: str | None = None


def build_receipt(
    *, to: str, sender: str, subject: str, received_at: datetime | None,
    documents: list[ReceivedDocument], message_reading: str | None = None,
    in_reply_to: str | None = None, notes: tuple[str, ...] = (),
) -> EmailMessage:
    """The receipt for one message, addressed to ``to`` from the secretariat's ``sender``.

    ``message_reading`` is the message's own reading ("no Word document attached"...), shown first.
    The receipt is marked ``Auto-Submitted: auto-replied`` so that mail systems do not answer it.
    """
    lines, parts = _content(subject, received_at, documents, message_reading, notes)
    receipt = EmailMessage()
    receipt["From"] = sender
    receipt["To"] = to
    receipt["Subject"] = f"Received: {subject}" if subject else "Received: your submission"
    receipt["Date"] = format_datetime(datetime.now().astimezone())
    receipt["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    receipt["Auto-Submitted"] = "auto-replied"
    if in_reply_to and not in_reply_to.startswith("sha256:"):
        receipt["In-Reply-To"] = in_reply_to
        receipt["References"] = in_reply_to
    receipt.set_content("\n".join(lines) + "\n")
    receipt.add_alternative(_html(parts), subtype="html")
    return receipt


def _content(subject, received_at, documents, message_reading, notes):
    """The receipt as text lines and as (kind, text) parts for the HTML rendering."""
    when = f" sent on {received_at:%d %B %Y at %H:%M %Z}".rstrip() if received_at else ""
    intro = f'The secretariat received your message "{subject or "(no subject)"}"{when}.'
    lines, parts = [intro, ""], [("p", intro)]
    if message_reading:
        lines += [f"Please note: {message_reading}.", ""]
        parts.append(("warning", f"Please note: {message_reading}."))
    for document in documents:
        title = _document_title(document)
        lines += [title, "-" * min(len(title), 70)]
        parts.append(("h", title))
        for paragraph_id, items in _proposals_by_paragraph(document.reading):
            lines.append(f"  {paragraph_id}:")
            for item in items:
                lines.append(f"    - {item}")
            parts.append(("paragraph", (paragraph_id, items)))
        warnings = [w for w in _warnings(document) if w != message_reading]
        if warnings:
            lines.append("  Warnings:")
            lines += [f"    ! {w}" for w in warnings]
            parts += [("warning", w) for w in warnings]
        lines.append("")
    for note in notes:
        lines.append(f"Note: {note}")
        parts.append(("p", f"Note: {note}"))
    closing = "This is an automatic receipt; reply to this address if something is not as you sent it."
    lines += ["", closing]
    parts.append(("p", closing))
    return lines, parts


def _document_title(document: ReceivedDocument) -> str:
    who = f" — {document.delegation}" if document.delegation else " — delegation not recognised"
    if document.error:
        return f"{document.name}{who}: not read ({document.error})"
    reading = document.reading or {}
    count = int(reading.get("proposal_count") or 0)
    touched = len(reading.get("paragraphs") or [])
    stances = sum(len(p.get("stances") or []) for p in reading.get("paragraphs") or [])
    stances += len(reading.get("stances") or [])
    summary = f"{count} proposal{'s' if count != 1 else ''} in {touched} paragraph{'s' if touched != 1 else ''}"
    if stances:
        summary += f", {stances} stance{'s' if stances != 1 else ''}"
    return f"{document.name}{who}: {summary}"


def _proposals_by_paragraph(reading: dict | None) -> list[tuple[str, list[str]]]:
    found = []
    for paragraph in (reading or {}).get("paragraphs") or []:
        items = [describe_proposal(p) for p in paragraph.get("proposals") or []]
        items += [describe_stance(s) for s in paragraph.get("stances") or []]
        label = paragraph.get("paragraph") or "?"
        if paragraph.get("new") and paragraph.get("after"):
            label = f"{label} (new, after {paragraph['after']})"
        if items:
            found.append((label, items))
    for stance in (reading or {}).get("stances") or []:
        found.append(("whole draft", [describe_stance(stance)]))
    return found


def describe_proposal(proposal: dict) -> str:
    """One proposal in words: 'insert "and abuse"', 'replace "X" with "Y"'."""
    kind = proposal.get("kind", "")
    inserted, deleted = _quote(proposal.get("inserted", "")), _quote(proposal.get("deleted", ""))
    if kind == "insert":
        return f"insert {inserted}"
    if kind == "delete":
        return f"delete {deleted}"
    if kind == "replace":
        return f"replace {deleted} with {inserted}"
    if kind == "new_paragraph":
        return f"new paragraph {inserted}"
    if kind == "delete_paragraph":
        return "delete the paragraph"
    if kind == "move":
        return f"move the paragraph after {proposal.get('moved_to') or '?'}"
    if kind == "footnote":
        return f"footnote {inserted}"
    return f"{kind} {inserted or deleted}".strip()


def describe_stance(stance: dict) -> str:
    """A stance in words: 'reservation (on "illicit")'."""
    text = str(stance.get("stance") or "comment")
    anchor = stance.get("anchor")
    return f"{text} (on {_quote(anchor)})" if anchor else text


def _warnings(document: ReceivedDocument) -> list[str]:
    reading = document.reading or {}
    warnings = [str(w) for w in reading.get("warnings") or []]
    if document.error is None and reading and not reading.get("tracked", True) \
            and int(reading.get("proposal_count") or 0) > 0 \
            and not any("track changes" in w.lower() for w in warnings):
        warnings.insert(0, "Track Changes was off: the edits were found by comparing with the base draft")
    if document.error is None and not document.delegation:
        warnings.append("the sender is not in the delegation registry: the secretariat will attribute the proposals")
    return list(dict.fromkeys(warnings))


def _quote(text: str) -> str:
    text = " ".join(str(text or "").split())
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1] + "…"
    return f"“{text}”"


def _html(parts: list[tuple[str, Any]]) -> str:
    out = ['<html><body style="font-family: sans-serif">']
    for kind, value in parts:
        if kind == "h":
            out.append(f"<h3>{html.escape(value)}</h3>")
        elif kind == "warning":
            out.append(f'<p style="color:#a40">&#9888; {html.escape(value)}</p>')
        elif kind == "paragraph":
            paragraph_id, items = value
            out.append(f"<p><b>{html.escape(paragraph_id)}</b></p><ul>")
            out += [f"<li>{html.escape(item)}</li>" for item in items]
            out.append("</ul>")
        else:
            out.append(f"<p>{html.escape(value)}</p>")
    out.append("</body></html>")
    return "\n".join(out)


def send_receipt(settings: SmtpSettings, receipt: EmailMessage) -> None:
    """Send a receipt through the SMTP server; raises ``ReceiptError`` naming server and problem."""
    where = f"SMTP server {settings.host}:{settings.port}"
    context = ssl.create_default_context(cafile=settings.ca_file)
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, settings.password or "")
            client.send_message(receipt)
    except smtplib.SMTPAuthenticationError as exc:
        raise ReceiptError(f"{where}: login refused for {settings.user} ({exc.smtp_code})") from exc
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        if _refused_for_good(exc):
            raise ReceiptRefused(f"{where}: refused ({exc})") from exc
        raise ReceiptError(f"{where}: {exc}") from exc
    except ssl.SSLError as exc:
        raise ReceiptError(f"{where}: secure connection failed ({exc.reason or exc})") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise ReceiptError(f"{where}: {exc}") from exc


def _refused_for_good(exc: smtplib.SMTPException) -> bool:
    """True for a permanent (5xx) refusal; a 4xx reply (greylisting, a full queue) is temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
    else:
        codes = [getattr(exc, "smtp_code", 0)]
    return bool(codes) and all(500 <= int(code) < 600 for code in codes)
