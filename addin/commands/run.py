"""`concord run`: the server on 127.0.0.1 over HTTPS, with the sample round loaded.

First run: creates the instance store, the secretariat account, the sample negotiation from
``samples/`` (round0.docx as the earlier round, base.docx as the sample round with
submissions/*.docx, delegations.csv, manifest.json), merges it, writes
both renderings and a PNG of the compilation's first page into ``out/``, and prints the URLs, the
login and the delegations' tokens. Later runs find the samples already loaded and print the same
credentials (kept in the instance folder, readable by the owner only).
"""
from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from datetime import datetime
from pathlib import Path

from werkzeug.serving import run_simple

from addin import create_app
from addin.api import import_registry
from addin.auth import ensure_account
from addin.https import ensure_certificate
from addin.intake import receive
from addin.merging import merge_round
from addin.render import render_first_page_png
from addin.store import Store
from docxio.reader import read_draft

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CREDENTIALS = "credentials.json"


def main(args: argparse.Namespace) -> int:
    """Load the samples (once), then serve HTTPS until interrupted (unless --no-serve)."""
    app = create_app()
    host = args.host or app.config["HOST"]
    port = args.port or app.config["PORT"]
    store = app.extensions["concord_store"]
    credentials = _credentials(app, store)
    if not getattr(args, "no_samples", False):
        problem = _sample_problem(SAMPLES)
        if problem:
            print(f"concord run: {problem}", file=sys.stderr)
            return 2
        loaded = credentials.get("sample")
        if loaded is None or store.round(loaded["round"]) is None:  # first run, or the store was reset
            credentials["sample"] = load_samples(store, SAMPLES)
            _save_credentials(app, credentials)
        _write_outputs(store, credentials["sample"]["round"], ROOT / app.config["OUT_DIR"])
    origin = (app.config.get("PUBLIC_URL") or
              f"https://{'localhost' if host in ('127.0.0.1', 'localhost') else host}:{port}").rstrip("/")
    _print_welcome(origin, credentials)
    if args.no_serve:
        return 0
    cert, key = ensure_certificate(app.instance_path)
    print(f"Certificate: {cert} (self-signed; see the README to trust it)", flush=True)
    run_simple(host, port, app, ssl_context=(str(cert), str(key)), threaded=True, use_reloader=False)
    return 0


def _credentials(app, store) -> dict:
    """The secretariat login (and sample tokens) of this instance, created on first run."""
    path = Path(app.instance_path) / CREDENTIALS
    saved = json.loads(path.read_text()) if path.exists() else {}
    user = app.config["ADMIN_USER"]
    password = app.config.get("ADMIN_PASSWORD") or saved.get("password") or secrets.token_urlsafe(12)
    ensure_account(store, user, password)
    saved.update(user=user, password=password)
    _save_credentials(app, saved)
    return saved


def _save_credentials(app, credentials: dict) -> None:
    # Plain text on purpose: a local demo must be able to print them again. Owner-only file.
    path = Path(app.instance_path) / CREDENTIALS
    path.write_text(json.dumps(credentials, indent=2, ensure_ascii=False))
    path.chmod(0o600)


def _sample_problem(folder: Path) -> str | None:
    needed = [folder / "base.docx", folder / "delegations.csv", folder / "submissions"]
    missing = [str(p.relative_to(ROOT)) for p in needed if not p.exists()]
    if missing:
        return f"the sample round is incomplete ({', '.join(missing)} missing): run `make samples` first"
    return None


def sample_manifest(folder: Path) -> dict[str, dict]:
    """File name → {delegation, arrived, sender} from samples/manifest.json (a list of entries
    with "file", or {"submissions": [...]}); files it does not name get empty metadata."""
    path = folder / "manifest.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("submissions", []) if isinstance(data, dict) else data
    return {Path(e["file"]).name: e for e in entries if isinstance(e, dict) and "file" in e}


