"""The REST API (JSON) the add-in, the page's scripts and other tools use; see /api/openapi.json.

Access rules, in one place (``_round_for``, ``_submission_for``, ``_may_see_consolidated``): the
secretariat sees everything; a delegation (invitation token) sees its negotiation's rounds, its own
submissions only (404 for anyone else's, before and after publication) and the consolidated
drafts once the secretariat has published them.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from urllib.parse import quote, unquote

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.engine import Row

from addin import get_store
from addin.auth import check_login, hash_token, new_token
from addin.config import public_url
from addin.delegation_view import (MERGED, NOT_MERGED, DelegationView, credited_in, delegation_view,
                                    latest_versions, provenance_csv, provenance_rows)
from addin.intake import receive
from addin.merging import start_merge
from addin.rounds import record_round_statuses, round_base, vocabulary_of
from addin.store import Store, sha256, utc
from docxio.compilation import draft_stance_line, status_line
from docxio.csv_text import decode_csv
from docxio.delegations import RegistryError, cell_items, parse_registry
from docxio.errors import DocxioError, UnsupportedFormatError
from docxio.reader import read_draft
from docxio.stances import VocabularyError, parse_vocabulary

bp = Blueprint("api", __name__, url_prefix="/api")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_STATUS_LENGTH = 300
MODES = ("compilation", "tracked")


# -- helpers ------------------------------------------------------------------------------------

def _store():
    return get_store()


def _caller():
    """The authenticated caller, or 401."""
    if g.get("principal") is None:
        abort(401, description="sign in, or send Authorization: Bearer <token>")
    return g.principal


def _secretariat():
    """The caller if it is the secretariat, else 401/403."""
    caller = _caller()
    if not caller.is_secretariat:
        abort(403, description="only the secretariat can do this")
    return caller


def _negotiation_for(nid: int):
    caller = _caller()
    row = _store().negotiation(nid)
    # A delegation cannot even learn that other negotiations exist.
    if row is None or (not caller.is_secretariat and caller.negotiation_id != nid):
        abort(404, description=f"no negotiation {nid}")
    return row


def _round_for(rid: int):
    caller = _caller()
    row = _store().round(rid)
    if row is None or (not caller.is_secretariat and caller.negotiation_id != row.negotiation_id):
        abort(404, description=f"no round {rid}")
    return row


def _submission_for(sid: int):
    caller = _caller()
    row = _store().submission(sid)
    # 404, not 403: another delegation's submission is not even acknowledged to exist.
    if row is None or (not caller.is_secretariat and row.delegation_id != caller.delegation_id):
        abort(404, description=f"no submission {sid}")
    return row


def _may_see_consolidated(round_row) -> bool:
    return _caller().is_secretariat or bool(round_row.published)


def _iso(value: datetime | None) -> str | None:
    return utc(value).isoformat() if value is not None else None


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="send a JSON object (Content-Type: application/json)")
    return data


def _uploaded_file(field: str = "file") -> tuple[bytes, str]:
    """(bytes, filename) of a multipart ``file`` or a raw body named by the X-Filename header."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get(field)
        if upload is None:
            abort(400, description=f"no file: send it as the multipart field '{field}'")
        return upload.read(), upload.filename or "upload.docx"
    if request.mimetype == "application/x-www-form-urlencoded":
        abort(400, description=f"no file: send it as the multipart field '{field}'")
    data = request.get_data(cache=False)
    if not data:
        abort(400, description=f"no file: send multipart field '{field}' or the bytes with an X-Filename header")
    # Percent-encoded, so a header can carry "Résolution révisée.docx" (headers are Latin-1).
    return data, unquote(request.headers.get("X-Filename") or "") or "upload.docx"


def negotiation_json(row: Row) -> dict:
    """A negotiation as the API shows it, with its rounds and current round id."""
    rounds = _store().rounds(row.id)
    return {"id": row.id, "title": row.title, "symbol": row.symbol, "created_at": _iso(row.created_at),
            "rounds": [round_summary(r) for r in rounds],
            "current_round": rounds[-1].id if rounds else None}


