"""OOXML element access: the one place for namespaces and tag names.

Strict (ISO 29500 Strict, purl.oclc.org) documents use other namespace URIs for the same elements;
``STRICT_TO_TRANSITIONAL`` maps them so every other module can speak transitional only.
"""
from __future__ import annotations

import re

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
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}

#: The package's own vocabularies: the .rels parts and [Content_Types].xml (default namespace).
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
#: The relationship type of a document's comments part.
COMMENTS_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"

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
    paragraph = qn("w:p")
    # Collect the (rare) Fallback paragraphs first instead of walking every paragraph's ancestors:
    # the same list, without a Python step per ancestor of every paragraph. lxml hands back the
    # same proxy for an element while one is alive, so set membership is by element.
    in_fallback = {p for fallback in story_root.iter(qn("mc:Fallback")) for p in fallback.iter(paragraph)}
    if not in_fallback:
        return list(story_root.iter(paragraph))
    return [p for p in story_root.iter(paragraph) if p not in in_fallback]


# --- Namespace normalisation -------------------------------------------------------------------

#: Namespaces that name the same vocabulary under another URI: ISO Strict, and the preview URI of
#: Word 2013's w15 that early files (Word 2010 with the 2013 beta) still carry.
NAMESPACE_ALIASES = {
    **STRICT_TO_TRANSITIONAL,
    "http://schemas.microsoft.com/office/word/2010/11/wordml": NS["w15"],
}


def _alias_tag(name: str) -> str | None:
    """The transitional Clark name for ``name`` when its namespace is an alias, else None."""
    if name[:1] != "{":
        return None
    uri, _, local = name[1:].partition("}")
    target = NAMESPACE_ALIASES.get(uri)
    return f"{{{target}}}{local}" if target else None


def uses_aliased_namespaces(root: etree._Element) -> bool:
    """True when the part declares a Strict (or other aliased) namespace anywhere near its root.

    Word declares every namespace on the root element, so checking the root's map is enough to
    spare transitional files (nearly all of them) a walk over every element.
    """
    return any(uri in NAMESPACE_ALIASES for uri in root.nsmap.values())


_ALIAS_URIS = {uri.encode("ascii"): target.encode("ascii") for uri, target in NAMESPACE_ALIASES.items()}
#: Text every aliased URI contains: the Strict URIs' common stem, and each other alias whole.
_STRICT_STEM = b"http://purl.oclc.org/ooxml/"
_ALIAS_STEMS = (_STRICT_STEM, *(uri for uri in _ALIAS_URIS if not uri.startswith(_STRICT_STEM)))
_ALIAS_DECLARATION = re.compile(
    rb"""(xmlns(?::[A-Za-z_][\w.\-]*)?\s*=\s*)(["'])("""
    + b"|".join(re.escape(uri) for uri in _ALIAS_URIS)
    + rb""")\2"""
)


def normalize_namespace_declarations(data: bytes) -> bytes:
    """The bytes of an XML part with Strict (and other aliased) namespace declarations rewritten to
    their transitional URIs, so that parsing gives transitional names directly.

    Much faster than renaming every element after parsing (one C-level pass instead of a Python
    step per element); only ``xmlns`` declarations change, never text. Parts not in UTF-8 (rare
    UTF-16 files) are returned unchanged: ``normalize_namespaces`` renames their elements instead.
    """
    if not any(stem in data for stem in _ALIAS_STEMS):
        return data  # transitional (nearly every file): two scans of the bytes, not one per alias
    if not any(uri in data for uri in _ALIAS_URIS):
        return data
    return _ALIAS_DECLARATION.sub(lambda m: m.group(1) + m.group(2) + _ALIAS_URIS[m.group(3)] + m.group(2), data)


def normalize_namespaces(root: etree._Element) -> etree._Element:
    """Rewrite Strict (purl.oclc.org) and aliased element and attribute names to transitional, in
    place, so the rest of docxio reads one vocabulary. Returns ``root``.

    Strict documents also namespace most attributes (``w:val``), so attributes are renamed too.
    """
    if not uses_aliased_namespaces(root):
        return root
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str):
            renamed = _alias_tag(tag)
            if renamed:
                el.tag = renamed
        attrib = el.attrib
        for key in [k for k in attrib if k[:1] == "{"]:
            renamed = _alias_tag(key)
            if renamed:
                value = attrib.pop(key)
                attrib[renamed] = value
    return root


