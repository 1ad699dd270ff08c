"""Proposed footnotes written like the base draft's own footnotes, and numbered as Word numbers them.

A footnote a delegation proposes goes into the base's footnotes part. Two things make it look
right in every word processor:

* its paragraph and mark copy the base's first footnote (paragraph style, hanging indent, the tab
  after the number, the mark's character style), so it is not a full-size paragraph in the body
  font under the small ones;
* footnotes are numbered in the order their references appear in the document, and their ids and
  their order in the footnotes part follow that order, as Word and LibreOffice write them:
  LibreOffice attaches footnote texts to references by that order, so a new footnote (highest id)
  referenced before an older one would otherwise show the older one's text under number 1.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from docxio.ooxml import qn

#: Footnotes that are not notes but the separators Word draws above them.
_SEPARATOR_TYPES = ("separator", "continuationSeparator", "continuationNotice")


@dataclass(frozen=True)
class FootnoteLook:
    """How the base's own footnotes are formatted: the paragraph properties of a footnote
    (None: the base has no footnote to copy), the run properties of the number in the footnote
    and of the reference in the text, and whether a tab (else a space) follows the number."""

    paragraph: etree._Element | None = None
    number: etree._Element | None = None
    reference: etree._Element | None = None
    tab: bool = False

    def paragraph_properties(self) -> etree._Element | None:
        """A fresh copy of the footnote paragraph's w:pPr, without revision marks."""
        if self.paragraph is None:
            return None
        properties = copy.deepcopy(self.paragraph)
        for tag in ("w:pPrChange", "w:rPr"):
            for old in properties.findall(qn(tag)):
                properties.remove(old)
        return properties

    def number_properties(self) -> etree._Element | None:
        """A fresh copy of the footnote number's w:rPr (in the footnote)."""
        return _clean(self.number)

    def reference_properties(self) -> etree._Element | None:
        """A fresh copy of the footnote reference's w:rPr (in the text)."""
        return _clean(self.reference)


def _clean(properties: etree._Element | None) -> etree._Element | None:
    if properties is None:
        return None
    clean = copy.deepcopy(properties)
    for child in list(clean):
        if child.tag in (qn("w:ins"), qn("w:del"), qn("w:rPrChange"), qn("w:u"), qn("w:strike")):
            clean.remove(child)
    return clean


def is_note(footnote: etree._Element) -> bool:
    """True for a real footnote (not a separator)."""
    return footnote.get(qn("w:type")) not in _SEPARATOR_TYPES


def base_footnote_look(footnotes: etree._Element | None, document: etree._Element | None) -> FootnoteLook:
    """The look of the base's first footnote that has a number mark, and of its first reference
    in ``document``; an empty look when the base has none."""
    reference = None
    if document is not None:
        found = next(document.iter(qn("w:footnoteReference")), None)
        if found is not None and found.getparent() is not None:
            reference = found.getparent().find(qn("w:rPr"))
    if footnotes is None:
        return FootnoteLook(reference=reference)
    for footnote in footnotes.findall(qn("w:footnote")):
        if not is_note(footnote):
            continue
        mark = next(footnote.iter(qn("w:footnoteRef")), None)
        if mark is None:
            continue
        paragraph = mark
        while paragraph is not None and paragraph.tag != qn("w:p"):
            paragraph = paragraph.getparent()
        run = mark.getparent()
        following = run.getnext() if run is not None else None
        tab = following is not None and following.tag == qn("w:r") and next(
            (child.tag == qn("w:tab") for child in following if child.tag != qn("w:rPr")), False)
        return FootnoteLook(
            paragraph=paragraph.find(qn("w:pPr")) if paragraph is not None else None,
            number=run.find(qn("w:rPr")) if run is not None else None,
            reference=reference,
            tab=tab,
        )
    return FootnoteLook(reference=reference)


def renumber_in_document_order(document: etree._Element, footnotes: etree._Element) -> None:
    """Give the footnotes ids in the order their references appear in ``document`` and put them in
    that order in the footnotes part; separators keep their ids and come first. Footnotes no
    reference points to keep their relative order after the referenced ones."""
    notes = [f for f in footnotes.findall(qn("w:footnote")) if is_note(f)]
    separator_ids = [f.get(qn("w:id"), "") for f in footnotes.findall(qn("w:footnote")) if not is_note(f)]
    start = 1 + max((int(i) for i in separator_ids if i.lstrip("-").isdigit()), default=0)
    by_id = {f.get(qn("w:id")): f for f in notes}
    order: list[str] = []
    references = list(document.iter(qn("w:footnoteReference")))
    for reference in references:
        old = reference.get(qn("w:id"))
        if old in by_id and old not in order:
            order.append(old)
    order.extend(i for i in by_id if i not in order)
    mapping = {old: str(start + n) for n, old in enumerate(order)}
    for reference in references:
        old = reference.get(qn("w:id"))
        if old in mapping:
            reference.set(qn("w:id"), mapping[old])
    for footnote in notes:
        footnotes.remove(footnote)
    for old in order:
        footnote = by_id[old]
        footnote.set(qn("w:id"), mapping[old])
        footnotes.append(footnote)
