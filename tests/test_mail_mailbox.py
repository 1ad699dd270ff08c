"""The submissions mailbox against real servers on 127.0.0.1: Dovecot (IMAPS and STARTTLS, a
user-space instance with its own config, passwd-file login and a generated certificate) and an
aiosmtpd SMTP server receiving the receipts.

Messages are fetched, stored once through intake, moved to the processed folder; receipts arrive
with the right content; a poller killed with SIGKILL mid-batch and restarted loses and doubles
nothing.
"""
from __future__ import annotations

import email
import email.policy
import imaplib
import io
import os
import pwd
import grp
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from conftest import require_program

from addin.mail import mailbox as imap
from addin.mail.delivery import deliver_to_store
from addin.mail.mailbox import ImapSettings, MailboxError, poll_once
from addin.mail.messages import PDF_ONLY
from addin.mail.receipts import SmtpSettings
from addin.store import Store

pytestmark = pytest.mark.mail

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
USER, PASSWORD = "secretariat", "s3cret-Pa55"
PROCESSED = "Concord processed"  # with a space: folder names must be quoted on the wire


# ------------------------------------------------------------------------------------------
# Documents and messages


def _docx_from_text(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def base_draft() -> bytes:
    """The round's base: the sample base draft when the samples exist, else a small one."""
    sample = SAMPLES / "base.docx"
    if sample.exists():
        return sample.read_bytes()
    return _docx_from_text("PP1. Concerned about the increase in trafficking", "1. Calls upon Member States")


def submission(name: str, fallback_text: str) -> tuple[str, bytes]:
    """A sample submission (Word tracked changes made by LibreOffice) when present, else a
    python-docx markup of the small base."""
    sample = SAMPLES / "submissions" / name
    if sample.exists():
        return name, sample.read_bytes()
    return name, _docx_from_text("PP1. Concerned about the increase in trafficking " + fallback_text,
                                 "1. Calls upon Member States")


def message(sender: str, subject: str, attachments: list[tuple[str, bytes, str]], reply_to: str | None = None) -> bytes:
    """An RFC 5322 message with CRLF line ends, as a mail client submits it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "submissions@unodc.example"
    mail["Subject"] = subject
    mail["Date"] = email.utils.format_datetime(datetime(2027, 3, 1, 10, 0, tzinfo=timezone.utc))
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">"))
    if reply_to:
        mail["Reply-To"] = reply_to
    mail.set_content("Dear secretariat, please find our proposals attached.")
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes(policy=email.policy.SMTP)


def message_id_of(data: bytes) -> str:
    return email.message_from_bytes(data)["Message-ID"]


# ------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the tests' CA file too)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Dovecot:
    """A running Dovecot instance and a way to look into its mailbox."""

    imap_port: int
    imaps_port: int
    ca_file: str

    def settings(self, security: str = "tls", **changes) -> ImapSettings:
        port = self.imaps_port if security == "tls" else self.imap_port
        values = dict(host="127.0.0.1", port=port, security=security, user=USER, password=PASSWORD,
                      processed_folder=PROCESSED, ca_file=self.ca_file, interval=0.2)
        values.update(changes)
        return ImapSettings(**values)

    def client(self) -> imaplib.IMAP4_SSL:
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port,
                                 ssl_context=ssl.create_default_context(cafile=self.ca_file))
        conn.login(USER, PASSWORD)
        return conn

    def append(self, *messages: bytes) -> None:
        conn = self.client()
        try:
            for data in messages:
                assert conn.append("INBOX", None, None, data)[0] == "OK"
        finally:
            conn.logout()

    def message_ids(self, folder: str) -> list[str]:
        """The Message-IDs in a folder (a folder that does not exist is empty)."""
        conn = self.client()
        try:
            if conn.select(imap._mailbox_name(folder), readonly=True)[0] != "OK":
                return []
            typ, data = conn.uid("SEARCH", "ALL")
            found = []
            for uid in data[0].split():
                typ, parts = conn.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                found.append(email.message_from_bytes(parts[0][1])["Message-ID"])
            return found
        finally:
            conn.logout()


DOVECOT_CONF = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{dir}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def _unprivileged_user() -> tuple[str, str]:
    """Dovecot runs as an unprivileged user: ourselves, or `nobody` when the tests run as root."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, grp.getgrgid(os.getegid()).gr_name
    entry = pwd.getpwnam("nobody")
    return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"dovecot did not listen on {port}: {log.read_text() if log.exists() else ''}")


