"""The summary of a submission: what the secretariat officer reads when the file arrives.

"Turkey — 13 proposals in 8 paragraphs, 1 comment", and the warnings a human should check: edits
made without Track Changes, a markup of an older round, a file that is hardly this draft,
formatting changes, authors the registry does not know, a file with nothing in it.
"""
from __future__ import annotations

from collections import Counter

__all__ = ["OLDER_ROUND_MIN_PARAGRAPHS", "nothing_found", "older_round_warning", "summary_warnings"]

#: A submission whose text differs from the base without Track Changes in at least this many
#: paragraphs, while it also has tracked changes, was most likely made on an older draft.
OLDER_ROUND_MIN_PARAGRAPHS = 3


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def older_round_warning(name: str, paragraphs: int) -> str:
    """The warning for a submission recognised as a markup of the earlier draft ``name``."""
    return (
        f"based on an older round: its text is that of {name} in {paragraphs} paragraph{_plural(paragraphs, '', 's')} "
        "the current base has changed since; its changes are placed on the current base"
    )


def summary_warnings(
    counts: Counter, recognised_older: bool, untracked_paragraphs: int, usable: int, found: int
) -> list[str]:
    """The warnings of a submission's summary, from what reading it counted.

    ``counts`` has "tracked" and "untracked" proposals, "comments", "format" changes and
    "stances"; ``recognised_older`` says the submission was recognised as an older round's
    markup already; ``untracked_paragraphs`` is how many paragraphs differ without Track Changes;
    ``found`` of the base's ``usable`` paragraphs (those with text) were found in the file.
    """
    warnings = []
    if counts["untracked"]:
        n = counts["untracked"]
        warnings.append(f"{n} edit{_plural(n, ' was', 's were')} made without Track Changes")
    if not recognised_older and counts["tracked"] and untracked_paragraphs >= OLDER_ROUND_MIN_PARAGRAPHS:
        warnings.append(
            f"based on an older round: {untracked_paragraphs} paragraphs differ from the base without "
            "tracked changes; compared with the current base so nothing is lost"
        )
    if usable >= 4 and found * 2 < usable:
        warnings.append(f"only {found} of the base draft's {usable} paragraphs were found in this file: "
                        "is it a markup of this draft?")
    if counts["format"]:
        n = counts["format"]
        warnings.append(f"{n} formatting change{_plural(n, '', 's')} (not proposals)")
    return warnings


def nothing_found(counts: Counter) -> bool:
    """Whether the submission had no change, comment, formatting change or stance at all."""
    return not (counts["tracked"] or counts["untracked"] or counts["comments"] or counts["format"] or counts["stances"])
