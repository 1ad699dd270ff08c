"""Reading a compilation text back: typography and parenthesised notes become tracked proposals,
stances and statuses — for texts we wrote and for texts a secretariat edited by hand."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from lxml import etree

from docxio.compilation import compilation_to_tracked, statuses_of
from docxio.model import Draft, Paragraph, Span
from docxio.ooxml import qn
from docxio.reader import read_draft
from docxio.writer import write_consolidated
from tests import writer_support as round_

NOW = datetime(2027, 2, 13, 9, 30, tzinfo=timezone.utc)


def paragraph(*pieces: tuple[str, str], index: int = 0) -> Paragraph:
    """A body paragraph from (text, mark) pieces: "u" underlined, "s" struck, "" plain."""
    spans = tuple(Span(text, underline=mark == "u", strike=mark == "s") for text, mark in pieces)
    return Paragraph(index, "body", spans)


def draft(*paragraphs: Paragraph) -> Draft:
    return Draft("compilation.docx", "test", tuple(replace_index(p, i) for i, p in enumerate(paragraphs)))


def replace_index(p: Paragraph, index: int) -> Paragraph:
    from dataclasses import replace

    return replace(p, index=index)


def changes(p: Paragraph) -> list[tuple[str, str, str]]:
    """(insert|delete, author, text) of a tracked paragraph's spans, in order."""
    result = []
    for span in p.spans:
        if span.inserted is not None:
            result.append(("insert", span.inserted.author, span.text))
        if span.deleted is not None:
            result.append(("delete", span.deleted.author, span.text))
    return result


def test_underlined_then_attribution_is_an_insertion_by_those_delegations():
    read = compilation_to_tracked(draft(paragraph(
        ("PP2. Recognizing greater misuse", ""), (" and abuse", "u"), (" (Singapore, Egypt) by criminals", ""))))
    p = read.body()[0]
    assert changes(p) == [("insert", "Singapore, Egypt", " and abuse")]
    assert p.original == "PP2. Recognizing greater misuse by criminals"
    assert p.current == "PP2. Recognizing greater misuse and abuse by criminals"


def test_struck_then_underlined_then_attribution_is_a_replacement():
    p = compilation_to_tracked(draft(paragraph(
        ("PP3. ", ""), ("Recognizing", "s"), ("Acknowledging", "u"), (" (Mexico) also that", "")))).body()[0]
    assert changes(p) == [("delete", "Mexico", "Recognizing"), ("insert", "Mexico", "Acknowledging")]
    assert p.original == "PP3. Recognizing also that"


def test_the_space_after_an_attribution_of_a_deletion_ending_in_a_space_is_not_base_text():
    p = compilation_to_tracked(draft(paragraph(
        ("for ", ""), ("illicit ", "s"), (" (Egypt) trafficking", "")))).body()[0]
    assert p.original == "for illicit trafficking" and p.current == "for trafficking"


def test_marked_text_without_attribution_is_base_text():
    # Compilation texts underline labels and embolden headings: no attribution, no proposal.
    p = compilation_to_tracked(draft(paragraph(("PP2.", "u"), (" Recognizing that", "")))).body()[0]
    assert changes(p) == [] and p.current == "PP2. Recognizing that"


def test_alternatives_separated_by_a_slash_are_each_a_proposal_on_the_same_passage():
    p = compilation_to_tracked(draft(paragraph(
        ("in trafficking in ", ""), ("drugs", "s"), ("substances", "u"), (" (Egypt) / ", ""),
        ("drugs", "s"), ("narcotics", "u"), (" (Turkey, China) through", "")))).body()[0]
    assert p.original == "in trafficking in drugs through"
    assert changes(p) == [("delete", "Egypt, Turkey, China", "drugs"), ("insert", "Egypt", "substances"),
                          ("insert", "Turkey, China", "narcotics")]


def test_alternatives_typed_by_hand_without_spaces_around_the_slash_are_read_too():
    # The seed: "trafficking in illicit (China)/ Concerned about ...".
    p = compilation_to_tracked(draft(paragraph(
        ("in trafficking in ", ""), ("drugs", "s"), ("substances", "u"), (" (Egypt)/", ""),
        ("drugs", "s"), ("narcotics", "u"), (" (Turkey, China) through", "")))).body()[0]
    assert p.original == "in trafficking in drugs through"
    assert changes(p) == [("delete", "Egypt, Turkey, China", "drugs"), ("insert", "Egypt", "substances"),
                          ("insert", "Turkey, China", "narcotics")]


