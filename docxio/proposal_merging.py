"""Merging the delegations' proposals and stances on one paragraph, and grouping conflicts.

Identical changes from several delegations become one proposal naming them all, in order of
arrival (text compared after normalising white space and quotes); different changes touching
overlapping base text are alternatives of one conflict group ("PP2-1"), as a compilation text
shows them ("A / B").
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from docxio.attribution import Attribution
from docxio.contributions import RawProposal, RawStance
from docxio.proposals import Proposal, Source, Stance
from docxio.wordiff import normalise

__all__ = ["KIND_ORDER", "assign_groups", "credit", "merge_proposals", "merge_stances"]

#: Order of kinds at one offset in the report (after the offset itself).
KIND_ORDER = {k: i for i, k in enumerate(
    ("delete_paragraph", "move", "replace", "delete", "insert", "footnote", "new_paragraph"))}

#: Kinds that say where the paragraph goes: two of them on one paragraph are alternatives.
_PLACEMENTS = {"move", "delete_paragraph"}


def credit(proposal: Proposal, attribution: Attribution, source: Source) -> None:
    """Name one more submission's delegations (or, when none is known, its author as written)
    and source on ``proposal``, each once, in order of arrival."""
    for name in attribution.delegations:
        if name not in proposal.delegations:
            proposal.delegations.append(name)
    if not attribution.delegations and attribution.author not in proposal.unattributed:
        proposal.unattributed.append(attribution.author)
    if source not in proposal.sources:
        proposal.sources.append(source)


def _key(raw: RawProposal) -> tuple:
    return (raw.kind, raw.at, normalise(raw.deleted), normalise(raw.inserted), raw.moved_to)


def merge_proposals(raws: Sequence[RawProposal]) -> list[tuple[Proposal, RawProposal]]:
    """One proposal per distinct change, with the first raw proposal that made it; delegations in
    order of arrival (``raws`` are). Sorted by offset, kind and text."""
    merged: dict[tuple, tuple[Proposal, RawProposal]] = {}
    for raw in raws:
        key = _key(raw)
        if key not in merged:
            merged[key] = (Proposal(kind=raw.kind, inserted=raw.inserted, deleted=raw.deleted, at=raw.at,
                                    tracked=raw.tracked, date=raw.date), raw)
        proposal = merged[key][0]
        credit(proposal, raw.attribution, raw.source)
        proposal.tracked = proposal.tracked or raw.tracked
        if raw.date and (proposal.date is None or raw.date > proposal.date):
            proposal.date = raw.date
    return sorted(merged.values(), key=lambda pr: (pr[0].at, KIND_ORDER[pr[0].kind], normalise(pr[0].inserted),
                                                      normalise(pr[0].deleted), pr[1].moved_to or ""))


def _span(p: Proposal, length: int) -> tuple[int, int] | None:
    """The base range a proposal claims; None for moves (they do not compete with text edits)."""
    if p.kind == "move":
        return None
    if p.kind == "delete_paragraph":
        return (0, max(length, 1))
    return (p.at, p.at + len(p.deleted))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two base ranges compete; an empty range is an insertion point."""
    if a[0] == a[1] and b[0] == b[1]:
        return a[0] == b[0]  # two different insertions at one point
    if a[0] == a[1]:
        return b[0] < a[0] < b[1]
    if b[0] == b[1]:
        return a[0] < b[0] < a[1]
    return max(a[0], b[0]) < min(a[1], b[1])


def assign_groups(paragraph_id: str, proposals: list[Proposal], length: int) -> None:
    """Alternatives touching overlapping base text share a conflict group "PP2-1", numbered in
    order of their first proposal. ``length`` is the base text's length."""
    parent = list(range(len(proposals)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    spans = [_span(p, length) for p in proposals]
    for i in range(len(proposals)):
        for j in range(i + 1, len(proposals)):
            both = {proposals[i].kind, proposals[j].kind}
            if (spans[i] is not None and spans[j] is not None and _overlap(spans[i], spans[j])) or (
                "move" in both and both <= _PLACEMENTS
            ):
                parent[find(i)] = find(j)
    sizes = Counter(find(i) for i in range(len(proposals)))
    names: dict[int, str] = {}
    for i, proposal in enumerate(proposals):
        root = find(i)
        if sizes[root] > 1:
            if root not in names:
                names[root] = f"{paragraph_id}-{len(names) + 1}"
            proposal.group = names[root]


def merge_stances(raws: Sequence[RawStance]) -> list[Stance]:
    """One stance per distinct position on one passage (a vocabulary word, or the same free
    words), naming every delegation that takes it; sorted by passage, stance and words."""
    merged: dict[tuple[str, str], Stance] = {}
    for raw in raws:
        key = (raw.stance if raw.recognised else normalise(raw.text), normalise(raw.anchor))
        if key not in merged:
            merged[key] = Stance(stance=raw.stance, text=raw.text, anchor=raw.anchor)
        stance = merged[key]
        for name in raw.attribution.delegations:
            if name not in stance.delegations:
                stance.delegations.append(name)
        if raw.source not in stance.sources:
            stance.sources.append(raw.source)
    return sorted(merged.values(), key=lambda s: (normalise(s.anchor), s.stance, s.text))
