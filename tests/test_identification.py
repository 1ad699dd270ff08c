"""Every paragraph gets its identifier: typed labels, list numbers after the chapeau, structural
ids, new paragraphs — on model objects, on a python-docx document and on LibreOffice documents."""
from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from docxio.identification import assign_identifiers, is_chapeau
from docxio.model import ListLabel, Paragraph, Revision, Span

IRAN = Revision("insert", "Iran", "2027-02-10T09:30:00Z", "7")


def p(text: str = "", number: tuple[str, int, int] | None = None, *, new: bool = False,
      mark_inserted: bool = False, story: str = "body", story_id: str | None = None, style: str | None = None,
      inserted_tail: str = "") -> Paragraph:
    """A paragraph: ``number`` is (label text, level, ordinal) of its list number; ``new`` makes all
    its text a tracked insertion; ``inserted_tail`` is inserted text after the base text."""
    spans = (Span(text, inserted=IRAN if new else None),) if text else ()
    if inserted_tail:
        spans += (Span(inserted_tail, inserted=IRAN),)
    label = ListLabel(number[0], number[1], "5", number[2]) if number else None
    return Paragraph(index=0, story=story, spans=spans, list_label=label, mark_inserted=IRAN if mark_inserted else None,
                     story_id=story_id, style=style)


def indexed(paragraphs: list[Paragraph]) -> list[Paragraph]:
    counters: dict[tuple[str, str | None], int] = {}
    out = []
    for para in paragraphs:
        key = (para.story, para.story_id)
        out.append(Paragraph(**{**para.__dict__, "index": counters.get(key, 0)}))
        counters[key] = counters.get(key, 0) + 1
    return out


def ids(paragraphs: list[Paragraph]) -> list[tuple[str, str]]:
    return [(q.id, q.id_source) for q in assign_identifiers(indexed(paragraphs))]


RESOLUTION = [
    p("Distr.: Limited"),
    p("Strengthening international cooperation in combating the misuse of technologies"),
    p("(Reservation on the resolution: EU, USA)"),
    p("The Commission on Narcotic Drugs,"),
    p("PP1. Concerned about the increase in trafficking,"),
    p("PP2 Recognizing that the pandemic triggered greater misuse,"),
    p("[PP2 agreed in informals]"),
    p("Calls upon Member States to strengthen capacity;", ("1.", 0, 1)),
    p("to detect crime;", ("(a)", 1, 1)),
    p("through cooperation;", ("(i)", 2, 1)),
    p("through training;", ("(ii)", 2, 2)),
    p("to counter laundering;", ("(b)", 1, 2)),
    p("Urges Member States;", ("2.", 0, 2)),
    p("OP9 ter, Calls upon UNODC", ("3.", 0, 3)),
    p("Decides to remain seized of the matter.", ("3.", 0, 3)),
]


def test_a_compilation_text_gets_typed_numbered_and_structural_ids() -> None:
    assert ids(RESOLUTION) == [
        ("P1", "structural"),
        ("title", "structural"),
        ("P2", "structural"),
        ("chapeau", "structural"),
        ("PP1", "typed"),
        ("PP2", "typed"),
        ("P3", "structural"),
        ("OP1", "numbering"),
        ("OP1 (a)", "numbering"),
        ("OP1 (a) (i)", "numbering"),
        ("OP1 (a) (ii)", "numbering"),
        ("OP1 (b)", "numbering"),
        ("OP2", "numbering"),
        ("OP9 ter", "typed"),  # a typed label wins over the list number
        ("OP3", "numbering"),
    ]


def test_labels_are_the_typed_text_and_empty_otherwise() -> None:
    result = assign_identifiers(indexed(RESOLUTION))
    assert [q.label for q in result if q.label] == ["PP1.", "PP2", "OP9 ter,"]
    assert all(q.label == "" for q in result if q.id_source != "typed")


def test_assignment_is_pure() -> None:
    given = indexed(RESOLUTION)
    before = list(given)
    result = assign_identifiers(given)
    assert given == before and all(q.id == "" for q in given)
    assert [q.original for q in result] == [q.original for q in given]
    assert [q.list_label for q in result] == [q.list_label for q in given]


def test_bulleted_paragraphs_are_not_operative() -> None:
    paragraphs = [
        p("Agenda item", ("\u2022", 0, 1)),
        p("The General Assembly,"),
        p("Recalling its resolution 75/1,", ("\uf0b7", 0, 1)),
        p("Decides to convene", ("1.", 0, 1)),
    ]
    assert ids(paragraphs) == [("title", "structural"), ("chapeau", "structural"), ("P1", "structural"),
                               ("OP1", "numbering")]