def test_an_alternative_repeating_context_is_placed_relative_to_the_passage():
    # "~~illicit~~ drugs (A) / illicit ~~drugs~~ substances (B)": A deletes "illicit", B replaces "drugs".
    p = compilation_to_tracked(draft(paragraph(
        ("in ", ""), ("illicit", "s"), (" drugs (Egypt) / illicit ", ""), ("drugs", "s"), ("substances", "u"),
        (" (Iran) and precursors", "")))).body()[0]
    assert p.original == "in illicit drugs and precursors"
    assert changes(p) == [("delete", "Egypt", "illicit"), ("delete", "Iran", "drugs"), ("insert", "Iran", "substances")]


def test_stance_notes_become_comments_by_the_delegations():
    read = compilation_to_tracked(draft(paragraph(
        ("electronic and virtual (reservation: Iran; retain: Turkey, Egypt) payment systems (flexible: Mexico)", ""))))
    assert read.body()[0].current == "electronic and virtual payment systems"
    assert [(c.author, c.text, c.anchor) for c in read.comments] == [
        ("Iran", "reservation", "electronic and virtual"), ("Turkey, Egypt", "retain", "electronic and virtual"),
        ("Mexico", "flexible", "")]
    assert all(c.paragraphs == (0,) for c in read.comments)


def test_a_stance_note_is_on_the_clause_before_it_not_on_its_last_word():
    # QA issue 4: "(consult with capital: Egypt; ...)" after "virtual asset service providers"
    # came back anchored on "providers"; the passage proposed against is kept in the clause.
    read = compilation_to_tracked(draft(paragraph(
        ("OP5. Calls upon Member States to encourage cooperation between online payment service providers, ", ""),
        ("virtual asset", "s"), ("digital asset", "u"),
        (" (Russian Federation) service providers (retain: Turkey; flexible: European Union) and competent"
         " authorities (reservation: Iran) and others;", ""))))
    assert [(c.author, c.text, c.anchor) for c in read.comments] == [
        ("Turkey", "retain", "virtual asset service providers"),
        ("European Union", "flexible", "virtual asset service providers"),
        ("Iran", "reservation", "and competent authorities"),  # starts after the earlier note
    ]
    assert read.body()[0].current.endswith("digital asset service providers and competent authorities and others;")


def test_stances_written_as_reservation_by_and_delete_before_names_are_stances():
    read = compilation_to_tracked(draft(paragraph(
        ("PP2. as well as of electronic and virtual (reservation by Iran) payment systems, trafficking in some"
         " drugs delete: (Mexico, Singapore), and precursors", ""))))
    assert read.body()[0].current == "PP2. as well as of electronic and virtual payment systems, trafficking in" \
        " some drugs, and precursors"
    assert [(c.author, c.text, c.anchor) for c in read.comments] == [
        ("Iran", "reservation", "as well as of electronic and virtual"),
        ("Mexico, Singapore", "delete", "trafficking in some drugs"),
    ]


def test_reservation_by_after_marked_text_is_a_stance_not_the_authors():
    p = compilation_to_tracked(draft(paragraph(
        ("electronic and ", ""), ("virtual", "u"), (" (Singapore) (reservation by Iran) payment systems", ""))))
    assert changes(p.body()[0]) == [("insert", "Singapore", "virtual")]
    assert [(c.author, c.text) for c in p.comments] == [("Iran", "reservation")]
    p = compilation_to_tracked(draft(paragraph(("electronic and ", ""), ("virtual", "u"), (" (reservation by Iran) payment", ""))))
    assert changes(p.body()[0]) == []
    assert [(c.author, c.text) for c in p.comments] == [("Iran", "reservation")]


def test_a_chair_s_proposal_supported_by_delegations_is_attributed_to_the_chair_and_them():
    p = compilation_to_tracked(draft(paragraph(
        ("trafficking in ", ""), ("illicit", "u"), (" (Chair\u2019s proposal, China, Cuba) drugs", "")))).body()[0]
    assert changes(p) == [("insert", "Chair, China, Cuba", "illicit")]


