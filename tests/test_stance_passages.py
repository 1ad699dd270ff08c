"""Stance passages in a compilation text: the writer marks the passage a stance note is on with
the "Concord Stance Passage" character style, so reading the compilation back (the next round's
base, ``concord inspect``) anchors each stance on exactly that passage — "increase", not
"Concerned about the increase" — and a text without the style still reads by the clause rule."""
from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from lxml import etree

from docxio.compilation import STANCE_PASSAGE_DELETION_STYLE, STANCE_PASSAGE_STYLE, compilation_to_tracked
from docxio.consolidation import Submission, consolidate
from docxio.delegations import load_registry
from docxio.ooxml import qn
from docxio.paragraph_plan import names
from docxio.proposals import Consolidation, Stance
from docxio.reader import read_draft
from docxio.writer import write_consolidated
from tests import writer_support as round_
from tests.conftest import SAMPLES

NOW = datetime(2027, 2, 13, 9, 30, tzinfo=timezone.utc)


def with_stances(consolidation: Consolidation, paragraph_id: str, stances: list[Stance]) -> Consolidation:
    """The consolidation with ``stances`` added to the paragraph ``paragraph_id``."""
    paragraphs = [replace(p, stances=[*p.stances, *stances]) if p.id == paragraph_id else p
                  for p in consolidation.paragraphs]
    return replace(consolidation, paragraphs=paragraphs)


def anchors_read_back(data: bytes, name: str = "compilation.docx") -> set[tuple[str, str, str]]:
    """(delegations, stance, anchor) of every stance a compilation text reads back with."""
    read = compilation_to_tracked(read_draft(data, name))
    return {(c.author, c.text, c.anchor) for c in read.comments}


def without_character_styles(data: bytes) -> bytes:
    """The document as pasted into another file: every w:rStyle gone from the body."""
    source = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(source.read("word/document.xml"))
    for style in list(root.iter(qn("w:rStyle"))):
        style.getparent().remove(style)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) \
                if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, content)
    return out.getvalue()


def test_a_stance_on_one_word_reads_back_on_that_word_not_its_clause():
    read = anchors_read_back(write_consolidated(round_.base_docx(), round_.consolidation(), now=NOW))
    assert ("Turkey", "retain", "increase") in read
    assert ("Egypt", "flexible", "increase") in read
    assert not any(anchor == "Concerned about the increase" for _, _, anchor in read)


def test_a_passage_holding_proposals_reads_back_whole_and_the_proposals_too():
    # PP2's passage holds Singapore's insertion and Egypt's deletion: struck and underlined text
    # inside it must not cut the passage short.
    passage = "greater misuse by criminal organizations for illicit trafficking"
    consolidation = with_stances(round_.consolidation(), "PP2", [Stance("reservation", anchor=passage,
                                                                        delegations=["Iran"])])
    data = write_consolidated(round_.base_docx(), consolidation, now=NOW)
    assert ("Iran", "reservation", passage) in anchors_read_back(data)
    read = compilation_to_tracked(read_draft(data, "compilation.docx"))
    pp2 = next(p for p in read.body() if p.current.startswith("PP2. Recognizing"))
    assert [(s.inserted or s.deleted).author for s in pp2.spans if s.inserted or s.deleted] == [
        "Singapore", "Egypt, Singapore"]


def test_a_passage_ending_the_paragraph_is_not_read_as_the_whole_paragraph():
    passage = "on trafficking,"
    assert round_.PP3.endswith(passage)
    consolidation = with_stances(round_.consolidation(), "PP3", [Stance("flexible", anchor=passage,
                                                                        delegations=["Egypt"])])
    read = anchors_read_back(write_consolidated(round_.base_docx(), consolidation, now=NOW))
    assert ("Egypt", "flexible", passage) in read


def test_a_passage_someone_proposes_to_delete_reads_back_on_the_struck_words():
    # The United States strikes "Secretary-General"; Turkey wants it retained. The struck run
    # carries the passage's deletion style, so the note is not read on "the report of the ...".
    consolidation = with_stances(round_.consolidation(), "PP3", [Stance("retain", anchor="Secretary-General",
                                                                        delegations=["Turkey"])])
    data = write_consolidated(round_.base_docx(), consolidation, now=NOW)
    assert ("Turkey", "retain", "Secretary-General") in anchors_read_back(data)
    read = compilation_to_tracked(read_draft(data, "compilation.docx"))
    pp3 = next(p for p in read.body() if p.current.startswith("PP3."))
    assert ("United States", "Secretary-General") in [(s.deleted.author, s.text) for s in pp3.spans if s.deleted]


def test_two_passages_in_one_paragraph_each_read_back_on_their_own():
    consolidation = with_stances(round_.consolidation(), "PP3", [
        Stance("retain", anchor="the report", delegations=["Turkey"]),
        Stance("flexible", anchor="trafficking", delegations=["Egypt"]),
    ])
    read = anchors_read_back(write_consolidated(round_.base_docx(), consolidation, now=NOW))
    assert {("Turkey", "retain", "the report"), ("Egypt", "flexible", "trafficking")} <= read


def test_without_the_style_a_note_is_read_on_the_clause_before_it():
    # A hand-made or pasted compilation has no passage style: the reader falls back to the clause.
    data = without_character_styles(write_consolidated(round_.base_docx(), round_.consolidation(), now=NOW))
    read = anchors_read_back(data, "pasted.docx")
    assert ("Turkey", "retain", "Concerned about the increase") in read


