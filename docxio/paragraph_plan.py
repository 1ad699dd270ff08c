"""Where each proposal of a paragraph goes: the layout of a consolidated paragraph, without XML.

The writer renders a paragraph of the consolidated draft in two ways (tracked changes or
compilation text) from the same plan: which stretches of the base text are deleted, by whom, and
which pieces (inserted text, attributions "(Egypt, Singapore)", alternatives separators " / ",
stance notes, comment ranges) are emitted at which offset of the base text, in which order.

Offsets are into ``ParagraphProposals.base_text``. Pieces at the same offset come in this order:
first the start of a comment on the whole paragraph, then what *closes* there (the insertion
that replaces a deletion ending there, then its attribution, then stance notes on a passage
ending there, then comment ends), then what *opens* there (pure insertions, comment starts).
Paragraph-level notes and comment ends come last.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from docxio.delegations import short_name
from docxio.proposals import DEFAULT_STANCES, ParagraphProposals, Proposal, Stance

#: Piece roles. "context" is base text repeated inside an alternative, "struck" base text repeated
#: struck through inside an alternative (compilation only); "footnote" a proposed footnote (its
#: text is the footnote's), placed where its reference goes.
PIECE_ROLES = ("insert", "footnote", "attribution", "separator", "note", "context", "struck", "comment_start",
               "comment_end")

#: Proposal kinds laid out as a change of the paragraph's text.
TEXT_KINDS = ("insert", "delete", "replace", "delete_paragraph", "footnote")

#: Author of the comments Concord itself adds (the list of a conflict group's alternatives).
CONCORD_AUTHOR = "Concord"

_FIRST, _CLOSE, _OPEN, _TAIL = -1, 0, 1, 2


@dataclass(frozen=True)
class Piece:
    """Something the writer emits between base characters: text with a role, the delegations it
    is attributed to, the date of the change, and for comment pieces the index of the comment."""

    role: str
    text: str = ""
    authors: tuple[str, ...] = ()
    date: str | None = None
    comment: int | None = None


@dataclass(frozen=True)
class Deletion:
    """Base text ``[start, end)`` proposed for deletion by ``authors`` (in arrival order)."""

    start: int
    end: int
    authors: tuple[str, ...]
    date: str | None = None


@dataclass(frozen=True)
class Note:
    """A Word comment the tracked rendering adds (a stance, a move, a conflict group)."""

    author: str
    text: str
    date: str | None = None


@dataclass(frozen=True)
class ParagraphPlan:
    """The layout of one paragraph: ``deletions`` sorted and disjoint, ``pieces`` as (offset,
    piece) in emission order, ``notes`` referenced by comment pieces, and ``mark_deleted`` the
    delegations deleting the whole paragraph (its mark included), or () when none does.
    ``passages`` are the [start, end) of base text a compilation's stance notes are on (each
    note follows its passage), so the writer can mark where a passage starts."""

    deletions: tuple[Deletion, ...]
    pieces: tuple[tuple[int, Piece], ...]
    notes: tuple[Note, ...] = ()
    mark_deleted: tuple[str, ...] = ()
    mark_date: str | None = None
    passages: tuple[tuple[int, int], ...] = ()


#: Who a proposal or stance is credited to when the consolidation could not tell (an edit made
#: without Track Changes by an unknown sender): said openly rather than left blank.
UNATTRIBUTED = "unattributed"


def names(delegations: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The delegations to credit, by the short names compilation texts use ("Iran", not "Iran
    (Islamic Republic of)"), or ("unattributed",) when there are none."""
    return tuple(short_name(d) for d in delegations) or (UNATTRIBUTED,)


def attribution_text(delegations: list[str] | tuple[str, ...]) -> str:
    """" (Egypt, Singapore)": the attribution that follows a proposal in a compilation text."""
    return f" ({', '.join(names(delegations))})"


