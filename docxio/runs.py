"""The text of a paragraph as runs: find a character offset, split runs there.

A proposal's offset is a position in the paragraph's current text (tracked changes accepted). To
put a change there the writer needs a boundary between two children of the w:p: this module
splits the run (and the w:ins / w:hyperlink / w:smartTag around it) at that offset, so that
everything before the offset is in earlier children of the paragraph and everything after it in
later ones. Content controls and simple fields are not cut: the writer works inside
their content instead, as in a paragraph.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from lxml import etree

from docxio.ooxml import qn

#: Attribute marking elements the writer created, so they are not mistaken for base text. It has
#: no namespace, so marking adds no namespace declaration (removing it again leaves the part's
#: declarations exactly as they were: Word needs those that mc:Ignorable names).
NEW_MARK = "concord-new"

#: Run children that show text, and the text they show (w:t carries its own).
_TEXT_CHILDREN = {
    qn("w:t"): None,
    qn("w:tab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}

#: Containers whose content is removed text in the current view.
_REMOVED = {qn("w:del"), qn("w:moveFrom")}

#: Run-level containers the writer can cut in two (same element, its properties copied).
_SPLITTABLE = {
    qn("w:ins"), qn("w:moveTo"), qn("w:hyperlink"), qn("w:smartTag"), qn("w:customXml"),
    qn("w:bdo"), qn("w:dir"),
}
#: Property children that must be repeated in both halves of a cut container.
_CONTAINER_PROPERTIES = {qn("w:smartTagPr"), qn("w:customXmlPr")}
#: Elements whose content the writer works inside, like a paragraph's: a content control's
#: content and a simple field's result (neither can be cut, but runs inside them can).
_HOSTS = {qn("w:sdtContent"), qn("w:fldSimple")}
#: Revision containers: a cut one needs a fresh id.
_REVISION_CONTAINERS = {qn("w:ins"), qn("w:moveTo"), qn("w:del"), qn("w:moveFrom")}


@dataclass(frozen=True)
class Atom:
    """One text-showing child of a base run: its run, the child, the text it shows and where
    that text starts in the paragraph's current text."""

    run: etree._Element
    child: etree._Element
    text: str
    start: int

    @property
    def end(self) -> int:
        """Offset just after this atom's text."""
        return self.start + len(self.text)


def _own_runs(paragraph: etree._Element) -> Iterator[etree._Element]:
    """The w:r of this paragraph (not of a text box paragraph nested in it), in order."""
    p_tag = qn("w:p")
    for run in paragraph.iter(qn("w:r")):
        owner = next(a for a in run.iterancestors() if a.tag == p_tag)
        if owner is paragraph:
            yield run


def _is_current(run: etree._Element, paragraph: etree._Element) -> bool:
    """True when the run's text is in the current view and is base text (not ours)."""
    if run.get(NEW_MARK):
        return False
    for ancestor in run.iterancestors():
        if ancestor is paragraph:
            return True
        if ancestor.tag in _REMOVED and not ancestor.get(NEW_MARK):
            return False
        if ancestor.get(NEW_MARK) and ancestor.tag not in _REMOVED:
            return False
    return True


def atoms(paragraph: etree._Element) -> list[Atom]:
    """The current-view text of a paragraph, child by child, with offsets.

    Text deleted by the writer itself (a w:del it created) still counts: offsets stay those of
    the base text while the writer works.
    """
    result = []
    offset = 0
    for run in _own_runs(paragraph):
        if not _is_current(run, paragraph):
            continue
        for child in run:
            if child.tag not in _TEXT_CHILDREN:
                continue
            shown = _TEXT_CHILDREN[child.tag]
            text = child.text or "" if shown is None else shown
            if text:
                result.append(Atom(run, child, text, offset))
                offset += len(text)
    return result


def paragraph_text(paragraph: etree._Element) -> str:
    """The current-view text of a paragraph as the writer counts it."""
    return "".join(a.text for a in atoms(paragraph))


def _split_run(run: etree._Element, child: etree._Element, at: int) -> etree._Element:
    """Cut ``run`` so that ``child`` (cut at character ``at`` when it is a w:t) starts the second
    half; return the second run. Both halves keep the run properties."""
    second = etree.Element(run.tag, dict(run.attrib))
    properties = run.find(qn("w:rPr"))
    if properties is not None:
        second.append(copy.deepcopy(properties))
    moving = []
    if at > 0:
        text = child.text or ""
        head = etree.SubElement(second, child.tag)
        head.text = text[at:]
        head.set(qn("xml:space"), "preserve")
        child.text = text[:at]
        child.set(qn("xml:space"), "preserve")
        moving = list(child.itersiblings())
    else:
        moving = [child, *child.itersiblings()]
    for element in moving:
        second.append(element)
    run.addnext(second)
    return second


