"""Proposed footnotes: a real footnote (reference and text) by the proposing delegations when the
base can hold footnotes, bracketed text where it cannot."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import docx

from docxio.compilation import compilation_to_tracked
from docxio.ooxml import qn
from docxio.proposals import Consolidation, ParagraphProposals, Proposal
from docxio.reader import read_draft
from docxio.schema_order import order_problems
from docxio.writer import write_consolidated
from tests import writer_support as round_
from tests.writer_support import document_xml

NOW = datetime(2027, 2, 13, 9, 30, tzinfo=timezone.utc)
NOTE = "Virtual payment systems can be converted into other virtual currencies."


def footnote_round() -> Consolidation:
    """The Russian Federation proposes a footnote after "Internet" in PP1."""
    text = round_.PP1
    return Consolidation("base.docx", [], [ParagraphProposals("PP1", text, base_index=2, proposals=[
        Proposal("footnote", inserted=NOTE, at=text.index("Internet") + len("Internet"),
                 delegations=["Russian Federation"], date="2027-02-12T13:05:00Z")])])


def test_tracked_footnote_is_inserted_with_its_reference_by_the_delegation():
    data = write_consolidated(round_.with_footnotes(round_.base_docx()), footnote_round(), mode="tracked", now=NOW)
    draft = read_draft(data, "tracked.docx")
    pp1 = next(p for p in draft.body() if p.current.startswith("PP1."))
    references = [(s.footnote, s.inserted.author if s.inserted else None) for s in pp1.spans if s.footnote]
    # Numbered in document order, as Word numbers them: ours at "Internet" first, the base's after.
    assert references == [("1", "Russian Federation"), ("2", None)]
    notes = {p.story_id: p for p in draft.paragraphs if p.story == "footnote"}
    assert notes["1"].current.strip() == NOTE
    assert {s.inserted.author for s in notes["1"].spans if s.text.strip()} == {"Russian Federation"}
    assert notes["2"].current.strip() == "World Drug Report 2026."  # the base's footnote is kept
    assert order_problems(document_xml(data, "word/footnotes.xml")) == []


def test_compilation_footnote_is_underlined_and_attributed_after_its_reference():
    data = write_consolidated(round_.with_footnotes(round_.base_docx()), footnote_round(), now=NOW)
    text = docx.Document(io.BytesIO(data)).paragraphs[2].text
    assert text == round_.PP1.replace("Internet,", "Internet (Russian Federation),")
    body = document_xml(data).find(qn("w:body"))
    reference = next(r for r in body.iter(qn("w:r")) if r.find(qn("w:footnoteReference")) is not None)
    assert reference.find(f"{qn('w:rPr')}/{qn('w:u')}") is not None
    read = compilation_to_tracked(read_draft(data, "compilation.docx"))
    pp1 = next(p for p in read.body() if p.current.startswith("PP1."))
    assert [(s.footnote, s.inserted.author) for s in pp1.spans if s.inserted] == [("1", "Russian Federation")]
    note = next(p for p in read.paragraphs if p.story == "footnote" and p.story_id == "1")
    assert {s.inserted.author for s in note.spans if s.text.strip()} == {"Russian Federation"}
    assert pp1.current == round_.PP1


def test_without_a_footnotes_part_the_footnote_is_written_in_brackets():
    data = write_consolidated(round_.base_docx(), footnote_round(), now=NOW)
    assert docx.Document(io.BytesIO(data)).paragraphs[2].text == round_.PP1.replace(
        "Internet,", f"Internet [footnote: {NOTE}] (Russian Federation),")
