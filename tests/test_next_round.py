"""The next round: round 1's consolidated draft — its compilation text as written, the same after
the officer's hand edits, or its tracked rendering — is round 2's base. Delegates mark it up in
LibreOffice; only what they change is theirs, round 1's proposals stay visible with their
authors, statuses carry over (written once), and changing an agreed paragraph is flagged."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

from docxio.compilation import compilation_to_tracked, statuses_of
from docxio.consolidation import Submission, consolidate
from docxio.delegations import Delegation, Registry
from docxio.model import Draft
from docxio.proposals import Proposal, Stance
from docxio.ooxml import qn
from docxio.reader import read_draft
from docxio.writer import write_consolidated
from tests import writer_support as round_
from tests.lodoc import make_many
from tests.test_compilation import changes, edit_document

pytestmark = pytest.mark.libreoffice

NOW = datetime(2027, 2, 13, 9, 30, tzinfo=timezone.utc)
LATER = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
REGISTRY = Registry([Delegation(name) for name in (
    "Egypt", "Singapore", "Turkey", "China", "Iran", "Venezuela", "Mexico", "United States", "European Union")])
NEW_PARAGRAPH = "Noting the role of online marketplaces,"


def hand_edited(compilation: bytes) -> bytes:
    """What an officer does in Word before circulating: a status line typed under PP3, Egypt
    added to Singapore's attribution, a word fixed in OP1 ("upon" -> "on")."""
    def edit(root):
        body = root.find(qn("w:body"))
        pp3 = next(p for p in body.findall(qn("w:p")) if "".join(t.text for t in p.iter(qn("w:t"))).startswith("PP3."))
        status = etree.Element(qn("w:p"))
        etree.SubElement(etree.SubElement(status, qn("w:r")), qn("w:t")).text = "[PP3 agreed ad ref]"
        pp3.addnext(status)
        attribution = next(t for t in body.iter(qn("w:t")) if t.text == " (Singapore)")
        attribution.text = " (Singapore, Egypt)"
        word = next(t for t in body.iter(qn("w:t")) if t.text and "Calls upon" in t.text)
        word.text = word.text.replace("Calls upon", "Calls on")

    return edit_document(compilation, edit)


def index_of(draft: Draft, start: str) -> int:
    """The body index of the paragraph whose text starts with ``start`` (as LibreOffice counts)."""
    return next(i for i, p in enumerate(draft.body()) if p.current.startswith(start))


def iran_edits(base: Draft) -> list[dict]:
    """Iran's markup: a word in agreed PP2, a word in OP1, a new paragraph after PP2's status."""
    status = index_of(base, "[PP2 ")
    return [
        {"op": "insert", "para": index_of(base, "PP2."), "before": "criminal", "text": "organized "},
        {"op": "insert", "para": index_of(base, "Calls "), "after": "cooperate", "text": " closely"},
        {"op": "insert_paragraph", "after": status, "text": NEW_PARAGRAPH, "numbered": False},
    ]


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, tuple[Path, Path, Path]]:
    """Round 2 bases (compilation, hand-edited compilation, tracked) and, for each, Iran's and
    Singapore's submissions made on it with LibreOffice."""
    folder = tmp_path_factory.mktemp("next-round")
    written = {
        "compilation": write_consolidated(round_.base_docx(), round_.consolidation(), now=NOW),
        "tracked": write_consolidated(round_.base_docx(), round_.consolidation(), mode="tracked", now=NOW),
    }
    written["hand-edited"] = hand_edited(written["compilation"])
    specs, found = [], {}
    for name, data in written.items():
        base = folder / f"round 2 base ({name}).docx"
        base.write_bytes(data)
        edits = iran_edits(read_draft(base))
        iran, singapore = folder / f"iran on {name}.docx", folder / f"singapore on {name}.docx"
        specs.append(({"base": str(base), "author": "Iran", "track": True, "edits": edits}, iran))
        specs.append(({"base": str(base), "author": "Singapore", "track": True, "edits": []}, singapore))
        mexico = folder / f"mexico on {name}.docx"  # deletes what Singapore proposed in round 1
        specs.append(({"base": str(base), "author": "Mexico", "track": True, "edits": [
            {"op": "delete", "para": index_of(read_draft(base), "PP2."), "find": " and abuse"}]}, mexico))
        found[name] = (base, iran, singapore)
    make_many(specs)
    return found


