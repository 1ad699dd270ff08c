"""List numbering as Word shows it: which list and level a paragraph is in, and the number it shows.

Operative paragraphs are usually numbered by Word's list numbering, not typed, so "OP4" is only
visible by evaluating numbering.xml the way Word does: abstract lists (``w:abstractNum``) define
levels (start value, number format, level text such as "%1." or "(%2)"); list instances
(``w:num``) point at one and may override start values or levels; paragraph styles carry
numbering too (``w:numPr`` in styles.xml, inherited through ``w:basedOn``); numbering styles link
abstract lists together (``w:numStyleLink`` / ``w:styleLink``). Counters run per abstract list,
in document order, so two list instances of one abstract list continue each other's numbers.

Numbers are evaluated on the ORIGINAL view: a paragraph whose properties were changed as a
tracked change (``w:pPrChange``) counts with its old properties, and a paragraph that exists only
because a delegation inserted it has no reference (None) and does not advance the counters, so a
proposed paragraph never renumbers the base draft.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from docxio.model import ListLabel
from docxio.ooxml import (
    W_ABSTRACT_NUM, W_ABSTRACT_NUM_ID, W_BASED_ON, W_DEFAULT, W_ILVL, W_INS, W_IS_LGL, W_LVL, W_LVL_OVERRIDE,
    W_LVL_RESTART, W_LVL_TEXT, W_NUM, W_NUM_FMT, W_NUM_ID, W_NUM_PR, W_NUM_STYLE_LINK, W_PPR, W_PPR_CHANGE, W_PSTYLE,
    W_START, W_START_OVERRIDE, W_STYLE, W_STYLE_ID, W_STYLE_LINK, W_TYPE, W_VAL, is_on, is_on_value,
    normalize_namespaces,
)
from docxio.package import Package

#: Word has nine list levels (0-8).
LEVELS = 9
#: The largest list number Word accepts as a start value.
_WORD_MAX_NUMBER = 32767


@dataclass(frozen=True)
class Level:
    """One level of a list: ``ilvl`` 0-8, first number ``start``, format ``num_fmt`` ("decimal",
    "lowerLetter", …), level text ``text`` with %1…%9 placeholders ("(%2)"), ``restart`` the
    1-based level after which it restarts (None: after any higher level; 0: never), ``legal``
    (w:isLgl: show every level's number in decimal), ``style`` the paragraph style linked to it."""

    ilvl: int
    start: int = 1
    num_fmt: str = "decimal"
    text: str = ""
    restart: int | None = None
    legal: bool = False
    style: str | None = None


@dataclass(frozen=True)
class AbstractList:
    """A ``w:abstractNum``: its levels by ilvl, and the numbering style it uses (``num_style_link``,
    its levels are then those of the style's list) or defines (``style_link``)."""

    id: str
    levels: dict[int, Level] = field(default_factory=dict)
    num_style_link: str | None = None
    style_link: str | None = None


@dataclass(frozen=True)
class ListInstance:
    """A ``w:num``: the abstract list it uses, start overrides and whole-level overrides by ilvl."""

    id: str
    abstract_id: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, Level] = field(default_factory=dict)


@dataclass(frozen=True)
class StyleNumbering:
    """What a style says about numbering: its parent style, and its ``w:numPr`` (None when absent)."""

    id: str
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int | None = None


@dataclass(frozen=True)
class NumberingRef:
    """The list instance (``num_id``) and level (0-based) a paragraph is numbered with."""

    num_id: str
    level: int


