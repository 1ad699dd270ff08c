"""The store: negotiations, rounds, delegations, submissions, paragraph statuses, merge jobs.

SQLAlchemy Core over SQLite by default (one file in the instance folder, WAL journal, foreign keys
on, schema created on first use); the same statements run on PostgreSQL. Every public method is a
plain call that opens its own transaction, so the web app, the merge thread and the mail poller
can share one ``Store``.

Nothing is lost: a submission's bytes are written once and never updated (only its reading is
added later); a new upload from the same delegation is a new version; every status change is
appended to ``status_log``.
"""
from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean, Column, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text,
    UniqueConstraint, create_engine, delete, event, func, insert, select, update,
)
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError, OperationalError

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(200), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

negotiations = Table(
    "negotiations", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("symbol", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: A negotiation's own stance words (the CSV text the secretariat uploaded: stance,phrases).
stance_vocabularies = Table(
    "stance_vocabularies", metadata,
    Column("negotiation_id", Integer, ForeignKey("negotiations.id"), primary_key=True),
    Column("filename", Text, nullable=False),
    Column("csv", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

rounds = Table(
    "rounds", metadata,
    Column("id", Integer, primary_key=True),
    Column("negotiation_id", ForeignKey("negotiations.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("base_filename", String(500), nullable=False),
    Column("base_docx", LargeBinary, nullable=False),
    Column("base_sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published", Boolean, nullable=False, default=False),
    Column("merged_at", DateTime(timezone=True)),
    Column("report_json", Text),
    Column("paragraphs_json", Text),  # the per-paragraph view of the last merge (addin.merging)
    Column("compilation_docx", LargeBinary),
    Column("tracked_docx", LargeBinary),
    UniqueConstraint("negotiation_id", "number"),
)

delegations = Table(
    "delegations", metadata,
    Column("id", Integer, primary_key=True),
    Column("negotiation_id", ForeignKey("negotiations.id"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("aliases", Text, nullable=False, default=""),
    Column("emails", Text, nullable=False, default=""),
    Column("token_hash", String(64), unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("negotiation_id", "name"),
)

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", ForeignKey("rounds.id"), nullable=False),
    Column("negotiation_id", ForeignKey("negotiations.id"), nullable=False),
    Column("delegation_id", ForeignKey("delegations.id")),
    Column("filename", String(500), nullable=False),
    Column("kind", String(40), nullable=False, default="unknown"),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("docx", LargeBinary),
    Column("channel", String(20), nullable=False),
    Column("sender", String(500)),
    Column("message_id", String(998)),
    Column("subject", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("reading_json", Text),
    Column("error", Text),
    # The same e-mail fetched twice (or dropped on the page after the poller took it) is one row.
    UniqueConstraint("negotiation_id", "message_id", name="uq_submission_message"),
    # Two uploads by one delegation at the same instant cannot get the same version number.
    UniqueConstraint("round_id", "delegation_id", "version", name="uq_submission_version"),
)

statuses = Table(
    "paragraph_statuses", metadata,
    Column("round_id", ForeignKey("rounds.id"), primary_key=True),
    Column("paragraph_id", String(100), primary_key=True),
    Column("status", Text, nullable=False),
    Column("changed_by", String(300), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

status_log = Table(
    "status_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", ForeignKey("rounds.id"), nullable=False),
    Column("paragraph_id", String(100), nullable=False),
    Column("status", Text, nullable=False),
    Column("changed_by", String(300), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

jobs = Table(
    "jobs", metadata,
    Column("id", String(36), primary_key=True),
    Column("round_id", ForeignKey("rounds.id"), nullable=False),
    Column("state", String(20), nullable=False),  # queued, running, done, failed
    Column("progress", Integer, nullable=False, default=0),
    Column("message", Text, nullable=False, default=""),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The receipt owed for each e-mailed message, noted before the message is stored and settled once
# sent (or found not due), so a poller that dies in between sends it on its next poll. A table of
# its own: ``create_all`` adds it to a store created before it existed.
receipts = Table(
    "receipts", metadata,
    Column("negotiation_id", ForeignKey("negotiations.id"), primary_key=True),
    Column("message_id", String(998), primary_key=True),
    Column("state", String(20), nullable=False),  # owed, sent, not sent
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True)),
)

# One row per failed sign-in (kind "account", "address" or "token", and the account name or client
# address it counts against), so the guessing limits of addin.auth hold across server processes and
# restarts. A table of its own: ``create_all`` adds it to a store created before it existed.
sign_in_failures = Table(
    "sign_in_failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("key", String(300), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Index("ix_sign_in_failures_key", "kind", "key", "failed_at"),
)

#: Status words the page offers; any other text is accepted too.
STATUS_CHOICES = ("agreed in informals", "agreed ad ref", "pending")


def now() -> datetime:
    """The current time, timezone-aware UTC (what every timestamp of the store is)."""
    return datetime.now(timezone.utc)


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def utc(value: datetime | None) -> datetime | None:
    """SQLite gives timestamps back naive; they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _utc_naive(value: datetime) -> datetime:
    # Compared in SQL: SQLite keeps timestamps as naive text, so every one is written as naive UTC.
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.replace(tzinfo=None)


def clean_name(filename: str, limit: int = 255) -> str:
    """A file name fit to store and show: no control characters, no folders, at most ``limit``
    characters (keeping the extension). The name is only ever shown, never used as a path."""
    name = "".join(ch for ch in filename if ch.isprintable()).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: limit - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:limit]
    return name or "unnamed"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the page read while a submission is written; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and a generous lock wait."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """The store behind one database URL. Create it once per process and share it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        metadata.create_all(self.engine)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # -- accounts ---------------------------------------------------------------------------------

    def create_user(self, username: str, password_hash: str) -> int:
        """A secretariat account; returns its id. Raises IntegrityError if the name is taken."""
        with self.engine.begin() as c:
            return c.execute(insert(users).values(
                username=username, password_hash=password_hash, created_at=now())).inserted_primary_key[0]

    def set_password(self, username: str, password_hash: str) -> None:
        """Replace an account's password hash."""
        with self.engine.begin() as c:
            c.execute(update(users).where(users.c.username == username).values(password_hash=password_hash))

    def user_by_name(self, username: str) -> Row | None:
        """The account with that user name, or None."""
        with self.engine.connect() as c:
            return c.execute(select(users).where(users.c.username == username)).first()

    def user(self, user_id: int) -> Row | None:
        """The account with that id, or None."""
        with self.engine.connect() as c:
            return c.execute(select(users).where(users.c.id == user_id)).first()

    def add_api_token(self, user_id: int, token_hash: str) -> None:
        """Remember the hash of a new secretariat API token."""
        with self.engine.begin() as c:
            c.execute(insert(api_tokens).values(user_id=user_id, token_hash=token_hash, created_at=now()))

    def user_by_token_hash(self, token_hash: str) -> Row | None:
        """The account an API token (by its hash) belongs to, or None."""
        with self.engine.connect() as c:
            return c.execute(
                select(users).join(api_tokens, api_tokens.c.user_id == users.c.id)
                .where(api_tokens.c.token_hash == token_hash)).first()

    # -- negotiations and rounds ------------------------------------------------------------------

    def create_negotiation(self, title: str, symbol: str = "") -> int:
        """A new negotiation; returns its id."""
        with self.engine.begin() as c:
            return c.execute(insert(negotiations).values(
                title=title, symbol=symbol, created_at=now())).inserted_primary_key[0]

    def negotiation(self, negotiation_id: int) -> Row | None:
        """The negotiation with that id, or None."""
        with self.engine.connect() as c:
            return c.execute(select(negotiations).where(negotiations.c.id == negotiation_id)).first()

    def negotiations(self) -> list[Row]:
        """All negotiations, newest first."""
        with self.engine.connect() as c:
            return list(c.execute(select(negotiations).order_by(negotiations.c.id.desc())))

    def set_stance_vocabulary(self, negotiation_id: int, filename: str, text: str) -> None:
        """Keep the negotiation's stance vocabulary CSV (replacing an earlier one)."""
        with self.engine.begin() as c:
            c.execute(delete(stance_vocabularies).where(stance_vocabularies.c.negotiation_id == negotiation_id))
            c.execute(insert(stance_vocabularies).values(
                negotiation_id=negotiation_id, filename=filename, csv=text, updated_at=now()))

    def stance_vocabulary(self, negotiation_id: int) -> Row | None:
        """The negotiation's stance vocabulary (filename, csv), or None for the default words."""
        with self.engine.connect() as c:
            return c.execute(select(stance_vocabularies).where(
                stance_vocabularies.c.negotiation_id == negotiation_id)).first()

    def add_round(self, negotiation_id: int, base_filename: str, base_docx: bytes) -> int:
        """The next round of a negotiation with its base draft; returns the round id."""
        for _attempt in range(5):
            try:
                with self.engine.begin() as c:
                    number = c.execute(select(func.coalesce(func.max(rounds.c.number), 0) + 1)
                                       .where(rounds.c.negotiation_id == negotiation_id)).scalar_one()
                    return c.execute(insert(rounds).values(
                        negotiation_id=negotiation_id, number=number, base_filename=base_filename,
                        base_docx=base_docx, base_sha256=sha256(base_docx), created_at=now(),
                        published=False)).inserted_primary_key[0]
            except IntegrityError:  # two rounds created at once: take the next number
                continue
        raise RuntimeError("could not number the new round")

    def round(self, round_id: int) -> Row | None:
        """The round with that id (with its base and consolidated drafts), or None."""
        with self.engine.connect() as c:
            return c.execute(select(rounds).where(rounds.c.id == round_id)).first()

    def rounds(self, negotiation_id: int) -> list[Row]:
        """The rounds of a negotiation, in order (without the documents' bytes)."""
        cols = [rounds.c.id, rounds.c.negotiation_id, rounds.c.number, rounds.c.base_filename,
                rounds.c.base_sha256, rounds.c.created_at, rounds.c.published, rounds.c.merged_at]
        with self.engine.connect() as c:
            return list(c.execute(select(*cols).where(rounds.c.negotiation_id == negotiation_id)
                                  .order_by(rounds.c.number)))

    def current_round(self, negotiation_id: int) -> Row | None:
        """The latest round of a negotiation, or None."""
        found = self.rounds(negotiation_id)
        return found[-1] if found else None

    def save_merge(self, round_id: int, report: dict, compilation: bytes, tracked: bytes,
                   paragraphs: list[dict] | None = None) -> None:
        """Keep a merge's results: the report, the per-paragraph view and both renderings."""
        with self.engine.begin() as c:
            c.execute(update(rounds).where(rounds.c.id == round_id).values(
                report_json=json.dumps(report, ensure_ascii=False),
                paragraphs_json=json.dumps(paragraphs or [], ensure_ascii=False), compilation_docx=compilation,
                tracked_docx=tracked, merged_at=now()))

    def publish(self, round_id: int, published: bool = True) -> None:
        """Make the round's consolidated draft visible to the delegations (or hide it again)."""
        with self.engine.begin() as c:
            c.execute(update(rounds).where(rounds.c.id == round_id).values(published=published))

    # -- delegations ------------------------------------------------------------------------------

    def upsert_delegation(self, negotiation_id: int, name: str, aliases: str = "", emails: str = "",
                          token_hash: str | None = None) -> int:
        """Add a delegation, or update its aliases/e-mails (and token when given); returns its id."""
        with self.engine.begin() as c:
            found = c.execute(select(delegations.c.id).where(
                delegations.c.negotiation_id == negotiation_id, delegations.c.name == name)).first()
            values: dict[str, Any] = {"aliases": aliases, "emails": emails}
            if token_hash is not None:
                values["token_hash"] = token_hash
            if found:
                c.execute(update(delegations).where(delegations.c.id == found.id).values(**values))
                return found.id
            return c.execute(insert(delegations).values(
                negotiation_id=negotiation_id, name=name, created_at=now(), **values)).inserted_primary_key[0]

    def delegations(self, negotiation_id: int) -> list[Row]:
        """The negotiation's delegations by name."""
        with self.engine.connect() as c:
            return list(c.execute(select(delegations).where(delegations.c.negotiation_id == negotiation_id)
                                  .order_by(delegations.c.name)))

    def delegation(self, delegation_id: int) -> Row | None:
        """The delegation with that id, or None."""
        with self.engine.connect() as c:
            return c.execute(select(delegations).where(delegations.c.id == delegation_id)).first()

    def delegation_by_name(self, negotiation_id: int, name: str) -> Row | None:
        """The delegation of that negotiation with that name (case-insensitive), or None."""
        with self.engine.connect() as c:
            return c.execute(select(delegations).where(
                delegations.c.negotiation_id == negotiation_id,
                func.lower(delegations.c.name) == name.lower())).first()

    def delegation_by_token_hash(self, token_hash: str) -> Row | None:
        """The delegation whose invitation token has this hash, or None."""
        with self.engine.connect() as c:
            return c.execute(select(delegations).where(delegations.c.token_hash == token_hash)).first()

    # -- submissions ------------------------------------------------------------------------------

    def add_submission(self, round_id: int, filename: str, content: bytes, channel: str, *,
                       delegation_id: int | None = None, sender: str | None = None,
                       message_id: str | None = None, subject: str | None = None,
                       received_at: datetime | None = None) -> tuple[int, bool]:
        """Store a submission's exact bytes before anything reads them.

        Returns ``(id, created)``: when the negotiation already holds a submission with the same
        ``message_id``, that one's id and False (the same e-mail is stored once).
        """
        rnd = self.round(round_id)
        if rnd is None:
            raise KeyError(f"no round {round_id}")
        message_id = message_id[:998] if message_id else None  # RFC 5322's line limit
        if message_id:
            existing = self.submission_by_message_id(rnd.negotiation_id, message_id)
            if existing is not None:
                return existing.id, False
        values = dict(
            round_id=round_id, negotiation_id=rnd.negotiation_id, filename=clean_name(filename), kind="unknown",
            content=content, sha256=sha256(content), channel=channel, sender=sender[:500] if sender else None,
            message_id=message_id, subject=subject, received_at=received_at or now(),
            delegation_id=delegation_id, version=1,
        )
        for attempt in range(60):
            try:
                with self.engine.begin() as c:
                    values["version"] = self._next_version(c, round_id, delegation_id)
                    return c.execute(insert(submissions).values(**values)).inserted_primary_key[0], True
            except IntegrityError:
                # A concurrent copy of the same message won the race: keep that one.
                if message_id:
                    existing = self.submission_by_message_id(rnd.negotiation_id, message_id)
                    if existing is not None:
                        return existing.id, False
                # Otherwise a concurrent upload took this version number: count again.
            except OperationalError:
                pass  # SQLite "database is locked" under heavy concurrent writing: wait and retry
            time.sleep(random.uniform(0.005, 0.02) * min(attempt + 1, 10))
        raise RuntimeError(f"could not store {filename}: too many concurrent writes, try again")

    @staticmethod
    def _next_version(c, round_id: int, delegation_id: int | None) -> int:
        if delegation_id is None:
            return 1
        return c.execute(select(func.coalesce(func.max(submissions.c.version), 0) + 1).where(
            submissions.c.round_id == round_id, submissions.c.delegation_id == delegation_id)).scalar_one()

    def set_reading(self, submission_id: int, *, kind: str, docx: bytes | None, reading: dict | None,
                    error: str | None, delegation_id: int | None = None) -> None:
        """Record what was read from a stored submission (the stored bytes are never touched).

        ``delegation_id`` is set only when the submission had none (found from authors or sender);
        the version is then renumbered among that delegation's submissions.
        """
        with self.engine.begin() as c:
            values: dict[str, Any] = dict(
                kind=kind, docx=docx, error=error,
                reading_json=None if reading is None else json.dumps(reading, ensure_ascii=False))
            row = c.execute(select(submissions.c.round_id, submissions.c.delegation_id)
                            .where(submissions.c.id == submission_id)).first()
            if delegation_id is not None and row.delegation_id is None:
                values["delegation_id"] = delegation_id
                values["version"] = self._next_version(c, row.round_id, delegation_id)
            c.execute(update(submissions).where(submissions.c.id == submission_id).values(**values))

    def submission(self, submission_id: int) -> Row | None:
        """The submission with that id (with its bytes), or None."""
        with self.engine.connect() as c:
            return c.execute(select(submissions).where(submissions.c.id == submission_id)).first()

    def submission_by_message_id(self, negotiation_id: int, message_id: str) -> Row | None:
        """The negotiation's submission that came in the e-mail with this Message-ID, or None."""
        with self.engine.connect() as c:
            return c.execute(select(submissions).where(
                submissions.c.negotiation_id == negotiation_id,
                submissions.c.message_id == message_id)).first()

    def submission_ids_with_sha256(self, negotiation_id: int, digest: str) -> set[int]:
        """Ids of the negotiation's submissions whose bytes have this SHA-256."""
        with self.engine.connect() as c:
            return set(c.execute(select(submissions.c.id).where(
                submissions.c.negotiation_id == negotiation_id, submissions.c.sha256 == digest)).scalars())

    def submissions(self, round_id: int, delegation_id: int | None = None) -> list[Row]:
        """The round's submissions in order of arrival (without bytes); only one delegation's if given."""
        cols = [c for c in submissions.c if c.name not in ("content", "docx")]
        query = select(*cols).where(submissions.c.round_id == round_id)
        if delegation_id is not None:
            query = query.where(submissions.c.delegation_id == delegation_id)
        with self.engine.connect() as c:
            return list(c.execute(query.order_by(submissions.c.received_at, submissions.c.id)))

    def latest_submissions(self, round_id: int) -> list[Row]:
        """What a merge consolidates: each delegation's latest readable version, plus readable
        submissions whose delegation is unknown, in order of arrival (with the .docx bytes)."""
        with self.engine.connect() as c:
            rows = list(c.execute(select(submissions).where(
                submissions.c.round_id == round_id, submissions.c.docx.is_not(None),
                submissions.c.error.is_(None)).order_by(submissions.c.received_at, submissions.c.id)))
        latest: dict[int, Row] = {}
        for row in rows:
            if row.delegation_id is not None:
                latest[row.delegation_id] = row  # later rows replace earlier versions
        return [r for r in rows if r.delegation_id is None or latest[r.delegation_id].id == r.id]

    # -- paragraph statuses -----------------------------------------------------------------------

    def set_status(self, round_id: int, paragraph_id: str, status: str, changed_by: str) -> None:
        """Set a paragraph's status ("" clears it) and log the change with who and when."""
        at = now()
        with self.engine.begin() as c:
            c.execute(insert(status_log).values(round_id=round_id, paragraph_id=paragraph_id,
                                                status=status, changed_by=changed_by, changed_at=at))
            c.execute(statuses.delete().where(statuses.c.round_id == round_id,
                                              statuses.c.paragraph_id == paragraph_id))
            if status:
                c.execute(insert(statuses).values(round_id=round_id, paragraph_id=paragraph_id,
                                                  status=status, changed_by=changed_by, changed_at=at))

    def statuses(self, round_id: int) -> dict[str, str]:
        """Paragraph identifier → status, for the round."""
        with self.engine.connect() as c:
            return {r.paragraph_id: r.status for r in c.execute(
                select(statuses).where(statuses.c.round_id == round_id))}

    def status_log(self, round_id: int) -> list[Row]:
        """Every status change of the round, oldest first."""
        with self.engine.connect() as c:
            return list(c.execute(select(status_log).where(status_log.c.round_id == round_id)
                                  .order_by(status_log.c.id)))

    # -- merge jobs -------------------------------------------------------------------------------

    def create_job(self, round_id: int) -> str:
        """A queued merge job for the round; returns its id."""
        job_id = uuid.uuid4().hex
        with self.engine.begin() as c:
            c.execute(insert(jobs).values(id=job_id, round_id=round_id, state="queued", progress=0,
                                          message="queued", created_at=now(), updated_at=now()))
        return job_id

    def update_job(self, job_id: str, *, state: str | None = None, progress: int | None = None,
                   message: str | None = None, error: str | None = None) -> None:
        """Record a job's progress."""
        values: dict[str, Any] = {"updated_at": now()}
        for key, value in (("state", state), ("progress", progress), ("message", message), ("error", error)):
            if value is not None:
                values[key] = value
        with self.engine.begin() as c:
            c.execute(update(jobs).where(jobs.c.id == job_id).values(**values))

    def job(self, job_id: str) -> Row | None:
        """The job with that id, or None."""
        with self.engine.connect() as c:
            return c.execute(select(jobs).where(jobs.c.id == job_id)).first()

    def active_job(self, round_id: int) -> Row | None:
        """The round's merge job still queued or running, or None."""
        with self.engine.connect() as c:
            return c.execute(select(jobs).where(jobs.c.round_id == round_id,
                                                jobs.c.state.in_(("queued", "running")))).first()

    def fail_interrupted_jobs(self) -> int:
        """Mark jobs left running by a stopped server as failed (they never finish otherwise)."""
        with self.engine.begin() as c:
            return c.execute(update(jobs).where(jobs.c.state.in_(("queued", "running"))).values(
                state="failed", error="the server stopped during the merge: merge again",
                updated_at=now())).rowcount

    # -- receipts of e-mailed submissions ---------------------------------------------------------

    def owe_receipt(self, negotiation_id: int, message_id: str) -> None:
        """Note that the e-mail with this Message-ID is owed a receipt (kept as it is if already noted)."""
        try:
            with self.engine.begin() as c:
                c.execute(insert(receipts).values(negotiation_id=negotiation_id, message_id=message_id[:998],
                                                  state="owed", created_at=now()))
        except IntegrityError:
            pass  # already noted (and perhaps settled): once is enough

    def settle_receipt(self, negotiation_id: int, message_id: str, state: str, note: str | None = None) -> bool:
        """Record that an owed receipt was sent (``state`` "sent") or is not due ("not sent", with
        the reason in ``note``); False when it was not owed (already settled, or never noted)."""
        with self.engine.begin() as c:
            return c.execute(update(receipts).where(
                receipts.c.negotiation_id == negotiation_id, receipts.c.message_id == message_id[:998],
                receipts.c.state == "owed").values(state=state, note=note, settled_at=now())).rowcount == 1

    def receipt(self, negotiation_id: int, message_id: str) -> Row | None:
        """The receipt record of the e-mail with this Message-ID, or None when none was owed."""
        with self.engine.connect() as c:
            return c.execute(select(receipts).where(
                receipts.c.negotiation_id == negotiation_id, receipts.c.message_id == message_id[:998])).first()

    def owed_receipts(self) -> list[Row]:
        """The receipts still owed, in any negotiation, oldest first."""
        with self.engine.connect() as c:
            return list(c.execute(select(receipts).where(receipts.c.state == "owed")
                                  .order_by(receipts.c.created_at)))

    # -- failed sign-ins (guessing limits) --------------------------------------------------------

    def record_sign_in_failure(self, kind: str, key: str, at: datetime,
                               forget_before: datetime | None = None) -> None:
        """Count one failed sign-in against ``kind``/``key`` at ``at``; failures older than
        ``forget_before`` (of any key) are dropped in the same transaction, so the table stays small."""
        with self.engine.begin() as c:
            if forget_before is not None:
                c.execute(delete(sign_in_failures).where(sign_in_failures.c.failed_at < _utc_naive(forget_before)))
            c.execute(insert(sign_in_failures).values(kind=kind, key=key[:300], failed_at=_utc_naive(at)))

    def sign_in_failures(self, kind: str, key: str, since: datetime) -> list[datetime]:
        """When ``kind``/``key`` failed at ``since`` or later, oldest first (timezone-aware UTC)."""
        with self.engine.connect() as c:
            rows = c.execute(select(sign_in_failures.c.failed_at).where(
                sign_in_failures.c.kind == kind, sign_in_failures.c.key == key[:300],
                sign_in_failures.c.failed_at >= _utc_naive(since)).order_by(sign_in_failures.c.failed_at))
            return [utc(row.failed_at) for row in rows]

    def clear_sign_in_failures(self, kind: str, key: str) -> None:
        """Forget every failed sign-in counted against ``kind``/``key`` (after a successful one)."""
        with self.engine.begin() as c:
            c.execute(delete(sign_in_failures).where(
                sign_in_failures.c.kind == kind, sign_in_failures.c.key == key[:300]))
