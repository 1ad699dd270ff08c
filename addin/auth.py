"""Who is asking: secretariat accounts, delegation invitation tokens, sessions and CSRF.

* Secretariat officers log in on the page with a user name and password (hashed with
  werkzeug.security); the session cookie is HttpOnly and SameSite=Lax (see ``addin.config``).
* Each delegation has one invitation token; the add-in and scripts send it as
  ``Authorization: Bearer <token>``. Secretariat API tokens work the same way. Only the SHA-256 of
  a token is stored, so a stolen database does not give access.
* Every state-changing request made with the session cookie must carry the session's CSRF token
  (form field ``csrf_token`` or header ``X-CSRF-Token``); bearer-token requests need none, since a
  browser never adds that header by itself.
* Guessing is limited: wrong passwords count against the account and the client address, unknown
  bearer tokens against the address; past ``CONCORD_LOGIN_*`` failures in the window every further
  attempt gets 429 with ``Retry-After``. The counts live in the store, so they hold across server
  processes and restarts. The clock is ``app.config["CLOCK"]`` (a callable giving an aware
  datetime; default ``addin.store.now``), so tests move time instead of sleeping.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Callable, Mapping

from flask import (
    Blueprint, Flask, Response, abort, current_app, flash, g, has_request_context, jsonify, redirect,
    render_template, request, session, url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy.engine import Row
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash, generate_password_hash

from addin import get_store
from addin import store as store_module
from addin.store import Store

bp = Blueprint("auth", __name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Principal:
    """The caller: a secretariat officer (``user``) or a delegation (``delegation_id``)."""

    role: str  # "secretariat" or "delegation"
    name: str
    user_id: int | None = None
    delegation_id: int | None = None
    negotiation_id: int | None = None
    via: str = "session"  # "session" or "token"

    @property
    def is_secretariat(self) -> bool:
        """True for a secretariat officer."""
        return self.role == "secretariat"


def new_token() -> str:
    """A fresh unguessable token (invitation or API token)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the store keeps of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """A salted password hash (werkzeug's scrypt/pbkdf2)."""
    return generate_password_hash(password)


def ensure_account(store: Store, username: str, password: str) -> None:
    """Create the secretariat account, or set its password if it exists."""
    if store.user_by_name(username) is None:
        store.create_user(username, hash_password(password))
    else:
        store.set_password(username, hash_password(password))


def password_matches(store: Store, username: str, password: str) -> Row | None:
    """The account if the password is right, else None (no limits: see ``check_login``)."""
    user = store.user_by_name(username)
    # An unknown name costs a hash check too, so the answer's timing does not tell which names exist.
    matches = check_password_hash(user.password_hash if user is not None else _unknown_user_hash(), password)
    return user if user is not None and matches else None


@functools.cache
def _unknown_user_hash() -> str:
    """A hash no password matches in practice, checked for unknown user names; made once per
    process, on first use (hashing is deliberately slow)."""
    return generate_password_hash(secrets.token_urlsafe(16))


# -- guessing limits --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInLimits:
    """How many failures are allowed in the window before 429 (the ``CONCORD_LOGIN_*`` settings)."""

    window: timedelta
    per_account: int
    per_address: int
    tokens_per_address: int


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the client address it came from and when."""

    address: str
    at: datetime


class TooManySignIns(HTTPException):
    """429: too many recent failures for this account or address; ``retry_after`` in seconds."""

    code = 429

    def __init__(self, what: str, retry_after: int) -> None:
        self.what = what  # "this account" or "this address"
        self.retry_after = max(1, retry_after)
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(f"Too many failed sign-ins for {what}; try again in "
                         f"{minutes} minute{'s' if minutes != 1 else ''}.")

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        """Plain-text default response headers, with Retry-After."""
        return [*super().get_headers(environ, scope), ("Retry-After", str(self.retry_after))]


def limits_from_config(config: Mapping[str, Any]) -> SignInLimits:
    """The limits set in the app's configuration."""
    return SignInLimits(window=timedelta(minutes=int(config["LOGIN_WINDOW_MINUTES"])),
                        per_account=int(config["LOGIN_MAX_FAILURES"]),
                        per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
                        tokens_per_address=int(config["LOGIN_MAX_TOKEN_FAILURES"]))


def seconds_blocked(failures: list[datetime], limit: int, window: timedelta, at: datetime) -> int:
    """Seconds until fewer than ``limit`` of ``failures`` (oldest first, all within the window)
    remain in the window; 0 when not blocked now."""
    if limit <= 0 or len(failures) < limit:
        return 0
    # Once the limit-th newest failure leaves the window, only limit - 1 remain: free again.
    free_at = failures[-limit] + window
    return max(0, math.ceil((free_at - at).total_seconds()))


def refuse_if_blocked(store: Store, kind: str, key: str, limit: int, window: timedelta,
                      attempt: Attempt, what: str) -> None:
    """Raise ``TooManySignIns`` when ``kind``/``key`` has ``limit`` failures in the window."""
    failures = store.sign_in_failures(kind, key, attempt.at - window)
    wait = seconds_blocked(failures, limit, window, attempt.at)
    if wait:
        raise TooManySignIns(what, wait)


def sign_in(store: Store, username: str, password: str, attempt: Attempt,
            limits: SignInLimits) -> Row | None:
    """The account if the password is right and neither the account nor the address is blocked;
    None for a wrong password (counted against both); raises ``TooManySignIns`` when blocked
    (the password is then not even checked, so a blocked attacker learns nothing)."""
    refuse_if_blocked(store, "account", username, limits.per_account, limits.window, attempt, "this account")
    refuse_if_blocked(store, "address", attempt.address, limits.per_address, limits.window, attempt,
                      "this address")
    user = password_matches(store, username, password)
    if user is None:
        forget = attempt.at - limits.window
        store.record_sign_in_failure("account", username, attempt.at, forget)
        store.record_sign_in_failure("address", attempt.address, attempt.at, forget)
        return None
    # Only the account's count: a guesser must not clear its address by signing in to its own account.
    store.clear_sign_in_failures("account", username)
    return user


