"""`concord run --no-serve`: the sample round loaded once, merged, rendered, and the way in printed."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from addin import create_app
from docxio.delegations import short_name

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

pytestmark = pytest.mark.libreoffice  # the PNG of the first page is rendered by LibreOffice


def run(instance: Path, out: Path) -> str:
    env = dict(os.environ, CONCORD_INSTANCE=str(instance), CONCORD_OUT_DIR=str(out))
    env.pop("CONCORD_ADMIN_PASSWORD", None)
    done = subprocess.run([sys.executable, "-m", "addin.cli", "run", "--no-serve"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_run_loads_the_sample_round_once_and_prints_working_credentials(tmp_path: Path):
    if not (SAMPLES / "manifest.json").exists():
        pytest.fail("samples/ is incomplete: run `make samples`")
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    instance, out = tmp_path / "instance", tmp_path / "out"
    first = run(instance, out)

    assert "https://localhost:5443/addin/manifest.xml" in first
    login = re.search(r"Secretariat login: +(\S+) / (\S+)", first)
    tokens = dict(re.findall(r"^  (.+?) +(\S{40,}) +https://", first, flags=re.M))
    registry_names = [line.split(",")[0] for line in (SAMPLES / "delegations.csv").read_text().splitlines()[1:] if line]
    assert login and sorted(tokens) == sorted(registry_names)

    compilation = docx.Document(io.BytesIO((out / "compilation.docx").read_bytes()))
    text = "\n".join(p.text for p in compilation.paragraphs)
    assert "E/CN.7/2027/L.5" in "\n".join(p.text for s in compilation.sections for p in s.header.paragraphs)
    for entry in manifest:
        if entry["delegation"] and entry["delegation"] not in ("Chair",):
            # Compilation texts credit delegations by their short names: "(Iran)".
            assert short_name(entry["delegation"]) in text, f"no proposal credited to {entry['delegation']}"
    assert (out / "tracked.docx").read_bytes()[:2] == b"PK"
    # South Africa marked up the earlier text: it is credited with its own two changes only, not
    # with undoing what changed since (the date line, OP5's "virtual asset service providers").
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    south_africa = [(p["id"], x["inserted"], x["deleted"]) for p in report["paragraphs"] for x in p["proposals"]
                    if "South Africa" in x["delegations"]]
    assert south_africa == [("PP1", " and precursors", ""), ("OP9", " and capacity-building", "")]
    assert "5 February 2027" in text and "(South Africa) January" not in text
    png = (out / "compilation.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000

    second = run(instance, out)  # a restart: nothing loaded twice, the same way in
    assert re.search(r"Secretariat login: +(\S+) / (\S+)", second).groups() == login.groups()
    assert dict(re.findall(r"^  (.+?) +(\S{40,}) +https://", second, flags=re.M)) == tokens

    app = create_app({"INSTANCE_PATH": str(instance)})
    store = app.extensions["concord_store"]
    [negotiation] = store.negotiations()
    assert negotiation.symbol == "E/CN.7/2027/L.5" and negotiation.title.startswith("Strengthening")
    # The draft's earlier text (round0.docx) is the previous round, the sample round the current one.
    rounds = store.rounds(negotiation.id)
    assert [r.base_filename for r in rounds] == ["round0.docx", "base.docx"]
    rnd = rounds[-1]
    assert len(store.submissions(rnd.id)) == len(manifest)
    client = app.test_client()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {tokens['Singapore']}"}).get_json()
    assert me["delegation"]["name"] == "Singapore" and me["current_round"] == rnd.id
    mine = client.get(f"/api/rounds/{rnd.id}/submissions", headers={"Authorization": f"Bearer {tokens['Singapore']}"})
    assert [s["filename"] for s in mine.get_json()] == ["CND L5 - Singapore.docx"]
    store.close()