@pytest.fixture
def dovecot():
    program = require_program("dovecot")
    user, group = _unprivileged_user()
    # Not under pytest's tmp_path: its parents are private to root, and Dovecot runs as `user`.
    folder = Path(tempfile.mkdtemp(prefix="concord-dovecot-"))
    make_certificate(folder)
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    ports = free_port(), free_port()
    (folder / "dovecot.conf").write_text(DOVECOT_CONF.format(
        dir=folder, user=user, group=group, imap_port=ports[0], imaps_port=ports[1]))
    if os.geteuid() == 0:
        for path in [folder, *folder.rglob("*")]:
            shutil.chown(path, user, group)
    process = subprocess.Popen(
        [program, "-F", "-c", str(folder / "dovecot.conf")],
        user=user if os.geteuid() == 0 else None, group=group if os.geteuid() == 0 else None,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(ports[1], process, folder / "dovecot.log")
        _wait_for_port(ports[0], process, folder / "dovecot.log")
        yield Dovecot(ports[0], ports[1], str(folder / "cert.pem"))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


class Receipts:
    """An aiosmtpd handler keeping each message it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 10) -> list:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def smtp(tmp_path):
    from aiosmtpd.controller import Controller

    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Receipts()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield handler, SmtpSettings("127.0.0.1", port, "starttls", "submissions@unodc.example", ca_file=str(cert))
    finally:
        controller.stop()


@pytest.fixture
def store(tmp_path):
    """A store with one negotiation, its round 1, and three delegations with their addresses."""
    found = Store(f"sqlite:///{tmp_path / 'concord.sqlite3'}")
    negotiation = found.create_negotiation("ICT and drug trafficking", "E/CN.7/2027/L.5")
    found.add_round(negotiation, "base.docx", base_draft())
    found.upsert_delegation(negotiation, "Egypt", "", "@egypt.example")
    found.upsert_delegation(negotiation, "Singapore", "", "mission@singapore.example")
    found.upsert_delegation(negotiation, "Iran", "", "@iran.example")
    yield found
    found.close()


def stored(store: Store) -> list:
    round_row = store.current_round(store.negotiations()[0].id)
    return store.submissions(round_row.id)


POLL_ONCE = [sys.executable, "-m", "addin.mail.mailbox", "--once"]


def poller_env(dovecot: Dovecot, smtp_settings: SmtpSettings, store: Store, **changes: str) -> dict[str, str]:
    """The environment of ``python -m addin.mail.mailbox``: these servers, this store, receipts on."""
    settings = dovecot.settings("tls")
    env = dict(
        os.environ, CONCORD_DATABASE_URL=store.url, CONCORD_IMAP_HOST=settings.host,
        CONCORD_IMAP_PORT=str(settings.port), CONCORD_IMAP_SECURITY="tls", CONCORD_IMAP_USER=USER,
        CONCORD_IMAP_PASSWORD=PASSWORD, CONCORD_IMAP_CA_FILE=settings.ca_file,
        CONCORD_IMAP_PROCESSED_FOLDER=PROCESSED,
        CONCORD_SMTP_ENABLED="1", CONCORD_SMTP_HOST=smtp_settings.host, CONCORD_SMTP_PORT=str(smtp_settings.port),
        CONCORD_SMTP_SECURITY="starttls", CONCORD_SMTP_FROM=smtp_settings.sender,
        CONCORD_SMTP_CA_FILE=smtp_settings.ca_file,
    )
    env.update(changes)
    return env


@pytest.fixture
def silent_smtp():
    """A port that accepts connections and never answers (an SMTP server hung): a poller sending a
    receipt there is stuck before the receipt is sent. Yields the port and the connections taken."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except (socket.timeout, OSError):
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        for conn in accepted:
            conn.close()


# ------------------------------------------------------------------------------------------
# The tests


def test_poll_stores_each_message_once_moves_it_and_sends_receipts(dovecot, smtp, store):
    handler, smtp_settings = smtp
    egypt_doc = submission("L5 ICT draft EGY.docx", "by Egypt")
    singapore_doc = submission("CND L5 - Singapore.docx", "by Singapore")
    egypt = message("Egypt Mission <delegate@egypt.example>", "L.5 - Egypt proposals", [(*egypt_doc, DOCX)])
    singapore = message("Tan <tan.delegate@gmail.example>", "Singapore markup L.5", [(*singapore_doc, DOCX)],
                        reply_to="Singapore Mission <mission@singapore.example>")
    iran = message("Iran <delegate@iran.example>", "L.5 Iran", [("L5 Iran.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")])
    spam = message("Winner <prize@lottery.example>", "You won", [])
    dovecot.append(egypt, singapore, iran, spam)

    report = poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=smtp_settings))

    assert (report.fetched, report.stored, report.already_stored, report.moved) == (4, 4, 0, 4)
    assert dovecot.message_ids("INBOX") == []
    assert sorted(dovecot.message_ids(PROCESSED)) == sorted(message_id_of(m) for m in (egypt, singapore, iran, spam))

    rows = stored(store)
    assert [r.message_id for r in rows].count(message_id_of(egypt)) == 1 and len(rows) == 4
    by_id = {r.message_id: store.submission(r.id) for r in rows}
    negotiation = store.negotiations()[0].id
    names = {d.id: d.name for d in store.delegations(negotiation)}
    assert by_id[message_id_of(egypt)].content == egypt  # the exact bytes fetched are kept
    assert by_id[message_id_of(egypt)].channel == "email"
    assert by_id[message_id_of(egypt)].subject == "L.5 - Egypt proposals"
    assert names[by_id[message_id_of(egypt)].delegation_id] == "Egypt"
    assert names[by_id[message_id_of(singapore)].delegation_id] == "Singapore"  # through Reply-To
    assert by_id[message_id_of(singapore)].docx == singapore_doc[1]
    assert by_id[message_id_of(iran)].error == PDF_ONLY

    receipts = {tuple(to): receipt for to, receipt in handler.wait_for(3)}
    # The unknown sender without a document is kept but not answered (no backscatter).
    assert set(receipts) == {("delegate@egypt.example",), ("mission@singapore.example",), ("delegate@iran.example",)}
    egypt_receipt = receipts[("delegate@egypt.example",)]
    assert egypt_receipt["Subject"] == "Received: L.5 - Egypt proposals"
    assert egypt_receipt["In-Reply-To"] == message_id_of(egypt)
    assert egypt_receipt["Auto-Submitted"] == "auto-replied"
    text = egypt_receipt.get_body(("plain",)).get_content()
    html = egypt_receipt.get_body(("html",)).get_content()
    import json

    reading = json.loads(by_id[message_id_of(egypt)].reading_json)
    assert f"{egypt_doc[0]} — Egypt: {reading['proposal_count']} proposal" in text
    assert reading["paragraphs"], "the Egypt submission proposes something"
    for paragraph in reading["paragraphs"]:
        assert f"  {paragraph['paragraph']}" in text and paragraph["paragraph"] in html
    for warning in reading["warnings"]:
        assert warning in text
    iran_text = receipts[("delegate@iran.example",)].get_body(("plain",)).get_content()
    assert "Please note: PDF only: please send the Word file." in iran_text

    # Nothing new: nothing fetched, no second receipt.
    again = poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=smtp_settings))
    assert again.fetched == 0 and len(stored(store)) == 4
    # The same message sent again is moved, not stored twice, and gets no second receipt.
    dovecot.append(egypt)
    resent = poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=smtp_settings))
    assert (resent.fetched, resent.stored, resent.already_stored, resent.moved) == (1, 0, 1, 1)
    assert len(stored(store)) == 4
    time.sleep(0.3)
    assert len(handler.received) == 3


