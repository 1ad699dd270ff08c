"""The domain model of a marked-up draft, as Word shows it to a delegate.

Values only: nothing here knows about XML. The reader (``docxio.reader``) builds these from a
package; consolidation and the writer consume them.

A ``Draft`` is a list of physical paragraphs (one per ``w:p``) in reading order, per story (body,
footnote, endnote, header, footer, comment). Each paragraph is a sequence of ``Span``s, each span a
run of text with the revision that inserted it and/or the revision that deleted it. The two views
a reader needs follow from that:

* original view: spans not inserted (all changes rejected);
* current view: spans not deleted (all changes accepted).

Paragraph marks can be inserted or deleted too (``mark_inserted`` / ``mark_deleted``), which
splits or joins paragraphs between the two views: ``views.original_paragraphs`` and
``views.current_paragraphs`` do that joining.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Revision types, the stable names used in ``concord inspect --json``.
REVISION_TYPES = (
    "insert",
    "delete",
    "move_from",
    "move_to",
    "format",
    "paragraph_insert",
    "paragraph_delete",
    "paragraph_format",
    "table",
    "section",
    "numbering",
)

#: Stories (parts of the document a paragraph can live in).
STORIES = ("body", "footnote", "endnote", "header", "footer", "comment")


@dataclass(frozen=True)
class Revision:
    """One tracked change as Word records it.

    ``date`` is the ISO 8601 text from the file, or None when Word scrubbed it. ``author`` is kept
    exactly as written ("Author", "" included). ``move_name`` pairs a move_from with its move_to.
    ``text`` is the revision's text as Word shows it (empty for format/table/section changes).
    """

    type: str
    author: str
    date: str | None
    id: str
    text: str = ""
    move_name: str | None = None


@dataclass(frozen=True)
class Span:
    """A stretch of paragraph text with one revision state and the formatting that matters to us.

    ``inserted`` is the w:ins / w:moveTo revision that added the text (None if base text);
    ``deleted`` the w:del / w:moveFrom revision that removed it (None if still present). Text
    inserted by A and deleted by B has both. ``underline`` / ``strike`` / ``bold`` are the
    visible run formatting (compilation texts mark proposals that way). ``footnote`` is the id of a
    footnote whose reference sits here (text is then the footnote mark, empty).
    ``comment_ids`` are the comments whose range covers this span. ``style`` is the character
    style id of its run (a compilation text marks the passage a stance note is on with one).
    """

    text: str
    inserted: Revision | None = None
    deleted: Revision | None = None
    underline: bool = False
    strike: bool = False
    bold: bool = False
    footnote: str | None = None
    comment_ids: tuple[str, ...] = ()
    #: The run's character style id (w:rStyle), e.g. "ConcordStancePassage"; None when unstyled.
    style: str | None = None


@dataclass(frozen=True)
class ListLabel:
    """What list numbering shows before a paragraph: ``text`` as the reader sees it ("4.", "(a)")
    and the level (0-based) and number id it came from."""

    text: str
    level: int
    num_id: str
    ordinal: int


@dataclass(frozen=True)
class Paragraph:
    """One physical paragraph (w:p) of a story.

    ``id`` is the canonical paragraph identifier ("PP3 bis", "OP4", "OP3 (a)") or a structural one
    ("title", "chapeau", "P7") when the paragraph has none; ``id_source`` says where it came from:
    "typed" (a label typed at the start), "numbering" (list numbering), "structural", "new" (a
    paragraph only in the current view) or "moved" (the destination of a tracked move: it keeps
    the identifier of the paragraph moved).
    ``label`` is the identifier text as it appears at the start of the paragraph ("PP3 bis.") —
    empty for numbered or unlabelled paragraphs. ``list_label`` is the list number Word shows,
    evaluated on the original view. ``mark_inserted`` / ``mark_deleted`` are the paragraph-mark
    revisions. ``revisions`` lists every revision touching the paragraph (text, mark, format), in
    document order. ``story_id`` identifies the note, header or comment the paragraph belongs to.
    """

    index: int
    story: str
    spans: tuple[Span, ...]
    id: str = ""
    id_source: str = "structural"
    label: str = ""
    list_label: ListLabel | None = None
    style: str | None = None
    mark_inserted: Revision | None = None
    mark_deleted: Revision | None = None
    revisions: tuple[Revision, ...] = ()
    comment_ids: tuple[str, ...] = ()
    story_id: str | None = None
    in_table: bool = False

    @property
    def original(self) -> str:
        """Text with every change rejected."""
        return "".join(s.text for s in self.spans if s.inserted is None)

    @property
    def current(self) -> str:
        """Text with every change accepted."""
        return "".join(s.text for s in self.spans if s.deleted is None)


@dataclass(frozen=True)
class Comment:
    """A Word comment. ``anchor`` is the exact text the comment range covers ("" for a point
    comment); ``paragraphs`` the body paragraph indexes it is anchored on; ``parent`` the id of the
    comment it replies to; ``resolved`` Word's "done" flag."""

    id: str
    author: str
    initials: str
    date: str | None
    text: str
    anchor: str = ""
    paragraphs: tuple[int, ...] = ()
    parent: str | None = None
    resolved: bool = False
    #: ``w14:paraId`` of the comment's last paragraph (the key of Word's threads) and the durable
    #: id of commentsIds.xml; the writer needs them to keep threads when it copies a comment.
    para_id: str | None = None
    durable_id: str | None = None


@dataclass(frozen=True)
class Draft:
    """Everything the reader found in one .docx: paragraphs of every story, comments, facts."""

    file: str
    producer: str
    paragraphs: tuple[Paragraph, ...]
    comments: tuple[Comment, ...] = ()
    authors: tuple[str, ...] = ()
    core_properties: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    has_macros: bool = False

    def body(self) -> tuple[Paragraph, ...]:
        """The paragraphs of the main document, in reading order."""
        return tuple(p for p in self.paragraphs if p.story == "body")

    def comment(self, comment_id: str) -> Comment | None:
        """The comment with that id, or None."""
        return next((c for c in self.comments if c.id == comment_id), None)