@dataclass(frozen=True)
class Numbering:
    """A document's list definitions and the numbering its styles carry."""

    abstracts: dict[str, AbstractList] = field(default_factory=dict)
    instances: dict[str, ListInstance] = field(default_factory=dict)
    styles: dict[str, StyleNumbering] = field(default_factory=dict)
    default_style: str | None = None

    def paragraph_ref(self, p: etree._Element, original: bool = True) -> NumberingRef | None:
        """The list and level in force for a ``w:p``, or None when it is not numbered.

        With ``original`` the paragraph's old properties count when they were changed as a
        tracked change (``w:pPrChange``), and numbering added as a tracked change
        (``w:numPr/w:ins``) does not. ``numId`` 0 means "no numbering" (LibreOffice writes it on
        every unnumbered paragraph); a paragraph with ``w:ilvl`` but no ``w:numId`` takes the list
        of its style.
        """
        ppr = p.find(W_PPR)
        if original and ppr is not None:
            change = ppr.find(W_PPR_CHANGE)
            if change is not None:
                ppr = change.find(W_PPR)  # None: the paragraph had no properties at all
        num_id, ilvl, style_id = None, None, None
        if ppr is not None:
            style_id = _val(ppr.find(W_PSTYLE))
            numpr = ppr.find(W_NUM_PR)
            if numpr is not None and not (original and numpr.find(W_INS) is not None):
                num_id = _val(numpr.find(W_NUM_ID))
                ilvl = _int(_val(numpr.find(W_ILVL)))
        style_id = style_id or self.default_style
        if num_id is None or ilvl is None:
            style_num_id, style_ilvl = self._style_numbering(style_id)
            if num_id is None:
                num_id = style_num_id
            if ilvl is None:
                ilvl = style_ilvl
        if num_id is None or num_id.strip() == "0" or num_id not in self.instances:
            return None
        if ilvl is None:
            ilvl = self._level_linked_to_style(num_id, style_id)
        return NumberingRef(num_id, min(max(ilvl, 0), LEVELS - 1))

    def abstract(self, num_id: str) -> AbstractList | None:
        """The abstract list whose levels a list instance uses, following ``w:numStyleLink``."""
        instance = self.instances.get(num_id)
        if instance is None:
            return None
        abstract = self.abstracts.get(instance.abstract_id)
        seen: set[str] = set()
        # A numStyleLink points to a numbering style, whose numPr names a list instance whose
        # abstract list holds the levels; guard against loops in hostile files.
        while abstract is not None and abstract.num_style_link and abstract.id not in seen:
            seen.add(abstract.id)
            linked = self.styles.get(abstract.num_style_link)
            target = self.instances.get(linked.num_id) if linked and linked.num_id else None
            if target is None:
                break
            abstract = self.abstracts.get(target.abstract_id)
        return abstract

    def level(self, num_id: str, ilvl: int) -> Level | None:
        """The definition of a level of a list instance: its own override, else the abstract's."""
        instance = self.instances.get(num_id)
        if instance is None:
            return None
        if ilvl in instance.level_overrides:
            return instance.level_overrides[ilvl]
        abstract = self.abstract(num_id)
        return abstract.levels.get(ilvl) if abstract else None

    def start(self, num_id: str, ilvl: int) -> int:
        """Where a level of a list instance starts counting (its start override, else its start)."""
        instance = self.instances.get(num_id)
        if instance is not None and ilvl in instance.start_overrides:
            return instance.start_overrides[ilvl]
        level = self.level(num_id, ilvl)
        return level.start if level else 1

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """numId and ilvl a paragraph style gives, through its basedOn chain."""
        num_id, ilvl = None, None
        seen: set[str] = set()
        while style_id and style_id not in seen and (num_id is None or ilvl is None):
            seen.add(style_id)
            style = self.styles.get(style_id)
            if style is None:
                break
            # Each of numId and ilvl comes from the nearest style that sets it.
            if num_id is None:
                num_id = style.num_id
            if ilvl is None:
                ilvl = style.ilvl
            style_id = style.based_on
        return num_id, ilvl

    def _level_linked_to_style(self, num_id: str, style_id: str | None) -> int:
        abstract = self.abstract(num_id)
        if abstract is not None and style_id:
            for level in abstract.levels.values():
                if level.style == style_id:
                    return level.ilvl
        return 0


def read_numbering(package: Package) -> Numbering:
    """The numbering definitions (numbering.xml) and styles' numbering (styles.xml) of a package;
    an empty ``Numbering`` when it has neither. Strict documents are read too."""
    main = package.main_document()
    numbering_root = _part_root(package, main, "numbering")
    styles_root = _part_root(package, main, "styles")
    abstracts: dict[str, AbstractList] = {}
    instances: dict[str, ListInstance] = {}
    if numbering_root is not None:
        for element in numbering_root.iter(W_ABSTRACT_NUM):
            abstract = _abstract_list(element)
            abstracts[abstract.id] = abstract
        for element in numbering_root.iter(W_NUM):
            instance = _list_instance(element)
            if instance is not None:
                instances[instance.id] = instance
    styles: dict[str, StyleNumbering] = {}
    default_style = None
    if styles_root is not None:
        for element in styles_root.iter(W_STYLE):
            style = _style_numbering(element)
            if style is None:
                continue
            styles[style.id] = style
            if element.get(W_TYPE) in (None, "paragraph") and is_on_value(element.get(W_DEFAULT)):
                default_style = style.id
    return Numbering(abstracts, instances, styles, default_style)


