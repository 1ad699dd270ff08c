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
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

from docxio.alignment import AlignItem, BaseIndex, align
from docxio.attribution import Attribution, Attributor
from docxio.delegations import Registry
from docxio.identifiers import next_free_identifier, parse_label
from docxio.model import Comment, Draft, Paragraph, Revision
from docxio.proposals import (
    Consolidation,
    ParagraphProposals,
    Proposal,
    Source,
    Stance,
    SubmissionSummary,
)
from docxio.stances import DEFAULT_VOCABULARY, StanceReading, Vocabulary, read_stance, stance_in_brackets
from docxio.wordiff import Comparison, Edit, canonical, compare, normalise

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


class _Piece(NamedTuple):
    """A span of a submission paragraph seen against the base: ``state`` is "keep" (in the text
    the delegate started from and still there), "ins" (new insertion), "del" (new deletion).
    A named tuple: one is made per paragraph of every submission, three times cheaper than a
    frozen dataclass."""

    text: str
    state: str
    rev: Revision | None
    footnote: str | None = None
    old_insert: bool = False  # text an earlier round inserted (deleting it is a stance)


class _Para:
    """A submission paragraph (physical paragraphs joined across new paragraph marks), with the
    text the delegate started from (``before``: earlier rounds accepted, new changes rejected)
    and the text they propose (``after``: every change accepted)."""

    __slots__ = ("paragraphs", "pieces", "before", "after", "is_new", "is_deleted", "splits", "plain")

    def __init__(self, paragraphs: list[Paragraph], pieces: list[_Piece],
                 splits: tuple[tuple[str, Revision], ...] = ()) -> None:
        self.paragraphs = paragraphs
        self.pieces = pieces
        #: New paragraph marks inside it: the text that would start the second part, and the mark.
        self.splits = splits
        #: One kept piece and no revision at all (not even formatting): nothing to propose unless
        #: its text differs from the base. Most paragraphs of most submissions.
        self.plain = False
        if len(pieces) == 1 and pieces[0].state == "keep":  # unchanged: most paragraphs
            self.before = self.after = pieces[0].text
            self.is_new = self.is_deleted = False
            self.plain = not splits and (not paragraphs[0].revisions if len(paragraphs) == 1
                                         else not any(p.revisions for p in paragraphs))
            return
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
    spans = paragraph.spans
    if not paragraph.revisions:
        if len(spans) == 1:  # one run of text, or several with the same formatting: most paragraphs
            span = spans[0]
            if span.inserted is None and span.deleted is None and span.footnote is None:
                return [_Piece(span.text, "keep", None)]
        elif all(s.inserted is None and s.deleted is None and s.footnote is None for s in spans):
            return [_Piece("".join(s.text for s in spans), "keep", None)]
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
            split = (current.after, pending.paragraphs[-1].mark_inserted)
            current = _Para([*pending.paragraphs, paragraph], [*pending.pieces, *current.pieces],
                            (*pending.splits, split))
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


def _edits_from_pieces(
    pieces: Sequence[_Piece], attribute: Callable[[str], Attribution]
) -> list[tuple[Edit, Attribution, list[_Piece]]]:
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


@dataclass
class _Context:
    """The round as every submission is read against it."""

    base_paras: list[_BasePara]
    base_index: BaseIndex
    known: _Known
    registry: Registry
    vocabulary: Vocabulary
    stance_cache: dict[str, StanceReading] = field(default_factory=dict)
    #: Facts of the round every submission's reading uses, found once rather than per submission:
    #: how many base paragraphs have text, and the names of the earlier drafts known.
    usable: int = field(init=False)
    earlier_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.usable = sum(1 for bp in self.base_paras if bp.text.strip())
        self.earlier_names = tuple(dict.fromkeys(name for bp in self.base_paras for name, _ in bp.earlier))

    def stance(self, text: str) -> StanceReading:
        """A comment's stance (many delegations write the same few words: read each once)."""
        if text not in self.stance_cache:
            self.stance_cache[text] = read_stance(text, self.vocabulary)
        return self.stance_cache[text]