def test_a_proposed_paragraph_lists_its_insertion_once():
    # QA issue 4: label and text share one revision, which was listed twice.
    p = compilation_to_tracked(draft(paragraph(
        ("PP3 bis. ", ""), ("Taking into account the challenges", "u"), (" (Turkey)", "")))).body()[0]
    assert [(r.type, r.author) for r in p.revisions] == [("insert", "Turkey"), ("paragraph_insert", "Turkey")]


def test_status_lines_and_whole_draft_stances_are_read_and_left_out_of_the_text():
    compiled = draft(
        paragraph(("Strengthening cooperation", "")),
        paragraph(("(Reservation on the resolution: EU, USA) (Suggests postponing the resolution: CH)", "")),
        paragraph(("PP2. Recognizing that", "")),
        paragraph(("[PP2 agreed in informals]", "")),
        paragraph(("[PP3 bis agreed ad ref]", "")),
    )
    assert statuses_of(compiled) == {"PP2": "agreed in informals", "PP3 bis": "agreed ad ref"}
    read = compilation_to_tracked(compiled)
    assert [p.index for p in read.body()] == [0, 2]  # indexes still count the document's paragraphs
    assert [(c.author, c.text, c.paragraphs) for c in read.comments] == [
        ("EU, USA", "Reservation on the resolution", ()), ("CH", "Suggests postponing the resolution", ())]


def test_a_bracketed_paragraph_is_not_a_status_line():
    assert statuses_of(draft(paragraph(("[and to increase the provision of assistance]", "")))) == {}


def test_a_paragraph_of_label_and_attributed_text_is_an_inserted_paragraph():
    p = compilation_to_tracked(draft(paragraph(
        ("PP3 bis. ", ""), ("Taking into account the challenges", "u"), (" (Iran, Venezuela)", "")))).body()[0]
    assert p.mark_inserted is not None and p.mark_inserted.author == "Iran, Venezuela"
    assert p.original == "" and p.current == "PP3 bis. Taking into account the challenges"


# --- round trip through Word files --------------------------------------------------------------


def written_compilation() -> bytes:
    return write_consolidated(round_.base_docx(), round_.consolidation(), now=NOW)


def edit_document(data: bytes, edit) -> bytes:
    """Apply ``edit(document_root)`` to word/document.xml, as a person editing in Word would."""
    source = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(source.read("word/document.xml"))
    edit(root)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) \
                if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, content)
    return out.getvalue()


def body_changes(draft_: Draft) -> dict[str, list[tuple[str, str, str]]]:
    """Tracked changes per paragraph, keyed by the first words of the paragraph's current text."""
    return {" ".join(p.current.split()[:2]): changes(p) for p in draft_.body() if changes(p)}


def test_a_compilation_we_wrote_reads_back_as_the_proposals_and_stances_written():
    read = compilation_to_tracked(read_draft(written_compilation(), "compilation.docx"))
    assert body_changes(read) == {
        "PP1. Concerned": [("delete", "Egypt, Turkey, China", "drugs"), ("insert", "Egypt", "substances"),
                           ("insert", "Turkey, China", "narcotics")],
        "PP2. Recognizing": [("insert", "Singapore", " and abuse"), ("delete", "Egypt, Singapore", "illicit ")],
        "PP2 bis.": [("insert", "Iran, Venezuela", "PP2 bis. "),
                     ("insert", "Iran, Venezuela", "Taking into account the challenges of Member States,")],
        "PP3. Acknowledging": [("delete", "Mexico", "Noting"), ("insert", "Mexico", "Acknowledging"),
                               ("delete", "United States", "Secretary-General")],
        "OP1 bis.": [("insert", "European Union", "OP1 bis. "),
                     ("insert", "European Union", "Invites donors to provide resources;")],
        "": [("delete", "United States", round_.OP2)],
    }
    assert {(c.author, c.text, c.anchor) for c in read.comments} == {
        # The writer marks the passage ("increase") in the stance passage style: read back exactly.
        ("Turkey", "retain", "increase"), ("Egypt", "flexible", "increase"),
        ("Iran", "reservation", ""),
        ("European Union, United States", "Reservation on the resolution", ""),
    }
    for p in read.body():  # each change listed once, the proposed paragraphs' too
        assert len({r.id for r in p.revisions}) == len(p.revisions), p.id
    proposed = next(p for p in read.body() if p.current.startswith("PP2 bis."))
    assert [(r.type, r.author) for r in proposed.revisions] == [
        ("insert", "Iran, Venezuela"), ("paragraph_insert", "Iran, Venezuela")]
    texts = [p.current for p in read.body()]
    assert round_.PP3.replace("Noting", "Acknowledging").replace("Secretary-General", "") in texts


