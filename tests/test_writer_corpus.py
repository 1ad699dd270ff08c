"""The writer on real Word, LibreOffice and Google Docs files (../shared/corpus/real): whatever the
base holds (tables, fields, footnotes, comments, earlier revisions, text boxes), proposals land
where they belong, with their authors, and the result opens and follows the schema order."""
from __future__ import annotations

import io

import docx
import pytest
from lxml import etree

from docxio.errors import DocxioError
from docxio.ooxml import qn, story_paragraphs
from docxio.proposals import Consolidation, ParagraphProposals, Proposal, Stance
from docxio.reader import read_draft
from docxio.runs import paragraph_text
from docxio.schema_order import order_problems
from docxio.writer import write_consolidated
from tests.conftest import SHARED
from tests.writer_support import document_xml

CORPUS = SHARED / "corpus" / "real"
FILES = sorted(CORPUS.glob("*.docx")) if CORPUS.exists() else []


def round_on(draft) -> Consolidation:
    """Egypt inserts " [EGY]" after the first word of every paragraph with two words or more,
    Turkey deletes its last word, Iran takes a stance on it."""
    paragraphs = []
    for index, paragraph in enumerate(draft.body()):
        text = paragraph.current
        words = text.split()
        if len(words) < 2 or paragraph.in_table and len(words) < 3:
            continue
        first_end = text.index(words[0]) + len(words[0])
        last = text.rindex(words[-1])
        paragraphs.append(ParagraphProposals(f"P{index}", text, base_index=index, proposals=[
            Proposal("insert", inserted=" [EGY]", at=first_end, delegations=["Egypt"]),
            Proposal("delete", deleted=words[-1], at=last, delegations=["Turkey"]),
        ], stances=[Stance("retain", delegations=["Iran"])]))
    return Consolidation(draft.file, [], paragraphs)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_proposals_land_in_real_documents(path):
    draft = read_draft(path)
    consolidation = round_on(draft)
    try:
        tracked = write_consolidated(path, consolidation, mode="tracked")
    except DocxioError as exc:
        assert "strict" in path.name and "Strict" in str(exc) and path.name in str(exc)  # refused, by name
        return
    compilation = write_consolidated(path, consolidation)
    declared = document_xml(path.read_bytes()).nsmap
    for data in (tracked, compilation):
        docx.Document(io.BytesIO(data))
        root = document_xml(data)
        assert order_problems(root) == []
        # Word refuses a part whose mc:Ignorable names an undeclared prefix: keep every declaration.
        assert root.nsmap == declared
        assert "concord" not in etree.tostring(root).decode()
    read = read_draft(tracked, path.name)
    by_index = {p.index: p for p in read.body()}
    for entry in consolidation.paragraphs:
        paragraph = by_index[entry.base_index]
        inserted = [s.text for s in paragraph.spans if s.inserted is not None and s.inserted.author == "Egypt"]
        deleted = "".join(s.text for s in paragraph.spans if s.deleted is not None and s.deleted.author == "Turkey")
        assert inserted == [" [EGY]"], (entry.id, paragraph.current)
        assert deleted == entry.proposals[1].deleted, (entry.id, paragraph.current)
    body = document_xml(compilation).find(qn("w:body"))
    shown = [paragraph_text(p) for p in story_paragraphs(body)]  # a text box's text is its own paragraph
    assert sum(text.count("[EGY] (Egypt)") for text in shown) == len(consolidation.paragraphs)
