"""What earlier rounds leave in a round: their changes in the base, and older drafts delegates
still work on.

* A base draft may be an earlier round's consolidated draft, with that round's tracked changes
  and comments in it. A submission made on it carries them too: ``KnownChanges`` recognises them,
  so only new changes are the submitter's proposals.
* Each base paragraph knows its texts in earlier drafts (``with_earlier``): the base with its
  tracked changes rejected, and any earlier base given to ``consolidate``.
* A delegation may mark up an older round's draft: ``older_round`` recognises the submission by
  its texts, and ``onto_current_text`` places the edits it makes there on the current base.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from docxio.alignment import AlignItem, BaseIndex, align
from docxio.base_paragraphs import BaseParagraph, align_items, aligned_id
from docxio.model import Comment, Draft, Revision
from docxio.wordiff import Edit, compare, normalise

__all__ = ["KnownChanges", "known_changes", "older_round", "onto_current_text", "with_earlier"]

#: A revision's type as the same change may be recorded again: a moved or paragraph-mark
#: insertion is an insertion, and so on.
_FAMILY = {"move_to": "insert", "move_from": "delete", "paragraph_insert": "insert", "paragraph_delete": "delete"}


@dataclass(frozen=True)
class KnownChanges:
    """The revisions and comments of the base, to recognise them in a submission."""

    revisions: dict[tuple[str, str, str | None], list[str]]
    comments: set[tuple[str, str | None, str]]

    def has_revision(self, rev: Revision) -> bool:
        """Whether the revision is one of the base's (an earlier round's change)."""
        texts = self.revisions.get((_FAMILY.get(rev.type, rev.type), rev.author, rev.date))
        if texts is None:
            return False
        # Word may split or join revision elements when it re-saves; same author, date and
        # overlapping text is the same change.
        return not rev.text or any(rev.text in t or t in rev.text for t in texts)

    def has_comment(self, comment: Comment) -> bool:
        """Whether the comment is one of the base's (same author, date and words)."""
        return (comment.author, comment.date, normalise(comment.text)) in self.comments


def known_changes(base: Draft) -> KnownChanges:
    """The revisions and comments already in the base draft."""
    revisions: dict[tuple[str, str, str | None], list[str]] = {}

    def add(rev: Revision | None) -> None:
        if rev is not None:
            revisions.setdefault((_FAMILY.get(rev.type, rev.type), rev.author, rev.date), []).append(rev.text)

    for p in base.paragraphs:
        for rev in p.revisions:
            add(rev)
        add(p.mark_inserted)
        add(p.mark_deleted)
        for s in p.spans:
            add(s.inserted)
            add(s.deleted)
    comments = {(c.author, c.date, normalise(c.text)) for c in base.comments}
    return KnownChanges(revisions, comments)


def with_earlier(base_paras: list[BaseParagraph], base: Draft, earlier: Sequence[Draft]) -> list[BaseParagraph]:
    """The base paragraphs with their texts in earlier drafts: the base's own original view (when
    it carries an earlier round's tracked changes) and each earlier base, aligned paragraph by
    paragraph."""
    versions: dict[int, list[tuple[str, str]]] = {b: [] for b in range(len(base_paras))}
    for b, bp in enumerate(base_paras):
        if bp.paragraph.original != bp.text:
            versions[b].append((f"{base.file} with its tracked changes rejected", bp.paragraph.original))
    if earlier:
        index = BaseIndex.of(align_items(base_paras, with_earlier=False))
        for draft in earlier:
            body = [p for p in draft.body() if p.current.strip()]
            items = [AlignItem(aligned_id(p), (p.current,)) for p in body]
            for s, b in align(index, items).matched.items():
                versions[b].append((draft.file, body[s].current))
    return [BaseParagraph(bp.index, bp.paragraph, bp.text, tuple(versions[b])) for b, bp in enumerate(base_paras)]


def older_round(
    befores: Sequence[str], matched: dict[int, int], base_paras: list[BaseParagraph], names: Sequence[str]
) -> tuple[str, int] | None:
    """The earlier draft a submission was made on, and in how many paragraphs that shows, when
    its text matches that draft better than the current base; None otherwise. ``befores`` are the
    texts the delegate started from, by submission paragraph; ``matched`` maps those paragraphs to
    base paragraphs; ``names`` are the earlier drafts the base paragraphs know."""
    best = None
    for name in names:
        older = current = 0
        for k, b in matched.items():
            earlier = next((t for n, t in base_paras[b].earlier if n == name), None)
            if earlier is None:
                continue
            before, now, then = normalise(befores[k]), normalise(base_paras[b].text), normalise(earlier)
            if now == then:
                continue
            older += before == then
            current += before == now
        if older > current and (best is None or older > best[1]):
            best = (name, older)
    return best


def onto_current_text(base_text: str, reference_text: str, edits: list[Edit]) -> list[Edit]:
    """Edits made on an older text of a paragraph (``reference_text``), placed on its current
    text; those that come to change nothing there are dropped."""
    mapping = compare(base_text, reference_text)
    placed = []
    for edit in edits:
        at = mapping.old_offset(edit.at)
        end = max(at, mapping.old_offset(edit.at + len(edit.deleted)))
        placed.append(Edit(at, base_text[at:end], edit.inserted))
    return [e for e in placed if normalise(e.deleted) != normalise(e.inserted)]