def test_starttls_path_and_untracked_edits_warn_in_the_receipt(dovecot, smtp, store):
    handler, smtp_settings = smtp
    markup = _docx_from_text("PP1. A paragraph Iran rewrote without Track Changes", "1. Calls upon Member States")
    data = message("Iran <delegate@iran.example>", "Iran L.5", [("Iran L5.docx", markup, DOCX)])
    dovecot.append(data)
    settings = dovecot.settings("starttls", processed_folder="Traité — Concord")  # a non-ASCII folder
    report = poll_once(settings, deliver_to_store(store, smtp=smtp_settings))
    assert (report.stored, report.moved) == (1, 1)
    assert dovecot.message_ids("INBOX") == [] and dovecot.message_ids("Traité — Concord") == [message_id_of(data)]
    [(to, receipt)] = handler.wait_for(1)
    text = receipt.get_body(("plain",)).get_content()
    assert to == ["delegate@iran.example"]
    assert "Iran L5.docx — Iran:" in text
    assert "Track Changes" in text  # the edits were made with Track Changes off


def test_crash_between_storing_and_moving_neither_loses_nor_doubles(dovecot, smtp, store):
    handler, smtp_settings = smtp
    data = message("Egypt <delegate@egypt.example>", "Egypt L.5", [(*submission("L5 ICT draft EGY.docx", "x"), DOCX)])
    dovecot.append(data)
    deliver = deliver_to_store(store, smtp=smtp_settings)
    # The poller stores the message, then "crashes" before moving it.
    conn = imap.connect(dovecot.settings("tls"))
    conn.select("INBOX")
    [uid] = imap.pending_uids(conn)
    assert deliver(imap.fetch(conn, uid), "Egypt L.5.eml") is True
    conn.logout()
    assert dovecot.message_ids("INBOX") == [message_id_of(data)]

    report = poll_once(dovecot.settings("tls"), deliver)
    assert (report.fetched, report.stored, report.already_stored, report.moved) == (1, 0, 1, 1)
    assert [r.message_id for r in stored(store)] == [message_id_of(data)]
    assert dovecot.message_ids("INBOX") == [] and dovecot.message_ids(PROCESSED) == [message_id_of(data)]
    time.sleep(0.3)
    assert len(handler.wait_for(1)) == 1


