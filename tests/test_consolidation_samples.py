"""The sample round (samples/, made by samples/generate.py with LibreOffice): the exact proposals,
stances and attributions a secretariat officer must see, one per line of samples/generate.py's
SUBMISSIONS."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from docxio.consolidation import Submission, consolidate
from docxio.delegations import load_registry
from docxio.reader import read_draft

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
IRAN = "Iran (Islamic Republic of)"
VENEZUELA = "Venezuela (Bolivarian Republic of)"
PP3_BIS = ("Taking into account the challenges that some Member States face in countering the misuse of information "
           "and communications technologies for drug trafficking, in particular in acquiring the software, hardware "
           "and equipment needed to handle digital evidence,")
OP9_BIS = ("Requests the United Nations Office on Drugs and Crime to provide specialized technical assistance and "
           "training to requesting States with a view to supporting their efforts in combating the misuse of "
           "information and communications technologies for drug trafficking;")
OP10 = ("Invites Member States and other donors to provide extrabudgetary resources for the purposes described above, "
        "in accordance with the rules and procedures of the United Nations;")
RF_FOOTNOTE = ("Electronic payment systems are linked to a fiat currency, while virtual payment systems can also be "
               "converted into other virtual currencies.")

#: paragraph id -> (kind, words just before, deleted, inserted, delegations, tracked, group)
EXPECTED = {
    "PP1": [
        ("insert", "increase in trafficking in", "", " illicit", ["Chair"], True, None),
        # South Africa worked on round 0: its insertion is placed on the current text
        ("insert", "drugs and precursor chemicals", "", " and precursors", ["South Africa"], True, None),
        ("insert", "the Internet, the darknet,", "", " the deepweb,", ["Turkey"], True, None),
        ("insert", "darknet, social media platforms,", "", " online marketplaces,", ["Pakistan"], False, None),
        ("footnote", "and electronic payment systems", "", RF_FOOTNOTE, ["Russian Federation"], True, None),
    ],
    "PP2": [
        ("insert", "pandemic triggered greater misuse", "", " and abuse", ["Singapore"], True, None),
        ("insert", "and communications technologies for", "", " illicit", ["Egypt", "Singapore", "Cuba"], True, None),
        ("replace", "electronic payment systems for", "drug-related money-laundering",
         "illicit financial flows linked to drug trafficking", ["China"], True, "PP2-1"),
        ("replace", "electronic payment systems for", "drug-related money-laundering",
         "laundering proceeds of drug-related crimes", [IRAN], True, "PP2-1"),
    ],
    "PP3": [("replace", "PP3.", "Recognizing", "Acknowledging", ["Mexico"], True, None)],
    "PP3 bis": [("new_paragraph", "", "", PP3_BIS, ["Turkey"], True, None)],
    "OP1": [("insert", "conducted through the misuse", "", " and abuse", ["Singapore"], True, None)],
    "OP2": [
        ("replace", "", "Urges", "Encourages", ["China"], True, None),
        ("insert", "online resources used for", "", " illicit", ["Egypt"], True, None),
    ],
    "OP5": [("replace", "online payment service providers,", "virtual asset", "digital asset", ["Russian Federation"],
             True, None)],
    "OP7": [("delete", "precursors over the Internet", " and the darknet", "", ["Pakistan"], False, None)],
    "OP8": [
        ("replace", "Crime to conduct, in", "close cooperation", "close consultation", [VENEZUELA], True, None),
        ("insert", "cooperation with Member States,", "", " further", [VENEZUELA], True, None),
    ],
    "OP9": [("insert", "to provide technical assistance", "", " and capacity-building", ["South Africa"], True, None)],
    "OP9 bis": [("new_paragraph", "", "", OP9_BIS, ["Cuba"], True, None)],
    "OP10": [("delete_paragraph", "", OP10, "", ["United States"], True, None)],
    "OP11": [("move", "", "", "", ["Mexico"], True, None)],
}


def _load():
    if not (SAMPLES / "manifest.json").exists():
        pytest.fail("samples/ is incomplete: run `make samples` to build the sample round")
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    subs = [Submission(read_draft(SAMPLES / "submissions" / m["file"]), m["file"], m["delegation"], m["arrived"],
                       m["sender"]) for m in manifest]
    return (read_draft(SAMPLES / "base.docx"), subs, load_registry(SAMPLES / "delegations.csv"),
            [read_draft(SAMPLES / "round0.docx")])


@pytest.fixture(scope="module")
def sample_round():
    return _load()


@pytest.fixture(scope="module")
def consolidated(sample_round):
    base, subs, registry, earlier = sample_round
    return consolidate(base, subs, registry, {"PP2": "PP2 agreed in informals"}, earlier=earlier)


def _shape(consolidation):
    return {p.id: [(q.kind, q.context_before, q.deleted, q.inserted, q.delegations, q.tracked, q.group)
                   for q in p.proposals]
            for p in consolidation.paragraphs if p.proposals}


def test_every_proposal_once_with_its_delegations(consolidated):
    assert _shape(consolidated) == EXPECTED


def test_offsets_point_at_the_deleted_text(consolidated):
    for paragraph in consolidated.paragraphs:
        for p in paragraph.proposals:
            if p.kind in ("delete", "replace"):
                assert paragraph.base_text[p.at:p.at + len(p.deleted)] == p.deleted


def test_new_paragraphs_follow_their_paragraph(consolidated):
    ids = [p.id for p in consolidated.paragraphs]
    assert ids[ids.index("PP3") + 1] == "PP3 bis" and ids[ids.index("OP9") + 1] == "OP9 bis"
    assert [(p.id, p.after, p.new) for p in consolidated.paragraphs if p.new] == [
        ("PP3 bis", "PP3", True), ("OP9 bis", "OP9", True)]
    assert consolidated.paragraph("OP11").proposals[0].moved_to == "OP12"


def test_stances_from_comments(consolidated):
    op5 = consolidated.paragraph("OP5")
    assert [(s.stance, s.anchor, s.delegations) for s in op5.stances] == [
        ("consult with capital", "virtual asset service providers", ["Egypt"]),
        ("flexible", "virtual asset service providers", ["European Union"]),
        ("reservation", "virtual asset service providers", [IRAN]),
        ("retain", "virtual asset service providers", ["Turkey"]),
    ]
    assert [(s.stance, s.delegations) for s in consolidated.stances] == [("reservation", ["European Union"])]


def test_submission_readings_and_warnings(consolidated):
    readings = {s.file: (s.delegation, s.tracked, s.proposals) for s in consolidated.submissions}
    assert readings == {
        "L5 ICT draft EGY.docx": (None, True, 2),  # sender unknown: its author is in the registry
        "CND L5 - Singapore.docx": ("Singapore", True, 3),
        "L5 Cuba-Venezuela joint.docx": ("Cuba", True, 4),
        "Turkiye comments L5.docx": ("Turkey", True, 2),
        "iran comments (2).docx": (IRAN, True, 1),
        "China proposals L5.docx": ("China", True, 2),
        "L5 ICT draft (2) USA.docx": ("United States", True, 1),
        "EU comments L.5.docx": ("European Union", True, 0),
        "Mexico L5 ICT.docx": ("Mexico", True, 2),
        "L5 ICT draft PAK.docx": ("Pakistan", False, 2),
        "Chair's proposal PP1.docx": ("Chair", True, 1),
        "RF amendments L5.docx": ("Russian Federation", True, 2),
        "ZA inputs L5.docx": ("South Africa", True, 2),
    }
    turkey = next(s for s in consolidated.submissions if s.delegation == "Turkey")
    assert (turkey.proposals, turkey.paragraphs, turkey.comments) == (2, 2, 1)  # "2 proposals in 2 paragraphs, 1 comment"
    warnings = {s.file: s.warnings for s in consolidated.submissions if s.warnings}
    assert set(warnings) == {"iran comments (2).docx", "L5 ICT draft PAK.docx", "ZA inputs L5.docx"}
    assert warnings["iran comments (2).docx"] == [
        f"author 'User' is not in the delegation registry — attributed to the sender, {IRAN}"]
    assert warnings["L5 ICT draft PAK.docx"] == ["2 edits were made without Track Changes"]
    assert warnings["ZA inputs L5.docx"][0].startswith("based on an older round: its text is that of round0.docx")
    assert consolidated.submissions[0].file == "L5 ICT draft EGY.docx"  # arrival order


def test_status_lines_are_kept(consolidated):
    assert consolidated.paragraph("PP2").status == "PP2 agreed in informals"


def test_older_round_without_the_older_draft_loses_nothing(sample_round):
    """Without round 0 at hand the South African file is still flagged, and its own insertions are
    still there (with the round's differences shown as untracked edits for a human to judge)."""
    base, subs, registry, _ = sample_round
    result = consolidate(base, subs, registry)
    za = next(s for s in result.submissions if s.file == "ZA inputs L5.docx")
    assert any(w.startswith("based on an older round") for w in za.warnings)
    za_proposals = [(q.kind, q.inserted, q.tracked) for p in result.paragraphs for q in p.proposals
                    if "South Africa" in q.delegations and q.tracked]
    assert za_proposals == [("insert", " and precursors", True), ("insert", " and capacity-building", True)]


def test_arrival_order_not_input_order(sample_round, consolidated):
    base, subs, registry, earlier = sample_round
    shuffled = subs[:]
    random.Random(7).shuffle(shuffled)
    again = consolidate(base, shuffled, registry, {"PP2": "PP2 agreed in informals"}, earlier=earlier)
    assert _shape(again) == EXPECTED
