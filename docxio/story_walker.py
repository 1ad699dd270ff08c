"""The story walker: one story part of a .docx (document.xml, footnotes.xml, a header...) read in
document order into raw paragraphs, their text, revisions and comment anchors.

One pass per part over the lxml tree, dispatching on each element's tag through ``_HANDLERS``:

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
* anything else is skipped, and counted in the ``unknown`` warnings.

A plain paragraph (runs of text and nothing else: no revision, kept format, field, note, comment
mark or unknown element — most paragraphs of a submission) is read by ``_plain_text`` in one loop
instead of a handler call per element, when nothing is in force around it (a comment range, a
field code, a revision); it gives the same raw paragraph, and any doubt falls back to the walk.

``RawParagraph.index`` counts ``ooxml.story_paragraphs`` of the part (the writer finds the same
w:p again with it); ``story_id`` names the note or comment (its w:id) or the header/footer part.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from lxml import etree

from docxio import ooxml
from docxio.ooxml import (
    M,
    MC_ALTERNATE_CONTENT,
    MC_CHOICE,
    MC_FALLBACK,
    M_R,
    M_T,
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
    W_DEL,
    W_DEL_INSTR_TEXT,
    W_DEL_TEXT,
    W_DIR,
    W_DRAWING,
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
    W_VAL,
)
from docxio.raw_paragraphs import PendingRevision, RawParagraph, revision_from
from docxio.run_format import PLAIN, Format, RunFormats, run_formats, symbol_character

__all__ = ["CommentMarks", "StoryWalker"]

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

#: Changes found in a table's, row's or cell's properties: each is a revision of type "table".
_TABLE_CHANGES = frozenset((
    W_TBL_PR_CHANGE,
    W_TBL_GRID_CHANGE,
    W_TBL_PR_EX_CHANGE,
    W_TR_PR_CHANGE,
    W_TC_PR_CHANGE,
    W_CELL_INS,
    W_CELL_DEL,
    W_CELL_MERGE,
    W_INS,  # a row inserted (w:trPr/w:ins)
    W_DEL,  # a row deleted (w:trPr/w:del)
))

#: Handlers by tag: plain functions called with the walker (see ``_HANDLERS``).
_Handlers = dict[str, Callable[["StoryWalker", etree._Element], None]]

#: Elements wrapping changed text: the revision type, and whether the text is deleted.
_TEXT_REVISIONS = {
    W_INS: ("insert", False),
    W_MOVE_TO: ("move_to", False),
    W_DEL: ("delete", True),
    W_MOVE_FROM: ("move_from", True),
}

_NOTE_SEPARATORS = frozenset(("separator", "continuationSeparator", "continuationNotice"))


@dataclass
class CommentMarks:
    """What the stories say about comments: anchor text, anchored paragraphs, point comments."""

    anchors: dict[str, list[str]] = field(default_factory=dict)
    paragraphs: dict[str, dict[int, None]] = field(default_factory=dict)
    referenced: dict[str, None] = field(default_factory=dict)
    opened: set[str] = field(default_factory=set)

    def anchor_paragraph(self, comment_id: str, index: int) -> None:
        """Record that the comment is anchored on body/story paragraph ``index``."""
        self.paragraphs.setdefault(comment_id, {})[index] = None


class StoryWalker:
    """Walks one story part (document.xml, footnotes.xml, a header...) in document order.

    The state is the reading position: the paragraph being read, the revisions and fields in
    force, the comment ranges open. It lives only for one part's walk.

    To read one more element: write a method taking (walker, element) and register it by tag in
    ``_HANDLERS``; an element with nothing to read goes in ``_SILENT``. Anything in neither is
    skipped with a warning.
    """

    def __init__(
        self, part: str, story: str, root: etree._Element, marks: CommentMarks, unknown: Counter
    ) -> None:
        self.part = part
        self.story = story
        self.story_id: str | None = part if story in ("header", "footer") else None
        #: The story's paragraphs not read yet, with their index; each is taken out when read.
        self.unread = {p: i for i, p in enumerate(ooxml.story_paragraphs(root))}
        self.marks = marks
        self.unknown = unknown
        self.paragraphs: list[RawParagraph] = []
        self.current: RawParagraph | None = None
        self.inserted: PendingRevision | None = None
        self.deleted: PendingRevision | None = None
        self.active: tuple[PendingRevision, ...] = ()  # revisions whose text grows as we read
        self.format: Format = PLAIN
        self.in_separator = False  # inside a footnote separator: counted, not shown
        self.fields: list[bool] = []  # one entry per open field: True while in its code
        self.code_depth = 0
        self.open_comments: tuple[str, ...] = ()
        self.move_from: dict[str, str] = {}
        self.move_to: dict[str, str] = {}
        self.pending: list[PendingRevision] = []  # table/section changes before the next paragraph
        self.table_depth = 0
        self.run_formats = run_formats(root)
        #: Paragraphs read as plain text, and paragraphs that turned out not to be (see _paragraph).
        self.plain_hits = 0
        self.plain_misses = 0

    # -- driving ----------------------------------------------------------------------------

    def read(self, root: etree._Element) -> list[RawParagraph]:
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

    def _walk(self, el: etree._Element, handlers: _Handlers | None = None) -> None:
        """Read each child of ``el`` through its handler in ``handlers`` (``_HANDLERS``, or a table
        container's own table); an element nothing handles is skipped, and said so unless silent."""
        if handlers is None:
            handlers = _HANDLERS
        get = handlers.get
        for child in el:
            tag = child.tag  # lxml builds the tag's string at each access: once per element
            handler = get(tag)
            if handler is not None:
                handler(self, child)
            elif tag not in _SILENT:
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
        raw = RawParagraph(index, self.story, self.story_id, p, self.table_depth > 0)
        raw.hidden = self.in_separator
        if self.pending:
            raw.add_revisions(self.pending)
            self.pending = []
        self.paragraphs.append(raw)
        if (
            self.plain_misses <= self.plain_hits + _PLAIN_TRIES
            and not self.open_comments and not self.code_depth and self.inserted is None and self.deleted is None
        ):
            # Nothing in force that the paragraph's text would carry: a plain paragraph (most of
            # a submission's) is read in one loop instead of a handler call per element. In a part
            # where most paragraphs are marked up, the attempt stops being made (see _PLAIN_TRIES).
            plain = _plain_text(p, self.run_formats)
            if plain is not None:
                self.plain_hits += 1
                texts, raw.style, run_style = plain
                if texts:
                    fmt = PLAIN if run_style is None else (False, False, False, run_style)
                    raw.pieces.append([texts, None, None, fmt, None, ()])
                return
            self.plain_misses += 1
        for comment_id in self.open_comments:
            raw.comment_ids[comment_id] = None
            self.marks.anchor_paragraph(comment_id, index)
        saved = self.current, self.active, self.format
        self.current, self.active, self.format = raw, (), PLAIN
        for first in p:  # only a first child w:pPr holds the paragraph's properties
            if first.tag == W_PPR:
                self._paragraph_properties(first, raw)
            break
        self._walk(p)  # where w:pPr is silent
        for comment_id in self.open_comments:
            self.marks.anchors.setdefault(comment_id, []).append("\n")
        if self.code_depth:
            # A field code never closed by "separate" or "end" (a damaged file): stop treating
            # what follows as code, or every later paragraph would lose its text.
            self.fields = [False] * len(self.fields)
            self.code_depth = 0
        self.current, self.active, self.format = saved

    def _paragraph_properties(self, ppr: etree._Element, raw: RawParagraph) -> None:
        for child in ppr:
            tag = child.tag
            if tag == W_PSTYLE:
                raw.style = child.get(W_VAL)
            elif tag == W_RPR:
                for mark in child:
                    kind = mark.tag
                    if kind == W_INS or kind == W_MOVE_TO:
                        rev = self._mark_revision(mark, "paragraph_insert")
                        raw.mark_inserted = rev
                        raw.add_revision(rev)
                    elif kind == W_DEL or kind == W_MOVE_FROM:
                        rev = self._mark_revision(mark, "paragraph_delete")
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

    def _mark_revision(self, el: etree._Element, kind: str) -> PendingRevision:
        """An inserted or deleted paragraph mark (moved, when a move range is open)."""
        rev = revision_from(el, kind, self._move_name(el.tag))
        rev.content = True
        return rev

    def _move_name(self, tag: str) -> str | None:
        """The name of the innermost open move range for a w:moveFrom / w:moveTo; None for a
        plain insertion or deletion."""
        if tag == W_MOVE_FROM:
            return next(reversed(self.move_from.values()), None)
        if tag == W_MOVE_TO:
            return next(reversed(self.move_to.values()), None)
        return None

    @staticmethod
    def _property_revision(el: etree._Element, kind: str) -> PendingRevision:
        rev = revision_from(el, kind)
        rev.content = True
        return rev

    # -- runs and text ----------------------------------------------------------------------

    def _run(self, r: etree._Element) -> None:
        self.format = PLAIN
        get = _HANDLERS.get
        for child in r:
            tag = child.tag
            if tag == W_T or tag == W_DEL_TEXT:
                text = child.text
                if text:
                    self._emit(text)
            elif tag == W_RPR:
                if child in self.run_formats:  # most runs: fonts and sizes only, plain text
                    self._run_properties(child)
            else:
                handler = get(tag)
                if handler is not None:
                    handler(self, child)
                elif tag not in _SILENT:
                    self._other(child)
        self.format = PLAIN

    def _run_properties(self, rpr: etree._Element) -> None:
        found = self.run_formats.get(rpr)
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
        self._emit(symbol_character(el.get(W_CHAR, "")))

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

    def _revisions_have_content(self) -> None:
        """Something besides text (a field, a note reference, a picture) is inserted or deleted
        here: the revisions in force are real even if they hold no text."""
        for rev in self.active:
            rev.content = True

    def _field_code(self, el: etree._Element) -> None:
        """Field codes are not text, but inserting or deleting a field is a real revision."""
        self._revisions_have_content()

    def _field_char(self, el: etree._Element) -> None:
        self._revisions_have_content()
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
        self._revisions_have_content()
        raw.pieces.append([[], self.inserted, self.deleted, self.format, el.get(W_ID, ""), self.open_comments])

    # -- revisions --------------------------------------------------------------------------

    def _changed_text(self, el: etree._Element) -> None:
        """A w:ins, w:del, w:moveTo or w:moveFrom: its content is read with the revision in force
        (inside any revision already in force: text inserted by A and deleted by B has both)."""
        tag = el.tag
        kind, deletes = _TEXT_REVISIONS[tag]
        # Most revisions are no moves: look a move's name up only for one (a call per revision shows).
        rev = revision_from(el, kind, self._move_name(tag) if tag == W_MOVE_TO or tag == W_MOVE_FROM else None)
        self._track(rev)
        saved = self.inserted, self.deleted, self.active
        if deletes:
            self.deleted = rev
        else:
            self.inserted = rev
        self.active = self.active + (rev,)
        self._walk(el)
        self.inserted, self.deleted, self.active = saved

    def _track(self, rev: PendingRevision) -> None:
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
        self._revisions_have_content()
        for box in _text_boxes(el):
            self._walk(box)

    def _table(self, tbl: etree._Element) -> None:
        self.table_depth += 1
        self._walk(tbl, _TABLE_HANDLERS)
        self.table_depth -= 1

    def _row(self, tr: etree._Element) -> None:
        self._walk(tr, _ROW_HANDLERS)

    def _cells_in_content_control(self, sdt: etree._Element) -> None:
        """A content control around cells: its content is more of the row."""
        for content in sdt.iterchildren(W_SDT_CONTENT):
            self._row(content)

    def _cell(self, tc: etree._Element) -> None:
        self._walk(tc, _CELL_HANDLERS)

    def _table_changes(self, props: etree._Element) -> None:
        """A table's, row's or cell's properties: their changes are revisions of the table, read
        into the next paragraph."""
        for child in props:
            if child.tag in _TABLE_CHANGES:
                self.pending.append(self._property_revision(child, "table"))

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
_HANDLERS: _Handlers = {
    W_P: StoryWalker._paragraph,
    W_R: StoryWalker._run,
    M_R: StoryWalker._run,
    W_T: StoryWalker._text,
    W_DEL_TEXT: StoryWalker._text,
    M_T: StoryWalker._text,
    W_TAB: StoryWalker._tab,
    W_PTAB: StoryWalker._tab,
    W_BR: StoryWalker._break,
    W_CR: StoryWalker._break,
    W_SYM: StoryWalker._symbol,
    W_NO_BREAK_HYPHEN: StoryWalker._no_break_hyphen,
    W_FLD_CHAR: StoryWalker._field_char,
    W_INSTR_TEXT: StoryWalker._field_code,
    W_DEL_INSTR_TEXT: StoryWalker._field_code,
    W_INS: StoryWalker._changed_text,
    W_MOVE_TO: StoryWalker._changed_text,
    W_DEL: StoryWalker._changed_text,
    W_MOVE_FROM: StoryWalker._changed_text,
    W_HYPERLINK: StoryWalker._walk,
    W_SMART_TAG: StoryWalker._walk,
    W_CUSTOM_XML: StoryWalker._walk,
    W_FLD_SIMPLE: StoryWalker._walk,
    W_DIR: StoryWalker._walk,
    W_BDO: StoryWalker._walk,
    W_SDT_CONTENT: StoryWalker._walk,
    W_TXBX_CONTENT: StoryWalker._walk,
    ooxml.W_BODY: StoryWalker._walk,
    W_SDT: StoryWalker._content_control,
    MC_ALTERNATE_CONTENT: StoryWalker._alternate_content,
    W_DRAWING: StoryWalker._drawing,
    W_PICT: StoryWalker._drawing,
    W_OBJECT: StoryWalker._drawing,
    W_FOOTNOTE_REFERENCE: StoryWalker._note_reference,
    W_ENDNOTE_REFERENCE: StoryWalker._note_reference,
    W_COMMENT_RANGE_START: StoryWalker._comment_start,
    W_COMMENT_RANGE_END: StoryWalker._comment_end,
    W_COMMENT_REFERENCE: StoryWalker._comment_reference,
    W_MOVE_FROM_RANGE_START: StoryWalker._move_range_start,
    W_MOVE_TO_RANGE_START: StoryWalker._move_range_start,
    W_MOVE_FROM_RANGE_END: StoryWalker._move_range_end,
    W_MOVE_TO_RANGE_END: StoryWalker._move_range_end,
    W_TBL: StoryWalker._table,
    W_TR: StoryWalker._row,  # rows and cells reached through w:customXml / w:sdt wrappers
    W_TC: StoryWalker._cell,
    ooxml.qn("w:ruby"): StoryWalker._walk,  # its base text (w:rubyBase); the guide (w:rt) is skipped
    ooxml.qn("w:rubyBase"): StoryWalker._walk,
    W_COMMENT: StoryWalker._note,
    W_FOOTNOTE: StoryWalker._note,
    W_ENDNOTE: StoryWalker._note,
    W_SECT_PR: StoryWalker._section,
}

#: In a table, a row and a cell, their properties hold table changes; content controls and
#: custom XML around cells are more of the row. Everything else is read as anywhere else.
_TABLE_HANDLERS: _Handlers = {
    **_HANDLERS,
    W_TBL_PR: StoryWalker._table_changes,
    W_TBL_GRID: StoryWalker._table_changes,
    W_TBL_PR_EX: StoryWalker._table_changes,
}
_ROW_HANDLERS: _Handlers = {
    **_HANDLERS,
    W_TR_PR: StoryWalker._table_changes,
    W_TBL_PR_EX: StoryWalker._table_changes,
    W_SDT: StoryWalker._cells_in_content_control,
    W_CUSTOM_XML: StoryWalker._row,
}
_CELL_HANDLERS: _Handlers = {**_HANDLERS, W_TC_PR: StoryWalker._table_changes}


#: How many more paragraphs than were plain may turn out not to be before a walk stops looking
#: for plain ones: each attempt steps through the start of the paragraph again, a waste in a part
#: where nearly every paragraph is marked up (a compilation text, a busy delegation's draft).
_PLAIN_TRIES = 16

#: What a plain paragraph may hold besides runs and its properties: marks with nothing to read.
_PLAIN_MARKS = frozenset((ooxml.qn("w:bookmarkStart"), ooxml.qn("w:bookmarkEnd"), ooxml.qn("w:proofErr")))
#: In a plain paragraph's properties, the marks of a paragraph-mark or formatting revision.
_MARK_REVISIONS = frozenset((W_INS, W_DEL, W_MOVE_TO, W_MOVE_FROM, W_RPR_CHANGE))
_LAST_RENDERED_PAGE_BREAK = ooxml.qn("w:lastRenderedPageBreak")
#: No text seen yet in ``_plain_text`` (None is a character style: none).
_UNSET = object()


def _plain_text(p: etree._Element, formats: RunFormats) -> tuple[list[str], str | None, str | None] | None:
    """The text parts, paragraph style and character style of a plain paragraph — runs of text
    in no revision, with no format the reader keeps but one character style for all its text (a
    stance passage of a compilation, a hyperlink), no field, note, comment mark or anything
    else; None for any other.

    The walk would read such a paragraph into one piece of plain text; this loop finds the same
    text and style without a handler call per element, and gives up (None) at the first element
    that needs the walk. The caller checks that nothing is in force around the paragraph."""
    texts: list[str] = []
    style = None
    run_style = _UNSET
    first = True
    for child in p:
        tag = child.tag
        if tag == W_R:
            this_style = None
            for part in child:
                kind = part.tag
                if kind == W_T:
                    text = part.text
                    if text:
                        if run_style != this_style:
                            if run_style is not _UNSET:
                                return None  # text in two character styles: the walk splits it
                            run_style = this_style
                        texts.append(text)
                elif kind == W_RPR:
                    found = formats.get(part)
                    if found is not None:
                        fmt, changes = found
                        # Underline, strike, bold or a formatting revision: the walk reads them.
                        if changes or fmt[0] or fmt[1] or fmt[2]:
                            return None
                        this_style = fmt[3]
                elif kind != _LAST_RENDERED_PAGE_BREAK:
                    return None
        elif tag == W_PPR and first:
            for prop in child:
                kind = prop.tag
                if kind == W_PSTYLE:
                    style = prop.get(W_VAL)
                elif kind == W_RPR:
                    for mark in prop:
                        if mark.tag in _MARK_REVISIONS:
                            return None
                elif kind == W_PPR_CHANGE or kind == W_SECT_PR:
                    return None
                elif kind == W_NUM_PR:
                    for num in prop:
                        if num.tag == W_NUMBERING_CHANGE or num.tag == W_INS:
                            return None
        elif tag not in _PLAIN_MARKS:
            return None
        first = False
    return texts, style, None if run_style is _UNSET else run_style


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


