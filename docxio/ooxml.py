"""OOXML element access: the one place for namespaces and tag names.

Strict (ISO 29500 Strict, purl.oclc.org) documents use other namespace URIs for the same elements;
``STRICT_TO_TRANSITIONAL`` maps them so every other module can speak transitional only.
"""
from __future__ import annotations

from lxml import etree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "w15": "http://schemas.microsoft.com/office/word/2012/wordml",
    "w16cid": "http://schemas.microsoft.com/office/word/2016/wordml/cid",
    "w16cex": "http://schemas.microsoft.com/office/word/2018/wordml/cex",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "xml": "http://www.w3.org/XML/1998/namespace",
}

STRICT_TO_TRANSITIONAL = {
    "http://purl.oclc.org/ooxml/wordprocessingml/main": NS["w"],
    "http://purl.oclc.org/ooxml/officeDocument/relationships": NS["r"],
    "http://purl.oclc.org/ooxml/officeDocument/math": NS["m"],
    "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": NS["wp"],
    "http://purl.oclc.org/ooxml/drawingml/main": NS["a"],
    "http://purl.oclc.org/ooxml/officeDocument/extendedProperties": NS["ep"],
}


def qn(tag: str) -> str:
    """Clark notation for a prefixed tag: qn("w:ins") -> "{http://...main}ins"."""
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def xpath(element: etree._Element, path: str) -> list:
    """XPath over the namespace map above."""
    return element.xpath(path, namespaces=NS)


def story_paragraphs(story_root: etree._Element) -> list[etree._Element]:
    """The w:p elements of a story part in reading order — the order ``Paragraph.index`` counts.

    Paragraphs inside mc:Fallback are skipped: they repeat the text box content of mc:Choice, and
    Word shows one of the two. The reader and the writer both count with this function, so an index
    read from a base draft finds the same paragraph when the consolidated draft is written.
    """
    fallback = qn("mc:Fallback")
    return [
        p for p in story_root.iter(qn("w:p"))
        if not any(a.tag == fallback for a in p.iterancestors())
    ]
