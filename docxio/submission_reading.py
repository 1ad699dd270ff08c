"""Reading one submission against the round: what it proposes, adds, deletes, moves and says.

For each submission (``SubmissionReader``):

1. its paragraphs as the delegate sees them (``docxio.submission_paragraphs``) are aligned with
   the base's (``docxio.alignment``): matched, new, missing (deleted without Track Changes), or
   moved; a submission made on an older round's draft is recognised (``docxio.earlier_rounds``);
2. each matched paragraph gives a move, a paragraph deletion, splits and joins (stances), tracked
   changes (``docxio.tracked_changes``) and untracked edits (``docxio.untracked_edits``);
3. new paragraphs are chained after the base paragraph (or new paragraph) before them;
4. comments become stances on a passage, a new paragraph or the whole draft (``docxio.stances``);
5. the summary counts it all (``docxio.submission_summary``).

Everything is attributed to delegations (``docxio.attribution``) and kept as a ``Contribution``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from docxio.alignment import AlignItem, BaseIndex, align
from docxio.attribution import Attribution, Attributor
from docxio.base_paragraphs import BaseParagraph, aligned_id
from docxio.contributions import Contribution, NewParagraph, RawProposal, RawStance, latest_date
from docxio.delegations import Registry
from docxio.earlier_rounds import KnownChanges, older_round
from docxio.new_paragraphs import typed_identifier
from docxio.proposals import Source, SubmissionSummary
from docxio.stances import StanceReading, Vocabulary, read_stance
from docxio.submission_paragraphs import SubmissionParagraph, UnchangedParagraphs, submission_paragraphs
from docxio.submission_summary import nothing_found, older_round_warning, summary_warnings
from docxio.tracked_changes import stance_from_change, tracked_proposals
from docxio.untracked_edits import untracked_proposals
from docxio.wordiff import Comparison, compare, normalise

if TYPE_CHECKING:  # the value is defined with ``consolidate``, its public home
    from docxio.consolidation import Submission

__all__ = ["FORMAT_TYPES", "RoundContext", "SubmissionReader"]

#: Revision types that change formatting only: reported, never proposals.
FORMAT_TYPES = {"format", "paragraph_format", "numbering", "section", "table"}


@dataclass
class RoundContext:
    """The round as every submission is read against it."""

    base_paras: list[BaseParagraph]
    base_index: BaseIndex
    known: KnownChanges
    registry: Registry
    vocabulary: Vocabulary
    stance_cache: dict[str, StanceReading] = field(default_factory=dict)
    #: Work on the paragraphs submissions share with each other unchanged, done once per round:
    #: their submission paragraphs, and (by the submission paragraph's identity, holding it so
    #: the key is not reused) what alignment knows them by.
    unchanged: UnchangedParagraphs = field(default_factory=UnchangedParagraphs)
    unchanged_items: dict[int, tuple[SubmissionParagraph, AlignItem]] = field(default_factory=dict)
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


class SubmissionReader:
    """Reads one submission against the round: its proposals, new paragraphs, stances, summary.

    Paragraphs are numbered ``k`` on the submission side and ``b`` on the base side; ``matched``
    maps one to the other.
    """

    def __init__(self, context: RoundContext, submission: Submission) -> None:
        self.context = context
        self.submission = submission
        self.file = submission.file
        self.base_paras = context.base_paras
        # The submitting delegation: as given (command line, add-in account), else the sender's.
        self.delegation = submission.delegation or (
            context.registry.delegation_for_email(submission.sender) if submission.sender else None
        )
        self.attributor = Attributor(context.registry, self.delegation)
        self.paras = submission_paragraphs(submission.draft, context.known, context.unchanged)
        self.contribution = Contribution()
        self.counts: Counter = Counter()
        self.warnings: list[str] = []
        self.untracked_paragraphs = 0
        self._align()

    # ----------------------------------------------------------------- structure

    def _align(self) -> None:
        """Match paragraphs with the base (wholly inserted ones are new or moved here, not
        aligned), then find anchors, moves and the older round the delegate may have worked on."""
        candidates = [k for k, para in enumerate(self.paras) if not para.is_new]
        items = [self._align_item(self.paras[k]) for k in candidates]
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
        self.older = older_round([para.before for para in self.paras], self.matched, self.base_paras,
                                 self.context.earlier_names)

    def _align_item(self, para: SubmissionParagraph) -> AlignItem:
        """What alignment knows ``para`` by; made once per round for a plain paragraph that
        submissions share (see ``RoundContext.unchanged``)."""
        if not para.plain:
            return AlignItem(aligned_id(para.first), (para.before,))
        shared = self.context.unchanged_items
        found = shared.get(id(para))
        if found is not None and found[0] is para:
            return found[1]
        item = AlignItem(aligned_id(para.first), (para.before,))
        shared[id(para)] = (para, item)
        return item

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

    def read(self) -> Contribution:
        """Everything the submission contributes, and its summary."""
        if self.older is not None:
            self.warnings.append(older_round_warning(*self.older))
        paras, base_paras, moved_to = self.paras, self.base_paras, self.moved_to
        for k, b in sorted(self.matched.items()):
            para = paras[k]
            if para.plain and para.before == base_paras[b].text and k not in moved_to:
                continue  # untouched, in place: most paragraphs of most submissions
            self._paragraph(k, b)
        self._missing_paragraphs()
        new_of = self._new_paragraphs()
        self._comments(new_of)
        self.contribution.summary = self._summary()
        return self.contribution

    def _add(self, b: int, raw: RawProposal) -> None:
        self.contribution.raws.setdefault(b, []).append(raw)
        self.counts["tracked" if raw.tracked else "untracked"] += 1

    def _add_stance(self, b: int, stance: RawStance) -> None:
        """A stance read from the changes themselves (not from a comment)."""
        self.contribution.stances.setdefault(b, []).append(stance)
        self.counts["stances"] += 1

    def _stance(self, b: int, stance: str, text: str, anchor: str, who: Attribution, source: Source) -> None:
        self._add_stance(b, stance_from_change(stance, text, anchor, who, source))

    def _paragraph(self, k: int, b: int) -> None:
        """The proposals of one matched paragraph: move, deletion, or tracked and untracked edits."""
        para, base_text = self.paras[k], self.base_paras[b].text
        if k in self.moved_to:
            revs = para.new_revisions("del") if k in self.moved_pairs else []
            who = self.attributor.attribute(revs[0].author) if revs else self.attributor.untracked()
            target = self.moved_to[k]
            self._add(b, RawProposal("move", 0, "", "", who, bool(revs), Source(self.file, revs[0].id if revs else None),
                                     latest_date(revs), moved_to="" if target is None else str(target)))
            if k in self.moved_pairs:
                return
        if para.is_deleted:
            revs = para.new_revisions("del")
            who, source = self.attributor.attribute(revs[0].author), Source(self.file, revs[0].id)
            if all(p.old_insert for p in para.pieces if p.state == "del"):
                self._stance(b, "delete", "", base_text, who, source)  # an earlier round's paragraph
            else:
                self._add(b, RawProposal("delete_paragraph", 0, base_text, "", who, True, source, latest_date(revs)))
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

    def _tracked_edits(self, para: SubmissionParagraph, b: int, comparison: Comparison | None) -> None:
        """Tracked changes, placed in base coordinates through the comparison when texts differ."""
        for found in tracked_proposals(para, self.base_paras[b].text, comparison, self.attributor.attribute,
                                       self.context.vocabulary, self.submission.draft, self.file):
            if isinstance(found, RawStance):
                self._add_stance(b, found)
            else:
                self._add(b, found)

    def _untracked_edits(self, para: SubmissionParagraph, b: int) -> None:
        """What differs between the text the delegate started from and the base (or the older
        draft they worked on, the edits then placed on the base)."""
        found = untracked_proposals(para.before, self.base_paras[b].text, self.reference(b),
                                    self.attributor.untracked, self.file)
        if found:
            self.untracked_paragraphs += 1
        for raw in found:
            self._add(b, raw)

    def _missing_paragraphs(self) -> None:
        """Base paragraphs the submission does not have: deleted without Track Changes (unless the
        paragraph came into the draft after the older round the delegate worked on)."""
        for b in self.missing:
            if not self.base_paras[b].text.strip():
                continue  # already deleted in the base (an earlier round's proposal): nothing to delete
            if self.older is not None and not any(name == self.older[0] for name, _ in self.base_paras[b].earlier):
                continue
            self._add(b, RawProposal("delete_paragraph", 0, self.base_paras[b].text, "", self.attributor.untracked(),
                                     False, Source(self.file, None)))

    def _new_paragraphs(self) -> dict[int, NewParagraph]:
        """Paragraphs the submission adds, tracked or not (moves excluded), each chained after the
        base paragraph (or the new paragraph) before it."""
        moved_here = set(self.moved_pairs.values())
        chain: dict[int | None, int] = {}
        previous: NewParagraph | None = None
        new_of: dict[int, NewParagraph] = {}
        for k, para in enumerate(self.paras):
            if k in moved_here or not (para.is_new or k in self.untracked_new):
                if k in self.matched:
                    previous = None
                continue
            revs = para.new_revisions("ins")
            who = self.attributor.attribute(revs[0].author) if revs else self.attributor.untracked()
            typed, text = typed_identifier(para.after)
            anchor = self.anchor_of[k]
            chain[anchor] = chain.get(anchor, -1) + 1
            record = NewParagraph(anchor, chain[anchor], text, typed, who, para.is_new,
                                  Source(self.file, revs[0].id if revs else None), latest_date(revs),
                                  previous_new=previous)
            self.contribution.new.append(record)
            new_of[k] = previous = record
            self.counts["tracked" if para.is_new else "untracked"] += 1
        return new_of

    def _comments(self, new_of: dict[int, NewParagraph]) -> None:
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
            raw = RawStance(reading.stance, reading.recognised, " ".join(comment.text.split()), anchored.anchor,
                            self.attributor.attribute(comment.author), Source(self.file, comment.id))
            ks = [by_physical[i] for i in anchored.paragraphs if i in by_physical]
            k = ks[0] if ks else None
            b = self.matched.get(k) if k is not None else None
            if reading.scope == "draft" or k is None or (b is not None and self.base_paras[b].paragraph.id == "title"):
                raw.anchor = ""
                self.contribution.draft_stances.append(raw)
            elif b is not None:
                if normalise(raw.anchor) == normalise(self.base_paras[b].text):
                    raw.anchor = ""  # the whole paragraph
                self.contribution.stances.setdefault(b, []).append(raw)
            elif k in new_of:
                new_of[k].stances.append(raw)
            else:
                self.contribution.draft_stances.append(raw)

    def _summary(self) -> SubmissionSummary:
        """What the secretariat officer reads when the file arrives."""
        counts, warnings = self.counts, self.warnings
        found = sum(1 for b in self.matched.values() if self.base_paras[b].text.strip())
        warnings.extend(summary_warnings(counts, self.older is not None, self.untracked_paragraphs,
                                         self.context.usable, found))
        warnings.extend(self.attributor.warnings)
        if nothing_found(counts):
            warnings.append("no changes and no comments found")
        touched = len(self.contribution.raws) + len({(n.anchor, n.chain) for n in self.contribution.new})
        return SubmissionSummary(file=self.file, delegation=self.delegation,
                                 tracked=counts["untracked"] == 0, proposals=counts["tracked"] + counts["untracked"],
                                 warnings=warnings, arrived=self.submission.arrived,
                                 paragraphs=touched, comments=counts["comments"])