def round_two(files: tuple[Path, Path, Path], statuses: dict[str, str] | None = None,
              status_times: dict[str, str] | None = None):
    base, iran, singapore = files
    return consolidate(read_draft(base), [
        Submission(read_draft(iran), iran.name, "Iran", "2027-02-20T10:00:00+00:00"),
        Submission(read_draft(singapore), singapore.name, "Singapore", "2027-02-20T11:00:00+00:00"),
    ], REGISTRY, statuses, status_times=status_times)


def proposals(result) -> list[tuple[str, str, str, list[str]]]:
    return [(p.id, q.kind, q.inserted, q.delegations) for p in result.paragraphs for q in p.proposals]


# --- reading round 2 ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["compilation", "hand-edited", "tracked"])
def test_delegates_are_credited_with_exactly_what_they_change(bases, name):
    result = round_two(bases[name])
    assert proposals(result) == [
        ("PP2", "insert", " organized", ["Iran"]),
        ("PP2 ter", "new_paragraph", NEW_PARAGRAPH, ["Iran"]),
        ("OP1", "insert", " closely", ["Iran"]),
    ]
    new = result.paragraph("PP2 ter")
    assert new.new and new.after == "PP2"  # named after PP2, not after its status line
    # Status lines are not paragraphs a delegation negotiates (nor one leaving them alone proposes).
    assert not [p.id for p in result.paragraphs if p.base_text.startswith("[")]
    assert [(s.delegation, s.proposals) for s in result.submissions] == [("Iran", 3), ("Singapore", 0)]


@pytest.mark.parametrize("name", ["compilation", "hand-edited", "tracked"])
def test_statuses_in_the_base_are_the_round_s_and_reopening_an_agreed_paragraph_is_flagged(bases, name):
    result = round_two(bases[name])
    expected = {"PP2": "agreed in informals"} | ({"PP3": "agreed ad ref"} if name == "hand-edited" else {})
    assert {p.id: p.status for p in result.paragraphs if p.status} == expected
    iran = result.submissions[0]
    assert "reopens PP2, agreed in informals" in iran.warnings
    assert not any("reopens" in w for w in result.submissions[1].warnings)
    assert f"{iran.file}: reopens PP2, agreed in informals" in result.warnings


def test_a_status_the_secretariat_sets_or_clears_wins_over_the_base_s(bases):
    result = round_two(bases["hand-edited"], {"PP2": "pending consultations", "PP3": ""})
    assert {p.id: p.status for p in result.paragraphs if p.status} == {"PP2": "pending consultations"}
    assert not any("reopens" in w for w in result.warnings)


def test_a_paragraph_agreed_during_the_round_is_reopened_only_by_files_arriving_after(bases):
    statuses = {"OP1": "agreed ad ref"}
    before = round_two(bases["compilation"], statuses, {"OP1": "2027-02-20T09:00:00+00:00"})
    assert "reopens OP1, agreed ad ref" in before.submissions[0].warnings
    after = round_two(bases["compilation"], statuses, {"OP1": "2027-02-20T10:30:00+00:00"})
    assert not any("OP1" in w for w in after.submissions[0].warnings)
    # Set with no time (after the merge, on what was proposed): nobody reopened it.
    assert not any("OP1" in w for w in round_two(bases["compilation"], statuses).warnings)
    # "pending" is not agreed.
    pending = round_two(bases["compilation"], {"OP1": "pending"}, {"OP1": "2027-02-20T09:00:00+00:00"})
    assert not any("OP1" in w for w in pending.warnings)


@pytest.mark.parametrize("name", ["compilation", "hand-edited", "tracked"])
def test_deleting_a_round_1_proposal_is_a_delete_stance_on_it(bases, name):
    base = bases[name][0]
    mexico = base.parent / f"mexico on {name}.docx"
    result = consolidate(read_draft(base), [Submission(read_draft(mexico), mexico.name, "Mexico")], REGISTRY)
    pp2 = result.paragraph("PP2")
    assert pp2.proposals == []
    attribution = {"compilation": " (Singapore)", "hand-edited": " (Singapore, Egypt)", "tracked": ""}[name]
    assert [(s.stance, s.anchor, s.delegations) for s in pp2.stances] == [
        ("delete", " and abuse" + attribution, ["Mexico"])]
    if name == "tracked":
        return
    # Written after the attribution, the note leaves Singapore's proposal readable.
    written = read_draft(write_consolidated(base, result, now=LATER), "round 2.docx")
    pp2_text = next(p.current for p in written.body() if p.current.startswith("PP2."))
    assert f"misuse and abuse{attribution} (delete: Mexico) by" in pp2_text
    assert ("insert", attribution[2:-1], " and abuse") in tracked_changes(written)["PP2. Recognizing"]


# --- writing round 2 ---------------------------------------------------------------------------