def list_labels(numbering: Numbering, refs: Sequence[NumberingRef | None]) -> list[ListLabel | None]:
    """The list label Word shows before each paragraph, given their refs in document order.

    Counters are kept per abstract list; using a level restarts the deeper levels (as
    ``w:lvlRestart`` allows); the first paragraph of a list instance with start overrides
    restarts those levels. A None ref (a paragraph absent from the original view, or not
    numbered) gets None and does not advance any counter.
    """
    counters: dict[str, list[int | None]] = {}
    started: set[str] = set()
    labels: list[ListLabel | None] = []
    for ref in refs:
        abstract = numbering.abstract(ref.num_id) if ref is not None else None
        level = numbering.level(ref.num_id, ref.level) if ref is not None else None
        if ref is None or abstract is None or level is None:
            labels.append(None)
            continue
        values = counters.setdefault(abstract.id, [None] * LEVELS)
        if ref.num_id not in started:
            started.add(ref.num_id)
            for ilvl in numbering.instances[ref.num_id].start_overrides:
                if 0 <= ilvl < LEVELS:
                    values[ilvl] = None
        current = values[ref.level]
        values[ref.level] = numbering.start(ref.num_id, ref.level) if current is None else current + 1
        for deeper in range(ref.level + 1, LEVELS):
            deeper_level = numbering.level(ref.num_id, deeper)
            restart = deeper_level.restart if deeper_level else None
            # lvlRestart is 1-based: restart when a level at or above it (0-based: below it) is used.
            if restart is None or ref.level < restart:
                values[deeper] = None
        text = _label_text(numbering, ref, level, values)
        labels.append(ListLabel(text=text, level=ref.level, num_id=ref.num_id, ordinal=values[ref.level] or 0))
    return labels