def test_killed_poller_restarted_loses_and_doubles_nothing(dovecot, smtp, store, tmp_path):
    handler, smtp_settings = smtp
    docs = [_docx_from_text(f"PP1. Concerned about the increase in trafficking, proposal {n}") for n in range(5)]
    batch = [message(f"Delegate {n} <d{n}@egypt.example>", f"Egypt proposal {n}", [(f"E{n}.docx", docs[n], DOCX)])
             for n in range(5)]
    dovecot.append(*batch)
    env = poller_env(dovecot, smtp_settings, store, CONCORD_IMAP_PAUSE="2")
    command = POLL_ONCE
    output = tmp_path / "poller.log"
    with open(output, "wb") as log:
        poller = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not stored(store) and time.monotonic() < deadline and poller.poll() is None:
        time.sleep(0.02)
    poller.send_signal(signal.SIGKILL)
    poller.wait()
    assert poller.returncode == -signal.SIGKILL, output.read_text()
    first = len(stored(store))
    assert 1 <= first < 5, "the poller was killed mid-batch"
    assert len(dovecot.message_ids("INBOX")) >= 5 - first

    env["CONCORD_IMAP_PAUSE"] = "0"
    restarted = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr.decode()

    ids = sorted(message_id_of(m) for m in batch)
    rows = stored(store)
    assert sorted(r.message_id for r in rows) == ids  # every message once: none lost, none doubled
    assert all(store.submission(r.id).kind == "eml" and r.error is None for r in rows), "each one was read"
    assert {r.message_id: store.submission(r.id).docx for r in rows} == \
        {message_id_of(m): docs[n] for n, m in enumerate(batch)}
    assert dovecot.message_ids("INBOX") == []
    assert sorted(dovecot.message_ids(PROCESSED)) == ids
    handler.wait_for(4)
    time.sleep(0.3)
    recipients = [to[0] for to, _ in handler.received]
    assert len(recipients) == len(set(recipients)), "no message got two receipts"
    # The message being handled at the kill was owed its receipt: the restarted poller sent it.
    assert sorted(recipients) == [f"d{n}@egypt.example" for n in range(5)]


