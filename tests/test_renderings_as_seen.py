"""The sample round's two renderings as a reader sees them in LibreOffice: the footnotes.

Found by reading the renderings page by page: the Russian Federation's proposed footnote in PP1
showed, under number 1, the text of PP6's footnote (compilation), and in the tracked rendering
both footnotes were empty. A delegation reading the compilation would see its footnote lost and
another attached to the wrong paragraph.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from docxio.consolidation import Submission, consolidate
from docxio.delegations import load_registry
from docxio.reader import read_draft
from docxio.writer import write_consolidated
from tests.conftest import SAMPLES

pytestmark = pytest.mark.libreoffice

NOW = datetime(2027, 2, 13, 9, 0, tzinfo=timezone.utc)
PROPOSED = "Electronic payment systems are linked to a fiat currency"
BASE_NOTE = "Booklet 2, Global Overview"


@pytest.fixture(scope="module")
def renderings(tmp_path_factory) -> dict[str, Path]:
    """Both renderings of the sample round (all 13 submissions, in arrival order)."""
    base = SAMPLES / "base.docx"
    manifest = SAMPLES / "manifest.json"
    if not base.exists() or not manifest.exists():
        pytest.skip("the sample round is not generated (make samples)")
    registry = load_registry(SAMPLES / "delegations.csv")
    submissions = []
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        path = SAMPLES / "submissions" / entry["file"]
        submissions.append(Submission(draft=read_draft(path, path.name), file=path.name,
                                      delegation=entry["delegation"], arrived=entry["arrived"],
                                      sender=entry.get("sender")))
    consolidation = consolidate(read_draft(base, base.name), submissions, registry)
    folder = tmp_path_factory.mktemp("renderings")
    paths = {mode: folder / f"{mode}.docx" for mode in ("compilation", "tracked")}
    for mode, path in paths.items():
        write_consolidated(base, consolidation, path, mode=mode, now=NOW)
    return paths


def footnotes_as_libreoffice_shows(path: Path, work: Path) -> dict[int, dict[str, str]]:
    """Footnote number → {"text": its text, "style": its paragraph's class, "anchored": the text
    just before its reference}, from LibreOffice's HTML export of ``path``."""
    from addin.render import convert_with_libreoffice

    html = convert_with_libreoffice(path, "html", work / path.stem).read_text(encoding="utf-8", errors="replace")
    notes = {}
    for number, body in re.findall(r'<div id="sdfootnote(\d+)">(.*?)</div>', html, re.S):
        style = re.search(r'<p class="([^"]+)"', body)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)).strip()
        anchor = html.find(f'name="sdfootnote{number}anc"')
        before = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html[max(0, anchor - 600):anchor]))
        notes[int(number)] = {"text": text, "style": style.group(1) if style else "", "anchored": before}
    return notes


@pytest.mark.parametrize("mode", ["compilation", "tracked"])
def test_each_footnote_shows_its_own_text_under_its_number(renderings, mode, tmp_path):
    notes = footnotes_as_libreoffice_shows(renderings[mode], tmp_path)
    assert sorted(notes) == [1, 2]
    # Footnote 1 is the Russian Federation's, proposed in PP1 after "electronic payment systems".
    assert PROPOSED in notes[1]["text"] and BASE_NOTE not in notes[1]["text"]
    assert "electronic payment systems" in notes[1]["anchored"]
    # Footnote 2 is the base's, at the end of PP6.
    assert BASE_NOTE in notes[2]["text"] and PROPOSED not in notes[2]["text"]
    assert "were drug-related," in notes[2]["anchored"]


@pytest.mark.parametrize("mode", ["compilation", "tracked"])
def test_a_proposed_footnote_looks_like_the_base_s_footnotes(renderings, mode, tmp_path):
    notes = footnotes_as_libreoffice_shows(renderings[mode], tmp_path)
    assert notes[1]["style"] == notes[2]["style"]
