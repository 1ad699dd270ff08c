"""The REST API with the Flask test client: every endpoint, the access rules, errors.

The documents are real LibreOffice files with tracked changes by three delegations
(``tests.test_api_support``); reading, consolidation and writing are the real docxio.
"""
from __future__ import annotations

import io
from pathlib import Path

from tests.api_fixtures import Round, bearer, proposals_of, sign_in, texts


# -- documentation and identity -----------------------------------------------------------------

def test_openapi_lists_every_api_endpoint(app, client):
    document = client.get("/api/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented
    assert ("/api/rounds/{rid}/submissions", "POST") in documented
    assert document["paths"]["/api/rounds/{rid}/merge"]["post"]["summary"].startswith("Start merging")


def test_me_says_who_the_token_is(rnd: Round):
    me = rnd.client.get("/api/me", headers=rnd.as_("Egypt")).get_json()
    assert me["role"] == "delegation" and me["delegation"]["name"] == "Egypt"
    assert me["negotiation"]["symbol"] == "E/CN.7/2027/L.5" and me["current_round"] == rnd.rid
    assert rnd.client.get("/api/me", headers=rnd.secretariat).get_json()["role"] == "secretariat"


def test_no_token_is_401_and_a_wrong_token_is_401_in_json(client):
    for headers in ({}, bearer("not-a-token")):
        response = client.get("/api/negotiations", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized" and response.get_json()["message"]


def test_wrong_password_gets_no_token(client):
    response = client.post("/api/tokens", json={"username": "officer", "password": "guess"})
    assert response.status_code == 401


# -- negotiations, delegations, rounds ----------------------------------------------------------

def test_negotiation_is_listed_with_its_round(rnd: Round):
    listed = rnd.client.get("/api/negotiations", headers=rnd.secretariat).get_json()
    assert [n["symbol"] for n in listed] == ["E/CN.7/2027/L.5"]
    one = rnd.client.get(f"/api/negotiations/{rnd.nid}", headers=rnd.secretariat).get_json()
    assert one["current_round"] == rnd.rid and one["rounds"][0]["number"] == 1
    assert rnd.client.get(f"/api/rounds/{rnd.rid}", headers=rnd.as_("Mexico")).get_json()["base_filename"] == "base.docx"


def test_a_negotiation_needs_a_title(rnd: Round):
    response = rnd.client.post("/api/negotiations", json={"symbol": "X"}, headers=rnd.secretariat)
    assert response.status_code == 422
    assert rnd.client.post("/api/negotiations", data="title", headers=rnd.secretariat).status_code == 400


def test_delegation_tokens_are_shown_once_and_stored_hashed(app, rnd: Round):
    listed = rnd.client.get(f"/api/negotiations/{rnd.nid}/delegations", headers=rnd.secretariat).get_json()
    assert {d["name"] for d in listed} == {"Egypt", "Singapore", "Mexico"}
    assert all("token" not in d for d in listed)
    egypt = next(d for d in listed if d["name"] == "Egypt")
    assert egypt["aliases"] == ["Delegation of Egypt", "Ahmed Hassan"] and egypt["emails"] == ["@mfa.gov.eg"]
    database = Path(app.instance_path, "concord.sqlite3").read_bytes()
    for token in rnd.tokens.values():
        assert token.encode() not in database


def test_registry_can_be_imported_as_a_multipart_file_and_reissues_tokens(rnd: Round):
    response = rnd.client.post(f"/api/negotiations/{rnd.nid}/delegations", headers=rnd.secretariat,
                               data={"file": (io.BytesIO(b"delegation,aliases,emails\nEgypt,EGY,\n"), "reg.csv")})
    assert response.status_code == 201
    [egypt] = response.get_json()
    assert egypt["aliases"] == ["EGY"] and egypt["invitation_url"].endswith("/invite/" + egypt["token"])
    # The new link replaces the old one.
    assert rnd.client.get("/api/me", headers=rnd.as_("Egypt")).status_code == 401
    assert rnd.client.get("/api/me", headers=bearer(egypt["token"])).status_code == 200


def test_a_registry_without_the_columns_is_refused_naming_the_file(rnd: Round):
    response = rnd.client.post(f"/api/negotiations/{rnd.nid}/delegations", data=b"name,email\nEgypt,x\n",
                               headers={**rnd.secretariat, "Content-Type": "text/csv", "X-Filename": "list.csv"})
    assert response.status_code == 422
    assert "list.csv" in response.get_json()["message"] and "aliases" in response.get_json()["message"]


def test_a_base_draft_that_is_not_a_docx_is_refused(rnd: Round):
    response = rnd.client.post(f"/api/negotiations/{rnd.nid}/rounds", headers=rnd.secretariat,
                               data={"file": (io.BytesIO(b"%PDF-1.7 not a draft"), "draft.docx")})
    assert response.status_code == 415
    assert "draft.docx" in response.get_json()["message"] and "PDF" in response.get_json()["message"]


def test_delegations_cannot_create_anything(rnd: Round):
    egypt = rnd.as_("Egypt")
    assert rnd.client.post("/api/negotiations", json={"title": "x"}, headers=egypt).status_code == 403
    assert rnd.client.get(f"/api/negotiations/{rnd.nid}/delegations", headers=egypt).status_code == 403
    assert rnd.client.post(f"/api/rounds/{rnd.rid}/merge", headers=egypt).status_code == 403
    assert rnd.client.post(f"/api/rounds/{rnd.rid}/publish", headers=egypt).status_code == 403
    assert rnd.client.put(f"/api/rounds/{rnd.rid}/paragraphs/OP1/status", json={"status": "agreed ad ref"},
                          headers=egypt).status_code == 403


# -- submissions --------------------------------------------------------------------------------

def test_a_delegation_submits_and_sees_the_reading(rnd: Round):
    response = rnd.submit("singapore.docx", rnd.as_("Singapore"))
    assert response.status_code == 201
    reading = response.get_json()
    assert reading["delegation"] == "Singapore" and reading["tracked"] is True and reading["version"] == 1
    found = proposals_of(reading)
    assert any(kind == "insert" and text == "and abuse" for _, kind, text, _ in found)
    assert any(text == "illicit" for _, _, text, _ in found)
    assert reading["channel"] == "api" and reading["error"] is None


def test_the_stored_file_is_the_exact_bytes_sent(rnd: Round):
    sent = rnd.files.submissions["egypt.docx"].read_bytes()
    sid = rnd.submit("egypt.docx", rnd.as_("Egypt")).get_json()["id"]
    back = rnd.client.get(f"/api/submissions/{sid}/file", headers=rnd.as_("Egypt"))
    assert back.status_code == 200 and back.data == sent
    import hashlib

    assert rnd.client.get(f"/api/submissions/{sid}", headers=rnd.secretariat).get_json()["sha256"] == \
        hashlib.sha256(sent).hexdigest()


def test_a_raw_body_with_x_filename_is_accepted_from_the_addin(rnd: Round):
    data = rnd.files.submissions["mexico.docx"].read_bytes()
    response = rnd.client.post(f"/api/rounds/{rnd.rid}/submissions", data=data, headers={
        **rnd.as_("Mexico"), "X-Filename": "L5%20ICT%20draft%20(2)%20M%C3%A9xico.docx",
        "Content-Type": "application/octet-stream",
        "X-Concord-Client": "addin"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["filename"] == "L5 ICT draft (2) México.docx" and body["channel"] == "addin"
    assert ("replace", "Acknowledging") in {(k, t) for _, k, t, _ in proposals_of(body)}


def test_a_docx_with_another_name_is_recognised_by_its_content(rnd: Round):
    response = rnd.submit("egypt.docx", rnd.as_("Egypt"), data=rnd.files.submissions["egypt.docx"].read_bytes())
    renamed = rnd.client.post(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.as_("Egypt"), data={
        "file": (io.BytesIO(rnd.files.submissions["egypt.docx"].read_bytes()), "markup.bin")})
    assert response.status_code == renamed.status_code == 201
    assert renamed.get_json()["kind"] == "docx" and proposals_of(renamed.get_json()) == proposals_of(response.get_json())


def test_the_secretariat_submits_for_a_named_delegation(rnd: Round):
    response = rnd.submit("mexico.docx", rnd.secretariat, delegation="Mexico")
    assert response.status_code == 201 and response.get_json()["delegation"] == "Mexico"
    assert rnd.submit("mexico.docx", rnd.secretariat, delegation="Atlantis").status_code == 422


def test_an_unattributed_file_is_credited_from_its_word_authors(rnd: Round):
    response = rnd.submit("mexico.docx", rnd.secretariat)
    assert response.status_code == 201
    assert response.get_json()["delegation"] == "Mexico"
    # ... and the delegation then sees it as its own.
    listed = rnd.client.get(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.as_("Mexico")).get_json()
    assert [s["id"] for s in listed] == [response.get_json()["id"]]


def test_a_resubmission_is_a_new_version_and_the_old_one_is_kept(rnd: Round):
    first = rnd.submit("egypt.docx", rnd.as_("Egypt")).get_json()
    second = rnd.submit("singapore.docx", rnd.as_("Egypt")).get_json()
    assert (first["version"], second["version"]) == (1, 2)
    listed = rnd.client.get(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.as_("Egypt")).get_json()
    assert [s["version"] for s in listed] == [1, 2]
    assert rnd.client.get(f"/api/submissions/{first['id']}/file", headers=rnd.as_("Egypt")).data == \
        rnd.files.submissions["egypt.docx"].read_bytes()


def test_the_same_message_twice_is_stored_once(rnd: Round):
    headers = {**rnd.as_("Egypt"), "X-Message-ID": "<abc@mfa.gov.eg>"}
    first = rnd.submit("egypt.docx", headers)
    again = rnd.submit("egypt.docx", headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(rnd.client.get(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.secretariat).get_json()) == 1


def test_submitting_without_a_file_is_400(rnd: Round):
    response = rnd.client.post(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.as_("Egypt"), data={"x": "1"})
    assert response.status_code == 400 and "file" in response.get_json()["message"]


# -- access rules -------------------------------------------------------------------------------

def _others_cannot_see(rnd: Round, sid: int) -> None:
    for other in ("Singapore", "Mexico"):
        assert rnd.client.get(f"/api/submissions/{sid}", headers=rnd.as_(other)).status_code == 404
        assert rnd.client.get(f"/api/submissions/{sid}/file", headers=rnd.as_(other)).status_code == 404
        listed = rnd.client.get(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.as_(other)).get_json()
        assert sid not in [s["id"] for s in listed]


def test_a_delegation_never_sees_another_delegations_submission(rnd: Round):
    sid = rnd.submit("egypt.docx", rnd.as_("Egypt")).get_json()["id"]
    rnd.submit("singapore.docx", rnd.as_("Singapore"))
    _others_cannot_see(rnd, sid)
    paragraphs = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.as_("Mexico")).get_json()
    assert paragraphs["merged"] is False
    assert all(p["proposals"] == [] for p in paragraphs["paragraphs"])
    own = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.as_("Singapore")).get_json()
    inserted = [x["inserted"].strip() for p in own["paragraphs"] for x in p["proposals"]]
    assert "and abuse" in inserted

    assert rnd.merge()["state"] == "done"
    assert rnd.client.post(f"/api/rounds/{rnd.rid}/publish", headers=rnd.secretariat).status_code == 200
    _others_cannot_see(rnd, sid)  # publication publishes the consolidated draft, not the files


def test_consolidated_drafts_reach_delegations_only_once_published(rnd: Round):
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    assert rnd.client.post(f"/api/rounds/{rnd.rid}/publish", headers=rnd.secretariat).status_code == 409
    assert rnd.merge()["state"] == "done"
    for path in ("consolidated", "consolidated?mode=tracked", "report"):
        assert rnd.client.get(f"/api/rounds/{rnd.rid}/{path}", headers=rnd.as_("Egypt")).status_code == 403
    mine = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.as_("Mexico")).get_json()
    assert mine["merged"] is False
    published = rnd.client.post(f"/api/rounds/{rnd.rid}/publish", headers=rnd.secretariat).get_json()
    assert published["published"] is True
    for path in ("consolidated", "consolidated?mode=tracked", "report"):
        assert rnd.client.get(f"/api/rounds/{rnd.rid}/{path}", headers=rnd.as_("Mexico")).status_code == 200
    everyone = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.as_("Mexico")).get_json()
    assert everyone["merged"] is True
    assert any("Egypt" in x["delegations"] for p in everyone["paragraphs"] for x in p["proposals"])
    # Withdrawn again: closed again.
    rnd.client.post(f"/api/rounds/{rnd.rid}/publish", json={"published": False}, headers=rnd.secretariat)
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated", headers=rnd.as_("Mexico")).status_code == 403


def test_a_delegation_cannot_reach_another_negotiation(rnd: Round):
    other = rnd.client.post("/api/negotiations", json={"title": "Other"}, headers=rnd.secretariat).get_json()["id"]
    rid = rnd.client.post(f"/api/negotiations/{other}/rounds", headers=rnd.secretariat, data={
        "file": (io.BytesIO(rnd.files.base.read_bytes()), "base.docx")}).get_json()["id"]
    egypt = rnd.as_("Egypt")
    assert rnd.client.get(f"/api/negotiations/{other}", headers=egypt).status_code == 404
    assert rnd.client.get(f"/api/rounds/{rid}", headers=egypt).status_code == 404
    assert rnd.submit("egypt.docx", egypt).status_code == 201
    response = rnd.client.post(f"/api/rounds/{rid}/submissions", headers=egypt, data={
        "file": (io.BytesIO(rnd.files.submissions["egypt.docx"].read_bytes()), "egypt.docx")})
    assert response.status_code == 404
    assert [n["id"] for n in rnd.client.get("/api/negotiations", headers=egypt).get_json()] == [rnd.nid]


def test_unknown_things_are_404_in_json(rnd: Round):
    for path in ("/api/negotiations/999", "/api/rounds/999", "/api/submissions/999", "/api/jobs/nope",
                 "/api/rounds/999/report", "/api/nothing"):
        response = rnd.client.get(path, headers=rnd.secretariat)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


# -- merge, results, statuses -------------------------------------------------------------------

def test_merge_reports_progress_and_stores_both_renderings(rnd: Round):
    for name, delegation in (("egypt.docx", "Egypt"), ("singapore.docx", "Singapore"), ("mexico.docx", "Mexico")):
        assert rnd.submit(name, rnd.as_(delegation)).status_code == 201
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/report", headers=rnd.secretariat).status_code == 409
    job = rnd.merge()
    assert job == {**job, "state": "done", "progress": 100, "error": None}
    report = rnd.client.get(f"/api/rounds/{rnd.rid}/report", headers=rnd.secretariat).get_json()
    assert [s["file"] for s in report["submissions"]] == ["egypt.docx", "singapore.docx", "mexico.docx"]
    compilation = rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated?mode=compilation", headers=rnd.secretariat)
    assert compilation.status_code == 200
    assert compilation.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    text = texts(compilation.data)
    assert "and abuse" in text and "Singapore" in text and "Acknowledging" in text and "Mexico" in text
    tracked = rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated?mode=tracked", headers=rnd.secretariat)
    assert tracked.status_code == 200 and tracked.data != compilation.data
    # The tracked rendering carries each proposal as a Word revision by its delegation.
    from docxio.reader import read_draft

    draft = read_draft(tracked.data, "tracked.docx")
    insertions = {(s.text.strip(), s.inserted.author) for p in draft.body() for s in p.spans if s.inserted}
    assert any(text == "and abuse" and "Singapore" in author for text, author in insertions)
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated?mode=pdf", headers=rnd.secretariat).status_code == 400
    assert rnd.client.get(f"/api/rounds/{rnd.rid}", headers=rnd.secretariat).get_json()["merged_at"]


def test_only_the_latest_version_of_a_delegation_is_merged(rnd: Round):
    rnd.submit("singapore.docx", rnd.as_("Egypt"))  # a wrong file first...
    rnd.submit("egypt.docx", rnd.as_("Egypt"))      # ... then the right one
    rnd.merge()
    report = rnd.client.get(f"/api/rounds/{rnd.rid}/report", headers=rnd.secretariat).get_json()
    assert [s["file"] for s in report["submissions"]] == ["egypt.docx"]
    assert "and abuse" not in texts(rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated",
                                                   headers=rnd.secretariat).data)


