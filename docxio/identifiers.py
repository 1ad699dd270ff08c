"""Paragraph identifiers: the grammar delegations type and the one canonical form Concord emits.

A paragraph identifier names a preambular (PP) or operative (OP) paragraph by its number in the
base draft, a Latin ordinal for paragraphs proposed after it ("bis", "ter" … "vicies"), "alt" for an
alternative wording, and sub-paragraph letters: ``PP3 ter alt``, ``OP9 bis``, ``OP3 (a) (ii)``.
Delegations type them in many spellings (``pp3Ter``, ``PP 5``, ``[PP5]``, ``8 bis``, ``OP9bis``,
``OP6 nonies``); ``parse_label`` reads all of them and ``Identifier.__str__`` writes the canonical
one. Pure functions and values only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

#: Canonical Latin ordinals by value, from 2 ("bis") to 30 ("tricies").
ORDINALS: tuple[str, ...] = (
    "bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies",
    "undecies", "duodecies", "terdecies", "quaterdecies", "quindecies", "sexdecies", "septdecies",
    "octodecies", "novodecies", "vicies", "unvicies", "duovicies", "tervicies", "quatervicies",
    "quinvicies", "sexvicies", "septvicies", "octovicies", "novovicies", "tricies",
)

#: Spelling variants seen in drafts and legal-drafting lists (field notes §3), by value. The
#: "-iens" forms ("deciens") are handled by rule in ``ordinal_value``.
_VARIANTS: dict[str, int] = {
    "quarter": 4,  # a frequent misspelling of quater; no other reading is plausible after "OP4"
    "quinques": 5, "quinquiens": 5,
    "nonies": 9,
    "tredecies": 13,
    "quattuordecies": 14, "quatuordecies": 14,
    "quinquiesdecies": 15, "quinquadecies": 15,
    "sedecies": 16, "sexiesdecies": 16,
    "septiesdecies": 17, "septemdecies": 17, "septendecies": 17,
    "octiesdecies": 18, "duodevicies": 18, "octodecies": 18, "octodeciens": 18,
    "noviesdecies": 19, "undevicies": 19, "novemdecies": 19, "nonodecies": 19,
}

_VALUES: dict[str, int] = {word: value for value, word in enumerate(ORDINALS, start=2)} | _VARIANTS


def ordinal_value(word: str) -> int | None:
    """The value of a Latin ordinal suffix in any accepted spelling ("ter" → 3, "nonies" → 9,
    "deciens" → 10), or None when the word is not one."""
    # casefold, not lower: the label pattern matches case-insensitively in Unicode, where a long s
    # ("ſexies") is an "s"; lower() would leave it and a matched suffix would have no value.
    word = word.casefold()
    if word in _VALUES:
        return _VALUES[word]
    if word.endswith("iens"):
        return _VALUES.get(word[:-4] + "ies")
    return None


def ordinal_word(value: int) -> str:
    """The canonical suffix for a value (2 → "bis"); ValueError outside 2..30."""
    if not 2 <= value <= len(ORDINALS) + 1:
        raise ValueError(f"no Latin ordinal suffix for {value}: suffixes run from bis (2) to tricies (30)")
    return ORDINALS[value - 2]


def ordinal_index(word: str) -> int:
    """Sort position of a suffix: 1 for none (""), 2 for "bis", 3 for "ter"…; ValueError when
    the word is not an ordinal."""
    if not word:
        return 1
    value = ordinal_value(word)
    if value is None:
        raise ValueError(f"{word!r} is not a Latin ordinal suffix (bis, ter, quater …)")
    return value


@dataclass(frozen=True)
class Identifier:
    """A parsed paragraph identifier.

    ``kind`` is "PP" or "OP"; ``number`` the base-draft number; ``ordinal`` 1 for none, 2 for
    "bis" …; ``alt`` 0 for none, 1 for "alt", n for "alt n"; ``sub`` the sub-paragraph labels
    without parentheses, outermost first (("a", "ii")), each possibly with a suffix ("a bis").
    """

    kind: str
    number: int
    ordinal: int = 1
    alt: int = 0
    sub: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.kind}{self.number}"
        if self.ordinal > 1:
            text += " " + ordinal_word(self.ordinal)
        if self.alt == 1:
            text += " alt"
        elif self.alt > 1:
            text += f" alt {self.alt}"
        for label in self.sub:
            text += f" ({label})"
        return text

    @property
    def base(self) -> Identifier:
        """The identifier without its alternative and sub-paragraphs (``PP3 ter alt`` → ``PP3 ter``)."""
        return Identifier(self.kind, self.number, self.ordinal)

    def sort_key(self) -> tuple:
        """Document order: PP before OP, then number, ordinal, alt, sub-paragraphs."""
        return (
            _KIND_ORDER[self.kind], self.number, self.ordinal, self.alt,
            tuple(_sub_key(label, depth) for depth, label in enumerate(self.sub)),
        )


@dataclass(frozen=True)
class LabelMatch:
    """A label typed at the start of a paragraph.

    ``id`` is the canonical identifier ("PP3 ter alt"); ``identifier`` its parsed form; ``text``
    the label exactly as typed ("pp3Ter."); ``length`` how many characters of the paragraph text
    the label takes (leading white space included, so ``text == paragraph[length - len(text):length]``);
    ``body_start`` where the paragraph's own words begin (after the white space that follows).
    """

    id: str
    identifier: Identifier
    text: str
    length: int
    body_start: int


_KIND_ORDER = {"PP": 1, "OP": 3}

_ORDINAL_WORDS = sorted({*_VALUES, *(w[:-3] + "iens" for w in _VALUES if w.endswith("ies"))}, key=len, reverse=True)
_ORD = "|".join(_ORDINAL_WORDS)
#: First letters of the ordinals: a lookahead on them spares the regex trying every ordinal in turn
#: after most identifiers ("PP12." is followed by a period, not a suffix).
_ORD_FIRST = "".join(sorted({word[0] for word in _ORDINAL_WORDS}))

# One grammar for labels and identifiers. Bare numbers ("8 bis", "8.") are operative paragraphs.
# ``sub``: "(a)", "(ii)", "(a bis)". A label must end at a word boundary: "OP3 terminates" has
# no suffix, and "PP3 Alternatively" no alt.
_LABEL = re.compile(
    rf"""
    (?P<lead>\s*)
    (?P<open>\[\s*)?
    (?:
        (?P<kind>PP|OP)\s*(?P<num>\d{{1,3}})(?!\d)
      | (?P<bare>\d{{1,3}})(?![\d/,])
    )
    (?:[\s\-]*(?=[{_ORD_FIRST}])(?P<ord>{_ORD})(?![a-z]))?
    (?:[\s\-]*(?P<alt>alt)(?![a-z])\.?(?:\s*(?P<altn>\d{{1,2}})(?!\d))?)?
    (?P<sub>(?:\s*\(\s*(?:[a-z]{{1,6}})(?:\s+(?:{_ORD}))?\s*\))*)
    (?P<close>\s*\])?
    (?P<punct>[.,:;](?!\d))?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_MAX_LABEL_LENGTH = 120
