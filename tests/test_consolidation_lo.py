"""Consolidation of real .docx files recorded by LibreOffice under each delegate's author name:
each proposal kind, each attribution path, identical merging, conflict groups, untracked edits,
comments, a round-2 base that is an earlier round's tracked draft, and determinism."""
from __future__ import annotations

import random

import pytest

from docxio.consolidation import Submission, consolidate
from docxio.delegations import parse_registry
from docxio.reader import read_draft
from tests.lodoc import make_many

pytestmark = pytest.mark.libreoffice

REGISTRY = parse_registry(
    "delegation,aliases,emails\n"
    "Egypt,Ahmed Hassan;Delegation of Egypt,@mfa.gov.eg\n"
    "Singapore,Tan Wei Ling,@mfa.gov.sg\n"
    "Mexico,Lucia Perez,\n"
    "Iran,Reza Tehrani,\n"
    "Cuba,Delegación de Cuba,\n"
    "South Africa,,@dirco.gov.za\n"
)

PARAGRAPHS = [
    "Strengthening international cooperation against illicit drug trafficking",
    "The Commission on Narcotic Drugs,",
    "PP1. Concerned about trafficking in drugs through information technologies,",
    "PP2. Recognizing the misuse by criminal organizations of payment systems,",
    "PP3. Recalling its resolution 64/1,",
    {"text": "Urges Member States to cooperate;", "list_level": 0},
    {"text": "Invites the Office to assist Member States;", "list_level": 0},
    {"text": "Requests the Executive Director to report.", "list_level": 0},
]
DATE = "2027-02-10T09:30:00Z"


def _spec(base, author, edits, track=True):
    return {"base": str(base), "author": author, "track": track, "date": DATE, "edits": edits}


@pytest.fixture(scope="module")
def round_files(tmp_path_factory):
    """The base, a round-2 base (round 1's tracked proposals by "Egypt, Singapore") and the
    submissions, built with one LibreOffice start."""
    d = tmp_path_factory.mktemp("round")
    base, base2 = d / "base.docx", d / "base2.docx"
    jobs = [
        ({"paragraphs": PARAGRAPHS, "date": "2027-02-01T09:00:00Z"}, base),
        (_spec(base, "Ahmed Hassan", [
            {"op": "insert", "para": 2, "before": "trafficking", "text": "illicit "},
            {"op": "comment", "para": 4, "find": "resolution 64/1", "text": "Retain"},
            {"op": "footnote", "para": 3, "after": "payment systems", "text": "Including virtual currencies."},
        ]), d / "egypt.docx"),
        (_spec(base, "Tan Wei Ling", [{"op": "insert", "para": 2, "before": "trafficking", "text": "illicit "}]),
         d / "singapore.docx"),
        (_spec(base, "Lucia Perez", [
            {"op": "replace", "para": 3, "find": "criminal organizations", "text": "organized criminal groups"},
            {"op": "insert_paragraph", "after": 4, "text": "PP3 bis. Noting the darknet,", "numbered": False},
        ]), d / "mexico.docx"),
        (_spec(base, "User", [{"op": "delete", "para": 3, "find": "criminal "}]), d / "iran.docx"),
        (_spec(base, "Thabo", [{"op": "replace", "para": 5, "find": "cooperate", "text": "cooperate closely"}],
               track=False), d / "za.docx"),
        (_spec(base, "Ahmed Hassan", [
            {"op": "insert", "para": 7, "before": "report", "text": "annually "},
            {"op": "author", "name": "Tan Wei Ling"},
            {"op": "delete_paragraph", "para": 6},
        ]), d / "joint.docx"),
        (_spec(base, "J. Smith", [{"op": "insert", "para": 4, "end": True, "text": " of 12 April 2021"}]),
         d / "anonymous.docx"),
        (_spec(base, "Delegación de Cuba", [
            {"op": "comment", "para": 0, "find": "Strengthening", "text": "Reservation on the resolution"},
            {"op": "comment", "para": 5, "find": "cooperate", "text": "We can be flexible"},
        ]), d / "cuba.docx"),
        (_spec(base, "Ahmed Hassan", [{"op": "split", "para": 2, "before": "through information"},
                                      # paragraph 6 once the split made two of PP1: OP1
                                      {"op": "join", "para": 6}]), d / "split_join.docx"),
        (_spec(base, "Egypt, Singapore", [{"op": "insert", "para": 2, "before": "trafficking", "text": "illicit "}]),
         base2),
        (_spec(base2, "Lucia Perez", [{"op": "insert", "para": 3, "after": "misuse", "text": " and abuse"}]),
         d / "round2_mexico.docx"),
        (_spec(base2, "Reza Tehrani", [{"op": "comment", "para": 4, "find": "64/1", "text": "consult capital"}]),
         d / "round2_iran.docx"),
    ]
    make_many(jobs)
    return d


