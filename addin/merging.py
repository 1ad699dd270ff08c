"""Merging a round: consolidate the latest submission of each delegation into one draft.

``start_merge`` runs the merge in a background thread and returns a job id whose progress (0-100)
the page polls; ``merge_round`` is the same work done in the caller's thread (``concord run``,
tests). The results — the consolidation report and both renderings of the consolidated draft —
are stored with the round.
"""
from __future__ import annotations

import dataclasses
import threading
from typing import Callable

from sqlalchemy.engine import Row

from addin.rounds import consolidate_in_round, round_base
from addin.store import Store
from docxio.consolidation import Submission
from docxio.errors import DocxioError
from docxio.proposals import Consolidation, ParagraphProposals
from docxio.reader import read_draft
from docxio.report import report_json
from docxio.writer import write_consolidated

Progress = Callable[[int, str], None]


def base_changes_of(round_row: Row) -> str:
    """What the compilation rendering does with the base's tracked changes: from round 2 on, the
    base is an earlier round's consolidated draft and its changes are proposals to show with
    their authors; a round 1 base's own tracked edits are accepted."""
    return "show" if round_row.number > 1 else "accept"


def consolidate_round(store: Store, round_id: int, progress: Progress = lambda p, m: None) -> Consolidation:
    """The round's consolidation from the latest readable submission of each delegation, in order
    of arrival, with the secretariat's statuses; a file marked up on an earlier round's base is
    recognised as such (``addin.rounds.earlier_bases``)."""
    round_row = store.round(round_id)
    progress(2, "reading the base draft")
    round_base(round_row)  # read (and cached) now, so the progress says what takes the time
    rows = store.latest_submissions(round_id)
    names = {d.id: d.name for d in store.delegations(round_row.negotiation_id)}
    submissions = []
    for done, row in enumerate(rows, 1):
        draft = read_draft(row.docx, row.filename)
        submissions.append(Submission(
            draft=draft, file=row.filename, delegation=names.get(row.delegation_id),
            arrived=row.received_at.isoformat() if row.received_at else None, sender=row.sender))
        progress(5 + int(55 * done / max(len(rows), 1)), f"read {done} of {len(rows)} submissions")
    progress(62, "consolidating proposals")
    return consolidate_in_round(store, round_row, submissions)


def merge_round(store: Store, round_id: int, progress: Progress = lambda p, m: None) -> dict:
    """Merge the round now and store the report and both renderings; returns the report."""
    consolidation = consolidate_round(store, round_id, progress)
    report = report_json(consolidation)
    round_row = store.round(round_id)
    base_docx = round_row.base_docx
    progress(75, "writing the compilation text")
    compilation = write_consolidated(base_docx, consolidation, mode="compilation",
                                     base_changes=base_changes_of(round_row))
    progress(88, "writing the tracked draft")
    tracked = write_consolidated(base_docx, consolidation, mode="tracked")
    progress(97, "saving")
    store.save_merge(round_id, report, compilation, tracked, paragraph_view(consolidation))
    return report


def paragraph_view(consolidation: Consolidation) -> list[dict]:
    """Every paragraph of the consolidated draft for the page and the add-in: id, base text, new
    or not, proposals (with delegations and conflict group) and stances."""
    return [{"id": p.id, "base_text": p.base_text, "new": p.new, "after": p.after, "index": p.base_index,
             **proposals_and_stances(p)} for p in consolidation.paragraphs]


def proposals_and_stances(paragraph: ParagraphProposals) -> dict[str, list[dict]]:
    """A paragraph's proposals and stances as the page, the add-in and a submission's reading
    show them: every field but ``sources`` (file names and revision ids stay with the report)."""
    return {"proposals": [without_sources(dataclasses.asdict(x)) for x in paragraph.proposals],
            "stances": [without_sources(dataclasses.asdict(x)) for x in paragraph.stances]}


def without_sources(value: dict) -> dict:
    """A proposal's or stance's fields (``dataclasses.asdict``) without its ``sources``."""
    value.pop("sources", None)
    return value


def start_merge(store: Store, round_id: int) -> str:
    """Start merging the round in a background thread; returns the job id to poll."""
    job_id = store.create_job(round_id)
    thread = threading.Thread(target=_run_job, args=(store, round_id, job_id),
                              name=f"merge-round-{round_id}", daemon=True)
    thread.start()
    return job_id


def _run_job(store: Store, round_id: int, job_id: str) -> None:
    def progress(percent: int, message: str) -> None:
        store.update_job(job_id, state="running", progress=percent, message=message)

    try:
        merge_round(store, round_id, progress)
    except DocxioError as exc:
        store.update_job(job_id, state="failed", message="merge failed", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a thread must report, not die silently
        store.update_job(job_id, state="failed", message="merge failed",
                         error=f"unexpected error: {type(exc).__name__}: {exc}")
    else:
        store.update_job(job_id, state="done", progress=100, message="merged")