def test_poller_killed_before_sending_the_receipt_sends_it_once_when_restarted(
        dovecot, smtp, silent_smtp, store, tmp_path):
    handler, smtp_settings = smtp
    silent_port, connections = silent_smtp
    name, markup = submission("L5 ICT draft EGY.docx", "by Egypt")
    data = message("Egypt Mission <delegate@egypt.example>", "L.5 - Egypt proposals", [(name, markup, DOCX)])
    dovecot.append(data)
    # The first poller stores the message, reads it, then hangs on an SMTP server that never
    # answers: killed there, it has stored the submission and sent no receipt.
    with open(tmp_path / "poller.log", "wb") as log:
        poller = subprocess.Popen(POLL_ONCE, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                  env=poller_env(dovecot, smtp_settings, store, CONCORD_SMTP_PORT=str(silent_port)))
    deadline = time.monotonic() + 60
    while not connections and time.monotonic() < deadline and poller.poll() is None:
        time.sleep(0.02)
    poller.send_signal(signal.SIGKILL)
    poller.wait()
    assert connections and poller.returncode == -signal.SIGKILL, (tmp_path / "poller.log").read_text()
    [row] = stored(store)
    assert row.message_id == message_id_of(data) and store.submission(row.id).kind == "eml"
    assert dovecot.message_ids("INBOX") == [message_id_of(data)]  # not moved: killed before that
    assert handler.received == []

    env = poller_env(dovecot, smtp_settings, store)
    restarted = subprocess.run(POLL_ONCE, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr.decode()
    [(to, receipt)] = handler.wait_for(1)
    assert to == ["delegate@egypt.example"] and receipt["In-Reply-To"] == message_id_of(data)
    assert f"{name} — Egypt:" in receipt.get_body(("plain",)).get_content()
    assert [r.message_id for r in stored(store)] == [message_id_of(data)]
    assert dovecot.message_ids("INBOX") == [] and dovecot.message_ids(PROCESSED) == [message_id_of(data)]

    # Polled again, and the same message sent again: still exactly one receipt.
    dovecot.append(data)
    for _ in range(2):
        again = subprocess.run(POLL_ONCE, cwd=ROOT, env=env, capture_output=True, timeout=300)
        assert again.returncode == 0, again.stderr.decode()
    assert dovecot.message_ids("INBOX") == [] and len(stored(store)) == 1
    time.sleep(0.3)
    assert len(handler.received) == 1


def test_receipt_owed_while_smtp_is_down_is_sent_once_by_a_later_poll(dovecot, smtp, store):
    handler, smtp_settings = smtp
    egypt = message("Egypt <delegate@egypt.example>", "Egypt L.5", [("E.docx", _docx_from_text("PP1. e"), DOCX)])
    iran = message("Iran <delegate@iran.example>", "Iran L.5", [("I.docx", _docx_from_text("PP1. i"), DOCX)])
    dovecot.append(egypt, iran)
    down = SmtpSettings("127.0.0.1", free_port(), "starttls", smtp_settings.sender, ca_file=smtp_settings.ca_file)

    report = poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=down))
    # Stored and moved all the same: a receipt that cannot be sent never holds mail in the inbox.
    assert (report.stored, report.moved, report.problems) == (2, 2, [])
    assert dovecot.message_ids("INBOX") == []

    later = poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=smtp_settings))
    assert (later.fetched, later.owed_receipts_sent) == (0, 2)
    assert sorted(to[0] for to, _ in handler.wait_for(2)) == ["delegate@egypt.example", "delegate@iran.example"]
    assert poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=smtp_settings)).owed_receipts_sent == 0
    time.sleep(0.3)
    assert len(handler.received) == 2


def test_receipt_refused_by_the_smtp_server_is_not_retried_and_does_not_block_others(dovecot, store, tmp_path):
    from aiosmtpd.controller import Controller

    class Refusing(Receipts):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("gone@"):
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    handler = Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        relay = SmtpSettings("127.0.0.1", controller.port, "none", "submissions@unodc.example")
        gone = message("Gone <gone@egypt.example>", "Old address", [("G.docx", _docx_from_text("PP1. g"), DOCX)])
        egypt = message("Egypt <delegate@egypt.example>", "Egypt L.5", [("E.docx", _docx_from_text("PP1. e"), DOCX)])
        dovecot.append(gone, egypt)
        # Both receipts are owed (the relay was down), the one refused first in line.
        down = SmtpSettings("127.0.0.1", free_port(), "none", relay.sender)
        assert poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=down)).moved == 2
        later = poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=relay))
        assert later.owed_receipts_sent == 1
        assert [to for to, _ in handler.wait_for(1)] == [["delegate@egypt.example"]]
        again = poll_once(dovecot.settings("tls"), deliver_to_store(store, smtp=relay))
        assert again.owed_receipts_sent == 0
        negotiation = store.negotiations()[0].id
        refused = store.receipt(negotiation, message_id_of(gone))
        assert refused.state == "not sent" and "550" in refused.note  # the reason is kept
        time.sleep(0.3)
        assert len(handler.received) == 1
    finally:
        controller.stop()


