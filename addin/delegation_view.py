"""What one delegation did in a round ("what did Egypt propose or oppose?"), and where each
proposal came from (the provenance table).

Pure functions over the JSON the rest of the backend already stores: the consolidation report of
a merge (``docxio.report``), a submission's reading (``addin.intake``) and the submissions as
``addin.api.submission_json`` shows them. No Flask, no database: the page (``addin.secretariat``)
and the API (``addin.api``) decide who may see what and call these.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

#: A delegation's state in the round, in the officer's words.
NO_SUBMISSION = "no submission yet"
SUBMITTED = "submitted"
UNREADABLE = "latest file unreadable"
#: No file of its own, but its author name is on changes in a file nobody is credited with (a
#: joint submission, or one sent without saying whose it is).
CREDITED = "credited in a file it did not send"
#: Seen by another delegation after publication: only whether the merge holds a file of it.
MERGED = "in the consolidated draft"
NOT_MERGED = "nothing in the consolidated draft"

#: The provenance table's columns, in the order of the CSV.
PROVENANCE_COLUMNS = ("paragraph", "kind", "deleted", "inserted", "delegations", "source file", "revision id")


@dataclass(frozen=True)
class DelegationProposal:
    """One proposal a delegation made (alone or with ``others``) to paragraph ``paragraph``."""

    paragraph: str
    kind: str
    inserted: str
    deleted: str
    context_before: str
    group: str | None
    tracked: bool
    moved_to: str | None
    others: tuple[str, ...]


@dataclass(frozen=True)
class DelegationStance:
    """A position a delegation took ("retain", "reservation"...) on a paragraph, a passage of it
    (``anchor``) or, with ``paragraph`` None, the whole draft."""

    paragraph: str | None
    stance: str
    text: str
    anchor: str
    others: tuple[str, ...]


@dataclass(frozen=True)
class DelegationView:
    """A delegation in a round: its submissions (latest version last), state, proposals and stances
    in document order, the paragraphs they touch, and the warnings of its latest file."""

    name: str
    delegation_id: int | None
    status: str
    submissions: tuple[dict, ...]
    proposals: tuple[DelegationProposal, ...]
    stances: tuple[DelegationStance, ...]
    paragraphs: tuple[str, ...]
    warnings: tuple[str, ...]
    #: With status CREDITED: the files its proposals and stances were read from.
    credited_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProvenanceRow:
    """One line of the provenance table: a proposal as read from one source file and revision."""

    paragraph: str
    kind: str
    deleted: str
    inserted: str
    delegations: str
    file: str
    revision: str


def _paragraph_id(paragraph: dict) -> str:
    # The consolidation report says "id", a submission's reading says "paragraph".
    return paragraph.get("id") or paragraph.get("paragraph") or ""


def proposals_of(delegation: str, paragraphs: list[dict]) -> tuple[DelegationProposal, ...]:
    """The proposals ``delegation`` made, in document order, each with the other delegations that
    made the same one. ``paragraphs`` are report paragraphs or a reading's paragraphs."""
    return tuple(
        DelegationProposal(
            paragraph=_paragraph_id(p), kind=x["kind"], inserted=x.get("inserted", ""),
            deleted=x.get("deleted", ""), context_before=x.get("context_before", ""),
            group=x.get("group"), tracked=bool(x.get("tracked", True)), moved_to=x.get("moved_to"),
            others=tuple(d for d in x.get("delegations", []) if d != delegation))
        for p in paragraphs for x in p.get("proposals", []) if delegation in x.get("delegations", []))


def stances_of(delegation: str, paragraphs: list[dict], draft_stances: list[dict]) -> tuple[DelegationStance, ...]:
    """The stances ``delegation`` took: on the whole draft first, then paragraph by paragraph."""
    on_draft = [(None, s) for s in draft_stances]
    on_paragraphs = [(_paragraph_id(p), s) for p in paragraphs for s in p.get("stances", [])]
    return tuple(
        DelegationStance(paragraph=pid, stance=s.get("stance", ""), text=s.get("text", ""),
                         anchor=s.get("anchor", ""),
                         others=tuple(d for d in s.get("delegations", []) if d != delegation))
        for pid, s in on_draft + on_paragraphs if delegation in s.get("delegations", []))


def paragraphs_touched(proposals: tuple[DelegationProposal, ...],
                       stances: tuple[DelegationStance, ...]) -> tuple[str, ...]:
    """The paragraph identifiers a delegation's proposals and stances touch, once each, in the
    order met (document order). A proposal to move a paragraph touches where it goes as well."""
    seen: dict[str, None] = {}
    for x in proposals:
        seen[x.paragraph] = None
        if x.moved_to:
            seen[x.moved_to] = None
    for s in stances:
        if s.paragraph:
            seen[s.paragraph] = None
    return tuple(seen)