def test_a_hand_edited_compilation_is_read_with_the_secretariat_s_changes():
    def edit(root):
        body = root.find(qn("w:body"))
        paragraphs = body.findall(qn("w:p"))
        # 1. The officer types a status line under PP3 (a plain new paragraph).
        pp3 = next(p for p in paragraphs if "".join(t.text for t in p.iter(qn("w:t"))).startswith("PP3."))
        status = etree.Element(qn("w:p"))
        run = etree.SubElement(status, qn("w:r"))
        etree.SubElement(run, qn("w:t")).text = "[PP3 agreed ad ref]"
        pp3.addnext(status)
        # 2. Egypt joins Singapore's proposal: the attribution is extended by hand.
        attribution = next(t for t in body.iter(qn("w:t")) if t.text == " (Singapore)")
        attribution.text = " (Singapore, Egypt)"
        # 3. The status of PP2 is updated in place.
        old = next(t for t in body.iter(qn("w:t")) if t.text == "[PP2 agreed in informals]")
        old.text = "[PP2 agreed ad ref]"

    edited = read_draft(edit_document(written_compilation(), edit), "compilation (edited).docx")
    assert statuses_of(edited) == {"PP2": "agreed ad ref", "PP3": "agreed ad ref"}
    read = compilation_to_tracked(edited)
    assert body_changes(read)["PP2. Recognizing"] == [
        ("insert", "Singapore, Egypt", " and abuse"), ("delete", "Egypt, Singapore", "illicit ")]
    assert not any(p.current.startswith("[") for p in read.body())


def test_a_compilation_copied_without_its_styles_still_reads_from_direct_formatting():
    # Pasting into another document drops character styles; underline and strike are on the runs.
    def strip_styles(root):
        for style in list(root.iter(qn("w:rStyle"))):
            style.getparent().remove(style)

    read = compilation_to_tracked(read_draft(edit_document(written_compilation(), strip_styles), "pasted.docx"))
    assert body_changes(read)["PP3. Acknowledging"][0] == ("delete", "Mexico", "Noting")


def test_untouched_paragraphs_are_kept_as_they_are():
    original = read_draft(written_compilation(), "compilation.docx")
    read = compilation_to_tracked(original)
    kept = {p.index: p for p in read.body()}
    for p in original.body():
        if p.current in (round_.TITLE, round_.CHAPEAU):
            assert kept[p.index] is p


def test_an_attribution_with_stances_in_the_same_parentheses_is_a_proposal_and_its_stances():
    # The seed: "digital assets (Russian Federation; reservation: Iran; consult with capital: Egypt)".
    read = compilation_to_tracked(draft(paragraph(
        ("cooperation between online payment service providers, ", ""), ("virtual asset", "s"),
        ("digital assets", "u"), (" (Russian Federation; reservation: Iran (Islamic Republic of); consult with"
                                  " capital: Egypt) service providers", ""))))
    assert changes(read.body()[0]) == [("delete", "Russian Federation", "virtual asset"),
                                       ("insert", "Russian Federation", "digital assets")]
    assert read.body()[0].current == "cooperation between online payment service providers, digital assets service providers"
    assert [(c.author, c.text, c.anchor) for c in read.comments] == [
        ("Iran (Islamic Republic of)", "reservation", "virtual asset"), ("Egypt", "consult with capital", "virtual asset")]
    # "(Pakistan, flexible: Iran, Egypt)": the comma form of the same thing.
    read = compilation_to_tracked(draft(paragraph(
        ("some types of drugs", ""), (" and precursors", "u"), (" (Pakistan, flexible: Iran, Egypt).", ""))))
    assert changes(read.body()[0]) == [("insert", "Pakistan", " and precursors")]
    assert [(c.author, c.text) for c in read.comments] == [("Iran, Egypt", "flexible")]