def test_a_status_is_set_logged_and_written_into_the_next_merge(app, rnd: Round):
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    rnd.merge()
    paragraphs = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.secretariat).get_json()["paragraphs"]
    pid = next(p["id"] for p in paragraphs if p["base_text"].startswith("PP1"))
    response = rnd.client.put(f"/api/rounds/{rnd.rid}/paragraphs/{pid}/status",
                              json={"status": "agreed in informals"}, headers=rnd.secretariat)
    assert response.status_code == 200
    after = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.secretariat).get_json()["paragraphs"]
    assert next(p for p in after if p["id"] == pid)["status"] == "agreed in informals"
    log = app.extensions["concord_store"].status_log(rnd.rid)
    assert [(e.paragraph_id, e.status, e.changed_by) for e in log] == [(pid, "agreed in informals", "officer")]
    rnd.merge()
    assert "agreed in informals" in texts(rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated",
                                                         headers=rnd.secretariat).data)
    too_long = rnd.client.put(f"/api/rounds/{rnd.rid}/paragraphs/{pid}/status", json={"status": "x" * 301},
                              headers=rnd.secretariat)
    assert too_long.status_code == 422


def test_the_dossier_holds_every_submission_for_the_secretariat_only(rnd: Round):
    # The committed sample submissions (Word-like files with list numbering); the small LibreOffice
    # files of this module trip a docxio.dossier bug (numId 0 without a numbering part), reported.
    samples = Path(__file__).resolve().parent.parent / "samples" / "submissions"
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/dossier", headers=rnd.secretariat).status_code == 409
    for name, delegation in (("Mexico L5 ICT.docx", "Mexico"), ("CND L5 - Singapore.docx", "Singapore")):
        rnd.submit(name, rnd.secretariat, data=(samples / name).read_bytes(), delegation=delegation)
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/dossier", headers=rnd.as_("Mexico")).status_code == 403
    dossier = rnd.client.get(f"/api/rounds/{rnd.rid}/dossier", headers=rnd.secretariat)
    assert dossier.status_code == 200
    text = texts(dossier.data)
    assert text.index("Mexico — received") < text.index("Singapore — received")