def round_summary(row: Row) -> dict:
    """A round without its documents."""
    return {"id": row.id, "negotiation": row.negotiation_id, "number": row.number,
            "base_filename": row.base_filename, "base_sha256": row.base_sha256,
            "created_at": _iso(row.created_at), "published": bool(row.published),
            "merged_at": _iso(row.merged_at)}


def submission_json(row: Row, names: dict[int, str] | None = None) -> dict:
    """A submission with its reading: delegation, tracked, proposals per paragraph, warnings."""
    store = _store()
    if names is None:
        d = store.delegation(row.delegation_id) if row.delegation_id else None
        names = {d.id: d.name} if d else {}
    reading = json.loads(row.reading_json) if row.reading_json else {}
    return {
        "id": row.id, "round": row.round_id, "delegation": names.get(row.delegation_id),
        "filename": row.filename, "kind": row.kind, "sha256": row.sha256, "channel": row.channel,
        "sender": row.sender, "subject": row.subject, "message_id": row.message_id,
        "received_at": _iso(row.received_at), "version": row.version,
        "tracked": reading.get("tracked"), "proposal_count": reading.get("proposal_count", 0),
        "proposals": reading.get("paragraphs", []), "stances": reading.get("stances", []),
        "warnings": reading.get("warnings", []), "error": row.error,
        "file_url": url_for("api.submission_file", sid=row.id),
    }


def _delegation_json(row, token: str | None = None) -> dict:
    out = {"id": row.id, "name": row.name, "aliases": list(cell_items(row.aliases)),
           "emails": list(cell_items(row.emails))}
    if token is not None:
        out["token"] = token
        out["invitation_url"] = public_url() + url_for("secretariat.invitation", token=token)
    return out


# -- who am I -----------------------------------------------------------------------------------

@bp.get("/me")
def me() -> ResponseReturnValue:
    """Who the token or session is: role, delegation, negotiation and its current round (the
    round's id, and as "round" its number and publication). For the secretariat, the negotiation
    is the latest one that has a round (none yet: null fields)."""
    caller = _caller()
    store = _store()
    out = {"role": caller.role, "name": caller.name, "delegation": None, "negotiation": None,
           "current_round": None, "round": None}
    if caller.is_secretariat:
        negotiation, current = _latest_negotiation_with_a_round(store)
    else:
        negotiation = store.negotiation(caller.negotiation_id)
        current = store.current_round(caller.negotiation_id)
        out["delegation"] = {"id": caller.delegation_id, "name": caller.name}
    if negotiation is not None:
        out["negotiation"] = {"id": negotiation.id, "title": negotiation.title, "symbol": negotiation.symbol}
    if current is not None:
        out.update(current_round=current.id, round=round_summary(current))
    return jsonify(out)


def _latest_negotiation_with_a_round(store):
    """(negotiation, its current round) for the most recently created negotiation that has a
    round — the one the secretariat is working on — or (None, None)."""
    for negotiation in store.negotiations():  # newest first
        current = store.current_round(negotiation.id)
        if current is not None:
            return negotiation, current
    return None, None


@bp.post("/tokens")
def create_token() -> ResponseReturnValue:
    """A new secretariat API token, given {"username", "password"} (shown once)."""
    body = _json_body()
    user = check_login(_store(), str(body.get("username", "")), str(body.get("password", "")))
    if user is None:
        abort(401, description="wrong user name or password")
    token = new_token()
    _store().add_api_token(user.id, hash_token(token))
    return jsonify(token=token), 201


# -- negotiations and delegations ---------------------------------------------------------------

@bp.get("/negotiations")
def list_negotiations() -> ResponseReturnValue:
    """Negotiations the caller can see (a delegation: its own)."""
    caller = _caller()
    rows = _store().negotiations()
    if not caller.is_secretariat:
        rows = [r for r in rows if r.id == caller.negotiation_id]
    return jsonify([negotiation_json(r) for r in rows])