def credited_in(delegation: str, report: dict) -> tuple[str, ...]:
    """The files of a merge ``report`` credited to no delegation (joint or unattributed) that hold
    proposals or stances of ``delegation``, in order of arrival. Meant for a delegation that sent
    nothing itself: a proposal made identically by several delegations lists every file it was
    read from, so for one with a file of its own this could name a joint file it is not in."""
    anonymous = [s["file"] for s in report.get("submissions", []) if not s.get("delegation")]
    items = [x for p in report.get("paragraphs", []) for x in (*p.get("proposals", []), *p.get("stances", []))]
    items += report.get("stances", [])
    files = {src.get("file") for x in items if delegation in x.get("delegations", []) for src in x.get("sources", [])}
    return tuple(f for f in anonymous if f in files)


def _state(submissions: list[dict], credited: tuple[str, ...]) -> str:
    if not submissions:
        return CREDITED if credited else NO_SUBMISSION
    return UNREADABLE if submissions[-1].get("error") else SUBMITTED


def delegation_view(name: str, delegation_id: int | None, submissions: list[dict], paragraphs: list[dict],
                    draft_stances: list[dict], credited: tuple[str, ...] = ()) -> DelegationView:
    """One delegation's view from its submissions (``submission_json`` rows, oldest first) and the
    paragraphs to look in (a merge report's, or its own latest reading's); ``credited`` are the
    files it is credited in without having sent them (``credited_in``). The warnings are those of
    its latest version, with the reason when that file could not be read."""
    latest = submissions[-1] if submissions else None
    warnings = tuple(latest.get("warnings", [])) if latest else ()
    if latest and latest.get("error"):
        warnings = (f"{latest['filename']}: {latest['error']}",) + warnings
    proposals = proposals_of(name, paragraphs)
    stances = stances_of(name, paragraphs, draft_stances)
    credited = () if submissions else credited
    return DelegationView(name=name, delegation_id=delegation_id, status=_state(submissions, credited),
                          submissions=tuple(submissions), proposals=proposals, stances=stances,
                          paragraphs=paragraphs_touched(proposals, stances), warnings=warnings,
                          credited_in=credited)


def latest_versions(submissions: list[dict]) -> dict[str, list[dict]]:
    """Each delegation's submissions keeping only its latest version (and, when that one could
    not be read, the latest readable one before it, which is what a merge uses)."""
    per: dict[str, list[dict]] = {}
    for s in submissions:
        if s.get("delegation"):
            per.setdefault(s["delegation"], []).append(s)
    out = {}
    for name, rows in per.items():
        rows = sorted(rows, key=lambda s: s["version"])
        readable = [s for s in rows if not s.get("error")]
        kept = [readable[-1]] if readable else []
        if rows[-1] not in kept:
            kept.append(rows[-1])
        out[name] = kept
    return out


def round_views(delegations: list[tuple[int, str]], submissions: list[dict], report: dict) -> list[DelegationView]:
    """Every delegation of the negotiation (``(id, name)``, registry order) as the merge
    ``report`` shows it, those that sent nothing included; then any name the report credits that
    is not in the registry (an author or sender no registry entry matched)."""
    versions = latest_versions(submissions)
    paragraphs = report.get("paragraphs", [])
    draft_stances = report.get("stances", [])
    views = [delegation_view(name, did, versions.get(name, []), paragraphs, draft_stances, credited_in(name, report))
             for did, name in delegations]
    known = {name for _, name in delegations}
    credited = {d for p in paragraphs for x in (*p.get("proposals", []), *p.get("stances", []))
                for d in x.get("delegations", [])} | {d for s in draft_stances for d in s.get("delegations", [])}
    views += [delegation_view(name, None, versions.get(name, []), paragraphs, draft_stances, credited_in(name, report))
              for name in sorted(credited - known)]
    return views


def unattributed_files(submissions: list[dict]) -> list[dict]:
    """The readable submissions sent without naming a delegation (``submission_json`` rows): a
    joint file, or one whose changes are credited by their Word authors or to nobody."""
    return [s for s in submissions if not s.get("delegation") and not s.get("error")]


def provenance_rows(report: dict) -> list[ProvenanceRow]:
    """The provenance table of a merge report: a row per proposal and source (file and revision
    id; no revision id for an edit found by comparison), in document order."""
    rows = []
    for p in report.get("paragraphs", []):
        for x in p.get("proposals", []):
            common = dict(paragraph=p["id"], kind=x["kind"], deleted=x.get("deleted", ""),
                          inserted=x.get("inserted", ""), delegations="; ".join(x.get("delegations", [])))
            sources = x.get("sources") or [{"file": "", "revision": None}]
            rows += [ProvenanceRow(**common, file=s.get("file") or "", revision=s.get("revision") or "")
                     for s in sources]
    return rows


def _cell(text: str) -> str:
    # Delegates' text goes into a spreadsheet: a cell starting with = + - @ would be run as a
    # formula by Excel (CSV injection), so it gets a leading apostrophe, which Excel hides.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def provenance_csv(rows: list[ProvenanceRow]) -> str:
    """The provenance table as CSV text (header first, RFC 4180 quoting, formula-safe cells)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PROVENANCE_COLUMNS)
    for r in rows:
        writer.writerow([_cell(v) for v in (r.paragraph, r.kind, r.deleted, r.inserted, r.delegations,
                                            r.file, r.revision)])
    return out.getvalue()
