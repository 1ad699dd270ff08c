"""Fixtures and helpers of the API tests, loaded for every test module by ``tests/conftest.py``
(``pytest_plugins``): ``app`` (a fresh app and store per test), ``client``, ``rnd`` (a negotiation
with its delegations and round 1, set up through the API) and the session's ``round_files``.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from addin import create_app
from addin.auth import ensure_account
from tests.test_api_support import RoundFiles, round_files  # noqa: F401 (the session fixture, shared)

PASSWORD = "s3cret-pass"


@pytest.fixture
def app(tmp_path: Path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "SESSION_COOKIE_SECURE": False})
    ensure_account(app.extensions["concord_store"], "officer", PASSWORD)
    yield app
    app.extensions["concord_store"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Round:
    """A negotiation with its delegations and round 1, set up through the API."""

    client: object
    secretariat: dict[str, str]
    nid: int
    rid: int
    tokens: dict[str, str]
    files: RoundFiles

    def as_(self, delegation: str) -> dict[str, str]:
        return bearer(self.tokens[delegation])

    def submit(self, name: str, headers: dict[str, str], data: bytes | None = None, **fields):
        body = self.files.submissions[name].read_bytes() if data is None else data
        return self.client.post(f"/api/rounds/{self.rid}/submissions", headers=headers,
                                data={"file": (io.BytesIO(body), name), **fields})

    def merge(self) -> dict:
        response = self.client.post(f"/api/rounds/{self.rid}/merge", headers=self.secretariat)
        assert response.status_code == 202, response.get_json()
        job = response.get_json()["job"]
        for _ in range(600):
            state = self.client.get(f"/api/jobs/{job}", headers=self.secretariat).get_json()
            if state["state"] in ("done", "failed"):
                return state
            time.sleep(0.05)
        raise AssertionError("merge did not finish")


def secretariat_token(client) -> dict[str, str]:
    response = client.post("/api/tokens", json={"username": "officer", "password": PASSWORD})
    assert response.status_code == 201
    return bearer(response.get_json()["token"])


@pytest.fixture
def rnd(client, round_files: RoundFiles) -> Round:
    sec = secretariat_token(client)
    nid = client.post("/api/negotiations", json={"title": "Misuse of ICT", "symbol": "E/CN.7/2027/L.5"},
                      headers=sec).get_json()["id"]
    imported = client.post(f"/api/negotiations/{nid}/delegations", headers={**sec, "Content-Type": "text/csv"},
                           data=round_files.registry.read_bytes())
    assert imported.status_code == 201
    tokens = {d["name"]: d["token"] for d in imported.get_json()}
    created = client.post(f"/api/negotiations/{nid}/rounds", headers=sec,
                          data={"file": (io.BytesIO(round_files.base.read_bytes()), "base.docx")})
    assert created.status_code == 201, created.get_json()
    return Round(client, sec, nid, created.get_json()["id"], tokens, round_files)


def texts(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def proposals_of(reading: dict) -> list[tuple[str, str, str, list[str]]]:
    return [(p["paragraph"], x["kind"], (x["inserted"] or x["deleted"]).strip(), x["delegations"])
            for p in reading["proposals"] for x in p["proposals"]]


def sign_in(client) -> str:
    """Sign the officer in on the page; the CSRF token of the session."""
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302
    return csrf
