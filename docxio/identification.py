"""Giving every paragraph of a draft its identifier: typed labels, list numbers, structure.

A delegation and the secretariat refer to paragraphs by identifier ("PP3 bis", "OP4", "OP3 (a)"),
so every paragraph read from a .docx gets one, evaluated on the ORIGINAL view (all changes
rejected), so that a submission's paragraphs carry the identifiers of the base draft:

* a label typed at the start of the paragraph wins ("PP3 bis." → "PP3 bis", id_source "typed");
* after the chapeau line ("The Commission on Narcotic Drugs,"), paragraphs numbered by list
  numbering at level 0 are operative paragraphs "OP<n>" with n the number Word shows, and their
  level-1 and level-2 items "OP3 (a)", "OP3 (a) (i)" (id_source "numbering");
* other paragraphs get stable structural ids: "title", "chapeau", or "P<k>" by position among
  the unlabelled paragraphs (id_source "structural");
* a paragraph that exists only in the current view (a delegation inserted it, paragraph mark
  included) has no base number: it gets id_source "new" and the identifier it would be given
  after the paragraph before it ("OP9 bis"), or the label its author typed;
* paragraphs of footnotes, endnotes, headers, footers and comments are "footnote 2 ¶1".

Physical paragraphs joined in the original view (a paragraph split by an inserted mark) are one
original paragraph: the continuation carries the same identifier as the paragraph it continues.
Pure: paragraphs in, new paragraphs out (copies with the identifier set).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NamedTuple, Protocol

from docxio.identifiers import (
    Identifier,
    letter_value,
    next_free_identifier,
    parse_identifier,
    parse_label,
    parse_sub_label,
    roman_value,
)
from docxio.model import ListLabel, Paragraph
from docxio.numbering import format_number

#: Longest text still taken for a chapeau line ("The Conference of the Parties to the ...,").
CHAPEAU_MAX_LENGTH = 120

# Preambular paragraphs open with a participle or an adjective of mind ("Recalling", "Deeply
# concerned", "Mindful"); a chapeau names a body ("The General Assembly,").
_PREAMBULAR_OPENING = re.compile(
    r"^(?:\w+ing\b|\w+ly\b|(?:Convinced|Concerned|Aware|Mindful|Alarmed|Conscious|Determined|Desirous|"
    r"Cognizant|Guided|Encouraged|Gravely|Bearing|Taking|Having|Noting|Recognizing|Recalling)\b)",
    re.IGNORECASE,
)
_TITLE_STYLES = {"title", "heading1", "heading 1"}


class _Group(NamedTuple):
    """Physical paragraphs forming one paragraph of the original view (split by inserted marks).
    A named tuple: one is made per paragraph of every draft read."""

    members: tuple[int, ...]
    owner: int
    original: str


def assign_identifiers(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """The paragraphs with ``id``, ``id_source`` and ``label`` set (see the module docstring).

    Body paragraphs must be given in reading order, with ``list_label`` evaluated on the original
    view (``numbering.list_labels``); other stories may be mixed in and are numbered per note,
    header or comment.
    """
    result = list(paragraphs)
    body = [i for i, p in enumerate(paragraphs) if p.story == "body"]
    body_paragraphs = [paragraphs[i] for i in body]
    identified = keep_moved_identifiers(body_identifiers(body_paragraphs), [move_facts(p) for p in body_paragraphs])
    for i, (paragraph_id, source, label) in enumerate(identified):
        result[body[i]] = with_identifier(paragraphs[body[i]], paragraph_id, source, label)
    others = [i for i, p in enumerate(paragraphs) if p.story != "body"]
    for i, paragraph_id in zip(others, story_identifiers([paragraphs[i] for i in others]), strict=True):
        result[i] = with_identifier(paragraphs[i], paragraph_id, "structural", "")
    return result


def move_facts(paragraph: Paragraph) -> tuple[set[str], str | None]:
    """The move names a paragraph's text is moved away under, and the one move its whole text is
    the destination of (None if any): what ``keep_moved_identifiers`` needs."""
    away = {s.deleted.move_name for s in paragraph.spans
            if s.deleted is not None and s.deleted.type == "move_from" and s.deleted.move_name}
    texts = [s for s in paragraph.spans if s.text.strip()]
    names = {s.inserted.move_name for s in texts if s.inserted is not None and s.inserted.type == "move_to"}
    whole = (len(names) == 1 and not paragraph.original.strip()
             and all(s.inserted is not None and s.inserted.type == "move_to" for s in texts))
    return away, next(iter(names)) if whole else None


def keep_moved_identifiers(
    identified: Sequence[tuple[str, str, str]], moves: Sequence[tuple[set[str], str | None]]
) -> list[tuple[str, str, str]]:
    """A paragraph that exists only as the destination of a tracked move keeps the identifier of
    the paragraph it was moved from (id_source "moved"): a paragraph's identifier is the one it has
    in the base, wherever a delegation proposes to put it. ``moves`` gives, per paragraph, the move
    names it is moved away under and the move it is wholly the destination of."""
    origins: dict[str, int] = {}
    for i, (away, _) in enumerate(moves):
        for name in away:
            origins.setdefault(name, i)
    found = list(identified)
    for i, (_, destination) in enumerate(moves):
        origin = origins.get(destination) if destination is not None else None
        if origin is not None:
            found[i] = (identified[origin][0], "moved", identified[origin][2])
    return found


def story_identifiers(paragraphs: Sequence[Any]) -> list[str]:
    """Identifiers of paragraphs outside the body, numbered per note, header or comment in the
    order given: "footnote 2 ¶1", "header ¶1". Takes anything with ``story`` and ``story_id``."""
    counts: dict[tuple[str, str | None], int] = {}
    found = []
    for p in paragraphs:
        key = (p.story, p.story_id)
        counts[key] = counts.get(key, 0) + 1
        where = f"{p.story} {p.story_id}" if p.story_id else p.story
        found.append(f"{where} ¶{counts[key]}")
    return found


class ParagraphFacts(Protocol):
    """What identification reads of a body paragraph: a ``Paragraph``, or the reader's paragraph
    before it is frozen (so the reader builds each model paragraph once, identifier included)."""

    @property
    def original(self) -> str: ...
    @property
    def current(self) -> str: ...
    @property
    def mark_inserted(self) -> object | None: ...
    @property
    def in_table(self) -> bool: ...
    @property
    def list_label(self) -> ListLabel | None: ...
    @property
    def style(self) -> str | None: ...


def body_identifiers(paragraphs: Sequence[ParagraphFacts]) -> list[tuple[str, str, str]]:
    """(id, id_source, label) for each body paragraph, in the order given (reading order, with
    ``list_label`` evaluated on the original view): what ``assign_identifiers`` sets, for a caller
    that builds the paragraphs itself."""
    found: list[tuple[str, str, str] | None] = [None] * len(paragraphs)
    for i, paragraph_id, source, label in _body_identifiers(paragraphs):
        found[i] = (paragraph_id, source, label)
    return found  # type: ignore[return-value]  # every position is filled by _body_identifiers


def _can_copy_directly(cls: type) -> bool:
    """Whether ``with_identifier`` may copy ``cls`` by its instance dict: a plain dataclass with a
    __dict__ and no __post_init__ (checked once, so a model change falls back to ``replace``)."""
    return not hasattr(cls, "__post_init__") and "__slots__" not in vars(cls)


_COPY_DIRECTLY = _can_copy_directly(Paragraph)


def with_identifier(paragraph: Paragraph, paragraph_id: str, source: str, label: str) -> Paragraph:
    """``paragraph`` with ``id``, ``id_source`` and ``label`` set.

    The same value as ``dataclasses.replace``, which cost as much as all the rest of
    identification together (it inspects the class's fields on every call, and a frozen
    dataclass's __init__ sets each of Paragraph's fields through ``object.__setattr__``):
    copying the instance dict gives an equal object at a fraction of the cost.
    """
    if not _COPY_DIRECTLY:
        return replace(paragraph, id=paragraph_id, id_source=source, label=label)
    copy = object.__new__(Paragraph)
    copy.__dict__.update(paragraph.__dict__, id=paragraph_id, id_source=source, label=label)
    return copy


def is_chapeau(text: str) -> bool:
    """Whether a paragraph's text is a chapeau line: short, ending with a comma, naming a body
    rather than opening a preambular paragraph ("The Commission on Narcotic Drugs,")."""
    text = text.strip()
    return (
        text.endswith(",")
        and 3 < len(text) <= CHAPEAU_MAX_LENGTH
        and text[0].isupper()
        and not _PREAMBULAR_OPENING.match(text)
        and parse_label(text) is None
    )


def _groups(paragraphs: Sequence[ParagraphFacts], originals: Sequence[str]) -> list[_Group]:
    """Original-view paragraphs: a physical paragraph whose mark was inserted joins the next one
    (not across table cells, as the reader does). ``originals`` are the paragraphs' original texts."""
    groups: list[_Group] = []
    members: list[int] = []
    last = len(paragraphs) - 1
    for i, p in enumerate(paragraphs):
        if not members and (p.mark_inserted is None or i == last or p.in_table):
            groups.append(_Group((i,), i, originals[i]))  # a paragraph on its own: most of them
            continue
        members.append(i)
        if p.mark_inserted is not None and i < last and not p.in_table:
            continue
        # The owner is the first with original text; else the last, which holds the original mark.
        owner = next((j for j in members if originals[j].strip()), members[-1])
        groups.append(_Group(tuple(members), owner, "".join(originals[j] for j in members)))
        members = []
    return groups