@bp.post("/negotiations")
def create_negotiation() -> ResponseReturnValue:
    """Create a negotiation: {"title", "symbol"}."""
    _secretariat()
    body = _json_body()
    title = str(body.get("title", "")).strip()
    if not title:
        abort(422, description="a negotiation needs a title")
    nid = _store().create_negotiation(title, str(body.get("symbol", "")).strip())
    return jsonify(negotiation_json(_store().negotiation(nid))), 201


@bp.get("/negotiations/<int:nid>")
def get_negotiation(nid: int) -> ResponseReturnValue:
    """One negotiation with its rounds."""
    return jsonify(negotiation_json(_negotiation_for(nid)))


@bp.get("/negotiations/<int:nid>/delegations")
def list_delegations(nid: int) -> ResponseReturnValue:
    """The negotiation's delegations (secretariat only; tokens are never shown again)."""
    _secretariat()
    _negotiation_for(nid)
    return jsonify([_delegation_json(d) for d in _store().delegations(nid)])


@bp.post("/negotiations/<int:nid>/delegations")
def import_delegations(nid: int) -> ResponseReturnValue:
    """Import the registry CSV (delegation,aliases,emails) as a multipart `file` or a text/csv
    body; returns each delegation with its new invitation token, shown this once."""
    _secretariat()
    _negotiation_for(nid)
    data, filename = _uploaded_file()
    imported = import_registry(_store(), nid, data, filename)
    return jsonify([_delegation_json(_store().delegation(did), token) for did, token in imported]), 201


@bp.get("/negotiations/<int:nid>/stances")
def get_stance_vocabulary(nid: int) -> ResponseReturnValue:
    """The stance words comments are read with: each stance and its phrases (the defaults, plus
    those the secretariat uploaded)."""
    _secretariat()
    _negotiation_for(nid)
    return jsonify({"stances": [{"stance": word, "phrases": list(phrases)}
                                for word, phrases in vocabulary_of(_store(), nid).phrases.items()]})


@bp.put("/negotiations/<int:nid>/stances")
def put_stance_vocabulary(nid: int) -> ResponseReturnValue:
    """Upload the negotiation's own stance words: CSV `stance,phrases` (phrases `;`-separated),
    as a multipart `file` or a text/csv body; they are added to the default words and used by every
    reading and merge from then on."""
    _secretariat()
    _negotiation_for(nid)
    data, filename = _uploaded_file()
    import_stance_vocabulary(_store(), nid, data, filename)
    return get_stance_vocabulary(nid)


def import_stance_vocabulary(store: Store, nid: int, data: bytes, filename: str) -> None:
    """Keep a negotiation's stance words CSV once it reads; aborts 422 with the file's problem."""
    try:
        text = decode_csv(data, filename, "the stance vocabulary", VocabularyError)
        parse_vocabulary(text, filename)
    except DocxioError as exc:
        abort(422, description=str(exc))
    store.set_stance_vocabulary(nid, filename, text)


def import_registry(store: Store, nid: int, data: bytes, filename: str) -> list[tuple[int, str]]:
    """Add or update the delegations of a registry CSV, each with a new invitation token;
    returns (delegation id, token) pairs. Aborts 422 with the file's problem when unreadable."""
    try:
        registry = parse_registry(decode_csv(data, filename, "the delegation registry", RegistryError), filename)
    except DocxioError as exc:
        abort(422, description=str(exc))
    imported = []
    for d in registry.delegations:
        token = new_token()
        did = store.upsert_delegation(nid, d.name, ";".join(d.aliases), ";".join(d.emails), hash_token(token))
        imported.append((did, token))
    return imported


# -- rounds -------------------------------------------------------------------------------------