#: What a label can start with besides a digit (``\d``, any Unicode decimal digit): a bracket, "PP", "OP".
_LABEL_FIRST = frozenset("[PpOo")
_SUB = re.compile(rf"\(\s*([a-z]{{1,6}})(?:\s+({_ORD}))?\s*\)", re.IGNORECASE)


def parse_label(text: str) -> LabelMatch | None:
    """The identifier typed at the start of a paragraph's text, or None.

    Accepts ``PP3 bis.``, ``OP9 ter``, ``PP3 ter alt``, ``PP 5``, ``pp3Ter``, ``8 bis`` (a bare
    number is operative: ``OP8 bis``), ``[PP5]``, ``OP9 bis alt 2``, ``OP3 (a) (ii)``, with or
    without a period, comma or colon after. A bare number needs a suffix or a period ("8." but
    not "2022 was"). A bracket that does not close right after the identifier
    ("[OP9bis agreed in informals]") is not a label.

    Memoised for paragraph-sized texts (a pure function; its values are immutable): the
    submissions of a round repeat the base draft's paragraphs, so most texts read in a merge were
    parsed already. Longer texts are not kept, so the memo stays small whatever files arrive.
    """
    if len(text) <= _MEMO_TEXT_LENGTH:
        return _memo_label(text)
    return _label(text)


#: Texts up to this length are memoised by ``parse_label``: UN paragraphs are a few hundred
#: characters; at most _MEMO_SIZE of them (a few MB at worst) are kept.
_MEMO_TEXT_LENGTH = 1000
_MEMO_SIZE = 4096


