"""The secretariat's pages: negotiations, a round's submissions, merge, paragraphs, downloads.

Server-rendered (Jinja, Fabric Core CSS); the little JavaScript in static/secretariat/round.js
does the drag-and-drop upload, the merge progress bar and the status editing through the API,
and shows only the paragraphs of the delegation the officer picks (``addin.delegation_view``).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException

from addin import get_store
from addin.api import import_registry, import_stance_vocabulary, submission_json
from addin.auth import hash_token, login_required
from addin.config import public_url
from addin.delegation_view import round_views, unattributed_files
from addin.rounds import record_round_statuses
from addin.store import STATUS_CHOICES
from docxio.errors import DocxioError
from docxio.reader import read_draft

bp = Blueprint("secretariat", __name__)


def _store():
    return get_store()


@dataclass(frozen=True)
class Bar:
    """One bar of an SVG bar chart, positioned in chart units."""

    label: str
    value: int
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: bars, overall size, and the width of the label column."""

    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    row: int


def bar_chart(title: str, counts: list[tuple[str, int]], width: int = 560, row: int = 22) -> BarChart:
    """Lay out a horizontal bar chart of (label, count) pairs, largest bar = full width."""
    label_width = min(220, 8 * max((len(label) for label, _ in counts), default=4) + 12)
    top = max((v for _, v in counts), default=0) or 1
    room = width - label_width - 40
    bars = tuple(Bar(label, value, i * row, room * value / top) for i, (label, value) in enumerate(counts))
    return BarChart(title, bars, width, max(row * len(counts), row), label_width, row)


def contested(paragraphs: list[dict]) -> tuple[BarChart, BarChart]:
    """Where the negotiation is contested: proposals per paragraph (document order) and per
    delegation (most active first)."""
    per_paragraph = [(p["id"], len(p["proposals"])) for p in paragraphs if p["proposals"]]
    per_delegation: Counter[str] = Counter()
    for p in paragraphs:
        for proposal in p["proposals"]:
            per_delegation.update(proposal.get("delegations", []))
    return (bar_chart("Proposals per paragraph", per_paragraph),
            bar_chart("Proposals per delegation", per_delegation.most_common()))


def mark_superseded(submissions: list[dict]) -> list[dict]:
    """Mark each submission a later version of the same delegation replaces (kept, not merged)."""
    latest: dict[str, int] = {}
    for s in submissions:
        if s["delegation"] and s["error"] is None:
            latest[s["delegation"]] = max(latest.get(s["delegation"], 0), s["version"])
    return [dict(s, superseded_by=latest[s["delegation"]]
                 if s["delegation"] in latest and s["version"] < latest[s["delegation"]] else None)
            for s in submissions]


def not_found_page(heading: str, message: str) -> tuple[str, int]:
    """A Concord page saying, in words, what is not there and what to do (status 404), instead of
    the server's technical "Not Found" page."""
    return render_template("secretariat/not_found.html", heading=heading, message=message), 404


def submissions_address() -> str | None:
    """The address delegations e-mail their files to: the receipts' From address, else the
    submissions mailbox's login when it is an address; None when mail is not set up."""
    for key in ("SMTP_FROM", "IMAP_USER"):
        value = (current_app.config.get(key) or "").strip()
        if "@" in value:
            return value
    return None


def outdated_merge(submissions: list[dict], report: dict, paragraphs: list[dict],
                   statuses: dict[str, str]) -> list[str]:
    """What the downloads lack because it came after the last merge, in words for the officer:
    submissions that would be merged now but are not in the report (arrived or replaced since),
    and statuses set or changed since (the report holds the statuses it was written with). Empty
    when the consolidated draft is up to date or the round was never merged. ``submissions`` are
    ``mark_superseded`` rows; ``paragraphs`` give the document order of the identifiers."""
    if not report:
        return []
    merged = {(s.get("file"), _instant(s.get("arrived"))) for s in report.get("submissions", [])}
    waiting = [s for s in submissions if s["error"] is None and not s.get("superseded_by")
               and (s["filename"], _instant(s["received_at"])) not in merged]
    written = {p["id"]: p["status"] for p in report.get("paragraphs", []) if p.get("status")}
    order = {p["id"]: n for n, p in enumerate(paragraphs)}
    changed = sorted((pid for pid in set(written) | set(statuses) if written.get(pid) != statuses.get(pid)),
                     key=lambda pid: (order.get(pid, len(order)), pid))
    notes = []
    if waiting:
        files = ", ".join(s["filename"] for s in waiting)
        notes.append(f"{len(waiting)} submission{'s' if len(waiting) > 1 else ''} arrived or replaced since the "
                     f"last merge {'are' if len(waiting) > 1 else 'is'} not in the downloads yet ({files}).")
    if changed:
        notes.append(f"Statuses set since the last merge are not in the downloads yet ({', '.join(changed)}).")
    if notes:
        notes.append("Merge again before downloading or publishing.")
    return notes


