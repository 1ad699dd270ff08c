"""Who is asking: secretariat accounts, delegation invitation tokens, sessions and CSRF.

* Secretariat officers log in on the page with a user name and password (hashed with
  werkzeug.security); the session cookie is HttpOnly and SameSite=Lax (see ``addin.config``).
* Each delegation has one invitation token; the add-in and scripts send it as
  ``Authorization: Bearer <token>``. Secretariat API tokens work the same way. Only the SHA-256 of
  a token is stored, so a stolen database does not give access.
* Every state-changing request made with the session cookie must carry the session's CSRF token
  (form field ``csrf_token`` or header ``X-CSRF-Token``); bearer-token requests need none, since a
  browser never adds that header by itself.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import wraps
from typing import Callable

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.engine import Row
from werkzeug.security import check_password_hash, generate_password_hash

from addin import get_store
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


def check_login(store: Store, username: str, password: str) -> Row | None:
    """The account if the password is right, else None."""
    user = store.user_by_name(username)
    if user is not None and check_password_hash(user.password_hash, password):
        return user
    return None


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
        g.principal = principal_from_token(store, header[7:].strip())
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


def init_app(app: Flask) -> None:
    """Install the principal loader and the CSRF check on every request."""
    app.before_request(load_principal)
    app.jinja_env.globals["csrf_token"] = csrf_token