# -- sessions and CSRF --------------------------------------------------------------------------

def test_the_session_cookie_is_httponly_and_samesite(client):
    sign_in(client)
    cookie = client.get_cookie("concord_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_a_session_request_without_the_csrf_token_is_refused(client, rnd: Round):
    csrf = sign_in(client)
    assert client.get("/api/me").get_json()["role"] == "secretariat"
    refused = client.post("/api/negotiations", json={"title": "Forged"})
    assert refused.status_code == 403 and "CSRF" in refused.get_json()["message"]
    accepted = client.post("/api/negotiations", json={"title": "Real"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 201
    titles = [n["title"] for n in client.get("/api/negotiations").get_json()]
    assert "Real" in titles and "Forged" not in titles


def test_login_with_a_wrong_password_stays_on_the_page(client):
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "officer", "password": "nope", "csrf_token": csrf})
    assert response.status_code == 200 and "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/negotiations").status_code == 302


def test_a_second_merge_while_one_runs_is_409_and_points_at_the_running_job(app, rnd: Round):
    running = app.extensions["concord_store"].create_job(rnd.rid)  # as if another officer had just clicked
    response = rnd.client.post(f"/api/rounds/{rnd.rid}/merge", headers=rnd.secretariat)
    assert response.status_code == 409 and response.get_json()["job"] == running
    app.extensions["concord_store"].update_job(running, state="done", progress=100)
    assert rnd.merge()["state"] == "done"