class _SubmissionReader:
    """Reads one submission against the round: its proposals, new paragraphs, stances, summary.

    Paragraphs are numbered ``k`` on the submission side and ``b`` on the base side; ``matched``
    maps one to the other.
    """

    def __init__(self, context: _Context, submission: Submission) -> None:
        self.context = context
        self.submission = submission
        self.file = submission.file
        self.base_paras = context.base_paras
        # The submitting delegation: as given (command line, add-in account), else the sender's.
        self.delegation = submission.delegation or (
            context.registry.delegation_for_email(submission.sender) if submission.sender else None
        )
        self.attributor = Attributor(context.registry, self.delegation)
        self.paras = _submission_paragraphs(submission.draft, context.known)
        self.reading = _Reading()
        self.counts: Counter = Counter()
        self.warnings: list[str] = []
        self.untracked_paragraphs = 0
        self._align()

    # ----------------------------------------------------------------- structure

    def _align(self) -> None:
        """Match paragraphs with the base (wholly inserted ones are new or moved here, not
        aligned), then find anchors, moves and the older round the delegate may have worked on."""
        candidates = [k for k, para in enumerate(self.paras) if not para.is_new]
        items = [AlignItem(_aligned_id(self.paras[k].first), (self.paras[k].before,)) for k in candidates]
        alignment = align(self.context.base_index, items)
        self.matched = {candidates[s]: b for s, b in alignment.matched.items()}
        self.untracked_new = {candidates[s] for s in alignment.new}
        self.missing = alignment.missing
        self.anchor_of = self._anchors()
        self.moved_pairs = self._tracked_moves()
        self.moved_to = {k: self.anchor_of[n] for k, n in self.moved_pairs.items()}
        for s in alignment.moved:  # untracked moves: matched paragraphs out of base order
            if not self.paras[candidates[s]].is_deleted:
                self.moved_to[candidates[s]] = self.anchor_of[candidates[s]]
        self.older = _older_round(self.paras, self.matched, self.base_paras, self.context.earlier_names)

    def _anchors(self) -> dict[int, int | None]:
        """For each submission paragraph, the base paragraph before it (None: at the start)."""
        anchors: dict[int, int | None] = {}
        last: int | None = None
        for k in range(len(self.paras)):
            anchors[k] = last
            if k in self.matched and not self.paras[k].is_deleted:
                last = self.matched[k]
        return anchors

    def _tracked_moves(self) -> dict[int, int]:
        """Wholly deleted paragraphs paired with the wholly inserted paragraph that is the same
        text (Word's moveFrom/moveTo pair by name; a delete + insert pair by text)."""
        new_ks = [k for k, para in enumerate(self.paras) if para.is_new or k in self.untracked_new]
        pairs: dict[int, int] = {}
        for k in (k for k in self.matched if self.paras[k].is_deleted):
            names = {r.move_name for r in self.paras[k].new_revisions("del") if r.move_name}
            text = normalise(self.paras[k].before)
            for n in new_ks:
                if n in pairs.values():
                    continue
                to_names = {r.move_name for r in self.paras[n].new_revisions("ins") if r.move_name}
                if (names & to_names) or normalise(self.paras[n].after) == text:
                    pairs[k] = n
                    break
        return pairs

    def reference(self, b: int) -> str:
        """The text a base paragraph had where the delegate worked: the older round's, if any."""
        if self.older is not None:
            return next((t for name, t in self.base_paras[b].earlier if name == self.older[0]), self.base_paras[b].text)
        return self.base_paras[b].text

    # ----------------------------------------------------------------- reading

    def read(self) -> _Reading:
        """Everything the submission contributes, and its summary."""
        if self.older is not None:
            name, n = self.older
            self.warnings.append(
                f"based on an older round: its text is that of {name} in {n} paragraph{'s' if n != 1 else ''} "
                "the current base has changed since; its changes are placed on the current base"
            )
        paras, base_paras, moved_to = self.paras, self.base_paras, self.moved_to
        for k, b in sorted(self.matched.items()):
            para = paras[k]
            if para.plain and para.before == base_paras[b].text and k not in moved_to:
                continue  # untouched, in place: most paragraphs of most submissions
            self._paragraph(k, b)
        self._missing_paragraphs()
        new_of = self._new_paragraphs()
        self._comments(new_of)
        self.reading.summary = self._summary()
        return self.reading

    def _add(self, b: int, raw: _Raw) -> None:
        self.reading.raws.setdefault(b, []).append(raw)
        self.counts["tracked" if raw.tracked else "untracked"] += 1

    def _stance(self, b: int, stance: str, text: str, anchor: str, who: Attribution, source: Source) -> None:
        """A stance read from the changes themselves (not from a comment)."""
        self.reading.stances.setdefault(b, []).append(_RawStance(stance, True, text or stance, anchor, who, source))
        self.counts["stances"] += 1

    def _paragraph(self, k: int, b: int) -> None:
        """The proposals of one matched paragraph: move, deletion, or tracked and untracked edits."""
        para, base_text = self.paras[k], self.base_paras[b].text
        if k in self.moved_to:
            revs = para.new_revisions("del") if k in self.moved_pairs else []
            who = self.attributor.attribute(revs[0].author) if revs else self.attributor.untracked()
            target = self.moved_to[k]
            self._add(b, _Raw("move", 0, "", "", who, bool(revs), Source(self.file, revs[0].id if revs else None),
                              _latest(revs), moved_to="" if target is None else str(target)))
            if k in self.moved_pairs:
                return
        if para.is_deleted:
            revs = para.new_revisions("del")
            who, source = self.attributor.attribute(revs[0].author), Source(self.file, revs[0].id)
            if all(p.old_insert for p in para.pieces if p.state == "del"):
                self._stance(b, "delete", "", base_text, who, source)  # an earlier round's paragraph
            else:
                self._add(b, _Raw("delete_paragraph", 0, base_text, "", who, True, source, _latest(revs)))
            return
        self._splits_and_joins(k, b)
        if para.before == base_text and len(para.pieces) == 1 and not any(p.revisions for p in para.paragraphs):
            return  # untouched: most paragraphs of most submissions
        comparison = None if para.before == base_text else compare(base_text, para.before)
        self._tracked_edits(para, b, comparison)
        if comparison is not None:
            self._untracked_edits(para, b)
        self.counts["format"] += sum(
            1 for p in para.paragraphs for r in p.revisions
            if r.type in FORMAT_TYPES and not self.context.known.has_revision(r)
        )

    def _splits_and_joins(self, k: int, b: int) -> None:
        """A new paragraph mark inside a paragraph (a split) or a deleted one at its end (a join
        with the next) is not a text proposal: it is kept as the delegation's stance on the
        paragraph, as a secretariat writes it ("Egypt: split PP1 before 'and noting'")."""
        para, paragraph_id = self.paras[k], self.base_paras[b].paragraph.id
        for tail, mark in para.splits:
            words = " ".join(tail.split()[:4])
            self._stance(b, f"split {paragraph_id} before \u201c{words}\u201d", "", "",
                         self.attributor.attribute(mark.author), Source(self.file, mark.id))
        mark = para.paragraphs[-1].mark_deleted
        following = self.paras[k + 1] if k + 1 < len(self.paras) else None
        if mark is None or self.context.known.has_revision(mark) or following is None or following.is_deleted:
            return
        next_b = self.matched.get(k + 1)
        joined = self.base_paras[next_b].paragraph.id if next_b is not None else "the next paragraph"
        self._stance(b, f"join {paragraph_id} with {joined}", "", "", self.attributor.attribute(mark.author),
                     Source(self.file, mark.id))

    def _tracked_edits(self, para: _Para, b: int, comparison: Comparison | None) -> None:
        """Tracked changes, placed in base coordinates through the comparison when texts differ."""
        base_text = self.base_paras[b].text
        for edit, who, pieces in _edits_from_pieces(para.pieces, self.attributor.attribute):
            at = edit.at if comparison is None else comparison.old_offset(edit.at)
            revs = [p.rev for p in pieces if p.rev is not None]
            source = Source(self.file, revs[0].id if revs else None)
            footnotes = [p.footnote for p in pieces if p.footnote and p.state == "ins"]
            if footnotes:
                text = _footnote_text(self.submission.draft, footnotes[0])
                self._add(b, _Raw("footnote", at, "", text, who, True, source, _latest(revs)))
                continue
            if not edit.inserted.strip() and not edit.deleted.strip():
                continue
            if edit.deleted and not edit.inserted and all(p.old_insert for p in pieces if p.state == "del"):
                # Deleting what another delegation proposed in an earlier round is a stance on it.
                self._stance(b, "delete", "", edit.deleted, who, source)
                continue
            if edit.inserted and not edit.deleted:
                bracketed = stance_in_brackets(edit.inserted, self.context.vocabulary)
                if bracketed is not None:  # "(retain)" typed into the text
                    self._stance(b, bracketed.stance, edit.inserted.strip(), "", who, source)
                    continue
            deleted = edit.deleted if comparison is None else base_text[at:at + len(edit.deleted)]
            edit = canonical(base_text, Edit(at, deleted, edit.inserted))
            self._add(b, _Raw(_kind(edit), edit.at, edit.deleted, edit.inserted, who, True, source, _latest(revs)))

    def _untracked_edits(self, para: _Para, b: int) -> None:
        """What differs between the text the delegate started from and the base (or the older
        draft they worked on, the edits then placed on the base)."""
        base_text, reference_text = self.base_paras[b].text, self.reference(b)
        if para.before == reference_text:
            return
        edits = compare(reference_text, para.before).edits()
        if reference_text != base_text:
            edits = _onto(base_text, reference_text, edits)
        if edits:
            self.untracked_paragraphs += 1
        for edit in edits:
            edit = canonical(base_text, edit)
            self._add(b, _Raw(_kind(edit), edit.at, edit.deleted, edit.inserted, self.attributor.untracked(), False,
                              Source(self.file, None)))

    def _missing_paragraphs(self) -> None:
        """Base paragraphs the submission does not have: deleted without Track Changes (unless the
        paragraph came into the draft after the older round the delegate worked on)."""
        for b in self.missing:
            if not self.base_paras[b].text.strip():
                continue  # already deleted in the base (an earlier round's proposal): nothing to delete
            if self.older is not None and not any(name == self.older[0] for name, _ in self.base_paras[b].earlier):
                continue
            self._add(b, _Raw("delete_paragraph", 0, self.base_paras[b].text, "", self.attributor.untracked(), False,
                              Source(self.file, None)))

    def _new_paragraphs(self) -> dict[int, _NewPara]:
        """Paragraphs the submission adds, tracked or not (moves excluded), each chained after the
        base paragraph (or the new paragraph) before it."""
        moved_here = set(self.moved_pairs.values())
        chain: dict[int | None, int] = {}
        previous: _NewPara | None = None
        new_of: dict[int, _NewPara] = {}
        for k, para in enumerate(self.paras):
            if k in moved_here or not (para.is_new or k in self.untracked_new):
                if k in self.matched:
                    previous = None
                continue
            revs = para.new_revisions("ins")
            who = self.attributor.attribute(revs[0].author) if revs else self.attributor.untracked()
            typed, text = _strip_label(para.after)
            anchor = self.anchor_of[k]
            chain[anchor] = chain.get(anchor, -1) + 1
            record = _NewPara(anchor, chain[anchor], text, typed, who, para.is_new,
                              Source(self.file, revs[0].id if revs else None), _latest(revs), previous_new=previous)
            self.reading.new.append(record)
            new_of[k] = previous = record
            self.counts["tracked" if para.is_new else "untracked"] += 1
        return new_of

    def _comments(self, new_of: dict[int, _NewPara]) -> None:
        """Comments (and replies, on their parent's passage) as stances on a passage, a new
        paragraph, or the whole draft (a whole-draft wording, or a comment on the title)."""
        draft = self.submission.draft
        by_id = {c.id: c for c in draft.comments}
        by_physical = {p.index: k for k, para in enumerate(self.paras) for p in para.paragraphs}
        for comment in draft.comments:
            if self.context.known.has_comment(comment):
                continue
            self.counts["comments"] += 1
            anchored = by_id.get(comment.parent, comment) if comment.parent else comment
            reading = self.context.stance(comment.text)
            raw = _RawStance(reading.stance, reading.recognised, " ".join(comment.text.split()), anchored.anchor,
                             self.attributor.attribute(comment.author), Source(self.file, comment.id))
            ks = [by_physical[i] for i in anchored.paragraphs if i in by_physical]
            k = ks[0] if ks else None
            b = self.matched.get(k) if k is not None else None
            if reading.scope == "draft" or k is None or (b is not None and self.base_paras[b].paragraph.id == "title"):
                raw.anchor = ""
                self.reading.draft_stances.append(raw)
            elif b is not None:
                if normalise(raw.anchor) == normalise(self.base_paras[b].text):
                    raw.anchor = ""  # the whole paragraph
                self.reading.stances.setdefault(b, []).append(raw)
            elif k in new_of:
                new_of[k].stances.append(raw)
            else:
                self.reading.draft_stances.append(raw)

    def _summary(self) -> SubmissionSummary:
        """What the secretariat officer reads when the file arrives."""
        counts, warnings = self.counts, self.warnings
        if counts["untracked"]:
            n = counts["untracked"]
            warnings.append(f"{n} edit{'s were' if n != 1 else ' was'} made without Track Changes")
        if self.older is None and counts["tracked"] and self.untracked_paragraphs >= OLDER_ROUND_MIN_PARAGRAPHS:
            warnings.append(
                f"based on an older round: {self.untracked_paragraphs} paragraphs differ from the base without "
                "tracked changes; compared with the current base so nothing is lost"
            )
        usable = self.context.usable
        found = sum(1 for b in self.matched.values() if self.base_paras[b].text.strip())
        if usable >= 4 and found * 2 < usable:
            warnings.append(f"only {found} of the base draft's {usable} paragraphs were found in this file: "
                            "is it a markup of this draft?")
        if counts["format"]:
            n = counts["format"]
            warnings.append(f"{n} formatting change{'s' if n != 1 else ''} (not proposals)")
        warnings.extend(self.attributor.warnings)
        if not (counts["tracked"] or counts["untracked"] or counts["comments"] or counts["format"] or counts["stances"]):
            warnings.append("no changes and no comments found")
        touched = len(self.reading.raws) + len({(n.anchor, n.chain) for n in self.reading.new})
        return SubmissionSummary(file=self.file, delegation=self.delegation,
                                 tracked=counts["untracked"] == 0, proposals=counts["tracked"] + counts["untracked"],
                                 warnings=warnings, arrived=self.submission.arrived,
                                 paragraphs=touched, comments=counts["comments"])


