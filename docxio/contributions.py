"""What one submission contributes to a round, before the delegations' contributions are merged.

Reading a submission (``docxio.submission_reading``) gives, per base paragraph, each change one
delegation makes in base coordinates (``RawProposal``) and each stance it takes (``RawStance``);
the paragraphs it adds (``NewParagraph``); its stances on the whole draft; and its summary.
``docxio.proposal_merging`` and ``docxio.new_paragraphs`` merge these across submissions into the
``docxio.proposals`` values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from docxio.attribution import Attribution
from docxio.model import Revision
from docxio.proposals import Source, SubmissionSummary
from docxio.wordiff import Edit

__all__ = ["Contribution", "NewParagraph", "RawProposal", "RawStance", "latest_date", "proposal_kind"]


@dataclass
class RawProposal:
    """One delegation's change before merging, in base coordinates."""

    kind: str
    at: int
    deleted: str
    inserted: str
    attribution: Attribution
    tracked: bool
    source: Source
    date: str | None = None
    moved_to: str | None = None  # base index key of the paragraph a move goes after ("" = start)


@dataclass
class RawStance:
    """One delegation's stance before merging: a vocabulary word (``recognised``) or free text,
    the words it was read from, and the passage it is on ("" = the whole paragraph or draft)."""

    stance: str
    recognised: bool
    text: str
    anchor: str
    attribution: Attribution
    source: Source


@dataclass
class NewParagraph:
    """A paragraph a submission adds: after base paragraph ``anchor`` (None = at the start),
    ``chain``-th of a run of new paragraphs there."""

    anchor: int | None
    chain: int
    text: str
    typed_id: str | None
    attribution: Attribution
    tracked: bool
    source: Source
    date: str | None
    stances: list[RawStance] = field(default_factory=list)
    previous_new: "NewParagraph | None" = None


@dataclass
class Contribution:
    """What one submission contributes: proposals and stances by base paragraph (its position in
    the round's base paragraphs), new paragraphs, stances on the whole draft, and its summary."""

    raws: dict[int, list[RawProposal]] = field(default_factory=dict)
    stances: dict[int, list[RawStance]] = field(default_factory=dict)
    new: list[NewParagraph] = field(default_factory=list)
    draft_stances: list[RawStance] = field(default_factory=list)
    summary: SubmissionSummary | None = None


def proposal_kind(edit: Edit) -> str:
    """"replace", "delete" or "insert": what an edit of a paragraph's text proposes."""
    if edit.deleted and edit.inserted:
        return "replace"
    return "delete" if edit.deleted else "insert"


def latest_date(revisions: Iterable[Revision | None]) -> str | None:
    """The latest date among the revisions (ISO text compares in time order), or None."""
    dates = [r.date for r in revisions if r is not None and r.date]
    return max(dates) if dates else None