# --- Tag names used by the reader (Clark notation, computed once) ------------------------------

W = NS["w"]
M = NS["m"]

W_BODY = qn("w:body")
W_P = qn("w:p")
W_PPR = qn("w:pPr")
W_R = qn("w:r")
W_RPR = qn("w:rPr")
W_T = qn("w:t")
W_DEL_TEXT = qn("w:delText")
W_INSTR_TEXT = qn("w:instrText")
W_DEL_INSTR_TEXT = qn("w:delInstrText")
W_TAB = qn("w:tab")
W_PTAB = qn("w:ptab")
W_BR = qn("w:br")
W_CR = qn("w:cr")
W_SYM = qn("w:sym")
W_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
W_FLD_CHAR = qn("w:fldChar")
W_FLD_SIMPLE = qn("w:fldSimple")
W_INS = qn("w:ins")
W_DEL = qn("w:del")
W_MOVE_FROM = qn("w:moveFrom")
W_MOVE_TO = qn("w:moveTo")
W_MOVE_FROM_RANGE_START = qn("w:moveFromRangeStart")
W_MOVE_FROM_RANGE_END = qn("w:moveFromRangeEnd")
W_MOVE_TO_RANGE_START = qn("w:moveToRangeStart")
W_MOVE_TO_RANGE_END = qn("w:moveToRangeEnd")
W_RPR_CHANGE = qn("w:rPrChange")
W_PPR_CHANGE = qn("w:pPrChange")
W_SECT_PR = qn("w:sectPr")
W_SECT_PR_CHANGE = qn("w:sectPrChange")
W_NUM_PR = qn("w:numPr")
W_NUMBERING_CHANGE = qn("w:numberingChange")
W_PSTYLE = qn("w:pStyle")
W_TBL = qn("w:tbl")
W_TBL_PR = qn("w:tblPr")
W_TBL_PR_CHANGE = qn("w:tblPrChange")
W_TBL_GRID = qn("w:tblGrid")
W_TBL_GRID_CHANGE = qn("w:tblGridChange")
W_TBL_PR_EX = qn("w:tblPrEx")
W_TBL_PR_EX_CHANGE = qn("w:tblPrExChange")
W_TR = qn("w:tr")
W_TR_PR = qn("w:trPr")
W_TR_PR_CHANGE = qn("w:trPrChange")
W_TC = qn("w:tc")
W_TC_PR = qn("w:tcPr")
W_TC_PR_CHANGE = qn("w:tcPrChange")
W_CELL_INS = qn("w:cellIns")
W_CELL_DEL = qn("w:cellDel")
W_CELL_MERGE = qn("w:cellMerge")
W_HYPERLINK = qn("w:hyperlink")
W_SMART_TAG = qn("w:smartTag")
W_CUSTOM_XML = qn("w:customXml")
W_SDT = qn("w:sdt")
W_SDT_CONTENT = qn("w:sdtContent")
W_DIR = qn("w:dir")
W_BDO = qn("w:bdo")
W_TXBX_CONTENT = qn("w:txbxContent")
W_DRAWING = qn("w:drawing")
W_PICT = qn("w:pict")
W_OBJECT = qn("w:object")
W_FOOTNOTE_REFERENCE = qn("w:footnoteReference")
W_ENDNOTE_REFERENCE = qn("w:endnoteReference")
W_COMMENT_RANGE_START = qn("w:commentRangeStart")
W_COMMENT_RANGE_END = qn("w:commentRangeEnd")
W_COMMENT_REFERENCE = qn("w:commentReference")
W_COMMENT = qn("w:comment")
W_FOOTNOTE = qn("w:footnote")
W_ENDNOTE = qn("w:endnote")
W_U = qn("w:u")
W_STRIKE = qn("w:strike")
W_DSTRIKE = qn("w:dstrike")
W_B = qn("w:b")
W_RSTYLE = qn("w:rStyle")