def test_a_method_the_endpoint_does_not_have_is_405_in_json(rnd: Round):
    response = rnd.client.delete(f"/api/rounds/{rnd.rid}", headers=rnd.secretariat)
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"


def test_a_delegation_sees_the_proposals_of_its_latest_version_only(rnd: Round):
    rnd.submit("singapore.docx", rnd.as_("Egypt"))  # by mistake: proposes "and abuse"
    rnd.submit("egypt.docx", rnd.as_("Egypt"))      # the right file replaces it
    paragraphs = rnd.client.get(f"/api/rounds/{rnd.rid}/paragraphs", headers=rnd.as_("Egypt")).get_json()
    inserted = [x["inserted"].strip() for p in paragraphs["paragraphs"] for x in p["proposals"]]
    assert inserted == ["illicit"]


def test_a_copy_of_another_delegations_message_is_refused_without_showing_it(rnd: Round):
    first = rnd.submit("egypt.docx", {**rnd.as_("Egypt"), "X-Message-ID": "<m@mfa.gov.eg>"})
    assert first.status_code == 201
    copy = rnd.submit("egypt.docx", {**rnd.as_("Mexico"), "X-Message-ID": "<m@mfa.gov.eg>"})
    assert copy.status_code == 409 and "already received" in copy.get_json()["message"]
    assert "submission" not in copy.get_json() and "egypt.docx" in copy.get_json()["message"]
