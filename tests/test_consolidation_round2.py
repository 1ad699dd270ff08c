"""Round 2: the tracked consolidated draft of the sample round (docxio.writer) is the new base;
delegates mark it up in LibreOffice. Only what they change is theirs; what round 1 proposed stays
with its authors and is not proposed again."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from docxio.consolidation import Submission, consolidate
from docxio.delegations import load_registry
from docxio.reader import read_draft
from tests.lodoc import make_many

pytestmark = pytest.mark.libreoffice

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def round_two(tmp_path_factory):
    from docxio.writer import write_consolidated

    if not (SAMPLES / "manifest.json").exists():
        pytest.fail("samples/ is incomplete: run `make samples` to build the sample round")
    registry = load_registry(SAMPLES / "delegations.csv")
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    subs = [Submission(read_draft(SAMPLES / "submissions" / m["file"]), m["file"], m["delegation"], m["arrived"])
            for m in manifest]
    round_one = consolidate(read_draft(SAMPLES / "base.docx"), subs, registry,
                            earlier=[read_draft(SAMPLES / "round0.docx")])
    d = tmp_path_factory.mktemp("round2")
    base2 = d / "round2 base.docx"
    write_consolidated(SAMPLES / "base.docx", round_one, base2, mode="tracked")
    # No fixed "date" in these specs: LibreOffice must keep round 1's revision dates as they are.
    make_many([
        ({"base": str(base2), "author": "Delegation of Mexico", "track": True,
          "edits": [{"op": "insert", "para": 12, "after": "Acknowledging", "text": " also"}]}, d / "mexico2.docx"),
        ({"base": str(base2), "author": "Iran", "track": True,
          "edits": [{"op": "delete", "para": 11, "find": " and abuse"}]}, d / "iran2.docx"),
        ({"base": str(base2), "author": "SGP", "track": True, "edits": []}, d / "singapore2.docx"),
    ])
    return read_draft(base2), d, registry


def test_only_new_changes_are_credited(round_two):
    base2, d, registry = round_two
    result = consolidate(base2, [Submission(read_draft(d / "mexico2.docx"), "mexico2.docx", "Mexico"),
                                 Submission(read_draft(d / "singapore2.docx"), "singapore2.docx", "Singapore")],
                         registry)
    found = [(p.id, q.kind, q.inserted, q.delegations, q.tracked) for p in result.paragraphs for q in p.proposals]
    assert found == [("PP3", "insert", " also", ["Mexico"], True)]
    pp3 = result.paragraph("PP3")
    assert pp3.base_text[:pp3.proposals[0].at].endswith("PP3. Acknowledging")  # round 1 accepted in base_text
    assert [(s.file, s.proposals, s.warnings) for s in result.submissions] == [
        ("mexico2.docx", 1, []), ("singapore2.docx", 0, ["no changes and no comments found"])]
    assert result.paragraph("PP3 bis") is not None  # round 1's new paragraph is a base paragraph now


def test_deleting_a_round_one_proposal_is_a_delete_stance(round_two):
    base2, d, registry = round_two
    result = consolidate(base2, [Submission(read_draft(d / "iran2.docx"), "iran2.docx", None)], registry)
    pp2 = result.paragraph("PP2")
    assert pp2.proposals == []
    assert [(s.stance, s.anchor, s.delegations) for s in pp2.stances] == [
        ("delete", " and abuse", ["Iran (Islamic Republic of)"])]
