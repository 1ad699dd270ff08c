"""Stances in the consolidated draft follow the order the submissions arrived, as a secretariat
lists them ("(retain: Turkey, flexible: Egypt)" when Turkey wrote first), and in the tracked
rendering each stance comment is dated by its submission and carries readable initials.

Found by reading the sample round's compilation: OP5 listed "consult with capital: Egypt;
flexible: European Union; reservation: Iran…; retain: Turkey" (alphabetical by stance) although
Turkey and Iran wrote before the European Union, and the tracked rendering dated every stance
comment with the time of the merge ("Iran (Islamic Republic of)" initialled "I(Ro").
"""
from __future__ import annotations

import io
from datetime import datetime, timezone

import docx

from docxio.ooxml import qn
from docxio.proposals import Consolidation, ParagraphProposals, Source, Stance, SubmissionSummary
from docxio.writer import write_consolidated
from tests import writer_support as round_
from tests.writer_support import document_xml

NOW = datetime(2027, 2, 13, 9, 30, tzinfo=timezone.utc)


def stance_round() -> Consolidation:
    """Egypt (08:05), Iran (10:30) and the European Union (11:45) take stances on "increase" in
    PP1; the consolidation lists them alphabetically by stance, not by arrival. Iran and the EU
    also take stances on the whole draft, the EU listed first."""
    return Consolidation(
        "base.docx",
        [
            SubmissionSummary("eu.docx", "European Union", True, 0, arrived="2027-02-12T11:45:00+00:00"),
            SubmissionSummary("iran.docx", "Iran (Islamic Republic of)", True, 0, arrived="2027-02-12T10:30:00+00:00"),
            SubmissionSummary("egypt.docx", "Egypt", True, 0, arrived="2027-02-12T08:05:00+00:00"),
        ],
        [ParagraphProposals("PP1", round_.PP1, base_index=2, stances=[
            Stance("consult with capital", "consult with capital", "increase", ["Egypt"], [Source("egypt.docx", "0")]),
            Stance("flexible", "flexible", "increase", ["European Union"], [Source("eu.docx", "1")]),
            Stance("reservation", "reservation", "increase", ["Iran (Islamic Republic of)"], [Source("iran.docx", "0")]),
        ])],
        stances=[
            Stance("reservation", "Reservation on the resolution", "", ["European Union"], [Source("eu.docx", "0")]),
            Stance("Suggests postponing the resolution", "Suggests postponing the resolution", "",
                   ["Iran (Islamic Republic of)"], [Source("iran.docx", "1")]),
        ],
    )


def test_stances_on_a_passage_are_listed_in_the_order_the_submissions_arrived():
    data = write_consolidated(round_.base_docx(), stance_round(), now=NOW)
    text = next(p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.startswith("PP1."))
    assert ("increase (consult with capital: Egypt; reservation: Iran; "
            "flexible: European Union) in trafficking") in text


def test_stances_on_the_whole_draft_are_listed_in_the_order_the_submissions_arrived():
    data = write_consolidated(round_.base_docx(), stance_round(), now=NOW)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[1] == ("(Suggests postponing the resolution: Iran) "
                             "(Reservation on the resolution: European Union)")


def test_tracked_stance_comments_are_dated_by_their_submission_in_arrival_order_with_initials():
    data = write_consolidated(round_.base_docx(), stance_round(), mode="tracked", now=NOW)
    comments = document_xml(data, "word/comments.xml")
    seen = [(c.get(qn("w:author")), c.get(qn("w:date")), c.get(qn("w:initials")),
             "".join(t.text or "" for t in c.iter(qn("w:t")))) for c in comments.iter(qn("w:comment"))]
    assert seen == [
        ("Egypt", "2027-02-12T08:05:00Z", "E", "consult with capital"),
        ("Iran", "2027-02-12T10:30:00Z", "I", "reservation"),
        ("European Union", "2027-02-12T11:45:00Z", "EU", "flexible"),
        ("Iran", "2027-02-12T10:30:00Z", "I", "Suggests postponing the resolution"),
        ("European Union", "2027-02-12T11:45:00Z", "EU", "Reservation on the resolution"),
    ]
