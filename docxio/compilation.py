"""Read a compilation text back: the conventions of negotiation drafts turned into tracked changes.

A compilation text (ours, or one a secretariat edited by hand) shows proposals by typography:
underlined text followed by "(Egypt, Singapore)" is an insertion by those delegations, struck
text followed by an attribution a deletion, " / " separates alternative formulations of one
passage, "(retain: Turkey; flexible: Egypt)", "(reservation by Iran)" and "delete: (Mexico,
Singapore)" notes are stances (also inside an attribution: "(Russian Federation; reservation:
Iran)"), "[PP2 agreed in informals]" lines are the secretariat's statuses, and "(Reservation on
the resolution: EU)" lines under the title are stances on the whole draft. ``compilation_to_tracked`` turns a ``Draft`` read from
such a document into the ``Draft`` the same proposals would give as tracked changes, so a
compilation text can be the next round's base; ``statuses_of`` reads the status lines.

Marked text with no attribution after it (an underlined label "PP2.", a bold heading) is base
text: the attribution is what makes a proposal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Sequence

from docxio.delegations import CHAIR, normalise_name
from docxio.identifiers import parse_label
from docxio.model import Comment, Draft, Paragraph, Revision, Span
from docxio.proposals import DEFAULT_STANCES

#: The character style the writer gives the passage a stance note is on ("increase" in "Concerned
#: about the increase (retain: Turkey)"): without it the reader can only guess the passage (the
#: clause before the note), with it the note reads back on exactly that passage.
STANCE_PASSAGE_STYLE = "ConcordStancePassage"
#: The same for struck text in such a passage (a run has one character style: this one is based
#: on the deletion style, so it looks and restyles like every other deletion).
STANCE_PASSAGE_DELETION_STYLE = "ConcordStancePassageDeletion"

#: Delegation names may hold one level of parentheses: "Venezuela (Bolivarian Republic of)".
_NAMES = r"(?:[^():;]|\([^()]*\))+"
#: "(Egypt, Singapore)" right after marked text: the delegations that proposed it.
_ATTRIBUTION = re.compile(rf"\s*\(({_NAMES})\)")
#: "(retain: Turkey; flexible: Egypt)": stance notes (every part "stance: delegations").
_NOTE = re.compile(rf"\s*\(((?:[^():;]+:{_NAMES})(?:;[^():;]+:{_NAMES})*)\)")
#: "(reservation by Iran)": one stance and its delegations.
_NOTE_BY = re.compile(rf"\s*\(([A-Za-z][A-Za-z ]*?) by ({_NAMES})\)")
#: "delete: (Mexico, Singapore)": the stance before the parenthesised delegations (which start
#: with a capital, so "as follows: (a)" is not one).
_NOTE_BEFORE = re.compile(
    rf"\s*\b({'|'.join(DEFAULT_STANCES)}): \(([A-Z]{_NAMES})\)", re.IGNORECASE)
#: Any parenthesised text (one level of nested parentheses, as in delegation names).
_PARENTHESISED = re.compile(r"\s*\(((?:[^()]|\([^()]*\))*)\)")
_STATUS = re.compile(r"^\s*\[(.+)\]\s*$")
_DRAFT_LINE = re.compile(rf"^\s*(?:\([^():]+:{_NAMES}\)\s*)+$")
#: " / " between alternatives; after an attribution a hand-typed "(China)/ Concerned" is one too.
_SEPARATOR = re.compile(r"\s*/\s*")


@dataclass
class _Proposal:
    """An attributed change read from the text: base offset, struck and underlined text."""

    at: int
    deleted: str
    inserted: str
    authors: str


@dataclass
class _Reading:
    """What one paragraph's text says: its base (original) text, the proposals on it and the
    stance notes (anchor word, stance words, delegations)."""

    base: str = ""
    proposals: list[_Proposal] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    #: Where the passage of the next stance note can start at the earliest (after an earlier note).
    passage_start: int = 0
    #: Where the base text in the stance passage style before the reading position starts (the
    #: writer marks a note's passage so), or None when text outside it came since.
    styled_from: int | None = None
    #: Which of the marked pieces waiting for their attribution is the first in the stance
    #: passage style (struck text a passage starts with), or None.
    pending_passage: int | None = None


#: Footnote references have no text; while a paragraph is read each stands as one character
#: of Unicode's private use plane, so offsets and the regular expressions treat it as a mark.
_FOOTNOTE_BASE = 0xF0000


def _tokens(paragraph: Paragraph) -> tuple[list[tuple[str, str]], dict[str, str], set[int]]:
    """The paragraph's current text as (text, mark) runs — "U" underlined, "S" struck, "P"
    plain — the footnote id each footnote-reference character stands for, and the indexes of the
    plain and struck runs in a stance passage style (kept apart from other text)."""
    tokens: list[tuple[str, str]] = []
    footnotes: dict[str, str] = {}
    styled: set[int] = set()
    for span in paragraph.spans:
        if span.deleted is not None:
            continue
        text = span.text
        if span.footnote is not None:
            marker = chr(_FOOTNOTE_BASE + len(footnotes))
            footnotes[marker] = span.footnote
            text = marker + text
        if not text:
            continue
        mark = "S" if span.strike else "U" if span.underline else "P"
        passage = span.style == (STANCE_PASSAGE_STYLE if mark == "P" else
                                 STANCE_PASSAGE_DELETION_STYLE if mark == "S" else "")
        if tokens and tokens[-1][1] == mark and ((len(tokens) - 1) in styled) == passage:
            tokens[-1] = (tokens[-1][0] + text, mark)
        else:
            if passage:
                styled.add(len(tokens))
            tokens.append((text, mark))
    return tokens, footnotes, styled


def _pieces(text: str, footnotes: dict[str, str], **state) -> list[Span]:
    """Spans for ``text`` with the given revision state, footnote characters made footnote spans."""
    spans: list[Span] = []
    plain = ""
    for char in text:
        if char in footnotes:
            if plain:
                spans.append(Span(plain, **state))
                plain = ""
            spans.append(Span("", footnote=footnotes[char], **state))
        else:
            plain += char
    if plain:
        spans.append(Span(plain, **state))
    return spans


def _without_marks(text: str, footnotes: dict[str, str]) -> str:
    """``text`` without its footnote characters."""
    return "".join(c for c in text if c not in footnotes)


#: How a compilation credits the Chair: "(Chair's proposal, China, Cuba)".
_CHAIR_FORMS = ("chair", "chairs proposal", "chair proposal", "the chair")


def _split_names(text: str) -> str:
    """"Egypt,Singapore " -> "Egypt, Singapore": the author of the tracked change; "Chair's
    proposal" is the Chair ("Chair, China, Cuba")."""
    names = (name.strip() for name in text.split(",") if name.strip())
    return ", ".join(dict.fromkeys(CHAIR if normalise_name(name) in _CHAIR_FORMS else name for name in names))


