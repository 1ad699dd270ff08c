"""The officer's next round through the API: round 1's compilation text, downloaded, is uploaded
as round 2's base; round 2's tracked draft as round 3's. Statuses carry over, delegations are
credited only with what they change, reopening an agreed paragraph is flagged in the reading and
the merge report, and every earlier proposal stays attributed in the consolidated drafts."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from docxio.compilation import compilation_to_tracked
from docxio.reader import read_draft
from tests.lodoc import make_many
from tests.api_fixtures import Round, proposals_of
from tests.test_compilation import changes

pytestmark = pytest.mark.libreoffice

REOPENS = "reopens PP2, agreed in informals"


def new_round(rnd: Round, data: bytes, name: str) -> int:
    created = rnd.client.post(f"/api/negotiations/{rnd.nid}/rounds", headers=rnd.secretariat,
                              data={"file": (io.BytesIO(data), name)})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def submit(rnd: Round, rid: int, path: Path, delegation: str) -> dict:
    response = rnd.client.post(f"/api/rounds/{rid}/submissions", headers=rnd.as_(delegation),
                               data={"file": (io.BytesIO(path.read_bytes()), path.name)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def merged(rnd: Round, rid: int) -> tuple[dict, bytes, bytes]:
    """Merge the round; its report, compilation text and tracked draft."""
    rnd.rid = rid
    assert rnd.merge()["state"] == "done"
    get = lambda path: rnd.client.get(f"/api/rounds/{rid}/{path}", headers=rnd.secretariat)  # noqa: E731
    return (get("report").get_json(), get("consolidated?mode=compilation").data,
            get("consolidated?mode=tracked").data)


def index_of(data: bytes, start: str) -> int:
    return next(i for i, p in enumerate(read_draft(data, "base.docx").body()) if p.current.startswith(start))


def attributed(data: bytes) -> dict[str, list[tuple[str, str, str]]]:
    """A compilation text's proposals read back, per paragraph identifier."""
    return {p.id: [(kind, author, text.strip()) for kind, author, text in changes(p)]
            for p in compilation_to_tracked(read_draft(data, "compilation.docx")).body() if changes(p)}


