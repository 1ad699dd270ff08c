"""Guessing limits on sign-in: wrong passwords per account and per address, unknown bearer tokens
per address. Real Flask app and SQLite store; time is moved with an injected clock, never slept."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from addin import create_app
from addin.auth import ensure_account, hash_token, new_token

PASSWORD = "s3cret-pass"


class Clock:
    """The app's clock (``CLOCK``): stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_app(instance: Path, clock: Clock, **settings):
    return create_app({"INSTANCE_PATH": str(instance), "TESTING": True, "SESSION_COOKIE_SECURE": False,
                       "CLOCK": clock, **settings})


@pytest.fixture
def app(tmp_path: Path, clock: Clock):
    app = make_app(tmp_path / "instance", clock)
    ensure_account(app.extensions["concord_store"], "officer", PASSWORD)
    yield app
    app.extensions["concord_store"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def ask_token(client, password: str, username: str = "officer", address: str = "127.0.0.1"):
    return client.post("/api/tokens", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail_five_times(client, username: str = "officer", address: str = "127.0.0.1") -> None:
    for attempt in range(5):
        response = ask_token(client, f"wrong-{attempt}", username, address)
        assert response.status_code == 401, (attempt, response.get_json())


def test_sixth_attempt_is_refused_even_with_the_right_password(client):
    fail_five_times(client)
    refused = ask_token(client, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    body = refused.get_json()
    assert body["error"] == "too_many_requests"
    assert body["message"] == "Too many failed sign-ins for this account; try again in 10 minutes."
    assert "token" not in body


def test_after_the_window_the_right_password_works_again(client, clock):
    fail_five_times(client)
    clock.advance(minutes=9, seconds=30)
    refused = ask_token(client, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 30
    assert "try again in 1 minute." in refused.get_json()["message"]
    clock.advance(seconds=31)
    assert ask_token(client, PASSWORD).status_code == 201


def test_a_success_clears_the_accounts_count(client):
    for attempt in range(4):
        assert ask_token(client, f"wrong-{attempt}").status_code == 401
    assert ask_token(client, PASSWORD).status_code == 201
    # Four more failures would have been nine without the reset: still allowed.
    for attempt in range(4):
        assert ask_token(client, f"again-{attempt}").status_code == 401
    assert ask_token(client, PASSWORD).status_code == 201


def test_the_count_is_per_account(app, client):
    ensure_account(app.extensions["concord_store"], "colleague", "other-pass")
    fail_five_times(client, address="10.0.0.1")
    assert ask_token(client, PASSWORD, address="10.0.0.2").status_code == 429
    assert ask_token(client, "other-pass", "colleague", address="10.0.0.2").status_code == 201


def test_counts_survive_a_new_server_on_the_same_store(tmp_path, clock):
    first = make_app(tmp_path / "instance", clock)
    ensure_account(first.extensions["concord_store"], "officer", PASSWORD)
    fail_five_times(first.test_client())
    first.extensions["concord_store"].close()

    second = make_app(tmp_path / "instance", clock)
    try:
        refused = ask_token(second.test_client(), PASSWORD)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
    finally:
        second.extensions["concord_store"].close()


def test_one_address_trying_many_accounts_is_limited(client):
    settings_limit = 20
    for attempt in range(settings_limit):
        assert ask_token(client, "guess", username=f"user{attempt}", address="10.9.9.9").status_code == 401
    refused = ask_token(client, PASSWORD, address="10.9.9.9")
    assert refused.status_code == 429
    assert refused.get_json()["message"].startswith("Too many failed sign-ins for this address;")
    # Another address is not affected, and this account was never blocked itself.
    assert ask_token(client, PASSWORD, address="10.1.1.1").status_code == 201


def test_limits_come_from_the_settings(tmp_path, clock):
    app = make_app(tmp_path / "instance", clock, LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_MINUTES=1)
    ensure_account(app.extensions["concord_store"], "officer", PASSWORD)
    client = app.test_client()
    try:
        assert ask_token(client, "one").status_code == 401
        assert ask_token(client, "two").status_code == 401
        refused = ask_token(client, PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 60
        clock.advance(minutes=1)
        assert ask_token(client, PASSWORD).status_code == 201
    finally:
        app.extensions["concord_store"].close()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_login_page_shows_the_message(client):
    csrf = csrf_of(client.get("/login").get_data(as_text=True))
    for attempt in range(5):
        page = client.post("/login", data={"username": "officer", "password": f"wrong-{attempt}",
                                           "csrf_token": csrf})
        assert page.status_code == 200
        assert "Wrong user name or password." in page.get_data(as_text=True)
    refused = client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": csrf})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    html = refused.get_data(as_text=True)
    assert "Too many failed sign-ins for this account; try again in 10 minutes." in html
    assert 'name="password"' in html  # still the sign-in form, not a bare error page
    # The page and the API count together: the API is blocked for this account too.
    assert ask_token(client, PASSWORD).status_code == 429


def test_token_guessing_is_limited_per_address(app, client, clock):
    store = app.extensions["concord_store"]
    nid = store.create_negotiation("Misuse of ICT")
    token = new_token()
    store.upsert_delegation(nid, "Singapore", token_hash=hash_token(token))
    mine = {"Authorization": f"Bearer {token}"}
    guesser = {"REMOTE_ADDR": "10.6.6.6"}

    for attempt in range(50):
        guess = client.get("/api/me", headers={"Authorization": f"Bearer guess-{attempt}"}, environ_base=guesser)
        assert guess.status_code == 401, attempt
    refused = client.get("/api/me", headers=mine, environ_base=guesser)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["message"].startswith("Too many failed sign-ins for this address;")
    # The delegation itself, from its own address, is not affected.
    assert client.get("/api/me", headers=mine, environ_base={"REMOTE_ADDR": "10.7.7.7"}).get_json()["name"] == "Singapore"
    clock.advance(minutes=10, seconds=1)
    assert client.get("/api/me", headers=mine, environ_base=guesser).status_code == 200


def test_failed_sign_ins_are_logged_without_the_password(client, caplog):
    with caplog.at_level(logging.WARNING):
        ask_token(client, "hunter2-secret", address="10.3.3.3")
        client.get("/api/me", headers={"Authorization": "Bearer guessed-token-xyz"},
                   environ_base={"REMOTE_ADDR": "10.4.4.4"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "'officer'" in text and "10.3.3.3" in text and "10.4.4.4" in text
    assert "hunter2-secret" not in text and "guessed-token-xyz" not in text


def test_a_store_made_before_the_limits_existed_still_opens_and_counts(tmp_path, clock):
    first = make_app(tmp_path / "instance", clock)
    ensure_account(first.extensions["concord_store"], "officer", PASSWORD)
    with first.extensions["concord_store"].engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE sign_in_failures")  # as an older Concord left it
    first.extensions["concord_store"].close()

    second = make_app(tmp_path / "instance", clock)
    try:
        client = second.test_client()
        fail_five_times(client)
        assert ask_token(client, PASSWORD).status_code == 429
    finally:
        second.extensions["concord_store"].close()
