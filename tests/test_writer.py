"""The consolidated draft as Word writes it: both renderings of a small round, read back with
python-docx, the docxio reader and lxml (LibreOffice and pandoc are in test_writer_office.py)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import docx
import pytest
from lxml import etree

from docxio.errors import DocxioError, PackageError
from docxio.ooxml import NS, qn
from docxio.proposals import Consolidation, ParagraphProposals, Proposal
from docxio.reader import read_draft
from docxio.schema_order import order_problems
from docxio.writer import write_consolidated
from tests import writer_support as round_
from tests.writer_support import document_xml, part_names, read_part

NOW = datetime(2027, 2, 13, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def base() -> bytes:
    return round_.base_docx()


@pytest.fixture(scope="module")
def compilation(base) -> bytes:
    return write_consolidated(base, round_.consolidation(), now=NOW)


@pytest.fixture(scope="module")
def tracked(base) -> bytes:
    return write_consolidated(base, round_.consolidation(), mode="tracked", now=NOW)


def texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


# --- compilation rendering ----------------------------------------------------------------------


def test_compilation_text_follows_the_conventions_of_negotiation_drafts(compilation):
    assert texts(compilation) == [
        round_.TITLE,
        "(Reservation on the resolution: European Union, United States)",
        round_.CHAPEAU,
        "PP1. Concerned about the increase (retain: Turkey; flexible: Egypt) in trafficking in "
        "drugssubstances (Egypt) / drugsnarcotics (Turkey, China) through the Internet,",
        "PP2. Recognizing that the pandemic triggered greater misuse and abuse (Singapore) by criminal "
        "organizations for illicit  (Egypt, Singapore) trafficking,",
        "[PP2 agreed in informals]",
        "PP2 bis. Taking into account the challenges of Member States, (Iran, Venezuela)",
        "PP3. NotingAcknowledging (Mexico) the report of the Secretary-General (United States) on trafficking,",
        "Calls upon Member States to cooperate; (reservation: Iran)",
        "OP1 bis. Invites donors to provide resources; (European Union)",
        round_.OP2 + " (United States)",
    ]


def runs_of(data: bytes, paragraph: int) -> list[tuple[str, bool, bool, str | None]]:
    """(text, underlined, struck, character style id) of each run of a body paragraph."""
    body = document_xml(data).find(qn("w:body"))
    p = body.findall(qn("w:p"))[paragraph]
    result = []
    for run in p.iter(qn("w:r")):
        props = run.find(qn("w:rPr"))
        style = props.find(qn("w:rStyle")) if props is not None else None
        result.append((
            "".join(t.text or "" for t in run.iter(qn("w:t"))),
            props is not None and props.find(qn("w:u")) is not None,
            props is not None and props.find(qn("w:strike")) is not None,
            style.get(qn("w:val")) if style is not None else None,
        ))
    return result


def test_inserted_text_is_underlined_deleted_struck_and_attributions_in_their_own_style(compilation):
    pp2 = runs_of(compilation, 4)
    assert (" and abuse", True, False, "ConcordInsertion") in pp2
    assert ("illicit ", False, True, "ConcordDeletion") in pp2
    assert (" (Singapore)", False, False, "ConcordAttribution") in pp2
    # Base text around the proposals keeps its own formatting (the bold word is still bold).
    body = document_xml(compilation).find(qn("w:body"))
    bold = [r for r in body.iter(qn("w:r")) if r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None]
    assert ["".join(t.text for t in r.iter(qn("w:t"))) for r in bold][:2] == ["misuse", " and abuse"]


def test_concord_styles_are_named_character_styles_a_secretariat_can_restyle(compilation):
    styles = docx.Document(io.BytesIO(compilation)).styles
    by_name = {s.name: s for s in styles}
    for name in ("Concord Insertion", "Concord Deletion", "Concord Attribution"):
        assert by_name[name].type == docx.enum.style.WD_STYLE_TYPE.CHARACTER
    assert by_name["Concord Insertion"].font.underline
    assert by_name["Concord Deletion"].font.strike


def test_compilation_has_no_revisions_and_accepts_the_base_s_own(compilation):
    root = document_xml(compilation)
    assert root.findall(f".//{qn('w:ins')}") == [] and root.findall(f".//{qn('w:del')}") == []
    assert "PP3. NotingAcknowledging (Mexico) the report of the Secretary-General" in texts(compilation)[7]


def test_operative_paragraphs_keep_their_list_numbering_and_new_ones_are_not_numbered(base, compilation, tracked):
    for data in (compilation, tracked):
        paragraphs = docx.Document(io.BytesIO(data)).paragraphs
        op1 = next(p for p in paragraphs if p.text.startswith("Calls upon"))
        # python-docx does not show text inside w:ins, so look for the new paragraph in the XML.
        new = next(p for p in paragraphs if "Invites donors" in "".join(t.text for t in p._p.iter(qn("w:t"))))
        assert op1.style.name == "List Number" and op1._p.pPr.numPr is None
        num_id = new._p.pPr.find(f"{qn('w:numPr')}/{qn('w:numId')}")
        assert num_id is not None and num_id.get(qn("w:val")) == "0"


# --- tracked rendering --------------------------------------------------------------------------


def text_revisions(data: bytes) -> list[tuple[str, str, str, str]]:
    """(kind, author, text, date) of every run-level w:ins / w:del of the body, in order."""
    body = document_xml(data).find(qn("w:body"))
    result = []
    for element in body.iter(qn("w:ins"), qn("w:del")):
        if element.getparent().tag == qn("w:rPr"):
            continue
        kind = "insert" if element.tag == qn("w:ins") else "delete"
        text = "".join(t.text or "" for t in element.iter(qn("w:t"), qn("w:delText")))
        result.append((kind, element.get(qn("w:author")), text, element.get(qn("w:date"))))
    return result


def test_tracked_rendering_has_one_revision_per_proposal_by_its_delegations(tracked):
    ours = [r[:3] for r in text_revisions(tracked) if r[1] != "Chair"]
    assert ours == round_.expected_tracked_changes()


def test_tracked_changes_are_dated_by_the_proposal_or_its_submission(tracked):
    revisions = text_revisions(tracked)
    dates = {(kind, author, text): date for kind, author, text, date in revisions}
    assert dates[("insert", "Singapore", " and abuse")] == "2027-02-12T08:40:00Z"  # arrival of its file
    assert dates[("delete", "Egypt, Singapore", "illicit ")] == "2027-02-12T08:03:00Z"  # its own date
    # The base's own insertion is kept, author and date (cut in two where a deletion falls in it).
    chair = [(text, date) for kind, author, text, date in revisions if author == "Chair"]
    assert "".join(text for text, _ in chair) == round_.CHAIR_INSERTION
    assert {date for _, date in chair} == {"2027-01-10T09:00:00Z"}


def test_deleting_text_an_earlier_round_inserted_nests_the_deletion_in_the_insertion(tracked):
    body = document_xml(tracked).find(qn("w:body"))
    chair = [e for e in body.iter(qn("w:ins")) if e.get(qn("w:author")) == "Chair"]
    nested = next(e.find(qn("w:del")) for e in chair if e.find(qn("w:del")) is not None)
    assert nested is not None and nested.get(qn("w:author")) == "United States"
    assert "".join(t.text for t in nested.iter(qn("w:delText"))) == "Secretary-General"


def test_revision_ids_are_unique_and_above_the_base_s(tracked):
    body = document_xml(tracked).find(qn("w:body"))
    ids = [int(e.get(qn("w:id"))) for e in body.iter(qn("w:ins"), qn("w:del"))]
    assert len(ids) == len(set(ids))
    assert 77 in ids and all(i > 77 for i in ids if i != 77)


def test_new_paragraphs_are_tracked_insertions_including_their_paragraph_mark(tracked):
    body = document_xml(tracked).find(qn("w:body"))
    marks = [
        (m.getparent().getparent().getparent(), m.get(qn("w:author")))
        for m in body.iter(qn("w:ins")) if m.getparent().tag == qn("w:rPr")
    ]
    assert [(author, "".join(t.text for t in p.iter(qn("w:t")))) for p, author in marks] == [
        ("Iran, Venezuela", "PP2 bis. Taking into account the challenges of Member States,"),
        ("European Union", "OP1 bis. Invites donors to provide resources;"),
    ]
    deleted_marks = [m.get(qn("w:author")) for m in body.iter(qn("w:del")) if m.getparent().tag == qn("w:rPr")]
    assert deleted_marks == ["United States"]


def test_stances_and_conflicts_are_word_comments_by_the_delegations(tracked):
    assert "word/comments.xml" in part_names(tracked)
    types = read_part(tracked, "[Content_Types].xml").decode()
    assert 'PartName="/word/comments.xml"' in types
    comments = docx.Document(io.BytesIO(tracked)).comments
    found = {(c.author, c.text) for c in comments}
    assert {("Turkey", "retain"), ("Egypt", "flexible"), ("Iran", "reservation"),
            ("European Union, United States", "reservation on the resolution")} <= found
    conflict = [text for author, text in found if author == "Concord"]
    assert conflict == ["Alternatives (PP1-1): 'drugs' -> 'substances' (Egypt) / 'drugs' -> 'narcotics' (Turkey, China)"]
    # Every comment mark in the body refers to a comment of the comments part.
    ids = {c.comment_id for c in comments}
    body = document_xml(tracked)
    marks = {int(e.get(qn("w:id"))) for e in body.iter(qn("w:commentRangeStart"), qn("w:commentReference"))}
    assert marks == ids


def test_read_back_tracked_draft_gives_per_paragraph_the_proposals_and_authors_written(tracked):
    draft = read_draft(tracked, "tracked.docx")
    by_paragraph = {}
    for paragraph in draft.body():
        changes = [
            ("insert" if s.inserted and s.inserted.author != "Chair" else "delete", (s.deleted or s.inserted).author, s.text)
            for s in paragraph.spans
            if (s.deleted is not None) or (s.inserted is not None and s.inserted.author != "Chair")
        ]
        if changes:
            by_paragraph[paragraph.current.split(".")[0] if paragraph.current else paragraph.original[:9]] = changes
    flat = [c for changes in by_paragraph.values() for c in changes]
    assert flat == round_.expected_tracked_changes()
    assert list(by_paragraph) == ["PP1", "PP2", "PP2 bis", "PP3", "OP1 bis", "Requests "]


# --- the package --------------------------------------------------------------------------------


def test_the_base_package_is_copied_with_properties_updated(base, compilation, tracked):
    for data in (compilation, tracked):
        for part in ("word/numbering.xml", "word/header1.xml", "word/settings.xml", "word/theme/theme1.xml"):
            if part in part_names(base):
                assert read_part(data, part) == read_part(base, part), part
        properties = docx.Document(io.BytesIO(data)).core_properties
        assert properties.revision == 5
        assert properties.modified == NOW
        assert docx.Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text == "E/CN.7/2027/L.5"


def test_every_element_we_write_follows_the_schema_order(compilation, tracked):
    for data in (compilation, tracked):
        for part in ("word/document.xml", "word/styles.xml"):
            assert order_problems(document_xml(data, part)) == []
    assert order_problems(document_xml(tracked, "word/comments.xml")) == []


def test_the_schema_order_check_finds_a_misplaced_property():
    run = etree.fromstring(
        f'<w:r xmlns:w="{NS["w"]}"><w:t>x</w:t><w:rPr><w:u w:val="single"/><w:b/></w:rPr></w:r>'
    )
    assert order_problems(run) == ["w:r: w:rPr is not the first child", "w:rPr: w:b after w:u"]


def test_output_file_is_written_when_asked(base, tmp_path):
    out = tmp_path / "consolidated.docx"
    data = write_consolidated(base, round_.consolidation(), out, now=NOW)
    assert out.read_bytes() == data


def test_writing_twice_gives_the_same_document(base):
    first = write_consolidated(base, round_.consolidation(), mode="tracked", now=NOW)
    second = write_consolidated(base, round_.consolidation(), mode="tracked", now=NOW)
    assert document_xml(first, "word/document.xml").__len__() and read_part(first, "word/document.xml") == read_part(
        second, "word/document.xml")


# --- bad input ----------------------------------------------------------------------------------


def test_a_base_that_is_not_a_word_document_is_named_in_the_error(tmp_path):
    path = tmp_path / "draft L5.docx"
    path.write_bytes(b"%PDF-1.4 not a docx")
    with pytest.raises(PackageError, match="draft L5.docx"):
        write_consolidated(path, round_.consolidation())


def test_a_consolidation_of_another_draft_is_refused_naming_the_paragraph(base):
    other = Consolidation("base.docx", [], [ParagraphProposals("OP40", "Decides", base_index=40, proposals=[
        Proposal("delete", deleted="Decides", delegations=["Egypt"])])])
    with pytest.raises(DocxioError, match=r"base\.docx: paragraph OP40 .* is not in this base draft"):
        write_consolidated(base, other)


def test_an_unknown_mode_is_refused(base):
    with pytest.raises(ValueError, match="mode"):
        write_consolidated(base, round_.consolidation(), mode="redline")


def test_unattributed_proposals_say_so(base):
    text = round_.PP1
    unattributed = Consolidation("base.docx", [], [ParagraphProposals("PP1", text, base_index=2, proposals=[
        Proposal("delete", deleted="drugs ", at=text.index("drugs "), delegations=[])])])
    assert texts(write_consolidated(base, unattributed, now=NOW))[2].endswith("in drugs  (unattributed) through the Internet,")
    authors = {r[1] for r in text_revisions(write_consolidated(base, unattributed, mode="tracked", now=NOW))}
    assert "unattributed" in authors
