"""The secretariat's pages through the Flask test client: login required, forms with CSRF, the
invitation link, and what the round page shows (the browser test drives the same pages for real)."""
from __future__ import annotations

import io
import re

from tests.api_fixtures import PASSWORD, Round, sign_in


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_pages_need_asign_in(client):
    for path in ("/negotiations", "/negotiations/1", "/rounds/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_login_never_redirects_to_another_site(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login?next=//evil.example.org/", data={
        "username": "officer", "password": PASSWORD, "csrf_token": csrf_of(page)})
    assert response.headers["Location"] == "/negotiations"


def test_a_form_posted_without_the_csrf_token_changes_nothing(client):
    sign_in(client)
    assert client.post("/negotiations", data={"title": "Forged"}).status_code == 403
    page = client.get("/negotiations").get_data(as_text=True)
    assert "Forged" not in page
    created = client.post("/negotiations", data={"title": "Real one", "csrf_token": csrf_of(page)})
    assert created.status_code == 302
    assert "Real one" in client.get("/negotiations").get_data(as_text=True)


def test_importing_the_registry_on_the_page_shows_the_invitation_links_once(client, rnd: Round):
    sign_in(client)
    page = client.get(f"/negotiations/{rnd.nid}").get_data(as_text=True)
    shown = client.post(f"/negotiations/{rnd.nid}/delegations", data={
        "csrf_token": csrf_of(page), "file": (io.BytesIO(rnd.files.registry.read_bytes()), "delegations.csv")})
    html = shown.get_data(as_text=True)
    tokens = re.findall(r'<code class="token">([^<]+)</code>', html)
    assert len(tokens) == 3
    assert not re.findall(r'<code class="token">', client.get(f"/negotiations/{rnd.nid}").get_data(as_text=True))
    invitation = client.get(f"/invite/{tokens[0]}").get_data(as_text=True)
    assert "Delegation of Egypt" in invitation and "E/CN.7/2027/L.5" in invitation
    assert client.get("/invite/not-a-token").status_code == 404


def test_a_bad_base_draft_on_the_page_says_why(client, rnd: Round):
    sign_in(client)
    page = client.get(f"/negotiations/{rnd.nid}").get_data(as_text=True)
    response = client.post(f"/negotiations/{rnd.nid}/rounds", follow_redirects=True, data={
        "csrf_token": csrf_of(page), "file": (io.BytesIO(b"%PDF-1.4"), "draft.pdf")})
    assert "draft.pdf: this is a PDF file" in response.get_data(as_text=True)


def test_the_officer_uploads_the_negotiation_s_stance_words_on_the_page(client, rnd: Round):
    sign_in(client)
    page = client.get(f"/negotiations/{rnd.nid}").get_data(as_text=True)
    assert "read with the default words" in page
    done = client.post(f"/negotiations/{rnd.nid}/stances", follow_redirects=True, data={
        "csrf_token": csrf_of(page), "file": (io.BytesIO(b"stance,phrases\nreflect,please reflect\n"), "cnd words.csv")})
    html = done.get_data(as_text=True)
    assert "Stance words of cnd words.csv are used for every reading and merge from now on." in html
    assert "read with the words of <strong>cnd words.csv</strong>" in html
    refused = client.post(f"/negotiations/{rnd.nid}/stances", follow_redirects=True, data={
        "csrf_token": csrf_of(html), "file": (io.BytesIO(b"reflect\n"), "bad.csv")})
    assert "bad.csv: the stance vocabulary needs the header" in refused.get_data(as_text=True)