def _read_paragraph(tokens: list[tuple[str, str]], styled: frozenset[int] | set[int] = frozenset()) -> _Reading:
    """Parse one paragraph's tokens into base text, proposals and notes (``styled``: the
    indexes of tokens in a stance passage style)."""
    reading = _Reading()
    pending: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        text, mark = tokens[index]
        if mark != "P":
            if index in styled and reading.pending_passage is None:
                reading.pending_passage = len(pending)
            pending.append((text, mark))
            index += 1
            continue
        if pending:
            # A stance passage starting right after the attribution is a token of its own: the
            # space the writer put after the attribution is told by the passage's first letter.
            following = tokens[index + 1][0] if index + 1 in styled else ""
            text, closed = _close_pending(reading, pending, text, following)
            pending = []
            if closed:
                index, text = _read_alternatives(reading, tokens, index, text)
        if index in styled and reading.styled_from is None:
            reading.styled_from = len(reading.base)
        _read_plain(reading, text, last=index == len(tokens) - 1, passage=index in styled)
        index += 1
    _pending_as_base(reading, pending)  # marked text with no attribution is base text
    return reading


def _pending_as_base(reading: _Reading, pending: list[tuple[str, str]]) -> None:
    """Marked text with no attribution after it: base text."""
    for position, (piece, _) in enumerate(pending):
        if position == reading.pending_passage and reading.styled_from is None:
            reading.styled_from = len(reading.base)
        reading.base += piece
    reading.pending_passage = None