def format_number(value: int, num_fmt: str) -> str:
    """A number in a Word number format ("lowerLetter": 28 → "bb", "upperRoman": 4 → "IV")."""
    if num_fmt in ("none", "bullet"):
        return ""
    if not 0 <= value <= _WORD_MAX_NUMBER:
        # Word caps list numbers at 32767; a hostile start value must not build huge "MMMM…" labels.
        return str(value)
    if num_fmt in ("lowerLetter", "upperLetter"):
        text = _letters(value)
        return text.upper() if num_fmt == "upperLetter" else text
    if num_fmt in ("lowerRoman", "upperRoman"):
        text = _roman(value)
        return text.lower() if num_fmt == "lowerRoman" else text
    if num_fmt == "decimalZero":
        return f"{value:02d}" if 0 <= value < 10 else str(value)
    if num_fmt == "ordinal":
        return f"{value}{_ordinal_suffix(value)}"
    if num_fmt == "cardinalText":
        return _words(value).capitalize()
    if num_fmt == "ordinalText":
        return _ordinal_words(value).capitalize()
    if num_fmt == "decimalEnclosedParen":
        return f"({value})"
    if num_fmt in ("decimalEnclosedFullstop", "decimalEnclosedPeriod"):
        return f"{value}."
    if num_fmt == "decimalEnclosedCircle" and 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if num_fmt == "chicago":
        return "*†‡§"[(value - 1) % 4] * ((value - 1) // 4 + 1) if value > 0 else str(value)
    # decimal and the many East Asian formats we have no reason to render differently
    return str(value)


# --- evaluation -------------------------------------------------------------------------------

def _label_text(numbering: Numbering, ref: NumberingRef, level: Level, values: list[int | None]) -> str:
    """The level text with each %n replaced by level n-1's number in that level's format."""
    if level.num_fmt == "bullet":
        return level.text
    out = []
    text = level.text
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 1 < len(text) and text[i + 1] in "123456789":
            ilvl = int(text[i + 1]) - 1
            value = values[ilvl]
            if value is None:
                value = numbering.start(ref.num_id, ilvl)
            shown = numbering.level(ref.num_id, ilvl)
            num_fmt = shown.num_fmt if shown else "decimal"
            if level.legal and num_fmt not in ("none", "bullet"):
                num_fmt = "decimal"
            out.append(format_number(value, num_fmt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _letters(value: int) -> str:
    # Word repeats the letter past z: y, z, aa, bb, cc… (not Excel's aa, ab).
    if value <= 0:
        return str(value)
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


_ROMAN_TABLE = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(value: int) -> str:
    if value <= 0:
        return str(value)
    out = []
    for amount, numeral in _ROMAN_TABLE:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


def _ordinal_suffix(value: int) -> str:
    if 10 <= value % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")


_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_ONES = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                 "nine": "ninth", "twelve": "twelfth"}


def _words(value: int) -> str:
    if value < 0 or value >= 1000:
        return str(value)
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(value, 100)
    return f"{_ONES[hundreds]} hundred" + (f" {_words(rest)}" if rest else "")


def _ordinal_words(value: int) -> str:
    words = _words(value)
    head, sep, last = words.rpartition("-") if "-" in words else words.rpartition(" ")
    if last in _ORDINAL_ONES:
        last = _ORDINAL_ONES[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    elif last.isalpha():
        last += "th"
    return f"{head}{sep}{last}"


# --- reading the XML --------------------------------------------------------------------------

def _part_root(package: Package, main: str, relationship: str) -> etree._Element | None:
    names = package.related(main, relationship)
    if not names:
        return None
    root = package.xml(names[0])
    return normalize_namespaces(root) if root is not None else None


def _val(element: etree._Element | None) -> str | None:
    return element.get(W_VAL) if element is not None else None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _level(element: etree._Element, ilvl: int | None = None) -> Level | None:
    """A w:lvl; ``ilvl`` is the level of the w:lvlOverride holding it, if any."""
    own = _int(element.get(W_ILVL))
    ilvl = own if own is not None else ilvl
    if ilvl is None or not 0 <= ilvl < LEVELS:
        return None
    legal = element.find(W_IS_LGL)
    text_element = element.find(W_LVL_TEXT)
    start = _int(_val(element.find(W_START)))
    return Level(
        ilvl=ilvl,
        start=1 if start is None else start,
        num_fmt=_val(element.find(W_NUM_FMT)) or "decimal",
        text=(text_element.get(W_VAL) or "") if text_element is not None else "",
        restart=_int(_val(element.find(W_LVL_RESTART))),
        legal=is_on(legal),
        style=_val(element.find(W_PSTYLE)),
    )


def _abstract_list(element: etree._Element) -> AbstractList:
    levels = {}
    for child in element.findall(W_LVL):
        level = _level(child)
        if level is not None:
            levels[level.ilvl] = level
    return AbstractList(
        id=element.get(W_ABSTRACT_NUM_ID, ""),
        levels=levels,
        num_style_link=_val(element.find(W_NUM_STYLE_LINK)),
        style_link=_val(element.find(W_STYLE_LINK)),
    )


def _list_instance(element: etree._Element) -> ListInstance | None:
    abstract_id = _val(element.find(W_ABSTRACT_NUM_ID))
    num_id = element.get(W_NUM_ID)
    if abstract_id is None or num_id is None:
        return None
    starts: dict[int, int] = {}
    overrides: dict[int, Level] = {}
    for override in element.findall(W_LVL_OVERRIDE):
        ilvl = _int(override.get(W_ILVL))
        if ilvl is None:
            continue
        start = _int(_val(override.find(W_START_OVERRIDE)))
        if start is not None:
            starts[ilvl] = start
        lvl = override.find(W_LVL)
        level = _level(lvl, ilvl) if lvl is not None else None
        if level is not None:
            overrides[ilvl] = level
    return ListInstance(num_id, abstract_id, starts, overrides)


def _style_numbering(element: etree._Element) -> StyleNumbering | None:
    style_id = element.get(W_STYLE_ID)
    if not style_id:
        return None
    ppr = element.find(W_PPR)
    numpr = ppr.find(W_NUM_PR) if ppr is not None else None
    num_id = _val(numpr.find(W_NUM_ID)) if numpr is not None else None
    ilvl = _int(_val(numpr.find(W_ILVL))) if numpr is not None else None
    return StyleNumbering(style_id, _val(element.find(W_BASED_ON)), num_id, ilvl)