def _aligned_id(paragraph: Paragraph) -> str:
    """The identifier alignment may trust: typed or numbered, not structural ("P7")."""
    return paragraph.id if paragraph.id_source not in ("structural", "") else ""


def _older_round(
    paras: list[_Para], matched: dict[int, int], base_paras: list[_BasePara], names: Sequence[str]
) -> tuple[str, int] | None:
    """The earlier draft a submission was made on, and in how many paragraphs that shows, when
    its text matches that draft better than the current base; None otherwise. ``names`` are the
    earlier drafts the base paragraphs know (``_Context.earlier_names``)."""
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
        if not raw.attribution.delegations and raw.attribution.author not in proposal.unattributed:
            proposal.unattributed.append(raw.attribution.author)
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
    stem = after.split(" new ")[0]
    n = 1
    while f"{stem} new {n}" in taken:
        n += 1
    return f"{stem} new {n}"


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
                identifier = _new_identifier(previous or "title", taken)
            taken.add(identifier)
            proposal = Proposal(kind="new_paragraph", inserted=records[0].text, at=0,
                                tracked=any(r.tracked for r in records),
                                date=max((r.date for r in records if r.date), default=None))
            stances: list[_RawStance] = []
            for r in records:
                for name in r.attribution.delegations:
                    if name not in proposal.delegations:
                        proposal.delegations.append(name)
                if not r.attribution.delegations and r.attribution.author not in proposal.unattributed:
                    proposal.unattributed.append(r.attribution.author)
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
    return [AlignItem(_aligned_id(bp.paragraph), (bp.text, *(t for _, t in bp.earlier)) if with_earlier else (bp.text,))
            for bp in base_paras]


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
            items = [AlignItem(_aligned_id(p), (p.current,)) for p in body]
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
    context = _Context(base_paras, base_index, known, registry, vocabulary)
    readings = [_SubmissionReader(context, s).read() for s in ordered]
    warnings: list[str] = []
    if not registry.delegations:
        warnings.append("no delegation registry given: authors are named as written in the files")

    taken = {bp.paragraph.id for bp in base_paras if bp.paragraph.id}
    new_placed = _place_new(base_paras, readings, taken, warnings)
    statuses = dict(statuses or {})

    # Each base paragraph's raw proposals and stances, submission by submission in order of
    # arrival: gathered in one pass over the readings (most submissions touch few paragraphs).
    raws_of: dict[int, list[_Raw]] = {}
    stances_of: dict[int, list[_RawStance]] = {}
    for reading in readings:
        for b, found in reading.raws.items():
            raws_of.setdefault(b, []).extend(found)
        for b, found_stances in reading.stances.items():
            stances_of.setdefault(b, []).extend(found_stances)

    paragraphs: list[ParagraphProposals] = []
    paragraphs.extend(new_placed.get(None, []))
    for b, bp in enumerate(base_paras):
        merged = _merge_raws(raws_of.get(b, []))
        proposals = []
        for proposal, raw in merged:
            if raw.kind == "move":
                target = raw.moved_to
                proposal.moved_to = base_paras[int(target)].paragraph.id if target else "start"
            proposal.context_before = _context(bp.text, proposal.at)
            proposals.append(proposal)
        paragraph_id = bp.paragraph.id or f"P{bp.index}"
        _assign_groups(paragraph_id, proposals, len(bp.text))
        stances = _merge_stances(stances_of.get(b, []))
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