def _close_pending(reading: _Reading, pending: list[tuple[str, str]], text: str,
                   following: str = "") -> tuple[str, bool]:
    """Marked text then ``text``: a proposal when an attribution follows (possibly after the
    passage's trailing context, when alternatives follow); else base text. Returns what of
    ``text`` is left to read and whether a proposal was read. ``following`` is the text of a
    stance passage right after ``text``, if any."""
    found = _ATTRIBUTION.match(text)
    if found is not None and _NOTE_BY.match(text):
        found = None  # "(reservation by Iran)" after marked text is a stance, not its authors
    mixed = None if found is not None else _attributed_notes(text)
    if mixed is not None:
        end, authors, parts = mixed
        _add_proposal(reading, pending, authors)
        anchor = _passage_before(reading)
        reading.notes.extend((anchor, stance, names) for stance, names in parts)
        reading.passage_start = len(reading.base)
        reading.styled_from = None
        return _unpad("".join(p for p, _ in pending), text[end:], following), True
    context = ""
    if found is None:
        grouped = re.match(rf"([^()/]*?)(\s*\(({_NAMES})\))" + _SEPARATOR.pattern, text)
        if grouped is None:
            _pending_as_base(reading, pending)
            return text, False
        context = grouped.group(1)
        found = _ATTRIBUTION.match(text, len(context))
    _add_proposal(reading, pending, found.group(1))
    reading.base += context
    shown = context or "".join(p for p, _ in pending)
    return _unpad(shown, text[found.end():], following), True


def _attributed_notes(text: str) -> tuple[int, str, list[tuple[str, str]]] | None:
    """An attribution with stance notes in the same parentheses, right at the start of ``text``:
    "(Russian Federation; reservation: Iran; consult with capital: Egypt)" or "(Pakistan,
    flexible: Iran, Egypt)" — the proposal's authors first, then "stance: delegations" parts.
    Returns where it ends, the authors and the (stance, delegations) parts; None when ``text``
    does not start with one."""
    found = _PARENTHESISED.match(text)
    if found is None or ":" not in found.group(1):
        return None
    authors: list[str] = []
    parts: list[tuple[str, list[str]]] = []
    for segment in re.split(r"[;,](?![^()]*\))", found.group(1)):
        stance, colon, names = segment.partition(":")
        if colon:
            parts.append((stance.strip(), [names]))
        elif parts:
            parts[-1][1].append(segment)
        else:
            authors.append(segment)
    if not authors or not parts or not all(a.strip() for a in authors) or not all(s for s, _ in parts):
        return None
    return found.end(), ", ".join(authors), [(stance, _split_names(",".join(names))) for stance, names in parts]


def _unpad(shown: str, rest: str, following: str = "") -> str:
    """Drop the space the writer adds after an attribution when the proposal ends with one
    (``following``: the text after ``rest``, when it is a token of its own)."""
    after = rest[1:2] or following[:1]
    if shown[-1:].isspace() and rest.startswith(" ") and after and not after.isspace():
        return rest[1:]
    return rest


def _add_proposal(reading: _Reading, pending: list[tuple[str, str]], names: str) -> None:
    """Record the marked pieces as one proposal at the current base offset."""
    at = len(reading.base)
    deleted = "".join(t for t, m in pending if m == "S")
    inserted = "".join(t for t, m in pending if m == "U")
    if reading.pending_passage is not None and reading.styled_from is None:
        # The passage starts with this proposal's struck text (maybe after some of it).
        reading.styled_from = at + sum(len(t) for t, m in pending[:reading.pending_passage] if m == "S")
    reading.pending_passage = None
    reading.proposals.append(_Proposal(at, deleted, inserted, _split_names(names)))
    reading.base += deleted