@bp.post("/negotiations/<int:nid>/rounds")
def create_round(nid: int) -> ResponseReturnValue:
    """Start the next round with its base draft (multipart `file`, a .docx)."""
    _secretariat()
    _negotiation_for(nid)
    data, filename = _uploaded_file()
    try:
        base = read_draft(data, filename)
    except UnsupportedFormatError as exc:
        abort(415, description=str(exc))
    except DocxioError as exc:
        abort(422, description=str(exc))
    rid = _store().add_round(nid, filename, data)
    row = _store().round(rid)
    # A base that is an earlier round's consolidated draft carries its status lines: they are the
    # new round's statuses from the start, visible before anything is read or merged.
    record_round_statuses(_store(), row, base)
    return jsonify(round_summary(row)), 201


@bp.get("/rounds/<int:rid>")
def get_round(rid: int) -> ResponseReturnValue:
    """A round: number, base draft, merged or not, published or not."""
    return jsonify(round_summary(_round_for(rid)))


@bp.get("/rounds/<int:rid>/paragraphs")
def round_paragraphs(rid: int) -> ResponseReturnValue:
    """Each paragraph of the base draft (id, base_text), with the proposals and stances the
    caller may see: a delegation's own so far; after a merge, everyone's for the secretariat or
    once published."""
    caller = _caller()
    row = _round_for(rid)
    store = _store()
    base = round_base(row)
    statuses = store.statuses(rid)
    merged = json.loads(row.paragraphs_json) if row.paragraphs_json else None
    everyone = merged is not None and _may_see_consolidated(row)
    own: dict[str, dict] = {}
    if not caller.is_secretariat:
        # The latest readable version counts, as in the merge; earlier ones are kept, not shown.
        readable = [s for s in store.submissions(rid, caller.delegation_id) if s.reading_json and s.error is None]
        if readable:
            for p in json.loads(readable[-1].reading_json).get("paragraphs", []):
                own[p["paragraph"]] = p
    if everyone:
        return jsonify({"round": rid, "merged": True, "paragraphs": [
            dict(p, status=statuses.get(p["id"])) for p in merged]})
    paragraphs = [{"id": p.id, "base_text": p.original, "index": p.index, "status": statuses.get(p.id),
                   "proposals": own.get(p.id, {}).get("proposals", []),
                   "stances": own.get(p.id, {}).get("stances", [])}
                  for p in base.body() if p.original.strip() and not _is_note_line(p.original)]
    return jsonify({"round": rid, "merged": False, "paragraphs": paragraphs})


def _is_note_line(text: str) -> bool:
    """A status line ("[PP2 agreed in informals]") or whole-draft stance line of a compilation
    base: a note of the secretariat's, not a paragraph delegates propose changes to."""
    return status_line(text) is not None or bool(draft_stance_line(text))


@bp.put("/rounds/<int:rid>/paragraphs/<pid>/status")
def set_status(rid: int, pid: str) -> ResponseReturnValue:
    """Set a paragraph's status {"status": "agreed in informals" | "agreed ad ref" | "pending" |
    free text | ""} — logged with who and when."""
    caller = _secretariat()
    _round_for(rid)
    status = _json_body().get("status")
    if not isinstance(status, str) or len(status) > MAX_STATUS_LENGTH:
        abort(422, description=f"status must be text of at most {MAX_STATUS_LENGTH} characters")
    _store().set_status(rid, pid, status.strip(), caller.name)
    return jsonify({"round": rid, "paragraph": pid, "status": status.strip() or None})


@bp.post("/rounds/<int:rid>/publish")
def publish(rid: int) -> ResponseReturnValue:
    """Publish the merged round's consolidated draft to the delegations ({"published": false} hides it)."""
    _secretariat()
    row = _round_for(rid)
    if row.merged_at is None:
        abort(409, description="merge the round before publishing it")
    body = request.get_json(silent=True) or {}
    _store().publish(rid, bool(body.get("published", True)) if isinstance(body, dict) else True)
    return jsonify(round_summary(_store().round(rid)))


# -- submissions --------------------------------------------------------------------------------