def _label(text: str) -> LabelMatch | None:
    """``parse_label`` without the memo."""
    # Most paragraphs open with a word ("Recognizing", "Calls upon"): a label cannot start with
    # anything but a bracket, P, O or a digit, so one character settles it before the regex runs.
    first = text[:1]
    if first not in _LABEL_FIRST and not first.isdecimal():
        if not first.isspace():
            return None
        stripped = text.lstrip()
        if stripped[:1] not in _LABEL_FIRST and not stripped[:1].isdecimal():
            return None
    # A label is a few dozen characters: matching a bounded prefix keeps long paragraphs cheap.
    lead = len(text) - len(text.lstrip()) if first.isspace() else 0
    found = _LABEL.match(text, 0, lead + _MAX_LABEL_LENGTH)
    if found is None:
        return None
    end = found.end()
    kind, num, bare, ordinal, alt, altn, sub, opened, closed, punct = found.group(
        "kind", "num", "bare", "ord", "alt", "altn", "sub", "open", "close", "punct")
    if opened and not closed:
        return None
    if closed and not opened:
        return None
    if bare is not None and not (ordinal or alt or sub or punct == "."):
        return None
    if end < len(text) and (text[end].isalnum() or text[end] in "([/-"):
        # "PP3bisect", "OP5(b" or "8-10": the label runs into other text, so it is not a label.
        return None
    identifier, canonical = _identifier(kind, num or bare, ordinal, alt, altn, sub)
    body_start = end
    while body_start < len(text) and text[body_start].isspace():  # usually one space, or none
        body_start += 1
    return LabelMatch(canonical, identifier, text[found.end("lead"):end], end, body_start)


@lru_cache(maxsize=4096)
def _identifier(
    kind: str | None, number: str, ordinal: str | None, alt: str | None, altn: str | None, sub: str
) -> tuple[Identifier, str]:
    """The identifier a label's parts spell, and its canonical text.

    Memoised (a pure function of a few short strings): every submission of a round types the same
    few hundred labels, and building the value and its text again for each was most of
    ``parse_label``'s time once the pattern had matched.
    """
    identifier = Identifier(
        kind=(kind or "OP").upper(),
        number=int(number),
        ordinal=ordinal_value(ordinal) if ordinal else 1,
        alt=(int(altn) or 1) if altn else (1 if alt else 0),
        sub=tuple(_canonical_sub(letters, suffix) for letters, suffix in _SUB.findall(sub)) if sub else (),
    )
    return identifier, str(identifier)


_memo_label = lru_cache(maxsize=_MEMO_SIZE)(_label)


def forget_parsed_labels() -> None:
    """Empty ``parse_label``'s memo: for a benchmark that times a first reading of a file."""
    _memo_label.cache_clear()
    _identifier.cache_clear()


def _canonical_sub(letters: str, suffix: str) -> str:
    letters = letters.lower()
    return f"{letters} {ordinal_word(ordinal_value(suffix))}" if suffix else letters


@dataclass(frozen=True)
class SubLabelMatch:
    """A sub-paragraph label typed at the start of a paragraph without its parent: "(a)", "(ii)",
    "(a bis)". ``sub`` is the canonical form without parentheses ("a bis"); ``letter`` and
    ``roman`` its value read as a list letter and as a roman numeral (None when it is not one);
    ``text``, ``length`` and ``body_start`` as in ``LabelMatch``."""

    sub: str
    letter: int | None
    roman: int | None
    text: str
    length: int
    body_start: int


_SUB_LABEL = re.compile(rf"(?P<lead>\s*)\((?P<letters>[a-z]{{1,6}})(?:\s+(?P<ord>{_ORD}))?\)(?=\s)")


def parse_sub_label(text: str) -> SubLabelMatch | None:
    """A lower-case sub-paragraph label typed at the start of a paragraph ("(a) To report"), or
    None. Only letters ("a", "bb") and roman numerals ("iv") count, so "(eu) …" is not one."""
    found = _SUB_LABEL.match(text[:_MAX_LABEL_LENGTH])
    if found is None:
        return None
    letters = found["letters"]
    letter, roman = letter_value(letters), roman_value(letters)
    if letter is None and roman is None:
        return None
    end = found.end()
    body_start = end + (len(text[end:]) - len(text[end:].lstrip()))
    sub = _canonical_sub(letters, found["ord"] or "")
    return SubLabelMatch(sub, letter, roman, text[len(found["lead"]):end], end, body_start)