def _cut_container(container: etree._Element, first_moved: etree._Element, new_id: Callable[[], str]) -> etree._Element:
    """Cut a run-level container before ``first_moved`` (one of its children); the second half
    is a copy of the container (properties repeated, fresh revision id) holding the rest."""
    second = etree.Element(container.tag, dict(container.attrib))
    if container.tag in _REVISION_CONTAINERS:
        second.set(qn("w:id"), new_id())
    for child in container:
        if child.tag in _CONTAINER_PROPERTIES:
            second.append(copy.deepcopy(child))
    for element in [first_moved, *first_moved.itersiblings()]:
        second.append(element)
    container.addnext(second)
    return second


def split_at(paragraph: etree._Element, offset: int, new_id: Callable[[], str]) -> None:
    """Make ``offset`` of the paragraph's current text a boundary between two children of the w:p.

    Offsets at 0, at the end, or already on such a boundary change nothing. ``new_id`` gives
    fresh revision ids for cut w:ins elements.
    """
    split_at_all(paragraph, [offset], new_id)


def split_at_all(paragraph: etree._Element, offsets: Iterable[int], new_id: Callable[[], str]) -> None:
    """``split_at`` for several offsets, reading the paragraph's text once.

    Offsets are taken from the right: cutting a run keeps its first half as the same element
    with the same start, so the atoms read before stay valid for every offset to the left.
    """
    found = atoms(paragraph)
    starts = {a.start: a for a in found}
    for offset in sorted(set(offsets), reverse=True):
        inside = next((a for a in found if a.start < offset <= a.end), None)
        if inside is None:
            continue
        if offset == inside.end:
            following = starts.get(offset)
            if following is None:
                continue
            element = _split_run_before(following.run, following.child)
        elif inside.child.tag == qn("w:t"):
            element = _split_run(inside.run, inside.child, offset - inside.start)
        else:
            element = _split_run_before(inside.run, inside.child)
        _cut_up_to_host(paragraph, element, new_id)


def _cut_up_to_host(paragraph: etree._Element, element: etree._Element, new_id: Callable[[], str]) -> None:
    """Cut every container between a run and its host (the w:p, or a content control it sits
    in), so that the run starts a child of the host."""
    while element is not None and element.getparent() is not paragraph and element.getparent().tag not in _HOSTS:
        parent = element.getparent()
        if parent.tag not in _SPLITTABLE:
            return  # an unknown container: the boundary snaps to its edge
        if element.getprevious() is None or _only_properties_before(element):
            element = parent
            continue
        element = _cut_container(parent, element, new_id)


def _only_properties_before(element: etree._Element) -> bool:
    """True when nothing but container properties precede ``element`` in its container."""
    return all(e.tag in _CONTAINER_PROPERTIES for e in element.itersiblings(preceding=True))


def _split_run_before(run: etree._Element, child: etree._Element) -> etree._Element:
    """The run (or second half of it) that starts with ``child``."""
    before = [c for c in child.itersiblings(preceding=True) if c.tag != qn("w:rPr")]
    if not before:
        return run
    return _split_run(run, child, 0)


def top_level(paragraph: etree._Element, element: etree._Element) -> etree._Element:
    """The child of the w:p — or of the content control or simple field it sits in — that
    contains ``element``: where new runs can go beside it."""
    while element.getparent() is not paragraph and element.getparent().tag not in _HOSTS:
        element = element.getparent()
    return element


def child_ranges(paragraph: etree._Element) -> list[tuple[etree._Element, int, int]]:
    """Children of the w:p (or of a content control's content in it) that show current text,
    with the [start, end) they cover, in document order."""
    ranges: dict[int, list] = {}
    order: list[etree._Element] = []
    for atom in atoms(paragraph):
        top = top_level(paragraph, atom.run)
        key = id(top)
        if key not in ranges:
            ranges[key] = [top, atom.start, atom.end]
            order.append(top)
        else:
            ranges[key][2] = atom.end
    return [tuple(ranges[id(e)]) for e in order]
