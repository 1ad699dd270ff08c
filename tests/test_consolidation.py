"""Consolidation on Draft values, for what LibreOffice cannot record: Word's tracked moves, comment
replies, scrubbed authors, revisions Word re-split on saving. Real LibreOffice documents are in
test_consolidation_lo.py."""
from __future__ import annotations

import random

from docxio.consolidation import Submission, consolidate
from docxio.delegations import parse_registry
from docxio.model import Comment, Draft, Paragraph, Revision, Span
from docxio.report import report_json

REGISTRY = parse_registry(
    "delegation,aliases,emails\n"
    "Egypt,Ahmed Hassan;EGY,@mfa.gov.eg\n"
    "Singapore,Tan Wei Ling,@mfa.gov.sg\n"
    "Mexico,Lucia Perez,\n"
    "Iran,Reza,\n"
)
DATE = "2027-02-10T09:30:00Z"
BASE_TEXTS = [
    ("PP1", "PP1. Concerned about trafficking in drugs through information technologies,"),
    ("PP2", "PP2. Recognizing the misuse by criminal organizations of payment systems,"),
    ("PP3", "PP3. Recalling its resolution 64/1,"),
    ("OP1", "Urges Member States to cooperate;"),
    ("OP2", "Invites the Office to assist;"),
]


def ins(text: str, author: str, rid: str = "1", date: str = DATE, kind: str = "insert", move: str | None = None) -> Span:
    return Span(text, inserted=Revision(kind, author, date, rid, text, move))


def dele(text: str, author: str, rid: str = "2", date: str = DATE, kind: str = "delete", move: str | None = None) -> Span:
    return Span(text, deleted=Revision(kind, author, date, rid, text, move))


def para(index: int, *spans, pid: str = "", comments: tuple[str, ...] = ()) -> Paragraph:
    spans = tuple(s if isinstance(s, Span) else Span(s, comment_ids=comments) for s in spans)
    return Paragraph(index=index, story="body", spans=spans, id=pid or f"P{index}",
                     id_source="typed" if pid.startswith("PP") else ("numbering" if pid else "structural"))


def base_draft(texts=BASE_TEXTS) -> Draft:
    return Draft("base.docx", "test", tuple(para(i, t, pid=p) for i, (p, t) in enumerate(texts)))


def submission(name: str, paragraphs, comments=(), delegation=None, arrived=None) -> Submission:
    draft = Draft(name, "test", tuple(paragraphs), tuple(comments))
    return Submission(draft, name, delegation, arrived)


def unchanged(*skip: int):
    return [para(i, t, pid=p) for i, (p, t) in enumerate(BASE_TEXTS) if i not in skip]


def proposals(consolidation, pid):
    return [(p.kind, p.at, p.deleted, p.inserted, p.delegations, p.tracked, p.group)
            for p in consolidation.paragraph(pid).proposals]


def test_identical_insertions_merge_in_arrival_order():
    text = BASE_TEXTS[0][1]
    at = text.index("trafficking")
    edited = lambda author, rid: para(0, text[:at], ins("illicit ", author, rid), text[at:], pid="PP1")
    subs = [
        submission("sg.docx", [edited("Tan Wei Ling", "7"), *unchanged(0)[0:0], *unchanged(0)], arrived="2027-02-10T10:00"),
        submission("eg.docx", [edited("Ahmed Hassan", "3"), *unchanged(0)], arrived="2027-02-10T09:00"),
    ]
    result = consolidate(base_draft(), subs, REGISTRY)
    assert proposals(result, "PP1") == [("insert", at - 1, "", " illicit", ["Egypt", "Singapore"], True, None)]
    sources = result.paragraph("PP1").proposals[0].sources
    assert [(s.file, s.revision_id) for s in sources] == [("eg.docx", "3"), ("sg.docx", "7")]


def test_word_move_is_one_move_proposal():
    """Word records a moved paragraph as moveFrom + moveTo paired by name: one move, not a
    deletion and a new paragraph."""
    op1, op2 = BASE_TEXTS[3][1], BASE_TEXTS[4][1]
    paragraphs = [*unchanged(3, 4)[:3],
                  para(3, dele(op1, "Lucia Perez", "5", kind="move_from", move="m1"), pid="OP1"),
                  para(4, op2, pid="OP1"),
                  para(5, ins(op1, "Lucia Perez", "6", kind="move_to", move="m1"))]
    result = consolidate(base_draft(), [submission("mx.docx", paragraphs)], REGISTRY)
    move = result.paragraph("OP1").proposals
    assert [(p.kind, p.moved_to, p.delegations, p.tracked) for p in move] == [("move", "OP2", ["Mexico"], True)]
    assert not any(p.new for p in result.paragraphs)
    assert result.paragraph("OP2").proposals == []