def padded_attribution(delegations: list[str] | tuple[str, ...], before: str, after: str) -> str:
    """The attribution, with a space after it when the proposal's text ends with the space that
    separated it from the next word: "illicit (Egypt) trafficking", not "illicit (Egypt)trafficking".
    ``before`` is the last character of the proposal, ``after`` the base character following it.
    The compilation reader drops that space again (``docxio.compilation``)."""
    pad = " " if before.isspace() and after and not after.isspace() else ""
    return attribution_text(delegations) + pad


def stance_note_text(stances: list[Stance]) -> str:
    """" (retain: Turkey; flexible: Egypt)": stances on one passage, one note, in given order."""
    parts = [f"{stance.stance}: {', '.join(names(stance.delegations))}" for stance in stances]
    return f" ({'; '.join(parts)})"


def draft_stance_text(stance: Stance) -> str:
    """"(Reservation on the resolution: EU, USA)": a stance on the whole draft, as the seed writes
    it under the title. Free-text stances are written as they are ("(Suggests postponing: CH)")."""
    words = stance.stance
    if words in DEFAULT_STANCES:
        words = f"{words[:1].upper()}{words[1:]} on the resolution"
    return f"({words}: {', '.join(names(stance.delegations))})"


def stance_date(stance: Stance, date_of: Callable[[Proposal], str | None]) -> str | None:
    """When a stance was taken: the arrival of the submission it came from (through ``date_of``,
    which dates a proposal by its sources)."""
    return date_of(Proposal("stance", delegations=list(stance.delegations), sources=list(stance.sources)))


def in_arrival_order(stances: list[Stance], date_of: Callable[[Proposal], str | None]) -> list[Stance]:
    """Stances in the order their submissions arrived ("retain: Turkey; flexible: Egypt" when
    Turkey wrote first), as a secretariat lists them; undated ones keep their place at the end."""
    dated = [(stance_date(s, date_of) or "", n, s) for n, s in enumerate(stances)]
    return [s for _, _, s in sorted(dated, key=lambda item: (item[0] == "", item[0], item[1]))]


def move_text(proposal: Proposal) -> str:
    """"move after OP12": what a move proposal asks, as a stance word."""
    return f"move after {proposal.moved_to}" if proposal.moved_to else "move"


def _span(proposal: Proposal, length: int) -> tuple[int, int]:
    """The base range a proposal deletes, clipped to the paragraph ((at, at) for insertions).

    A whole-paragraph deletion without ``deleted`` text deletes from ``at`` to the end.
    """
    start = max(0, min(proposal.at, length))
    size = len(proposal.deleted)
    if proposal.kind == "delete_paragraph" and not size:
        size = length - start
    return start, min(length, start + size)


def footnote_fallback(text: str) -> str:
    """How a proposed footnote reads where the draft cannot hold footnotes: " [footnote: …]"."""
    return f" [footnote: {text}]"


def _inserted_text(proposal: Proposal) -> str:
    """The text a proposal adds to the paragraph itself (a footnote adds none)."""
    return "" if proposal.kind == "footnote" else proposal.inserted


def _insertion(proposal: Proposal, authors: tuple[str, ...], date: str | None) -> Piece:
    """The piece a proposal's addition is: inserted text, or a proposed footnote."""
    if proposal.kind == "footnote":
        return Piece("footnote", proposal.inserted, authors, date)
    return Piece("insert", proposal.inserted, authors, date)


