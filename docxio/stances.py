"""Stances: what a delegation's comment says about a passage, a paragraph or the whole draft.

Delegates write "retain", "we can be flexible", "reservation by Iran", "consult capital" in Word
comments (or click a stance button in the add-in). A ``Vocabulary`` maps such phrases to the stance
words of compilation texts; the vocabulary is configurable because every body has its own
("ad ref", "reflect"...). Anything the vocabulary does not recognise is kept as free text — a
comment is never dropped.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from docxio.csv_text import read_csv_text
from docxio.errors import DocxioError

#: Default phrases per stance. Order matters: the first stance whose phrase matches wins, so
#: negated phrases ("cannot support") are listed under oppose, before support.
DEFAULT_PHRASES: dict[str, tuple[str, ...]] = {
    "consult with capital": (
        "consult with capital", "consult capital", "consulting capital", "consulting with capital",
        "check with capital", "checking with capital", "pending capital", "ad ref", "ad referendum",
    ),
    "reservation": ("reservation", "reservations", "we reserve", "reserve our position", "placeholder reservation"),
    "flexible": ("flexible", "flexibility", "can be flexible", "we can be flexible", "can show flexibility"),
    "oppose": (
        "oppose", "opposed", "object", "objection", "cannot accept", "can not accept", "cannot support",
        "can not support", "cannot agree", "do not support", "dont support", "not acceptable", "unacceptable",
    ),
    "retain": ("retain", "keep", "please retain", "retain original", "retain as is", "keep as is", "prefer to retain"),
    "delete": ("delete", "deletion", "strike", "remove", "please delete", "propose to delete", "prefer to delete"),
    "support": ("support", "supports", "we support", "agree", "can support", "can accept", "fine with", "ok"),
}

#: Scope words that make a stance apply to the whole draft rather than a passage.
_DRAFT_SCOPE = re.compile(
    r"\b(on|to|regarding|about)\s+(the\s+)?(whole\s+|entire\s+)?(draft\s+)?(resolution|decision|text|draft|title)\b"
    r"|\b(resolution|draft|text)\s+as\s+a\s+whole\b",
    re.IGNORECASE,
)

#: A stance is a short utterance; longer comments are explanations kept as free text.
MAX_STANCE_WORDS = 9

#: Words that may surround a stance phrase without changing it ("we", "on this", "by Iran").
_FILLER = {
    "we", "i", "our", "delegation", "would", "like", "to", "can", "could", "be", "the", "this", "that", "on", "a",
    "an", "of", "for", "here", "text", "paragraph", "para", "passage", "word", "words", "please", "wish", "is",
    "are", "it", "with", "as", "whole", "entire", "preference", "prefer", "general", "has", "have", "proposal", "language",
}


def _fold(text: str) -> str:
    text = text.casefold().replace("\u2019", "'").replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@dataclass(frozen=True)
class StanceReading:
    """What a comment says: ``stance`` is a vocabulary word or the comment's free text;
    ``recognised`` says which; ``scope`` is "passage" or "draft" (the whole resolution);
    ``by`` a delegation named in the comment itself ("reservation by Iran" -> "Iran")."""

    stance: str
    recognised: bool
    scope: str = "passage"
    by: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Stance words and the phrases that express each, tried in order."""

    phrases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_PHRASES))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object]) -> "Vocabulary":
        """A vocabulary from ``{stance: [phrases]}`` (a phrase list may also be a ';'-separated
        string); each stance word also matches itself."""
        phrases: dict[str, tuple[str, ...]] = {}
        for stance, value in mapping.items():
            items = value.split(";") if isinstance(value, str) else list(value)  # type: ignore[arg-type]
            phrases[stance] = tuple(dict.fromkeys([stance, *(str(i).strip() for i in items if str(i).strip())]))
        return cls(phrases)

    def words(self) -> list[str]:
        """The stance words, in matching order."""
        return list(self.phrases)

    def read(self, text: str) -> StanceReading:
        """Read a comment (or a stance button's text) as a stance; see ``read_stance``."""
        return read_stance(text, self)