@bp.post("/rounds/<int:rid>/submissions")
def create_submission(rid: int) -> ResponseReturnValue:
    """Submit a file (multipart `file`, or the raw bytes with X-Filename, percent-encoded). A
    delegation token submits for its delegation; the secretariat may name one (`delegation` field
    or query). 201 with the reading; 415/422 with the error (the file is kept); an X-Message-ID
    header makes a retry idempotent (200 with the submission already stored)."""
    caller = _caller()
    row = _round_for(rid)
    store = _store()
    if caller.is_secretariat:
        delegation_id = None
        named = request.values.get("delegation") or request.headers.get("X-Delegation")
        if named:
            found = store.delegation_by_name(row.negotiation_id, named.strip())
            if found is None:
                abort(422, description=f"no delegation {named!r} in this negotiation")
            delegation_id = found.id
        channel = "upload" if caller.via == "session" else "api"
    else:
        delegation_id = caller.delegation_id
        channel = "addin" if request.headers.get("X-Concord-Client") == "addin" else "api"
    data, filename = _uploaded_file()
    digest = sha256(data)
    known = store.submission_ids_with_sha256(row.negotiation_id, digest)
    submission = receive(store, rid, data, filename, channel, delegation_id=delegation_id,
                         message_id=request.headers.get("X-Message-ID") or None)
    # receive gives back the first copy when the same message (Message-ID) was stored before.
    is_new = submission.sha256 == digest and submission.id not in known
    if not is_new and not caller.is_secretariat and submission.delegation_id != caller.delegation_id:
        # Someone else's copy of the same message: say so, without showing it.
        abort(409, description=f"{filename}: this message was already received by the secretariat")
    body = submission_json(submission)
    if not is_new:
        return jsonify(body), 200
    if submission.error is not None:
        unsupported = json.loads(submission.reading_json or "{}").get("unsupported")
        code = 415 if unsupported else 422
        response = jsonify(error="unsupported_media_type" if unsupported else "unprocessable_entity",
                           message=f"{filename}: {submission.error}", submission=body)
        return response, code
    return jsonify(body), 201


@bp.get("/rounds/<int:rid>/submissions")
def list_submissions(rid: int) -> ResponseReturnValue:
    """The round's submissions with their readings (a delegation sees only its own)."""
    caller = _caller()
    row = _round_for(rid)
    store = _store()
    names = {d.id: d.name for d in store.delegations(row.negotiation_id)}
    rows = store.submissions(rid, None if caller.is_secretariat else caller.delegation_id)
    return jsonify([submission_json(s, names) for s in rows])


@bp.get("/submissions/<int:sid>")
def get_submission(sid: int) -> ResponseReturnValue:
    """One submission with its reading."""
    return jsonify(submission_json(_submission_for(sid)))


@bp.get("/submissions/<int:sid>/file")
def submission_file(sid: int) -> ResponseReturnValue:
    """The exact bytes that were submitted."""
    row = _submission_for(sid)
    mimetype = DOCX_MIME if row.kind == "docx" else "application/octet-stream"
    return _download(row.content, row.filename, mimetype)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# -- merging and results ------------------------------------------------------------------------

@bp.post("/rounds/<int:rid>/merge")
def merge(rid: int) -> ResponseReturnValue:
    """Start merging the round in the background → 202 {"job": id}; poll /api/jobs/<id>."""
    _secretariat()
    _round_for(rid)
    running = _store().active_job(rid)
    if running is not None:
        response = jsonify(error="conflict", message="this round is already being merged",
                           job=running.id, url=url_for("api.get_job", jid=running.id))
        return response, 409
    job = start_merge(_store(), rid)
    return jsonify(job=job, url=url_for("api.get_job", jid=job)), 202