def test_the_chapeau_comes_before_the_first_numbered_paragraph() -> None:
    # "The Office shall," after OP1 is an operative lead-in, not a chapeau.
    paragraphs = [p("Decides", ("1.", 0, 1)), p("The Office shall,"), p("Requests", ("2.", 0, 2))]
    assert ids(paragraphs) == [("OP1", "numbering"), ("P1", "structural"), ("OP2", "numbering")]


def test_without_a_chapeau_numbered_paragraphs_are_still_operative() -> None:
    assert ids([p("Decides", ("1.", 0, 1)), p("Requests", ("2.", 0, 2))]) == [("OP1", "numbering"), ("OP2", "numbering")]


def test_a_list_that_spells_identifiers_gives_them() -> None:
    paragraphs = [p("The Human Rights Council,"), p("Recalling", ("PP1.", 0, 1)), p("Decides", ("1.", 0, 1))]
    assert ids(paragraphs) == [("chapeau", "structural"), ("PP1", "numbering"), ("OP1", "numbering")]


def test_a_sub_paragraph_keeps_the_letter_the_list_shows() -> None:
    paragraphs = [p("Decides", ("4.", 0, 4)), p("first", ("a)", 1, 1)), p("second", ("B.", 1, 2)), p("third", ("iii.", 1, 3))]
    assert [i for i, _ in ids(paragraphs)] == ["OP4", "OP4 (a)", "OP4 (b)", "OP4 (iii)"]


def test_sub_paragraphs_of_a_typed_paragraph() -> None:
    paragraphs = [p("OP3. Requests the Office:"), p("to report;", ("(a)", 1, 1)), p("to assist.", ("(b)", 1, 2))]
    assert [i for i, _ in ids(paragraphs)] == ["OP3", "OP3 (a)", "OP3 (b)"]


def test_a_sub_paragraph_without_a_parent_is_structural() -> None:
    assert ids([p("orphan", ("(a)", 1, 1))]) == [("P1", "structural")]


def test_a_new_paragraph_after_op9_is_op9_bis() -> None:
    # Word and LibreOffice mark OP9's paragraph mark inserted; the new text follows in its own paragraph.
    paragraphs = [
        p("The Commission on Narcotic Drugs,"),
        p("Invites Member States", ("9.", 0, 9), mark_inserted=True),
        p("Calls upon UNODC to facilitate", new=True),
        p("Decides", ("10.", 0, 10)),
    ]
    result = assign_identifiers(indexed(paragraphs))
    assert [(q.id, q.id_source) for q in result] == [
        ("chapeau", "structural"), ("OP9", "numbering"), ("OP9 bis", "new"), ("OP10", "numbering")]


def test_a_new_paragraph_takes_the_next_free_suffix_and_new_ones_chain() -> None:
    paragraphs = [
        p("OP9 bis. Invites"),
        p("OP9 Urges", mark_inserted=True),
        p("first new", new=True, mark_inserted=True),
        p("second new", new=True),
    ]
    assert ids(paragraphs) == [("OP9 bis", "typed"), ("OP9", "typed"), ("OP9 ter", "new"), ("OP9 quater", "new")]


def test_a_new_paragraph_is_named_after_the_last_identified_paragraph() -> None:
    # The status line and the blank line are structural: the new paragraph follows OP2.
    paragraphs = [p("Decides", ("1.", 0, 1)), p("Requests", ("2.", 0, 2)), p(""),
                  p("[OP2 agreed in informals]", mark_inserted=True), p("Invites", new=True), p("Urges", ("3.", 0, 3))]
    assert ids(paragraphs) == [("OP1", "numbering"), ("OP2", "numbering"), ("P1", "structural"),
                               ("P2", "structural"), ("OP2 bis", "new"), ("OP3", "numbering")]


def test_in_a_document_without_identifiers_a_new_paragraph_follows_its_structural_neighbour() -> None:
    paragraphs = [p("Minutes"), p("Item one", mark_inserted=True), p("Added item", new=True)]
    assert ids(paragraphs) == [("P1", "structural"), ("P2", "structural"), ("P2 bis", "new")]


def test_a_new_paragraph_keeps_the_label_its_author_typed() -> None:
    paragraphs = [p("PP3 Recalling", mark_inserted=True), p("PP3 ter alt. Reaffirming", new=True)]
    result = assign_identifiers(indexed(paragraphs))
    assert [(q.id, q.id_source, q.label) for q in result] == [("PP3", "typed", "PP3"), ("PP3 ter alt", "new", "PP3 ter alt.")]


