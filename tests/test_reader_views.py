"""Original and current views across paragraph marks: splits, joins, and the way back to the
physical paragraphs."""
from __future__ import annotations

import pytest

from docxio.reader import read_draft
from docxio.views import current_paragraphs, original_paragraphs, span_positions
from test_reader import docx_from_xml, para, rev, run

MARK = 'w:id="{}" w:author="{}" w:date="2027-02-10T09:30:00Z"'


def split_and_join_draft():
    """OP3 split in two by Iran (inserted mark); OP4 and OP5 joined by Egypt (deleted mark)."""
    body = (
        para(run("OP3. Urges Member States"), ppr=f"<w:rPr><w:ins {MARK.format(1, 'Iran')}/></w:rPr>")
        + para(rev("ins", "2", "Iran", run("OP3 bis. Invites")), run(" to cooperate;"))
        + para(run("OP4. Requests"), rev("del", "3", "Egypt", run(";", tag="w:delText")),
               ppr=f"<w:rPr><w:del {MARK.format(4, 'Egypt')}/></w:rPr>")
        + para(run(" and reports;"))
    )
    return read_draft(docx_from_xml(body), "views.docx")


def test_an_inserted_paragraph_mark_splits_a_paragraph_of_the_original():
    draft = split_and_join_draft()
    original = original_paragraphs(draft)
    assert [v.text for v in original] == [
        "OP3. Urges Member States to cooperate;",
        "OP4. Requests;",
        " and reports;",
    ]
    assert original[0].paragraphs == (0, 1)


def test_a_deleted_paragraph_mark_joins_paragraphs_in_the_current_view():
    draft = split_and_join_draft()
    current = current_paragraphs(draft)
    assert [v.text for v in current] == [
        "OP3. Urges Member States",
        "OP3 bis. Invites to cooperate;",
        "OP4. Requests and reports;",
    ]
    assert current[2].paragraphs == (2, 3)


def test_locate_maps_a_view_offset_back_to_the_physical_paragraph():
    joined = current_paragraphs(split_and_join_draft())[2]
    at = joined.text.index("and reports")
    assert joined.locate(at) == (3, 1)
    assert joined.locate(0) == (2, 0)
    segment = joined.segments[1]
    assert joined.text[segment.start:segment.end] == " and reports;"


def test_views_never_join_across_stories():
    notes = ('<w:footnotes NAMESPACES><w:footnote w:id="1"><w:p><w:pPr><w:rPr><w:ins '
             + MARK.format(9, "USA") + '/></w:rPr></w:pPr><w:r><w:t>note</w:t></w:r></w:p></w:footnote></w:footnotes>')
    draft = read_draft(docx_from_xml(para(run("body")), parts={"footnotes.xml": notes}), "notes.docx")
    assert [(v.story, v.text) for v in original_paragraphs(draft)] == [("body", "body"), ("footnote", "note")]


@pytest.mark.parametrize(
    ("name", "original", "current"),
    [
        # Word: a paragraph split by an inserted mark, another joined by a deleted one.
        ("pandoc__paragraph_insertion_deletion.docx", ["This is a split", "Paragraph."], ["This is a", " splitParagraph."]),
    ],
)
def test_real_split_and_join(real_corpus, name, original, current):
    draft = read_draft(real_corpus / name)
    assert [v.text for v in original_paragraphs(draft.body())] == original
    assert [v.text for v in current_paragraphs(draft.body())] == current


def test_real_deleted_paragraph_mark_joins_in_current_view_only(real_corpus):
    draft = read_draft(real_corpus / "powertools__RP052-Deleted-Para-Mark.docx")
    body = draft.body()
    assert len(original_paragraphs(body)) == len(body)
    current = current_paragraphs(body)
    assert len(current) == len(body) - 1
    (joined,) = [v for v in current if len(v.segments) > 1]
    assert joined.text == body[joined.paragraphs[0]].current + body[joined.paragraphs[1]].current


def test_real_inserted_then_deleted_paragraph(real_corpus):
    """RP047: Test User inserted two paragraphs, Eric White deleted part of them and a mark."""
    draft = read_draft(real_corpus / "powertools__RP047-Inserted-and-Deleted-Paragraph-Mark.docx")
    body = draft.body()
    original = original_paragraphs(body)
    assert len(original) == len(body) - 2  # both inserted paragraphs vanish from the original
    assert "This is added" not in "".join(v.text for v in original)
    current = current_paragraphs(body)
    assert "This is add" in [v.text for v in current]


def test_span_positions_say_which_original_words_a_delegation_replaced():
    draft = read_draft(docx_from_xml(para(
        run("for "), rev("del", "1", "Iran", run("drug related money laundering", tag="w:delText")),
        rev("ins", "2", "Iran", run("all proceeds of crime")), run(" and"),
    )), "replace.docx")
    (p,) = draft.body()
    positions = span_positions(p)
    deleted = next(x for x in positions if x.span.deleted is not None)
    inserted = next(x for x in positions if x.span.inserted is not None)
    assert p.original[deleted.original:deleted.original + len(deleted.span.text)] == "drug related money laundering"
    assert deleted.current is None and inserted.original is None
    assert p.current[inserted.current:inserted.current + len(inserted.span.text)] == "all proceeds of crime"
    assert positions[-1].original == len("for drug related money laundering")
    assert positions[-1].current == len("for all proceeds of crime")
