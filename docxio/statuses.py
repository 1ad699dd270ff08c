"""Paragraph statuses across rounds: "[PP2 agreed in informals]" survives into the next round.

A round's base may be the previous round's consolidated draft, with the secretariat's status lines
under their paragraphs. Those statuses are the new round's, unless the secretariat sets another
(or clears one) for the round. A submission proposing changes to a paragraph whose status says it
is agreed reopens it: the officer must see that (field notes §5 item 7).
"""
from __future__ import annotations

from typing import Mapping

from docxio.compilation import statuses_of
from docxio.model import Draft

__all__ = ["AGREED_WORDS", "is_agreed", "reopen_warning", "round_statuses"]

#: Words of a status that say the paragraph is agreed ("agreed in informals", "agreed ad ref",
#: "adopted"); "pending", "not agreed" or "to be discussed" do not.
AGREED_WORDS = ("agreed", "adopted")
_NEGATIONS = ("not agreed", "not yet agreed", "unagreed", "not adopted")


def round_statuses(base: Draft, set_for_round: Mapping[str, str] | None = None) -> dict[str, str]:
    """The round's statuses: those written in the base draft (its status lines), overridden by
    those set for the round (``set_for_round``; an empty text there clears the base's status)."""
    statuses = statuses_of(base)
    for paragraph_id, status in (set_for_round or {}).items():
        if status and status.strip():
            statuses[paragraph_id] = status.strip()
        else:
            statuses.pop(paragraph_id, None)
    return statuses


def is_agreed(status: str | None) -> bool:
    """Whether a status says the paragraph is agreed ("agreed in informals", "agreed ad ref")."""
    words = " ".join((status or "").lower().split())
    if any(n in words for n in _NEGATIONS):
        return False
    return any(w in words for w in AGREED_WORDS)


def reopen_warning(paragraph_id: str, status: str) -> str:
    """"reopens PP2, agreed in informals": what a human must see about a submission."""
    return f"reopens {paragraph_id}, {status}"
