"""Run formatting that matters for compilation texts: underline, strike-through, bold and style.

A compilation text shows proposals by typography (underlined insertions, struck deletions), so
the reader keeps these three facts of every run, its character style (the writer marks the
passage a stance note is on with one), and the run property changes (w:rPrChange) that are
formatting revisions. Everything else in a run's properties (fonts, sizes, languages) is
ignored. Characters a run shows through an element rather than text (w:sym) are decoded here too.
"""
from __future__ import annotations

from lxml import etree

from docxio.ooxml import W_B, W_DSTRIKE, W_RPR, W_RPR_CHANGE, W_RSTYLE, W_STRIKE, W_U, W_VAL, is_on, is_underlined

__all__ = ["PLAIN", "Format", "RunFormats", "run_formats", "symbol_character"]

#: (underline, strike, bold, character style id) of a run.
Format = tuple[bool, bool, bool, "str | None"]
PLAIN: Format = (False, False, False, None)

#: Each w:rPr that says anything read here: its format and its w:rPrChange elements.
RunFormats = dict[etree._Element, tuple[Format, list[etree._Element]]]


def run_formats(root: etree._Element) -> RunFormats:
    """The format (underline, strike, bold, style) and w:rPrChange elements of every w:rPr that
    has any.

    Found in one C-level pass over the few elements that matter, so the walk looks a run's
    properties up instead of stepping through each of them (fonts, sizes, languages: most of a
    Word file's elements). lxml keeps one proxy per element while it is referenced, so the walk's
    w:rPr finds its entry.
    """
    found: RunFormats = {}
    for prop in root.iter(W_U, W_STRIKE, W_DSTRIKE, W_B, W_RPR_CHANGE, W_RSTYLE):
        rpr = prop.getparent()
        if rpr is None or rpr.tag != W_RPR:
            continue
        (underline, strike, bold, style), changes = found.get(rpr, (PLAIN, []))
        tag = prop.tag
        if tag == W_RSTYLE:
            style = prop.get(W_VAL) or None
        elif tag == W_U:
            underline = is_underlined(prop)
        elif tag == W_B:
            bold = is_on(prop)
        elif tag == W_RPR_CHANGE:
            changes.append(prop)
        else:
            strike = strike or is_on(prop)
        found[rpr] = ((underline, strike, bold, style), changes)
    return found


def symbol_character(code: str) -> str:
    """The character a w:sym shows for its hexadecimal ``w:char``; U+FFFD when it is no number."""
    try:
        value = int(code, 16)
        # Symbol fonts use the private range F000-F0FF for their 00-FF glyphs.
        return chr(value - 0xF000 if 0xF020 <= value <= 0xF0FF else value)
    except ValueError:
        return "\ufffd"
