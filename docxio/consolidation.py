"""Consolidation: from the base draft and the delegations' submissions to one attributed set of
proposals per paragraph identifier.

For each submission (in order of arrival):

1. revisions and comments already in the base (an earlier round's consolidated draft) are set
   aside — only new changes are the submitter's proposals;
2. its paragraphs are aligned with the base's (``docxio.alignment``);
3. tracked changes become proposals in base coordinates, and untracked edits are found by
   comparing the paragraph with the base word by word (``docxio.wordiff``);
4. every change is attributed (``docxio.attribution``), comments become stances
   (``docxio.stances``).

Then identical proposals from several delegations are merged into one, overlapping different
ones become alternatives of a conflict group, and new paragraphs get their identifiers.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from docxio.alignment import AlignItem, BaseIndex, align
from docxio.attribution import Attribution, Attributor
from docxio.delegations import Registry
from docxio.identifiers import next_free_identifier, parse_label
from docxio.model import Comment, Draft, Paragraph, Revision, Span
from docxio.proposals import (
    Consolidation,
    ParagraphProposals,
    Proposal,
    Source,
    Stance,
    SubmissionSummary,
)
from docxio.stances import DEFAULT_VOCABULARY, StanceReading, Vocabulary, read_stance, stance_in_brackets
from docxio.wordiff import Edit, canonical, compare, normalise

#: Order of kinds at one offset in the report (after the offset itself).
KIND_ORDER = {k: i for i, k in enumerate(
    ("delete_paragraph", "move", "replace", "delete", "insert", "footnote", "new_paragraph"))}

#: Revision types that change formatting only: reported, never proposals.
FORMAT_TYPES = {"format", "paragraph_format", "numbering", "section", "table"}

#: A submission whose text differs from the base without Track Changes in at least this many
#: paragraphs, while it also has tracked changes, was most likely made on an older draft.
OLDER_ROUND_MIN_PARAGRAPHS = 3


@dataclass(frozen=True)
class Submission:
    """One delegation's file for the round. ``delegation`` is the submitting delegation when
    known (command-line prefix, email sender, add-in account); ``arrived`` ISO text giving the
    order of arrival; ``sender`` the email address it came from, if any."""

    draft: Draft
    file: str
    delegation: str | None = None
    arrived: str | None = None
    sender: str | None = None


# --------------------------------------------------------------------------- revisions already in the base


@dataclass(frozen=True)
class _Known:
    """The revisions and comments of the base, to recognise them in a submission."""

    revisions: dict[tuple[str, str, str | None], list[str]]
    comments: set[tuple[str, str | None, str]]

    def has_revision(self, rev: Revision) -> bool:
        texts = self.revisions.get((_rev_family(rev.type), rev.author, rev.date))
        if texts is None:
            return False
        # Word may split or join revision elements when it re-saves; same author, date and
        # overlapping text is the same change.
        return not rev.text or any(rev.text in t or t in rev.text for t in texts)

    def has_comment(self, comment: Comment) -> bool:
        return (comment.author, comment.date, normalise(comment.text)) in self.comments


def _rev_family(kind: str) -> str:
    return {"move_to": "insert", "move_from": "delete", "paragraph_insert": "insert",
            "paragraph_delete": "delete"}.get(kind, kind)


def _known_in(base: Draft) -> _Known:
    revisions: dict[tuple[str, str, str | None], list[str]] = {}

    def add(rev: Revision | None) -> None:
        if rev is not None:
            revisions.setdefault((_rev_family(rev.type), rev.author, rev.date), []).append(rev.text)

    for p in base.paragraphs:
        for rev in p.revisions:
            add(rev)
        add(p.mark_inserted)
        add(p.mark_deleted)
        for s in p.spans:
            add(s.inserted)
            add(s.deleted)
    comments = {(c.author, c.date, normalise(c.text)) for c in base.comments}
    return _Known(revisions, comments)


# --------------------------------------------------------------------------- reading one submission


@dataclass(frozen=True)
class _Piece:
    """A span of a submission paragraph seen against the base: ``state`` is "keep" (in the text
    the delegate started from and still there), "ins" (new insertion), "del" (new deletion)."""

    text: str
    state: str
    rev: Revision | None
    footnote: str | None = None
    old_insert: bool = False  # text an earlier round inserted (deleting it is a stance)


class _Para:
    """A submission paragraph (physical paragraphs joined across new paragraph marks), with the
    text the delegate started from (``before``: earlier rounds accepted, new changes rejected)
    and the text they propose (``after``: every change accepted)."""

    __slots__ = ("paragraphs", "pieces", "before", "after", "is_new", "is_deleted")

    def __init__(self, paragraphs: list[Paragraph], pieces: list[_Piece]) -> None:
        self.paragraphs = paragraphs
        self.pieces = pieces
        self.before = "".join(p.text for p in pieces if p.state != "ins")
        self.after = "".join(p.text for p in pieces if p.state != "del")
        # Wholly inserted by a new revision: a new (or moved-here) paragraph.
        self.is_new = not self.before.strip() and bool(self.after.strip()) and bool(self.new_revisions("ins"))
        # Wholly deleted by a new revision: a paragraph deletion (or moved away).
        self.is_deleted = not self.after.strip() and bool(self.before.strip()) and bool(self.new_revisions("del"))

    @property
    def first(self) -> Paragraph:
        return self.paragraphs[0]

    def new_revisions(self, state: str) -> list[Revision]:
        return [p.rev for p in self.pieces if p.state == state and p.rev is not None and p.text.strip()]


def _pieces(paragraph: Paragraph, known: _Known) -> list[_Piece]:
    if all(s.inserted is None and s.deleted is None and s.footnote is None for s in paragraph.spans):
        return [_Piece(paragraph.original, "keep", None)]  # most paragraphs: nothing changed
    pieces = []
    for span in paragraph.spans:
        ins_new = span.inserted is not None and not known.has_revision(span.inserted)
        del_old = span.deleted is not None and known.has_revision(span.deleted)
        if del_old or (ins_new and span.deleted is not None):
            continue  # gone before this round, or typed and removed again: in neither text
        if span.deleted is not None:
            pieces.append(_Piece(span.text, "del", span.deleted, span.footnote, span.inserted is not None))
        elif ins_new:
            pieces.append(_Piece(span.text, "ins", span.inserted, span.footnote))
        else:
            pieces.append(_Piece(span.text, "keep", None, span.footnote))
    return pieces


def _submission_paragraphs(draft: Draft, known: _Known) -> list[_Para]:
    """Body paragraphs as the delegate sees them; a paragraph whose mark is a new insertion (a
    split) is joined with the next one unless either is a wholly new paragraph."""
    paras: list[_Para] = []
    pending: _Para | None = None
    for paragraph in draft.body():
        current = _Para([paragraph], _pieces(paragraph, known))
        if pending is not None and not current.is_new:
            current = _Para([*pending.paragraphs, paragraph], [*pending.pieces, *current.pieces])
        elif pending is not None:
            paras.append(pending)
        pending = None
        mark = paragraph.mark_inserted
        if mark is not None and not known.has_revision(mark) and not current.is_new:
            pending = current
        else:
            paras.append(current)
    if pending is not None:
        paras.append(pending)
    return paras


# --------------------------------------------------------------------------- raw proposals


@dataclass
class _Raw:
    """One delegation's change before merging, in base coordinates."""

    kind: str
    at: int
    deleted: str
    inserted: str
    attribution: Attribution
    tracked: bool
    source: Source
    date: str | None = None
    moved_to: str | None = None  # base index key of the paragraph a move goes after ("" = start)