def test_a_new_paragraph_before_a_base_paragraph() -> None:
    # Typed at the start of OP2 and Enter pressed: the new paragraph's own mark is inserted.
    paragraphs = [p("Decides", ("1.", 0, 1)), p("New text", new=True, mark_inserted=True), p("Requests", ("2.", 0, 2))]
    assert ids(paragraphs) == [("OP1", "numbering"), ("OP1 bis", "new"), ("OP2", "numbering")]


def test_the_continuation_of_a_split_paragraph_keeps_the_identifier() -> None:
    paragraphs = [p("PP4. Noting the report", mark_inserted=True), p("and its recommendations,"), p("PP5. Welcoming")]
    result = assign_identifiers(indexed(paragraphs))
    assert [(q.id, q.id_source, q.label) for q in result] == [
        ("PP4", "typed", "PP4."), ("PP4", "typed", ""), ("PP5", "typed", "PP5.")]


def test_identifiers_are_read_on_the_original_text() -> None:
    # A delegation typed a new label in front of the base text: the base id still counts.
    relabelled = Paragraph(0, "body", (Span("OP7 bis. ", inserted=IRAN), Span("PP2. Recognizing")))
    assert [(q.id, q.id_source, q.label) for q in assign_identifiers([relabelled])] == [("PP2", "typed", "PP2.")]


def test_a_repeated_typed_identifier_becomes_an_alternative() -> None:
    paragraphs = [p("[PP5] Recalling the recommendation"), p("PP6 Recalling also"), p("PP5. Recalling all commitments"),
                  p("PP5 Recalling once more")]
    assert [i for i, _ in ids(paragraphs)] == ["PP5", "PP6", "PP5 alt", "PP5 alt 2"]


def test_unlabelled_paragraphs_keep_their_structural_id_when_a_delegation_adds_one() -> None:
    base = [p("Title of the draft", style="Title"), p("The General Assembly,"), p("Recalling A,"), p("Recalling B,")]
    submission = [p("Title of the draft", style="Title"), p("The General Assembly,"), p("Recalling A,", mark_inserted=True),
                  p("Recalling Z,", new=True), p("Recalling B,")]
    assert [i for i, _ in ids(base)] == ["title", "chapeau", "P1", "P2"]
    assert ids(submission) == [("title", "structural"), ("chapeau", "structural"), ("P1", "structural"),
                               ("P1 bis", "new"), ("P2", "structural")]


def test_a_new_paragraph_right_after_the_chapeau_opens_the_preamble() -> None:
    paragraphs = [p("The General Assembly,", mark_inserted=True), p("Recalling everything,", new=True), p("PP1. Noting")]
    assert ids(paragraphs)[1] == ("PP0 bis", "new")


def test_paragraphs_of_other_stories_are_numbered_per_note() -> None:
    paragraphs = [
        p("PP1. Recalling"),
        p("See E/CN.7/2022/2.", story="footnote", story_id="2"),
        p("Second paragraph of the note.", story="footnote", story_id="2"),
        p("Another note.", story="footnote", story_id="3"),
        p("retain", story="comment", story_id="0"),
        p("E/CN.7/2027/L.5", story="header"),
    ]
    assert ids(paragraphs) == [
        ("PP1", "typed"), ("footnote 2 ¶1", "structural"), ("footnote 2 ¶2", "structural"),
        ("footnote 3 ¶1", "structural"), ("comment 0 ¶1", "structural"), ("header ¶1", "structural")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Commission on Narcotic Drugs,", True),
        ("The General Assembly,", True),
        ("  The Human Rights Council, ", True),
        ("The Conference of the Parties,", True),
        ("L'Assemblée générale,", True),
        ("Recalling its resolution 75/1,", False),
        ("Deeply concerned,", False),
        ("Mindful of the Charter,", False),
        ("Bearing in mind,", False),
        ("PP1. The Commission,", False),
        ("The Commission on Narcotic Drugs", False),
        ("the commission,", False),
        ("The " + "very " * 30 + "long body,", False),
    ],
)
def test_is_chapeau(text: str, expected: bool) -> None:
    assert is_chapeau(text) is expected


# --- real documents -----------------------------------------------------------------------------