DEFAULT_VOCABULARY = Vocabulary()


class VocabularyError(DocxioError):
    """The stance vocabulary file cannot be used (missing columns, unreadable)."""


def load_vocabulary(path: str | Path) -> Vocabulary:
    """The stance vocabulary in a CSV file (see ``parse_vocabulary``)."""
    path = Path(path)
    return parse_vocabulary(read_csv_text(path, "the stance vocabulary", VocabularyError), path.name)


def parse_vocabulary(text: str, file: str) -> Vocabulary:
    """The stance vocabulary of a negotiation: the defaults, with the stances of a CSV text
    (header ``stance,phrases``; phrases ``;``-separated) added or replacing the default phrases of
    the same stance — e.g. ``reflect,reflect;please reflect`` or ``flexible,open;we are open``.
    Its rows come before the defaults, so a body's own words win. ``file`` names it in errors."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"stance", "phrases"} <= {(k or "").strip().casefold() for k in rows[0]}:
        raise VocabularyError(file, "the stance vocabulary needs the header 'stance,phrases'")
    own: dict[str, object] = {}
    for row in rows:
        cells = {(k or "").strip().casefold(): (v or "").strip() for k, v in row.items()}
        if cells["stance"]:
            own[cells["stance"]] = cells["phrases"]
    mine = Vocabulary.from_mapping(own)
    return Vocabulary({**mine.phrases, **{k: v for k, v in DEFAULT_PHRASES.items() if k not in mine.phrases}})


def _by_clause(text: str) -> tuple[str, str | None]:
    """Split "reservation by Iran" / "retain: Turkey" into the stance words and the delegation."""
    match = re.match(r"^\s*(.+?)\s+(?:by|from)\s+(?:the\s+)?([A-Z][\w .'’()-]*?)\s*[.!]?\s*$", text)
    if match:
        return match.group(1), match.group(2).strip()
    match = re.match(r"^\s*([^:]{2,40}):\s*([A-Z][\w .,'’()-]*?)\s*[.!]?\s*$", text)
    if match:
        return match.group(1), match.group(2).strip()
    return text, None


def read_stance(text: str, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> StanceReading:
    """The stance a comment expresses.

    "Retain", "we can be flexible", "Reservation by Iran", "consult capital" are recognised
    ("by Iran" fills ``by``); "Reservation on the resolution" or "... on the title" has scope
    "draft". Anything else, or any long comment, is free text: ``stance`` is the comment's text
    (white space tidied) and ``recognised`` False.
    """
    tidy = " ".join(text.split()).strip()
    if not tidy:
        return StanceReading("", False)
    scope = "draft" if _DRAFT_SCOPE.search(tidy) else "passage"
    core = _DRAFT_SCOPE.sub(" ", tidy) if scope == "draft" else tidy
    core = core.strip(" ()[].;,!")
    words_part, by = _by_clause(core)
    folded = _fold(words_part)
    if not folded or len(folded.split()) > MAX_STANCE_WORDS:
        return StanceReading(tidy, False, scope)
    tokens = folded.split()
    for stance, phrases in vocabulary.phrases.items():
        for phrase in (stance, *phrases):
            target = _fold(phrase)
            if not target:
                continue
            found = re.search(rf"(?:^| ){re.escape(target)}(?: |$)", folded)
            if not found:
                continue
            rest = (folded[: found.start()] + " " + folded[found.end():]).split()
            # Only fillers may surround the phrase: "we support the deletion" is not "support".
            if all(word in _FILLER for word in rest) or len(tokens) <= 3:
                return StanceReading(stance, True, scope, by)
    return StanceReading(tidy, False, scope)


def stance_in_brackets(inserted: str, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> StanceReading | None:
    """A stance typed into the text instead of a comment: "(retain)", "[reservation]",
    "(consult with capital)". None when the insertion is ordinary text."""
    match = re.fullmatch(r"\s*[(\[]\s*([^()\[\]]{2,60}?)\s*[)\]]\s*", inserted)
    if not match:
        return None
    reading = read_stance(match.group(1), vocabulary)
    return reading if reading.recognised else None
