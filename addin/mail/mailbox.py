"""The submissions mailbox: poll it over IMAP, store each message, move it to a processed folder.

Crash-safe by construction: a message is first stored through ``addin.intake.receive`` — which is
idempotent by Message-ID (or the sha256 of the bytes when there is none) — and only then moved out
of the inbox. A crash between the two leaves the message in the inbox; the next poll stores it
again, which is a no-op, and moves it. Nothing is lost, nothing is doubled. Receipts are owed in
the store until sent (``addin.mail.delivery``): each poll first sends those still owed, so a
poller killed before a receipt went out sends it on restart, and a re-fetched message whose
receipt was sent never gets a second one.

Run by the server when CONCORD_IMAP_ENABLED is on (``start_poller``), or by hand:
``python -m addin.mail.mailbox --once`` with the same CONCORD_* settings in the environment.
"""
from __future__ import annotations

import argparse
import imaplib
import logging
import re
import socket
import ssl
import sys
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any, Callable, Mapping

from flask import Flask

from addin.mail.delivery import deliver_to_store
from addin.mail.errors import MailboxError
from addin.mail.messages import sanitise_filename
from addin.mail.receipts import ReceiptError, SmtpSettings

log = logging.getLogger(__name__)

#: deliver(bytes, name) -> True when the message was newly stored, False when it already was.
Deliver = Callable[[bytes, str], bool]

__all__ = [
    "Deliver", "ImapSettings", "MailboxError", "PollReport", "connect", "encode_folder_name", "ensure_folder",
    "fetch", "main", "move", "pending_uids", "poll_once", "run", "start_poller",
]


@dataclass(frozen=True)
class ImapSettings:
    """The submissions mailbox (the CONCORD_IMAP_* settings)."""

    host: str
    port: int
    security: str
    user: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = "Concord-processed"
    ca_file: str | None = None
    interval: float = 60.0
    pause: float = 0.0
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ImapSettings":
        """The IMAP settings; raises ``MailboxError`` saying which setting is missing."""
        security = str(config.get("IMAP_SECURITY") or "tls").lower()
        if security not in ("tls", "starttls"):
            raise MailboxError(f"CONCORD_IMAP_SECURITY must be tls or starttls, not {security!r} "
                               "(the password never travels in clear)")
        for name in ("IMAP_HOST", "IMAP_USER", "IMAP_PASSWORD"):
            if not config.get(name):
                raise MailboxError(f"the mailbox is switched on but CONCORD_{name} is not set")
        port = config.get("IMAP_PORT") or (993 if security == "tls" else 143)
        return cls(
            host=str(config["IMAP_HOST"]), port=int(port), security=security,
            user=str(config["IMAP_USER"]), password=str(config["IMAP_PASSWORD"]),
            folder=str(config.get("IMAP_FOLDER") or "INBOX"),
            processed_folder=str(config.get("IMAP_PROCESSED_FOLDER") or "Concord-processed"),
            ca_file=config.get("IMAP_CA_FILE"), interval=float(config.get("IMAP_INTERVAL") or 60.0),
            pause=float(config.get("IMAP_PAUSE") or 0.0),
        )


@dataclass
class PollReport:
    """What one poll did: messages fetched, newly stored, already stored, moved; receipts owed
    from earlier polls and sent now; problems met."""

    fetched: int = 0
    stored: int = 0
    already_stored: int = 0
    moved: int = 0
    owed_receipts_sent: int = 0
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# IMAP


def connect(settings: ImapSettings) -> imaplib.IMAP4:
    """A logged-in IMAP connection over TLS or STARTTLS; ``MailboxError`` when that fails."""
    where = f"IMAP server {settings.host}:{settings.port}"
    context = ssl.create_default_context(cafile=settings.ca_file)
    try:
        if settings.security == "tls":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=context,
                                                    timeout=settings.timeout)
        else:
            conn = imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
            conn.starttls(ssl_context=context)
    except ssl.SSLError as exc:
        raise MailboxError(f"{where}: secure connection failed ({exc.reason or exc})") from exc
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(f"{where}: cannot connect ({exc})") from exc
    try:
        conn.login(settings.user, settings.password)
        # Servers announce more after login (MOVE, UIDPLUS): ask again so ``move`` can use them.
        typ, data = conn.capability()
        if typ == "OK" and data and isinstance(data[0], bytes):
            conn.capabilities = tuple(data[0].decode("ascii", "replace").upper().split())
    except imaplib.IMAP4.error as exc:
        _logout(conn)
        raise MailboxError(f"{where}: login refused for {settings.user} ({_text(exc)})") from exc
    return conn


