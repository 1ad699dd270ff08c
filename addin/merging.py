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

from addin.store import Store

Progress = Callable[[int, str], None]

#: Who set a status that was read from the round's base draft (the status log names it).
FROM_BASE = "base draft"


def round_statuses(store: Store, round_row, base) -> dict[str, str]:
    """The statuses the round is consolidated with: those in the base draft's status lines
    ("[PP2 agreed in informals]", when the base is an earlier round's consolidated draft) are
    recorded as the round's statuses the first time (logged as set by the base draft), unless the
    secretariat has set that paragraph's status already; the secretariat's later changes win.
    Returns identifier → status, with "" for a status the secretariat cleared."""
    from docxio.compilation import statuses_of

    latest = {row.paragraph_id: row.status for row in store.status_log(round_row.id)}
    for paragraph_id, status in statuses_of(base).items():
        if paragraph_id not in latest:
            store.set_status(round_row.id, paragraph_id, status, FROM_BASE)
            latest[paragraph_id] = status
    return latest


def status_times(store: Store, round_id: int) -> dict[str, str]:
    """When the secretariat last set each paragraph's status for the round (ISO time): a
    submission arriving later that changes an agreed paragraph reopens it."""
    return {row.paragraph_id: row.changed_at.isoformat() for row in store.status_log(round_id)
            if row.changed_by != FROM_BASE and row.changed_at is not None}


def base_changes_of(round_row) -> str:
    """What the compilation rendering does with the base's tracked changes: from round 2 on, the
    base is an earlier round's consolidated draft and its changes are proposals to show with
    their authors; a round 1 base's own tracked edits are accepted."""
    return "show" if round_row.number > 1 else "accept"


def consolidate_round(store: Store, round_id: int, progress: Progress = lambda p, m: None):
    """The round's consolidation (``docxio.proposals.Consolidation``) from the latest readable
    submission of each delegation, in order of arrival, with the secretariat's statuses; a file
    marked up on an earlier round's base is recognised as such (``earlier_bases``)."""
    from addin.intake import _base_draft, earlier_bases, registry_of
    from docxio.consolidation import Submission, consolidate
    from docxio.reader import read_draft

    round_row = store.round(round_id)
    progress(2, "reading the base draft")
    base = _base_draft(round_row.base_sha256, round_row.base_docx, round_row.base_filename)
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
    return consolidate(base, submissions, registry_of(store, round_row.negotiation_id),
                       round_statuses(store, round_row, base), earlier=earlier_bases(store, round_row),
                       status_times=status_times(store, round_id))


def merge_round(store: Store, round_id: int, progress: Progress = lambda p, m: None) -> dict:
    """Merge the round now and store the report and both renderings; returns the report."""
    from docxio.report import report_json
    from docxio.writer import write_consolidated

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


def paragraph_view(consolidation) -> list[dict]:
    """Every paragraph of the consolidated draft for the page and the add-in: id, base text, new
    or not, proposals (with delegations and conflict group) and stances."""
    from addin.intake import _without_sources

    return [{
        "id": p.id, "base_text": p.base_text, "new": p.new, "after": p.after, "index": p.base_index,
        "proposals": [_without_sources(dataclasses.asdict(x)) for x in p.proposals],
        "stances": [_without_sources(dataclasses.asdict(x)) for x in p.stances],
    } for p in consolidation.paragraphs]


def start_merge(store: Store, round_id: int) -> str:
    """Start merging the round in a background thread; returns the job id to poll."""
    job_id = store.create_job(round_id)
    thread = threading.Thread(target=_run_job, args=(store, round_id, job_id),
                              name=f"merge-round-{round_id}", daemon=True)
    thread.start()
    return job_id


def _run_job(store: Store, round_id: int, job_id: str) -> None:
    from docxio.errors import DocxioError

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