@dataclass
class _RawStance:
    stance: str
    recognised: bool
    text: str
    anchor: str
    attribution: Attribution
    source: Source


@dataclass
class _NewPara:
    """A paragraph a submission adds: after base paragraph ``anchor`` (None = at the start),
    ``chain``-th of a run of new paragraphs there."""

    anchor: int | None
    chain: int
    text: str
    typed_id: str | None
    attribution: Attribution
    tracked: bool
    source: Source
    date: str | None
    stances: list[_RawStance] = field(default_factory=list)
    previous_new: "_NewPara | None" = None


@dataclass
class _Reading:
    """What one submission contributes."""

    raws: dict[int, list[_Raw]] = field(default_factory=dict)
    stances: dict[int, list[_RawStance]] = field(default_factory=dict)
    new: list[_NewPara] = field(default_factory=list)
    draft_stances: list[_RawStance] = field(default_factory=list)
    summary: SubmissionSummary | None = None


@dataclass(frozen=True)
class _BasePara:
    index: int  # index in the base body
    paragraph: Paragraph
    text: str  # current view
    #: The paragraph in earlier drafts: (draft name, text) — the base with its changes rejected
    #: (an earlier round's consolidated draft) and any earlier base given to ``consolidate``.
    earlier: tuple[tuple[str, str], ...] = ()