def _read_alternatives(reading: _Reading, tokens: list[tuple[str, str]], index: int, text: str) -> tuple[int, str]:
    """After an attribution: " / " and another alternative of the same passage, as many times as
    written. An alternative repeats the passage (plain and struck) with its own change; it is
    read relative to the passage's start. Returns the token index reached and the text of that
    token left to read."""
    while (separator := _SEPARATOR.match(text)) is not None:
        pieces: list[tuple[str, str]] = []
        rest = text[separator.end():]
        position = index
        attribution = None
        while True:
            found = _ATTRIBUTION.search(rest) if rest else None
            plain_before = rest[: found.start()] if found else rest
            if found and "(" not in plain_before and ")" not in plain_before:
                if plain_before:
                    pieces.append((plain_before, "P"))
                attribution = found
                break
            if rest:
                pieces.append((rest, "P"))
            position += 1
            if position >= len(tokens):
                break
            rest, mark = tokens[position]
            if mark != "P":
                pieces.append((rest, mark))
                rest = ""
        original = "".join(t for t, m in pieces if m in "PS")
        if attribution is None or not reading.base.endswith(original) or not any(m != "P" for _, m in pieces):
            break  # not an alternative after all: leave the text as it is
        start = len(reading.base) - len(original)
        offset = start
        struck = inserted = ""
        at = None
        for piece, mark in pieces:
            if mark == "P":
                if at is None:
                    offset += len(piece)
                continue
            if at is None:
                at = offset
            if mark == "S":
                struck += piece
            else:
                inserted += piece
        reading.proposals.append(_Proposal(at if at is not None else start, struck, inserted, _split_names(attribution.group(1))))
        text = _unpad("".join(t for t, _ in pieces), rest[attribution.end():])
        index = position
    return index, text


def _read_plain(reading: _Reading, text: str, last: bool, passage: bool = False) -> None:
    """Plain text: base text, with stance notes taken out. A note is on the passage before it:
    the passage marked in the stance passage style, else the last clause (``_passage_before``);
    an unmarked note ending the paragraph is on the whole paragraph. ``passage``: the text is in
    the stance passage style."""
    position = 0
    for found in _stance_notes(text):
        _add_base(reading, text[position:found.start], passage)
        at_end = last and not text[found.end:].strip()
        anchor = "" if at_end and reading.styled_from is None else _passage_before(reading)
        for stance, names in found.parts:
            reading.notes.append((anchor, stance, names))
        reading.passage_start = len(reading.base)
        reading.styled_from = None
        position = found.end
    _add_base(reading, text[position:], passage)


def _add_base(reading: _Reading, text: str, passage: bool) -> None:
    """Base text read from plain text: unmarked words end the marked passage before them."""
    if not passage and text.strip():
        reading.styled_from = None
    reading.base += text


@dataclass(frozen=True)
class _Note:
    """A stance note found in plain text: where it is and its (stance, delegations) parts."""

    start: int
    end: int
    parts: tuple[tuple[str, str], ...]


def _stance_notes(text: str) -> list[_Note]:
    """The stance notes of a plain stretch, in order, in any of the seed's forms:
    "(retain: Turkey; flexible: Egypt)", "(reservation by Iran)", "delete: (Mexico, Singapore)"."""
    notes: list[_Note] = []
    for found in _NOTE.finditer(text):
        parts = tuple((stance.strip(), _split_names(names))
                      for stance, _, names in (part.partition(":") for part in found.group(1).split(";")))
        notes.append(_Note(found.start(), found.end(), parts))
    for pattern in (_NOTE_BY, _NOTE_BEFORE):
        for found in pattern.finditer(text):
            if not any(n.start < found.end() and found.start() < n.end for n in notes):
                notes.append(_Note(found.start(), found.end(), ((found.group(1).strip(), _split_names(found.group(2))),)))
    return sorted(notes, key=lambda n: n.start)