def current_attempt() -> Attempt:
    """The attempt the current request makes: its client address, at the app's clock."""
    clock = current_app.config.get("CLOCK") or store_module.now
    return Attempt(address=request.remote_addr or "unknown", at=clock())


def check_login(store: Store, username: str, password: str) -> Row | None:
    """The account if the password is right, else None.

    Inside a request (the login page, ``POST /api/tokens``) this is ``sign_in`` with the app's
    limits: it may raise ``TooManySignIns`` (429), and every failure is logged with the account
    and address — never the password. Limiting here means no caller can forget to."""
    if not has_request_context():
        return password_matches(store, username, password)
    attempt = current_attempt()
    try:
        user = sign_in(store, username, password, attempt, limits_from_config(current_app.config))
    except TooManySignIns as exc:
        current_app.logger.warning("sign-in refused for account %r from %s: %s",
                                   username, attempt.address, exc.description)
        raise
    if user is None:
        current_app.logger.warning("failed sign-in for account %r from %s", username, attempt.address)
    return user


def principal_from_token(store: Store, token: str) -> Principal | None:
    """The delegation or officer a bearer token belongs to, or None."""
    digest = hash_token(token)
    delegation = store.delegation_by_token_hash(digest)
    if delegation is not None:
        return Principal("delegation", delegation.name, delegation_id=delegation.id,
                         negotiation_id=delegation.negotiation_id, via="token")
    user = store.user_by_token_hash(digest)
    if user is not None:
        return Principal("secretariat", user.username, user_id=user.id, via="token")
    return None


def principal_from_token_limited(store: Store, token: str) -> Principal | None:
    """``principal_from_token`` for the current request, refused (429) once its address sent too
    many unknown tokens — even a right one then, or a guesser could go on trying; each unknown
    token is counted and logged with the address (never the token)."""
    attempt = current_attempt()
    limits = limits_from_config(current_app.config)
    try:
        refuse_if_blocked(store, "token", attempt.address, limits.tokens_per_address, limits.window,
                          attempt, "this address")
    except TooManySignIns as exc:
        current_app.logger.warning("token refused from %s: %s", attempt.address, exc.description)
        raise
    principal = principal_from_token(store, token)
    if principal is None:
        store.record_sign_in_failure("token", attempt.address, attempt.at, attempt.at - limits.window)
        current_app.logger.warning("unknown bearer token from %s on %s", attempt.address, request.path)
    return principal


def csrf_token() -> str:
    """The session's CSRF token, created on first use (templates call it)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def load_principal() -> None:
    """Before each request: set ``g.principal`` from the bearer token or the session, and refuse
    a state-changing session request without the right CSRF token."""
    g.principal = None
    store = get_store()
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        g.principal = principal_from_token_limited(store, header[7:].strip())
        if g.principal is None:
            abort(401, description="unknown or revoked token")
        return
    # The cookie is what a forged cross-site request would ride on, so every state change made
    # with a logged-in session needs the token; so does the login form (no login CSRF).
    needs_csrf = session.get("user_id") is not None or request.endpoint == "auth.login"
    if request.method not in SAFE_METHODS and needs_csrf:
        sent = request.headers.get("X-CSRF-Token") or _form_csrf()
        expected = session.get("csrf")
        if not expected or not sent or not hmac.compare_digest(sent, expected):
            abort(403, description="missing or wrong CSRF token: reload the page and try again")
    user_id = session.get("user_id")
    if user_id is not None:
        user = store.user(user_id)
        if user is not None:
            g.principal = Principal("secretariat", user.username, user_id=user.id)


def _form_csrf() -> str | None:
    # Only look at forms: reading request.form on a large raw upload would parse the body.
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get("csrf_token")
    return None


def login_required(view: Callable) -> Callable:
    """Page decorator: a secretariat officer must be logged in, else go to the login page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.principal is None or not g.principal.is_secretariat:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=("GET", "POST"))
def login() -> ResponseReturnValue:
    """The secretariat's login page."""
    if request.method == "POST":
        user = check_login(get_store(), request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            flash("Wrong user name or password.")
        else:
            csrf = session.get("csrf")
            session.clear()  # a new session on login: no fixation of an earlier one
            session.permanent = True
            session["user_id"] = user.id
            session["csrf"] = csrf or secrets.token_urlsafe(24)
            target = request.args.get("next", "")
            # Only local paths: never redirect a fresh login to another site.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("secretariat.negotiations")
            return redirect(target)
    return render_template("secretariat/login.html")


@bp.route("/logout", methods=("POST",))
def logout() -> ResponseReturnValue:
    """End the session."""
    session.clear()
    return redirect(url_for("auth.login"))


def too_many_sign_ins(exc: TooManySignIns) -> ResponseReturnValue:
    """429 with Retry-After: JSON on /api, the login page with the message elsewhere."""
    if request.path.startswith("/api/"):
        response: Response = jsonify(error="too_many_requests", message=exc.description)
    else:
        response = Response(render_template("secretariat/login.html", refusal=exc.description))
    response.status_code = 429
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def init_app(app: Flask) -> None:
    """Install the principal loader and the CSRF check on every request, and the 429 answer."""
    app.before_request(load_principal)
    app.register_error_handler(TooManySignIns, too_many_sign_ins)
    app.jinja_env.globals["csrf_token"] = csrf_token
