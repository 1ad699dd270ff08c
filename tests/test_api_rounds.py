"""Rounds as the add-in and other clients see them: the current round in /api/me (for the
secretariat too), a delegation's own stances per paragraph, and a file marked up on an older
round's base flagged as such in its reading and in the merge report."""
from __future__ import annotations

import io
import re
import zipfile

from tests.api_fixtures import Round, secretariat_token

ROUND_2_OLD = "greater misuse by criminals of digital platforms"
ROUND_2_NEW = "greater misuse by organized criminal groups of digital platforms and social media"


def edited_base(base: bytes, old: str, new: str) -> bytes:
    """The base draft with one passage rewritten without Track Changes (the secretariat's
    clean text for the next round)."""
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                assert old.encode() in data, "the passage is in one run of the LibreOffice base"
                data = data.replace(old.encode(), new.encode())
            target.writestr(item, data)
    return out.getvalue()


def open_round_2(rnd: Round) -> int:
    base = edited_base(rnd.files.base.read_bytes(), ROUND_2_OLD, ROUND_2_NEW)
    created = rnd.client.post(f"/api/negotiations/{rnd.nid}/rounds", headers=rnd.secretariat,
                              data={"file": (io.BytesIO(base), "base round 2.docx")})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


# -- /api/me ---------------------------------------------------------------------------------------

def test_me_gives_the_secretariat_the_current_round_of_the_latest_negotiation(rnd: Round):
    me = rnd.client.get("/api/me", headers=rnd.secretariat).get_json()
    assert me["role"] == "secretariat" and me["delegation"] is None
    assert me["negotiation"]["symbol"] == "E/CN.7/2027/L.5"
    assert me["current_round"] == rnd.rid
    assert (me["round"]["number"], me["round"]["published"]) == (1, False)

    # A newer negotiation without a round yet does not take the pane away from the one in progress.
    rnd.client.post("/api/negotiations", json={"title": "Another draft"}, headers=rnd.secretariat)
    assert rnd.client.get("/api/me", headers=rnd.secretariat).get_json()["current_round"] == rnd.rid

    rid2 = open_round_2(rnd)
    for headers in (rnd.secretariat, rnd.as_("Egypt")):
        me = rnd.client.get("/api/me", headers=headers).get_json()
        assert me["current_round"] == rid2 and me["round"]["number"] == 2


def test_me_without_any_round_has_null_round_fields(client):

    headers = secretariat_token(client)
    me = client.get("/api/me", headers=headers).get_json()
    assert (me["negotiation"], me["current_round"], me["round"]) == (None, None, None)


# -- paragraphs with the delegation's own stances ----------------------------------------------------

def test_paragraphs_show_a_delegations_own_stances_and_nobody_elses(rnd: Round):
    assert rnd.submit("egypt.docx", rnd.as_("Egypt")).status_code == 201
    own = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.as_("Egypt")).get_json()
    stances = {p["id"]: [(s["stance"], s["delegations"]) for s in p["stances"]] for p in own["paragraphs"] if p["stances"]}
    assert stances == {"PP3": [("retain", ["Egypt"])]}
    other = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.as_("Mexico")).get_json()
    assert all(p["stances"] == [] and p["proposals"] == [] for p in other["paragraphs"])