def test_round_1_s_compilation_then_round_2_s_tracked_draft_as_the_next_bases(rnd: Round, tmp_path: Path):
    for name, delegation in (("egypt.docx", "Egypt"), ("singapore.docx", "Singapore"), ("mexico.docx", "Mexico")):
        assert rnd.submit(name, rnd.as_(delegation)).status_code == 201
    assert rnd.client.put(f"/api/rounds/{rnd.rid}/paragraphs/PP2/status", json={"status": "agreed in informals"},
                          headers=rnd.secretariat).status_code == 200
    _, compilation_1, _ = merged(rnd, rnd.rid)

    # Round 2: the circulated compilation text is the base; Egypt reopens PP2, Mexico sends it back untouched.
    rid2 = new_round(rnd, compilation_1, "L5 compilation round 1.docx")
    # Before anything arrives, the pane and the page already show PP2 as agreed, and the status
    # line under it is not offered as a paragraph of its own.
    listed = rnd.client.get(f"/api/rounds/{rid2}/paragraphs", headers=rnd.secretariat).get_json()["paragraphs"]
    assert {p["id"]: p["status"] for p in listed}["PP2"] == "agreed in informals"
    assert not [p for p in listed if p["base_text"].startswith("[")]
    # Informals agree OP1 before any file of round 2 arrives.
    assert rnd.client.put(f"/api/rounds/{rid2}/paragraphs/OP1/status", json={"status": "agreed ad ref"},
                          headers=rnd.secretariat).status_code == 200
    base2 = tmp_path / "base2.docx"
    base2.write_bytes(compilation_1)
    egypt2, mexico2 = tmp_path / "egypt round 2.docx", tmp_path / "mexico round 2.docx"
    make_many([
        ({"base": str(base2), "author": "Delegation of Egypt", "track": True, "edits": [
            {"op": "insert", "para": index_of(compilation_1, "PP2."), "before": "digital", "text": "online "},
            {"op": "insert", "para": index_of(compilation_1, "OP1."), "after": "cooperation", "text": " closely"},
        ]}, egypt2),
        ({"base": str(base2), "author": "Delegación de México", "track": True, "edits": []}, mexico2),
    ])
    egypt = submit(rnd, rid2, egypt2, "Egypt")
    assert proposals_of(egypt) == [("PP2", "insert", "online", ["Egypt"]), ("OP1", "insert", "closely", ["Egypt"])]
    assert REOPENS in egypt["warnings"] and "reopens OP1, agreed ad ref" in egypt["warnings"]
    mexico = submit(rnd, rid2, mexico2, "Mexico")
    assert proposals_of(mexico) == [] and not any("reopens" in w for w in mexico["warnings"])

    # PP2's status came with the base: the page shows it, the log says where it came from.
    paragraphs = rnd.client.get(f"/api/rounds/{rid2}/paragraphs", headers=rnd.secretariat).get_json()["paragraphs"]
    statuses = {"PP2": "agreed in informals", "OP1": "agreed ad ref"}
    assert {p["id"]: p["status"] for p in paragraphs if p.get("status")} == statuses
    log = rnd.client.application.extensions["concord_store"].status_log(rid2)
    # The base's status is recorded when the round is created, before the officer's.
    assert [(e.paragraph_id, e.status, e.changed_by) for e in log] == [
        ("PP2", "agreed in informals", "base draft"), ("OP1", "agreed ad ref", "officer")]

    report, compilation_2, tracked_2 = merged(rnd, rid2)
    # The merged paragraphs are the negotiated ones: the status line is not one of them.
    paragraphs = rnd.client.get(f"/api/rounds/{rid2}/paragraphs", headers=rnd.secretariat).get_json()["paragraphs"]
    assert not [p for p in paragraphs if p["base_text"].startswith("[")]
    assert next(p for p in paragraphs if p["id"] == "PP2")["status"] == "agreed in informals"
    assert f"{egypt2.name}: {REOPENS}" in report["warnings"]
    assert next(s for s in report["submissions"] if s["delegation"] == "Egypt")["warnings"] == [
        REOPENS, "reopens OP1, agreed ad ref"]
    round_2 = attributed(compilation_2)
    assert round_2["PP2"] == [("delete", "Mexico", "Recognizing"), ("insert", "Mexico", "Acknowledging"),
                              ("insert", "Singapore", "and abuse"), ("insert", "Egypt", "online"),
                              ("insert", "Egypt, Singapore", "illicit")]
    assert round_2["OP1"] == [("insert", "Egypt", "closely")]
    lines = [p.current for p in read_draft(compilation_2, "c.docx").body() if p.current.startswith("[")]
    assert lines == ["[PP2 agreed in informals]", "[OP1 agreed ad ref]"]

    # Round 3: the Chair's tracked draft of round 2 is the base. Its tracked changes (round 2's
    # proposals) are shown with their authors in round 3's compilation text, which has no revisions.
    rid3 = new_round(rnd, tracked_2, "L5 tracked round 2.docx")
    base3 = tmp_path / "base3.docx"
    base3.write_bytes(tracked_2)
    singapore3 = tmp_path / "singapore round 3.docx"
    make_many([({"base": str(base3), "author": "SG Mission", "track": True, "edits": [
        {"op": "insert", "para": index_of(tracked_2, "PP3."), "after": "dark web", "text": " and encrypted services"},
    ]}, singapore3)])
    singapore = submit(rnd, rid3, singapore3, "Singapore")
    assert proposals_of(singapore) == [("PP3", "insert", "and encrypted services", ["Singapore"])]
    assert not any("reopens" in w for w in singapore["warnings"])
    _, compilation_3, _ = merged(rnd, rid3)
    assert not any(p.revisions for p in read_draft(compilation_3, "c3.docx").body())
    round_3 = attributed(compilation_3)
    assert round_3["PP2"] == round_2["PP2"]
    assert round_3["OP1"] == [("insert", "Egypt", "closely")]
    assert round_3["PP3"] == [("insert", "Singapore", "and encrypted services")]
    lines = [p.current for p in read_draft(compilation_3, "c3.docx").body() if p.current.startswith("[")]
    assert lines == ["[PP2 agreed in informals]", "[OP1 agreed ad ref]"]
