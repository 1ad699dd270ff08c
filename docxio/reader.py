"""Read a delegate's .docx into a ``Draft``: every paragraph of every story, as Word shows it.

One pass per story part over the lxml tree, in document order, dispatching on the element's tag:

* text is w:t, w:delText and math m:t; a w:sym or a non-breaking hyphen is one character; tabs
  and breaks are white space; field codes (instrText, and anything between a field's ``begin``
  and ``separate``) are not text, field results are;
* w:ins / w:del / w:moveFrom / w:moveTo wrap text in a revision (nesting kept: text inserted by A
  and deleted by B carries both); run, paragraph, numbering, section and table property changes
  are revisions of their own; paragraph-mark insertions and deletions (w:ins / w:del in the
  paragraph's w:rPr) split and join paragraphs between the original and current views;
* tables, text boxes (mc:Choice, never mc:Fallback), content controls, hyperlinks, smart tags,
  custom XML, simple fields and math are walked into; text-box paragraphs are paragraphs of their
  own, numbered in ``ooxml.story_paragraphs`` order like every other;
* comment ranges are followed across paragraphs to give each comment its anchor text;
* anything else is skipped, and said so in ``Draft.warnings``.

``Paragraph.index`` counts ``ooxml.story_paragraphs`` of the PART the paragraph is in (the writer
finds the same w:p again with it): document.xml for the body, footnotes.xml for every footnote,
each header/footer part on its own. ``story_id`` names the note or comment (its w:id) or the
header/footer part ("word/header1.xml"). Footnote separators are counted but not listed.
Paragraphs outside the body keep a structural id, "footnote:<id>:P<index>"; body paragraphs get
theirs from ``docxio.identification``.

Layering: package (bytes, safe parsing) -> ooxml (names) -> this module -> model (no XML).
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from lxml import etree

from docxio import ooxml
from docxio.comments import build_comments, comment_headers, comment_threads
from docxio.errors import InvalidXmlError
from docxio.model import ListLabel, Paragraph, Revision, Span, Draft
from docxio.ooxml import (
    M,
    MC_ALTERNATE_CONTENT,
    MC_CHOICE,
    MC_FALLBACK,
    M_R,
    M_T,
    W_AUTHOR,
    W_B,
    W_BDO,
    W_BR,
    W_CELL_DEL,
    W_CELL_INS,
    W_CELL_MERGE,
    W_CHAR,
    W_COMMENT,
    W_COMMENT_RANGE_END,
    W_COMMENT_RANGE_START,
    W_COMMENT_REFERENCE,
    W_CR,
    W_CUSTOM_XML,
    W_DATE,
    W_DEL,
    W_DEL_INSTR_TEXT,
    W_DEL_TEXT,
    W_DIR,
    W_DRAWING,
    W_DSTRIKE,
    W_ENDNOTE,
    W_ENDNOTE_REFERENCE,
    W_FLD_CHAR,
    W_FLD_CHAR_TYPE,
    W_FLD_SIMPLE,
    W_FOOTNOTE,
    W_FOOTNOTE_REFERENCE,
    W_HYPERLINK,
    W_ID,
    W_INS,
    W_INSTR_TEXT,
    W_MOVE_FROM,
    W_MOVE_FROM_RANGE_END,
    W_MOVE_FROM_RANGE_START,
    W_MOVE_TO,
    W_MOVE_TO_RANGE_END,
    W_MOVE_TO_RANGE_START,
    W_NAME,
    W_NO_BREAK_HYPHEN,
    W_NUM_PR,
    W_NUMBERING_CHANGE,
    W_OBJECT,
    W_P,
    W_PICT,
    W_PPR,
    W_PPR_CHANGE,
    W_PSTYLE,
    W_PTAB,
    W_R,
    W_RPR,
    W_RPR_CHANGE,
    W_SDT,
    W_SDT_CONTENT,
    W_SECT_PR,
    W_SECT_PR_CHANGE,
    W_SMART_TAG,
    W_STRIKE,
    W_SYM,
    W_T,
    W_TAB,
    W_TBL,
    W_TBL_GRID,
    W_TBL_GRID_CHANGE,
    W_TBL_PR,
    W_TBL_PR_CHANGE,
    W_TBL_PR_EX,
    W_TBL_PR_EX_CHANGE,
    W_TC,
    W_TC_PR,
    W_TC_PR_CHANGE,
    W_TR,
    W_TR_PR,
    W_TR_PR_CHANGE,
    W_TXBX_CONTENT,
    W_TYPE,
    W_U,
    W_VAL,
    is_on,
    is_underlined,
)
from docxio.package import Package, open_package, parse_xml

# The other engineer's modules: used when present, so the reader works while they are written.
try:
    from docxio import numbering as _numbering
except ImportError:  # pragma: no cover - until docxio/numbering.py lands
    _numbering = None
try:
    from docxio import identification as _identification
except ImportError:  # pragma: no cover - until docxio/identification.py lands
    _identification = None

__all__ = ["read_draft", "read_package"]

_W = ooxml.W

#: Elements that hold nothing a reader sees (or that the walker reads from their parent): skipped
#: without a warning. Properties, bookmarks, proofing marks, permission ranges, note marks...
_SILENT = frozenset(
    f"{{{_W}}}{name}"
    for name in (
        "rPr", "pPr", "bookmarkStart", "bookmarkEnd", "proofErr", "lastRenderedPageBreak",
        "permStart", "permEnd", "sdtPr", "sdtEndPr", "smartTagPr", "customXmlPr", "annotationRef",
        "footnoteRef", "endnoteRef", "separator", "continuationSeparator", "pgNum", "dayShort",
        "monthShort", "yearShort", "dayLong", "monthLong", "yearLong", "softHyphen", "fldData",
        "contentPart", "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart",
        "customXmlDelRangeEnd", "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd",
        "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd", "rubyPr", "rt", "subDoc", "tblPrEx", "background", "rsid",
    )
) | {ooxml.qn("w14:checkbox"), ooxml.qn("w15:footnoteColumns")}

#: Revision types of the property changes found in property containers.
_TABLE_CHANGES = {
    W_TBL_PR_CHANGE: "table",
    W_TBL_GRID_CHANGE: "table",
    W_TBL_PR_EX_CHANGE: "table",
    W_TR_PR_CHANGE: "table",
    W_TC_PR_CHANGE: "table",
    W_CELL_INS: "table",
    W_CELL_DEL: "table",
    W_CELL_MERGE: "table",
    W_INS: "table",  # a row inserted (w:trPr/w:ins)
    W_DEL: "table",  # a row deleted (w:trPr/w:del)
}

_NOTE_SEPARATORS = frozenset(("separator", "continuationSeparator", "continuationNotice"))

#: Run formatting that matters for compilation texts: (underline, strike, bold).
_Format = tuple[bool, bool, bool]
_PLAIN: _Format = (False, False, False)


class _PendingRevision:
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


def _revision_from(el: etree._Element, kind: str, move_name: str | None = None) -> _PendingRevision:
    return _PendingRevision(kind, el.get(W_AUTHOR, ""), el.get(W_DATE), el.get(W_ID, ""), move_name)


class _RawParagraph:
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
        self.revisions: list[_PendingRevision] | tuple[()] = ()
        self.mark_inserted: _PendingRevision | None = None
        self.mark_deleted: _PendingRevision | None = None
        self.comment_ids: dict[str, None] = {}
        self.hidden = False  # a footnote separator: counted, not shown
        self.list_label: ListLabel | None = None

    def add_revision(self, rev: _PendingRevision) -> None:
        """Record a revision touching the paragraph, in document order."""
        if self.revisions:
            self.revisions.append(rev)  # type: ignore[union-attr]  # non-empty: the list
        else:
            self.revisions = [rev]

    def add_revisions(self, revisions) -> None:
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


@dataclass
class _CommentMarks:
    """What the stories say about comments: anchor text, anchored paragraphs, point comments."""

    anchors: dict[str, list[str]] = field(default_factory=dict)
    paragraphs: dict[str, dict[int, None]] = field(default_factory=dict)
    referenced: dict[str, None] = field(default_factory=dict)
    opened: set[str] = field(default_factory=set)

    def anchor_paragraph(self, comment_id: str, index: int) -> None:
        """Record that the comment is anchored on body/story paragraph ``index``."""
        self.paragraphs.setdefault(comment_id, {})[index] = None


class _StoryWalker:
    """Walks one story part (document.xml, footnotes.xml, a header...) in document order.

    The state is the reading position: the paragraph being read, the revisions and fields in
    force, the comment ranges open. It lives only for one part's walk.
    """

    def __init__(
        self, part: str, story: str, root: etree._Element, marks: _CommentMarks, unknown: Counter
    ) -> None:
        self.part = part
        self.story = story
        self.story_id: str | None = part if story in ("header", "footer") else None
        #: The story's paragraphs not read yet, with their index; each is taken out when read.
        self.unread = {p: i for i, p in enumerate(ooxml.story_paragraphs(root))}
        self.marks = marks
        self.unknown = unknown
        self.paragraphs: list[_RawParagraph] = []
        self.current: _RawParagraph | None = None
        self.inserted: _PendingRevision | None = None
        self.deleted: _PendingRevision | None = None
        self.active: tuple[_PendingRevision, ...] = ()  # revisions whose text grows as we read
        self.format: _Format = _PLAIN
        self.in_separator = False  # inside a footnote separator: counted, not shown
        self.fields: list[bool] = []  # one entry per open field: True while in its code
        self.code_depth = 0
        self.open_comments: tuple[str, ...] = ()
        self.move_from: dict[str, str] = {}
        self.move_to: dict[str, str] = {}
        self.pending: list[_PendingRevision] = []  # table/section changes before the next paragraph
        self.table_depth = 0
        self.run_properties = _run_properties(root)

    # -- driving ----------------------------------------------------------------------------

    def read(self, root: etree._Element) -> list[_RawParagraph]:
        """Walk the part; paragraphs the walk could not reach are read on their own (warned)."""
        self._walk(root)
        missed = list(self.unread)
        for p in missed:
            # Inside an element we skipped: its paragraph still counts, and its text is kept.
            self.unknown[f"read a paragraph found inside an unknown element in {self.part}"] += 1
            self._paragraph(p)
        if self.pending and self.paragraphs:
            self.paragraphs[-1].add_revisions(self.pending)
        self.pending = []
        self.paragraphs.sort(key=lambda raw: raw.index)
        for raw in self.paragraphs:
            raw.finish()
        return self.paragraphs

    def _walk(self, el: etree._Element) -> None:
        handlers = _HANDLERS
        for child in el:
            handler = handlers.get(child.tag)
            if handler is not None:
                handler(self, child)
            elif child.tag not in _SILENT:
                self._other(child)

    def _other(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # XML comments and processing instructions
            return
        if tag.startswith("{" + M + "}"):
            # Math: properties end in "Pr"; everything else (m:oMath, m:f, m:e...) holds math text.
            if not tag.endswith("Pr"):
                self._walk(el)
            return
        self.unknown[f"skipped unknown element {ooxml.prefixed(tag)} in {self.part}"] += 1

    # -- paragraphs -------------------------------------------------------------------------

    def _paragraph(self, p: etree._Element) -> None:
        index = self.unread.pop(p, None)
        if index is None:
            return  # read already, or not a paragraph of this story's flow (never in Word's files)
        raw = _RawParagraph(index, self.story, self.story_id, p, self.table_depth > 0)
        raw.hidden = self.in_separator
        if self.pending:
            raw.add_revisions(self.pending)
            self.pending = []
        for comment_id in self.open_comments:
            raw.comment_ids[comment_id] = None
            self.marks.anchor_paragraph(comment_id, index)
        self.paragraphs.append(raw)
        saved = self.current, self.active, self.format
        self.current, self.active, self.format = raw, (), _PLAIN
        handlers = _HANDLERS
        first = True
        for child in p:
            tag = child.tag
            if first and tag == W_PPR:
                self._paragraph_properties(child, raw)
            else:
                handler = handlers.get(tag)
                if handler is not None:
                    handler(self, child)
                elif tag not in _SILENT:
                    self._other(child)
            first = False
        for comment_id in self.open_comments:
            self.marks.anchors.setdefault(comment_id, []).append("\n")
        if self.code_depth:
            # A field code never closed by "separate" or "end" (a damaged file): stop treating
            # what follows as code, or every later paragraph would lose its text.
            self.fields = [False] * len(self.fields)
            self.code_depth = 0
        self.current, self.active, self.format = saved

    def _paragraph_properties(self, ppr: etree._Element, raw: _RawParagraph) -> None:
        for child in ppr:
            tag = child.tag
            if tag == W_PSTYLE:
                raw.style = child.get(W_VAL)
            elif tag == W_RPR:
                for mark in child:
                    kind = mark.tag
                    if kind == W_INS or kind == W_MOVE_TO:
                        rev = self._mark_revision(mark, "paragraph_insert", self.move_to)
                        raw.mark_inserted = rev
                        raw.add_revision(rev)
                    elif kind == W_DEL or kind == W_MOVE_FROM:
                        rev = self._mark_revision(mark, "paragraph_delete", self.move_from)
                        raw.mark_deleted = rev
                        raw.add_revision(rev)
                    elif kind == W_RPR_CHANGE:
                        raw.add_revision(self._property_revision(mark, "format"))
            elif tag == W_PPR_CHANGE:
                raw.add_revision(self._property_revision(child, "paragraph_format"))
            elif tag == W_NUM_PR:
                for num in child:
                    if num.tag == W_NUMBERING_CHANGE or num.tag == W_INS:
                        raw.add_revision(self._property_revision(num, "numbering"))
            elif tag == W_SECT_PR:
                for change in child.iterchildren(W_SECT_PR_CHANGE):
                    raw.add_revision(self._property_revision(change, "section"))

    def _mark_revision(self, el: etree._Element, kind: str, moves: dict[str, str]) -> _PendingRevision:
        name = next(reversed(moves.values()), None) if el.tag in (W_MOVE_FROM, W_MOVE_TO) else None
        rev = _revision_from(el, kind, name)
        rev.content = True
        return rev

    @staticmethod
    def _property_revision(el: etree._Element, kind: str) -> _PendingRevision:
        rev = _revision_from(el, kind)
        rev.content = True
        return rev

    # -- runs and text ----------------------------------------------------------------------

    def _run(self, r: etree._Element) -> None:
        self.format = _PLAIN
        handlers = _HANDLERS
        for child in r:
            tag = child.tag
            if tag == W_T or tag == W_DEL_TEXT:
                text = child.text
                if text:
                    self._emit(text)
            elif tag == W_RPR:
                if child in self.run_properties:  # most runs: fonts and sizes only, plain text
                    self._run_properties(child)
            else:
                handler = handlers.get(tag)
                if handler is not None:
                    handler(self, child)
                elif tag not in _SILENT:
                    self._other(child)
        self.format = _PLAIN

    def _run_properties(self, rpr: etree._Element) -> None:
        found = self.run_properties.get(rpr)
        if found is None:
            return  # nothing we read: fonts, sizes, languages... (the format stays plain)
        self.format, changes = found
        if self.current is not None:
            self.current.add_revisions(self._property_revision(c, "format") for c in changes)

    def _text(self, el: etree._Element) -> None:
        self._emit(el.text or "")

    def _tab(self, el: etree._Element) -> None:
        self._emit("\t")

    def _break(self, el: etree._Element) -> None:
        self._emit("\n")

    def _no_break_hyphen(self, el: etree._Element) -> None:
        self._emit("\u2011")

    def _symbol(self, el: etree._Element) -> None:
        code = el.get(W_CHAR, "")
        try:
            value = int(code, 16)
            # Symbol fonts use the private range F000-F0FF for their 00-FF glyphs.
            char = chr(value - 0xF000 if 0xF020 <= value <= 0xF0FF else value)
        except ValueError:
            char = "\ufffd"
        self._emit(char)

    def _emit(self, text: str) -> None:
        """Add text at the reading position: to the paragraph, the revisions in force and the
        comment ranges open."""
        raw = self.current
        if not text or raw is None or self.code_depth:
            return
        for rev in self.active:
            rev.parts.append(text)
        if self.open_comments:
            anchors = self.marks.anchors
            for comment_id in self.open_comments:
                anchors.setdefault(comment_id, []).append(text)
        pieces = raw.pieces
        if pieces:
            last = pieces[-1]
            if (
                last[1] is self.inserted and last[2] is self.deleted and last[3] == self.format
                and last[4] is None and last[5] == self.open_comments
            ):
                last[0].append(text)
                return
        pieces.append([[text], self.inserted, self.deleted, self.format, None, self.open_comments])

    def _field_code(self, el: etree._Element) -> None:
        """Field codes are not text, but inserting or deleting a field is a real revision."""
        for rev in self.active:
            rev.content = True

    def _field_char(self, el: etree._Element) -> None:
        for rev in self.active:
            rev.content = True
        if self.current is not None:
            # A LISTNUM field's number can change like list numbering (w:fldChar/w:numberingChange).
            for change in el.iterchildren(W_NUMBERING_CHANGE):
                self.current.add_revision(self._property_revision(change, "numbering"))
        kind = el.get(W_FLD_CHAR_TYPE)
        if kind == "begin":
            self.fields.append(True)
            self.code_depth += 1
        elif kind == "separate" and self.fields:
            if self.fields[-1]:
                self.fields[-1] = False
                self.code_depth -= 1
        elif kind == "end" and self.fields:
            if self.fields.pop():
                self.code_depth -= 1

    def _note_reference(self, el: etree._Element) -> None:
        raw = self.current
        if raw is None:
            return
        for rev in self.active:
            rev.content = True
        raw.pieces.append([[], self.inserted, self.deleted, self.format, el.get(W_ID, ""), self.open_comments])

    # -- revisions --------------------------------------------------------------------------

    def _insertion(self, el: etree._Element) -> None:
        move = el.tag == W_MOVE_TO
        name = next(reversed(self.move_to.values()), None) if move else None
        rev = _revision_from(el, "move_to" if move else "insert", name)
        self._track(rev)
        saved = self.inserted, self.active
        self.inserted, self.active = rev, self.active + (rev,)
        self._walk(el)
        self.inserted, self.active = saved

    def _deletion(self, el: etree._Element) -> None:
        move = el.tag == W_MOVE_FROM
        name = next(reversed(self.move_from.values()), None) if move else None
        rev = _revision_from(el, "move_from" if move else "delete", name)
        self._track(rev)
        saved = self.deleted, self.active
        self.deleted, self.active = rev, self.active + (rev,)
        self._walk(el)
        self.deleted, self.active = saved

    def _track(self, rev: _PendingRevision) -> None:
        if self.current is not None:
            self.current.add_revision(rev)
        else:
            self.pending.append(rev)

    def _move_range_start(self, el: etree._Element) -> None:
        ranges = self.move_from if el.tag == W_MOVE_FROM_RANGE_START else self.move_to
        ranges[el.get(W_ID, "")] = el.get(W_NAME, "")

    def _move_range_end(self, el: etree._Element) -> None:
        ranges = self.move_from if el.tag == W_MOVE_FROM_RANGE_END else self.move_to
        ranges.pop(el.get(W_ID, ""), None)

    # -- comments ---------------------------------------------------------------------------

    def _comment_start(self, el: etree._Element) -> None:
        comment_id = el.get(W_ID, "")
        if comment_id in self.open_comments:
            return
        self.open_comments = self.open_comments + (comment_id,)
        self.marks.opened.add(comment_id)
        self.marks.anchors.setdefault(comment_id, [])
        if self.current is not None:
            self.current.comment_ids[comment_id] = None
            self.marks.anchor_paragraph(comment_id, self.current.index)

    def _comment_end(self, el: etree._Element) -> None:
        comment_id = el.get(W_ID, "")
        if comment_id in self.open_comments:
            self.open_comments = tuple(c for c in self.open_comments if c != comment_id)

    def _comment_reference(self, el: etree._Element) -> None:
        comment_id = el.get(W_ID, "")
        self.marks.referenced[comment_id] = None
        if self.current is not None:
            self.current.comment_ids[comment_id] = None
            if comment_id not in self.marks.opened:  # a point comment: anchored where it sits
                self.marks.anchor_paragraph(comment_id, self.current.index)

    # -- containers -------------------------------------------------------------------------

    def _content_control(self, el: etree._Element) -> None:
        for content in el.iterchildren(W_SDT_CONTENT):
            self._walk(content)

    def _alternate_content(self, el: etree._Element) -> None:
        # Word shows the first Choice it understands; every Word since 2010 understands the
        # first one. The Fallback repeats the same content for older readers.
        for choice in el.iterchildren(MC_CHOICE):
            self._walk(choice)
            return

    def _drawing(self, el: etree._Element) -> None:
        """A picture, shape or OLE object: nothing to read but the paragraphs of its text boxes."""
        for rev in self.active:
            rev.content = True
        for box in _text_boxes(el):
            self._walk(box)

    def _table(self, tbl: etree._Element) -> None:
        self.table_depth += 1
        for child in tbl:
            tag = child.tag
            if tag == W_TR:
                self._row(child)
            elif tag == W_TBL_PR or tag == W_TBL_GRID or tag == W_TBL_PR_EX:
                self._table_changes(child)
            else:
                handler = _HANDLERS.get(tag)
                if handler is not None:
                    handler(self, child)
                elif tag not in _SILENT:
                    self._other(child)
        self.table_depth -= 1

    def _row(self, tr: etree._Element) -> None:
        for child in tr:
            tag = child.tag
            if tag == W_TC:
                self._cell(child)
            elif tag == W_TR_PR or tag == W_TBL_PR_EX:
                self._table_changes(child)
            elif tag == W_SDT:  # content controls around cells
                for content in child.iterchildren(W_SDT_CONTENT):
                    self._row(content)
            elif tag == W_CUSTOM_XML:
                self._row(child)
            else:
                handler = _HANDLERS.get(tag)
                if handler is not None:
                    handler(self, child)
                elif tag not in _SILENT:
                    self._other(child)

    def _cell(self, tc: etree._Element) -> None:
        for child in tc:
            if child.tag == W_TC_PR:
                self._table_changes(child)
            else:
                handler = _HANDLERS.get(child.tag)
                if handler is not None:
                    handler(self, child)
                elif child.tag not in _SILENT:
                    self._other(child)

    def _table_changes(self, props: etree._Element) -> None:
        for child in props:
            kind = _TABLE_CHANGES.get(child.tag)
            if kind is not None:
                self.pending.append(self._property_revision(child, kind))

    def _section(self, sect: etree._Element) -> None:
        for change in sect.iterchildren(W_SECT_PR_CHANGE):
            self.pending.append(self._property_revision(change, "section"))

    def _note(self, el: etree._Element) -> None:
        """A comment, footnote or endnote of a notes part: a story of its own."""
        self.story_id = el.get(W_ID, "")
        separator = el.get(W_TYPE) in _NOTE_SEPARATORS
        self.in_separator = separator
        self._walk(el)
        self.in_separator = False
        self.story_id = None


#: What the walk does with each element, by tag. A table of plain functions (called with the
#: walker) rather than of bound methods kept on each walker: bound methods on the walker would make
#: a reference cycle through it, and every part's tree, raw paragraphs and revisions would then
#: wait for the garbage collector instead of being freed when the read ends — which made the
#: collector's passes over all that garbage a third of the merge benchmark's reading time.
_HANDLERS: dict[str, Callable[[_StoryWalker, etree._Element], None]] = {
    W_P: _StoryWalker._paragraph,
    W_R: _StoryWalker._run,
    M_R: _StoryWalker._run,
    W_T: _StoryWalker._text,
    W_DEL_TEXT: _StoryWalker._text,
    M_T: _StoryWalker._text,
    W_TAB: _StoryWalker._tab,
    W_PTAB: _StoryWalker._tab,
    W_BR: _StoryWalker._break,
    W_CR: _StoryWalker._break,
    W_SYM: _StoryWalker._symbol,
    W_NO_BREAK_HYPHEN: _StoryWalker._no_break_hyphen,
    W_FLD_CHAR: _StoryWalker._field_char,
    W_INSTR_TEXT: _StoryWalker._field_code,
    W_DEL_INSTR_TEXT: _StoryWalker._field_code,
    W_INS: _StoryWalker._insertion,
    W_MOVE_TO: _StoryWalker._insertion,
    W_DEL: _StoryWalker._deletion,
    W_MOVE_FROM: _StoryWalker._deletion,
    W_HYPERLINK: _StoryWalker._walk,
    W_SMART_TAG: _StoryWalker._walk,
    W_CUSTOM_XML: _StoryWalker._walk,
    W_FLD_SIMPLE: _StoryWalker._walk,
    W_DIR: _StoryWalker._walk,
    W_BDO: _StoryWalker._walk,
    W_SDT_CONTENT: _StoryWalker._walk,
    W_TXBX_CONTENT: _StoryWalker._walk,
    ooxml.W_BODY: _StoryWalker._walk,
    W_SDT: _StoryWalker._content_control,
    MC_ALTERNATE_CONTENT: _StoryWalker._alternate_content,
    W_DRAWING: _StoryWalker._drawing,
    W_PICT: _StoryWalker._drawing,
    W_OBJECT: _StoryWalker._drawing,
    W_FOOTNOTE_REFERENCE: _StoryWalker._note_reference,
    W_ENDNOTE_REFERENCE: _StoryWalker._note_reference,
    W_COMMENT_RANGE_START: _StoryWalker._comment_start,
    W_COMMENT_RANGE_END: _StoryWalker._comment_end,
    W_COMMENT_REFERENCE: _StoryWalker._comment_reference,
    W_MOVE_FROM_RANGE_START: _StoryWalker._move_range_start,
    W_MOVE_TO_RANGE_START: _StoryWalker._move_range_start,
    W_MOVE_FROM_RANGE_END: _StoryWalker._move_range_end,
    W_MOVE_TO_RANGE_END: _StoryWalker._move_range_end,
    W_TBL: _StoryWalker._table,
    W_TR: _StoryWalker._row,  # rows and cells reached through w:customXml / w:sdt wrappers
    W_TC: _StoryWalker._cell,
    ooxml.qn("w:ruby"): _StoryWalker._walk,  # its base text (w:rubyBase); the guide (w:rt) is skipped
    ooxml.qn("w:rubyBase"): _StoryWalker._walk,
    W_COMMENT: _StoryWalker._note,
    W_FOOTNOTE: _StoryWalker._note,
    W_ENDNOTE: _StoryWalker._note,
    W_SECT_PR: _StoryWalker._section,
}


def _run_properties(root: etree._Element) -> dict[etree._Element, tuple[_Format, list[etree._Element]]]:
    """The format (underline, strike, bold) and w:rPrChange elements of every w:rPr that has any.

    Found in one C-level pass over the few elements that matter, so the walk looks a run's
    properties up instead of stepping through each of them (fonts, sizes, languages: most of a
    Word file's elements). lxml keeps one proxy per element while it is referenced, so the walk's
    w:rPr finds its entry.
    """
    found: dict[etree._Element, tuple[_Format, list[etree._Element]]] = {}
    for prop in root.iter(W_U, W_STRIKE, W_DSTRIKE, W_B, W_RPR_CHANGE):
        rpr = prop.getparent()
        if rpr is None or rpr.tag != W_RPR:
            continue
        (underline, strike, bold), changes = found.get(rpr, (_PLAIN, []))
        tag = prop.tag
        if tag == W_U:
            underline = is_underlined(prop)
        elif tag == W_B:
            bold = is_on(prop)
        elif tag == W_RPR_CHANGE:
            changes.append(prop)
        else:
            strike = strike or is_on(prop)
        found[rpr] = ((underline, strike, bold), changes)
    return found


def _text_boxes(el: etree._Element):
    """The outermost w:txbxContent under ``el``, skipping mc:Fallback copies."""
    for child in el:
        tag = child.tag
        if tag == W_TXBX_CONTENT:
            yield child
        elif tag == MC_FALLBACK or not isinstance(tag, str):
            continue
        else:
            yield from _text_boxes(child)


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
_SPAN_FIELDS = ("text", "inserted", "deleted", "underline", "strike", "bold", "footnote", "comment_ids")
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


@lru_cache(maxsize=4096)
def _plain_spans(text: str) -> tuple[Span, ...]:
    """The spans of a paragraph that is one stretch of plain text, shared by every draft that has
    that paragraph: spans are immutable values, and the submissions of a round repeat most of the
    base draft's paragraphs unchanged. Sharing them halves the objects a merge keeps alive, and so
    the garbage collector's work over them (a third of reading time in the merge benchmark)."""
    return (Span(text),)


def _spans(raw: _RawParagraph) -> tuple[Span, ...]:
    """The paragraph's pieces as model spans, each revision frozen once and shared."""
    pieces = raw.pieces
    if len(pieces) == 1:
        text, ins, dele, fmt, note, comments = pieces[0]
        if (ins is None and dele is None and note is None and not comments and fmt == _PLAIN
                and len(text) <= _SHARED_TEXT_LENGTH):
            return _plain_spans(text)
    if not _FILL_DIRECTLY:
        return tuple(
            Span(text, ins.freeze() if ins is not None else None, dele.freeze() if dele is not None else None,
                 fmt[0], fmt[1], fmt[2], note, comments)
            for text, ins, dele, fmt, note, comments in raw.pieces
        )
    spans = []
    for text, ins, dele, fmt, note, comments in raw.pieces:
        span = _new(Span)
        d = span.__dict__
        d["text"] = text
        d["inserted"] = ins.freeze() if ins is not None else None
        d["deleted"] = dele.freeze() if dele is not None else None
        d["underline"], d["strike"], d["bold"] = fmt
        d["footnote"] = note
        d["comment_ids"] = comments
        spans.append(span)
    return tuple(spans)


def _freeze(raw: _RawParagraph, identified: tuple[str, str, str] | None = None) -> Paragraph:
    """The model paragraph, built once: ``identified`` is its (id, id_source, label) from
    ``docxio.identification``; without it a body paragraph is "P<index>" and a paragraph of
    another story "<story>:<story id>:P<index>"."""
    if identified is None:
        story = raw.story
        identified = (f"P{raw.index}" if story == "body" else f"{story}:{raw.story_id}:P{raw.index}", "structural", "")
    spans = _spans(raw)
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


# --- parts -------------------------------------------------------------------------------------


def _part_root(package: Package, name: str) -> etree._Element | None:
    """A part parsed safely, in transitional names whatever namespaces the file used."""
    data = package.read(name)
    if data is None:
        return None
    root = parse_xml(ooxml.normalize_namespace_declarations(data), f"{package.file} ({name.lstrip('/')})")
    return ooxml.normalize_namespaces(root)


def _related(package: Package, source: str) -> dict[str, list[str]]:
    """Targets of ``source``'s internal relationships by the last segment of their type
    ("comments", "footnotes", "commentsExtended"...), so transitional and Strict URIs both match.
    Read once: the .rels part is parsed on every ``Package.relationships`` call."""
    found: dict[str, list[str]] = {}
    for rel in package.relationships(source):
        if not rel.external and package.read(rel.target) is not None:
            found.setdefault(rel.type.rsplit("/", 1)[-1], []).append(rel.target)
    return found


def _first_related(related: dict[str, list[str]], *suffixes: str) -> str | None:
    for suffix in suffixes:
        if related.get(suffix):
            return related[suffix][0]
    return None


def _producer(package: Package, related: dict[str, list[str]]) -> str:
    name = _first_related(related, "extended-properties", "extendedProperties") or "docProps/app.xml"
    root = _part_root(package, name)
    if root is None:
        return ""
    values = {ooxml.local_name(el.tag): (el.text or "").strip() for el in root if isinstance(el.tag, str)}
    return " ".join(v for v in (values.get("Application", ""), values.get("AppVersion", "")) if v)


def _core_properties(package: Package, related: dict[str, list[str]]) -> dict[str, str]:
    name = _first_related(related, "core-properties", "metadata") or "docProps/core.xml"
    root = _part_root(package, name)
    if root is None:
        return {}
    return {
        ooxml.local_name(el.tag): (el.text or "").strip()
        for el in root
        if isinstance(el.tag, str) and (el.text or "").strip()
    }


#: Story parts of the main document, in the order their paragraphs appear in ``Draft.paragraphs``.
_STORY_PARTS = (
    ("footnote", ("footnotes",)),
    ("endnote", ("endnotes",)),
    ("header", ("header",)),
    ("footer", ("footer",)),
    ("comment", ("comments",)),
)


def read_package(package: Package) -> Draft:
    """Read an opened package into a ``Draft`` (see ``read_draft``)."""
    main = package.main_document()
    root = _part_root(package, main)
    if root is None:  # main_document() only returns parts that exist; keep the error explicit
        raise InvalidXmlError(package.file, f"the main document part {main} is missing")
    if root.find(ooxml.W_BODY) is None:
        raise InvalidXmlError(package.file, f"{main} has no document body (w:body): not a Word document")
    marks = _CommentMarks()
    unknown: Counter = Counter()
    body = _StoryWalker(main, "body", root, marks, unknown).read(root)

    others: list[_RawParagraph] = []
    comments_root = None
    related = _related(package, main)
    for story, suffixes in _STORY_PARTS:
        names = sorted({n for s in suffixes for n in related.get(s, ())})
        for name in names:
            part = _part_root(package, name)
            if part is None:
                continue
            if story == "comment":
                comments_root = part
            walker = _StoryWalker(name, story, part, marks, unknown)
            others.extend(raw for raw in walker.read(part) if not raw.hidden)

    for raw, label in zip(body, _list_labels(package, body), strict=True):
        raw.list_label = label
    if _identification is not None:
        # Identified from the raw paragraphs, so each model paragraph is built once, identifier
        # included (copying every paragraph to set its identifier cost as much as identifying it).
        identified = _identification.body_identifiers(body)
        body_paragraphs = [_freeze(raw, found) for raw, found in zip(body, identified, strict=True)]
    else:
        body_paragraphs = [_freeze(raw) for raw in body]
    paragraphs = body_paragraphs + [_freeze(raw) for raw in others]

    comments = _comments(package, related, comments_root, paragraphs, marks)
    package_related = _related(package, "")
    warnings = [what if count == 1 else f"{what} ({count} times)" for what, count in sorted(unknown.items())]
    known = {c.id for c in comments}
    referenced_missing = [c for c in marks.referenced if c not in known]
    if referenced_missing:
        warnings.append(f"comment reference(s) {', '.join(referenced_missing)} name no comment in comments.xml")
    return Draft(
        file=package.file,
        producer=_producer(package, package_related),
        paragraphs=tuple(paragraphs),
        comments=comments,
        authors=_authors(paragraphs, comments),
        core_properties=_core_properties(package, package_related),
        warnings=tuple(warnings),
        has_macros=bool(getattr(package, "has_macros", False)),
    )


def _list_labels(package: Package, raws: list[_RawParagraph]) -> list[ListLabel | None]:
    """The list number Word shows before each body paragraph, evaluated on the original view."""
    if _numbering is None or not raws:
        return [None] * len(raws)
    numbering = _numbering.read_numbering(package)
    if not numbering.instances:
        return [None] * len(raws)  # no list in the file: no paragraph can be numbered
    refs = [
        numbering.paragraph_ref(raw.element, original=True) if owns else None
        for raw, owns in zip(raws, _original_owners(raws))
    ]
    return _numbering.list_labels(numbering, refs)


def _original_owners(paragraphs: list[_RawParagraph]) -> list[bool]:
    """Which physical paragraph carries each ORIGINAL paragraph's list number.

    Physical paragraphs whose mark was inserted are joined with the next one in the original view;
    in each joined group the number goes to the first paragraph with original text (a new
    paragraph typed after OP9 leaves OP9's text in the first, all-inserted text in the second),
    or to the group's first paragraph when none has any.
    """
    owners = [False] * len(paragraphs)
    group: list[int] = []
    for i, p in enumerate(paragraphs):
        group.append(i)
        joined = p.mark_inserted is not None and i + 1 < len(paragraphs) and not p.in_table
        if joined:
            continue
        owner = next((j for j in group if paragraphs[j].original.strip()), group[0])
        owners[owner] = True
        group = []
    return owners


def _comments(
    package: Package,
    related: dict[str, list[str]],
    comments_root: etree._Element | None,
    paragraphs: list[Paragraph],
    marks: _CommentMarks,
):
    headers = comment_headers(comments_root)
    if not headers:
        return ()

    def part(*suffixes: str) -> etree._Element | None:
        name = _first_related(related, *suffixes)
        return _part_root(package, name) if name else None

    threads = comment_threads(part("commentsExtended"), part("commentsIds"), part("commentsExtensible"))
    texts: dict[str, list[str]] = {}
    for p in paragraphs:
        if p.story == "comment" and p.story_id is not None:
            texts.setdefault(p.story_id, []).append(p.current)
    anchors = {cid: "".join(parts).strip("\n") for cid, parts in marks.anchors.items()}
    anchored = {cid: tuple(indexes) for cid, indexes in marks.paragraphs.items()}
    return build_comments(headers, threads, {k: "\n".join(v) for k, v in texts.items()}, anchors, anchored)


def _authors(paragraphs: list[Paragraph], comments) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for p in paragraphs:
        for rev in p.revisions:
            seen.setdefault(rev.author, None)
    for c in comments:
        seen.setdefault(c.author, None)
    return tuple(seen)


def read_draft(source: str | Path | bytes, name: str | None = None) -> Draft:
    """Read a .docx (path or bytes) into a ``Draft``: paragraphs of every story with their
    revisions and both views, comments with threads, producer, core properties and authors.

    ``name`` is how errors and ``Draft.file`` refer to the file (the user's file name, not a
    temporary path). Bad input raises a ``docxio.errors.DocxioError`` naming the file and the
    problem.
    """
    return read_package(open_package(source, name))