def _sub(d, name, delegation=None):
    return Submission(read_draft(d / name), name, delegation)


@pytest.fixture(scope="module")
def round_one(round_files):
    d = round_files
    subs = [_sub(d, "egypt.docx"), _sub(d, "singapore.docx"), _sub(d, "mexico.docx"),
            _sub(d, "iran.docx", "Iran"), _sub(d, "za.docx", "South Africa"), _sub(d, "joint.docx"),
            _sub(d, "anonymous.docx"), _sub(d, "cuba.docx")]
    return read_draft(d / "base.docx"), subs


def _paragraph(consolidation, start):
    found = [p for p in consolidation.paragraphs if (p.base_text or p.proposals[0].inserted).startswith(start)]
    assert len(found) == 1, f"one paragraph starting {start!r}: {[p.id for p in found]}"
    return found[0]


def _proposals(consolidation, start):
    return [(p.kind, p.deleted, p.inserted, p.delegations, p.tracked, p.group)
            for p in _paragraph(consolidation, start).proposals]


def test_identical_insertion_from_two_delegations_is_one_proposal(round_one):
    result = consolidate(*round_one, REGISTRY)
    assert _proposals(result, "PP1.") == [("insert", "", " illicit", ["Egypt", "Singapore"], True, None)]
    pp1 = _paragraph(result, "PP1.")
    at = pp1.proposals[0].at
    assert pp1.base_text[:at] == "PP1. Concerned about"


def test_overlapping_changes_are_a_conflict_group_and_registry_fallbacks(round_one):
    result = consolidate(*round_one, REGISTRY)
    pp2 = _paragraph(result, "PP2.")
    kinds = [(p.kind, p.deleted.strip(), p.inserted.strip(), p.delegations) for p in pp2.proposals]
    assert ("replace", "criminal organizations", "organized criminal groups", ["Mexico"]) in kinds
    assert ("delete", "criminal", "", ["Iran"]) in kinds  # author "User", attributed to the sender
    assert ("footnote", "", "Including virtual currencies.", ["Egypt"]) in kinds
    groups = {p.kind: p.group for p in pp2.proposals}
    assert groups["replace"] == groups["delete"] == f"{pp2.id}-1"
    assert groups["footnote"] is None
    iran = next(s for s in result.submissions if s.file == "iran.docx")
    assert "author 'User' is not in the delegation registry — attributed to the sender, Iran" in iran.warnings


def test_new_paragraph_with_typed_identifier(round_one):
    result = consolidate(*round_one, REGISTRY)
    new = [p for p in result.paragraphs if p.new]
    assert [(p.id, p.proposals[0].inserted, p.proposals[0].delegations) for p in new] == [
        ("PP3 bis", "Noting the darknet,", ["Mexico"])]
    pp3 = _paragraph(result, "PP3.")
    assert new[0].after == pp3.id
    assert result.paragraphs.index(new[0]) == result.paragraphs.index(pp3) + 1


def test_untracked_edit_is_heard_and_flagged(round_one):
    result = consolidate(*round_one, REGISTRY)
    edits = _proposals(result, "Urges")
    assert [(k, d.strip(), i.strip(), who, tracked) for k, d, i, who, tracked, _ in edits] == [
        ("insert", "", "closely", ["South Africa"], False)]
    za = next(s for s in result.submissions if s.file == "za.docx")
    assert za.tracked is False and za.warnings[0] == "1 edit was made without Track Changes"


