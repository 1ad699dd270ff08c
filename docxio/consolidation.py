"""Consolidation: from the base draft and the delegations' submissions to one attributed set of
proposals per paragraph identifier.

For each submission, in order of arrival (``docxio.submission_reading``):

1. revisions and comments already in the base (an earlier round's consolidated draft) are set
   aside — only new changes are the submitter's proposals (``docxio.earlier_rounds``);
2. its paragraphs are aligned with the base's (``docxio.alignment``);
3. tracked changes become proposals in base coordinates (``docxio.tracked_changes``), and
   untracked edits are found by comparing the paragraph with the base word by word
   (``docxio.untracked_edits``, ``docxio.wordiff``);
4. every change is attributed (``docxio.attribution``), comments become stances
   (``docxio.stances``).

Then identical proposals from several delegations are merged into one, overlapping different
ones become alternatives of a conflict group (``docxio.proposal_merging``), and new paragraphs get
their identifiers (``docxio.new_paragraphs``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping, Sequence

from docxio.alignment import BaseIndex
from docxio.base_paragraphs import BaseParagraph, align_items, base_paragraphs
from docxio.compilation import draft_stance_line, status_line, statuses_of
from docxio.contributions import Contribution, RawProposal, RawStance
from docxio.delegations import Registry
from docxio.earlier_rounds import known_changes, with_earlier
from docxio.garbage_collection import fewer_collections
from docxio.model import Draft
from docxio.new_paragraphs import place_new_paragraphs
from docxio.proposal_merging import assign_groups, merge_proposals, merge_stances
from docxio.proposals import Consolidation, ParagraphProposals, Proposal
from docxio.stances import DEFAULT_VOCABULARY, Vocabulary
from docxio.statuses import is_agreed, reopen_warning, round_statuses
from docxio.submission_reading import RoundContext, SubmissionReader

__all__ = ["Submission", "consolidate"]


@dataclass(frozen=True)
class Submission:
    """One delegation's file for the round. ``delegation`` is the submitting delegation when
    known (command-line prefix, email sender, add-in account); ``arrived`` ISO text giving the
    order of arrival; ``sender`` the email address it came from, if any."""

    draft: Draft
    file: str
    delegation: str | None = None
    arrived: str | None = None
    sender: str | None = None


def consolidate(
    base: Draft,
    submissions: Sequence[Submission],
    registry: Registry,
    statuses: Mapping[str, str] | None = None,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    earlier: Sequence[Draft] = (),
    status_times: Mapping[str, str] | None = None,
) -> Consolidation:
    """Consolidate the submissions of a round against its base draft.

    Submissions are taken in order of arrival (``arrived``; ties and unknown times keep the given
    order), which is the order delegations are named in. Proposals in a paragraph are sorted by
    offset, kind and text, so the same inputs in any order give the same proposals. ``statuses``
    maps a paragraph identifier to the secretariat's status for the round; statuses written in the
    base (an earlier round's consolidated draft: "[PP2 agreed in informals]") apply unless set
    there ("" clears one). The base's status lines are not paragraphs of the consolidation. A
    submission changing a paragraph agreed before it arrived is warned about ("reopens PP2,
    agreed in informals"): agreed in the base, or set agreed for the round at the time given in
    ``status_times`` (identifier → ISO time); a status given without a time is taken to have
    been set after the submissions (their proposals are what was agreed on).
    ``earlier`` are earlier rounds' base drafts: a submission made on one of them is recognised
    ("based on an older round") and only its own changes count.
    """
    base_paras = with_earlier(base_paragraphs(base), base, earlier)
    ordered = sorted(submissions, key=lambda s: (s.arrived is None, s.arrived or ""))
    base_index = BaseIndex.of(align_items(base_paras, with_earlier=True))
    context = RoundContext(base_paras, base_index, known_changes(base), registry, vocabulary)
    with fewer_collections():  # reading every submission allocates much, frees most: see garbage_collection
        contributions = [SubmissionReader(context, s).read() for s in ordered]
    warnings: list[str] = []
    if not registry.delegations:
        warnings.append("no delegation registry given: authors are named as written in the files")

    taken = {bp.paragraph.id for bp in base_paras if bp.paragraph.id}
    new_placed = place_new_paragraphs(base_paras, contributions, taken, warnings)
    carried = statuses_of(base)
    statuses = round_statuses(base, statuses)
    raws_of, stances_of = _by_base_paragraph(contributions)
    _warn_reopened(contributions, base_paras, statuses, carried, status_times or {})

    paragraphs: list[ParagraphProposals] = []
    paragraphs.extend(new_placed.get(None, []))
    for b, bp in enumerate(base_paras):
        if b not in raws_of and b not in stances_of and (status_line(bp.text) or draft_stance_line(bp.text)):
            # An earlier round's status line or line of whole-draft stances, kept in the base:
            # updated there by the writer, not a paragraph delegations negotiate.
            paragraphs.extend(new_placed.get(b, []))
            continue
        paragraphs.append(
            _base_paragraph_proposals(bp, base_paras, raws_of.get(b, []), stances_of.get(b, []), statuses)
        )
        paragraphs.extend(new_placed.get(b, []))
    for p in paragraphs:
        if p.new and p.id in statuses:
            p.status = statuses[p.id]

    draft_stances = merge_stances([s for contribution in contributions for s in contribution.draft_stances])
    summaries = [contribution.summary for contribution in contributions if contribution.summary is not None]
    for summary in summaries:
        warnings.extend(f"{summary.file}: {w}" for w in summary.warnings)
    return Consolidation(base_file=base.file, submissions=summaries, paragraphs=paragraphs,
                         stances=draft_stances, warnings=warnings)


def _by_base_paragraph(
    contributions: Sequence[Contribution],
) -> tuple[dict[int, list[RawProposal]], dict[int, list[RawStance]]]:
    """Each base paragraph's raw proposals and stances, submission by submission in order of
    arrival: gathered in one pass over the contributions (most submissions touch few paragraphs)."""
    raws_of: dict[int, list[RawProposal]] = {}
    stances_of: dict[int, list[RawStance]] = {}
    for contribution in contributions:
        for b, found in contribution.raws.items():
            raws_of.setdefault(b, []).extend(found)
        for b, found_stances in contribution.stances.items():
            stances_of.setdefault(b, []).extend(found_stances)
    return raws_of, stances_of


def _warn_reopened(contributions: Sequence[Contribution], base_paras: list[BaseParagraph],
                   statuses: Mapping[str, str], carried: Mapping[str, str], times: Mapping[str, str]) -> None:
    """Add "reopens PP2, agreed in informals" to the summary of each submission that proposes a
    change to a paragraph agreed before it arrived (in the base: ``carried``; or at ``times``)."""
    for contribution in contributions:
        if contribution.summary is None:
            continue
        for b in sorted(b for b, found in contribution.raws.items() if found):
            paragraph_id = base_paras[b].paragraph.id or f"P{base_paras[b].index}"
            status = statuses.get(paragraph_id)
            before = carried.get(paragraph_id) == status or _later(contribution.summary.arrived, times.get(paragraph_id))
            if before and is_agreed(status):
                warning = reopen_warning(paragraph_id, status)
                if warning not in contribution.summary.warnings:
                    contribution.summary.warnings.append(warning)


def _later(arrived: str | None, set_at: str | None) -> bool:
    """Whether a submission arrived after a status was set (both ISO times; False when unknown)."""
    if not arrived or not set_at:
        return False
    try:
        first, second = datetime.fromisoformat(set_at), datetime.fromisoformat(arrived)
        if (first.tzinfo is None) != (second.tzinfo is None):
            first, second = first.replace(tzinfo=None), second.replace(tzinfo=None)
        return second > first
    except ValueError:
        return False


def _base_paragraph_proposals(
    bp: BaseParagraph,
    base_paras: list[BaseParagraph],
    raws: list[RawProposal],
    stances: list[RawStance],
    statuses: Mapping[str, str],
) -> ParagraphProposals:
    """One base paragraph of the consolidated draft: its merged proposals (moves naming the
    paragraph they go after, each with the words before it), conflict groups and stances."""
    proposals: list[Proposal] = []
    for proposal, raw in merge_proposals(raws):
        if raw.kind == "move":
            target = raw.moved_to
            proposal.moved_to = base_paras[int(target)].paragraph.id if target else "start"
        proposal.context_before = _context_before(bp.text, proposal.at)
        proposals.append(proposal)
    paragraph_id = bp.paragraph.id or f"P{bp.index}"
    assign_groups(paragraph_id, proposals, len(bp.text))
    return ParagraphProposals(id=paragraph_id, base_text=bp.text, status=statuses.get(paragraph_id),
                              proposals=proposals, stances=merge_stances(stances), base_index=bp.index)


def _context_before(text: str, at: int, words: int = 4) -> str:
    """The few words before an offset, so a reader can find the place ("misuse and abuse")."""
    return " ".join(text[:at].split()[-words:])
