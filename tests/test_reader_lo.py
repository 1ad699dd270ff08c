"""The reader on documents LibreOffice (headless, a real word processor) wrote.

One base resolution with typed preambular labels and list-numbered operative paragraphs; each
document marks it up the way a delegation would. What is checked is what the secretariat sees:
the original view gives back the base text exactly, the current view the delegation's text,
every change names its author, and list numbers are those of the base.
"""
from __future__ import annotations

import pytest

from docxio.reader import read_draft
from docxio.views import current_paragraphs, original_paragraphs
from tests.lodoc import make_many

pytestmark = pytest.mark.libreoffice

DATE = "2027-02-10T09:30:00Z"
BASE = [
    "Strengthening international cooperation against drug trafficking",
    "The Commission on Narcotic Drugs,",
    "PP1. Concerned about the misuse of information and communications technologies,",
    "PP2. Recognizing that the pandemic triggered greater misuse,",
    {"text": "Urges Member States to cooperate;", "list_level": 0},
    {"text": "Requests the Executive Director to report;", "list_level": 0},
    {"text": "Invites donors to provide resources;", "list_level": 0},
    {"text": "Decides to remain seized of the matter.", "list_level": 0},
]
BASE_TEXT = [p if isinstance(p, str) else p["text"] for p in BASE]


def spec(edits: list, author: str = "Iran", **extra) -> dict:
    return {"paragraphs": BASE, "author": author, "track": True, "date": DATE, "edits": edits, **extra}


SPECS = {
    "base": spec([], track=False),
    "marked_up": spec([
        {"op": "insert", "para": 3, "after": "greater misuse", "text": " and abuse"},
        {"op": "delete", "para": 2, "find": "information and "},
        {"op": "replace", "para": 5, "find": "report", "text": "submit a report"},
        {"op": "format", "para": 7, "find": "Decides", "underline": True},
        {"op": "author", "name": "Egypt"},
        {"op": "comment", "para": 3, "find": "pandemic", "text": "retain", "author": "Turkey", "initials": "TR"},
        {"op": "footnote", "para": 2, "end": True, "text": "virtual"},
    ]),
    "new_paragraph": spec([
        {"op": "insert_paragraph", "after": 5, "text": "Also requests the Secretariat to assist;"},
    ], author="Mexico"),
    "split_join": spec([
        {"op": "split", "para": 6, "before": "to provide"},
        {"op": "author", "name": "Singapore"},
        {"op": "join", "para": 4},
    ], author="Iran"),
}


@pytest.fixture(scope="module")
def drafts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lo")
    paths = make_many([(s, folder / f"{name}.docx") for name, s in SPECS.items()])
    return {name: read_draft(path) for name, path in zip(SPECS, paths)}


def labels(draft) -> dict[str, str]:
    """Original text of each numbered paragraph -> the list number Word shows for it."""
    return {p.original: p.list_label.text for p in draft.body() if p.list_label is not None}


def test_unmarked_base_reads_back_its_text_and_numbers(drafts):
    base = drafts["base"]
    assert [p.current for p in base.body()] == BASE_TEXT
    assert base.producer.startswith("LibreOffice")
    assert all(not p.revisions for p in base.body())
    assert labels(base) == {
        "Urges Member States to cooperate;": "1.",
        "Requests the Executive Director to report;": "2.",
        "Invites donors to provide resources;": "3.",
        "Decides to remain seized of the matter.": "4.",
    }


def test_marked_up_submission_original_is_the_base_and_current_the_proposal(drafts):
    draft = drafts["marked_up"]
    assert [v.text for v in original_paragraphs(draft.body())] == BASE_TEXT
    current = [v.text for v in current_paragraphs(draft.body())]
    assert current[2] == "PP1. Concerned about the misuse of communications technologies,"
    assert current[3] == "PP2. Recognizing that the pandemic triggered greater misuse and abuse,"
    assert current[5] == "Requests the Executive Director to submit a report;"


def test_marked_up_submission_revisions_name_their_authors(drafts):
    draft = drafts["marked_up"]
    text_revisions = [(r.type, r.author, r.text) for p in draft.body() for r in p.revisions
                      if r.type in ("insert", "delete")]
    assert ("insert", "Iran", " and abuse") in text_revisions
    assert ("delete", "Iran", "information and ") in text_revisions
    assert ("delete", "Iran", "report") in text_revisions
    assert ("insert", "Iran", "submit a report") in text_revisions
    decides = draft.body()[7]
    assert "format" in [r.type for r in decides.revisions]
    assert any(s.underline and "Decides" in s.text for s in decides.spans)
    assert draft.authors[0] == "Iran" and "Turkey" in draft.authors


def test_marked_up_submission_comment_and_footnote(drafts):
    draft = drafts["marked_up"]
    (comment,) = draft.comments
    assert (comment.author, comment.initials, comment.text, comment.anchor) == ("Turkey", "TR", "retain", "pandemic")
    assert comment.paragraphs == (3,)
    footnotes = [p for p in draft.paragraphs if p.story == "footnote"]
    assert [p.current.strip() for p in footnotes] == ["virtual"]
    assert any(s.footnote == footnotes[0].story_id for s in draft.body()[2].spans)
    # Inserting the footnote is a revision without text (its mark), by the author of the time...
    assert ("insert", "Egypt", "") in [(r.type, r.author, r.text) for r in draft.body()[2].revisions]
    # ...but LibreOffice's empty w:ins beside the comment mark inserts nothing: not reported.
    assert [(r.type, r.author) for r in draft.body()[3].revisions] == [("insert", "Iran")]


def test_a_tracked_new_paragraph_does_not_renumber_the_base(drafts):
    """A new operative paragraph (OP2 bis) is numbered by Word in the current view, but the
    identifiers of the base stay those of the original: OP3 is still "3."."""
    draft = drafts["new_paragraph"]
    assert [v.text for v in original_paragraphs(draft.body())] == BASE_TEXT
    current = [v.text for v in current_paragraphs(draft.body())]
    assert current[6] == "Also requests the Secretariat to assist;"
    new = next(p for p in draft.body() if p.current == "Also requests the Secretariat to assist;")
    assert new.original == "" and new.list_label is None
    assert new.revisions and all(r.author == "Mexico" for r in new.revisions)
    assert labels(draft) == labels(drafts["base"])


def test_split_and_join_made_by_libreoffice(drafts):
    draft = drafts["split_join"]
    body = draft.body()
    assert [v.text for v in original_paragraphs(body)] == BASE_TEXT
    current = [v.text for v in current_paragraphs(body)]
    assert "Urges Member States to cooperate;Requests the Executive Director to report;" in current
    assert "Invites donors " in current and "to provide resources;" in current
    marks = [(r.type, r.author) for p in body for r in p.revisions if r.type.startswith("paragraph_")]
    assert sorted(marks) == [("paragraph_delete", "Singapore"), ("paragraph_insert", "Iran")]
    # The split paragraph keeps its base number on its first half; the second half has none, so
    # the next operative paragraph is still 4.
    numbers = [(p.current, p.list_label.text if p.list_label else None) for p in body[4:]]
    assert numbers == [
        ("Urges Member States to cooperate;", "1."),
        ("Requests the Executive Director to report;", "2."),
        ("Invites donors ", "3."),
        ("to provide resources;", None),
        ("Decides to remain seized of the matter.", "4."),
    ]
