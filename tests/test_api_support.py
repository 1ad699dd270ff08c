"""Shared by the backend tests (API, store, web, load, restart): a small negotiation built with
LibreOffice, a real server process on a free port, and an HTTPS client for it. No tests here.

The documents are real: LibreOffice records the tracked changes under each delegation's author
name (``tests.lodoc``), exactly as a delegate's word processor would.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.lodoc import make_many

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "correct horse battery staple"

BASE_PARAGRAPHS = [
    "Draft resolution on misuse of information and communications technologies",
    "PP1. Recalling its resolution 64/182 on drug trafficking,",
    "PP2. Recognizing that the pandemic triggered greater misuse by criminals of digital platforms for trafficking,",
    "PP3. Noting with concern the use of the dark web for the sale of controlled substances,",
    "OP1. Calls upon Member States to strengthen cooperation in investigations,",
    "OP2. Requests the Secretariat to report to the Commission at its next session.",
]

REGISTRY_CSV = (
    "delegation,aliases,emails\n"
    "Egypt,Delegation of Egypt;Ahmed Hassan,@mfa.gov.eg\n"
    "Singapore,SG Mission,@mfa.gov.sg\n"
    "Mexico,Delegación de México,@sre.gob.mx\n"
)

#: Each submission: the file name, the delegation's Word author name and its tracked edits.
SUBMISSIONS = {
    "egypt.docx": ("Delegation of Egypt", [
        {"op": "insert", "para": 2, "before": "trafficking", "text": "illicit "},
        {"op": "comment", "para": 3, "find": "dark web", "text": "retain"},
    ]),
    "singapore.docx": ("SG Mission", [
        {"op": "insert", "para": 2, "after": "greater misuse", "text": " and abuse"},
        {"op": "insert", "para": 2, "before": "trafficking", "text": "illicit "},
    ]),
    "mexico.docx": ("Delegación de México", [
        {"op": "replace", "para": 2, "find": "Recognizing", "text": "Acknowledging"},
        {"op": "delete", "para": 5, "find": " at its next session"},
    ]),
}


@dataclass(frozen=True)
class RoundFiles:
    """A base draft, three delegations' submissions and the registry, as files."""

    base: Path
    submissions: dict[str, Path]
    registry: Path


def build_round_files(folder: Path) -> RoundFiles:
    """Build the base draft and the submissions with LibreOffice into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "base.docx"
    make_many([({"paragraphs": BASE_PARAGRAPHS, "date": "2027-02-01T09:00:00Z"}, base)])
    specs = []
    for i, (name, (author, edits)) in enumerate(SUBMISSIONS.items()):
        specs.append(({"base": str(base), "author": author, "track": True,
                       "date": f"2027-02-0{i + 2}T10:00:00Z", "edits": edits}, folder / name))
    make_many(specs)
    registry = folder / "delegations.csv"
    registry.write_text(REGISTRY_CSV, encoding="utf-8")
    return RoundFiles(base, {name: folder / name for name in SUBMISSIONS}, registry)


@pytest.fixture(scope="session")
def round_files(tmp_path_factory) -> RoundFiles:
    """The negotiation's files, built once per test session."""
    return build_round_files(tmp_path_factory.mktemp("round"))


# -- a real server process ----------------------------------------------------------------------

def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`concord run --no-samples` in a subprocess on a free port with its own instance folder."""

    def __init__(self, instance: Path, port: int | None = None) -> None:
        self.instance = instance
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log = instance / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "Server":
        """Start the process and wait until it answers over HTTPS."""
        env = dict(os.environ, CONCORD_INSTANCE=str(self.instance), CONCORD_ADMIN_PASSWORD=ADMIN_PASSWORD,
                   PYTHONUNBUFFERED="1")
        self.instance.mkdir(parents=True, exist_ok=True)
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "addin.cli", "run", "--no-samples", "--host", "127.0.0.1",
             "--port", str(self.port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                status, _ = request(self.url + "/api/openapi.json")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """SIGTERM, then wait (SIGKILL after 10 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE  # the server's certificate is self-signed, made for the test


def request(url: str, method: str = "GET", body: bytes | dict | None = None, token: str | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, bytes]:
    """(status, body) of an HTTPS request to a test server (JSON body for a dict)."""
    headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, context=_INSECURE, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def admin_token(server: Server) -> str:
    """A secretariat API token for the server's account."""
    status, body = request(server.url + "/api/tokens", "POST", {"username": "secretariat", "password": ADMIN_PASSWORD})
    assert status == 201, body
    return json.loads(body)["token"]


def setup_round(server: Server, files: RoundFiles, token: str) -> tuple[int, int, dict[str, str]]:
    """Create a negotiation, import the registry and start round 1 on a server: (nid, rid, tokens)."""
    status, body = request(server.url + "/api/negotiations", "POST",
                           {"title": "Misuse of ICT for drug trafficking", "symbol": "E/CN.7/2027/L.5"}, token)
    assert status == 201, body
    nid = json.loads(body)["id"]
    status, body = request(f"{server.url}/api/negotiations/{nid}/delegations", "POST",
                           files.registry.read_bytes(), token, {"Content-Type": "text/csv"})
    assert status == 201, body
    tokens = {d["name"]: d["token"] for d in json.loads(body)}
    data, ctype = multipart({}, {"file": ("base.docx", files.base.read_bytes())})
    status, body = request(f"{server.url}/api/negotiations/{nid}/rounds", "POST", data, token, {"Content-Type": ctype})
    assert status == 201, body
    return nid, json.loads(body)["id"], tokens


def wait_for_job(server: Server, job: str, token: str, timeout: float = 120) -> dict:
    """Poll a merge job until it is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = request(f"{server.url}/api/jobs/{job}", token=token)
        state = json.loads(body)
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"merge job {job} did not finish in {timeout} s")
