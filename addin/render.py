"""Pictures of documents for people: the first page of a .docx as a PNG.

LibreOffice (headless) converts the document to PDF and poppler's pdftoppm renders page 1. Each
conversion uses its own LibreOffice profile folder, so conversions running at the same time (other
commands, tests) do not lock each other out.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from docxio.errors import DocxioError

#: Seconds a conversion may take before it is given up (a hung soffice must not hang the caller).
TIMEOUT = 180


def _program(name: str) -> str:
    """The path of a program the rendering needs, or an error saying how to get it."""
    found = shutil.which(name)
    if found is None:
        raise DocxioError(name, f"{name} is not installed: `make run` installs it (deps/apt-run.txt)")
    return found


def convert_with_libreoffice(source: str | Path, target_format: str, out_dir: str | Path) -> Path:
    """Convert ``source`` with headless LibreOffice to ``target_format`` ("pdf", "fodt", "docx")
    in ``out_dir``; return the converted file. Raises DocxioError naming the file on failure."""
    source, out_dir = Path(source), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="concord-lo-") as profile:
        try:
            result = subprocess.run(
                [_program("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                 "--convert-to", target_format, "--outdir", str(out_dir), str(source)],
                capture_output=True, text=True, timeout=TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise DocxioError(source.name, f"LibreOffice did not finish converting it in {TIMEOUT} s") from exc
    target = out_dir / f"{source.stem}.{target_format.split(':')[0]}"
    if result.returncode != 0 or not target.exists():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DocxioError(source.name, f"LibreOffice could not convert it to {target_format}"
                          + (f" ({detail[-1]})" if detail else ""))
    return target


def render_first_page_png(docx_path: str | Path, out_png: str | Path, resolution: int = 80) -> Path:
    """Render the first page of a .docx to ``out_png`` (LibreOffice to PDF, pdftoppm to PNG)."""
    docx_path, out_png = Path(docx_path), Path(out_png)
    with tempfile.TemporaryDirectory(prefix="concord-render-") as work:
        pdf = convert_with_libreoffice(docx_path, "pdf", work)
        prefix = Path(work) / "page"
        result = subprocess.run(
            [_program("pdftoppm"), "-png", "-r", str(resolution), "-f", "1", "-l", "1", "-singlefile",
             str(pdf), str(prefix)],
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )
        produced = prefix.with_suffix(".png")
        if result.returncode != 0 or not produced.exists():
            raise DocxioError(docx_path.name, f"pdftoppm could not render its first page ({result.stderr.strip()})")
        out_png.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), out_png)
    return out_png