def _edits_from_pieces(pieces: Sequence[_Piece], attribute) -> list[tuple[Edit, Attribution, list[_Piece]]]:
    """Tracked edits of a paragraph in the coordinates of its ``before`` text: consecutive changed
    pieces by one delegation form one edit (a deletion next to an insertion is a replacement)."""
    out: list[tuple[Edit, Attribution, list[_Piece]]] = []
    pos = 0
    run: list[_Piece] = []
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


def _kind(edit: Edit) -> str:
    if edit.deleted and edit.inserted:
        return "replace"
    return "delete" if edit.deleted else "insert"


def _footnote_text(draft: Draft, footnote_id: str) -> str:
    texts = [p.current for p in draft.paragraphs if p.story == "footnote" and p.story_id == footnote_id]
    return " ".join(t.strip() for t in texts if t.strip())


def _latest(revisions: Iterable[Revision | None]) -> str | None:
    dates = [r.date for r in revisions if r is not None and r.date]
    return max(dates) if dates else None


def _strip_label(text: str) -> tuple[str | None, str]:
    """A new paragraph's typed identifier ("PP3 bis") and its text without the label."""
    found = parse_label(text)
    if found is None:
        return None, text
    return found.id, text[found.body_start:]


def _read_submission(
    base_paras: list[_BasePara],
    base_index: BaseIndex,
    known: _Known,
    submission: Submission,
    registry: Registry,
    vocabulary: Vocabulary,
    stance_cache: dict[str, StanceReading],
) -> _Reading:
    reading = _Reading()
    draft = submission.draft
    attributor = Attributor(registry, submission.delegation)
    attribute = attributor.attribute
    paras = _submission_paragraphs(draft, known)
    by_physical = {p.index: k for k, para in enumerate(paras) for p in para.paragraphs}
    warnings: list[str] = []
    counts = Counter()

    # Paragraphs wholly inserted are new (or moved here); the others are aligned with the base.
    structural = {"structural", ""}
    candidates = [k for k, para in enumerate(paras) if not para.is_new]
    sub_items = [AlignItem(paras[k].first.id if paras[k].first.id_source not in structural else "",
                           (paras[k].before,)) for k in candidates]
    alignment = align(base_index, sub_items)
    matched = {candidates[s]: b for s, b in alignment.matched.items()}
    untracked_new = {candidates[s] for s in alignment.new}

    def add(b: int, raw: _Raw) -> None:
        reading.raws.setdefault(b, []).append(raw)
        counts["tracked" if raw.tracked else "untracked"] += 1

    # Anchors: the base paragraph each submission paragraph follows (for new paragraphs, moves).
    anchor_of: dict[int, int | None] = {}
    last: int | None = None
    for k in range(len(paras)):
        anchor_of[k] = last
        if k in matched and not paras[k].is_deleted:
            last = matched[k]

    # Moves: a wholly deleted paragraph and a wholly inserted one with the same text.
    deleted_ks = [k for k in matched if paras[k].is_deleted]
    new_ks = [k for k, para in enumerate(paras) if para.is_new or k in untracked_new]
    moved_pairs: dict[int, int] = {}
    for k in deleted_ks:
        names = {r.move_name for r in paras[k].new_revisions("del") if r.move_name}
        text = normalise(paras[k].before)
        for n in new_ks:
            if n in moved_pairs.values():
                continue
            same_name = names and names & {r.move_name for r in paras[n].new_revisions("ins") if r.move_name}
            if same_name or normalise(paras[n].after) == text:
                moved_pairs[k] = n
                break
    # A moved paragraph's place after the move: the base paragraph before its new position.
    moved_to_key = {}
    for k, n in moved_pairs.items():
        moved_to_key[k] = anchor_of[n]

    # Untracked moves: matched paragraphs out of base order.
    for s in alignment.moved:
        k = candidates[s]
        if not paras[k].is_deleted:
            moved_to_key[k] = anchor_of[k]

    # Older round: the text the delegate started from matches an earlier draft where the base has
    # changed since. Their own untracked edits are then read against that draft (the round's
    # differences are not theirs), and everything is placed on the current base.
    older = _older_round(paras, matched, base_paras)
    if older is not None:
        warnings.append(
            f"based on an older round: its text is that of {older[0]} in {older[1]} paragraph"
            f"{'s' if older[1] != 1 else ''} the current base has changed since; its changes are placed on the current base"
        )

    def reference(b: int) -> str:
        if older is not None:
            return next((t for name, t in base_paras[b].earlier if name == older[0]), base_paras[b].text)
        return base_paras[b].text

    untracked_paragraphs = 0
    for k, b in sorted(matched.items()):
        para = paras[k]
        base_text = base_paras[b].text
        file = submission.file
        if k in moved_to_key:
            revs = para.new_revisions("del") if k in moved_pairs else []
            who = attribute(revs[0].author) if revs else attributor.untracked()
            target = moved_to_key[k]
            add(b, _Raw("move", 0, "", "", who, bool(revs), Source(file, revs[0].id if revs else None),
                        _latest(revs), moved_to="" if target is None else str(target)))
            if k in moved_pairs:
                continue
        if para.is_deleted:
            revs = para.new_revisions("del")
            who = attribute(revs[0].author)
            if all(p.old_insert for p in para.pieces if p.state == "del"):
                _stance_on(reading.stances, b, "delete", True, "", base_text, who, Source(file, revs[0].id))
            else:
                add(b, _Raw("delete_paragraph", 0, base_text, "", who, True, Source(file, revs[0].id), _latest(revs)))
            continue
        before = para.before
        if before == base_text and len(para.pieces) == 1 and not any(p.revisions for p in para.paragraphs):
            continue  # untouched: most paragraphs of most submissions
        comparison = None if before == base_text else compare(base_text, before)
        # Tracked changes, moved into base coordinates through the comparison when texts differ.
        for edit, who, pieces in _edits_from_pieces(para.pieces, attribute):
            at = edit.at if comparison is None else comparison.old_offset(edit.at)
            revs = [p.rev for p in pieces if p.rev is not None]
            source = Source(file, revs[0].id if revs else None)
            footnotes = [p.footnote for p in pieces if p.footnote and p.state == "ins"]
            if footnotes:
                add(b, _Raw("footnote", at, "", _footnote_text(draft, footnotes[0]), who, True, source, _latest(revs)))
                continue
            if not edit.inserted.strip() and not edit.deleted.strip():
                continue
            if edit.deleted and not edit.inserted and all(p.old_insert for p in pieces if p.state == "del"):
                # Deleting what another delegation proposed in an earlier round is a stance on it.
                _stance_on(reading.stances, b, "delete", True, "", edit.deleted, who, source)
                continue
            if edit.inserted and not edit.deleted:
                bracketed = stance_in_brackets(edit.inserted, vocabulary)
                if bracketed is not None:
                    _stance_on(reading.stances, b, bracketed.stance, True, edit.inserted.strip(), "", who, source)
                    continue
            if comparison is not None:
                edit = Edit(at, base_text[at:at + len(edit.deleted)] if edit.deleted else "", edit.inserted)
            else:
                edit = Edit(at, edit.deleted, edit.inserted)
            edit = canonical(base_text, edit)
            add(b, _Raw(_kind(edit), edit.at, edit.deleted, edit.inserted, who, True, source, _latest(revs)))
        # Untracked edits: what differs between the text the delegate started from and the base
        # (or the older draft they worked on, the edits then placed on the base).
        reference_text = reference(b)
        if comparison is not None and before != reference_text:
            edits = compare(reference_text, before).edits()
            if reference_text != base_text:
                edits = _onto(base_text, reference_text, edits)
            if edits:
                untracked_paragraphs += 1
            for edit in edits:
                edit = canonical(base_text, edit)
                add(b, _Raw(_kind(edit), edit.at, edit.deleted, edit.inserted, attributor.untracked(), False,
                            Source(file, None)))
        counts["format"] += sum(
            1 for p in para.paragraphs for r in p.revisions if r.type in FORMAT_TYPES and not known.has_revision(r)
        )

    # Base paragraphs missing from the submission: deleted without Track Changes.
    for s in alignment.missing:
        if older is not None and not any(name == older[0] for name, _ in base_paras[s].earlier):
            continue  # added to the draft after the round the delegate worked on
        add(s, _Raw("delete_paragraph", 0, base_paras[s].text, "", attributor.untracked(), False,
                    Source(submission.file, None)))

    # New paragraphs, tracked or not (moves excluded), chained after the base paragraph before them.
    moved_here = set(moved_pairs.values())
    chain: dict[int | None, int] = {}
    previous: _NewPara | None = None
    new_of: dict[int, _NewPara] = {}
    for k, para in enumerate(paras):
        if k in moved_here or not (para.is_new or k in untracked_new):
            if k in matched:
                previous = None
            continue
        tracked = para.is_new
        revs = para.new_revisions("ins")
        who = attribute(revs[0].author) if revs else attributor.untracked()
        typed, text = _strip_label(para.after)
        anchor = anchor_of[k]
        chain[anchor] = chain.get(anchor, -1) + 1
        record = _NewPara(anchor, chain[anchor], text, typed, who, tracked,
                          Source(submission.file, revs[0].id if revs else None), _latest(revs),
                          previous_new=previous)
        reading.new.append(record)
        new_of[k] = record
        previous = record
        counts["tracked" if tracked else "untracked"] += 1

    # Comments: stances on the passage they cover, on a new paragraph, or on the whole draft.
    comments = {c.id: c for c in draft.comments}
    title_keys = {b for b, bp in enumerate(base_paras) if bp.paragraph.id == "title"}
    for comment in draft.comments:
        if known.has_comment(comment):
            continue
        who = attribute(comment.author)
        anchor_comment = comments.get(comment.parent) if comment.parent else None
        anchored = anchor_comment or comment
        if comment.text not in stance_cache:
            stance_cache[comment.text] = read_stance(comment.text, vocabulary)
        reading_ = stance_cache[comment.text]
        source = Source(submission.file, comment.id)
        ks = [by_physical[i] for i in anchored.paragraphs if i in by_physical]
        k = ks[0] if ks else None
        b = matched.get(k) if k is not None else None
        raw = _RawStance(reading_.stance, reading_.recognised, " ".join(comment.text.split()),
                         anchored.anchor, who, source)
        counts["comments"] += 1
        if reading_.scope == "draft" or (b is not None and b in title_keys) or k is None:
            raw.anchor = ""
            reading.draft_stances.append(raw)
        elif b is not None:
            if normalise(raw.anchor) == normalise(base_paras[b].text):
                raw.anchor = ""  # the whole paragraph
            reading.stances.setdefault(b, []).append(raw)
        elif k in new_of:
            new_of[k].stances.append(raw)
        else:
            reading.draft_stances.append(raw)

    # The summary a secretariat officer reads when the file arrives.
    if counts["untracked"]:
        n = counts["untracked"]
        warnings.append(f"{n} edit{'s were' if n != 1 else ' was'} made without Track Changes")
    if older is None and counts["tracked"] and untracked_paragraphs >= OLDER_ROUND_MIN_PARAGRAPHS:
        warnings.append(
            f"based on an older round: {untracked_paragraphs} paragraphs differ from the base without tracked "
            "changes; compared with the current base so nothing is lost"
        )
    if counts["format"]:
        n = counts["format"]
        warnings.append(f"{n} formatting change{'s' if n != 1 else ''} (not proposals)")
    warnings.extend(attributor.warnings)
    if not (counts["tracked"] or counts["untracked"] or counts["comments"] or counts["format"]):
        warnings.append("no changes and no comments found")
    reading.summary = SubmissionSummary(
        file=submission.file,
        delegation=submission.delegation,
        tracked=counts["untracked"] == 0,
        proposals=counts["tracked"] + counts["untracked"],
        warnings=warnings,
        arrived=submission.arrived,
    )
    return reading