def _instant(text: str | None) -> str:
    """An ISO time as UTC to the second, whatever its offset ("" when absent or unreadable)."""
    try:
        value = datetime.fromisoformat(text or "")
    except ValueError:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


@bp.get("/")
def index() -> ResponseReturnValue:
    """Home: the negotiations."""
    return redirect(url_for("secretariat.negotiations"))


@bp.route("/negotiations", methods=("GET", "POST"))
@login_required
def negotiations() -> ResponseReturnValue:
    """The list of negotiations and a form to start one."""
    store = _store()
    if request.method == "POST":
        title = request.form.get("title", "").strip()
        if not title:
            flash("A negotiation needs a title.")
        else:
            nid = store.create_negotiation(title, request.form.get("symbol", "").strip())
            return redirect(url_for("secretariat.negotiation", nid=nid))
    rows = [(n, store.rounds(n.id)) for n in store.negotiations()]
    return render_template("secretariat/negotiations.html", negotiations=rows)


@bp.get("/negotiations/<int:nid>")
@login_required
def negotiation(nid: int) -> ResponseReturnValue:
    """A negotiation: its rounds, its delegations, forms for a new round and the registry."""
    store = _store()
    row = store.negotiation(nid)
    if row is None:
        return not_found_page("No such negotiation", f"There is no negotiation {nid}: it may have been "
                              "mistyped in the address. The negotiations page lists them all.")
    return _negotiation_page(store, row)


def _negotiation_page(store, row, tokens: list | None = None) -> str:
    """The negotiation page; ``tokens`` are the invitation links just issued, shown this once."""
    return render_template("secretariat/negotiation.html", negotiation=row, rounds=store.rounds(row.id),
                           delegations=store.delegations(row.id), tokens=tokens,
                           vocabulary=store.stance_vocabulary(row.id))


def _uploaded_file(missing: str) -> FileStorage | None:
    """The form's uploaded `file`, or None after flashing ``missing`` (what to choose first)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(missing)
        return None
    return upload


@bp.post("/negotiations/<int:nid>/delegations")
@login_required
def import_delegations(nid: int) -> ResponseReturnValue:
    """Import the registry CSV from the page; shows the new invitation links once."""
    store = _store()
    row = store.negotiation(nid) or abort(404)
    upload = _uploaded_file("Choose the delegations CSV file first.")
    if upload is None:
        return redirect(url_for("secretariat.negotiation", nid=nid))
    try:
        imported = import_registry(store, nid, upload.read(), upload.filename)
    except HTTPException as exc:
        flash(exc.description)
        return redirect(url_for("secretariat.negotiation", nid=nid))
    base = public_url()
    tokens = [(store.delegation(did), token, base + url_for("secretariat.invitation", token=token))
              for did, token in imported]
    return _negotiation_page(store, row, tokens)


@bp.post("/negotiations/<int:nid>/stances")
@login_required
def import_stances(nid: int) -> ResponseReturnValue:
    """Upload the negotiation's own stance words (CSV stance,phrases) from the page."""
    store = _store()
    store.negotiation(nid) or abort(404)
    upload = _uploaded_file("Choose the stance words CSV file first.")
    if upload is None:
        return redirect(url_for("secretariat.negotiation", nid=nid))
    try:
        import_stance_vocabulary(store, nid, upload.read(), upload.filename)
    except HTTPException as exc:
        flash(exc.description)
    else:
        flash(f"Stance words of {upload.filename} are used for every reading and merge from now on.")
    return redirect(url_for("secretariat.negotiation", nid=nid))