@bp.get("/jobs/<jid>")
def get_job(jid: str) -> ResponseReturnValue:
    """A merge job: state (queued, running, done, failed), progress 0-100, message, error."""
    _secretariat()
    row = _store().job(jid)
    if row is None:
        abort(404, description=f"no job {jid}")
    return jsonify(job=row.id, round=row.round_id, state=row.state, progress=row.progress,
                   message=row.message, error=row.error)


def _merged_round(rid: int):
    row = _round_for(rid)
    if not _may_see_consolidated(row):
        abort(403, description="the consolidated draft of this round is not published yet")
    if row.merged_at is None:
        abort(409, description="this round has not been merged yet")
    return row


@bp.get("/rounds/<int:rid>/report")
def report(rid: int) -> ResponseReturnValue:
    """The consolidation report of the last merge (JSON)."""
    row = _merged_round(rid)
    return Response(row.report_json, mimetype="application/json")


@bp.get("/rounds/<int:rid>/consolidated")
def consolidated(rid: int) -> ResponseReturnValue:
    """The consolidated draft (.docx): ?mode=compilation (default) or tracked."""
    row = _merged_round(rid)
    mode = request.args.get("mode", "compilation")
    if mode not in MODES:
        abort(400, description="mode must be compilation or tracked")
    data = row.compilation_docx if mode == "compilation" else row.tracked_docx
    negotiation = _store().negotiation(row.negotiation_id)
    stem = (negotiation.symbol or negotiation.title).replace("/", "-")[:80]
    return _download(data, f"{stem} round {row.number} {mode}.docx", DOCX_MIME)


@bp.get("/rounds/<int:rid>/dossier")
def dossier(rid: int) -> ResponseReturnValue:
    """The dossier: every readable submission of the round appended into one record (.docx)."""
    from docxio.dossier import build_dossier  # python-docx and docxcompose: loaded when first used

    _secretariat()
    row = _round_for(rid)
    store = _store()
    names = {d.id: d.name for d in store.delegations(row.negotiation_id)}
    entries = []
    for s in store.submissions(rid):
        if s.error is None and s.kind:
            full = store.submission(s.id)
            if full.docx is not None:
                entries.append(_dossier_entry(full, names.get(s.delegation_id)))
    if not entries:
        abort(409, description="no readable submission in this round yet")
    try:
        data = build_dossier(entries)
    except DocxioError as exc:  # a file the reader takes but docxcompose cannot (Strict Open XML)
        abort(422, description=str(exc))
    return _download(data, f"round {row.number} dossier.docx", DOCX_MIME)


def _dossier_entry(row, delegation: str | None):
    from docxio.dossier import DossierEntry

    return DossierEntry(file=row.docx, delegation=delegation or "(unknown delegation)",
                        arrived=_iso(row.received_at), name=row.filename)


# -- one delegation's proposals, and the provenance table ---------------------------------------

#: The fields of a submission the per-delegation view repeats (its reading is in the view itself).
_SUBMISSION_SUMMARY = ("id", "filename", "version", "received_at", "channel", "tracked", "proposal_count",
                       "error", "file_url")