def test_untracked_move_is_detected_from_order():
    op1, op2 = BASE_TEXTS[3][1], BASE_TEXTS[4][1]
    paragraphs = [*unchanged(3, 4), para(3, op2, pid="OP1"), para(4, op1, pid="OP2")]
    result = consolidate(base_draft(), [submission("mx.docx", paragraphs, delegation="Mexico")], REGISTRY)
    moved = [(p.id, q.kind, q.moved_to, q.tracked) for p in result.paragraphs for q in p.proposals]
    assert moved == [("OP2", "move", "PP3", False)] or moved == [("OP1", "move", "OP2", False)]
    assert result.submissions[0].warnings[0] == "1 edit was made without Track Changes"


def test_reply_comment_takes_the_parent_anchor_and_its_own_author():
    paragraphs = [para(0, BASE_TEXTS[0][1][:21], Span("trafficking", comment_ids=("1", "2")),
                       BASE_TEXTS[0][1][32:], pid="PP1"), *unchanged(0)]
    comments = [Comment("1", "Ahmed Hassan", "AH", DATE, "Retain", anchor="trafficking", paragraphs=(0,)),
                Comment("2", "Tan Wei Ling", "TW", DATE, "We can be flexible", paragraphs=(0,), parent="1")]
    result = consolidate(base_draft(), [submission("joint.docx", paragraphs, comments)], REGISTRY)
    stances = [(s.stance, s.anchor, s.delegations) for s in result.paragraph("PP1").stances]
    assert stances == [("flexible", "trafficking", ["Singapore"]), ("retain", "trafficking", ["Egypt"])]


def test_scrubbed_author_goes_to_the_submitting_delegation_with_a_warning():
    text = BASE_TEXTS[1][1]
    at = text.index("misuse") + len("misuse")
    paragraphs = [*unchanged(1)[:1], para(1, text[:at], ins(" and abuse", "Author", date=None), text[at:], pid="PP2"),
                  *unchanged(0, 1)]
    result = consolidate(base_draft(), [submission("iran.docx", paragraphs, delegation="Iran")], REGISTRY)
    assert proposals(result, "PP2") == [("insert", at, "", " and abuse", ["Iran"], True, None)]
    assert "author 'Author' is not in the delegation registry — attributed to the sender, Iran" in result.submissions[0].warnings


def test_unknown_author_without_sender_is_unattributed_not_guessed():
    text = BASE_TEXTS[1][1]
    at = text.index("misuse") + len("misuse")
    paragraphs = [*unchanged(1)[:1], para(1, text[:at], ins(" and abuse", "J. Smith"), text[at:], pid="PP2"),
                  *unchanged(0, 1)]
    result = consolidate(base_draft(), [submission("unknown.docx", paragraphs)], REGISTRY)
    assert proposals(result, "PP2") == [("insert", at, "", " and abuse", [], True, None)]
    assert result.paragraph("PP2").proposals[0].unattributed == ["J. Smith"]
    assert any("'J. Smith'" in w and "unattributed" in w for w in result.warnings)


def test_earlier_round_revisions_split_by_word_are_not_proposed_again():
    """A round-2 base holds round 1's tracked insertion; Word re-saved the submission and split that
    insertion in two elements. Neither half is the submitter's proposal."""
    text = BASE_TEXTS[0][1]
    at = text.index("trafficking")
    old = Revision("insert", "Egypt, Singapore", "2027-01-05T10:00:00Z", "11", "illicit drug ")
    base = Draft("round2.docx", "test", (para(0, text[:at], Span("illicit drug ", inserted=old), text[at:], pid="PP1"),
                                         *[para(i, t, pid=p) for i, (p, t) in enumerate(BASE_TEXTS) if i]))
    half1 = Revision("insert", "Egypt, Singapore", "2027-01-05T10:00:00Z", "90", "illicit ")
    half2 = Revision("insert", "Egypt, Singapore", "2027-01-05T10:00:00Z", "91", "drug ")
    sub = [para(0, text[:at], Span("illicit ", inserted=half1), Span("drug ", inserted=half2), text[at:], pid="PP1"),
           *unchanged(0)]
    result = consolidate(base, [submission("mx.docx", sub, delegation="Mexico")], REGISTRY)
    assert result.paragraph("PP1").base_text == text[:at] + "illicit drug " + text[at:]
    assert all(p.proposals == [] for p in result.paragraphs)
    assert result.submissions[0].warnings == ["no changes and no comments found"]


