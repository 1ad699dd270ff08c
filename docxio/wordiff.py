"""Word-level comparison of two texts of one paragraph.

Used where Track Changes was off: the delegate's text is compared with the base word by word, so
the edits are still heard. Typographic noise (curly vs straight quotes, dash variants, non-breaking
or doubled spaces — what Word's AutoFormat changes on its own) is not an edit.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

#: One-to-one character folds, so offsets in the folded text are offsets in the original.
_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\t": " ",
})


def normalise(text: str) -> str:
    """Text folded for "is this the same proposal?": white space collapsed and trimmed, quotes
    and dashes unified."""
    return " ".join(text.translate(_FOLD).split())


@dataclass(frozen=True)
class Edit:
    """A change that turns ``old`` into ``new``: at character ``at`` of ``old`` remove ``deleted``
    (``old[at:at+len(deleted)]``) and put ``inserted`` there."""

    at: int
    deleted: str
    inserted: str


def tokens(text: str) -> list[str]:
    """Words, white-space runs and single punctuation marks, which concatenate back to ``text``."""
    return _TOKEN.findall(text)


def _comparable(token: str) -> str:
    folded = token.translate(_FOLD)
    return " " if folded.isspace() else folded


@dataclass(frozen=True)
class Comparison:
    """The token alignment of ``old`` and ``new``: the matching character blocks, from which the
    edits and the offset mapping follow."""

    old: str
    new: str
    blocks: tuple[tuple[int, int, int], ...]  # (offset in old, offset in new, length), in order

    def edits(self) -> list[Edit]:
        """The edits that turn ``old`` into ``new``, in order, none empty."""
        found = []
        old_pos = new_pos = 0
        for old_at, new_at, size in (*self.blocks, (len(self.old), len(self.new), 0)):
            if old_at > old_pos or new_at > new_pos:
                found.append(Edit(old_pos, self.old[old_pos:old_at], self.new[new_pos:new_at]))
            old_pos, new_pos = old_at + size, new_at + size
        # A stretch that differs only in white space is typography, not an edit.
        return [e for e in found if normalise(e.deleted) != normalise(e.inserted)]

    def old_offset(self, new_offset: int) -> int:
        """Where character ``new_offset`` of ``new`` sits in ``old``: exact inside matching text, the
        start of the changed stretch otherwise (a change inside changed text lands on its start)."""
        starts = [b[1] for b in self.blocks]
        i = bisect_right(starts, new_offset) - 1
        if i >= 0:
            old_at, new_at, size = self.blocks[i]
            if new_offset <= new_at + size:
                return old_at + (new_offset - new_at)
            return old_at + size
        return 0


def compare(old: str, new: str) -> Comparison:
    """Compare two texts word by word (difflib on tokens, typographic variants equal)."""
    old_tokens, new_tokens = tokens(old), tokens(new)
    matcher = SequenceMatcher(None, [_comparable(t) for t in old_tokens], [_comparable(t) for t in new_tokens], autojunk=False)
    old_starts = _starts(old_tokens)
    new_starts = _starts(new_tokens)
    blocks = []
    for a, b, size in matcher.get_matching_blocks():
        if size == 0:
            continue
        # Matching tokens may differ only in typography (same length by construction of _FOLD,
        # except collapsed spaces): keep blocks token by token where lengths differ.
        for k in range(size):
            ta, tb = old_tokens[a + k], new_tokens[b + k]
            if len(ta) == len(tb):
                _extend(blocks, old_starts[a + k], new_starts[b + k], len(ta))
            else:  # " " vs "  ": map the common start, leave the rest as a (white space) change
                _extend(blocks, old_starts[a + k], new_starts[b + k], min(len(ta), len(tb)))
    return Comparison(old, new, tuple(blocks))


def _starts(toks: list[str]) -> list[int]:
    starts, pos = [], 0
    for t in toks:
        starts.append(pos)
        pos += len(t)
    return starts


def _extend(blocks: list[tuple[int, int, int]], a: int, b: int, size: int) -> None:
    if blocks and blocks[-1][0] + blocks[-1][2] == a and blocks[-1][1] + blocks[-1][2] == b:
        blocks[-1] = (blocks[-1][0], blocks[-1][1], blocks[-1][2] + size)
    else:
        blocks.append((a, b, size))


def word_edits(old: str, new: str) -> list[Edit]:
    """The word-level edits that turn ``old`` into ``new`` (offsets in ``old``), ignoring typography."""
    return compare(old, new).edits()


def canonical(old: str, edit: Edit) -> Edit:
    """The same pure insertion or deletion written with its white space first.

    " and abuse" after "misuse" and "and abuse " before "by" are one proposal; so that two
    delegations' identical proposals meet at the same offset, a trailing space that repeats the
    character before the edit is moved to the front. Replacements are left as they are.
    """
    at, deleted, inserted = edit.at, edit.deleted, edit.inserted
    if deleted and inserted:
        return edit
    text = inserted or deleted
    while text and at > 0 and text[-1].isspace() and old[at - 1] == text[-1]:
        at -= 1
        text = text[-1] + text[:-1]
    return Edit(at, text if deleted else "", text if inserted else "")


def words(text: str) -> list[str]:
    """The words and punctuation of a text as ``similarity`` compares them (typography folded)."""
    return [t for t in (_comparable(x) for x in tokens(text)) if t != " "]


def similarity_of_words(a: list[str], b: list[str], cutoff: float = 0.0) -> float:
    """``similarity`` on prepared word lists; 0.0 as soon as the cheap upper bounds show the
    result would be below ``cutoff`` (aligning long unrelated files stays fast)."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
        return 0.0
    return matcher.ratio()


def similarity(a: str, b: str) -> float:
    """How alike two paragraphs are, 0..1, on their words (typography ignored)."""
    return similarity_of_words(words(a), words(b))