def rendered(files, mode: str, statuses=None, base_changes: str = "accept") -> Draft:
    data = write_consolidated(files[0], round_two(files, statuses), mode=mode, now=LATER, base_changes=base_changes)
    return read_draft(data, f"round 2 {mode}.docx")


def status_lines(draft: Draft) -> list[str]:
    return sorted(p.current for p in draft.body() if p.current.startswith("["))


def tracked_changes(draft: Draft) -> dict[str, list[tuple[str, str, str]]]:
    """Changes per paragraph (first two words) of a compilation read back as tracked changes."""
    return {" ".join(p.current.split()[:2]): changes(p) for p in compilation_to_tracked(draft).body() if changes(p)}


@pytest.mark.parametrize("name", ["compilation", "hand-edited"])
def test_the_compilation_of_round_2_keeps_round_1_s_proposals_and_adds_the_new_ones(bases, name):
    draft = rendered(bases[name], "compilation")
    assert not any(p.revisions for p in draft.body())
    singapore = "Singapore, Egypt" if name == "hand-edited" else "Singapore"
    found = tracked_changes(draft)
    assert found["PP2. Recognizing"] == [("insert", singapore, " and abuse"), ("insert", "Iran", " organized"),
                                         ("delete", "Egypt, Singapore", "illicit ")]
    assert found["PP2 ter."] == [("insert", "Iran", "PP2 ter. "), ("insert", "Iran", NEW_PARAGRAPH)]
    assert ("insert", "Iran", " closely") in found["Calls on" if name == "hand-edited" else "Calls upon"]
    assert found["PP3. Acknowledging"][:2] == [("delete", "Mexico", "Noting"), ("insert", "Mexico", "Acknowledging")]
    expected = ["[PP2 agreed in informals]"] + (["[PP3 agreed ad ref]"] if name == "hand-edited" else [])
    assert status_lines(draft) == expected  # each once, not written a second time
    texts = [p.current for p in draft.body()]
    assert texts.index("[PP2 agreed in informals]") == texts.index(next(t for t in texts if t.startswith("PP2."))) + 1


def test_a_status_changed_for_round_2_replaces_the_line_in_the_base(bases):
    draft = rendered(bases["hand-edited"], "compilation", {"PP2": "agreed ad ref", "PP3": ""})
    assert status_lines(draft) == ["[PP2 agreed ad ref]"]
    assert statuses_of(draft) == {"PP2": "agreed ad ref"}


def test_whole_draft_stances_of_round_2_extend_round_1_s_line_under_the_title(bases):
    result = round_two(bases["compilation"])
    assert not [p.id for p in result.paragraphs if p.base_text.startswith("(Reservation")]
    result.stances = [Stance("reservation", delegations=["European Union", "United States"]),  # restated
                      Stance("reservation", delegations=["Iran"])]
    data = write_consolidated(bases["compilation"][0], result, now=LATER)
    texts = [p.current for p in read_draft(data, "round 2.docx").body()]
    assert [t for t in texts if t.startswith("(")] == [
        "(Reservation on the resolution: European Union, United States) (Reservation on the resolution: Iran)"]
    assert texts.index(round_.TITLE) + 1 == texts.index(next(t for t in texts if t.startswith("(")))


def test_the_tracked_draft_of_a_compilation_base_tracks_only_round_2(bases):
    draft = rendered(bases["compilation"], "tracked")
    revisions = [(r.type, r.author, r.text) for p in draft.body() for r in p.revisions if r.text]
    assert sorted(revisions) == sorted([("insert", "Iran", " organized"), ("insert", "Iran", " closely"),
                                        ("insert", "Iran", f"PP2 ter. {NEW_PARAGRAPH}")])
    pp2 = next(p for p in draft.body() if p.current.startswith("PP2."))
    assert " and abuse (Singapore) by organized criminal" in pp2.current  # round 1 still attributed
    assert status_lines(draft) == ["[PP2 agreed in informals]"]


def test_a_tracked_base_s_changes_are_compilation_markup_with_their_authors(bases):
    draft = rendered(bases["tracked"], "compilation", base_changes="show")
    assert not any(p.revisions for p in draft.body())
    found = tracked_changes(draft)
    assert found["PP1. Concerned"] == [("delete", "Egypt, Turkey, China", "drugs"), ("insert", "Egypt", "substances"),
                                       ("insert", "Turkey, China", "narcotics")]
    assert found["PP2. Recognizing"] == [("insert", "Singapore", " and abuse"), ("insert", "Iran", " organized"),
                                         ("delete", "Egypt, Singapore", "illicit ")]
    assert found["PP2 bis."] == [("insert", "Iran, Venezuela", "PP2 bis. Taking into account the challenges "
                                  "of Member States,")]
    assert found["PP3. Acknowledging"] == [("delete", "Mexico", "Noting"), ("insert", "Mexico", "Acknowledging"),
                                           ("insert", "Chair", " of the "), ("delete", "United States", "Secretary-General")]
    assert found[""] == [("delete", "United States", round_.OP2)]
    assert status_lines(draft) == ["[PP2 agreed in informals]"]