def test_deleting_an_earlier_round_insertion_is_a_delete_stance():
    text = BASE_TEXTS[0][1]
    at = text.index("trafficking")
    old = Revision("insert", "Egypt", "2027-01-05T10:00:00Z", "11", "illicit ")
    base = Draft("round2.docx", "test", (para(0, text[:at], Span("illicit ", inserted=old), text[at:], pid="PP1"),))
    deleted = Span("illicit ", inserted=old, deleted=Revision("delete", "Reza", DATE, "40", "illicit "))
    result = consolidate(base, [submission("ir.docx", [para(0, text[:at], deleted, text[at:], pid="PP1")])], REGISTRY)
    paragraph = result.paragraph("PP1")
    assert paragraph.proposals == []
    assert [(s.stance, s.anchor, s.delegations) for s in paragraph.stances] == [("delete", "illicit ", ["Iran"])]


def test_conflicting_replacements_are_alternatives_of_one_group():
    text = BASE_TEXTS[1][1]
    start = text.index("criminal organizations")
    end = start + len("criminal organizations")
    mx = para(1, text[:start], dele("criminal organizations", "Lucia Perez"), ins("organized criminal groups", "Lucia Perez"),
              text[end:], pid="PP2")
    ir = para(1, text[:start], dele("criminal ", "Reza"), "organizations", text[end:], pid="PP2")
    eg = para(1, text[:end], ins(" and networks", "Ahmed Hassan"), text[end:], pid="PP2")
    subs = [submission(f"{n}.docx", [*unchanged(1)[:1], p, *unchanged(0, 1)]) for n, p in (("mx", mx), ("ir", ir), ("eg", eg))]
    result = consolidate(base_draft(), subs, REGISTRY)
    assert proposals(result, "PP2") == [
        # a deletion is written with its space first: " criminal" (see wordiff.canonical)
        ("delete", start - 1, " criminal", "", ["Iran"], True, "PP2-1"),
        ("replace", start, "criminal organizations", "organized criminal groups", ["Mexico"], True, "PP2-1"),
        ("insert", end, "", " and networks", ["Egypt"], True, None),  # touches the end, does not overlap
    ]


def test_same_inputs_in_any_order_give_the_same_proposals():
    text = BASE_TEXTS[1][1]
    start = text.index("misuse")
    subs = []
    for n, (author, word) in enumerate([("Lucia Perez", "use"), ("Reza", "abuse"), ("Ahmed Hassan", "abuse"),
                                         ("Tan Wei Ling", "exploitation")]):
        p = para(1, text[:start], dele("misuse", author, str(n)), ins(word, author, str(n + 10)), text[start + 6:], pid="PP2")
        subs.append(submission(f"s{n}.docx", [*unchanged(1)[:1], p, *unchanged(0, 1)], arrived=f"2027-02-1{n}"))
    expected = report_json(consolidate(base_draft(), subs, REGISTRY))
    for seed in range(5):
        shuffled = subs[:]
        random.Random(seed).shuffle(shuffled)
        assert report_json(consolidate(base_draft(), shuffled, REGISTRY)) == expected
    texts = [(p["inserted"], p["delegations"], p["group"]) for p in expected["paragraphs"][1]["proposals"]]
    assert texts == [("abuse", ["Iran", "Egypt"], "PP2-1"), ("exploitation", ["Singapore"], "PP2-1"),
                     ("use", ["Mexico"], "PP2-1")]


def test_statuses_are_copied_to_their_paragraphs():
    result = consolidate(base_draft(), [], REGISTRY, {"PP2": "PP2 agreed in informals"})
    assert result.paragraph("PP2").status == "PP2 agreed in informals"
    assert result.paragraph("PP1").status is None


def test_two_new_paragraphs_with_the_same_typed_identifier_become_alternatives():
    new = lambda text, author: para(3, ins(text, author))
    subs = [submission("eg.docx", [*unchanged()[:3], new("PP3 bis. Noting the darknet,", "Ahmed Hassan"), *unchanged()[3:]]),
            submission("ir.docx", [*unchanged()[:3], new("PP3 bis. Stressing sovereignty,", "Reza"), *unchanged()[3:]])]
    result = consolidate(base_draft(), subs, REGISTRY)
    new_paragraphs = [(p.id, p.after, p.proposals[0].inserted, p.proposals[0].delegations, p.proposals[0].group)
                      for p in result.paragraphs if p.new]
    assert new_paragraphs == [("PP3 bis", "PP3", "Noting the darknet,", ["Egypt"], "PP3 bis-1"),
                              ("PP3 bis alt", "PP3", "Stressing sovereignty,", ["Iran"], "PP3 bis-1")]


