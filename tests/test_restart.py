"""Restarting the server loses nothing: stopped gracefully, or killed outright."""
from __future__ import annotations

import json
import signal
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from tests.test_api_support import (
    RoundFiles, Server, admin_token, multipart, request, setup_round, wait_for_job,
)


def certificate(server: Server) -> x509.Certificate:
    """The certificate the server presents (self-signed, made in its instance folder)."""
    pem = ssl.get_server_certificate(("127.0.0.1", server.port))
    return x509.load_pem_x509_certificate(pem.encode())


def snapshot(server: Server, rid: int, token: str) -> dict:
    """Everything a user could lose: submissions and their bytes, paragraphs and statuses,
    the round's state, both consolidated drafts and the report."""
    out: dict = {}
    status, body = request(f"{server.url}/api/rounds/{rid}/submissions", token=token)
    out["submissions"] = json.loads(body)
    out["files"] = [request(f"{server.url}/api/submissions/{s['id']}/file", token=token)[1]
                    for s in out["submissions"]]
    out["round"] = json.loads(request(f"{server.url}/api/rounds/{rid}", token=token)[1])
    out["paragraphs"] = json.loads(request(f"{server.url}/api/rounds/{rid}/paragraphs", token=token)[1])
    out["report"] = request(f"{server.url}/api/rounds/{rid}/report", token=token)
    for mode in ("compilation", "tracked"):
        out[mode] = request(f"{server.url}/api/rounds/{rid}/consolidated?mode={mode}", token=token)
    return out


def test_a_restarted_server_has_everything_and_the_old_tokens_still_work(round_files: RoundFiles, tmp_path: Path):
    instance = tmp_path / "instance"
    with Server(instance) as server:
        token = admin_token(server)
        nid, rid, tokens = setup_round(server, round_files, token)
        for name, delegation in (("egypt.docx", "Egypt"), ("singapore.docx", "Singapore")):
            body, ctype = multipart({}, {"file": (name, round_files.submissions[name].read_bytes())})
            status, _ = request(f"{server.url}/api/rounds/{rid}/submissions", "POST", body, tokens[delegation],
                                {"Content-Type": ctype})
            assert status == 201
        status, body = request(f"{server.url}/api/rounds/{rid}/merge", "POST", b"", token)
        assert wait_for_job(server, json.loads(body)["job"], token)["state"] == "done"
        pid = json.loads(request(f"{server.url}/api/rounds/{rid}/paragraphs", token=token)[1])["paragraphs"][1]["id"]
        status, _ = request(f"{server.url}/api/rounds/{rid}/paragraphs/{pid}/status", "PUT",
                            {"status": "agreed ad ref"}, token)
        assert status == 200
        assert request(f"{server.url}/api/rounds/{rid}/publish", "POST", b"", token)[0] == 200
        before = snapshot(server, rid, token)
        first_certificate = certificate(server)
    names = first_certificate.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]
    assert before["report"][0] == 200 and len(before["submissions"]) == 2

    with Server(instance) as server:  # graceful stop, then start
        assert snapshot(server, rid, token) == before
        # The same certificate: a user who trusted it once need not trust a new one.
        assert certificate(server) == first_certificate
        me = json.loads(request(f"{server.url}/api/me", token=tokens["Egypt"])[1])
        assert me["delegation"]["name"] == "Egypt" and me["current_round"] == rid
        # A third submission arrives, is acknowledged, and the server is killed outright.
        body, ctype = multipart({}, {"file": ("mexico.docx", round_files.submissions["mexico.docx"].read_bytes())})
        status, answer = request(f"{server.url}/api/rounds/{rid}/submissions", "POST", body, tokens["Mexico"],
                                 {"Content-Type": ctype})
        assert status == 201
        acknowledged = json.loads(answer)
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(10)

    with Server(instance) as server:
        after = snapshot(server, rid, token)
        assert after["submissions"][:2] == before["submissions"]
        assert after["submissions"][2] == acknowledged
        assert after["files"][2] == round_files.submissions["mexico.docx"].read_bytes()
        assert {k: after[k] for k in ("compilation", "tracked", "report", "round")} == \
            {k: before[k] for k in ("compilation", "tracked", "report", "round")}
        statuses = {p["id"]: p["status"] for p in after["paragraphs"]["paragraphs"]}
        assert statuses[pid] == "agreed ad ref"