def _logout(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except (OSError, imaplib.IMAP4.error):
        pass


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _mailbox_name(name: str) -> str:
    """A folder name as an IMAP astring: modified UTF-7 (RFC 3501 5.1.3) for names like "Traité",
    quoted when it has spaces or specials."""
    name = encode_folder_name(name)
    if re.fullmatch(r"[A-Za-z0-9_.\-/]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_folder_name(name: str) -> str:
    """A folder name in IMAP's modified UTF-7: ASCII as is ("&" as "&-"), other characters as
    "&" + base64 of their UTF-16 (with "," for "/") + "-"."""
    import base64

    out, pending = [], []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _check(where: str, result: tuple[str, list]) -> list:
    typ, data = result
    if typ != "OK":
        raise MailboxError(f"{where}: {_text(data)}")
    return data


def ensure_folder(conn: imaplib.IMAP4, name: str) -> None:
    """Create the folder unless it exists."""
    typ, data = conn.create(_mailbox_name(name))
    if typ != "OK" and b"ALREADYEXISTS" not in b" ".join(d for d in data if isinstance(d, bytes)).upper():
        # Servers without the ALREADYEXISTS code: it exists when it can be examined.
        if conn.status(_mailbox_name(name), "(MESSAGES)")[0] != "OK":
            raise MailboxError(f"cannot create the folder {name}: {_text(data)}")


def pending_uids(conn: imaplib.IMAP4) -> list[bytes]:
    """The UIDs of the messages waiting in the selected folder, oldest first."""
    data = _check("search", conn.uid("SEARCH", "UNDELETED"))
    return sorted((u for u in b" ".join(d for d in data if d).split()), key=int)


def fetch(conn: imaplib.IMAP4, uid: bytes) -> bytes | None:
    """The exact bytes of one message (without marking it read), or None when it is gone."""
    data = _check(f"fetch {uid.decode()}", conn.uid("FETCH", uid, "(BODY.PEEK[])"))
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def move(conn: imaplib.IMAP4, uid: bytes, folder: str, use_move: bool | None = None) -> None:
    """Move one message: UID MOVE where the server has it, else COPY, flag \\Deleted, expunge it."""
    capabilities = {c.upper() for c in conn.capabilities}
    if use_move is None:
        use_move = "MOVE" in capabilities
    target = _mailbox_name(folder)
    if use_move:
        _check(f"move {uid.decode()}", conn.uid("MOVE", uid, target))
        return
    _check(f"copy {uid.decode()}", conn.uid("COPY", uid, target))
    _check(f"flag {uid.decode()}", conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"))
    if "UIDPLUS" in capabilities:
        _check(f"expunge {uid.decode()}", conn.uid("EXPUNGE", uid))
    else:
        _check("expunge", conn.expunge())


def poll_once(settings: ImapSettings, deliver: Deliver) -> PollReport:
    """Fetch every waiting message, deliver (store) it, then move it to the processed folder.

    A message whose delivery raises stays in the inbox (retried next poll) and is reported; the
    batch goes on. Connection problems raise ``MailboxError``. First, when ``deliver`` keeps
    receipts (a ``StoreDelivery``), the receipts still owed from earlier polls are sent.
    """
    report = PollReport()
    send_owed = getattr(deliver, "send_owed_receipts", None)
    if send_owed is not None:
        try:
            report.owed_receipts_sent = send_owed()
        except Exception as exc:  # a receipt problem must not keep the mail in the inbox
            log.exception("could not send the owed receipts")
            report.problems.append(f"owed receipts: {exc}")
    conn = connect(settings)
    try:
        ensure_folder(conn, settings.processed_folder)
        _check(f"select {settings.folder}", conn.select(_mailbox_name(settings.folder)))
        uids = pending_uids(conn)
        for number, uid in enumerate(uids):
            if number and settings.pause:
                time.sleep(settings.pause)
            data = fetch(conn, uid)
            if data is None:
                continue
            report.fetched += 1
            try:
                created = deliver(data, _message_name(data))
            except Exception as exc:  # one bad message must not stop the batch; it stays in the inbox
                log.exception("could not store message UID %s", uid.decode())
                report.problems.append(f"message UID {uid.decode()}: {exc}")
                continue
            report.stored += bool(created)
            report.already_stored += not created
            move(conn, uid, settings.processed_folder)
            report.moved += 1
    except (OSError, imaplib.IMAP4.error, socket.timeout) as exc:
        raise MailboxError(f"IMAP server {settings.host}:{settings.port}: {exc}") from exc
    finally:
        _logout(conn)
    return report


def _message_name(data: bytes) -> str:
    """The name a fetched message is stored under: its subject, as an .eml file."""
    try:
        subject = str(BytesHeaderParser().parsebytes(data[:65536]).get("Subject") or "")
    except Exception:
        subject = ""
    from email.header import decode_header, make_header

    try:
        subject = str(make_header(decode_header(subject)))
    except Exception:
        pass
    return sanitise_filename(subject[:80], "message/rfc822").removesuffix(".eml") + ".eml" if subject.strip() else "message.eml"


# --------------------------------------------------------------------------------------------
# Running


def run(settings: ImapSettings, deliver: Deliver, stop: threading.Event) -> None:
    """Poll every ``settings.interval`` seconds until ``stop`` is set; problems are logged and the
    next poll tries again (a mail server restarting must not stop intake)."""
    while not stop.is_set():
        try:
            report = poll_once(settings, deliver)
            if report.fetched or report.owed_receipts_sent:
                log.info("mailbox: %d fetched, %d stored, %d already stored, %d moved, %d owed receipt(s) sent",
                         report.fetched, report.stored, report.already_stored, report.moved,
                         report.owed_receipts_sent)
            for problem in report.problems:
                log.warning("mailbox: %s", problem)
        except MailboxError as exc:
            log.warning("mailbox: %s", exc)
        stop.wait(settings.interval)


def start_poller(app: Flask) -> threading.Thread | None:
    """Start polling in a daemon thread when CONCORD_IMAP_ENABLED is on; None when it is off."""
    if not app.config.get("IMAP_ENABLED"):
        return None
    settings = ImapSettings.from_config(app.config)
    deliver = _configured_deliver(app.extensions["concord_store"], app.config)
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(settings, deliver, stop), name="concord-mailbox", daemon=True)
    app.extensions["concord_mailbox_stop"] = stop
    thread.start()
    return thread


def _configured_deliver(store, config: Mapping[str, Any]) -> Deliver:
    smtp = SmtpSettings.from_config(config)
    return deliver_to_store(store, config.get("IMAP_NEGOTIATION"), smtp)


def main(argv: list[str] | None = None) -> int:
    """``python -m addin.mail.mailbox [--once]``: poll with the CONCORD_* settings of the environment."""
    from addin.config import SETTINGS, from_environment
    from addin.store import Store

    parser = argparse.ArgumentParser(prog="python -m addin.mail.mailbox", description=main.__doc__)
    parser.add_argument("--once", action="store_true", help="poll once and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = {s.name: s.default for s in SETTINGS}
    config.update(from_environment())
    if not config.get("DATABASE_URL"):
        print("CONCORD_DATABASE_URL is not set", file=sys.stderr)
        return 2
    store = Store(config["DATABASE_URL"])
    try:
        settings = ImapSettings.from_config(config)
        deliver = _configured_deliver(store, config)
        if args.once:
            report = poll_once(settings, deliver)
            print(f"{report.fetched} fetched, {report.stored} stored, {report.already_stored} already stored, "
                  f"{report.moved} moved, {report.owed_receipts_sent} owed receipt(s) sent")
            for problem in report.problems:
                print(problem, file=sys.stderr)
            return 1 if report.problems else 0
        run(settings, deliver, threading.Event())
    except (MailboxError, ReceiptError) as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
