"""Paragraphs and revisions while a story is being read, and their freezing into the model.

The walker (``docxio.story_walker``) appends text to a ``RawParagraph`` a run at a time and to each
``PendingRevision`` in force; once every part is read, ``freeze`` builds the model's frozen
``Paragraph``, ``Span`` and ``Revision`` values (``docxio.model``) — each once, revisions shared
by every span they cover.

Both classes are plain classes with slots, and the model values are built by filling their
fields directly: one of each is made per paragraph and revision of every part of every
submission, and the cost of dataclass defaults, frozen-dataclass constructors and the garbage
collector's passes over them dominated reading in ``make bench``.
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Iterable

from lxml import etree

from docxio.model import ListLabel, Paragraph, Revision, Span
from docxio.ooxml import W_AUTHOR, W_DATE, W_ID
from docxio.run_format import PLAIN

__all__ = ["PendingRevision", "RawParagraph", "forget_shared_paragraphs", "freeze", "revision_from"]


class PendingRevision:
    """A revision whose text is still being read. Identity matters (spans point at it), so two
    revisions with equal fields are still two revisions (no value equality). A plain class with
    slots: one is made per revision element, and a dataclass's default factory made that slow."""

    __slots__ = ("type", "author", "date", "id", "move_name", "parts", "content", "frozen")

    def __init__(self, kind: str, author: str, date: str | None, rev_id: str, move_name: str | None = None) -> None:
        self.type = kind
        self.author = author
        self.date = date
        self.id = rev_id
        self.move_name = move_name
        self.parts: list[str] = []
        #: Something besides text (a note reference, a picture, a paragraph mark, a property
        #: change) makes the revision real even without text; see ``is_real``.
        self.content = False
        self.frozen: Revision | None = None

    def is_real(self) -> bool:
        """False for LibreOffice's empty w:ins holding only a comment mark or an empty run: it
        inserts nothing a reader sees, so it is no revision."""
        return self.content or any(self.parts)

    def freeze(self) -> Revision:
        """The model value, made once so every span shares the same object."""
        if self.frozen is None:
            self.frozen = _new_revision(
                self.type, self.author, self.date, self.id, "".join(self.parts), self.move_name
            )
        return self.frozen


def revision_from(el: etree._Element, kind: str, move_name: str | None = None) -> PendingRevision:
    """A revision of type ``kind`` read from a revision element's author, date and id."""
    return PendingRevision(kind, el.get(W_AUTHOR, ""), el.get(W_DATE), el.get(W_ID, ""), move_name)


class RawParagraph:
    """A paragraph being read: pieces of text with their revision state, before freezing.

    A plain class with slots rather than a dataclass, and its revision list made only when the
    paragraph has one: one is made per paragraph of every part of every submission, and every
    container it holds until the draft is built is more work for the garbage collector (which
    was a third of reading time in the merge benchmark). ``finish`` joins each piece's text in
    place once the walk is done; ``original`` and ``current`` (what ``docxio.identification``
    reads) and the frozen spans use those texts.
    """

    __slots__ = (
        "index", "story", "story_id", "element", "in_table", "style", "pieces", "revisions",
        "mark_inserted", "mark_deleted", "comment_ids", "hidden", "list_label",
    )

    def __init__(
        self, index: int, story: str, story_id: str | None, element: etree._Element, in_table: bool
    ) -> None:
        self.index = index
        self.story = story
        self.story_id = story_id
        self.element = element
        self.in_table = in_table
        self.style: str | None = None
        #: [text parts, inserted, deleted, format, footnote id, comment ids]; after ``finish`` the
        #: text parts are one string.
        self.pieces: list[list] = []
        self.revisions: list[PendingRevision] | tuple[()] = ()
        self.mark_inserted: PendingRevision | None = None
        self.mark_deleted: PendingRevision | None = None
        self.comment_ids: dict[str, None] = {}
        self.hidden = False  # a footnote separator: counted, not shown
        self.list_label: ListLabel | None = None

    def add_revision(self, rev: PendingRevision) -> None:
        """Record a revision touching the paragraph, in document order."""
        if self.revisions:
            self.revisions.append(rev)  # type: ignore[union-attr]  # non-empty: the list
        else:
            self.revisions = [rev]

    def add_revisions(self, revisions: Iterable[PendingRevision]) -> None:
        """Record several revisions, in document order."""
        for rev in revisions:
            self.add_revision(rev)

    def finish(self) -> None:
        """Join each piece's text parts into one string, once (the walk appends text a run at a
        time); the lists of parts are freed at once."""
        for piece in self.pieces:
            piece[0] = "".join(piece[0])

    @property
    def original(self) -> str:
        """The paragraph's text with every change rejected (``Paragraph.original``)."""
        return "".join([piece[0] for piece in self.pieces if piece[1] is None])

    @property
    def current(self) -> str:
        """The paragraph's text with every change accepted (``Paragraph.current``)."""
        return "".join([piece[0] for piece in self.pieces if piece[2] is None])