def load_samples(store: Store, folder: Path) -> dict:
    """Create the sample negotiation, its delegations, the earlier round (round0.docx, when
    present), the sample round and its submissions; merge it.
    Returns {negotiation, round, tokens: {delegation: token}}."""
    base = (folder / "base.docx").read_bytes()
    title, symbol = draft_identity(base)
    nid = store.create_negotiation(title, symbol)
    imported = import_registry(store, nid, (folder / "delegations.csv").read_bytes(), "delegations.csv")
    tokens = {store.delegation(did).name: token for did, token in imported}
    earlier = folder / "round0.docx"
    if earlier.exists():
        # The draft's earlier text is the negotiation's previous round, as it would be had the
        # secretariat used Concord then: a file marked up on it (South Africa's) is recognised
        # and credited only with its own changes, not with undoing everything since.
        store.add_round(nid, earlier.name, earlier.read_bytes())
    rid = store.add_round(nid, "base.docx", base)
    entries = sample_manifest(folder)
    files = sorted((folder / "submissions").iterdir(), key=lambda p: (entries.get(p.name, {}).get("arrived") or "", p.name))
    for path in files:
        if not path.is_file():
            continue
        entry = entries.get(path.name, {})
        delegation = store.delegation_by_name(nid, entry["delegation"]) if entry.get("delegation") else None
        arrived = _parse_time(entry.get("arrived"))
        receive(store, rid, path.read_bytes(), path.name, "upload",
                delegation_id=delegation.id if delegation else None, sender=entry.get("sender"),
                received_at=arrived)
    merge_round(store, rid)
    return {"negotiation": nid, "round": rid, "tokens": tokens}


def draft_identity(base: bytes) -> tuple[str, str]:
    """(title, document symbol) of a draft: its "title" paragraph and the symbol in its page
    header (E/CN.7/2027/L.5), as a secretariat would type them when creating the negotiation."""
    draft = read_draft(base, "base.docx")
    title = next((p.original.strip() for p in draft.body() if p.id == "title"), "") or "Sample negotiation"
    headers = " ".join(p.original for p in draft.paragraphs if p.story == "header")
    found = re.search(r"\b[A-Z]+(?:/[A-Z0-9.]+)+\b", headers)
    return title, found.group(0) if found else ""


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _write_outputs(store, round_id: int, out: Path) -> None:
    """Both renderings of the sample's consolidated draft, and a PNG of the compilation's first page."""
    row = store.round(round_id)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compilation.docx").write_bytes(row.compilation_docx)
    (out / "tracked.docx").write_bytes(row.tracked_docx)
    (out / "report.json").write_text(row.report_json, encoding="utf-8")
    try:
        render_first_page_png(out / "compilation.docx", out / "compilation.png")
    except Exception as exc:  # noqa: BLE001 - the PNG is a convenience; the server must still start
        print(f"(no PNG of the first page: {exc})", file=sys.stderr)
    print(f"Wrote {out}/compilation.docx, tracked.docx, report.json, compilation.png", flush=True)


def _print_welcome(origin: str, credentials: dict) -> None:
    print(f"\nConcord secretariat page: {origin}/", flush=True)
    print(f"Word add-in manifest:     {origin}/addin/manifest.xml")
    print(f"API description:          {origin}/api/openapi.json")
    print(f"Secretariat login:        {credentials['user']} / {credentials['password']}")
    sample = credentials.get("sample")
    if sample:
        print(f"Sample round:             {origin}/rounds/{sample['round']}")
        print("Delegation tokens (Authorization: Bearer <token>, or sign in in the add-in):")
        # One column per kind, however long a delegation's name ("Venezuela (Bolivarian Republic of)").
        width = max((len(name) for name in sample["tokens"]), default=0)
        for name, token in sample["tokens"].items():
            print(f"  {name:<{width}}  {token}   {origin}/invite/{token}")
    print(flush=True)