# Lists (numbering.xml) and styles (styles.xml): elements, and attributes of the same name.
W_ILVL = qn("w:ilvl")
W_ABSTRACT_NUM = qn("w:abstractNum")
W_ABSTRACT_NUM_ID = qn("w:abstractNumId")
W_NUM = qn("w:num")
W_NUM_ID = qn("w:numId")
W_LVL = qn("w:lvl")
W_LVL_OVERRIDE = qn("w:lvlOverride")
W_START_OVERRIDE = qn("w:startOverride")
W_START = qn("w:start")
W_NUM_FMT = qn("w:numFmt")
W_LVL_TEXT = qn("w:lvlText")
W_LVL_RESTART = qn("w:lvlRestart")
W_IS_LGL = qn("w:isLgl")
W_NUM_STYLE_LINK = qn("w:numStyleLink")
W_STYLE_LINK = qn("w:styleLink")
W_STYLE = qn("w:style")
W_STYLE_ID = qn("w:styleId")
W_DEFAULT = qn("w:default")
W_BASED_ON = qn("w:basedOn")

MC_ALTERNATE_CONTENT = qn("mc:AlternateContent")
MC_CHOICE = qn("mc:Choice")
MC_FALLBACK = qn("mc:Fallback")
M_T = qn("m:t")
M_R = qn("m:r")

W_ID = qn("w:id")
W_AUTHOR = qn("w:author")
W_DATE = qn("w:date")
W_INITIALS = qn("w:initials")
W_NAME = qn("w:name")
W_VAL = qn("w:val")
W_TYPE = qn("w:type")
W_CHAR = qn("w:char")
W_FLD_CHAR_TYPE = qn("w:fldCharType")
W14_PARA_ID = qn("w14:paraId")
W15_PARA_ID = qn("w15:paraId")
W15_PARA_ID_PARENT = qn("w15:paraIdParent")
W15_DONE = qn("w15:done")
W15_COMMENT_EX = qn("w15:commentEx")
W16CID_COMMENT_ID = qn("w16cid:commentId")
W16CID_PARA_ID = qn("w16cid:paraId")
W16CID_DURABLE_ID = qn("w16cid:durableId")
W16CEX_COMMENT_EXTENSIBLE = qn("w16cex:commentExtensible")
W16CEX_DURABLE_ID = qn("w16cex:durableId")
W16CEX_DATE_UTC = qn("w16cex:dateUtc")


# --- Element helpers ---------------------------------------------------------------------------

_OFF = frozenset(("0", "false", "off", "none"))


def is_on(prop: etree._Element | None) -> bool:
    """The value of an on/off property element (``<w:b/>``, ``<w:b w:val="0"/>``); None is off.

    Transitional allows on/off, Strict true/false, both allow 1/0.
    """
    if prop is None:
        return False
    return prop.get(W_VAL, "1").lower() not in _OFF


def is_underlined(u: etree._Element | None) -> bool:
    """Whether a ``w:u`` element draws a line: present and not ``w:val="none"``."""
    return u is not None and u.get(W_VAL, "single").lower() not in _OFF


def local_name(tag: str) -> str:
    """``{uri}name`` -> ``name``."""
    return tag.rpartition("}")[2]


def prefixed(tag: str) -> str:
    """A Clark name as users of this module write it ("w:ins"), for warnings; the URI itself when
    the namespace is not one of ours."""
    if tag[:1] != "{":
        return tag
    uri, _, local = tag[1:].partition("}")
    for prefix, known in NS.items():
        if known == uri:
            return f"{prefix}:{local}"
    return tag


def is_on_value(value: str | None) -> bool:
    """An ST_OnOff attribute value ("1", "true", "on") as a bool; None is off."""
    return value is not None and value.lower() not in _OFF


def unwrap(element: etree._Element) -> None:
    """Replace an element by its children (accepting a w:ins keeps its runs, say). Only element
    children move: the element's own text and tail are dropped, as in WordprocessingML they are
    never content."""
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)