@bp.post("/negotiations/<int:nid>/rounds")
@login_required
def new_round(nid: int) -> ResponseReturnValue:
    """Start the next round from an uploaded base draft."""
    store = _store()
    store.negotiation(nid) or abort(404)
    upload = _uploaded_file("Choose the base draft (.docx) first.")
    if upload is None:
        return redirect(url_for("secretariat.negotiation", nid=nid))
    data = upload.read()
    try:
        draft = read_draft(data, upload.filename)
    except DocxioError as exc:
        flash(f"The base draft cannot be used — {exc}")
        return redirect(url_for("secretariat.negotiation", nid=nid))
    rid = store.add_round(nid, upload.filename, data)
    # As through the API: a consolidated draft as base brings its status lines with it.
    record_round_statuses(store, store.round(rid), draft)
    return redirect(url_for("secretariat.round_page", rid=rid))


@bp.get("/rounds/<int:rid>")
@login_required
def round_page(rid: int) -> ResponseReturnValue:
    """A round: submissions, upload, merge, the contested picture, each delegation's proposals,
    paragraphs and downloads."""
    store = _store()
    row = store.round(rid)
    if row is None:
        return not_found_page("No such round", f"There is no round {rid}: it may have been mistyped in "
                              "the address. Each negotiation's page lists its rounds.")
    negotiation_row = store.negotiation(row.negotiation_id)
    delegations = store.delegations(row.negotiation_id)
    names = {d.id: d.name for d in delegations}
    submissions = mark_superseded([submission_json(s, names) for s in store.submissions(rid)])
    paragraphs = json.loads(row.paragraphs_json) if row.paragraphs_json else []
    report = json.loads(row.report_json) if row.report_json else {}
    statuses = store.statuses(rid)
    charts = contested(paragraphs) if paragraphs else None
    # Who did what, from the merge: every delegation of the registry, those that sent nothing too.
    views = round_views([(d.id, d.name) for d in delegations], submissions, report) if report else []
    return render_template(
        "secretariat/round.html", round=row, negotiation=negotiation_row, delegations=delegations,
        submissions=submissions, paragraphs=paragraphs, statuses=statuses, charts=charts, views=views,
        unattributed=unattributed_files(submissions),
        status_choices=STATUS_CHOICES, log=store.status_log(rid)[-20:],
        outdated=outdated_merge(submissions, report, paragraphs, statuses),
        draft_stances=report.get("stances", []), merge_warnings=report.get("warnings", []))


@bp.post("/rounds/<int:rid>/publish")
@login_required
def publish(rid: int) -> ResponseReturnValue:
    """Publish (or withdraw) the consolidated draft from the page."""
    store = _store()
    row = store.round(rid) or abort(404)
    if row.merged_at is None:
        flash("Merge the round before publishing it.")
    else:
        store.publish(rid, request.form.get("published", "1") == "1")
    return redirect(url_for("secretariat.round_page", rid=rid))


@bp.get("/invite/<token>")
def invitation(token: str) -> ResponseReturnValue:
    """A delegation's invitation: which negotiation, how to submit (add-in, e-mail, upload)."""
    store = _store()
    delegation = store.delegation_by_token_hash(hash_token(token))
    if delegation is None:
        return not_found_page(
            "This invitation link is not valid",
            "The link may be incomplete (copied over two lines in an e-mail) or replaced by a newer "
            "one. Ask the secretariat for your delegation's current invitation link.")
    negotiation_row = store.negotiation(delegation.negotiation_id)
    return render_template("secretariat/invitation.html", delegation=delegation,
                           negotiation=negotiation_row, token=token,
                           current=store.current_round(delegation.negotiation_id),
                           address=submissions_address())


#: The pages load nothing from elsewhere, run no inline script and cannot be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def page_headers(response: Response) -> Response:
    """Security headers on the secretariat's pages and the login page (the add-in's pages set
    their own: Word on the web shows them in a frame)."""
    if request.blueprint not in ("secretariat", "auth"):
        return response
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


bp.after_app_request(page_headers)


@bp.app_context_processor
def _page_globals() -> dict:
    return {"principal": g.get("principal")}