def test_the_stance_passage_style_is_in_styles_xml_with_a_name_and_the_passage_uses_it():
    data = write_consolidated(round_.base_docx(), round_.consolidation(), now=NOW)
    package = zipfile.ZipFile(io.BytesIO(data))
    styles = etree.fromstring(package.read("word/styles.xml"))
    found = [s for s in styles.iter(qn("w:style")) if s.get(qn("w:styleId")) == STANCE_PASSAGE_STYLE]
    assert len(found) == 1
    assert found[0].get(qn("w:type")) == "character"
    assert found[0].find(qn("w:name")).get(qn("w:val")) == "Concord Stance Passage"
    # Struck passage text looks and restyles like any deletion: its style is based on it.
    struck = next(s for s in styles.iter(qn("w:style")) if s.get(qn("w:styleId")) == STANCE_PASSAGE_DELETION_STYLE)
    assert struck.find(qn("w:basedOn")).get(qn("w:val")) == "ConcordDeletion"
    assert struck.find(qn("w:name")).get(qn("w:val")) == "Concord Stance Passage Deletion"
    draft = read_draft(data, "compilation.docx")
    styled = ["".join(s.text for s in p.spans if s.style == STANCE_PASSAGE_STYLE) for p in draft.body()]
    assert [text for text in styled if text] == ["increase"]


def test_the_tracked_rendering_marks_no_passage():
    data = write_consolidated(round_.base_docx(), round_.consolidation(), mode="tracked", now=NOW)
    draft = read_draft(data, "tracked.docx")
    assert not any(s.style == STANCE_PASSAGE_STYLE for p in draft.body() for s in p.spans)


@pytest.fixture(scope="module")
def sample_round():
    """The sample round's base file and its consolidation (submissions in order of arrival)."""
    base = SAMPLES / "base.docx"
    manifest_file = SAMPLES / "manifest.json"
    if not base.exists() or not manifest_file.exists():
        pytest.skip("the sample round is not generated (make samples)")
    registry = load_registry(SAMPLES / "delegations.csv")
    submissions = []
    for entry in json.loads(manifest_file.read_text(encoding="utf-8")):
        path = SAMPLES / "submissions" / entry["file"]
        if path.exists():
            submissions.append(Submission(draft=read_draft(path, path.name), file=path.name,
                                          delegation=entry["delegation"], arrived=entry["arrived"],
                                          sender=entry.get("sender")))
    return base, consolidate(read_draft(base, base.name), submissions, registry)


def test_every_stance_of_the_sample_round_reads_back_on_the_consolidation_s_anchor(sample_round):
    base, consolidation = sample_round
    written = Counter((", ".join(names(s.delegations)), s.stance, s.anchor)
                      for p in consolidation.paragraphs for s in p.stances if s.anchor)
    assert written, "the sample round has stances on passages"
    read = compilation_to_tracked(read_draft(write_consolidated(base, consolidation, now=NOW), "compilation.docx"))
    read_back = Counter((c.author, c.text, c.anchor) for c in read.comments if c.anchor)
    assert read_back == written
    # …and it is the style that says so: the passage runs carry it (struck ones its deletion form).
    passage_styles = (STANCE_PASSAGE_STYLE, STANCE_PASSAGE_DELETION_STYLE)
    styled = {"".join(s.text for s in p.spans if s.style in passage_styles)
              for p in read_draft(write_consolidated(base, consolidation, now=NOW), "c.docx").body()} - {""}
    assert styled == {anchor for _, _, anchor in written}


def test_the_reader_keeps_each_run_s_character_style_on_the_fast_path_and_the_walk_alike(monkeypatch):
    from docxio import raw_paragraphs, story_walker
    from tests.test_reader import docx_from_xml, para, run

    passage = f'<w:rStyle w:val="{STANCE_PASSAGE_STYLE}"/>'
    body = (
        para(run("PP1. Concerned about the "), run("increase", passage), run(" (retain: Turkey)"))
        + para(run("OP1. Decides", passage), run(" to act", passage))
        + para(run("OP2. Welcomes", '<w:rStyle w:val="Emphasis"/><w:b w:val="0"/>'))
        + para(run("OP3. Notes", '<w:rStyle w:val="Emphasis"/>'), run(" the report", passage))
    )
    data = docx_from_xml(body)
    raw_paragraphs.forget_shared_paragraphs()
    fast = read_draft(data, "styled.docx")
    monkeypatch.setattr(story_walker, "_PLAIN_TRIES", -1)  # every paragraph walked
    raw_paragraphs.forget_shared_paragraphs()
    assert read_draft(data, "styled.docx") == fast
    assert [[(s.text, s.style) for s in p.spans] for p in fast.body()] == [
        [("PP1. Concerned about the ", None), ("increase", STANCE_PASSAGE_STYLE), (" (retain: Turkey)", None)],
        [("OP1. Decides to act", STANCE_PASSAGE_STYLE)],
        [("OP2. Welcomes", "Emphasis")],
        [("OP3. Notes", "Emphasis"), (" the report", STANCE_PASSAGE_STYLE)],
    ]
    # A hand-styled passage reads back like one we wrote.
    read = compilation_to_tracked(fast)
    assert [(c.author, c.text, c.anchor) for c in read.comments] == [("Turkey", "retain", "increase")]