def _passage_before(reading: _Reading) -> str:
    """The passage a stance note is on, when the document does not mark it: the last clause of
    base text before the note — back to the previous "," ";" or ":", an earlier note, or the
    paragraph's identifier. "service providers, virtual asset service providers (retain: Turkey)"
    is on "virtual asset service providers", not on "providers". The passage the writer marked
    in the stance passage style, when there is one, is the passage exactly."""
    if reading.styled_from is not None:
        return "".join(c for c in reading.base[reading.styled_from:] if ord(c) < _FOOTNOTE_BASE)
    start = reading.passage_start
    label = parse_label(reading.base)
    if label is not None:
        start = max(start, label.body_start)
    passage = reading.base[start:].rstrip()
    passage = re.split(r"[,;:]\s", passage)[-1]
    return "".join(c for c in passage if ord(c) < _FOOTNOTE_BASE).strip(" ,.;:")


def _spans(reading: _Reading, ids, footnotes: dict[str, str]) -> list[Span]:
    """Spans of the tracked paragraph: base text, deletions and insertions at their offsets."""
    base = reading.base
    deleted_by: list[str | None] = [None] * len(base)
    insertions: dict[int, list[_Proposal]] = {}
    for proposal in reading.proposals:
        for position in range(proposal.at, min(len(base), proposal.at + len(proposal.deleted))):
            owner = deleted_by[position]
            deleted_by[position] = proposal.authors if owner is None else _split_names(f"{owner}, {proposal.authors}")
        if proposal.inserted:
            insertions.setdefault(proposal.at + len(proposal.deleted), []).append(proposal)
    spans: list[Span] = []
    start = 0
    for position in range(len(base) + 1):
        boundary = position == len(base) or position in insertions or deleted_by[position] != deleted_by[start]
        if boundary and position > start:
            owner = deleted_by[start]
            text = base[start:position]
            revision = Revision("delete", owner, None, next(ids), _without_marks(text, footnotes)) if owner else None
            spans.extend(_pieces(text, footnotes, deleted=revision))
            start = position
        for proposal in insertions.pop(position, []):
            revision = Revision("insert", proposal.authors, None, next(ids), _without_marks(proposal.inserted, footnotes))
            spans.extend(_pieces(proposal.inserted, footnotes, inserted=revision))
    return spans


def _counter(prefix: str):
    """Ids for the revisions and comments compilation_to_tracked makes."""
    number = 0
    while True:
        number += 1
        yield f"{prefix}{number}"


def compilation_to_tracked(draft: Draft) -> Draft:
    """The ``draft`` of a compilation text with its proposals as tracked changes.

    Attributed underlined text becomes an insertion and attributed struck text a deletion whose
    author is the delegation list ("Egypt, Singapore"); attributions are taken out of the text;
    a paragraph made only of its identifier and attributed inserted text becomes an inserted
    paragraph (its insertion listed once in ``revisions``); stance notes become comments by their
    delegations (anchored on the clause before the note, or on the whole paragraph when at its
    end); "(Chair's proposal, China)" is credited to "Chair, China"; whole-draft stance lines become
    comments on no paragraph; status lines are left out (``statuses_of`` reads them).
    Paragraph indexes are kept, so they still count the document's physical paragraphs.
    """
    revision_ids = _counter("compilation-")
    comment_ids = _counter("compilation-note-")
    paragraphs: list[Paragraph] = []
    comments = list(draft.comments)
    for paragraph in draft.paragraphs:
        if paragraph.story != "body":
            paragraphs.append(paragraph)
            continue
        text = paragraph.current
        if status_line(text) is not None:
            continue
        tokens, footnotes, styled = _tokens(paragraph)
        if _DRAFT_LINE.match(text) and all(m == "P" for _, m in tokens):
            for stance, names in re.findall(rf"\(([^():]+):({_NAMES})\)", text):
                comments.append(Comment(next(comment_ids), _split_names(names), "", None, stance.strip()))
            continue
        reading = _read_paragraph(tokens, styled)
        if not reading.proposals and not reading.notes:
            paragraphs.append(paragraph)
            continue
        spans = _spans(reading, revision_ids, footnotes)
        notes = []
        for anchor, stance, names in reading.notes:
            comment = Comment(next(comment_ids), names, "", None, stance, anchor, (paragraph.index,))
            comments.append(comment)
            notes.append(comment.id)
        mark_inserted = None
        label = parse_label(reading.base)
        if reading.proposals and label is not None and not reading.base[label.body_start:].strip():
            # Nothing but the identifier is base text: the whole paragraph is proposed.
            first = next(s.inserted for s in spans if s.inserted is not None)
            spans = [replace(s, inserted=first) if s.inserted is None else s for s in spans]
            mark_inserted = Revision("paragraph_insert", first.author, None, next(revision_ids))
        # A revision split over several spans (label and text of a proposed paragraph, text
        # around a footnote mark) is one change: listed once.
        revisions = tuple({r.id: r for s in spans for r in (s.inserted, s.deleted) if r is not None}.values())
        if mark_inserted is not None:
            revisions += (mark_inserted,)
        paragraphs.append(replace(
            paragraph, spans=tuple(spans), revisions=revisions, mark_inserted=mark_inserted,
            comment_ids=paragraph.comment_ids + tuple(notes),
        ))
    paragraphs = _proposed_footnotes(paragraphs)
    authors = tuple(dict.fromkeys([*draft.authors, *(r.author for p in paragraphs for r in p.revisions),
                                   *(c.author for c in comments)]))
    return replace(draft, paragraphs=tuple(paragraphs), comments=tuple(comments), authors=authors)