def parse_identifier(text: str) -> Identifier | None:
    """An identifier written on its own in any accepted spelling ("OP 9bis", "pp3 ter alt"), or None
    when ``text`` is not exactly one identifier (structural ids such as "chapeau" give None)."""
    found = parse_label(text.strip())
    if found is None or found.body_start != len(text.strip()):
        return None
    return found.identifier


def canonical_identifier(text: str) -> str | None:
    """The canonical spelling of an identifier written on its own ("OP 9bis" → "OP9 bis"), or None."""
    identifier = parse_identifier(text)
    return None if identifier is None else str(identifier)


def sort_key(paragraph_id: str) -> tuple:
    """A key that sorts identifiers in document order: title, PP…, chapeau, OP…, then other
    structural ids ("P3" by number, the rest by name)."""
    identifier = parse_identifier(paragraph_id)
    if identifier is not None:
        return identifier.sort_key()
    structural = re.fullmatch(r"P(\d+)", paragraph_id)
    if structural:
        return (4, int(structural[1]), 0, 0, ())
    order = {"title": 0, "chapeau": 2}.get(paragraph_id, 5)
    return (order, 0, 0, 0, (paragraph_id,))


def next_free_identifier(after: str, taken: set[str] | frozenset[str]) -> str:
    """The identifier for a paragraph proposed right after ``after``: the next Latin ordinal of
    the same paragraph not in ``taken`` ("PP3" with "PP3 bis" taken → "PP3 ter"; "OP9" → "OP9 bis";
    "PP3 ter alt" → "PP3 quater"). After a sub-paragraph it is a sub-paragraph ("OP3 (a)" →
    "OP3 (a bis)"). After a structural id: "title" or "chapeau" (which opens the preamble) →
    "PP0 bis", else "P7 bis". ``taken`` may hold ids in any spelling. ValueError past "tricies"."""
    taken_canonical = {canonical_identifier(t) or t for t in taken}
    identifier = parse_identifier(after)
    if identifier is None:
        identifier = {"title": Identifier("PP", 0), "chapeau": Identifier("PP", 0)}.get(after)
    if identifier is None:
        # A structural id, possibly already suffixed ("P7 bis" → "P7 ter", not "P7 bis bis").
        base, _, last = after.rpartition(" ")
        start = ordinal_value(last) if base and ordinal_value(last) else 1
        base = base if start > 1 else after
        candidates = (f"{base} {ordinal_word(n)}" for n in range(start + 1, len(ORDINALS) + 2))
    elif identifier.sub:
        letters, _, suffix = identifier.sub[-1].partition(" ")
        start = ordinal_value(suffix) if suffix else 1
        candidates = (
            str(replace(identifier, alt=0, sub=identifier.sub[:-1] + (f"{letters} {ordinal_word(n)}",)))
            for n in range(start + 1, len(ORDINALS) + 2)
        )
    else:
        candidates = (
            str(Identifier(identifier.kind, identifier.number, n))
            for n in range(identifier.ordinal + 1, len(ORDINALS) + 2)
        )
    for candidate in candidates:
        if candidate not in taken_canonical:
            return candidate
    raise ValueError(f"no free identifier after {after!r}: every suffix up to tricies is taken")


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_value(text: str) -> int | None:
    """The value of a lower-case roman numeral ("iv" → 4), or None when it is not one."""
    text = text.lower()
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    total = 0
    for ch, nxt in zip(text, text[1:] + " "):
        value = _ROMAN[ch]
        total += -value if nxt in _ROMAN and _ROMAN[nxt] > value else value
    return total


def letter_value(text: str) -> int | None:
    """The position of a list letter: "a" → 1, "z" → 26, "aa" → 27 (Word's doubling), or None."""
    text = text.lower()
    if not text or not text.isalpha() or len(set(text)) != 1:
        return None
    return (len(text) - 1) * 26 + ord(text[0]) - ord("a") + 1


def _sub_key(label: str, depth: int) -> tuple[int, int, str]:
    # UN sub-paragraphs go (a) then (i): letters at even depths, roman numerals at odd ones.
    letters, _, suffix = label.partition(" ")
    value = roman_value(letters) if depth % 2 else letter_value(letters)
    if value is None:
        value = letter_value(letters) or roman_value(letters) or 0
    return (value, ordinal_index(suffix), letters)