@bp.get("/rounds/<int:rid>/delegations/<int:did>/proposals")
def delegation_proposals(rid: int, did: int) -> ResponseReturnValue:
    """What one delegation proposed and which stances it took in the round, with paragraph ids
    and kinds, its latest submission and its warnings. The secretariat: after a merge. A
    delegation: its own (read from its latest file until the round is published), or any
    delegation's once the consolidated draft is published (without their files or warnings)."""
    caller = _caller()
    row = _round_for(rid)
    store = _store()
    delegation = store.delegation(did)
    if delegation is None or delegation.negotiation_id != row.negotiation_id:
        abort(404, description=f"no delegation {did} in this negotiation")
    own = not caller.is_secretariat and caller.delegation_id == did
    if not own:
        if not _may_see_consolidated(row):
            abort(403, description="the consolidated draft of this round is not published yet: "
                                   "until then a delegation sees only its own proposals")
        if row.merged_at is None:
            abort(409, description="this round has not been merged yet")
    names = {d.id: d.name for d in store.delegations(row.negotiation_id)}
    kept = latest_versions([submission_json(s, names) for s in store.submissions(rid, did)]).get(delegation.name, [])
    merged = row.merged_at is not None and _may_see_consolidated(row)
    if merged:
        report = json.loads(row.report_json)
        paragraphs, draft_stances = report.get("paragraphs", []), report.get("stances", [])
    else:  # a delegation's own, before publication: its latest readable file, nobody else's
        report = {}
        readable = [s for s in kept if s["error"] is None]
        paragraphs = readable[-1]["proposals"] if readable else []
        draft_stances = readable[-1]["stances"] if readable else []
    if caller.is_secretariat or own:
        view = delegation_view(delegation.name, did, kept, paragraphs, draft_stances,
                               credited_in(delegation.name, report))
    else:
        # Another delegation's files stay unacknowledged (see _submission_for): only whether the
        # published consolidated draft holds something of it.
        view = delegation_view(delegation.name, did, [], paragraphs, draft_stances)
        in_merge = bool(view.proposals or view.stances) or any(
            s.get("delegation") == delegation.name for s in report.get("submissions", []))
        view = dataclasses.replace(view, status=MERGED if in_merge else NOT_MERGED)
    return jsonify(delegation_view_json(view, rid, merged))


def delegation_view_json(view: DelegationView, rid: int, merged: bool) -> dict:
    """A delegation's view as the API shows it (``merged``: read from the round's merge, not
    from the delegation's own latest file)."""
    return {
        "round": rid, "merged": merged,
        "delegation": {"id": view.delegation_id, "name": view.name}, "status": view.status,
        "submissions": [{k: s.get(k) for k in _SUBMISSION_SUMMARY} for s in view.submissions],
        "credited_in": list(view.credited_in),
        "paragraphs": list(view.paragraphs),
        "proposals": [dict(dataclasses.asdict(x), others=list(x.others)) for x in view.proposals],
        "stances": [dict(dataclasses.asdict(x), others=list(x.others)) for x in view.stances],
        "warnings": list(view.warnings),
    }


