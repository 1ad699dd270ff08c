"""Reading mail: ``read_message`` over the real mail corpus, and on a large message of submissions.

Figures printed: the corpus (75 real .eml/.msg/mbox/TNEF files, when ../shared is present) read
warm, best of 3, in ms per message; and a 13-delegation message — thirteen 1 MB .docx attachments
plus a zip of them, base64-encoded, about 36 MB — read best of 3, with its peak Python memory.
"""
from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile
from email.message import EmailMessage
from pathlib import Path

from addin.mail.messages import read_mailbox, read_message

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "mail"
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def _best(function, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _corpus_lines() -> list[str]:
    if not CORPUS.exists():
        return [f"corpus: {CORPUS} absent, skipped"]
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".eml", ".msg", ".dat"))
    data = [(p.name, p.read_bytes()) for p in files]
    mboxes = sorted(CORPUS.glob("*.mbox"))

    def read_all() -> None:
        for name, content in data:
            read_message(content, name)
        for box in mboxes:
            list(read_mailbox(box))

    read_all()  # imports (extract-msg, tnefparse) are not what we measure
    seconds = _best(read_all)
    count = len(data) + len(mboxes)
    size = sum(len(c) for _, c in data) + sum(os.path.getsize(b) for b in mboxes)
    return [f"corpus: {count} files, {size / 1e6:.1f} MB: {seconds * 1000:.0f} ms, "
            f"{seconds / count * 1000:.1f} ms per file"]


def _big_message() -> bytes:
    message = EmailMessage()
    message["From"] = "Secretariat <s@unodc.example>"
    message["Subject"] = "All submissions"
    message["Message-ID"] = "<bench@unodc.example>"
    message.set_content("All thirteen submissions.")
    documents = {}
    for number in range(13):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", os.urandom(1024 * 1024))
        documents[f"Delegation {number}.docx"] = out.getvalue()
        message.add_attachment(out.getvalue(), maintype=DOCX[0], subtype=DOCX[1], filename=f"Delegation {number}.docx")
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        for name, content in documents.items():
            archive.writestr(name, content)
    message.add_attachment(archive_bytes.getvalue(), maintype="application", subtype="zip", filename="all.zip")
    return message.as_bytes()


def run() -> list[str]:
    """The figures of this benchmark, one line each."""
    lines = _corpus_lines()
    data = _big_message()
    seconds = _best(lambda: read_message(data, "big.eml"))
    tracemalloc.start()
    found = read_message(data, "big.eml")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    lines.append(f"large message: {len(data) / 1e6:.0f} MB, {len(found.documents)} documents: "
                 f"{seconds * 1000:.0f} ms, peak {peak / 1e6:.0f} MB ({peak / len(data):.1f}x the message)")
    return lines
