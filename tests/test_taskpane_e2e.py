"""The Word task pane in real headless Chromium, against the real backend over HTTPS.

The backend runs as its own process (create_app served by werkzeug with a self-signed certificate,
like `concord run`) on a free port of 127.0.0.1, with a temporary instance. office.js is answered
by the local stand-in of the Office host (tests/officehost), which hosts a real .docx: a small
draft resolution with a delegation's tracked changes. Screenshots of the pane's main states go to
tests/artifacts/taskpane-*.png.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.officehost import add_comment, block_office_js, drafts, host_paragraphs, install

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PANE_WIDTH = 320
STANCE_WORDS = ("retain", "delete", "reservation", "flexible", "consult with capital")

# The server process: the app factory served over HTTPS exactly as `concord run` serves it.
SERVER = """
import sys
from werkzeug.serving import run_simple
from addin import create_app
from addin.auth import ensure_account
from addin.https import ensure_certificate
app = create_app()
ensure_account(app.extensions["concord_store"], "secretariat", sys.argv[2])
cert, key = ensure_certificate(app.instance_path)
run_simple("127.0.0.1", int(sys.argv[1]), app, ssl_context=(str(cert), str(key)), threaded=True, use_reloader=False)
"""


@dataclass
class Backend:
    """The running backend: its origin, TLS context trusting its certificate, and tokens."""

    url: str
    tls: ssl.SSLContext
    secretariat: str = ""
    negotiation: int = 0
    round: int = 0
    tokens: dict | None = None

    def call(self, method: str, path: str, token: str, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, bytes]:
        """One HTTPS request; returns (status, body) for errors too."""
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers={"Authorization": f"Bearer {token}", **(headers or {})})
        try:
            with urllib.request.urlopen(request, context=self.tls, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    def json(self, method: str, path: str, token: str, payload=None, **kw):
        body = json.dumps(payload).encode() if payload is not None else kw.pop("body", None)
        headers = {"Content-Type": "application/json"} if payload is not None else kw.pop("headers", {})
        status, data = self.call(method, path, token, body, headers)
        assert status < 300, f"{method} {path} -> {status}: {data[:300]!r}"
        return json.loads(data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    """The backend process with one negotiation, two delegations and round 1's base draft."""
    instance = tmp_path_factory.mktemp("instance")
    port = _free_port()
    password = "pane-test-password"
    env = dict(os.environ, CONCORD_INSTANCE=str(instance), CONCORD_PUBLIC_URL=f"https://127.0.0.1:{port}")
    log = open(instance / "server.log", "wb")
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port), password], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (instance / "cert.pem").exists() or not _accepting(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the backend did not start:\n" + (instance / "server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.1)
        tls = ssl.create_default_context(cafile=str(instance / "cert.pem"))
        server = Backend(f"https://127.0.0.1:{port}", tls)
        request = urllib.request.Request(server.url + "/api/tokens", method="POST",
                                         data=json.dumps({"username": "secretariat", "password": password}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=tls, timeout=30) as response:
            server.secretariat = json.loads(response.read())["token"]
        negotiation = server.json("POST", "/api/negotiations", server.secretariat,
                                  {"title": drafts.TITLE, "symbol": "E/CN.7/2022/L.5"})
        server.negotiation = negotiation["id"]
        registry = "delegation,aliases,emails\nSingapore,,mission@singapore.example\nEgypt,,mission@egypt.example\n"
        imported = server.json("POST", f"/api/negotiations/{server.negotiation}/delegations", server.secretariat,
                               body=registry.encode(), headers={"Content-Type": "text/csv", "X-Filename": "delegations.csv"})
        server.tokens = {d["name"]: d["token"] for d in imported}
        round_ = server.json("POST", f"/api/negotiations/{server.negotiation}/rounds", server.secretariat,
                             body=drafts.base_draft(), headers={"X-Filename": "L5 base.docx",
                                                                "Content-Type": "application/octet-stream"})
        server.round = round_["id"]
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: run the tests with `make test`, which installs chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh 320 px wide browser profile (empty localStorage) that accepts the self-signed cert."""
    ctx = browser.new_context(ignore_https_errors=True, viewport={"width": PANE_WIDTH, "height": 800})
    yield ctx
    ctx.close()


def submission_docx() -> bytes:
    """Singapore's markup of the base draft: an insertion in PP2, a deletion in PP3."""
    marked = drafts.tracked_change(drafts.base_draft(), drafts.PP2, "greater misuse", insert=" and abuse",
                                   author="Singapore")
    return drafts.tracked_change(marked, drafts.PP3, "use ", delete="online ", author="Singapore", revision=911)


def screenshot(page, state: str) -> Path:
    """Save the pane as tests/artifacts/taskpane-<state>.png and check it does not scroll sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"taskpane-{state}.png"
    page.screenshot(path=str(path), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PANE_WIDTH, f"{state}: the pane scrolls sideways"
    return path


def open_pane(context, backend, docx_bytes, **host):
    install(context, docx_bytes, **host)
    page = context.new_page()
    page.goto(backend.url + "/addin/taskpane.html")
    return page


def sign_in(page, token: str) -> None:
    page.fill("#token", token)
    page.click("#sign-in-button")


def host_calls(page) -> dict:
    return page.evaluate("JSON.parse(JSON.stringify(window.__officeHost.calls))")


# -- the delegate's journey -----------------------------------------------------------------------

def test_delegate_signs_in_follows_the_cursor_adds_a_stance_and_submits(context, backend):
    document = submission_docx()
    page = open_pane(context, backend, document, selection=(drafts.PP2, 10, 10))
    page.wait_for_selector("#sign-in:not([hidden])")
    screenshot(page, "signed-out")

    sign_in(page, backend.tokens["Singapore"])
    page.wait_for_selector("#delegate:not([hidden])")
    # Typed label under the cursor; the pane switched Track Changes on for attribution.
    page.wait_for_function("() => document.getElementById('paragraph-id').textContent === 'PP2'")
    assert "Singapore" in page.text_content("#context-line")
    assert "TrackAll" in host_calls(page)["trackingModes"]
    page.wait_for_selector("#tracking-status:not([hidden])")
    assert page.is_hidden("#tracking-warning")

    # The cursor moves: to a list-numbered operative paragraph, then to a typed "PP3 bis".
    page.evaluate(f"window.__officeHost.select({drafts.OP2}, 3)")
    page.wait_for_function("() => document.getElementById('paragraph-id').textContent === 'OP2'")
    assert "share information" in page.text_content("#paragraph-text")
    page.evaluate(f"window.__officeHost.select({drafts.PP3_BIS}, 0)")
    page.wait_for_function("() => document.getElementById('paragraph-id').textContent === 'PP3 bis'")
    screenshot(page, "paragraph")

    # A stance on a passage of OP1: Word is asked for a comment whose text is the stance word.
    text = host_paragraphs(document)[drafts.OP1]["text"]
    start = text.index("Member States")
    page.evaluate(f"window.__officeHost.select({drafts.OP1}, {start}, {start + len('Member States')})")
    page.wait_for_function("() => document.getElementById('paragraph-id').textContent === 'OP1'")
    page.click("button[data-stance='reservation']")
    page.wait_for_function("() => document.getElementById('stance-status').textContent.includes('reservation')")
    comments = host_calls(page)["comments"]
    assert comments == [{"paragraph": drafts.OP1, "start": start, "end": start + len("Member States"),
                         "anchor": "Member States", "text": "reservation"}]
    # Word now holds that comment: the file it hands over includes it.
    document = add_comment(document, drafts.OP1, start, start + len("Member States"), "reservation",
                           author="Singapore", initials="SG")
    page.evaluate(f"window.__officeHost.setFile('{base64.b64encode(document).decode()}')")

    # Submit: confirm, then slices and upload with a progress bar that ends at 100 %.
    # Every value the progress bar and its label take, from the mutation records' old values (a
    # callback may come after several changes), plus the final ones read at the end.
    page.evaluate("""() => {
        window.__progressValues = [];
        window.__progressLabels = [];
        const label = document.getElementById('progress-label');
        new MutationObserver((records) => {
            for (const r of records) {
                if (r.type === 'attributes') window.__progressValues.push(r.oldValue);
                for (const node of r.removedNodes) window.__progressLabels.push(node.textContent);
            }
        }).observe(label, {attributes: true, attributeFilter: ['aria-valuenow'], attributeOldValue: true, childList: true});
    }""")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # A slow uplink (about 40 KB/s) so the upload is visibly in progress for the screenshot.
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20,
                                                  "downloadThroughput": -1, "uploadThroughput": 40_000})
    page.click("#submit")
    page.wait_for_selector("#confirm-submit[open]")
    assert "round 1" in page.text_content("#confirm-submit")
    page.click("#confirm-ok")
    page.wait_for_function("() => document.getElementById('progress-label').textContent.startsWith('Uploading')"
                           " && Number(document.getElementById('progress-label').getAttribute('aria-valuenow')) > 0",
                           timeout=30_000)
    screenshot(page, "submitting")
    page.wait_for_selector("#reading:not([hidden]), #submit-error:not([hidden])", timeout=60_000)
    assert page.is_hidden("#submit-error"), page.text_content("#submit-error")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                  "downloadThroughput": -1, "uploadThroughput": -1})
    assert page.get_attribute("#progress-label", "aria-valuenow") == "100"
    assert page.text_content("#progress-label").startswith("Sent: 100 %")
    labels = page.evaluate("window.__progressLabels") + [page.text_content("#progress-label")]
    values = page.evaluate("window.__progressValues") + ["100"]
    slice_labels = [label for label in labels if label.startswith("Reading the document: part")]
    calls = host_calls(page)
    slice_count = -(-len(document) // 65536)
    assert slice_count >= 2
    assert calls["slices"] == list(range(slice_count))
    assert f"Reading the document: part {slice_count} of {slice_count}" in slice_labels
    assert calls["closedFiles"] == 1, "the pane must close the file it got from Word"
    uploads = [int(label.split(":")[1].strip(" %")) for label in labels if label.startswith("Uploading")]
    assert uploads == sorted(uploads) and any(0 < v < 100 for v in uploads), uploads
    assert values[-1] == "100" and "0" in values

    # The reading: who it was credited to, the proposals per paragraph.
    page.wait_for_function("() => document.getElementById('reading-title').textContent.includes('Singapore')")
    reading = page.text_content("#reading")
    assert "PP2" in reading and "and abuse" in reading
    assert "PP3" in reading and "online" in reading
    screenshot(page, "reading")

    # Back in the text, the paragraph card now lists the delegation's proposals where the cursor is.
    page.evaluate(f"window.__officeHost.select({drafts.PP2}, 12)")
    page.wait_for_function("() => document.getElementById('paragraph-id').textContent === 'PP2'")
    page.wait_for_function("() => document.getElementById('paragraph-proposals').textContent.includes('and abuse')")
    assert "(Singapore)" in page.text_content("#paragraph-proposals")
    page.evaluate(f"window.__officeHost.select({drafts.OP2}, 0)")
    page.wait_for_function("() => document.getElementById('paragraph-proposals').textContent.includes('None yet')")
    page.evaluate(f"window.__officeHost.select({drafts.PP2}, 12)")
    page.wait_for_function("() => document.getElementById('paragraph-proposals').textContent.includes('and abuse')")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "paragraph-with-proposals")

    # What the secretariat stored is exactly what Word handed over.
    submissions = backend.json("GET", f"/api/rounds/{backend.round}/submissions", backend.tokens["Singapore"])
    latest = submissions[-1]
    assert latest["delegation"] == "Singapore"
    assert latest["channel"] == "addin"
    assert latest["filename"] == "L5 ICT draft (2).docx"
    assert latest["sha256"] == hashlib.sha256(document).hexdigest()
    status, stored = backend.call("GET", f"/api/submissions/{latest['id']}/file", backend.tokens["Singapore"])
    assert status == 200 and stored == document


def test_stance_comments_from_the_pane_read_back_as_those_stances(context, backend):
    """Each stance button's comment, written into the .docx as Word would, is read back by docxio
    as that stance on that passage."""
    from docxio import reader, stances

    document = drafts.base_draft()
    page = open_pane(context, backend, document, selection=(drafts.OP1, 0, 0))
    sign_in(page, backend.tokens["Egypt"])
    page.wait_for_selector("#delegate:not([hidden])")
    paragraphs = host_paragraphs(document)
    passages = [(drafts.OP1, "law enforcement"), (drafts.OP2, "emerging trends"), (drafts.PP2, "the pandemic"),
                (drafts.PP3, "online marketplaces"), (drafts.OP1, "Urges")]
    for stance, (index, passage) in zip(STANCE_WORDS, passages):
        start = paragraphs[index]["text"].index(passage)
        page.evaluate(f"window.__officeHost.select({index}, {start}, {start + len(passage)})")
        page.click(f"button[data-stance='{stance}']")
        page.wait_for_function("(s) => document.getElementById('stance-status').textContent.includes(s)", arg=stance)
    comments = host_calls(page)["comments"]
    assert [c["text"] for c in comments] == list(STANCE_WORDS)
    for c in comments:
        document = add_comment(document, c["paragraph"], c["start"], c["end"], c["text"], author="Egypt", initials="EG")
    draft = reader.read_draft(document, "egypt.docx")
    read = {c.anchor.strip(): stances.read_stance(c.text) for c in draft.comments}
    for stance, (index, passage) in zip(STANCE_WORDS, passages):
        assert read[passage].recognised and read[passage].stance == stance, (passage, read[passage])
    by_paragraph = {c.anchor.strip(): c.paragraphs for c in draft.comments}
    assert by_paragraph["emerging trends"] == (drafts.OP2,)


def test_empty_selection_asks_for_a_passage_instead_of_commenting(context, backend):
    page = open_pane(context, backend, drafts.base_draft(), selection=(drafts.OP1, 4, 4))
    sign_in(page, backend.tokens["Egypt"])
    page.wait_for_selector("#delegate:not([hidden])")
    page.click("button[data-stance='retain']")
    page.wait_for_function("() => document.getElementById('stance-status').textContent.includes('Select the words')")
    assert host_calls(page)["comments"] == []


def test_identifiers_survive_list_renumbering_by_a_new_paragraph(context, backend):
    """A delegate inserts a numbered paragraph after OP1: Word renumbers the list (old OP2 shows
    "3."), but identifiers are those of the base draft."""
    page = open_pane(context, backend, drafts.base_draft(), selection=(drafts.PP2, 0, 0))
    sign_in(page, backend.tokens["Egypt"])
    page.wait_for_selector("#delegate:not([hidden])")
    page.evaluate(f"""() => {{
        const paragraphs = window.__officeHost.state.paragraphs;
        paragraphs.splice({drafts.OP2}, 0, {{text: "Encourages regional cooperation on darknet investigations;",
                                              isListItem: true, listString: "2."}});
        paragraphs[{drafts.OP2 + 1}].listString = "3.";
        paragraphs[{drafts.OP2 + 2}].listString = "4.";
        paragraphs[{drafts.OP2 + 2}].text = paragraphs[{drafts.OP2 + 2}].text.replace("upon request", "as appropriate");
    }}""")
    identifier = "() => document.getElementById('paragraph-id').textContent"
    page.evaluate(f"window.__officeHost.select({drafts.OP2}, 0)")
    page.wait_for_function(f"() => ({identifier})() === 'New paragraph'")
    assert "next free identifier" in page.text_content("#paragraph-proposals")
    page.evaluate(f"window.__officeHost.select({drafts.OP2 + 1}, 0)")
    page.wait_for_function(f"() => ({identifier})() === 'OP2'")
    page.evaluate(f"window.__officeHost.select({drafts.OP2 + 2}, 0)")
    page.wait_for_function(f"() => ({identifier})() === 'OP3(by its text)'")


def test_track_changes_switched_off_is_warned_and_turned_back_on(context, backend):
    page = open_pane(context, backend, drafts.base_draft(), selection=(drafts.PP2, 0, 0))
    sign_in(page, backend.tokens["Egypt"])
    page.wait_for_selector("#tracking-status:not([hidden])")
    # The delegate switches Track Changes off in the ribbon, then moves on in the text.
    page.evaluate("window.__officeHost.setTrackingMode('Off')")
    page.evaluate(f"window.__officeHost.select({drafts.PP3}, 0)")
    page.wait_for_selector("#tracking-warning:not([hidden])")
    assert "Track Changes is off" in page.text_content("#tracking-warning")
    screenshot(page, "tracking-off")
    page.click("#tracking-on")
    page.wait_for_selector("#tracking-warning", state="hidden")
    assert host_calls(page)["trackingModes"][-1] == "TrackAll"


def test_older_word_without_wordapi_1_4_gets_a_graceful_message(context, backend):
    page = open_pane(context, backend, drafts.base_draft(), word_api="1.3", selection=(drafts.OP2, 0, 0))
    sign_in(page, backend.tokens["Egypt"])
    page.wait_for_selector("#tracking-unsupported:not([hidden])")
    assert "Review > Track Changes" in page.text_content("#tracking-unsupported")
    assert all(page.is_disabled(f"button[data-stance='{s}']") for s in STANCE_WORDS)
    # Identifiers still work on WordApi 1.3.
    page.wait_for_function("() => document.getElementById('paragraph-id').textContent === 'OP2'")
    assert host_calls(page)["trackingModes"] == []
    screenshot(page, "older-word")


def test_a_wrong_token_is_refused_with_a_clear_message(context, backend):
    page = open_pane(context, backend, drafts.base_draft())
    sign_in(page, "not-a-real-token")
    page.wait_for_selector("#sign-in-error:not([hidden])")
    assert "not valid" in page.text_content("#sign-in-error")
    assert page.evaluate("localStorage.getItem('concord.token')") is None


def test_the_token_is_remembered_and_sign_out_forgets_it(context, backend):
    page = open_pane(context, backend, drafts.base_draft(), selection=(drafts.PP2, 0, 0))
    # Delegates often paste the whole invitation link rather than the token.
    sign_in(page, f"  {backend.url}/invite/{backend.tokens['Egypt']}\n")
    page.wait_for_selector("#delegate:not([hidden])")
    page.reload()
    page.wait_for_selector("#delegate:not([hidden])")
    assert "Egypt" in page.text_content("#context-line")
    page.click("#sign-out")
    page.wait_for_selector("#sign-in:not([hidden])")
    page.reload()
    page.wait_for_selector("#sign-in:not([hidden])")


def test_outside_office_the_pane_says_open_it_inside_word(context, backend):
    # office.js unreachable (no Office, no network to the CDN)...
    block_office_js(context)
    page = context.new_page()
    page.goto(backend.url + "/addin/taskpane.html")
    page.wait_for_selector("#outside-office:not([hidden])")
    assert "Open this inside Word" in page.text_content("#outside-office")
    assert page.is_hidden("#sign-in")
    screenshot(page, "outside-office")


def test_a_word_that_cannot_run_the_scripts_still_gets_a_message(browser, backend):
    # Word's old Internet Explorer engine cannot run the pane's JavaScript; with scripts off the
    # page must not stay on "Starting…" forever.
    ctx = browser.new_context(ignore_https_errors=True, java_script_enabled=False,
                              viewport={"width": PANE_WIDTH, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(backend.url + "/addin/taskpane.html")
        hint = page.locator(".late-hint")
        assert not hint.is_visible()
        hint.wait_for(state="visible", timeout=20_000)
        assert "too old" in hint.text_content()
    finally:
        ctx.close()


def test_office_js_in_a_plain_browser_also_says_open_it_inside_word(context, backend):
    # ...or office.js loaded in an ordinary browser tab, where it reports no host.
    page = open_pane(context, backend, drafts.base_draft(), host=None)
    page.wait_for_selector("#outside-office:not([hidden])")
    assert page.is_hidden("#delegate") and page.is_hidden("#sign-in")


def test_edits_made_without_track_changes_are_warned_in_the_reading(context, backend):
    document = drafts.untracked_edit(drafts.base_draft(), drafts.OP2, "emerging trends", "new patterns")
    page = open_pane(context, backend, document, selection=(drafts.OP2, 0, 0),
                     url="https://egypt.sharepoint.com/Shared%20Documents/R%C3%A9solution%20r%C3%A9vis%C3%A9e.docx?web=1")
    sign_in(page, backend.tokens["Egypt"])
    page.wait_for_selector("#delegate:not([hidden])")
    page.click("#submit")
    page.click("#confirm-ok")
    page.wait_for_selector("#reading:not([hidden]), #submit-error:not([hidden])", timeout=60_000)
    assert page.is_hidden("#submit-error"), page.text_content("#submit-error")
    warnings = page.locator("#reading-warnings li").all_text_contents()
    assert any("Track Changes" in w for w in warnings), warnings
    assert "OP2" in page.text_content("#reading-paragraphs")
    screenshot(page, "reading-warning")
    latest = backend.json("GET", f"/api/rounds/{backend.round}/submissions", backend.tokens["Egypt"])[-1]
    assert latest["filename"] == "Résolution révisée.docx"
    assert latest["sha256"] == hashlib.sha256(document).hexdigest()


def test_a_cancelled_submission_sends_nothing(context, backend):
    before = backend.json("GET", f"/api/rounds/{backend.round}/submissions", backend.secretariat)
    page = open_pane(context, backend, drafts.base_draft(), selection=(drafts.OP2, 0, 0))
    sign_in(page, backend.tokens["Egypt"])
    page.wait_for_selector("#delegate:not([hidden])")
    page.click("#submit")
    page.click("#confirm-cancel")
    page.wait_for_selector("#confirm-submit", state="hidden")
    assert host_calls(page)["fileRequests"] == []
    assert backend.json("GET", f"/api/rounds/{backend.round}/submissions", backend.secretariat) == before


def test_consolidated_draft_opens_only_once_published_and_secretariat_merges_and_opens(context, backend):
    # Egypt has submitted nothing; Singapore's markup comes in through the API.
    status, _ = backend.call("POST", f"/api/rounds/{backend.round}/submissions", backend.tokens["Singapore"],
                             submission_docx(), {"X-Filename": "singapore.docx",
                                                 "Content-Type": "application/octet-stream"})
    assert status in (200, 201)
    delegate = open_pane(context, backend, drafts.base_draft(), selection=(drafts.PP2, 0, 0))
    sign_in(delegate, backend.tokens["Egypt"])
    delegate.wait_for_selector("#delegate:not([hidden])")
    delegate.click("#open-consolidated")
    delegate.wait_for_function("() => document.getElementById('consolidated-status').textContent.includes('not published yet')")
    assert host_calls(delegate)["createdDocuments"] == []

    # The secretariat, in its own Word: sees the submissions, merges and opens the result.
    secretariat = context.browser.new_context(ignore_https_errors=True, viewport={"width": PANE_WIDTH, "height": 800})
    try:
        page = open_pane(secretariat, backend, drafts.base_draft())
        sign_in(page, backend.secretariat)
        page.wait_for_selector("#secretariat:not([hidden])")
        page.wait_for_function("() => document.getElementById('submissions').textContent.includes('Singapore')")
        page.click("#merge")
        page.wait_for_function("() => document.getElementById('merge-status').textContent.length > 0", timeout=120_000)
        assert "opened" in page.text_content("#merge-status"), page.text_content("#merge-status")
        screenshot(page, "secretariat")
        created = host_calls(page)["createdDocuments"]
        status, tracked = backend.call("GET", f"/api/rounds/{backend.round}/consolidated?mode=tracked", backend.secretariat)
        assert status == 200 and [base64.b64decode(created[0])] == [tracked]
    finally:
        secretariat.close()

    backend.json("POST", f"/api/rounds/{backend.round}/publish", backend.secretariat, {"published": True})
    delegate.click("#open-consolidated")
    delegate.wait_for_function("() => document.getElementById('consolidated-status').textContent.includes('opened')")
    status, compilation = backend.call("GET", f"/api/rounds/{backend.round}/consolidated?mode=compilation",
                                       backend.tokens["Egypt"])
    assert status == 200
    assert [base64.b64decode(d) for d in host_calls(delegate)["createdDocuments"]] == [compilation]


def test_pane_reads_identifiers_with_the_same_grammar_as_docxio(context, backend):
    """The pane's JavaScript label grammar agrees with docxio.identifiers on every spelling."""
    from docxio import identifiers

    labels = ["PP3 ter alt. Recalling", "pp3Ter Recalling", "[PP5] Noting", "8 bis. Urges", "8. Urges",
              "2022 was a year", "OP9 bis alt 2 text", "OP3 (a) (ii) text", "OP9bis: x", "OP6 nonies x",
              "PP3bisect", "OP5(b", "8-10 x", "[OP9bis agreed in informals]", "PP 5 x", "OP3 (a bis) y",
              "PP2 alt 1 z", "OP4 quarter x", "PP10 deciens x", "Recognizing that", "OP3 terminates",
              "PP3 Alternatively", "  PP12, text", "OP 7 sexies alt", "PP1.", "12 ter x", "OP3 (A)",
              "PP3-bis x", "OP21 unvicies x", "PP4 septiesdecies, y"]
    page = open_pane(context, backend, drafts.base_draft())
    page.wait_for_selector("#sign-in:not([hidden])")
    from_js = page.evaluate("(labels) => labels.map((l) => parseLabel(l))", labels)
    expected = []
    for label in labels:
        found = identifiers.parse_label(label)
        expected.append(found.id if found else None)
    assert from_js == expected





def test_a_file_based_on_an_older_round_is_flagged_in_the_reading(context, backend):
    """Runs last: it opens round 2. Singapore submits markup made on round 1's draft."""
    round2_base = drafts.untracked_edit(drafts.base_draft(), drafts.PP3, "Concerned that criminals use online marketplaces",
                                        "Deeply concerned that traffickers increasingly use online marketplaces and social media")
    round2 = backend.json("POST", f"/api/negotiations/{backend.negotiation}/rounds", backend.secretariat,
                          body=round2_base, headers={"X-Filename": "L5 round 2.docx",
                                                     "Content-Type": "application/octet-stream"})
    # Built once: two builds differ in their zip timestamps.
    document = submission_docx()
    page = open_pane(context, backend, document, selection=(drafts.PP2, 0, 0))
    sign_in(page, backend.tokens["Singapore"])
    page.wait_for_function("() => document.getElementById('context-line').textContent.includes('Round 2')")
    page.click("#submit")
    assert "round 2" in page.text_content("#confirm-submit")
    page.click("#confirm-ok")
    page.wait_for_selector("#reading:not([hidden]), #submit-error:not([hidden])", timeout=60_000)
    assert page.is_hidden("#submit-error"), page.text_content("#submit-error")
    warnings = page.locator("#reading-warnings li").all_text_contents()
    assert any("older round" in w for w in warnings), warnings
    latest = backend.json("GET", f"/api/rounds/{round2['id']}/submissions", backend.tokens["Singapore"])[-1]
    assert latest["sha256"] == hashlib.sha256(document).hexdigest()
