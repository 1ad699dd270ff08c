"""A local stand-in of the Office host (Word) for the task pane's browser tests.

``install(context, ...)`` makes every request for Microsoft's office.js answer with
``office-standin.js`` and configures it with the paragraphs and bytes of a real .docx, so the
pane runs against a Word-like host in headless Chromium. ``host_paragraphs`` derives what Word
would report for each body paragraph (text with tracked insertions shown and deletions hidden,
list membership and the list number); ``add_comment`` applies a comment the pane asked Word to
insert to the .docx, as Word would have written it.
"""
from __future__ import annotations

import base64
import copy
import io
import json
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

STANDIN = Path(__file__).with_name("office-standin.js")
OFFICE_CDN = "https://appsforoffice.microsoft.com/**"


def install(context: Any, docx_bytes: bytes | None = None, *, host: str | None = "Word",
            word_api: str = "1.4", tracking_mode: str = "Off", selection: tuple[int, int, int] = (0, 0, 0),
            url: str = "C:\\Users\\delegate\\Documents\\L5 ICT draft (2).docx") -> None:
    """Serve the stand-in for office.js in ``context`` (a Playwright BrowserContext), hosting
    ``docx_bytes`` as the open document. ``host=None`` plays a plain browser (office.js loaded,
    no Office around it); ``word_api`` is the highest WordApi set the host claims."""
    config = {
        "host": host,
        "wordApi": word_api,
        "trackingMode": tracking_mode,
        "url": url,
        "paragraphs": host_paragraphs(docx_bytes) if docx_bytes else [],
        "selection": {"paragraph": selection[0], "start": selection[1], "end": selection[2]},
        "fileBase64": base64.b64encode(docx_bytes).decode("ascii") if docx_bytes else "",
    }
    context.add_init_script(f"window.__concordHost = {json.dumps(config)};")
    script = STANDIN.read_text(encoding="utf-8")
    context.route(OFFICE_CDN, lambda route: route.fulfill(
        status=200, body=script, content_type="application/javascript"))


def block_office_js(context: Any) -> None:
    """Make the office.js CDN unreachable, as on a machine with no Internet or outside Office."""
    context.route(OFFICE_CDN, lambda route: route.abort("internetdisconnected"))


def _paragraph_text(p) -> str:
    """What Word's Paragraph.text gives with markup shown: every w:t (inserted text included);
    deleted text is in w:delText, so it is left out."""
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _num_id(p, styles: dict[str, Any]) -> str | None:
    """The list a paragraph belongs to: its own w:numPr or its paragraph style's."""
    own = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    if own is not None:
        return own.get(qn("w:val"))
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    if style is not None and style.get(qn("w:val")) in styles:
        return styles[style.get(qn("w:val"))]
    return None


def host_paragraphs(docx_bytes: bytes) -> list[dict[str, Any]]:
    """Body paragraphs as Word's API reports them: text, isListItem and listString ("1.", "2."),
    numbering each list's level-0 items in order (the samples number operative paragraphs with
    decimal lists)."""
    document = docx.Document(io.BytesIO(docx_bytes))
    styles = {}
    for style in document.styles.element.iter(qn("w:style")):
        num = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num is not None:
            styles[style.get(qn("w:styleId"))] = num.get(qn("w:val"))
    counters: dict[str, int] = {}
    out = []
    for p in document.element.body.iter(qn("w:p")):
        num_id = _num_id(p, styles)
        entry: dict[str, Any] = {"text": _paragraph_text(p), "isListItem": num_id not in (None, "0"), "listString": ""}
        if entry["isListItem"]:
            counters[num_id] = counters.get(num_id, 0) + 1
            entry["listString"] = f"{counters[num_id]}."
        out.append(entry)
    return out


def add_comment(docx_bytes: bytes, paragraph: int, start: int, end: int, text: str,
                author: str = "Delegate", initials: str = "D") -> bytes:
    """The .docx with a Word comment ``text`` on characters ``start:end`` of body paragraph
    ``paragraph`` (python-docx's comments API, the run split at the passage's edges).

    Offsets count the paragraph's plain runs; a paragraph with tracked changes is refused
    (ValueError), since its offsets would not be the ones Word showed.
    """
    document = docx.Document(io.BytesIO(docx_bytes))
    paragraphs = list(document.element.body.iter(qn("w:p")))
    p_el = paragraphs[paragraph]
    if p_el.find(qn("w:ins")) is not None or p_el.find(qn("w:del")) is not None:
        raise ValueError(f"paragraph {paragraph} has tracked changes: pick a plain one for the comment")
    target = next(p for p in document.paragraphs if p._p is p_el)
    covered = []
    at = 0
    for run in list(target.runs):
        length = len(run.text)
        lo, hi = max(start, at), min(end, at + length)
        if lo < hi:
            covered.append(_isolate(run, lo - at, hi - at))
        at += length
    if not covered:
        raise ValueError(f"no text at {start}:{end} in paragraph {paragraph}")
    document.add_comment(covered, text=text, author=author, initials=initials)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _isolate(run, lo: int, hi: int):
    """Split ``run`` so that characters lo:hi are a run of their own; return that run."""
    text = run.text
    if lo == 0 and hi == len(text):
        return run
    pieces = [(text[:lo], False), (text[lo:hi], True), (text[hi:], False)]
    element = run._r
    chosen = None
    for piece, wanted in pieces:
        if not piece:
            continue
        clone = copy.deepcopy(element)
        element.addprevious(clone)
        for t in clone.findall(qn("w:t")):
            clone.remove(t)
        t = clone.makeelement(qn("w:t"), {})
        t.text = piece
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        clone.append(t)
        if wanted:
            chosen = clone
    element.getparent().remove(element)
    return type(run)(chosen, run._parent)
