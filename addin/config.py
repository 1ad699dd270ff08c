"""Every setting of the Concord server, in one place.

Settings come, later ones winning, from: the defaults below; the instance folder's ``config.py``
(Python assignments, e.g. ``DATABASE_URL = "postgresql+psycopg://…"``); environment variables
``CONCORD_<NAME>`` (e.g. ``CONCORD_DATABASE_URL``); and, in tests, the ``test_config`` mapping
given to ``create_app``. ``settings_help()`` prints the table the README shows.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app, request

ENV_PREFIX = "CONCORD_"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, how an environment string becomes a value, and what it does."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _size(text: str) -> int:
    """Bytes from "25M", "512K", "1G" or a plain number of bytes."""
    text = text.strip().upper()
    factor = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * factor)


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None,
            "SQLAlchemy URL of the store; default: SQLite file concord.sqlite3 in the instance folder. "
            "A PostgreSQL URL (postgresql+psycopg://user:pass@host/db) works with the same code."),
    Setting("SECRET_KEY", None,
            "Signs the session cookie; default: a random key generated once and kept in the instance "
            "folder (secret_key), so sessions survive a restart."),
    Setting("PUBLIC_URL", None,
            "The HTTPS origin users and Word reach the server at (https://concord.example.org); used "
            "in invitation links and the add-in manifest. Default: the origin of the request."),
    Setting("MAX_CONTENT_LENGTH", 25 * 1024**2,
            "Largest accepted upload (request body), e.g. 25M. Larger requests get 413.", _size),
    Setting("ADMIN_USER", "secretariat", "User name of the secretariat account `concord run` creates."),
    Setting("ADMIN_PASSWORD", None,
            "Password of that account; default: generated on first run and printed."),
    Setting("SESSION_COOKIE_SECURE", True,
            "Send the session cookie over HTTPS only (turn off only for plain-HTTP development).", _bool),
    Setting("SESSION_HOURS", 12, "How long a secretariat login lasts, in hours.", int),
    # Guessing limits (addin.auth): failures are counted in the store, so they hold across restarts.
    Setting("LOGIN_WINDOW_MINUTES", 10,
            "Failed sign-ins are counted over this many minutes; a blocked account or address is "
            "free again once its failures are older than that.", int),
    Setting("LOGIN_MAX_FAILURES", 5,
            "Failed sign-ins (wrong password) allowed per account in the window; the next attempt "
            "gets 429, even with the right password. A successful sign-in clears the count.", int),
    Setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 20,
            "Failed sign-ins allowed per client address in the window, whatever the account.", int),
    Setting("LOGIN_MAX_TOKEN_FAILURES", 50,
            "Unknown bearer tokens allowed per client address in the window on /api before "
            "every request from that address gets 429.", int),
    Setting("HOST", "127.0.0.1", "Address `concord run` listens on."),
    Setting("PORT", 5443, "Port `concord run` listens on.", int),
    Setting("OUT_DIR", "out", "Folder `concord run` writes the sample renderings into."),
    # E-mail intake (addin.mail): both off by default, and `make run` leaves them off.
    Setting("IMAP_ENABLED", False, "Poll the submissions mailbox over IMAP.", _bool),
    Setting("IMAP_HOST", None, "IMAP server of the submissions mailbox."),
    Setting("IMAP_PORT", None, "IMAP port; default 993 with tls, 143 with starttls.", int),
    Setting("IMAP_SECURITY", "tls", "tls (IMAPS) or starttls."),
    Setting("IMAP_USER", None, "IMAP login of the submissions mailbox."),
    Setting("IMAP_PASSWORD", None, "IMAP password."),
    Setting("IMAP_FOLDER", "INBOX", "Folder new submissions arrive in."),
    Setting("IMAP_PROCESSED_FOLDER", "Concord-processed", "Folder stored messages are moved to (created if missing)."),
    Setting("IMAP_CA_FILE", None, "PEM file of the CA to trust for the IMAP server instead of the system's."),
    Setting("IMAP_INTERVAL", 60.0, "Seconds between two polls.", float),
    Setting("IMAP_PAUSE", 0.0, "Seconds to wait between two messages of a batch (spares a busy server).", float),
    Setting("IMAP_NEGOTIATION", None, "Negotiation id mail goes to (its current round); default: the latest negotiation.", int),
    Setting("SMTP_ENABLED", False, "Send a receipt to the sender of each e-mailed submission.", _bool),
    Setting("SMTP_HOST", None, "SMTP server receipts are sent through."),
    Setting("SMTP_PORT", None, "SMTP port; default 587 with starttls, 465 with tls, 25 with none.", int),
    Setting("SMTP_SECURITY", "starttls", "starttls, tls or none (none only for a relay on localhost)."),
    Setting("SMTP_USER", None, "SMTP login (none: send without logging in)."),
    Setting("SMTP_PASSWORD", None, "SMTP password."),
    Setting("SMTP_FROM", None, "The From address of receipts (the secretariat's submissions address)."),
    Setting("SMTP_CA_FILE", None, "PEM file of the CA to trust for the SMTP server instead of the system's."),
)


def settings_help() -> str:
    """The settings as a Markdown table (the README's "Settings" section)."""
    rows = ["| Setting (environment variable) | Default | What it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        if s.default is None:
            default = "—"
        elif s.parse is _size:
            default = f"`{s.default // 1024**2}M`"
        else:
            default = f"`{s.default}`"
        rows.append(f"| `{ENV_PREFIX}{s.name}` | {default} | {s.help} |")
    return "\n".join(rows)


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The settings given as CONCORD_* environment variables, parsed to their types."""
    environ = os.environ if environ is None else environ
    found = {}
    for s in SETTINGS:
        raw = environ.get(ENV_PREFIX + s.name)
        if raw is not None and raw != "":
            found[s.name] = s.parse(raw)
    return found


def public_url() -> str:
    """The origin users and Word reach the server at, without a trailing slash: ``PUBLIC_URL``
    when set, else the origin the current request came to (inside a request only)."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def instance_folder(test_config: dict[str, Any] | None = None) -> str | None:
    """The instance folder (store, certificate, secret key, config.py): ``INSTANCE_PATH`` of the
    test configuration, else ``CONCORD_INSTANCE``, else None (Flask's ``instance/`` beside the
    package). Known before the other settings, since the instance's config.py is one of them."""
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(ENV_PREFIX + "INSTANCE")
    return os.path.abspath(instance) if instance else None


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in the instance folder, created (mode 600) on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def configure(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    """Load every setting into ``app.config``: defaults, instance config.py, environment, tests."""
    app.config.from_mapping({s.name: s.default for s in SETTINGS})
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "concord.sqlite3")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    # The session cookie is never readable by scripts and not sent on cross-site requests.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="concord_session",
    )
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(app.config["SESSION_HOURS"]))
