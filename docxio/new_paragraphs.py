"""New paragraphs: the paragraphs delegations propose, merged and given their identifiers.

A delegation may type the identifier of its new paragraph ("PP3 bis. Noting..."); otherwise the
paragraph is named with the next free Latin ordinal after the paragraph it follows ("OP4 bis",
"OP4 ter"...). Identical new paragraphs after the same base paragraph are one proposal naming
every delegation; two different paragraphs typed with one identifier are alternatives ("PP3 bis"
and "PP3 bis alt", conflict group "PP3 bis-1").
"""
from __future__ import annotations

from typing import Sequence

from docxio.base_paragraphs import BaseParagraph
from docxio.compilation import status_line
from docxio.contributions import Contribution, NewParagraph, RawStance
from docxio.identifiers import next_free_identifier, parse_label
from docxio.proposal_merging import credit, merge_stances
from docxio.proposals import ParagraphProposals, Proposal
from docxio.wordiff import normalise

__all__ = ["place_new_paragraphs", "typed_identifier"]


def typed_identifier(text: str) -> tuple[str | None, str]:
    """A new paragraph's typed identifier ("PP3 bis") and its text without the label."""
    found = parse_label(text)
    if found is None:
        return None, text
    return found.id, text[found.body_start:]


def place_new_paragraphs(
    base_paras: list[BaseParagraph], contributions: Sequence[Contribution], taken: set[str], warnings: list[str]
) -> dict[int | None, list[ParagraphProposals]]:
    """Merge identical new paragraphs and give each its identifier, grouped by the base paragraph
    they follow (None: before the first). ``taken`` are the identifiers in use (the new ones are
    added); a typed identifier already in the draft is said in ``warnings``."""
    by_anchor = _identical_by_anchor(contributions)
    placed: dict[int | None, list[ParagraphProposals]] = {}
    final_id: dict[int, str] = {}  # id() of each NewParagraph -> its identifier, for chains
    for anchor in sorted(by_anchor, key=lambda a: -1 if a is None else a):
        anchor_id = _anchor_id(base_paras, anchor)
        placed[anchor] = _place_after(anchor_id, by_anchor[anchor], taken, warnings, final_id)
    return placed


def _anchor_id(base_paras: list[BaseParagraph], anchor: int | None) -> str:
    """The identifier a new paragraph after base paragraph ``anchor`` is named after: a status
    line of the base ("[PP2 agreed in informals]") stands for the paragraph it is under."""
    while anchor is not None and anchor > 0 and status_line(base_paras[anchor].text) is not None:
        anchor -= 1
    return base_paras[anchor].paragraph.id if anchor is not None else ""


def _identical_by_anchor(contributions: Sequence[Contribution]) -> dict[int | None, list[list[NewParagraph]]]:
    """The new paragraphs of all submissions, identical ones together, by the base paragraph they
    follow; in order of arrival."""
    groups: dict[tuple[int | None, str], list[NewParagraph]] = {}
    for contribution in contributions:
        for record in contribution.new:
            groups.setdefault((record.anchor, normalise(record.text)), []).append(record)
    by_anchor: dict[int | None, list[list[NewParagraph]]] = {}
    for (anchor, _), records in groups.items():
        by_anchor.setdefault(anchor, []).append(records)
    return by_anchor


def _place_after(
    anchor_id: str, entries: list[list[NewParagraph]], taken: set[str], warnings: list[str], final_id: dict[int, str]
) -> list[ParagraphProposals]:
    """The new paragraphs after one base paragraph (``anchor_id``; "" at the start), named."""
    # Deterministic order: position in the delegates' runs, then typed identifier, then text.
    entries = sorted(entries, key=lambda rs: (min(r.chain for r in rs),
                                              next((r.typed_id for r in rs if r.typed_id), "~"),
                                              normalise(rs[0].text)))
    previous = anchor_id
    out: list[ParagraphProposals] = []
    typed_groups: dict[str, str] = {}
    for records in entries:
        typed = next((r.typed_id for r in records if r.typed_id), None)
        if typed and typed not in taken:
            identifier = typed
        elif typed and typed in {p.id for p in out}:
            identifier = _alt_id(typed, taken)  # another delegation's paragraph of the same name
            typed_groups.setdefault(typed, f"{typed}-1")
        else:
            if typed:
                warnings.append(f"new paragraph typed as {typed} is already in the draft: numbered after {previous or 'the start'} instead")
            identifier = _new_identifier(previous or "title", taken)
        taken.add(identifier)
        proposal, stances = _merged(records)
        for r in records:
            final_id[id(r)] = identifier
        first = records[0]
        after = final_id.get(id(first.previous_new)) if first.previous_new is not None else anchor_id
        out.append(ParagraphProposals(id=identifier, base_text="", new=True, after=after or None,
                                      proposals=[proposal], stances=merge_stances(stances)))
        previous = identifier
    for entry in out:
        typed_base = entry.id.split(" alt")[0]
        if typed_base in typed_groups:
            entry.proposals[0].group = typed_groups[typed_base]
    return out


def _merged(records: list[NewParagraph]) -> tuple[Proposal, list[RawStance]]:
    """One proposal for identical new paragraphs, crediting every delegation, and the stances
    taken on them."""
    proposal = Proposal(kind="new_paragraph", inserted=records[0].text, at=0,
                        tracked=any(r.tracked for r in records),
                        date=max((r.date for r in records if r.date), default=None))
    stances: list[RawStance] = []
    for r in records:
        credit(proposal, r.attribution, r.source)
        stances.extend(r.stances)
    return proposal, stances


def _new_identifier(after: str, taken: set[str]) -> str:
    """The next free Latin ordinal after ``after``; past "tricies" (a pathological file, not a
    negotiation), "<after> new N" so that nothing is dropped."""
    if " new " in after:  # already past the ordinals
        return _numbered_new(after, taken)
    head = after.split(" ")[0]
    # Only identifiers of the same paragraph can collide; the others need not be parsed again.
    relevant = {t for t in taken if t.split(" ")[0] in (head, {"title": "PP0", "chapeau": "OP0"}.get(after, head))}
    try:
        return next_free_identifier(after, relevant)
    except ValueError:
        return _numbered_new(after, taken)


def _numbered_new(after: str, taken: set[str]) -> str:
    """"<stem> new N", the first N free: past the Latin ordinals."""
    stem = after.split(" new ")[0]
    n = 1
    while f"{stem} new {n}" in taken:
        n += 1
    return f"{stem} new {n}"


def _alt_id(identifier: str, taken: set[str]) -> str:
    """"<identifier> alt", or "alt 2", "alt 3"... the first free."""
    candidate, n = f"{identifier} alt", 1
    while candidate in taken:
        n += 1
        candidate = f"{identifier} alt {n}"
    return candidate

