"""Proposals from a submission paragraph's tracked changes.

Consecutive changed pieces by one delegation form one edit (a deletion next to an insertion is a
replacement), placed in base coordinates; an inserted footnote reference is a footnote proposal.
Two kinds of tracked change are stances rather than proposals: deleting text an earlier round
inserted (a stance "delete" on that proposal), and typing a stance in brackets ("(retain)").
"""
from __future__ import annotations

from typing import Callable, Sequence

from docxio.attribution import Attribution
from docxio.compilation import attribution_at_start
from docxio.contributions import RawProposal, RawStance, latest_date, proposal_kind
from docxio.model import Draft
from docxio.proposals import Source
from docxio.stances import Vocabulary, stance_in_brackets
from docxio.submission_paragraphs import Piece, SubmissionParagraph
from docxio.wordiff import Comparison, Edit, canonical

__all__ = ["stance_from_change", "tracked_proposals"]


def stance_from_change(stance: str, text: str, anchor: str, who: Attribution, source: Source) -> RawStance:
    """A stance read from a change itself (not from a comment): its words are ``text``, or the
    stance word when there are none."""
    return RawStance(stance, True, text or stance, anchor, who, source)


def tracked_proposals(
    para: SubmissionParagraph,
    base_text: str,
    comparison: Comparison | None,
    attribute: Callable[[str], Attribution],
    vocabulary: Vocabulary,
    draft: Draft,
    file: str,
) -> list[RawProposal | RawStance]:
    """The proposals and stances of the paragraph's tracked changes, in document order.

    ``comparison`` maps the text the delegate started from onto ``base_text`` when the two differ
    (None when they are the same); ``attribute`` credits a revision author; ``draft`` and
    ``file`` are the submission's (footnote texts are read from the draft)."""
    found: list[RawProposal | RawStance] = []
    for edit, who, pieces in _edits_from_pieces(para.pieces, attribute):
        at = edit.at if comparison is None else comparison.old_offset(edit.at)
        revs = [p.rev for p in pieces if p.rev is not None]
        source = Source(file, revs[0].id if revs else None)
        footnotes = [p.footnote for p in pieces if p.footnote and p.state == "ins"]
        if footnotes:
            text = _footnote_text(draft, footnotes[0])
            found.append(RawProposal("footnote", at, "", text, who, True, source, latest_date(revs)))
            continue
        if not edit.inserted.strip() and not edit.deleted.strip():
            continue
        if edit.deleted and not edit.inserted and all(p.old_insert for p in pieces if p.state == "del"):
            # Deleting what another delegation proposed in an earlier round is a stance on it;
            # in a compilation base the proposal's attribution belongs to the passage, so the
            # stance note follows it: "and abuse (Singapore) (delete: Iran)".
            end = at + len(edit.deleted)
            attribution = attribution_at_start(base_text[end:]) if base_text[at:end] == edit.deleted else ""
            found.append(stance_from_change("delete", "", edit.deleted + attribution, who, source))
            continue
        if edit.inserted and not edit.deleted:
            bracketed = stance_in_brackets(edit.inserted, vocabulary)
            if bracketed is not None:  # "(retain)" typed into the text
                found.append(stance_from_change(bracketed.stance, edit.inserted.strip(), "", who, source))
                continue
        deleted = edit.deleted if comparison is None else base_text[at:at + len(edit.deleted)]
        edit = canonical(base_text, Edit(at, deleted, edit.inserted))
        found.append(RawProposal(proposal_kind(edit), edit.at, edit.deleted, edit.inserted, who, True, source,
                                 latest_date(revs)))
    return found


def _edits_from_pieces(
    pieces: Sequence[Piece], attribute: Callable[[str], Attribution]
) -> list[tuple[Edit, Attribution, list[Piece]]]:
    """Tracked edits of a paragraph in the coordinates of its ``before`` text: consecutive changed
    pieces by one delegation form one edit (a deletion next to an insertion is a replacement)."""
    out: list[tuple[Edit, Attribution, list[Piece]]] = []
    pos = 0
    run: list[Piece] = []
    run_at = 0
    run_who: Attribution | None = None

    def flush() -> None:
        if run and run_who is not None:
            deleted = "".join(p.text for p in run if p.state == "del")
            inserted = "".join(p.text for p in run if p.state == "ins")
            out.append((Edit(run_at, deleted, inserted), run_who, list(run)))

    for piece in pieces:
        if piece.state == "keep":
            flush()
            run, run_who = [], None
            pos += len(piece.text)
            continue
        who = attribute(piece.rev.author if piece.rev else "")
        if run_who is None or who.delegations != run_who.delegations or piece.footnote or (run and run[-1].footnote):
            flush()
            run, run_who, run_at = [], who, pos
        run.append(piece)
        if piece.state == "del":
            pos += len(piece.text)
    flush()
    return out


def _footnote_text(draft: Draft, footnote_id: str) -> str:
    """The words of a footnote of the draft, its paragraphs joined by spaces."""
    texts = [p.current for p in draft.paragraphs if p.story == "footnote" and p.story_id == footnote_id]
    return " ".join(t.strip() for t in texts if t.strip())
