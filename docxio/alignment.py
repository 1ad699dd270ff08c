"""Aligning a submission's paragraphs with the base draft's.

Delegates add, delete and move paragraphs, and list numbering renumbers operative paragraphs when
they do so without Track Changes — so a paragraph identifier alone cannot be trusted. A submission
paragraph is matched with a base paragraph by its identifier when their texts agree enough, then
by text similarity; what is left over is new (submission side) or deleted (base side); matched
paragraphs out of base order are moved.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Sequence

from docxio.wordiff import normalise, similarity

#: A paragraph whose identifier matches may have been edited heavily; below this it is another text.
ID_MATCH_SIMILARITY = 0.35
#: Without an identifier match, texts must be this alike to be the same paragraph.
TEXT_MATCH_SIMILARITY = 0.6
#: A paragraph rewritten in place (its neighbours on both sides matched, one base paragraph left
#: between them) needs only this much in common.
GAP_MATCH_SIMILARITY = 0.25


@dataclass(frozen=True)
class AlignItem:
    """One paragraph to align: its identifier ("" if none or structural) and the texts it may be
    recognised by (for the base: current and original view; for a submission: its original)."""

    id: str
    texts: tuple[str, ...]


@dataclass
class Alignment:
    """Submission paragraph index -> base paragraph index for matched paragraphs; the submission
    paragraphs that are new; the base paragraphs the submission no longer has; the submission
    paragraphs that are matched but out of base order (moved)."""

    matched: dict[int, int] = field(default_factory=dict)
    new: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)


def _best_similarity(a: AlignItem, b: AlignItem) -> float:
    return max((similarity(x, y) for x in a.texts for y in b.texts if x or y), default=0.0)


@dataclass
class BaseIndex:
    """The base paragraphs prepared once for aligning many submissions: by exact text, by
    normalised text and by identifier."""

    items: Sequence[AlignItem]
    exact: dict[str, list[int]] = field(default_factory=dict)
    folded: dict[str, list[int]] = field(default_factory=dict)
    by_id: dict[str, int] = field(default_factory=dict)
    usable: tuple[int, ...] = ()

    @classmethod
    def of(cls, items: Sequence[AlignItem]) -> "BaseIndex":
        """Index base paragraphs (paragraphs with no text take no part)."""
        index = cls(items)
        usable = []
        for i, item in enumerate(items):
            if not any(t.strip() for t in item.texts):
                continue
            usable.append(i)
            for t in dict.fromkeys(x for x in item.texts if x.strip()):
                index.exact.setdefault(t, []).append(i)
            for t in dict.fromkeys(normalise(x) for x in item.texts if x.strip()):
                index.folded.setdefault(t, []).append(i)
            if item.id:
                index.by_id.setdefault(item.id, i)
        index.usable = tuple(usable)
        return index


def align(base: Sequence[AlignItem] | BaseIndex, submission: Sequence[AlignItem]) -> Alignment:
    """Match submission paragraphs to base paragraphs: identical text (repeated texts in document
    order), then identifier (with a text check), then the most similar remaining text, then a
    paragraph rewritten in place between matched neighbours. Paragraphs with no text take no part.
    ``base`` may be a prepared ``BaseIndex`` when many submissions are aligned to one base."""
    index = base if isinstance(base, BaseIndex) else BaseIndex.of(base)
    items = index.items
    result = Alignment()
    free_base = set(index.usable)
    todo = [i for i, s in enumerate(submission) if any(t.strip() for t in s.texts)]

    def take(s: int, b: int) -> None:
        result.matched[s] = b
        free_base.discard(b)

    # 1. Identical text (typography aside) with the same identifier, or unique identical text.
    for s in todo:
        texts = submission[s].texts
        if len(texts) == 1:  # the usual case: one text, found once, unclaimed
            found = index.exact.get(texts[0])
            if found is not None and len(found) == 1 and found[0] in free_base:
                take(s, found[0])
                continue
        texts = [x for x in texts if x.strip()]
        candidates = [b for x in texts for b in index.exact.get(x, ())]
        if not candidates:
            candidates = [b for x in texts for b in index.folded.get(normalise(x), ())]
        candidates = [b for b in dict.fromkeys(candidates) if b in free_base]
        same_id = [b for b in candidates if submission[s].id and items[b].id == submission[s].id]
        if same_id or candidates:
            # Repeated texts ("Blank" in table cells, "[deleted]") pair up in document order.
            take(s, (same_id or candidates)[0])
    todo = [s for s in todo if s not in result.matched]

    # 2. Same identifier, text alike enough (numbering may have shifted under untracked edits).
    for s in todo:
        b = index.by_id.get(submission[s].id) if submission[s].id else None
        if b is not None and b in free_base and _best_similarity(submission[s], items[b]) >= ID_MATCH_SIMILARITY:
            take(s, b)
    todo = [s for s in todo if s not in result.matched]

    # 3. Most similar text, best pairs first; near the same relative position wins ties.
    scored = []
    for s in todo:
        for b in free_base:
            score = _best_similarity(submission[s], items[b])
            if score >= TEXT_MATCH_SIMILARITY:
                scored.append((-score, abs(s / len(submission) - b / len(items)), s, b))
    for _, _, s, b in sorted(scored):
        if s not in result.matched and b in free_base:
            take(s, b)

    # 4. Rewritten in place: between two matched neighbours whose base paragraphs leave exactly one
    #    base paragraph free between them.
    for s in todo:
        if s in result.matched:
            continue
        before_s = result.matched.get(s - 1, -1 if s == 0 else None)
        after_s = result.matched.get(s + 1)
        if before_s is None or after_s is None or after_s - before_s != 2:
            continue
        b = before_s + 1
        if b in free_base and _best_similarity(submission[s], items[b]) >= GAP_MATCH_SIMILARITY:
            take(s, b)

    result.new = [s for s in todo if s not in result.matched]
    result.missing = sorted(free_base)
    result.moved = _out_of_order(result.matched)
    return result


def _out_of_order(matched: dict[int, int]) -> list[int]:
    """Submission indexes of matched paragraphs outside the longest run in base order — the
    fewest paragraphs that explain the new order as moves."""
    order = sorted(matched)
    seq = [matched[s] for s in order]
    if not seq:
        return []
    # Longest increasing subsequence (patience sorting) with back-pointers.
    tails: list[int] = []
    tails_at: list[int] = []
    previous = [-1] * len(seq)
    for i, value in enumerate(seq):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tails_at.append(i)
        else:
            tails[k] = value
            tails_at[k] = i
        previous[i] = tails_at[k - 1] if k else -1
    keep = set()
    i = tails_at[-1]
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return [order[i] for i in range(len(seq)) if i not in keep]
