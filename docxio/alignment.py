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
from typing import NamedTuple, Sequence

from docxio.wordiff import normalise, similarity_of_words, words

#: A paragraph whose identifier matches may have been edited heavily; below this it is another text.
ID_MATCH_SIMILARITY = 0.35
#: Without an identifier match, texts must be this alike to be the same paragraph.
TEXT_MATCH_SIMILARITY = 0.6
#: A paragraph rewritten in place (its neighbours on both sides matched, one base paragraph left
#: between them) needs only this much in common.
GAP_MATCH_SIMILARITY = 0.25


class AlignItem(NamedTuple):
    """One paragraph to align: its identifier ("" if none or structural) and the texts it may be
    recognised by (for the base: current and original view; for a submission: its original).
    A named tuple: one is made for every paragraph of every submission, three times cheaper than a
    frozen dataclass."""

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


class _Words:
    """Word lists of paragraph texts, computed once per text."""

    def __init__(self) -> None:
        self._cache: dict[str, list[str]] = {}

    def of(self, text: str) -> list[str]:
        found = self._cache.get(text)
        if found is None:
            found = self._cache[text] = words(text)
        return found

    def best(self, a: AlignItem, b: AlignItem, cutoff: float) -> float:
        """The best similarity between any text of ``a`` and any text of ``b`` (0.0 under cutoff)."""
        return max((similarity_of_words(self.of(x), self.of(y), cutoff)
                    for x in a.texts for y in b.texts if x or y), default=0.0)


@dataclass
class BaseIndex:
    """The base paragraphs prepared once for aligning many submissions: by identifier, and by text
    in tiers tried in order — exact current text, current text typography aside, then the same for
    earlier texts (a paragraph's text in an older round)."""

    items: Sequence[AlignItem]
    tiers: tuple[dict[str, list[int]], ...] = ()
    by_id: dict[str, int] = field(default_factory=dict)
    usable: tuple[int, ...] = ()
    words: _Words = field(default_factory=_Words)

    @classmethod
    def of(cls, items: Sequence[AlignItem]) -> "BaseIndex":
        """Index base paragraphs (paragraphs with no text take no part)."""
        tiers: tuple[dict[str, list[int]], ...] = ({}, {}, {}, {})
        usable, by_id = [], {}
        for i, item in enumerate(items):
            texts = [t for t in item.texts if t.strip()]
            if not texts:
                continue
            usable.append(i)
            current = item.texts[0] if item.texts and item.texts[0].strip() else None
            for t in dict.fromkeys(texts):
                exact, folded = (tiers[0], tiers[1]) if t == current else (tiers[2], tiers[3])
                exact.setdefault(t, []).append(i)
                folded.setdefault(normalise(t), []).append(i)
            if item.id:
                by_id.setdefault(item.id, i)
        return cls(items, tiers, by_id, tuple(usable))

    def candidates(self, texts: Sequence[str], free: set[int]) -> list[int]:
        """Free base paragraphs with one of ``texts``, from the first tier that has any, in
        document order."""
        for n, tier in enumerate(self.tiers):
            found = [b for t in texts for b in tier.get(t if n % 2 == 0 else normalise(t), ()) if b in free]
            if found:
                return sorted(dict.fromkeys(found))
        return []


def align(base: Sequence[AlignItem] | BaseIndex, submission: Sequence[AlignItem]) -> Alignment:
    """Match submission paragraphs to base paragraphs: identical text (repeated texts in document
    order), then identifier (with a text check), then the most similar remaining text, then a
    paragraph rewritten in place between matched neighbours. Paragraphs with no text take no part.
    ``base`` may be a prepared ``BaseIndex`` when many submissions are aligned to one base."""
    index = base if isinstance(base, BaseIndex) else BaseIndex.of(base)
    items = index.items
    result = Alignment()
    matched = result.matched
    free_base = set(index.usable)
    todo = [i for i, s in enumerate(submission) if _has_text(s)]

    def take(s: int, b: int) -> None:
        matched[s] = b
        free_base.discard(b)

    # 1. Identical text (current before earlier, exact before typography aside), preferring the same identifier.
    exact = index.tiers[0] if index.tiers else {}
    for s in todo:
        texts = submission[s].texts
        if len(texts) == 1:  # the usual case: one text, found once, unclaimed
            found = exact.get(texts[0])
            if found is not None and len(found) == 1 and found[0] in free_base:
                matched[s] = found[0]
                free_base.discard(found[0])
                continue
        candidates = index.candidates([x for x in texts if x.strip()], free_base)
        same_id = [b for b in candidates if submission[s].id and items[b].id == submission[s].id]
        if same_id or candidates:
            # Repeated texts ("Blank" in table cells, "[deleted]") pair up in document order.
            take(s, (same_id or candidates)[0])
    todo = [s for s in todo if s not in result.matched]

    # 2. Same identifier, text alike enough (numbering may have shifted under untracked edits).
    for s in todo:
        b = index.by_id.get(submission[s].id) if submission[s].id else None
        if b is not None and b in free_base and index.words.best(submission[s], items[b], ID_MATCH_SIMILARITY) >= ID_MATCH_SIMILARITY:
            take(s, b)
    todo = [s for s in todo if s not in result.matched]

    # 3. Most similar text, best pairs first; near the same relative position wins ties.
    scored = []
    for s in todo:
        for b in free_base:
            score = index.words.best(submission[s], items[b], TEXT_MATCH_SIMILARITY)
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
        if b in free_base and index.words.best(submission[s], items[b], GAP_MATCH_SIMILARITY) >= GAP_MATCH_SIMILARITY:
            take(s, b)

    result.new = [s for s in todo if s not in result.matched]
    result.missing = sorted(free_base)
    result.moved = _out_of_order(result.matched)
    return result


def _has_text(item: AlignItem) -> bool:
    """Whether any of the paragraph's texts is more than white space."""
    texts = item.texts
    if len(texts) == 1:  # a submission paragraph: one text
        return bool(texts[0].strip())
    return any(t.strip() for t in texts)


def _out_of_order(matched: dict[int, int]) -> list[int]:
    """Submission indexes of matched paragraphs outside the longest run in base order — the
    fewest paragraphs that explain the new order as moves."""
    order = sorted(matched)
    seq = [matched[s] for s in order]
    if all(a < b for a, b in zip(seq, seq[1:])):
        return []  # all in base order (no moves: most submissions), so the run is all of them
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