def test_a_round_created_on_the_page_from_a_compilation_text_keeps_its_status_lines(client, rnd: Round):
    assert rnd.submit("egypt.docx", rnd.as_("Egypt")).status_code == 201
    assert rnd.client.put(f"/api/rounds/{rnd.rid}/paragraphs/PP2/status", json={"status": "agreed in informals"},
                          headers=rnd.secretariat).status_code == 200
    assert rnd.merge()["state"] == "done"
    compilation = rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated?mode=compilation", headers=rnd.secretariat).data
    sign_in(client)
    page = client.get(f"/negotiations/{rnd.nid}").get_data(as_text=True)
    created = client.post(f"/negotiations/{rnd.nid}/rounds", data={
        "csrf_token": csrf_of(page), "file": (io.BytesIO(compilation), "compilation round 1.docx")})
    rid2 = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    listed = rnd.client.get(f"/api/rounds/{rid2}/paragraphs", headers=rnd.secretariat).get_json()["paragraphs"]
    assert {p["id"]: p["status"] for p in listed}["PP2"] == "agreed in informals"


def test_the_round_page_shows_submissions_proposals_conflicts_and_charts(client, rnd: Round):
    for name, delegation in (("egypt.docx", "Egypt"), ("singapore.docx", "Singapore"), ("mexico.docx", "Mexico")):
        rnd.submit(name, rnd.as_(delegation))
    rnd.submit("mexico.docx", rnd.as_("Mexico"), data=b"%PDF-1.4 oops")
    sign_in(client)
    before = client.get(f"/rounds/{rnd.rid}").get_data(as_text=True)
    assert "this is a PDF file" in before and 'id="paragraphs"' not in before
    rnd.merge()
    html = client.get(f"/rounds/{rnd.rid}").get_data(as_text=True)
    assert html.count("<tr class=\"failed\">") == 1
    proposals = re.sub(r"\s+", " ", html.split('id="paragraphs"')[1])
    assert re.search(r"<ins> ?illicit</ins> <span class=\"delegations\">\((Egypt, Singapore|Singapore, Egypt)\)", proposals)
    assert re.search(r"<del>Recognizing</del> <ins>Acknowledging</ins> <span class=\"delegations\">\(Mexico\)", proposals)
    # One bar per delegation with proposals, with its count.
    delegations_chart = html.split('id="chart-delegations"')[1].split("</figure>")[0]
    assert delegations_chart.count("<rect") == 3 and "Mexico: 2" in delegations_chart
    assert "Download compilation text" in html and "Publish to delegations" in html


def test_the_round_page_marks_replaced_versions_and_shows_what_needs_a_human(client, rnd: Round):
    rnd.submit("singapore.docx", rnd.as_("Egypt"))
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    rnd.submit("mexico.docx", rnd.as_("Mexico"))
    rnd.merge()
    sign_in(client)
    html = re.sub(r"\s+", " ", client.get(f"/rounds/{rnd.rid}").get_data(as_text=True))
    rows = re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", html)
    assert len([r for r in rows if "(replaced by 2)" in r]) == 1
    assert "singapore.docx" in next(r for r in rows if "(replaced by 2)" in r)


def test_edits_made_without_track_changes_are_flagged_for_the_officer(client, rnd: Round, tmp_path):
    from tests.lodoc import make_many

    untracked = tmp_path / "pakistan.docx"
    make_many([({"base": str(rnd.files.base), "author": "Pakistan", "track": False, "date": "2027-02-05T10:00:00Z",
                 "edits": [{"op": "insert", "para": 4, "after": "strengthen", "text": " international"}]},
                untracked)])
    reading = rnd.submit("pakistan.docx", rnd.secretariat, data=untracked.read_bytes(), delegation="Mexico").get_json()
    assert reading["tracked"] is False
    assert any("without Track Changes" in w for w in reading["warnings"])
    rnd.merge()
    sign_in(client)
    html = re.sub(r"\s+", " ", client.get(f"/rounds/{rnd.rid}").get_data(as_text=True))
    row = next(r for r in re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", html) if "pakistan.docx" in r)
    assert '<span class="warn">no</span>' in row and "without Track Changes" in row
    notes = html.split('id="merge-notes"')[1].split("</section>")[0]
    assert "pakistan.docx" in notes and "without Track Changes" in notes


def test_pages_forbid_framing_and_foreign_scripts(client):
    for path in ("/login",):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
    sign_in(client)
    assert "frame-ancestors 'none'" in client.get("/negotiations").headers["Content-Security-Policy"]
