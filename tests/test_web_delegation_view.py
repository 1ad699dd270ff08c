"""The round page's per-delegation view in real headless Chromium against a real server process.

The round is set up and merged through the API (Egypt and Singapore submit, Mexico sends nothing);
the officer then clicks Egypt and sees only the paragraphs Egypt touched, picks Singapore in the
select, and shows everything again — without a page reload. Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_api_support import (ADMIN_PASSWORD, RoundFiles, Server, admin_token, multipart, request,
                                    setup_round, wait_for_job)
from tests.test_web_e2e import browser_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def visible_paragraphs(page) -> list[str]:
    return page.eval_on_selector_all(
        "#paragraphs article.paragraph",
        "articles => articles.filter(a => a.offsetParent !== null).map(a => a.dataset.paragraph)")


def merged_round(server: Server, files: RoundFiles) -> int:
    """Round 1 with Egypt's and Singapore's submissions, merged; returns its id."""
    token = admin_token(server)
    _, rid, tokens = setup_round(server, files, token)
    for name, delegation in (("egypt.docx", "Egypt"), ("singapore.docx", "Singapore")):
        data, ctype = multipart({}, {"file": (name, files.submissions[name].read_bytes())})
        status, body = request(f"{server.url}/api/rounds/{rid}/submissions", "POST", data, tokens[delegation],
                               {"Content-Type": ctype})
        assert status == 201, body
    status, body = request(f"{server.url}/api/rounds/{rid}/merge", "POST", {}, token)
    assert status == 202, body
    assert wait_for_job(server, json.loads(body)["job"], token)["state"] == "done"
    return rid


def test_clicking_a_delegation_shows_only_the_paragraphs_it_touched(browser_page, round_files: RoundFiles,
                                                                   tmp_path: Path):
    page = browser_page
    errors: list[str] = []
    # Uncaught script errors and any CSP refusal: the page loads nothing from elsewhere, not even
    # Fabric Core's web fonts (the page uses the system's Segoe UI or its fallbacks).
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    with Server(tmp_path / "instance") as server:
        rid = merged_round(server, round_files)
        page.goto(f"{server.url}/login")
        page.fill("#username", "secretariat")
        page.fill("#password", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{server.url}/rounds/{rid}")
        everything = visible_paragraphs(page)
        assert {"PP1", "PP2", "PP3", "OP1", "OP2"} <= set(everything)
        assert "no submission yet" in page.locator(".delegation[data-delegation=Mexico]").inner_text()

        page.evaluate("window.notReloaded = true")  # gone if the page reloads
        page.click(".delegation[data-delegation=Egypt] button.pick")
        assert visible_paragraphs(page) == ["PP2", "PP3"]
        assert page.locator("#filter-note").inner_text().startswith("Showing the 2 paragraphs Egypt touched: PP2, PP3.")
        assert page.input_value("#delegation-filter") == "Egypt"
        # Within PP2, Egypt's proposal is marked; Singapore's own "and abuse" is not.
        marked = page.locator("#paragraphs li.proposal.mine").all_inner_texts()
        assert len(marked) == 1 and "illicit" in marked[0]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "secretariat-delegation-egypt.png"), full_page=True)

        page.select_option("#delegation-filter", "Singapore")
        assert visible_paragraphs(page) == ["PP2"]
        assert page.get_attribute(".delegation[data-delegation=Singapore] button.pick", "aria-pressed") == "true"
        page.click("#show-all")
        assert visible_paragraphs(page) == everything
        assert page.locator("#filter-note").is_hidden()
        assert page.evaluate("window.notReloaded") is True
    assert errors == []  # no script error, no CSP violation
