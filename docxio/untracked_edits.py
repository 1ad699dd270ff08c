"""Proposals from edits made without Track Changes, found by comparing texts word by word.

The text the delegate started from is compared with the base paragraph — or, when the submission
was made on an older round's draft, with that draft's text, the edits then placed on the current
base (``docxio.earlier_rounds``). Each difference is one proposal, credited to the submitting
delegation (untracked edits have no author).
"""
from __future__ import annotations

from typing import Callable

from docxio.attribution import Attribution
from docxio.contributions import RawProposal, proposal_kind
from docxio.earlier_rounds import onto_current_text
from docxio.proposals import Source
from docxio.wordiff import canonical, compare

__all__ = ["untracked_proposals"]


def untracked_proposals(
    before: str, base_text: str, reference_text: str, attribute: Callable[[], Attribution], file: str
) -> list[RawProposal]:
    """The edits between ``reference_text`` (the paragraph where the delegate worked: the base's,
    or an older round's) and ``before`` (the text the delegate started from), in base
    coordinates. ``attribute`` credits an untracked edit; it is called once per edit."""
    if before == reference_text:
        return []
    edits = compare(reference_text, before).edits()
    if reference_text != base_text:
        edits = onto_current_text(base_text, reference_text, edits)
    found = []
    for edit in edits:
        edit = canonical(base_text, edit)
        found.append(RawProposal(proposal_kind(edit), edit.at, edit.deleted, edit.inserted, attribute(), False,
                                 Source(file, None)))
    return found