def _older_round(paras: list[_Para], matched: dict[int, int], base_paras: list[_BasePara]) -> tuple[str, int] | None:
    """The earlier draft a submission was made on, and in how many paragraphs that shows, when
    its text matches that draft better than the current base; None otherwise."""
    names = list(dict.fromkeys(name for bp in base_paras for name, _ in bp.earlier))
    best = None
    for name in names:
        older = current = 0
        for k, b in matched.items():
            earlier = next((t for n, t in base_paras[b].earlier if n == name), None)
            if earlier is None:
                continue
            before, now, then = normalise(paras[k].before), normalise(base_paras[b].text), normalise(earlier)
            if now == then:
                continue
            older += before == then
            current += before == now
        if older > current and (best is None or older > best[1]):
            best = (name, older)
    return best


def _onto(base_text: str, reference_text: str, edits: list[Edit]) -> list[Edit]:
    """Edits made on an older text of a paragraph, placed on its current text."""
    mapping = compare(base_text, reference_text)
    placed = []
    for edit in edits:
        at = mapping.old_offset(edit.at)
        end = max(at, mapping.old_offset(edit.at + len(edit.deleted)))
        placed.append(Edit(at, base_text[at:end], edit.inserted))
    return [e for e in placed if normalise(e.deleted) != normalise(e.inserted)]