def _is_new(paragraph: ParagraphFacts, original: str, group: _Group, index: int) -> bool:
    """A paragraph only in the current view: no original text, some current text, and not the
    paragraph that carries its group's original text or mark (so it was joined to that one by an
    inserted paragraph mark: its own, or the one before it)."""
    return (
        index != group.owner
        and not original.strip()
        and bool(paragraph.current.strip())
    )


def _body_identifiers(paragraphs: Sequence[ParagraphFacts]) -> list[tuple[int, str, str, str]]:
    """(position, id, id_source, label) for each body paragraph."""
    # Each paragraph's original text is joined from its spans once, not at every use.
    originals = [p.original for p in paragraphs]
    groups = _groups(paragraphs, originals)
    owners = [g.owner for g in groups]
    typed = {g.owner: parse_label(g.original) for g in groups}
    # The reader puts a group's list number on one of its members: take it from whichever has it.
    numbered = {}
    for g in groups:
        label = paragraphs[g.owner].list_label if len(g.members) == 1 else next(
            (paragraphs[j].list_label for j in g.members if paragraphs[j].list_label), None)
        if _is_number(label):
            numbered[g.owner] = label
    chapeau = _chapeau(paragraphs, groups, typed, numbered)
    title = _title(paragraphs, groups, typed, numbered, chapeau)

    groups_by_owner = {g.owner: g for g in groups}
    original_ids: dict[int, tuple[str, str, str]] = {}
    taken: set[str] = set()
    parents: list[str | None] = [None, None, None]  # last id at levels 0, 1, 2
    structural = 0
    after_chapeau = chapeau is None
    for owner in owners:
        found = typed[owner]
        label = numbered.get(owner)
        if owner == chapeau:
            entry = ("chapeau", "structural", "")
            after_chapeau = True
        elif owner == title:
            entry = ("title", "structural", "")
        elif found is not None:
            entry = (found.id, "typed", found.text)
            parents = _descend(parents, found.identifier, found.id)
        elif label is not None and after_chapeau and (numbered_id := _numbered_id(label, parents)) is not None:
            entry = (numbered_id, "numbering", "")
            parents = _descend(parents, parse_identifier(numbered_id))
        elif (sub := _typed_sub_paragraph(groups_by_owner[owner].original, parents)) is not None:
            entry = sub
            parents = _descend(parents, parse_identifier(sub[0]))
        else:
            structural += 1
            entry = (f"P{structural}", "structural", "")
        paragraph_id = _unique(entry[0], taken) if entry[1] != "structural" else entry[0]
        taken.add(paragraph_id)
        original_ids[owner] = (paragraph_id, entry[1], entry[2])

    out: list[tuple[int, str, str, str]] = []
    # A new paragraph is named after the last paragraph with text of its own: a status line
    # ("[OP2 agreed in informals]") or a blank line between OP2 and it does not make it "P7 bis".
    previous = ""
    for group in groups:
        for index in group.members:
            if index != group.owner and _is_new(paragraphs[index], originals[index], group, index):
                paragraph_id, label = _new_identifier(paragraphs[index], previous, taken)
                taken.add(paragraph_id)
                source = "new"
            else:
                paragraph_id, source, label = original_ids[group.owner]
                # The continuation of a split paragraph has no label of its own.
                label = label if index == group.owner else ""
            out.append((index, paragraph_id, source, label))
            if source != "structural" or not _is_note(paragraphs[index].current) or not previous:
                previous = paragraph_id
    return out