def _proposed_footnotes(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The text of a footnote whose reference is an attributed insertion is inserted by the same
    delegations (the compilation shows the attribution after the reference only)."""
    proposed = {
        span.footnote: span.inserted
        for p in paragraphs if p.story == "body"
        for span in p.spans if span.footnote is not None and span.inserted is not None
    }
    result = []
    for paragraph in paragraphs:
        revision = proposed.get(paragraph.story_id) if paragraph.story == "footnote" else None
        if revision is not None:
            spans = tuple(replace(s, inserted=revision) if s.text and s.inserted is None else s for s in paragraph.spans)
            paragraph = replace(paragraph, spans=spans, revisions=paragraph.revisions + (revision,))
        result.append(paragraph)
    return result


def status_line(text: str) -> tuple[str, str] | None:
    """("PP2", "agreed in informals") for a status line "[PP2 agreed in informals]", else None
    (a bracketed passage "[and to increase …]" is not a status line)."""
    found = _STATUS.match(text)
    if found is None:
        return None
    inner = found.group(1).strip()
    label = parse_label(inner)
    if label is None or label.body_start >= len(inner):
        return None
    return label.id, inner[label.body_start:].strip()


def attribution_at_start(text: str) -> str:
    """The attribution " (Egypt, Singapore)" that ``text`` starts with, or "" (a stance note
    "(retain: Turkey)" is not one)."""
    found = _ATTRIBUTION.match(text)
    return found.group(0) if found else ""


def proposed_in_compilation(spans: Sequence[Span], index: int) -> bool:
    """Whether span ``index`` of a paragraph of a compilation text is text an earlier round
    proposed inserting: underlined, and followed (after any more marked text) by its attribution."""
    if not spans[index].underline:
        return False
    end = index
    while end < len(spans) and (spans[end].underline or spans[end].strike):
        end += 1
    rest = "".join(s.text for s in spans[end:end + 4] if s.inserted is None)
    return bool(attribution_at_start(rest))


def draft_stance_line(text: str) -> bool:
    """Whether a paragraph is a line of stances on the whole draft, as written under the title:
    "(Reservation on the resolution: EU, USA) (Suggests postponing the resolution: CH)"."""
    return bool(text.strip()) and _DRAFT_LINE.match(text) is not None


def statuses_of(draft: Draft) -> dict[str, str]:
    """The secretariat's status lines of a compilation text: {"PP2": "agreed in informals"}.

    A later line for the same paragraph wins (the secretariat updated it)."""
    statuses: dict[str, str] = {}
    for paragraph in draft.body():
        parts = status_line(paragraph.current)
        if parts is not None:
            statuses[parts[0]] = parts[1]
    return statuses