def test_openapi_describes_the_round_in_me_and_stances_in_paragraphs(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    me = paths["/api/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"current_round", "round", "negotiation"} <= set(me["properties"])
    paragraphs = paths["/api/rounds/{rid}/paragraphs"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    item = paragraphs["properties"]["paragraphs"]["items"]
    assert {"proposals", "stances"} <= set(item["properties"])
    assert "stances" in paths["/api/rounds/{rid}/paragraphs"]["get"]["description"]


# -- a file based on an older round ----------------------------------------------------------------

def test_a_submission_marked_up_on_round_1_is_flagged_in_round_2(rnd: Round):
    rid2 = open_round_2(rnd)
    singapore = rnd.files.submissions["singapore.docx"].read_bytes()  # marked up on round 1's base
    response = rnd.client.post(f"/api/rounds/{rid2}/submissions", headers=rnd.as_("Singapore"),
                               data={"file": (io.BytesIO(singapore), "singapore.docx")})
    assert response.status_code == 201, response.get_json()
    reading = response.get_json()
    older = [w for w in reading["warnings"] if "older round" in w]
    assert older and "round 1" in older[0], reading["warnings"]
    # Only the delegation's own changes count, placed on round 2's text: nothing of round 2's
    # rewrite is proposed back as a deletion by Singapore.
    proposals = [(x["kind"], (x["inserted"] or x["deleted"]).strip()) for p in reading["proposals"] for x in p["proposals"]]
    assert ("insert", "illicit") in proposals
    assert not any("organized criminal groups" in text for _, text in proposals), proposals

    # The same file on round 1 itself is not flagged.
    same = rnd.client.post(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.as_("Singapore"),
                           data={"file": (io.BytesIO(singapore), "singapore.docx")}).get_json()
    assert not [w for w in same["warnings"] if "older round" in w]

    # The merge of round 2 says so too.
    rnd.rid = rid2
    assert rnd.merge()["state"] == "done"
    report = rnd.client.get(f"/api/rounds/{rid2}/report", headers=rnd.secretariat).get_json()
    assert re.search(r"older round", str(report)), report


# -- the dossier ------------------------------------------------------------------------------------

def test_a_dossier_with_a_file_it_cannot_include_names_that_file(rnd: Round, real_corpus):
    strict = real_corpus / "openxmlsdk__strict_CommentRangeStart.docx"
    submitted = rnd.client.post(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.as_("Egypt"),
                                data={"file": (io.BytesIO(strict.read_bytes()), "egypt strict.docx")})
    assert submitted.status_code == 201, submitted.get_json()  # the reader takes Strict files
    response = rnd.client.get(f"/api/rounds/{rnd.rid}/dossier", headers=rnd.secretariat)
    assert response.status_code == 422
    assert "egypt strict.docx: the file is saved as Strict Open XML" in response.get_json()["message"]


# -- the negotiation's own stance words ----------------------------------------------------------

def test_a_negotiation_s_own_stance_words_are_used_for_readings(rnd: Round, tmp_path):
    from tests.lodoc import make_docx

    marked = make_docx({"base": str(rnd.files.base), "author": "Delegation of Egypt", "track": True,
                        "date": "2027-02-10T09:30:00Z",
                        "edits": [{"op": "comment", "para": 3, "find": "dark web", "text": "please reflect"}]},
                       tmp_path / "egypt reflect.docx")

    def stances_read() -> list[tuple[str, str]]:
        reading = rnd.submit("egypt reflect.docx", rnd.as_("Egypt"), data=marked.read_bytes()).get_json()
        return [(p["paragraph"], s["stance"]) for p in reading["proposals"] for s in p["stances"]]

    assert stances_read() == [("PP3", "please reflect")]  # free text with the default words
    put = rnd.client.put(f"/api/negotiations/{rnd.nid}/stances", headers={**rnd.secretariat, "Content-Type": "text/csv"},
                         data="stance,phrases\nreflect,reflect;please reflect\n".encode())
    assert put.status_code == 200, put.get_json()
    assert {"stance": "reflect", "phrases": ["reflect", "please reflect"]} in put.get_json()["stances"]
    assert stances_read() == [("PP3", "reflect")]
    # Delegations cannot change the words; a file without the header is refused naming it.
    assert rnd.client.put(f"/api/negotiations/{rnd.nid}/stances", headers={**rnd.as_("Egypt"), "Content-Type": "text/csv"},
                          data=b"stance,phrases\nx,y\n").status_code == 403
    bad = rnd.client.put(f"/api/negotiations/{rnd.nid}/stances", headers=rnd.secretariat,
                         data={"file": (io.BytesIO(b"reflect;please reflect\n"), "words.csv")})
    assert bad.status_code == 422
    assert "words.csv: the stance vocabulary needs the header 'stance,phrases'" in bad.get_json()["message"]