def _stance_on(target: dict[int, list[_RawStance]], b: int, stance: str, recognised: bool, text: str,
               anchor: str, who: Attribution, source: Source) -> None:
    target.setdefault(b, []).append(_RawStance(stance, recognised, text or stance, anchor, who, source))


# --------------------------------------------------------------------------- merging


def _key(raw: _Raw) -> tuple:
    return (raw.kind, raw.at, normalise(raw.deleted), normalise(raw.inserted), raw.moved_to)


def _merge_raws(raws: Sequence[_Raw]) -> list[tuple[Proposal, _Raw]]:
    """One proposal per distinct change; delegations in order of arrival (``raws`` are)."""
    merged: dict[tuple, tuple[Proposal, _Raw]] = {}
    for raw in raws:
        key = _key(raw)
        if key not in merged:
            merged[key] = (Proposal(kind=raw.kind, inserted=raw.inserted, deleted=raw.deleted, at=raw.at,
                                    tracked=raw.tracked, date=raw.date), raw)
        proposal = merged[key][0]
        for name in raw.attribution.delegations:
            if name not in proposal.delegations:
                proposal.delegations.append(name)
        if raw.source not in proposal.sources:
            proposal.sources.append(raw.source)
        proposal.tracked = proposal.tracked or raw.tracked
        if raw.date and (proposal.date is None or raw.date > proposal.date):
            proposal.date = raw.date
    return sorted(merged.values(), key=lambda pr: (pr[0].at, KIND_ORDER[pr[0].kind], normalise(pr[0].inserted),
                                                      normalise(pr[0].deleted), pr[1].moved_to or ""))