def merged_authors(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Delegations of several proposals, each once, in the order first seen."""
    seen: dict[str, None] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name, None)
    return tuple(seen)


def _latest(dates: list[str | None]) -> str | None:
    """The latest of ISO dates (text comparison is chronological for same-format ISO)."""
    known = [d for d in dates if d]
    return max(known) if known else None


def _deletions(owners: list[tuple[int, ...]], proposals: list[Proposal], date_of) -> tuple[Deletion, ...]:
    """Collapse per-character deleting proposals into disjoint deletions with merged authors."""
    result = []
    start = 0
    for index in range(1, len(owners) + 1):
        if index == len(owners) or owners[index] != owners[start]:
            key = owners[start]
            if key:
                chosen = [proposals[i] for i in key]
                result.append(Deletion(
                    start, index, merged_authors([names(p.delegations) for p in chosen]),
                    _latest([date_of(p) for p in chosen]),
                ))
            start = index
    return tuple(result)


def plan_paragraph(
    paragraph: ParagraphProposals,
    mode: str,
    date_of: Callable[[Proposal], str | None] = lambda p: p.date,
) -> ParagraphPlan:
    """Lay out a base paragraph's proposals and stances for ``mode`` ("tracked" or "compilation").

    Tracked: every deleted character is deleted once, by the delegations of every proposal that
    deletes it; alternatives of a conflict group each insert at their own place, and a comment
    listing the alternatives covers the group's passage. Compilation: alternatives are written
    side by side — the first on the base text, each other one repeating the group's passage with
    its own change — separated by " / ", each followed by its attribution.
    """
    text = paragraph.base_text
    length = len(text)
    entries: list[tuple[int, int, int, Piece]] = []  # (offset, phase, sequence, piece)
    notes: list[Note] = []

    def emit(offset: int, phase: int, piece: Piece) -> None:
        entries.append((offset, phase, len(entries), piece))

    textual = [p for p in paragraph.proposals if p.kind in TEXT_KINDS]
    groups: dict[str, list[Proposal]] = {}
    for proposal in textual:
        if proposal.group:
            groups.setdefault(proposal.group, []).append(proposal)
    alternatives = {g: ps for g, ps in groups.items() if len(ps) > 1}

    owners: list[tuple[int, ...]] = [()] * length
    for index, proposal in enumerate(textual):
        group = alternatives.get(proposal.group or "")
        if mode == "compilation" and group and proposal is not group[0]:
            continue  # later alternatives repeat the passage instead of striking the base text
        start, end = _span(proposal, length)
        for position in range(start, end):
            owners[position] = owners[position] + (index,)
    deletions = _deletions(owners, textual, date_of)

    placed_groups: set[str] = set()
    for proposal in textual:
        start, end = _span(proposal, length)
        date = date_of(proposal)
        authors = names(proposal.delegations)
        inserted = proposal.inserted
        group = alternatives.get(proposal.group or "")
        if mode == "compilation" and group:
            if proposal.group in placed_groups:
                continue
            placed_groups.add(proposal.group or "")
            _emit_compilation_group(text, group, emit, date_of)
            continue
        phase = _CLOSE if end > start else _OPEN
        if inserted:
            emit(end, phase, _insertion(proposal, authors, date))
        if mode == "compilation":
            last = _inserted_text(proposal)[-1:] or ("" if proposal.kind == "footnote" else text[end - 1:end])
            emit(end, phase, Piece("attribution", padded_attribution(authors, last, text[end:end + 1]), authors, date))

    if mode == "tracked":
        for name, group in alternatives.items():
            spans = [_span(p, length) for p in group]
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            listing = " / ".join(_describe(text, p) for p in group)
            notes.append(Note(CONCORD_AUTHOR, f"Alternatives ({name}): {listing}", _latest([date_of(p) for p in group])))
            emit(start, _OPEN, Piece("comment_start", comment=len(notes) - 1))
            emit(end, _CLOSE, Piece("comment_end", comment=len(notes) - 1))

    _emit_stances(paragraph, mode, emit, notes, date_of)

    mark_deleted: tuple[str, ...] = ()
    mark_date = None
    if mode == "tracked":
        whole = [p for p in textual if p.kind == "delete_paragraph"]
        if whole:
            mark_deleted = merged_authors([names(p.delegations) for p in whole])
            mark_date = _latest([date_of(p) for p in whole])

    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    passages = stance_passages(paragraph) if mode == "compilation" else ()
    return ParagraphPlan(
        deletions, tuple((min(o, length), p) for o, _, _, p in entries), tuple(notes), mark_deleted, mark_date,
        passages,
    )


def stance_passages(paragraph: ParagraphProposals) -> tuple[tuple[int, int], ...]:
    """The [start, end) of base text each stance note of the paragraph is on, sorted — not the
    whole paragraph (its note ends it), and not passages overlapping another: marked, two such
    passages would read back as one, so those notes are left to the reader's clause rule."""
    text = paragraph.base_text
    found = {(at, at + len(s.anchor)) for s in paragraph.stances
             if s.anchor and (at := text.find(s.anchor)) >= 0}
    found.discard((0, len(text)))
    return tuple(sorted(
        (start, end) for start, end in found
        if not any(other != (start, end) and other[0] < end and start < other[1] for other in found)
    ))


def _describe(text: str, proposal: Proposal) -> str:
    """"'misuse' -> 'abuse' (Egypt)": one alternative in a conflict-group comment."""
    start, end = _span(proposal, len(text))
    old = text[start:end]
    what = f"footnote '{proposal.inserted}'" if proposal.kind == "footnote" else f"'{proposal.inserted}'"
    change = f"'{old}' -> {what}" if old else f"insert {what}"
    if old and not proposal.inserted:
        change = f"delete '{old}'"
    return f"{change}{attribution_text(proposal.delegations)}"


def _emit_compilation_group(text: str, group: list[Proposal], emit, date_of) -> None:
    """Alternatives side by side: the first on the base text (its deletion is in the plan's
    deletions), its attribution at the end of the group's passage, then " / " and each other
    alternative as repeated passage text with its own change, and its attribution."""
    length = len(text)
    spans = [_span(p, length) for p in group]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    first = group[0]
    first_start, first_end = spans[0]
    phase = _CLOSE if end > start else _OPEN
    date = date_of(first)
    if first.inserted:
        emit(first_end, _CLOSE if first_end > first_start else phase, _insertion(first, names(first.delegations), date))
    emit(end, phase, Piece("attribution", attribution_text(first.delegations), names(first.delegations), date))
    for proposal, (s, e) in zip(group[1:], spans[1:]):
        authors, date = names(proposal.delegations), date_of(proposal)
        emit(end, phase, Piece("separator", " / "))
        if text[start:s]:
            emit(end, phase, Piece("context", text[start:s]))
        if text[s:e]:
            emit(end, phase, Piece("struck", text[s:e], authors, date))
        if proposal.inserted:
            emit(end, phase, _insertion(proposal, authors, date))
        if text[e:end]:
            emit(end, phase, Piece("context", text[e:end]))
        shown = text[start:s] + text[s:e] + _inserted_text(proposal) + text[e:end]
        if proposal.kind == "footnote" and not text[e:end]:
            shown = ""  # ends with a footnote mark, not a space
        after = text[end:end + 1] if proposal is group[-1] else ""
        emit(end, phase, Piece("attribution", padded_attribution(authors, shown[-1:], after), authors, date))


def _emit_stances(paragraph: ParagraphProposals, mode: str, emit, notes: list[Note], date_of) -> None:
    """Stance notes after their passage (compilation) or comments on it (tracked); moves too."""
    text = paragraph.base_text
    length = len(text)
    by_range: dict[tuple[int, int], list[Stance]] = {}
    for stance in paragraph.stances:
        found = text.find(stance.anchor) if stance.anchor else -1
        key = (found, found + len(stance.anchor)) if found >= 0 else (0, length)
        by_range.setdefault(key, []).append(stance)
    moves = [p for p in paragraph.proposals if p.kind == "move"]
    for proposal in moves:
        by_range.setdefault((0, length), []).append(
            Stance(move_text(proposal), move_text(proposal), "", list(proposal.delegations), list(proposal.sources))
        )
    for (start, end), stances in by_range.items():
        stances = in_arrival_order(stances, date_of)
        whole = (start, end) == (0, length)
        if mode == "compilation":
            emit(end, _TAIL if whole else _CLOSE, Piece("note", stance_note_text(stances)))
            continue
        for stance in stances:
            notes.append(Note(", ".join(names(stance.delegations)), stance.text or stance.stance,
                              stance_date(stance, date_of)))
            # A comment on the whole paragraph opens before anything inserted at its start.
            emit(start, _FIRST if whole else _OPEN, Piece("comment_start", comment=len(notes) - 1))
            emit(end, _TAIL if whole else _CLOSE, Piece("comment_end", comment=len(notes) - 1))