def test_new_proposals_next_to_a_tracked_base_s_changes_keep_each_attribution(bases):
    # Round 2 proposals right after Singapore's round 1 insertion and right after Egypt and
    # Singapore's round 1 deletion (the writer's input, as the consolidation would give it).
    result = round_two(bases["tracked"])
    pp2 = result.paragraph("PP2")
    end_of_abuse = pp2.base_text.index(" and abuse") + len(" and abuse")
    pp2.proposals += [Proposal("insert", inserted=" and exploitation", at=end_of_abuse, delegations=["Turkey"]),
                      Proposal("delete", deleted="trafficking", at=pp2.base_text.rindex("trafficking"),
                               delegations=["China"])]
    pp2.proposals.sort(key=lambda p: p.at)
    draft = read_draft(write_consolidated(bases["tracked"][0], result, now=LATER, base_changes="show"), "r2.docx")
    assert tracked_changes(draft)["PP2. Recognizing"] == [
        ("insert", "Singapore", " and abuse"), ("insert", "Turkey", " and exploitation"), ("insert", "Iran", " organized"),
        ("delete", "Egypt, Singapore", "illicit "), ("delete", "China", "trafficking")]


def test_a_tracked_base_s_changes_stay_tracked_in_the_tracked_draft(bases):
    draft = rendered(bases["tracked"], "tracked")
    authors = {r.author for p in draft.body() for r in p.revisions if r.text}
    assert {"Singapore", "Egypt, Singapore", "Mexico", "United States", "Iran"} <= authors
    assert status_lines(draft) == ["[PP2 agreed in informals]"]


# --- the sample round (13 real-looking submissions) ----------------------------------------------

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_the_sample_round_s_renderings_resaved_unchanged_credit_nobody(tmp_path):
    import json

    from docxio.delegations import load_registry

    if not (SAMPLES / "manifest.json").exists():
        pytest.fail("samples/ is incomplete: run `make samples` to build the sample round")
    registry = load_registry(SAMPLES / "delegations.csv")
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    subs = [Submission(read_draft(SAMPLES / "submissions" / m["file"]), m["file"], m["delegation"], m["arrived"])
            for m in manifest]
    round_one = consolidate(read_draft(SAMPLES / "base.docx"), subs, registry, {"PP2": "agreed in informals"})
    specs = []
    for mode in ("compilation", "tracked"):
        base = tmp_path / f"round 2 base ({mode}).docx"
        write_consolidated(SAMPLES / "base.docx", round_one, base, mode=mode, now=NOW)
        specs.append(({"base": str(base), "author": "Mexico", "track": True, "edits": []}, tmp_path / f"mexico {mode}.docx"))
    make_many(specs)
    for mode in ("compilation", "tracked"):
        base = read_draft(tmp_path / f"round 2 base ({mode}).docx")
        result = consolidate(base, [Submission(read_draft(tmp_path / f"mexico {mode}.docx"), "mexico.docx", "Mexico")],
                             registry)
        assert proposals(result) == [] and [p.stances for p in result.paragraphs if p.stances] == [], mode
        assert {p.id: p.status for p in result.paragraphs if p.status} == {"PP2": "agreed in informals"}
        written = read_draft(write_consolidated(tmp_path / f"round 2 base ({mode}).docx", result, now=LATER,
                                                base_changes="show"), "round 2.docx")
        assert status_lines(written) == ["[PP2 agreed in informals]"]
        # Every round 1 proposal is still there with its delegations (as round 1's compilation
        # text shows it; a new paragraph's identifier may be part of its inserted text).
        shown = {(r.type, r.author, r.text) for p in compilation_to_tracked(written).body() for r in p.revisions}
        round_one_text = read_draft(write_consolidated(SAMPLES / "base.docx", round_one, now=NOW), "round 1.docx")
        expected = {(r.type, r.author, r.text) for p in compilation_to_tracked(round_one_text).body()
                    for r in p.revisions if r.text}
        missing = [e for e in expected if not any(s[:2] == e[:2] and e[2] in s[2] for s in shown)]
        assert len(expected) > 20 and missing == [], mode