def _un_numbering(document: docx.document.Document) -> None:
    """Make "List Number" a two-level UN list: "1." then "(a)" (python-docx's own is one level)."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>'
        "</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    style = document.styles["List Number"].element
    style.pPr.numPr.numId.val = 90


def test_a_python_docx_draft_read_by_the_reader(tmp_path: Path) -> None:
    from docxio.reader import read_draft

    document = docx.Document()
    _un_numbering(document)
    document.add_paragraph("Strengthening international cooperation", style="Title")
    document.add_paragraph("The Commission on Narcotic Drugs,")
    document.add_paragraph("PP1. Concerned about the increase in trafficking,")
    document.add_paragraph("PP2 bis. Recognizing that the pandemic triggered greater misuse,")
    document.add_paragraph("Calls upon Member States:", style="List Number")
    for text in ("to detect crime;", "to counter laundering;"):
        sub = document.add_paragraph(text, style="List Number")
        sub.paragraph_format.element.get_or_add_pPr().get_or_add_numPr().get_or_add_ilvl().val = 1
    document.add_paragraph("Urges Member States;", style="List Number")
    document.add_paragraph("Decides to remain seized of the matter.", style="List Number")
    out = io.BytesIO()
    document.save(out)
    draft = read_draft(out.getvalue(), "base.docx")
    assert [(q.id, q.id_source, q.label) for q in draft.body()] == [
        ("title", "structural", ""),
        ("chapeau", "structural", ""),
        ("PP1", "typed", "PP1."),
        ("PP2 bis", "typed", "PP2 bis."),
        ("OP1", "numbering", ""),
        ("OP1 (a)", "numbering", ""),
        ("OP1 (b)", "numbering", ""),
        ("OP2", "numbering", ""),
        ("OP3", "numbering", ""),
    ]


@pytest.mark.libreoffice
def test_libreoffice_submission_with_a_tracked_new_paragraph_keeps_base_identifiers(tmp_path: Path) -> None:
    from docxio.reader import read_draft
    from tests.lodoc import make_many

    base = {
        "paragraphs": [
            {"text": "Strengthening international cooperation", "bold": True, "align": "center"},
            "The Commission on Narcotic Drugs,",
            "PP1. Concerned about the increase in trafficking,",
            {"text": "Calls upon Member States:", "list_level": 0},
            {"text": "to detect crime;", "list_level": 1},
            {"text": "to counter laundering;", "list_level": 1},
            {"text": "Urges Member States;", "list_level": 0},
            {"text": "Decides to remain seized of the matter.", "list_level": 0},
        ],
        "date": "2027-02-10T09:30:00Z",
    }
    submission = {
        **base,
        "author": "Iran",
        "track": True,
        "edits": [{"op": "insert_paragraph", "after": 6, "text": "Invites Member States to share information;"}],
    }
    base_path, submission_path = make_many([(base, tmp_path / "base.docx"), (submission, tmp_path / "iran.docx")])
    expected = [
        ("title", "structural"), ("chapeau", "structural"), ("PP1", "typed"), ("OP1", "numbering"),
        ("OP1 (a)", "numbering"), ("OP1 (b)", "numbering"), ("OP2", "numbering"), ("OP3", "numbering"),
    ]
    assert [(q.id, q.id_source) for q in read_draft(base_path).body() if q.current.strip()] == expected
    read = [(q.id, q.id_source, q.current) for q in read_draft(submission_path).body() if q.current.strip()]
    assert ("OP2 bis", "new", "Invites Member States to share information;") in read
    assert [(i, s) for i, s, _ in read if s != "new"] == expected


def test_typed_sub_paragraphs_under_an_operative_paragraph() -> None:
    paragraphs = [
        p("The General Assembly,"),
        p("Requests the Secretary-General:", ("1.", 0, 1)),
        p("(a) To report on progress;"),
        p("(i) in writing;"),
        p("(ii) orally;"),
        p("(b) To consult;"),
        p("(c bis) To assist;"),
        p("(eu) is not a sub-paragraph"),
        p("Decides", ("2.", 0, 2)),
        p("(h) eighth"),
        p("(i) ninth, a letter after (h)"),
    ]
    result = assign_identifiers(indexed(paragraphs))
    assert [(q.id, q.id_source, q.label) for q in result] == [
        ("chapeau", "structural", ""),
        ("OP1", "numbering", ""),
        ("OP1 (a)", "typed", "(a)"),
        ("OP1 (a) (i)", "typed", "(i)"),
        ("OP1 (a) (ii)", "typed", "(ii)"),
        ("OP1 (b)", "typed", "(b)"),
        ("OP1 (c bis)", "typed", "(c bis)"),
        ("P1", "structural", ""),
        ("OP2", "numbering", ""),
        ("OP2 (h)", "typed", "(h)"),
        ("OP2 (i)", "typed", "(i)"),
    ]


def test_a_typed_sub_paragraph_without_a_parent_is_structural() -> None:
    assert ids([p("(a) To report")]) == [("P1", "structural")]