def _is_note(text: str) -> bool:
    """A blank line or a bracketed note ("[PP2 agreed in informals]", "(Reservation: EU)")."""
    text = text.strip()
    return not text or (text[0], text[-1]) in (("[", "]"), ("(", ")"))


def _is_number(label: ListLabel | None) -> bool:
    """A list label that shows a number or letter (bullets and empty labels are not numbers)."""
    return label is not None and any(ch.isalnum() for ch in label.text)


def _chapeau(
    paragraphs: Sequence[ParagraphFacts], groups: Sequence[_Group], typed: dict, numbered: dict
) -> int | None:
    """The owner of the chapeau line: the first chapeau-like paragraph before any typed label and
    any numbered paragraph (the chapeau opens the resolution, before PP1 and OP1)."""
    for group in groups:
        if typed[group.owner] is not None or group.owner in numbered:
            return None
        if is_chapeau(group.original):
            return group.owner
    return None


def _title(
    paragraphs: Sequence[ParagraphFacts], groups: Sequence[_Group], typed: dict, numbered: dict, chapeau: int | None
) -> int | None:
    """The title: the first paragraph in a Title or Heading 1 style before the chapeau, else the
    last non-empty paragraph before the chapeau that is not a bracketed note ("(Reservation on
    the resolution: …)"): header lines such as "Distr.: Limited" come earlier."""
    before = []
    for group in groups:
        if group.owner == chapeau or typed[group.owner] is not None or group.owner in numbered:
            break
        if group.original.strip():
            before.append(group.owner)
    styled = [i for i in before if (paragraphs[i].style or "").lower() in _TITLE_STYLES]
    if styled:
        return styled[0]
    plain = [i for i in before if not _group_text(paragraphs, groups, i).lstrip().startswith(("(", "["))]
    if chapeau is not None and plain:
        return plain[-1]
    return None


