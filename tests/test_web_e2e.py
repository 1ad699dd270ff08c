"""The secretariat's page end to end: real headless Chromium against a real server process.

An officer logs in, sets up the negotiation, uploads three submissions (file picker and drag and
drop), merges and watches the progress bar reach 100 %, sets a paragraph status, and downloads the
compilation text, whose content is checked with python-docx. Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import base64
import io
from pathlib import Path

import docx
import pytest

from tests.conftest import require_program
from tests.test_api_support import ADMIN_PASSWORD, RoundFiles, Server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = require_program("chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(ignore_https_errors=True, accept_downloads=True,
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"secretariat-{name}.png"), full_page=True)


def drop_file(page, selector: str, path: Path) -> None:
    """Drop a file on an element the way a browser does: a drop event carrying a DataTransfer."""
    page.evaluate(
        """([selector, name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], name));
            const target = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
            }
        }""",
        [selector, path.name, base64.b64encode(path.read_bytes()).decode()],
    )


def test_an_officer_merges_a_round_from_the_page(browser_page, round_files: RoundFiles, tmp_path: Path):
    page = browser_page
    with Server(tmp_path / "instance") as server:
        page.goto(server.url + "/")
        assert "/login" in page.url
        page.fill("#username", "secretariat")
        page.fill("#password", ADMIN_PASSWORD)
        shot(page, "1-login")
        page.click("button[type=submit]")

        page.fill("input[name=title]", "Misuse of information and communications technologies")
        page.fill("input[name=symbol]", "E/CN.7/2027/L.5")
        page.click("text=Create")
        page.set_input_files("form[action$='/delegations'] input[type=file]", str(round_files.registry))
        page.click("text=Import and issue invitation links")
        assert page.locator("#invitations tbody tr").count() == 3
        shot(page, "2-invitations")
        page.set_input_files("form[action$='/rounds'] input[type=file]", str(round_files.base))
        page.click("text=Start round 1")
        assert page.locator("h1").inner_text() == "Round 1"

        # Two files through the picker, credited from their Word authors; one dropped for Mexico.
        with page.expect_navigation():
            page.set_input_files("#file-input", [str(round_files.submissions["egypt.docx"]),
                                                 str(round_files.submissions["singapore.docx"])])
        page.select_option("#delegation", "Mexico")
        with page.expect_navigation():
            drop_file(page, "#dropzone", round_files.submissions["mexico.docx"])
        rows = page.locator("#submissions tbody tr")
        assert rows.count() == 3
        table = page.locator("#submissions").inner_text()
        for delegation in ("Egypt", "Singapore", "Mexico"):
            assert delegation in table
        shot(page, "3-submissions")

        page.click("#merge")
        page.wait_for_function("() => document.getElementById('progress-text').textContent.startsWith('100 %')",
                               timeout=120_000)
        assert page.locator("#progress-bar").get_attribute("style") == "width: 100%;"
        page.wait_for_timeout(300)  # the bar's width transition, for the screenshot
        shot(page, "4-merged-progress")
        page.wait_for_selector("#paragraphs", timeout=30_000)

        # The contested picture: one bar per paragraph with proposals and per delegation.
        assert page.locator("#chart-delegations svg rect").count() == 3
        assert page.locator("#chart-paragraphs svg rect").count() >= 2
        contested = page.locator("article.paragraph", has_text="and abuse").first
        assert "Singapore" in contested.inner_text()
        contested.locator("input.status").fill("agreed in informals")
        contested.locator("button", has_text="Set").click()
        contested.locator(".saved.ok").wait_for()
        shot(page, "5-paragraphs")

        # The status goes into the consolidated draft at the next merge.
        page.click("#merge")
        page.wait_for_function("() => document.getElementById('progress-text').textContent.startsWith('100 %')",
                               timeout=120_000)
        page.wait_for_selector("#download-compilation", timeout=30_000)
        with page.expect_download() as download:
            page.click("#download-compilation")
        saved = tmp_path / "compilation.docx"
        download.value.save_as(saved)
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(saved.read_bytes())).paragraphs)
        assert "and abuse" in text and "Singapore" in text
        assert "Acknowledging" in text and "Mexico" in text
        assert "agreed in informals" in text
        shot(page, "6-downloads")