@bp.get("/rounds/<int:rid>/provenance.csv")
def provenance(rid: int) -> ResponseReturnValue:
    """The provenance table of the last merge (CSV, UTF-8): paragraph id, kind, deleted,
    inserted, delegations, source file, revision id — a row per proposal and source."""
    row = _merged_round(rid)
    text = provenance_csv(provenance_rows(json.loads(row.report_json)))
    response = _download(("\ufeff" + text).encode("utf-8"), f"round {row.number} provenance.csv", "text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


# -- the OpenAPI document -----------------------------------------------------------------------

_NULLABLE_OBJECT = {"type": ["object", "null"]}
_PROPOSAL = {"type": "object", "description": "kind, inserted, deleted, offset, delegations, conflict group",
             "properties": {"kind": {"type": "string"}, "inserted": {"type": "string"},
                            "deleted": {"type": "string"}, "delegations": {"type": "array", "items": {"type": "string"}}}}
_STANCE = {"type": "object", "description": "a position on a passage or paragraph (from a comment or a proposal)",
           "properties": {"stance": {"type": "string"}, "text": {"type": "string"}, "anchor": {"type": "string"},
                          "delegations": {"type": "array", "items": {"type": "string"}}}}
_ROUND = {"type": "object", "properties": {k: {} for k in (
    "id", "negotiation", "number", "base_filename", "base_sha256", "created_at", "published", "merged_at")}}

#: The shape of the answers clients rely on most (the add-in's sign-in and paragraph view).
RESPONSE_SCHEMAS = {
    "api.me": {"type": "object", "properties": {
        "role": {"type": "string", "enum": ["secretariat", "delegation"]},
        "name": {"type": "string"},
        "delegation": _NULLABLE_OBJECT,
        "negotiation": {**_NULLABLE_OBJECT, "description": "for the secretariat: the latest negotiation with a round"},
        "current_round": {"type": ["integer", "null"]},
        "round": {**_ROUND, "type": ["object", "null"]},
    }},
    "api.delegation_proposals": {"type": "object", "properties": {
        "round": {"type": "integer"},
        "merged": {"type": "boolean",
                   "description": "read from the round's merge (else: the delegation's own latest file)"},
        "delegation": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "status": {"type": "string", "description": "no submission yet, submitted, latest file unreadable, "
                   "credited in a file it did not send; for another delegation: in the consolidated draft, "
                   "nothing in the consolidated draft"},
        "credited_in": {"type": "array", "items": {"type": "string"},
                        "description": "with no file of its own: the joint or unattributed files it is credited in"},
        "submissions": {"type": "array", "items": {"type": "object"},
                        "description": "its latest version (and the latest readable one, when the latest is not)"},
        "paragraphs": {"type": "array", "items": {"type": "string"}, "description": "paragraph ids it touched"},
        "proposals": {"type": "array", "items": {"type": "object", "properties": {
            "paragraph": {"type": "string"}, "kind": {"type": "string"}, "inserted": {"type": "string"},
            "deleted": {"type": "string"}, "group": {"type": ["string", "null"]},
            "others": {"type": "array", "items": {"type": "string"}}}}},
        "stances": {"type": "array", "items": {"type": "object", "properties": {
            "paragraph": {"type": ["string", "null"]}, "stance": {"type": "string"}, "text": {"type": "string"},
            "anchor": {"type": "string"}, "others": {"type": "array", "items": {"type": "string"}}}}},
        "warnings": {"type": "array", "items": {"type": "string"}},
    }},
    "api.round_paragraphs": {"type": "object", "properties": {
        "round": {"type": "integer"},
        "merged": {"type": "boolean"},
        "paragraphs": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "base_text": {"type": "string"}, "index": {"type": ["integer", "null"]},
            "status": {"type": ["string", "null"]},
            "proposals": {"type": "array", "items": _PROPOSAL},
            "stances": {"type": "array", "items": _STANCE},
        }}},
    }},
}


def _responses(endpoint: str) -> dict:
    """The OpenAPI responses of an endpoint: its 200 schema where one is described."""
    responses = {"default": {"description": "JSON, or an error {error, message}"}}
    if endpoint in RESPONSE_SCHEMAS:
        responses["200"] = {"description": "OK",
                            "content": {"application/json": {"schema": RESPONSE_SCHEMAS[endpoint]}}}
    if endpoint == "api.provenance":
        responses["200"] = {"description": "the provenance table",
                            "content": {"text/csv": {"schema": {"type": "string"}}}}
    return responses


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """This API described as OpenAPI 3.1 (every endpoint, from the routes themselves)."""
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        view = current_app.view_functions[rule.endpoint]
        path = rule.rule
        params = []
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "{" + arg + "}").replace(f"<{arg}>", "{" + arg + "}")
            params.append({"name": arg, "in": "path", "required": True,
                           "schema": {"type": "integer" if f"<int:{arg}>" in rule.rule else "string"}})
        doc = (view.__doc__ or "").strip()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = {
                "operationId": rule.endpoint.split(".")[-1] + ("" if method in ("GET", "POST", "PUT") else "_" + method.lower()),
                "summary": doc.splitlines()[0] if doc else rule.endpoint,
                "description": " ".join(doc.split()),
                "parameters": params,
                "security": [] if rule.endpoint in ("api.openapi", "api.create_token") else [{"bearer": []}, {"session": []}],
                "responses": _responses(rule.endpoint),
            }
    return jsonify({
        "openapi": "3.1.0",
        "info": {"title": "Concord API", "version": "1.0",
                 "description": "Negotiations, rounds, submissions, merge and consolidated drafts."},
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "a delegation's invitation token or a secretariat API token"},
            "session": {"type": "apiKey", "in": "cookie", "name": "concord_session"}}},
        "paths": dict(sorted(paths.items())),
    })
