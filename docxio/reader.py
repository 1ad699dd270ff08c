"""Read a delegate's .docx into a ``Draft``: every paragraph of every story, as Word shows it.

This module assembles the draft; the reading itself is done by:

* ``docxio.parts`` — parts parsed safely in transitional names, found through relationships, and
  the package's producer and core properties;
* ``docxio.story_walker`` — one story part walked in document order into raw paragraphs: text,
  revisions (nested, moves, paragraph marks, property changes), fields, tables, text boxes and
  comment anchors (its docstring lists what is read and what is skipped);
* ``docxio.run_format`` — the underline, strike-through and bold of runs;
* ``docxio.raw_paragraphs`` — paragraphs and revisions while they are read, frozen into the
  model's values once;
* ``docxio.numbering`` and ``docxio.identification`` — list numbers and paragraph identifiers.

``Paragraph.index`` counts ``ooxml.story_paragraphs`` of the PART the paragraph is in (the writer
finds the same w:p again with it): document.xml for the body, footnotes.xml for every footnote,
each header/footer part on its own. ``story_id`` names the note or comment (its w:id) or the
header/footer part ("word/header1.xml"). Footnote separators are counted but not listed.
Paragraphs outside the body keep a structural id, "footnote:<id>:P<index>"; body paragraphs get
theirs from ``docxio.identification``. Elements the reader does not know are skipped and said so
in ``Draft.warnings``.

Layering: package (bytes, safe parsing) -> ooxml (names) -> parts, story walker -> model (no XML).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

from docxio import identification, numbering, ooxml
from docxio.comments import build_comments, comment_headers, comment_threads
from docxio.errors import InvalidXmlError
from docxio.garbage_collection import fewer_collections
from docxio.model import Comment, Draft, ListLabel, Paragraph
from docxio.package import Package, open_package
from docxio.parts import Related, core_properties, first_related, part_root, producer, related_parts
from docxio.raw_paragraphs import RawParagraph, freeze
from docxio.story_walker import CommentMarks, StoryWalker

__all__ = ["read_draft", "read_package"]

#: Story parts of the main document, in the order their paragraphs appear in ``Draft.paragraphs``.
_STORY_PARTS = (
    ("footnote", ("footnotes",)),
    ("endnote", ("endnotes",)),
    ("header", ("header",)),
    ("footer", ("footer",)),
    ("comment", ("comments",)),
)


def read_draft(source: str | Path | bytes, name: str | None = None) -> Draft:
    """Read a .docx (path or bytes) into a ``Draft``: paragraphs of every story with their
    revisions and both views, comments with threads, producer, core properties and authors.

    ``name`` is how errors and ``Draft.file`` refer to the file (the user's file name, not a
    temporary path). Bad input raises a ``docxio.errors.DocxioError`` naming the file and the
    problem.
    """
    # Opening and reading make tens of thousands of short-lived objects: see garbage_collection.
    with fewer_collections():
        return _read(open_package(source, name))


def read_package(package: Package) -> Draft:
    """Read an opened package into a ``Draft`` (see ``read_draft``)."""
    with fewer_collections():
        return _read(package)


def _read(package: Package) -> Draft:
    main = package.main_document()
    root = part_root(package, main)
    if root is None:  # main_document() only returns parts that exist; keep the error explicit
        raise InvalidXmlError(package.file, f"the main document part {main} is missing")
    if root.find(ooxml.W_BODY) is None:
        raise InvalidXmlError(package.file, f"{main} has no document body (w:body): not a Word document")
    marks = CommentMarks()
    unknown: Counter = Counter()
    body = StoryWalker(main, "body", root, marks, unknown).read(root)
    related = related_parts(package, main)
    others, comments_root = _other_stories(package, related, marks, unknown)

    for raw, label in zip(body, _list_labels(package, body), strict=True):
        raw.list_label = label
    # Identified from the raw paragraphs, so each model paragraph is built once, identifier
    # included (copying every paragraph to set its identifier cost as much as identifying it).
    identified = identification.keep_moved_identifiers(
        identification.body_identifiers(body), [_move_facts(raw) for raw in body])
    paragraphs = [freeze(raw, found) for raw, found in zip(body, identified, strict=True)]
    paragraphs += [freeze(raw, (found, "structural", ""))
                   for raw, found in zip(others, identification.story_identifiers(others), strict=True)]

    comments = _comments(package, related, comments_root, paragraphs, marks)
    package_related = related_parts(package, "")
    return Draft(
        file=package.file,
        producer=producer(package, package_related),
        paragraphs=tuple(paragraphs),
        comments=comments,
        authors=_authors(paragraphs, comments),
        core_properties=core_properties(package, package_related),
        warnings=_warnings(unknown, marks, comments),
        has_macros=bool(getattr(package, "has_macros", False)),
    )


def _other_stories(
    package: Package, related: Related, marks: CommentMarks, unknown: Counter
) -> tuple[list[RawParagraph], etree._Element | None]:
    """The shown paragraphs of the notes, headers, footers and comments, in ``_STORY_PARTS``
    order, and the comments part's root (its w:comment headers are read from it)."""
    others: list[RawParagraph] = []
    comments_root = None
    for story, suffixes in _STORY_PARTS:
        for name in sorted({n for s in suffixes for n in related.get(s, ())}):
            part = part_root(package, name)
            if part is None:
                continue
            if story == "comment":
                comments_root = part
            walker = StoryWalker(name, story, part, marks, unknown)
            others.extend(raw for raw in walker.read(part) if not raw.hidden)
    return others, comments_root


