"""The two views of a draft across paragraph marks: original (all changes rejected) and current
(all changes accepted), with the mapping back to the physical paragraphs.

A physical paragraph whose mark was INSERTED did not end a paragraph in the original: rejecting
the change joins it with the next one. A paragraph whose mark was DELETED no longer ends a
paragraph in the current text: accepting joins it with the next. So "PP3 split in two by Iran" is
one original paragraph over two physical ones, and "OP4 and OP5 merged" one current paragraph
over two. Joins never cross a story (or a note, header, comment) boundary.

Each ``ViewParagraph`` says which stretch of its text comes from which physical paragraph
(``segments``), and ``locate`` finds the physical paragraph and offset of any character.
Consolidation joins a submission's paragraphs itself (``docxio.submission_paragraphs``), because
it must tell this round's new paragraph marks from those earlier rounds left in the base.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from docxio.model import Draft, Paragraph, Span


@dataclass(frozen=True)
class ViewSegment:
    """The part of a view paragraph's text, ``text[start:end]``, that physical paragraph
    ``paragraph`` (its ``Paragraph.index`` in the story) contributes."""

    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class ViewParagraph:
    """One paragraph of a view: its text and the physical paragraphs it is made of.

    Physical paragraphs are joined without a separator: a paragraph mark that is not there in this
    view leaves nothing between the two texts, as in Word after accepting or rejecting it.
    """

    story: str
    story_id: str | None
    text: str
    segments: tuple[ViewSegment, ...]

    @property
    def paragraphs(self) -> tuple[int, ...]:
        """Indexes of the physical paragraphs this view paragraph is made of, in order."""
        return tuple(s.paragraph for s in self.segments)

    def locate(self, offset: int) -> tuple[int, int]:
        """(physical paragraph index, offset in that paragraph's view text) of ``text[offset]``.

        An offset at a segment boundary belongs to the next segment; the end of the text to the
        last one.
        """
        if not self.segments:
            raise ValueError("an empty view paragraph has no offsets")
        starts = [s.start for s in self.segments]
        i = max(0, bisect_right(starts, offset) - 1)
        segment = self.segments[i]
        return segment.paragraph, offset - segment.start


def _join(
    paragraphs: Sequence[Paragraph],
    text_of: Callable[[Paragraph], str],
    joins_next: Callable[[Paragraph], bool],
) -> list[ViewParagraph]:
    views: list[ViewParagraph] = []
    group: list[Paragraph] = []

    def close() -> None:
        segments, texts, at = [], [], 0
        for p in group:
            text = text_of(p)
            segments.append(ViewSegment(p.index, at, at + len(text)))
            texts.append(text)
            at += len(text)
        first = group[0]
        views.append(ViewParagraph(first.story, first.story_id, "".join(texts), tuple(segments)))
        group.clear()

    for i, p in enumerate(paragraphs):
        if group and (group[-1].story, group[-1].story_id) != (p.story, p.story_id):
            close()
        group.append(p)
        if not joins_next(p):
            close()
    if group:
        close()
    return views


def original_paragraphs(draft: Draft | Sequence[Paragraph]) -> list[ViewParagraph]:
    """The paragraphs of the ORIGINAL view (every change rejected), in reading order.

    Accepts a ``Draft`` (all stories) or a sequence of paragraphs (e.g. ``draft.body()``).
    """
    paragraphs = draft.paragraphs if isinstance(draft, Draft) else draft
    return _join(paragraphs, lambda p: p.original, lambda p: p.mark_inserted is not None)


def current_paragraphs(draft: Draft | Sequence[Paragraph]) -> list[ViewParagraph]:
    """The paragraphs of the CURRENT view (every change accepted), in reading order.

    Accepts a ``Draft`` (all stories) or a sequence of paragraphs (e.g. ``draft.body()``).
    """
    paragraphs = draft.paragraphs if isinstance(draft, Draft) else draft
    return _join(paragraphs, lambda p: p.current, lambda p: p.mark_deleted is not None)


@dataclass(frozen=True)
class SpanPosition:
    """Where a span's text sits in its paragraph's two texts: ``original`` is its offset in
    ``Paragraph.original`` (None when the span was inserted, so it is not there), ``current`` its
    offset in ``Paragraph.current`` (None when it was deleted)."""

    span: Span
    original: int | None
    current: int | None


def span_positions(paragraph: Paragraph) -> list[SpanPosition]:
    """Each span of a physical paragraph with its offsets in the original and current texts: the
    mapping between the two views ("Iran replaced original[12:40] by current[12:33]")."""
    positions, original, current = [], 0, 0
    for span in paragraph.spans:
        in_original, in_current = span.inserted is None, span.deleted is None
        positions.append(SpanPosition(span, original if in_original else None, current if in_current else None))
        if in_original:
            original += len(span.text)
        if in_current:
            current += len(span.text)
    return positions
