"""A proposal to move a paragraph, written as Word writes a move: a real tracked change a Chair can
accept or reject in Word (tracked rendering only).

At the old place the paragraph's base text and its mark are ``w:moveFrom`` between
``w:moveFromRangeStart`` / ``w:moveFromRangeEnd``; at the new place (after the paragraph named by
``Proposal.moved_to``) the rendered paragraph — with the other delegations' proposals and
comments — is ``w:moveTo`` between ``w:moveToRangeStart`` / ``w:moveToRangeEnd``, its mark
``w:moveTo``. Both ranges carry the same ``w:name`` ("move1", …), the author is the delegation
list, the date the proposal's.

Moves written as a comment instead (the paragraph plan's note "move after OP12"): a paragraph with
several move proposals or a move in a conflict group (a delegation deletes the paragraph another
moves), a move to the start of the draft, a move to a paragraph that is not in the draft, and a
move of a proposed (new) paragraph.
"""
from __future__ import annotations

import copy
from typing import Callable, Iterable

from lxml import etree

from docxio import runs
from docxio.ooxml import qn
from docxio.proposals import ParagraphProposals, Proposal
from docxio.schema_order import get_or_add, insert_in_order, make_element

#: Marks of a paragraph that a moved copy must not repeat.
_MARKS = tuple(qn(f"w:{t}") for t in ("ins", "del", "moveFrom", "moveTo"))
#: Elements of the base paragraph left out of the moved-from copy: their ids (comments,
#: bookmarks, notes) exist once in a document, and stay with the paragraph at its new place.
_ONCE = tuple(qn(f"w:{t}") for t in ("commentReference", "footnoteReference", "endnoteReference"))
#: Containers whose runs are walked into when wrapping moved text (a link stays a link).
_WALK_INTO = tuple(qn(f"w:{t}") for t in ("hyperlink", "smartTag", "customXml", "fldSimple"))


def tracked_move(entry: ParagraphProposals, known: Iterable[str]) -> Proposal | None:
    """The move of a base paragraph the tracked rendering writes as a real move, or None.

    Only an unambiguous one: the paragraph's single move proposal, in no conflict group, going
    after a paragraph of the draft (``known`` identifiers). Otherwise the moves stay comments.
    """
    if entry.new or entry.base_index is None:
        return None
    moves = [p for p in entry.proposals if p.kind == "move"]
    if len(moves) != 1:
        return None
    move = moves[0]
    if move.group or not move.moved_to or move.moved_to == entry.id or move.moved_to not in set(known):
        return None
    return move


def move_names(root: etree._Element) -> set[str]:
    """The move names the base already uses (a new move must not pair with an old one)."""
    return {e.get(qn("w:name"), "") for e in root.iter(qn("w:moveFromRangeStart"), qn("w:moveToRangeStart"))}


def next_move_name(used: set[str]) -> str:
    """A move name not in ``used`` ("move1", "move2", …); it is added to ``used``."""
    number = 1
    while f"move{number}" in used:
        number += 1
    name = f"move{number}"
    used.add(name)
    return name


def moved_from_copy(base: etree._Element) -> etree._Element:
    """A copy of the base paragraph ``base`` (taken before anything was written into it) holding
    only its current base text: runs removed by earlier tracked changes, comment ranges,
    bookmarks and note references are left out (they live on at the new place)."""
    paragraph = etree.Element(qn("w:p"))
    properties = base.find(qn("w:pPr"))
    if properties is not None:
        paragraph.append(copy.deepcopy(properties))
    for run in base.iter(qn("w:r")):
        if not _present(run, base) or any(True for _ in run.iter(*_ONCE)):
            continue
        paragraph.append(copy.deepcopy(run))
    return paragraph


def _present(run: etree._Element, paragraph: etree._Element) -> bool:
    """Whether ``run`` is text of ``paragraph`` itself in the current view (not removed by a
    tracked deletion or move, not in a text box's own paragraph)."""
    for ancestor in run.iterancestors():
        if ancestor is paragraph:
            return True
        if ancestor.tag in (qn("w:del"), qn("w:moveFrom"), qn("w:p")):
            return False
    return False


def write_move(
    origin: etree._Element, moved: etree._Element, after: etree._Element, name: str,
    author: str, date: str, new_id: Callable[[], str],
) -> None:
    """Write one move: ``origin`` (from ``moved_from_copy``) takes the place of the rendered
    paragraph ``moved``, which goes right after ``after``; both are marked as a move ``name`` by
    ``author`` on ``date``. ``new_id`` gives fresh revision ids."""
    moved.addprevious(origin)
    after.addnext(moved)
    # A section break belongs to its place in the draft, not to the moved text.
    for section in moved.findall(f"{qn('w:pPr')}/{qn('w:sectPr')}"):
        section.getparent().remove(section)
    _mark_range(origin, "moveFrom", name, author, date, new_id)
    _mark_range(moved, "moveTo", name, author, date, new_id)


def _mark_range(paragraph: etree._Element, kind: str, name: str, author: str, date: str,
                new_id: Callable[[], str]) -> None:
    """Wrap the paragraph's base runs in w:moveFrom / w:moveTo, mark its paragraph mark and put
    the named range around its content."""
    mark_properties = get_or_add(get_or_add(paragraph, "w:pPr"), "w:rPr")
    for old in [c for c in mark_properties if c.tag in _MARKS]:
        mark_properties.remove(old)
    insert_in_order(mark_properties, make_element(f"w:{kind}", id=new_id(), author=author, date=date))
    _wrap_runs(paragraph, kind, author, date, new_id)
    range_id = new_id()
    start = make_element(f"w:{kind}RangeStart", id=range_id, author=author, date=date, name=name)
    properties = paragraph.find(qn("w:pPr"))
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph.insert(0, start)
    paragraph.append(make_element(f"w:{kind}RangeEnd", id=range_id))


def _wrap_runs(parent: etree._Element, kind: str, author: str, date: str, new_id: Callable[[], str]) -> None:
    """Wrap each stretch of consecutive plain runs of ``parent`` in one w:moveFrom / w:moveTo.
    Runs already in a revision (another delegation's insertion or deletion) keep it; a run
    holding only a comment reference stays outside, as Word writes it."""
    batch: list[etree._Element] = []

    def flush() -> None:
        if batch:
            wrapper = make_element(f"w:{kind}", id=new_id(), author=author, date=date)
            wrapper.set(runs.NEW_MARK, "1")
            batch[0].addprevious(wrapper)
            wrapper.extend(batch)
            batch.clear()

    for child in list(parent):
        if child.tag == qn("w:r") and child.find(qn("w:commentReference")) is None:
            if batch and batch[-1].getnext() is not child:
                flush()
            batch.append(child)
            continue
        flush()
        if child.tag in _WALK_INTO:
            _wrap_runs(child, kind, author, date, new_id)
    flush()