def test_joint_file_credits_each_author(round_one):
    result = consolidate(*round_one, REGISTRY)
    assert _proposals(result, "Requests") == [("insert", "", " annually", ["Egypt"], True, None)]
    assert _proposals(result, "Invites") == [
        ("delete_paragraph", "Invites the Office to assist Member States;", "", ["Singapore"], True, None)]


def test_unknown_author_is_unattributed_with_a_warning(round_one):
    result = consolidate(*round_one, REGISTRY)
    props = _paragraph(result, "PP3.").proposals
    assert [(p.kind, p.inserted, p.delegations) for p in props] == [("insert", " of 12 April 2021", [])]
    anonymous = next(s for s in result.submissions if s.file == "anonymous.docx")
    assert any("'J. Smith'" in w and "unattributed" in w for w in anonymous.warnings)


def test_comments_become_stances_on_passages_and_the_whole_draft(round_one):
    result = consolidate(*round_one, REGISTRY)
    assert [(s.stance, s.delegations) for s in result.stances] == [("reservation", ["Cuba"])]
    assert [(s.stance, s.anchor, s.delegations) for s in _paragraph(result, "Urges").stances] == [
        ("flexible", "cooperate", ["Cuba"])]
    assert [(s.stance, s.anchor, s.delegations) for s in _paragraph(result, "PP3.").stances] == [
        ("retain", "resolution 64/1", ["Egypt"])]
    cuba = next(s for s in result.submissions if s.file == "cuba.docx")
    assert cuba.proposals == 0 and cuba.tracked


def test_same_files_in_any_order_give_the_same_proposals(round_one):
    base, subs = round_one

    def shape(result):
        return [(p.id, [(q.kind, q.at, q.deleted, q.inserted, sorted(q.delegations), q.group) for q in p.proposals],
                 [(s.stance, s.anchor, sorted(s.delegations)) for s in p.stances]) for p in result.paragraphs]

    expected = shape(consolidate(base, subs, REGISTRY))
    for seed in (1, 2):
        shuffled = subs[:]
        random.Random(seed).shuffle(shuffled)
        assert shape(consolidate(base, shuffled, REGISTRY)) == expected


def test_round_two_credits_only_new_changes(round_files):
    d = round_files
    base2 = read_draft(d / "base2.docx")
    result = consolidate(base2, [_sub(d, "round2_mexico.docx"), _sub(d, "round2_iran.docx")], REGISTRY)
    pp1 = _paragraph(result, "PP1.")
    assert "about illicit trafficking" in pp1.base_text  # round 1's proposal, accepted in base_text
    assert pp1.proposals == []  # ...and proposed again by nobody
    assert _proposals(result, "PP2.") == [("insert", "", " and abuse", ["Mexico"], True, None)]
    assert [(s.stance, s.delegations) for s in _paragraph(result, "PP3.").stances] == [
        ("consult with capital", ["Iran"])]
    assert [s.proposals for s in result.submissions] == [1, 0]


def test_split_and_join_are_kept_as_stances_not_dropped(round_files):
    """A new paragraph mark inside PP1 and a deleted one at the end of OP1 are not text proposals;
    the officer still sees them, as the delegation's note on the paragraph."""
    d = round_files
    result = consolidate(read_draft(d / "base.docx"), [_sub(d, "split_join.docx")], REGISTRY)
    assert all(p.proposals == [] for p in result.paragraphs)
    notes = [(p.base_text[:12], s.stance, s.delegations) for p in result.paragraphs for s in p.stances]
    pp1, op1, op2 = (_paragraph(result, start).id for start in ("PP1.", "Urges", "Invites"))
    assert notes == [("PP1. Concern", f"split {pp1} before \u201cthrough information technologies,\u201d", ["Egypt"]),
                     ("Urges Member", f"join {op1} with {op2}", ["Egypt"])]
    assert result.submissions[0].warnings == []