def test_store_created_before_receipts_were_kept_opens_and_sends_receipts(dovecot, smtp, tmp_path):
    import sqlite3

    handler, smtp_settings = smtp
    path = tmp_path / "old.sqlite3"
    old = Store(f"sqlite:///{path}")
    negotiation = old.create_negotiation("ICT and drug trafficking")
    old.add_round(negotiation, "base.docx", base_draft())
    old.upsert_delegation(negotiation, "Egypt", "", "@egypt.example")
    old.close()
    with sqlite3.connect(path) as db:  # the store as an earlier Concord left it: no receipts table
        db.execute("DROP TABLE receipts")
    assert "receipts" not in {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}

    reopened = Store(f"sqlite:///{path}")
    try:
        data = message("Egypt <delegate@egypt.example>", "Egypt L.5", [("E.docx", _docx_from_text("PP1. o"), DOCX)])
        dovecot.append(data)
        report = poll_once(dovecot.settings("tls"), deliver_to_store(reopened, smtp=smtp_settings))
        assert (report.stored, report.moved) == (1, 1)
        assert [to for to, _ in handler.wait_for(1)] == [["delegate@egypt.example"]]
    finally:
        reopened.close()


def test_copy_and_expunge_move_for_servers_without_move(dovecot, store):
    data = message("Egypt <delegate@egypt.example>", "Egypt", [("E.docx", _docx_from_text("PP1. x"), DOCX)])
    dovecot.append(data)
    conn = imap.connect(dovecot.settings("tls"))
    try:
        imap.ensure_folder(conn, PROCESSED)
        conn.select("INBOX")
        [uid] = imap.pending_uids(conn)
        imap.move(conn, uid, PROCESSED, use_move=False)
    finally:
        conn.logout()
    assert dovecot.message_ids("INBOX") == []
    assert dovecot.message_ids(PROCESSED) == [message_id_of(data)]


def test_wrong_password_and_untrusted_certificate_are_clear_errors(dovecot, store):
    with pytest.raises(MailboxError, match=rf"127.0.0.1:{dovecot.imaps_port}: login refused for {USER}"):
        poll_once(dovecot.settings("tls", password="wrong"), deliver_to_store(store))
    with pytest.raises(MailboxError, match="secure connection failed"):
        poll_once(dovecot.settings("starttls", ca_file=None), deliver_to_store(store))


def test_settings_come_from_the_concord_settings():
    settings = ImapSettings.from_config({
        "IMAP_HOST": "imap.unodc.example", "IMAP_SECURITY": "starttls", "IMAP_USER": "sub",
        "IMAP_PASSWORD": "pw", "IMAP_PROCESSED_FOLDER": "Done",
    })
    assert (settings.port, settings.folder, settings.processed_folder) == (143, "INBOX", "Done")
    with pytest.raises(MailboxError, match="CONCORD_IMAP_PASSWORD"):
        ImapSettings.from_config({"IMAP_HOST": "h", "IMAP_USER": "u"})
    with pytest.raises(MailboxError, match="tls or starttls"):
        ImapSettings.from_config({"IMAP_HOST": "h", "IMAP_USER": "u", "IMAP_PASSWORD": "p", "IMAP_SECURITY": "none"})
    assert SmtpSettings.from_config({}) is None  # off unless switched on


def test_server_polls_the_mailbox_when_switched_on_in_settings(dovecot, store, tmp_path):
    from addin import create_app

    data = message("Egypt <delegate@egypt.example>", "Egypt via server", [("E.docx", _docx_from_text("PP1. y"), DOCX)])
    dovecot.append(data)
    settings = dovecot.settings("tls")
    off = create_app({"INSTANCE_PATH": str(tmp_path / "off"), "DATABASE_URL": store.url, "TESTING": True})
    assert "concord_mailbox_stop" not in off.extensions  # off unless switched on
    app = create_app({
        "INSTANCE_PATH": str(tmp_path / "on"), "DATABASE_URL": store.url, "TESTING": True,
        "IMAP_ENABLED": True, "IMAP_HOST": settings.host, "IMAP_PORT": settings.port, "IMAP_SECURITY": "tls",
        "IMAP_USER": USER, "IMAP_PASSWORD": PASSWORD, "IMAP_CA_FILE": settings.ca_file,
        "IMAP_PROCESSED_FOLDER": PROCESSED, "IMAP_INTERVAL": 0.2,
    })
    try:
        deadline = time.monotonic() + 30
        while dovecot.message_ids("INBOX") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [r.message_id for r in stored(store)] == [message_id_of(data)]
        assert dovecot.message_ids(PROCESSED) == [message_id_of(data)]
    finally:
        app.extensions["concord_mailbox_stop"].set()
        app.extensions["concord_store"].close()
        off.extensions["concord_store"].close()