def test_formatting_only_change_is_reported_not_proposed():
    text = BASE_TEXTS[0][1]
    formatted = Paragraph(0, "body", (Span(text, bold=True),), id="PP1", id_source="typed",
                          revisions=(Revision("format", "Ahmed Hassan", DATE, "9"),))
    result = consolidate(base_draft(), [submission("eg.docx", [formatted, *unchanged(0)])], REGISTRY)
    assert all(p.proposals == [] for p in result.paragraphs)
    assert result.submissions[0].warnings == ["1 formatting change (not proposals)"]


def test_same_text_up_to_quotes_and_spaces_is_one_proposal_different_text_is_an_alternative():
    text = BASE_TEXTS[2][1]
    at = text.index(",")
    edited = lambda author, words, rid: para(2, text[:at], ins(words, author, rid), text[at:], pid="PP3")
    subs = [submission("eg.docx", [*unchanged()[:2], edited("Ahmed Hassan", " on “ICT”  crime", "1"), *unchanged()[3:]]),
            submission("sg.docx", [*unchanged()[:2], edited("Tan Wei Ling", ' on "ICT" crime', "2"), *unchanged()[3:]]),
            submission("mx.docx", [*unchanged()[:2], edited("Lucia Perez", " of 12 April 2021", "3"), *unchanged()[3:]])]
    result = consolidate(base_draft(), subs, REGISTRY)
    assert proposals(result, "PP3") == [
        ("insert", at, "", " of 12 April 2021", ["Mexico"], True, "PP3-1"),
        ("insert", at, "", " on “ICT”  crime", ["Egypt", "Singapore"], True, "PP3-1"),
    ]


def test_new_paragraph_without_identifier_gets_the_next_free_ordinal():
    """After OP1 a delegate adds two paragraphs; another adds the first of them too. The first is
    OP1 bis (both delegations), the second OP1 ter, placed after OP1 bis."""
    first, second = "Encourages the exchange of information;", "Calls for regional workshops;"
    eg = [*unchanged()[:4], para(4, ins(first, "Ahmed Hassan", "5")), para(5, ins(second, "Ahmed Hassan", "6")),
          para(6, BASE_TEXTS[4][1], pid="OP2")]
    sg = [*unchanged()[:4], para(4, ins(first, "Tan Wei Ling", "8")), para(5, BASE_TEXTS[4][1], pid="OP2")]
    result = consolidate(base_draft(), [submission("eg.docx", eg), submission("sg.docx", sg)], REGISTRY)
    assert [(p.id, p.after, p.proposals[0].inserted, p.proposals[0].delegations)
            for p in result.paragraphs if p.new] == [
        ("OP1 bis", "OP1", first, ["Egypt", "Singapore"]), ("OP1 ter", "OP1 bis", second, ["Egypt"])]
    assert [p.id for p in result.paragraphs][3:6] == ["OP1", "OP1 bis", "OP1 ter"]


def test_moving_and_deleting_one_paragraph_are_alternatives():
    op1, op2 = BASE_TEXTS[3][1], BASE_TEXTS[4][1]
    moved = [*unchanged(3, 4), para(3, op2, pid="OP1"), para(4, op1, pid="OP2")]
    deleted = [*unchanged(4), para(4, dele(op2, "Reza"), pid="OP2")]
    moved_elsewhere = [*unchanged(3, 4)[:2], para(2, op2, pid="PP3"), para(3, BASE_TEXTS[2][1], pid="OP1"),
                       para(4, op1, pid="OP2")]
    result = consolidate(base_draft(), [submission("mx.docx", moved, delegation="Mexico"),
                                        submission("ir.docx", deleted),
                                        submission("eg.docx", moved_elsewhere, delegation="Egypt")], REGISTRY)
    assert [(p.kind, p.moved_to, p.delegations, p.group) for p in result.paragraph("OP2").proposals] == [
        ("delete_paragraph", None, ["Iran"], "OP2-1"),
        ("move", "PP2", ["Egypt"], "OP2-1"),
        ("move", "PP3", ["Mexico"], "OP2-1"),
    ]


def test_sender_address_names_the_submitting_delegation():
    text = BASE_TEXTS[1][1]
    at = text.index("misuse") + len("misuse")
    paragraphs = [*unchanged(1)[:1], para(1, text[:at], ins(" and abuse", "User"), text[at:], pid="PP2"),
                  *unchanged(0, 1)]
    draft = Draft("mail.docx", "test", tuple(paragraphs))
    result = consolidate(base_draft(), [Submission(draft, "mail.docx", None, None, "desk@mfa.gov.sg")], REGISTRY)
    assert result.submissions[0].delegation == "Singapore"
    assert proposals(result, "PP2") == [("insert", at, "", " and abuse", ["Singapore"], True, None)]
