"""A proposal to move a paragraph is a real tracked move in the tracked rendering (issue 4): the
Chair can accept or reject it in Word. Checked on the sample round (Mexico moves OP11 after OP12)
and on a small hand-made round, read back by our reader, by `concord inspect` and by LibreOffice."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pypdf
import pytest

from docxio.ooxml import qn
from docxio.proposals import Consolidation, ParagraphProposals, Proposal, Stance
from docxio.reader import read_draft
from docxio.schema_order import order_problems
from docxio.writer import write_consolidated
from tests import writer_support as round_
from tests.conftest import require_program
from tests.test_writer_samples import sample_round  # noqa: F401  (the sample round fixture)
from tests.writer_support import OP1, OP2, PP1, PP2, PP3, at, document_xml

NOW = datetime(2027, 2, 13, 9, 0, tzinfo=timezone.utc)
CONCORD = Path(sys.executable).with_name("concord")
#: OP11 and OP12 of the sample base draft (samples/README.md).
SAMPLE_OP11 = "Requests the Executive Director of the United Nations Office on Drugs and Crime to report"
SAMPLE_OP12 = "Decides to remain seized of the matter."
REVISION_TAGS = tuple(qn(f"w:{t}") for t in ("ins", "del", "moveFrom", "moveTo", "moveFromRangeStart",
                                              "moveToRangeStart", "rPrChange", "pPrChange"))


def small_round(conflict: bool = False) -> Consolidation:
    """The writer tests' base draft with PP1 moved after PP3 by Egypt and Singapore; PP1 also
    gets an insertion by Turkey and a reservation by Iran. With ``conflict`` the United States
    deletes PP1 as well (the move and the deletion are then one conflict group)."""
    group = "PP1-1" if conflict else None
    proposals = [
        Proposal("move", delegations=["Egypt", "Singapore"], moved_to="PP3", group=group, date="2027-02-12T08:30:00Z"),
        Proposal("insert", inserted="illicit ", at=at(PP1, "drugs"), delegations=["Turkey"],
                 date="2027-02-12T09:00:00Z"),
    ]
    if conflict:
        proposals.append(Proposal("delete_paragraph", deleted=PP1, delegations=["United States"], group=group,
                                  date="2027-02-12T11:00:00Z"))
    return Consolidation("base.docx", [], [
        ParagraphProposals("title", round_.TITLE, base_index=0),
        ParagraphProposals("chapeau", round_.CHAPEAU, base_index=1),
        ParagraphProposals("PP1", PP1, base_index=2, proposals=proposals,
                           stances=[Stance("reservation", delegations=["Iran"])]),
        ParagraphProposals("PP2", PP2, base_index=3),
        ParagraphProposals("PP3", PP3, base_index=4),
        ParagraphProposals("OP1", OP1, base_index=5),
        ParagraphProposals("OP2", OP2, base_index=6),
    ])


def moves(draft) -> list[tuple[int, str, str, str, str]]:
    """(paragraph index, type, name, author, text) of every move of a draft, the pieces of one
    half joined (another delegation's insertion inside the moved text cuts it in two)."""
    found: list[list] = []
    for p in draft.body():
        for r in p.revisions:
            if r.type not in ("move_from", "move_to"):
                continue
            key = [p.index, r.type, r.move_name or "", r.author]
            if found and found[-1][:4] == key:
                found[-1][4] += r.text
            else:
                found.append(key + [r.text])
    return [tuple(half) for half in found]


def index_of(texts: list[str], start: str) -> int:
    """Index of the one text beginning with ``start`` (fails when there is none or several)."""
    found = [i for i, text in enumerate(texts) if text.startswith(start)]
    assert len(found) == 1, (start, texts)
    return found[0]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("moves")
    base = round_.base_docx()
    paths = {"tracked": folder / "tracked.docx", "compilation": folder / "compilation.docx",
             "conflict": folder / "conflict.docx"}
    write_consolidated(base, small_round(), paths["tracked"], mode="tracked", now=NOW)
    write_consolidated(base, small_round(), paths["compilation"], mode="compilation", now=NOW)
    write_consolidated(base, small_round(conflict=True), paths["conflict"], mode="tracked", now=NOW)
    return paths


@pytest.fixture(scope="module")
def sample_tracked(sample_round, tmp_path_factory) -> Path:  # noqa: F811
    base, consolidation = sample_round
    path = tmp_path_factory.mktemp("sample-moves") / "tracked.docx"
    write_consolidated(base, consolidation, path, mode="tracked", now=NOW)
    return path


def test_a_move_is_a_moved_from_and_a_moved_to_paragraph_paired_by_name(small):
    draft = read_draft(small["tracked"], "tracked.docx")
    found = moves(draft)
    assert [(kind, author, text) for _, kind, _, author, text in found] == [
        ("move_from", "Egypt, Singapore", PP1), ("move_to", "Egypt, Singapore", PP1)]
    assert found[0][0] < found[1][0]
    assert found[0][2] == found[1][2] != ""
    # Both paragraph marks are part of the move: accepting removes the old paragraph entirely.
    source, target = (draft.body()[index] for index, *_ in found)
    assert source.mark_deleted is not None and source.mark_deleted.author == "Egypt, Singapore"
    assert target.mark_inserted is not None and target.mark_inserted.author == "Egypt, Singapore"


def test_accepting_puts_the_paragraph_after_its_new_neighbour_and_rejecting_keeps_the_base_order(small):
    draft = read_draft(small["tracked"], "tracked.docx")
    accepted = [p.current for p in draft.body() if p.current]
    rejected = [p.original for p in draft.body() if p.original]
    moved = PP1.replace("drugs", "illicit drugs")  # Turkey's insertion travels with the paragraph
    assert accepted == [round_.TITLE, round_.CHAPEAU, PP2, PP3, moved, OP1, OP2]
    # Rejecting everything also rejects the Chair's earlier insertion in PP3.
    assert rejected == [round_.TITLE, round_.CHAPEAU, PP1, PP2, PP3.replace(round_.CHAIR_INSERTION, ""), OP1, OP2]


def test_other_proposals_and_comments_of_the_moved_paragraph_go_with_it(small):
    draft = read_draft(small["tracked"], "tracked.docx")
    target = next(p for p in draft.body() if any(r.type == "move_to" for r in p.revisions))
    assert ("insert", "Turkey", "illicit ") in [(r.type, r.author, r.text) for r in target.revisions]
    comments = {c.author: c for c in draft.comments}
    assert comments["Iran"].text == "reservation" and comments["Iran"].paragraphs == (target.index,)
    # The move itself is no comment any more: the revision's author names the delegations.
    assert not any("move" in c.text for c in draft.comments)


def test_the_move_follows_the_schema_order_and_every_revision_id_is_unique(small):
    for name in ("tracked", "conflict"):
        document = document_xml(small[name].read_bytes())
        assert order_problems(document) == [], name
        ids = Counter(e.get(qn("w:id")) for e in document.iter(*REVISION_TAGS))
        assert [i for i, n in ids.items() if n > 1] == [], name


def test_a_move_in_conflict_with_a_deletion_stays_a_comment(small):
    draft = read_draft(small["conflict"], "conflict.docx")
    assert moves(draft) == []
    pp1 = next(p for p in draft.body() if p.original == PP1)
    assert pp1.mark_deleted is not None and pp1.mark_deleted.author == "United States"
    notes = [(c.author, c.text) for c in draft.comments]
    assert ("Egypt, Singapore", "move after PP3") in notes


def test_the_compilation_keeps_the_paragraph_in_place_with_the_move_as_a_note(small):
    draft = read_draft(small["compilation"], "compilation.docx")
    assert moves(draft) == []
    texts = [p.current for p in draft.body()]
    pp1 = index_of(texts, PP1[:30])
    assert pp1 < index_of(texts, PP2[:30])
    assert "move after PP3: Egypt, Singapore)" in texts[pp1]


def test_sample_round_mexico_moves_op11_after_op12(sample_tracked):
    draft = read_draft(sample_tracked, "tracked.docx")
    found = moves(draft)
    assert [(kind, author) for _, kind, _, author, _ in found] == [("move_from", "Mexico"), ("move_to", "Mexico")]
    assert found[0][2] == found[1][2]
    assert all(text.startswith(SAMPLE_OP11) for *_, text in found)
    accepted = [p.current for p in draft.body() if p.current]
    assert index_of(accepted, SAMPLE_OP12) < index_of(accepted, SAMPLE_OP11)
    rejected = [p.original for p in draft.body() if p.original]
    assert index_of(rejected, SAMPLE_OP11) < index_of(rejected, SAMPLE_OP12)
    assert order_problems(document_xml(sample_tracked.read_bytes())) == []


def test_concord_inspect_shows_the_move(sample_tracked):
    if not CONCORD.exists():
        pytest.fail(f"{CONCORD} is missing: install the project with `make test` (pip install -e .)")
    done = subprocess.run([str(CONCORD), "inspect", str(sample_tracked)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 move_from, 1 move_to" in done.stdout
    assert "move_from by Mexico" in done.stdout and "move_to by Mexico" in done.stdout


@pytest.mark.libreoffice
def test_libreoffice_shows_a_move_and_its_saved_copy_accepts_to_the_new_order(sample_tracked, small, tmp_path):
    from addin.render import convert_with_libreoffice

    require_program("soffice")
    pdf = convert_with_libreoffice(sample_tracked, "pdf", tmp_path / "pdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Requests the Executive Director" in text
    # LibreOffice pairs the two halves as one move (its own bookmarks name both ends).
    flat = convert_with_libreoffice(sample_tracked, "fodt", tmp_path / "fodt").read_text(encoding="utf-8")
    assert "__RefMoveFrom__move1" in flat and "__RefMoveTo__move1" in flat
    for path, first, second in ((sample_tracked, SAMPLE_OP12, SAMPLE_OP11), (small["tracked"], PP3[:10], PP1[:30])):
        saved = read_draft(convert_with_libreoffice(path, "docx", tmp_path / path.stem / "docx"), "saved.docx")
        accepted = [p.current for p in saved.body() if p.current]
        rejected = [p.original for p in saved.body() if p.original]
        assert index_of(accepted, first) < index_of(accepted, second), path
        assert index_of(rejected, second) < index_of(rejected, first), path


def test_the_moved_paragraph_keeps_its_identifier_at_its_new_place_and_renumbers_nothing(sample_tracked):
    # Read back (by the Chair's next round, or `concord inspect`), OP11 moved after OP12 is still
    # OP11 at both places; the end of the list gains no "OP13".
    body = read_draft(sample_tracked, "tracked.docx").body()
    ids = [(p.id, p.id_source) for p in body if p.id in ("OP10", "OP11", "OP12", "OP13")]
    assert ids == [("OP10", "numbering"), ("OP11", "numbering"), ("OP12", "numbering"), ("OP11", "moved")]
