"""Writing speed: ``write_consolidated`` in both renderings on a long draft after a busy round,
``compilation_to_tracked`` reading the compilation back, and the floor (opening and re-zipping the
same package without changes) for comparison.

The round is generated here: a 400-paragraph base made with python-docx (bold runs, list-numbered
operative paragraphs) and a consolidation of 5 proposals and 2 stances per paragraph — 2,000
proposals, every tenth paragraph a conflict group, 40 new paragraphs.
"""
from __future__ import annotations

import io
import time
import zipfile

import docx

from docxio.compilation import compilation_to_tracked
from docxio.package import open_package
from docxio.proposals import Consolidation, ParagraphProposals, Proposal, Stance
from docxio.reader import read_draft
from docxio.writer import write_consolidated

DELEGATIONS = ("Egypt", "Singapore", "Mexico", "Iran (Islamic Republic of)", "European Union", "Canada")
SENTENCE = ("Recognizing that the pandemic triggered greater misuse by criminal organizations of information "
            "and communications technologies for illicit trafficking in drugs and precursors, ")


def _base(paragraphs: int) -> tuple[bytes, list[str]]:
    document = docx.Document()
    texts = []
    for index in range(paragraphs):
        label = f"PP{index + 1}. " if index < paragraphs // 2 else ""
        paragraph = document.add_paragraph(label + SENTENCE[:60], style=None if label else "List Number")
        paragraph.add_run(SENTENCE[60:90]).bold = True
        paragraph.add_run(SENTENCE[90:] * 2)
        texts.append(label + SENTENCE[:90] + SENTENCE[90:] * 2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), texts


def _consolidation(texts: list[str]) -> Consolidation:
    paragraphs = []
    for index, text in enumerate(texts):
        who = [DELEGATIONS[index % 6], DELEGATIONS[(index + 1) % 6]]
        grouped = f"G{index}" if index % 10 == 0 else None
        proposals = [
            Proposal("insert", inserted=" and abuse", at=text.index("misuse") + 6, delegations=who[:1]),
            Proposal("delete", deleted="illicit ", at=text.index("illicit "), delegations=who),
            Proposal("replace", inserted="narcotics", deleted="drugs", at=text.index("drugs"), delegations=who[1:], group=grouped),
            Proposal("replace", inserted="substances", deleted="drugs", at=text.index("drugs"), delegations=who[:1], group=grouped),
            Proposal("insert", inserted=" as appropriate", at=len(text) - 2, delegations=who[1:]),
        ]
        stances = [Stance("retain", anchor="pandemic", delegations=who[:1]), Stance("reservation", delegations=who[1:])]
        paragraphs.append(ParagraphProposals(f"P{index}", text, base_index=index, proposals=proposals, stances=stances))
        if index % 10 == 5:
            paragraphs.append(ParagraphProposals(f"P{index} bis", "", new=True, after=f"P{index}", proposals=[
                Proposal("new_paragraph", inserted=SENTENCE, delegations=who)]))
    return Consolidation("bench.docx", [], paragraphs)


def _best(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _rezip(data: bytes) -> bytes:
    package = open_package(data, "bench.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in package.parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def run() -> list[str]:
    """Figures for `make bench`."""
    base, texts = _base(400)
    consolidation = _consolidation(texts)
    proposals = sum(len(p.proposals) for p in consolidation.paragraphs)
    floor = _best(lambda: _rezip(base))
    lines = [f"base: {len(texts)} paragraphs, {len(base) // 1024} KiB; round: {proposals} proposals",
             f"floor (open + re-zip, no changes): {floor * 1000:.0f} ms"]
    compiled = b""
    for mode in ("compilation", "tracked"):
        result = {}
        seconds = _best(lambda: result.setdefault("data", write_consolidated(base, consolidation, mode=mode)))
        lines.append(f"write_consolidated {mode}: {seconds * 1000:.0f} ms ({seconds / floor:.1f}x floor), "
                     f"{len(result['data']) // 1024} KiB")
        if mode == "compilation":
            compiled = result["data"]
    draft = read_draft(compiled, "compilation.docx")
    seconds = _best(lambda: compilation_to_tracked(draft))
    lines.append(f"compilation_to_tracked (after read_draft): {seconds * 1000:.0f} ms")
    return lines
