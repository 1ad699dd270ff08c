"""A submission's paragraphs as the delegate sees them against the base.

Each body paragraph of a submission is read into pieces: text kept from the draft the delegate
started from, text newly inserted, text newly deleted (changes an earlier round left in the base
are not the delegate's: text it inserted counts as kept, text it deleted is gone). A new
paragraph mark (a split) joins the physical paragraph with the next one, so a
``SubmissionParagraph`` is compared with one base paragraph as a whole.
"""
from __future__ import annotations

from typing import NamedTuple

from docxio.compilation import proposed_in_compilation
from docxio.earlier_rounds import KnownChanges
from docxio.model import Draft, Paragraph, Revision

__all__ = ["Piece", "SubmissionParagraph", "UnchangedParagraphs", "submission_paragraphs"]


class Piece(NamedTuple):
    """A span of a submission paragraph seen against the base: ``state`` is "keep" (in the text
    the delegate started from and still there), "ins" (new insertion), "del" (new deletion).
    A named tuple: one is made per paragraph of every submission, three times cheaper than a
    frozen dataclass."""

    text: str
    state: str
    rev: Revision | None
    footnote: str | None = None
    old_insert: bool = False  # text an earlier round inserted (deleting it is a stance)


class SubmissionParagraph:
    """A submission paragraph (physical paragraphs joined across new paragraph marks), with the
    text the delegate started from (``before``: earlier rounds accepted, new changes rejected)
    and the text they propose (``after``: every change accepted)."""

    __slots__ = ("paragraphs", "pieces", "before", "after", "is_new", "is_deleted", "splits", "plain")

    def __init__(self, paragraphs: list[Paragraph], pieces: list[Piece],
                 splits: tuple[tuple[str, Revision], ...] = ()) -> None:
        self.paragraphs = paragraphs
        self.pieces = pieces
        #: New paragraph marks inside it: the text that would start the second part, and the mark.
        self.splits = splits
        #: One kept piece and no revision at all (not even formatting): nothing to propose unless
        #: its text differs from the base. Most paragraphs of most submissions.
        self.plain = False
        if len(pieces) == 1 and pieces[0].state == "keep":  # unchanged: most paragraphs
            self.before = self.after = pieces[0].text
            self.is_new = self.is_deleted = False
            self.plain = not splits and (not paragraphs[0].revisions if len(paragraphs) == 1
                                         else not any(p.revisions for p in paragraphs))
            return
        self.before = "".join(p.text for p in pieces if p.state != "ins")
        self.after = "".join(p.text for p in pieces if p.state != "del")
        # Wholly inserted by a new revision: a new (or moved-here) paragraph.
        self.is_new = not self.before.strip() and bool(self.after.strip()) and bool(self.new_revisions("ins"))
        # Wholly deleted by a new revision: a paragraph deletion (or moved away).
        self.is_deleted = not self.after.strip() and bool(self.before.strip()) and bool(self.new_revisions("del"))

    @property
    def first(self) -> Paragraph:
        """The first physical paragraph (whose identifier the joined paragraph has)."""
        return self.paragraphs[0]

    def new_revisions(self, state: str) -> list[Revision]:
        """The revisions of the new pieces in ``state`` ("ins" or "del") that hold text."""
        return [p.rev for p in self.pieces if p.state == state and p.rev is not None and p.text.strip()]


def _pieces(paragraph: Paragraph, known: KnownChanges) -> list[Piece]:
    """The paragraph's spans as kept, newly inserted and newly deleted pieces."""
    spans = paragraph.spans
    if not paragraph.revisions:
        if len(spans) == 1:  # one run of text, or several with the same formatting: most paragraphs
            span = spans[0]
            if span.inserted is None and span.deleted is None and span.footnote is None:
                return [Piece(span.text, "keep", None)]
        elif all(s.inserted is None and s.deleted is None and s.footnote is None for s in spans):
            return [Piece("".join(s.text for s in spans), "keep", None)]
    pieces = []
    for index, span in enumerate(paragraph.spans):
        ins_new = span.inserted is not None and not known.has_revision(span.inserted)
        del_old = span.deleted is not None and known.has_revision(span.deleted)
        if del_old or (ins_new and span.deleted is not None):
            continue  # gone before this round, or typed and removed again: in neither text
        if span.deleted is not None:
            # An earlier round's proposal: a tracked insertion of the base, or attributed text of
            # a compilation base ("and abuse (Singapore)").
            earlier = span.inserted is not None or proposed_in_compilation(paragraph.spans, index)
            pieces.append(Piece(span.text, "del", span.deleted, span.footnote, earlier))
        elif ins_new:
            pieces.append(Piece(span.text, "ins", span.inserted, span.footnote))
        else:
            pieces.append(Piece(span.text, "keep", None, span.footnote))
    return pieces


class UnchangedParagraphs:
    """The ``SubmissionParagraph`` of each plain paragraph met in a round, made once.

    The reader shares one ``Paragraph`` object among all the drafts that have the same plain
    paragraph (one stretch of text, no revision, no comment) at the same place
    (``docxio.raw_paragraphs``): most paragraphs of most submissions. Its submission paragraph is
    the same value for every submission read against the same earlier changes, so it is built
    once. Kept by the round being read (``docxio.submission_reading.RoundContext``), not globally:
    it lives as long as that round's drafts. Entries are keyed by the paragraph's identity and
    hold the paragraph, so a key is never reused for another paragraph while the entry lives.
    """

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: dict[int, tuple[Paragraph, SubmissionParagraph]] = {}

    def of(self, paragraph: Paragraph, known: KnownChanges) -> SubmissionParagraph:
        """The submission paragraph of ``paragraph`` on its own (``known``: the round's earlier
        changes, the same for every call on one instance)."""
        found = self._found.get(id(paragraph))
        if found is not None and found[0] is paragraph:
            return found[1]
        made = SubmissionParagraph([paragraph], _pieces(paragraph, known))
        if made.plain and paragraph.mark_inserted is None:
            # Only plain ones are shared between drafts; others are met once and not kept.
            self._found[id(paragraph)] = (paragraph, made)
        return made


def submission_paragraphs(draft: Draft, known: KnownChanges,
                          unchanged: UnchangedParagraphs | None = None) -> list[SubmissionParagraph]:
    """Body paragraphs as the delegate sees them; a paragraph whose mark is a new insertion (a
    split) is joined with the next one unless either is a wholly new paragraph. ``unchanged``,
    given when many submissions are read against one round, shares the submission paragraphs of
    paragraphs those submissions have in common (the result is the same either way; nothing in
    it is changed after it is made, so sharing is safe)."""
    paras: list[SubmissionParagraph] = []
    pending: SubmissionParagraph | None = None
    for paragraph in draft.body():
        current = (SubmissionParagraph([paragraph], _pieces(paragraph, known)) if unchanged is None
                   else unchanged.of(paragraph, known))
        if pending is not None and not current.is_new:
            split = (current.after, pending.paragraphs[-1].mark_inserted)
            current = SubmissionParagraph([*pending.paragraphs, paragraph], [*pending.pieces, *current.pieces],
                                          (*pending.splits, split))
        elif pending is not None:
            paras.append(pending)
        pending = None
        mark = paragraph.mark_inserted
        if mark is not None and not known.has_revision(mark) and not current.is_new:
            pending = current
        else:
            paras.append(current)
    if pending is not None:
        paras.append(pending)
    return paras