def _group_text(paragraphs: Sequence[ParagraphFacts], groups: Sequence[_Group], owner: int) -> str:
    """The original text of the group ``owner`` leads."""
    return next(g.original for g in groups if g.owner == owner)


def _numbered_id(label: ListLabel, parents: list[str | None]) -> str | None:
    """The identifier a list number gives: level 0 "OP<n>" (or the identifier the list text
    itself spells, e.g. a list "PP%1."), level 1 and 2 a sub-paragraph of the paragraph above."""
    if label.level == 0:
        spelled = parse_label(label.text)
        if spelled is not None and not spelled.identifier.sub and label.text.strip() == spelled.text:
            return spelled.id
        return str(Identifier("OP", label.ordinal))
    parent = parents[label.level - 1] if label.level <= 2 else None
    if parent is None:
        return None
    return f"{parent} ({_sub_label(label)})"


def _typed_sub_paragraph(text: str, parents: list[str | None]) -> tuple[str, str, str] | None:
    """(id, "typed", label) for a typed "(a)" or "(ii)" under the paragraph above, or None.

    Inside a lettered sub-paragraph, "(i)" is its first roman item unless it is the next letter
    (after "(h)"); outside one, letters up to "z" are lettered items."""
    found = parse_sub_label(text)
    if found is None or parents[0] is None:
        return None
    if parents[1] is not None:
        open_letter = parse_identifier(parents[1])
        current = letter_value(open_letter.sub[-1].partition(" ")[0]) if open_letter and open_letter.sub else None
        if found.letter is not None and current is not None and found.letter == current + 1:
            return f"{parents[0]} ({found.sub})", "typed", found.text
        if found.roman is not None:
            return f"{parents[1]} ({found.sub})", "typed", found.text
    if found.letter is not None and found.letter <= 26 * 3:
        return f"{parents[0]} ({found.sub})", "typed", found.text
    return None


def _sub_label(label: ListLabel) -> str:
    """The sub-paragraph letter or numeral: as the list shows it when it is a letter or roman
    numeral of the right value, else the UN form ((a) at level 1, (i) at level 2)."""
    tokens = re.findall(r"[A-Za-z]+", label.text)
    if tokens:
        token = tokens[-1].lower()
        if letter_value(token) == label.ordinal or roman_value(token) == label.ordinal:
            return token
    return format_number(label.ordinal, "lowerLetter" if label.level % 2 else "lowerRoman")


def _descend(
    parents: list[str | None], identifier: Identifier | None, canonical: str | None = None
) -> list[str | None]:
    """The parents after an identifier: a top-level id resets the levels below it. ``canonical``
    is ``str(identifier)`` when the caller has it already (a typed label's ``LabelMatch.id``)."""
    if identifier is None:
        return parents
    depth = len(identifier.sub)
    if depth > 2:
        return parents
    text = canonical if canonical is not None else str(identifier)
    if depth == 0:
        return [text, None, None]  # a paragraph of its own: most of them
    return list(parents[:depth]) + [text] + [None] * (2 - depth)


def _unique(paragraph_id: str, taken: set[str]) -> str:
    """``paragraph_id``, or its next alternative when a paragraph already has it (a compilation
    that carries two "PP5" paragraphs: the second is an alternative wording)."""
    if paragraph_id not in taken:
        return paragraph_id
    candidate, n = f"{paragraph_id} alt", 1
    while candidate in taken:
        n += 1
        candidate = f"{paragraph_id} alt {n}"
    return candidate


def _new_identifier(paragraph: ParagraphFacts, previous: str, taken: set[str]) -> tuple[str, str]:
    """A new paragraph's identifier: the label its author typed when free, else the next free
    identifier after the previous paragraph."""
    found = parse_label(paragraph.current)
    if found is not None and found.id not in taken:
        return found.id, found.text
    try:
        return next_free_identifier(previous or "title", taken), ""
    except ValueError:
        # Thirty new paragraphs after one base paragraph: past "tricies", count them instead.
        n = 1
        while f"{previous} new {n}" in taken:
            n += 1
        return f"{previous} new {n}", ""
