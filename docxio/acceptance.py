"""Accept every tracked change of a story part, in place: what the compilation rendering starts from.

A compilation text has no revisions: the base draft's own earlier tracked changes are accepted
(the consolidation's ``base_text`` is that accepted text) before proposals are laid out in it.
ECMA-376 §17.13.5 lists the revision elements handled here.
"""
from __future__ import annotations

from lxml import etree

from docxio.ooxml import qn, unwrap

#: Content removed when accepting (deleted text, the source of a move, deleted table rows' runs).
_REMOVE_WITH_CONTENT = tuple(qn(f"w:{t}") for t in ("del", "moveFrom"))
#: Wrappers whose content stays when accepting.
_UNWRAP = tuple(qn(f"w:{t}") for t in ("ins", "moveTo"))
#: Records of former properties and range markers, dropped when accepting.
_DROP = tuple(qn(f"w:{t}") for t in (
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange",
    "tblGridChange", "tblPrExChange", "numberingChange", "moveFromRangeStart", "moveFromRangeEnd",
    "moveToRangeStart", "moveToRangeEnd", "cellIns", "cellMerge",
))
_MARK_PARENTS = (qn("w:rPr"), qn("w:trPr"))


def accept_all(root: etree._Element) -> None:
    """Accept every revision under ``root``.

    Deleted paragraph marks are cleared without joining the two paragraphs: the writer has
    already located its paragraphs by index, and joining would move text between them. Deleted
    table rows and cells are removed.
    """
    for element in list(root.iter(*_DROP)):
        _remove(element)
    for mark in list(root.iter(qn("w:del"), qn("w:ins"), qn("w:moveFrom"), qn("w:moveTo"))):
        parent = mark.getparent()
        if parent is None or parent.tag not in _MARK_PARENTS:
            continue
        if parent.tag == qn("w:trPr") and mark.tag == qn("w:del"):
            row = parent.getparent()
            if row.getparent() is not None:
                row.getparent().remove(row)
            continue
        parent.remove(mark)  # paragraph-mark or row revision: the mark or row stays
    for cell in list(root.iter(qn("w:cellDel"))):
        tc = cell.getparent().getparent()
        if tc is not None and tc.getparent() is not None:
            tc.getparent().remove(tc)
    for element in list(root.iter(*_REMOVE_WITH_CONTENT)):
        if element.getparent() is not None and element.getparent().tag not in _MARK_PARENTS:
            _remove(element)
    for element in list(root.iter(*_UNWRAP)):
        if element.getparent() is not None and element.getparent().tag not in _MARK_PARENTS:
            unwrap(element)
    for text in list(root.iter(qn("w:delText"))):
        text.tag = qn("w:t")  # deleted text left inside kept content (malformed but seen)


def _remove(element: etree._Element) -> None:
    """Remove an element from its parent, if it still has one (its tail goes with it: between
    WordprocessingML elements a tail is only insignificant white space)."""
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)