# --- freezing into the model -------------------------------------------------------------------



def _can_fill_directly(cls: type, names: tuple[str, ...]) -> bool:
    """Whether ``cls`` may be built by filling its instance dict: a plain dataclass with a
    __dict__, no __post_init__, and exactly the fields ``names`` in that order (checked once, so
    a model change falls back to the constructor instead of building a wrong object)."""
    return (
        dataclasses.is_dataclass(cls)
        and not hasattr(cls, "__post_init__")
        and "__slots__" not in vars(cls)
        and tuple(f.name for f in dataclasses.fields(cls)) == names
    )


# Why not ``Span(...)``: a frozen dataclass's __init__ sets each field through
# ``object.__setattr__``, which made building spans, revisions and paragraphs cost as much as
# lxml's whole parse in ``make bench`` (thousands per draft, 193 drafts per merge). Storing the
# fields in the new instance's dict gives the very same object (equality, hashing and repr are
# unchanged, and the dict keeps sharing its keys with the other instances) several times faster.
_SPAN_FIELDS = ("text", "inserted", "deleted", "underline", "strike", "bold", "footnote", "comment_ids", "style")
_REVISION_FIELDS = ("type", "author", "date", "id", "text", "move_name")
_PARAGRAPH_FIELDS = (
    "index", "story", "spans", "id", "id_source", "label", "list_label", "style", "mark_inserted",
    "mark_deleted", "revisions", "comment_ids", "story_id", "in_table",
)
_FILL_DIRECTLY = (
    _can_fill_directly(Span, _SPAN_FIELDS)
    and _can_fill_directly(Revision, _REVISION_FIELDS)
    and _can_fill_directly(Paragraph, _PARAGRAPH_FIELDS)
)
_new = object.__new__


def _new_revision(kind: str, author: str, date: str | None, rev_id: str, text: str, move_name: str | None) -> Revision:
    """``Revision(kind, author, date, rev_id, text, move_name)``, built directly (see above)."""
    if not _FILL_DIRECTLY:
        return Revision(kind, author, date, rev_id, text, move_name)
    rev = _new(Revision)
    d = rev.__dict__
    d["type"] = kind
    d["author"] = author
    d["date"] = date
    d["id"] = rev_id
    d["text"] = text
    d["move_name"] = move_name
    return rev


#: Plain paragraph texts up to this length share their spans across drafts (see ``_plain_spans``).
_SHARED_TEXT_LENGTH = 1000
#: How many plain paragraphs are kept to be shared across drafts (see ``_shared_paragraph``):
#: every paragraph of a long base draft, several times over.
_SHARED_PARAGRAPHS = 8192


@lru_cache(maxsize=4096)
def _plain_spans(text: str) -> tuple[Span, ...]:
    """The spans of a paragraph that is one stretch of plain text, shared by every draft that has
    that paragraph: spans are immutable values, and the submissions of a round repeat most of the
    base draft's paragraphs unchanged. Sharing them halves the objects a merge keeps alive, and so
    the garbage collector's work over them (a third of reading time in the merge benchmark)."""
    return (Span(text),)


