"""Load: 200 submissions posted at once from several threads to a real server process.

Fifty delegations each send four versions, from eight threads at once. Every acknowledged
submission must be stored exactly once with its bytes, each delegation's versions numbered 1-4,
and the merge must equal the merge of the same submissions posted one by one, in the same order,
to a fresh server.
"""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.test_api_support import (
    RoundFiles, Server, admin_token, multipart, request, setup_round, wait_for_job,
)

DELEGATIONS = 50
VERSIONS = 4
THREADS = 8


def registry_of(n: int) -> bytes:
    lines = ["delegation,aliases,emails"] + [f"Delegation {i:02d},,@d{i:02d}.example.org" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def planned(files: RoundFiles) -> list[tuple[str, str, bytes]]:
    """(delegation, filename, bytes) of the 200 submissions: each file names its sender and version."""
    docs = list(files.submissions.values())
    return [(f"Delegation {d:02d}", f"d{d:02d}-v{v}.docx", docs[(d + v) % len(docs)].read_bytes())
            for v in range(1, VERSIONS + 1) for d in range(DELEGATIONS)]


def prepare(server: Server, files: RoundFiles) -> tuple[str, int, dict[str, str]]:
    token = admin_token(server)
    nid, rid, _ = setup_round(server, files, token)
    status, body = request(f"{server.url}/api/negotiations/{nid}/delegations", "POST", registry_of(DELEGATIONS),
                           token, {"Content-Type": "text/csv"})
    assert status == 201, body
    return token, rid, {d["name"]: d["token"] for d in json.loads(body)}


def post(server: Server, rid: int, tokens: dict[str, str], item: tuple[str, str, bytes]) -> tuple[int, dict]:
    delegation, filename, data = item
    body, ctype = multipart({}, {"file": (filename, data)})
    status, answer = request(f"{server.url}/api/rounds/{rid}/submissions", "POST", body, tokens[delegation],
                             {"Content-Type": ctype}, timeout=300)
    return status, json.loads(answer)


def merged_report(server: Server, rid: int, token: str) -> dict:
    status, body = request(f"{server.url}/api/rounds/{rid}/merge", "POST", b"", token)
    assert status == 202, body
    assert wait_for_job(server, json.loads(body)["job"], token, timeout=600)["state"] == "done"
    status, body = request(f"{server.url}/api/rounds/{rid}/report", token=token)
    assert status == 200
    return without_arrival(json.loads(body))


def without_arrival(value):
    """The report without arrival times (the two servers received the files at different times)."""
    if isinstance(value, dict):
        return {k: without_arrival(v) for k, v in value.items() if k != "arrived"}
    if isinstance(value, list):
        return [without_arrival(v) for v in value]
    return value


def test_200_concurrent_submissions_are_all_stored_once_and_merge_like_sequential_ones(
        round_files: RoundFiles, tmp_path: Path):
    items = planned(round_files)
    assert len(items) == 200
    with Server(tmp_path / "concurrent") as server:
        token, rid, tokens = prepare(server, round_files)
        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(pool.map(lambda item: post(server, rid, tokens, item), items))
        assert [status for status, _ in answers] == [201] * 200
        status, body = request(f"{server.url}/api/rounds/{rid}/submissions", token=token)
        stored = json.loads(body)
        assert len(stored) == 200
        assert sorted((s["delegation"], s["filename"]) for s in stored) == sorted((d, f) for d, f, _ in items)
        assert len({s["id"] for s in stored}) == 200
        for delegation in {d for d, _, _ in items}:
            assert sorted(s["version"] for s in stored if s["delegation"] == delegation) == [1, 2, 3, 4]
        sent = {f: hashlib.sha256(data).hexdigest() for _, f, data in items}
        assert all(s["sha256"] == sent[s["filename"]] for s in stored)
        for s in stored[::17]:  # and the bytes themselves, for a sample
            status, data = request(f"{server.url}/api/submissions/{s['id']}/file", token=token)
            assert status == 200 and hashlib.sha256(data).hexdigest() == sent[s["filename"]]
        concurrent_report = merged_report(server, rid, token)
        arrival_order = [s["filename"] for s in stored]  # the list is in order of arrival

    by_name = {f: (d, f, data) for d, f, data in items}
    with Server(tmp_path / "sequential") as server:
        token, rid, tokens = prepare(server, round_files)
        for filename in arrival_order:
            status, _ = post(server, rid, tokens, by_name[filename])
            assert status == 201
        sequential_report = merged_report(server, rid, token)

    assert len(concurrent_report["submissions"]) == DELEGATIONS
    assert concurrent_report == sequential_report
