"""Child order of the WordprocessingML elements the writer creates or edits (ECMA-376 Part 1).

Word refuses (or "repairs") a document whose children are out of schema sequence, e.g. a w:rPr
after the w:t of its run. The writer never appends a property blindly: it inserts it before the
first existing sibling that must follow it — python-docx's ``ZeroOrOne(..., successors=...)``
idea, without the metaclass. ``order_problems`` checks a whole part for the tests.
"""
from __future__ import annotations

from lxml import etree

from docxio.ooxml import qn

# §17.3.1.26 CT_PPr (pPrBase, then rPr, sectPr, pPrChange).
PPR_SEQUENCE = tuple(qn(f"w:{t}") for t in (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
))

# §17.3.2.28 CT_RPr: EG_RPrBase then rPrChange. A paragraph mark's rPr (CT_ParaRPr, §17.3.1.29)
# starts with its revision marks ins/del/moveFrom/moveTo.
RPR_SEQUENCE = tuple(qn(f"w:{t}") for t in (
    "ins", "del", "moveFrom", "moveTo",
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color",
    "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd",
    "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
    "rPrChange",
))

# §17.9.19 CT_NumPr.
NUMPR_SEQUENCE = tuple(qn(f"w:{t}") for t in ("ilvl", "numberingChange", "numId", "ins"))

#: Children that must come first in their parent (w:pPr in w:p, w:rPr in w:r).
FIRST_CHILD = {qn("w:p"): qn("w:pPr"), qn("w:r"): qn("w:rPr")}

#: Parents whose children follow a fixed sequence.
SEQUENCES = {qn("w:pPr"): PPR_SEQUENCE, qn("w:rPr"): RPR_SEQUENCE, qn("w:numPr"): NUMPR_SEQUENCE}


def _rank(sequence: tuple[str, ...], tag: str) -> int:
    """Position of ``tag`` in ``sequence``; unknown tags (extensions) rank last."""
    try:
        return sequence.index(tag)
    except ValueError:
        return len(sequence)


def insert_in_order(parent: etree._Element, child: etree._Element) -> etree._Element:
    """Insert ``child`` into ``parent`` at its schema position and return it.

    For w:p / w:r the property element goes first; for w:pPr / w:rPr / w:numPr the child goes
    before the first existing sibling ranked after it. Other parents get it appended.
    """
    first = FIRST_CHILD.get(parent.tag)
    if first is not None and child.tag == first:
        parent.insert(0, child)
        return child
    sequence = SEQUENCES.get(parent.tag)
    if sequence is None:
        parent.append(child)
        return child
    rank = _rank(sequence, child.tag)
    for index, sibling in enumerate(parent):
        if isinstance(sibling.tag, str) and _rank(sequence, sibling.tag) > rank:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def make_element(tag: str, **attributes: str) -> etree._Element:
    """A new w: element with w: attributes: make_element("w:u", val="single")."""
    element = etree.Element(qn(tag))
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def get_or_add(parent: etree._Element, tag: str) -> etree._Element:
    """The ``tag`` child ("w:rPr") of ``parent``, created at its schema position if absent."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    return insert_in_order(parent, etree.Element(qn(tag)))


def set_property(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    """Replace the ``tag`` child of a property element (w:rPr, w:pPr) by one with ``attributes``
    (keys are w: local names), at its schema position."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    return insert_in_order(parent, make_element(tag, **attributes))


def order_problems(root: etree._Element) -> list[str]:
    """Every w:p / w:r / w:pPr / w:rPr / w:numPr under ``root`` whose children break the schema
    sequence, described for a test failure message ("w:rPr: w:u before w:b"). Empty when valid."""
    problems = []
    for element in root.iter(*FIRST_CHILD, *SEQUENCES):
        children = [c for c in element if isinstance(c.tag, str)]
        first = FIRST_CHILD.get(element.tag)
        if first is not None:
            misplaced = [i for i, c in enumerate(children) if c.tag == first and i != 0]
            if misplaced:
                problems.append(f"{_short(element.tag)}: {_short(first)} is not the first child")
        sequence = SEQUENCES.get(element.tag)
        if sequence is not None:
            ranks = [_rank(sequence, c.tag) for c in children]
            for before, after, a, b in zip(ranks, ranks[1:], children, children[1:]):
                if after < before:
                    problems.append(f"{_short(element.tag)}: {_short(b.tag)} after {_short(a.tag)}")
    return problems


def _short(tag: str) -> str:
    """"{...main}rPr" -> "w:rPr" for messages."""
    return "w:" + etree.QName(tag).localname