def _warnings(unknown: Counter, marks: CommentMarks, comments: tuple[Comment, ...]) -> tuple[str, ...]:
    """What the reader skipped (counted), and comment references naming no comment."""
    warnings = [what if count == 1 else f"{what} ({count} times)" for what, count in sorted(unknown.items())]
    known = {c.id for c in comments}
    referenced_missing = [c for c in marks.referenced if c not in known]
    if referenced_missing:
        warnings.append(f"comment reference(s) {', '.join(referenced_missing)} name no comment in comments.xml")
    return tuple(warnings)


def _list_labels(package: Package, raws: list[RawParagraph]) -> list[ListLabel | None]:
    """The list number Word shows before each body paragraph, evaluated on the original view."""
    if not raws:
        return []
    found = numbering.read_numbering(package)
    if not found.instances:
        return [None] * len(raws)  # no list in the file: no paragraph can be numbered
    refs = [
        found.paragraph_ref(raw.element, original=True) if owns else None
        for raw, owns in zip(raws, _original_owners(raws))
    ]
    return numbering.list_labels(found, refs)


def _move_facts(p: RawParagraph) -> tuple[set[str], str | None]:
    """The move names a raw paragraph's text is moved away under, and the one move its whole text
    is the destination of (None if any) — see ``identification.keep_moved_identifiers``."""
    pieces = p.pieces
    if len(pieces) == 1 and pieces[0][1] is None and pieces[0][2] is None:
        # One stretch of text neither inserted nor deleted (most paragraphs of every submission):
        # nothing moved away or here, so skip building the sets below.
        return set(), None
    away = {piece[2].move_name for piece in p.pieces
            if piece[2] is not None and piece[2].type == "move_from" and piece[2].move_name}
    texts = [piece for piece in p.pieces if piece[0].strip()]
    names = {piece[1].move_name for piece in texts if piece[1] is not None and piece[1].type == "move_to"}
    whole = (len(names) == 1 and not p.original.strip()
             and all(piece[1] is not None and piece[1].type == "move_to" for piece in texts))
    return away, next(iter(names)) if whole else None


def _original_owners(paragraphs: list[RawParagraph]) -> list[bool]:
    """Which physical paragraph carries each ORIGINAL paragraph's list number.

    Physical paragraphs whose mark was inserted are joined with the next one in the original view;
    in each joined group the number goes to the first paragraph with original text (a new
    paragraph typed after OP9 leaves OP9's text in the first, all-inserted text in the second),
    or to the group's first paragraph when none has any. A last group that is all inserted (no
    original text, its closing mark inserted too: a paragraph added or moved to the end of the
    draft) is not in the original view at all and gets no number.
    """
    owners = [False] * len(paragraphs)
    group: list[int] = []
    for i, p in enumerate(paragraphs):
        group.append(i)
        joined = p.mark_inserted is not None and i + 1 < len(paragraphs) and not p.in_table
        if joined:
            continue
        owner = next((j for j in group if paragraphs[j].original.strip()), None)
        if owner is None and p.mark_inserted is None:
            owner = group[0]  # an empty paragraph of the original: it still takes its number
        if owner is not None:
            owners[owner] = True
        group = []
    return owners


def _comments(
    package: Package,
    related: Related,
    comments_root: etree._Element | None,
    paragraphs: list[Paragraph],
    marks: CommentMarks,
) -> tuple[Comment, ...]:
    """The draft's comments: headers from comments.xml, threads from the extended parts, words
    from the comment story's paragraphs, anchors from the walk."""
    headers = comment_headers(comments_root)
    if not headers:
        return ()

    def part(*suffixes: str) -> etree._Element | None:
        name = first_related(related, *suffixes)
        return part_root(package, name) if name else None

    threads = comment_threads(part("commentsExtended"), part("commentsIds"), part("commentsExtensible"))
    texts: dict[str, list[str]] = {}
    for p in paragraphs:
        if p.story == "comment" and p.story_id is not None:
            texts.setdefault(p.story_id, []).append(p.current)
    anchors = {cid: "".join(parts).strip("\n") for cid, parts in marks.anchors.items()}
    anchored = {cid: tuple(indexes) for cid, indexes in marks.paragraphs.items()}
    return build_comments(headers, threads, {k: "\n".join(v) for k, v in texts.items()}, anchors, anchored)


def _authors(paragraphs: list[Paragraph], comments: tuple[Comment, ...]) -> tuple[str, ...]:
    """Everyone who made a revision or wrote a comment, in order of first appearance."""
    seen: dict[str, None] = {}
    for p in paragraphs:
        for rev in p.revisions:
            seen.setdefault(rev.author, None)
    for c in comments:
        seen.setdefault(c.author, None)
    return tuple(seen)
