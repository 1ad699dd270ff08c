"""Values of a consolidation: proposals and stances per paragraph identifier.

Built by ``docxio.consolidation`` from a base draft and submissions; written by ``docxio.writer``;
serialised to the consolidation report by ``docxio.report``. No XML here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Proposal kinds, the stable names of the consolidation report.
PROPOSAL_KINDS = ("insert", "delete", "replace", "new_paragraph", "delete_paragraph", "move", "footnote")

#: Stances understood by default; the vocabulary is configurable (``docxio.stances``).
DEFAULT_STANCES = ("retain", "delete", "reservation", "flexible", "support", "oppose", "consult with capital")


@dataclass(frozen=True)
class Source:
    """Where a proposal was read: the submission file and the revision (or comment) id in it.
    ``revision_id`` is None for untracked edits found by comparison."""

    file: str
    revision_id: str | None = None


@dataclass
class Proposal:
    """One proposed change to one paragraph, with every delegation that made it.

    ``at`` is the character offset in the paragraph's ``base_text`` where the change applies;
    ``deleted`` is the base text it removes (``base_text[at:at+len(deleted)]``), ``inserted`` the
    text it adds. For ``new_paragraph`` ``inserted`` is the whole new paragraph text (without its
    identifier) and the paragraph entry itself is ``new``. ``delegations`` are in the order their
    submissions arrived. ``group`` names a conflict group ("PP1-1") shared by alternatives that
    touch overlapping text. ``tracked`` is False when the change was found by comparing texts
    (Track Changes was off). ``date`` is the latest revision date among the sources (ISO text).
    ``moved_to`` names the paragraph a ``move`` goes after.
    """

    kind: str
    inserted: str = ""
    deleted: str = ""
    at: int = 0
    context_before: str = ""
    delegations: list[str] = field(default_factory=list)
    tracked: bool = True
    group: str | None = None
    sources: list[Source] = field(default_factory=list)
    date: str | None = None
    moved_to: str | None = None
    #: Authors of changes no delegation could be found for (no registry entry, no sender): the
    #: proposal is kept and says whose it is as written in the file.
    unattributed: list[str] = field(default_factory=list)


@dataclass
class Stance:
    """A position on a passage, a paragraph or the whole draft, from a comment or a proposal.

    ``stance`` is a vocabulary word ("retain", "reservation"...) or free text; ``text`` the words of
    the comment; ``anchor`` the passage it is on ("" = the whole paragraph)."""

    stance: str
    text: str = ""
    anchor: str = ""
    delegations: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


@dataclass
class ParagraphProposals:
    """A paragraph of the consolidated draft: its identifier, base text and what was proposed.

    ``new`` is True for a paragraph proposed by delegations (``after`` names the paragraph it
    follows). ``status`` is the secretariat's status line ("agreed in informals") or None.
    ``base_index`` is the index of the base paragraph in the base draft's body (None when new).
    """

    id: str
    base_text: str
    new: bool = False
    after: str | None = None
    status: str | None = None
    proposals: list[Proposal] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    base_index: int | None = None


@dataclass
class SubmissionSummary:
    """What one submission contributed: its delegation, whether it used Track Changes, how many
    proposals were read from it, and warnings for a human ("2 edits made without Track Changes")."""

    file: str
    delegation: str | None
    tracked: bool
    proposals: int
    warnings: list[str] = field(default_factory=list)
    arrived: str | None = None
    #: How many paragraphs its proposals touch and how many comments it has: "Turkey — 13
    #: proposals in 8 paragraphs, 1 comment".
    paragraphs: int = 0
    comments: int = 0


@dataclass
class Consolidation:
    """The whole consolidation: base file, submissions, paragraphs in document order, and the
    stances on the whole draft ("Reservation on the resolution: EU")."""

    base_file: str
    submissions: list[SubmissionSummary]
    paragraphs: list[ParagraphProposals]
    stances: list[Stance] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def paragraph(self, paragraph_id: str) -> ParagraphProposals | None:
        """The paragraph with that identifier, or None."""
        return next((p for p in self.paragraphs if p.id == paragraph_id), None)