def _spans(raw: RawParagraph) -> tuple[Span, ...]:
    """The paragraph's pieces as model spans, each revision frozen once and shared."""
    pieces = raw.pieces
    if len(pieces) == 1:
        text, ins, dele, fmt, note, comments = pieces[0]
        if (ins is None and dele is None and note is None and not comments and fmt == PLAIN
                and len(text) <= _SHARED_TEXT_LENGTH):
            return _plain_spans(text)
    if not _FILL_DIRECTLY:
        return tuple(
            Span(text, ins.freeze() if ins is not None else None, dele.freeze() if dele is not None else None,
                 fmt[0], fmt[1], fmt[2], note, comments, fmt[3])
            for text, ins, dele, fmt, note, comments in raw.pieces
        )
    spans = []
    for text, ins, dele, fmt, note, comments in raw.pieces:
        span = _new(Span)
        d = span.__dict__
        d["text"] = text
        d["inserted"] = ins.freeze() if ins is not None else None
        d["deleted"] = dele.freeze() if dele is not None else None
        d["underline"], d["strike"], d["bold"], d["style"] = fmt
        d["footnote"] = note
        d["comment_ids"] = comments
        spans.append(span)
    return tuple(spans)


def freeze(raw: RawParagraph, identified: tuple[str, str, str]) -> Paragraph:
    """The model paragraph, built once: ``identified`` is its (id, id_source, label) from
    ``docxio.identification``."""
    pieces = raw.pieces
    if not raw.revisions and not raw.comment_ids and len(pieces) <= 1:
        # No revision (so no inserted or deleted mark either) and at most one stretch of plain
        # text: the value every submission of the round has for this base paragraph (see
        # _shared_paragraph). Checked inline: this runs for every paragraph of every submission.
        text = ""
        if pieces:
            text, ins, dele, fmt, note, comments = pieces[0]
            plain = ins is None and dele is None and note is None and not comments and fmt == PLAIN
        else:
            plain = True
        if plain and len(text) <= _SHARED_TEXT_LENGTH:
            return _shared_paragraph(raw.index, raw.story, raw.story_id, text, identified, raw.list_label,
                                     raw.style, raw.in_table)
    return _paragraph(raw, identified, _spans(raw))


@lru_cache(maxsize=_SHARED_PARAGRAPHS)
def _shared_paragraph(
    index: int, story: str, story_id: str | None, text: str, identified: tuple[str, str, str],
    list_label: ListLabel | None, style: str | None, in_table: bool,
) -> Paragraph:
    """A plain paragraph (one stretch of text, no revision, no comment), shared by every draft
    that has the same one at the same place: paragraphs are immutable values, and a round's
    submissions repeat most of the base draft's paragraphs unchanged. Sharing them saves building
    one per submission, and the garbage collector's passes over them all."""
    raw = RawParagraph(index, story, story_id, None, in_table)  # type: ignore[arg-type]  # no element kept
    raw.style = style
    raw.list_label = list_label
    return _paragraph(raw, identified, _plain_spans(text) if text else ())


def forget_shared_paragraphs() -> None:
    """Empty the caches of paragraphs and spans shared across drafts: for a benchmark that times
    a first reading of a round."""
    _shared_paragraph.cache_clear()
    _plain_spans.cache_clear()


def _paragraph(raw: RawParagraph, identified: tuple[str, str, str], spans: tuple[Span, ...]) -> Paragraph:
    """The model paragraph of ``raw`` with ``identified`` and ``spans``."""
    mark_inserted = raw.mark_inserted.freeze() if raw.mark_inserted is not None else None
    mark_deleted = raw.mark_deleted.freeze() if raw.mark_deleted is not None else None
    revisions = tuple([r.freeze() for r in raw.revisions if r.is_real()]) if raw.revisions else ()
    comment_ids = tuple(raw.comment_ids) if raw.comment_ids else ()
    if not _FILL_DIRECTLY:
        return Paragraph(
            index=raw.index, story=raw.story, spans=spans, id=identified[0], id_source=identified[1],
            label=identified[2], list_label=raw.list_label, style=raw.style, mark_inserted=mark_inserted,
            mark_deleted=mark_deleted, revisions=revisions, comment_ids=comment_ids, story_id=raw.story_id,
            in_table=raw.in_table,
        )
    paragraph = _new(Paragraph)
    d = paragraph.__dict__
    d["index"] = raw.index
    d["story"] = raw.story
    d["spans"] = spans
    d["id"], d["id_source"], d["label"] = identified
    d["list_label"] = raw.list_label
    d["style"] = raw.style
    d["mark_inserted"] = mark_inserted
    d["mark_deleted"] = mark_deleted
    d["revisions"] = revisions
    d["comment_ids"] = comment_ids
    d["story_id"] = raw.story_id
    d["in_table"] = raw.in_table
    return paragraph