def _span(p: Proposal, length: int) -> tuple[int, int] | None:
    """The base range a proposal claims; None for moves (they do not compete with text edits)."""
    if p.kind == "move":
        return None
    if p.kind == "delete_paragraph":
        return (0, max(length, 1))
    return (p.at, p.at + len(p.deleted))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] and b[0] == b[1]:
        return a[0] == b[0]  # two different insertions at one point
    if a[0] == a[1]:
        return b[0] < a[0] < b[1]
    if b[0] == b[1]:
        return a[0] < b[0] < a[1]
    return max(a[0], b[0]) < min(a[1], b[1])


def _assign_groups(paragraph_id: str, proposals: list[Proposal], length: int) -> None:
    """Alternatives touching overlapping base text share a conflict group "PP2-1", numbered in
    order of their first proposal."""
    parent = list(range(len(proposals)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    spans = [_span(p, length) for p in proposals]
    placements = {"move", "delete_paragraph"}  # where the paragraph goes: one answer only
    for i in range(len(proposals)):
        for j in range(i + 1, len(proposals)):
            both = {proposals[i].kind, proposals[j].kind}
            if (spans[i] is not None and spans[j] is not None and _overlap(spans[i], spans[j])) or (
                "move" in both and both <= placements
            ):
                parent[find(i)] = find(j)
    sizes = Counter(find(i) for i in range(len(proposals)))
    names: dict[int, str] = {}
    for i, proposal in enumerate(proposals):
        root = find(i)
        if sizes[root] > 1:
            if root not in names:
                names[root] = f"{paragraph_id}-{len(names) + 1}"
            proposal.group = names[root]


def _merge_stances(raws: Sequence[_RawStance]) -> list[Stance]:
    merged: dict[tuple[str, str], Stance] = {}
    for raw in raws:
        key = (raw.stance if raw.recognised else normalise(raw.text), normalise(raw.anchor))
        if key not in merged:
            merged[key] = Stance(stance=raw.stance, text=raw.text, anchor=raw.anchor)
        stance = merged[key]
        for name in raw.attribution.delegations:
            if name not in stance.delegations:
                stance.delegations.append(name)
        if raw.source not in stance.sources:
            stance.sources.append(raw.source)
    return sorted(merged.values(), key=lambda s: (normalise(s.anchor), s.stance, s.text))


# --------------------------------------------------------------------------- new paragraph identifiers


def _alt_id(identifier: str, taken: set[str]) -> str:
    candidate, n = f"{identifier} alt", 1
    while candidate in taken:
        n += 1
        candidate = f"{identifier} alt {n}"
    return candidate


def _place_new(
    base_paras: list[_BasePara], readings: Sequence[_Reading], taken: set[str], warnings: list[str]
) -> dict[int | None, list[ParagraphProposals]]:
    """Merge identical new paragraphs and give each its identifier, grouped by the base paragraph
    they follow (None: before the first)."""
    groups: dict[tuple[int | None, str], list[_NewPara]] = {}
    for reading in readings:
        for record in reading.new:
            groups.setdefault((record.anchor, normalise(record.text)), []).append(record)
    by_anchor: dict[int | None, list[list[_NewPara]]] = {}
    for (anchor, _), records in groups.items():
        by_anchor.setdefault(anchor, []).append(records)

    placed: dict[int | None, list[ParagraphProposals]] = {}
    final_id: dict[int, str] = {}
    for anchor in sorted(by_anchor, key=lambda a: -1 if a is None else a):
        # Deterministic order: position in the delegates' runs, then typed identifier, then text.
        entries = sorted(by_anchor[anchor], key=lambda rs: (min(r.chain for r in rs),
                                                            next((r.typed_id for r in rs if r.typed_id), "~"),
                                                            normalise(rs[0].text)))
        previous = base_paras[anchor].paragraph.id if anchor is not None else ""
        anchor_id = previous
        out = []
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
                identifier = next_free_identifier(previous or "title", taken)
            taken.add(identifier)
            proposal = Proposal(kind="new_paragraph", inserted=records[0].text, at=0,
                                tracked=any(r.tracked for r in records),
                                date=max((r.date for r in records if r.date), default=None))
            stances: list[_RawStance] = []
            for r in records:
                for name in r.attribution.delegations:
                    if name not in proposal.delegations:
                        proposal.delegations.append(name)
                if r.source not in proposal.sources:
                    proposal.sources.append(r.source)
                stances.extend(r.stances)
                final_id[id(r)] = identifier
            first = records[0]
            after = final_id.get(id(first.previous_new)) if first.previous_new is not None else anchor_id
            out.append(ParagraphProposals(id=identifier, base_text="", new=True, after=after or None,
                                          proposals=[proposal], stances=_merge_stances(stances)))
            previous = identifier
        for entry in out:
            typed_base = entry.id.split(" alt")[0]
            if typed_base in typed_groups:
                entry.proposals[0].group = typed_groups[typed_base]
        placed[anchor] = out
    return placed


# --------------------------------------------------------------------------- the whole consolidation


def _base_paragraphs(base: Draft) -> list[_BasePara]:
    return [
        _BasePara(i, p, p.current)
        for i, p in enumerate(base.body())
        if p.current.strip() or p.original.strip()
    ]


def _align_items(base_paras: list[_BasePara], with_earlier: bool) -> list[AlignItem]:
    return [
        AlignItem(bp.paragraph.id if bp.paragraph.id_source not in ("structural", "") else "",
                  (bp.text, *(t for _, t in bp.earlier)) if with_earlier else (bp.text,))
        for bp in base_paras
    ]


def _with_earlier(base_paras: list[_BasePara], base: Draft, earlier: Sequence[Draft]) -> list[_BasePara]:
    """The base paragraphs with their texts in earlier drafts: the base's own original view (when
    it carries an earlier round's tracked changes) and each earlier base, aligned paragraph by
    paragraph."""
    versions: dict[int, list[tuple[str, str]]] = {b: [] for b in range(len(base_paras))}
    for b, bp in enumerate(base_paras):
        if bp.paragraph.original != bp.text:
            versions[b].append((f"{base.file} with its tracked changes rejected", bp.paragraph.original))
    if earlier:
        index = BaseIndex.of(_align_items(base_paras, with_earlier=False))
        for draft in earlier:
            body = [p for p in draft.body() if p.current.strip()]
            items = [AlignItem(p.id if p.id_source not in ("structural", "") else "", (p.current,)) for p in body]
            for s, b in align(index, items).matched.items():
                versions[b].append((draft.file, body[s].current))
    return [_BasePara(bp.index, bp.paragraph, bp.text, tuple(versions[b])) for b, bp in enumerate(base_paras)]


def consolidate(
    base: Draft,
    submissions: Sequence[Submission],
    registry: Registry,
    statuses: Mapping[str, str] | None = None,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    earlier: Sequence[Draft] = (),
) -> Consolidation:
    """Consolidate the submissions of a round against its base draft.

    Submissions are taken in order of arrival (``arrived``; ties and unknown times keep the given
    order), which is the order delegations are named in. Proposals in a paragraph are sorted by
    offset, kind and text, so the same inputs in any order give the same proposals. ``statuses``
    maps a paragraph identifier to the secretariat's status line. ``earlier`` are earlier rounds'
    base drafts: a submission made on one of them is recognised ("based on an older round") and
    only its own changes count.
    """
    known = _known_in(base)
    base_paras = _with_earlier(_base_paragraphs(base), base, earlier)
    ordered = sorted(submissions, key=lambda s: (s.arrived is None, s.arrived or ""))
    base_index = BaseIndex.of(_align_items(base_paras, with_earlier=True))
    stance_cache: dict[str, StanceReading] = {}
    readings = [_read_submission(base_paras, base_index, known, s, registry, vocabulary, stance_cache)
                for s in ordered]
    warnings: list[str] = []
    if not registry.delegations:
        warnings.append("no delegation registry given: authors are named as written in the files")

    taken = {bp.paragraph.id for bp in base_paras if bp.paragraph.id}
    new_placed = _place_new(base_paras, readings, taken, warnings)
    statuses = dict(statuses or {})

    paragraphs: list[ParagraphProposals] = []
    paragraphs.extend(new_placed.get(None, []))
    for b, bp in enumerate(base_paras):
        raws = [raw for reading in readings for raw in reading.raws.get(b, [])]
        merged = _merge_raws(raws)
        proposals = []
        for proposal, raw in merged:
            if raw.kind == "move":
                target = raw.moved_to
                proposal.moved_to = base_paras[int(target)].paragraph.id if target else "start"
            proposal.context_before = _context(bp.text, proposal.at)
            proposals.append(proposal)
        paragraph_id = bp.paragraph.id or f"P{bp.index}"
        _assign_groups(paragraph_id, proposals, len(bp.text))
        stances = _merge_stances([s for reading in readings for s in reading.stances.get(b, [])])
        paragraphs.append(ParagraphProposals(id=paragraph_id, base_text=bp.text, status=statuses.get(paragraph_id),
                                             proposals=proposals, stances=stances, base_index=bp.index))
        paragraphs.extend(new_placed.get(b, []))
    for p in paragraphs:
        if p.new and p.id in statuses:
            p.status = statuses[p.id]

    draft_stances = _merge_stances([s for reading in readings for s in reading.draft_stances])
    summaries = [reading.summary for reading in readings if reading.summary is not None]
    for summary in summaries:
        warnings.extend(f"{summary.file}: {w}" for w in summary.warnings)
    return Consolidation(base_file=base.file, submissions=summaries, paragraphs=paragraphs,
                         stances=draft_stances, warnings=warnings)


def _context(text: str, at: int, words: int = 4) -> str:
    """The few words before an offset, so a reader can find the place ("misuse and abuse")."""
    return " ".join(text[:at].split()[-words:])
