"""An earlier round's tracked changes shown the way a compilation text shows proposals.

When a round's base is the previous round's tracked consolidated draft, its w:ins / w:del are
that round's proposals, authored by their delegations ("Egypt, Singapore"). A compilation text
has no revisions, yet must keep them visible and attributed: inserted text is underlined, deleted
text struck through, each followed by its authors "(Egypt, Singapore)" — as
``docxio.compilation`` reads them back. Runs of changes by one author next to each other share
one attribution ("~~Noting~~ Acknowledging (Mexico)").

Used by the writer in the compilation rendering before it accepts what is left (paragraph-mark,
format and table changes) with ``docxio.acceptance.accept_all``.
"""
from __future__ import annotations

import copy

from lxml import etree

from docxio.ooxml import qn, unwrap
from docxio.paragraph_plan import padded_attribution
from docxio.schema_order import get_or_add, insert_in_order, set_property

__all__ = ["SHOWN_MARK", "show_earlier_changes"]

#: Private attribute on the runs this module makes visible that are not base text (deleted text
#: shown struck, attributions): the writer maps the consolidation's offsets around them, and
#: removes the attribute before saving. No namespace, like ``docxio.runs.NEW_MARK``.
SHOWN_MARK = "concord-shown"

_INSERTED = (qn("w:ins"), qn("w:moveTo"))
_DELETED = (qn("w:del"), qn("w:moveFrom"))
#: Elements between two changes that do not separate them (no text of their own).
_TRANSPARENT = tuple(qn(f"w:{t}") for t in (
    "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "proofErr", "permStart", "permEnd",
))
_LINE_PROPERTIES = tuple(qn(f"w:{t}") for t in ("u", "strike", "dstrike", "rStyle", "ins", "del", "rPrChange"))


def show_earlier_changes(root: etree._Element, styled: bool) -> int:
    """Turn the text insertions and deletions of every paragraph under ``root`` into compilation
    markup with attributions; returns how many attributions were written. ``styled`` adds the
    Concord character styles (the base has a styles part they were added to)."""
    written = 0
    for paragraph in list(root.iter(qn("w:p"))):
        written += _show_in_paragraph(paragraph, styled)
    return written


def _show_in_paragraph(paragraph: etree._Element, styled: bool) -> int:
    """One paragraph's direct-child changes, grouped by author, each group then attributed."""
    _lift_nested_deletions(paragraph)
    groups: list[tuple[str, list[etree._Element]]] = []
    current: list[etree._Element] = []
    author = None
    for child in list(paragraph):
        if child.tag in _INSERTED + _DELETED and _has_text(child):
            name = child.get(qn("w:author"), "")
            if current and name != author:
                groups.append((author or "", current))
                current = []
            author = name
            current.append(child)
        elif child.tag in _TRANSPARENT or (child.tag in _INSERTED + _DELETED) or child.tag == qn("w:pPr"):
            continue
        elif current:
            groups.append((author or "", current))
            current = []
    if current:
        groups.append((author or "", current))
    for name, changes in groups:
        last = _mark_group(changes, styled)
        _attribute(changes[-1], last, name, styled)
    for _, changes in groups:
        for change in changes:
            unwrap(change)
    return len(groups)


def _lift_nested_deletions(paragraph: etree._Element) -> None:
    """Text inserted by one delegation and deleted by another (a w:del inside a w:ins) becomes
    a deletion of its own between two pieces of the insertion, so each is attributed."""
    for change in [c for c in paragraph if c.tag in _INSERTED]:
        if not any(child.tag in _DELETED for child in change):
            continue
        pieces: list[etree._Element] = []
        for child in list(change):
            if child.tag in _DELETED:
                pieces.append(child)
                continue
            if not pieces or pieces[-1].tag in _DELETED:
                shell = etree.Element(change.tag, dict(change.attrib))
                pieces.append(shell)
            pieces[-1].append(child)
        for piece in reversed(pieces):
            change.addnext(piece)
        paragraph.remove(change)


def _has_text(element: etree._Element) -> bool:
    """Whether a change holds text (or a tab, a footnote reference) rather than only marks."""
    return any(True for _ in element.iter(qn("w:t"), qn("w:delText"), qn("w:tab"), qn("w:footnoteReference")))


def _mark_group(changes: list[etree._Element], styled: bool) -> etree._Element | None:
    """Underline inserted runs, strike deleted ones (their deleted text shown again), and unwrap
    them; returns the group's last run."""
    last = None
    for change in changes:
        inserted = change.tag in _INSERTED
        for run in change.iter(qn("w:r")):
            properties = get_or_add(run, "w:rPr")
            for mark in properties.findall(qn("w:rPrChange")):
                properties.remove(mark)
            if styled:
                set_property(properties, "w:rStyle", val="ConcordInsertion" if inserted else "ConcordDeletion")
            if inserted:
                set_property(properties, "w:u", val="single")
            else:
                set_property(properties, "w:strike")
                run.set(SHOWN_MARK, "1")
                for text in run.iter(qn("w:delText")):
                    text.tag = qn("w:t")
                for text in run.iter(qn("w:delInstrText")):
                    text.tag = qn("w:instrText")
            last = run
    return last


def _attribute(after: etree._Element, model: etree._Element | None, author: str, styled: bool) -> None:
    """Put the attribution run " (Egypt, Singapore)" right after the change ``after``, formatted
    like the change's last run without its underline or strike."""
    shown = "".join(t.text or "" for t in after.iter(qn("w:t"), qn("w:delText")))
    following = _text_after(after)
    run = etree.Element(qn("w:r"))
    run.set(SHOWN_MARK, "1")
    source = model.find(qn("w:rPr")) if model is not None else None
    if source is not None:
        properties = copy.deepcopy(source)
        for child in list(properties):
            if child.tag in _LINE_PROPERTIES:
                properties.remove(child)
        if len(properties):
            insert_in_order(run, properties)
    if styled:
        set_property(get_or_add(run, "w:rPr"), "w:rStyle", val="ConcordAttribution")
    text = etree.SubElement(run, qn("w:t"))
    text.text = padded_attribution([author] if author else [], shown[-1:], following[:1])
    text.set(qn("xml:space"), "preserve")
    after.addnext(run)


def _text_after(element: etree._Element) -> str:
    """The first characters of text after ``element`` in its paragraph (deleted text included:
    it is shown too)."""
    following = element.getnext()
    while following is not None:
        found = "".join(t.text or "" for t in following.iter(qn("w:t"), qn("w:delText")))
        if found:
            return found
        following = following.getnext()
    return ""
