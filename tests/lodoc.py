"""Make .docx fixtures with LibreOffice from the test venv: a wrapper around ``samples/lodoc.py``.

The venv's Python has no ``uno``; Debian's ``/usr/bin/python3`` has. So the builder runs as a
subprocess. The spec format is documented in ``samples/lodoc.py``. Typical use in a test::

    from tests.lodoc import make_docx
    out = make_docx({"paragraphs": ["PP1. Concerned about trafficking."], "author": "Egypt",
                     "track": True,
                     "edits": [{"op": "insert", "para": 0, "before": "trafficking", "text": "illicit "}]},
                    tmp_path / "egypt.docx")

To mark up the sample base draft, address paragraphs by identifier with
``sample_paragraph_index()`` (``{"base": "samples/base.docx", "edits": [{"op": "insert",
"para": idx["PP2"], ...}]}``).

``make_many`` builds a list of (spec, out) pairs with one LibreOffice start (about a second saved
per document). Missing LibreOffice fails the test with a message saying to run ``make test``; a
wrong spec raises ``LodocError`` naming the edit and the text actually found.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILDER = ROOT / "samples" / "lodoc.py"
UNO_PYTHON = "/usr/bin/python3"


class LodocError(Exception):
    """LibreOffice could not build a document; the message names the document and the problem."""


def _check_installed() -> None:
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is not installed: run the tests with `make test`, which installs "
                    "libreoffice-writer-nogui and python3-uno")
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"{UNO_PYTHON} cannot import uno: install python3-uno (`make test` does)")


def _absolute(spec: dict) -> dict:
    """The spec with its base path made absolute (the builder runs in the project root)."""
    spec = dict(spec)
    if spec.get("base"):
        spec["base"] = str(Path(spec["base"]).resolve())
    return spec


def make_many(specs: list[tuple[dict, Path]], timeout: float | None = None) -> list[Path]:
    """Build each (spec, out) pair with one LibreOffice process; return the output paths in order."""
    if not specs:
        return []
    _check_installed()
    jobs = [{"spec": _absolute(spec), "out": str(Path(out).resolve())} for spec, out in specs]
    limit = timeout if timeout is not None else 60 + 15 * len(jobs)
    with tempfile.TemporaryDirectory(prefix="lodoc-jobs-") as tmp:
        job_file = Path(tmp) / "jobs.json"
        job_file.write_text(json.dumps(jobs), encoding="utf-8")
        pidfile = Path(tmp) / "soffice.pids"
        proc = subprocess.Popen([UNO_PYTHON, str(BUILDER), "--batch", str(job_file)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env={**os.environ, "LODOC_PIDFILE": str(pidfile)})
        try:
            stdout, stderr = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.terminate()  # lodoc.py stops its soffice on SIGTERM ...
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
            _kill_soffice(pidfile)  # ... and if it could not, its soffice process groups go here
            raise LodocError(f"LibreOffice took longer than {limit:.0f} s to build {len(jobs)} documents") from None
    done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise LodocError(f"samples/lodoc.py failed (exit {done.returncode}) without a report: "
                         f"{done.stderr.strip()[-2000:] or done.stdout.strip()[-2000:]}") from None
    if report["errors"]:
        raise LodocError("; ".join(report["errors"]))
    return [Path(job["out"]) for job in jobs]


def _kill_soffice(pidfile: Path) -> None:
    """Kill the soffice process groups the builder started, should any have survived it."""
    if not pidfile.exists():
        return
    for line in pidfile.read_text(encoding="ascii").split():
        try:
            os.killpg(int(line), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, ValueError):
            pass  # already gone: the normal case


def sample_paragraph_index() -> dict[str, int]:
    """Body paragraph index of each identifier of ``samples/base.docx`` ("title", "chapeau", "PP1"…,
    "OP1"…, "OP3(a)"…), for specs that edit the sample base: ``{"para": idx["PP2"], ...}``."""
    spec = importlib.util.spec_from_file_location("concord_sample_generate", ROOT / "samples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # stdlib only at import time: no uno needed
    return dict(module.INDEX)


def make_docx(spec: dict, out: Path) -> Path:
    """Build one .docx from a spec (see ``samples/lodoc.py``) and return its path."""
    return make_many([(spec, out)])[0]
