"""One delegation's view of a round and the provenance table, with the Flask test client.

"What did Egypt propose or oppose in this round?": GET /api/rounds/<rid>/delegations/<did>/proposals
and GET /api/rounds/<rid>/provenance.csv, their access rules, and the round page's "Delegations"
card. The documents are the real LibreOffice files of ``tests.test_api_support``; reading,
consolidation and the merge are the real ones.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from addin.delegation_view import ProvenanceRow, provenance_csv
from tests.api_fixtures import PASSWORD, Round
from tests.test_api_support import RoundFiles
from tests.lodoc import make_docx


def delegation_ids(rnd: Round) -> dict[str, int]:
    listed = rnd.client.get(f"/api/negotiations/{rnd.nid}/delegations", headers=rnd.secretariat).get_json()
    return {d["name"]: d["id"] for d in listed}


def view(rnd: Round, delegation: str, headers: dict[str, str]):
    return rnd.client.get(f"/api/rounds/{rnd.rid}/delegations/{delegation_ids(rnd)[delegation]}/proposals",
                          headers=headers)


def changes(body: dict) -> list[tuple[str, str, str, list[str]]]:
    return [(x["paragraph"], x["kind"], (x["inserted"] or x["deleted"]).strip(), x["others"]) for x in body["proposals"]]


def provenance(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


# -- what one delegation did -----------------------------------------------------------------------

def test_the_secretariat_sees_each_delegations_proposals_and_stances_after_a_merge(rnd: Round):
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    rnd.submit("singapore.docx", rnd.as_("Singapore"))
    assert view(rnd, "Egypt", rnd.secretariat).status_code == 409  # nothing merged yet
    assert rnd.merge()["state"] == "done"

    egypt = view(rnd, "Egypt", rnd.secretariat).get_json()
    assert egypt["delegation"]["name"] == "Egypt" and egypt["status"] == "submitted" and egypt["merged"]
    assert changes(egypt) == [("PP2", "insert", "illicit", ["Singapore"])]
    assert [(s["paragraph"], s["stance"], s["anchor"]) for s in egypt["stances"]] == [("PP3", "retain", "dark web")]
    assert egypt["paragraphs"] == ["PP2", "PP3"]
    assert [s["filename"] for s in egypt["submissions"]] == ["egypt.docx"]

    singapore = view(rnd, "Singapore", rnd.secretariat).get_json()
    assert changes(singapore) == [("PP2", "insert", "and abuse", []), ("PP2", "insert", "illicit", ["Egypt"])]
    assert singapore["stances"] == [] and singapore["paragraphs"] == ["PP2"]

    mexico = view(rnd, "Mexico", rnd.secretariat).get_json()
    assert mexico["status"] == "no submission yet"
    assert mexico["proposals"] == [] and mexico["submissions"] == [] and mexico["paragraphs"] == []


def test_the_view_holds_the_latest_version_and_says_when_it_is_unreadable(rnd: Round):
    rnd.submit("singapore.docx", rnd.as_("Egypt"))  # the wrong file first...
    rnd.submit("egypt.docx", rnd.as_("Egypt"))      # ...replaced by the right one
    rnd.submit("mexico.docx", rnd.as_("Mexico"))
    assert rnd.submit("notes.docx", rnd.as_("Mexico"), data=b"not a word document").status_code in (415, 422)
    rnd.merge()

    egypt = view(rnd, "Egypt", rnd.secretariat).get_json()
    assert [(s["filename"], s["version"]) for s in egypt["submissions"]] == [("egypt.docx", 2)]
    assert "and abuse" not in [x["inserted"].strip() for x in egypt["proposals"]]

    mexico = view(rnd, "Mexico", rnd.secretariat).get_json()
    assert mexico["status"] == "latest file unreadable"
    # The merge used the readable version before it, and both are listed.
    assert [s["filename"] for s in mexico["submissions"]] == ["mexico.docx", "notes.docx"]
    assert any(w.startswith("notes.docx: ") for w in mexico["warnings"])
    assert ("PP2", "replace", "Acknowledging", []) in changes(mexico)
    assert ("OP2", "delete", "at its next session", []) in changes(mexico)


def test_a_delegation_sees_its_own_view_and_nobody_elses_until_publication(rnd: Round):
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    rnd.submit("singapore.docx", rnd.as_("Singapore"))
    # Its own, before any merge: read from its latest file.
    own = view(rnd, "Egypt", rnd.as_("Egypt"))
    assert own.status_code == 200 and own.get_json()["merged"] is False
    assert changes(own.get_json()) == [("PP2", "insert", "illicit", [])]
    assert view(rnd, "Singapore", rnd.as_("Egypt")).status_code == 403

    rnd.merge()
    # Merged but not published: still its own file only, so Singapore's co-sponsorship stays hidden.
    assert changes(view(rnd, "Egypt", rnd.as_("Egypt")).get_json()) == [("PP2", "insert", "illicit", [])]
    refused = view(rnd, "Singapore", rnd.as_("Egypt"))
    assert refused.status_code == 403 and "not published" in refused.get_json()["message"]

    assert rnd.client.post(f"/api/rounds/{rnd.rid}/publish", headers=rnd.secretariat).status_code == 200
    singapore = view(rnd, "Singapore", rnd.as_("Egypt")).get_json()
    assert ("PP2", "insert", "and abuse", []) in changes(singapore)
    # Another delegation's files and warnings are not shown, only whether the draft holds one.
    assert singapore["submissions"] == [] and singapore["status"] == "in the consolidated draft"
    assert view(rnd, "Mexico", rnd.as_("Egypt")).get_json()["status"] == "nothing in the consolidated draft"
    assert changes(view(rnd, "Egypt", rnd.as_("Egypt")).get_json()) == [("PP2", "insert", "illicit", ["Singapore"])]


def test_unknown_or_foreign_delegations_and_rounds_are_404(rnd: Round):
    ids = delegation_ids(rnd)
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/delegations/999/proposals", headers=rnd.secretariat).status_code == 404
    other = rnd.client.post("/api/negotiations", json={"title": "Other"}, headers=rnd.secretariat).get_json()["id"]
    rid = rnd.client.post(f"/api/negotiations/{other}/rounds", headers=rnd.secretariat, data={
        "file": (io.BytesIO(rnd.files.base.read_bytes()), "base.docx")}).get_json()["id"]
    # Egypt belongs to the first negotiation, not to this round's.
    response = rnd.client.get(f"/api/rounds/{rid}/delegations/{ids['Egypt']}/proposals", headers=rnd.secretariat)
    assert response.status_code == 404 and "no delegation" in response.get_json()["message"]
    assert rnd.client.get(f"/api/rounds/{rid}/delegations/{ids['Egypt']}/proposals",
                          headers=rnd.as_("Egypt")).status_code == 404
    assert rnd.client.get(f"/api/rounds/{rid}/provenance.csv", headers=rnd.as_("Egypt")).status_code == 404
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/delegations/{ids['Egypt']}/proposals").status_code == 401


@pytest.fixture(scope="module")
def joint_file(round_files: RoundFiles, tmp_path_factory) -> Path:
    """Egypt and Singapore marking up one file together, each under its own Word author name."""
    return make_docx({"base": str(round_files.base), "author": "Delegation of Egypt", "track": True,
                      "date": "2027-02-05T10:00:00Z", "edits": [
                          {"op": "insert", "para": 2, "before": "trafficking", "text": "illicit "},
                          {"op": "author", "name": "SG Mission"},
                          {"op": "insert", "para": 2, "after": "greater misuse", "text": " and abuse"}]},
                     tmp_path_factory.mktemp("joint") / "joint.docx")


def test_a_delegation_credited_only_in_a_joint_file_is_not_said_to_have_sent_nothing(rnd: Round, joint_file: Path):
    sent = rnd.submit("joint.docx", rnd.secretariat, data=joint_file.read_bytes())
    assert sent.status_code == 201 and sent.get_json()["delegation"] is None  # two authors: nobody's alone
    rnd.merge()
    egypt = view(rnd, "Egypt", rnd.secretariat).get_json()
    assert egypt["status"] == "credited in a file it did not send" and egypt["credited_in"] == ["joint.docx"]
    assert changes(egypt) == [("PP2", "insert", "illicit", [])] and egypt["submissions"] == []
    singapore = view(rnd, "Singapore", rnd.secretariat).get_json()
    assert singapore["credited_in"] == ["joint.docx"] and changes(singapore) == [("PP2", "insert", "and abuse", [])]
    assert view(rnd, "Mexico", rnd.secretariat).get_json()["status"] == "no submission yet"
    sign_in(rnd.client)
    page = rnd.client.get(f"/rounds/{rnd.rid}").get_data(as_text=True)
    assert "Sent without naming a delegation: joint.docx." in page
    assert page.count("Credited by its author name in joint.docx.") == 2


# -- the provenance table ------------------------------------------------------------------------

def _revision_ids(docx: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        document = z.read("word/document.xml").decode()
    return set(re.findall(r'<w:(?:ins|del)\b[^>]*\bw:id="([^"]+)"', document))


def test_the_provenance_table_names_each_proposals_file_and_revision(rnd: Round):
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    rnd.submit("singapore.docx", rnd.as_("Singapore"))
    rnd.submit("mexico.docx", rnd.as_("Mexico"))
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/provenance.csv", headers=rnd.secretariat).status_code == 409
    rnd.merge()

    response = rnd.client.get(f"/api/rounds/{rnd.rid}/provenance.csv", headers=rnd.secretariat)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # so Excel reads the accents as UTF-8
    rows = provenance(response)
    assert list(rows[0]) == ["paragraph", "kind", "deleted", "inserted", "delegations", "source file", "revision id"]
    illicit = [r for r in rows if r["inserted"].strip() == "illicit"]
    # One proposal made by two delegations: a row for each file it was read from.
    assert {r["source file"] for r in illicit} == {"egypt.docx", "singapore.docx"}
    assert all(r["paragraph"] == "PP2" and r["kind"] == "insert" and r["delegations"] == "Egypt; Singapore"
               for r in illicit)
    assert any(r["paragraph"] == "OP2" and r["kind"] == "delete" and r["deleted"].strip() == "at its next session"
               and r["delegations"] == "Mexico" for r in rows)
    # Every revision id is one that is really in the file it names.
    for r in rows:
        assert r["revision id"] in _revision_ids(rnd.files.submissions[r["source file"]].read_bytes()), r


def test_the_provenance_table_reaches_delegations_once_published(rnd: Round):
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    rnd.merge()
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/provenance.csv", headers=rnd.as_("Mexico")).status_code == 403
    rnd.client.post(f"/api/rounds/{rnd.rid}/publish", headers=rnd.secretariat)
    published = rnd.client.get(f"/api/rounds/{rnd.rid}/provenance.csv", headers=rnd.as_("Mexico"))
    assert published.status_code == 200 and {r["source file"] for r in provenance(published)} == {"egypt.docx"}


def test_a_delegates_text_cannot_become_a_spreadsheet_formula():
    row = ProvenanceRow(paragraph="OP1", kind="insert", deleted="-5 per cent", inserted='=HYPERLINK("http://x")',
                        delegations="Egypt", file="@egypt.docx", revision="3")
    parsed = list(csv.reader(io.StringIO(provenance_csv([row]))))
    assert parsed[1] == ["OP1", "insert", "'-5 per cent", "'=HYPERLINK(\"http://x\")", "Egypt", "'@egypt.docx", "3"]


def test_openapi_documents_the_delegation_view_and_the_provenance_table(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    operation = paths["/api/rounds/{rid}/delegations/{did}/proposals"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"delegation", "status", "proposals", "stances", "paragraphs", "warnings"} <= set(schema["properties"])
    assert "text/csv" in paths["/api/rounds/{rid}/provenance.csv"]["get"]["responses"]["200"]["content"]


# -- the round page ------------------------------------------------------------------------------

def sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": csrf}).status_code == 302


def test_the_round_page_lists_every_delegation_and_offers_the_provenance_table(rnd: Round):
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    sign_in(rnd.client)
    before = rnd.client.get(f"/rounds/{rnd.rid}").get_data(as_text=True)
    assert 'id="delegations-card"' not in before and "provenance.csv" not in before
    rnd.merge()
    page = rnd.client.get(f"/rounds/{rnd.rid}").get_data(as_text=True)
    card = page.split('id="delegations-card"')[1].split("</section>")[0]
    for name in ("Egypt", "Singapore", "Mexico"):
        assert f'data-delegation="{name}"' in card
    assert card.count("no submission yet") == 2
    # The select carries each delegation's paragraph ids for the page's script.
    assert 'value="Egypt" data-paragraphs="[&#34;PP2&#34;, &#34;PP3&#34;]"' in card
    assert f'href="/api/rounds/{rnd.rid}/provenance.csv"' in page
    assert "<script>" not in page  # the filter is round.js: the page's CSP allows no inline script
