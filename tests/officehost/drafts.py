"""A small draft resolution as a real .docx (python-docx), and tracked changes made on it.

The base draft has what the pane must recognise: typed preambular labels (PP1 … PP3 bis) and
operative paragraphs numbered by Word's list numbering (OP1 … OP3). An emblem picture makes the
file larger than one 64 KB slice, so getFileAsync hands it over in several slices.
"""
from __future__ import annotations

import io
import random
from copy import deepcopy
import struct
import zlib

import docx
from docx.oxml.ns import qn
from docx.shared import Cm

TITLE = "Misuse of information and communications technologies for drug trafficking"
PREAMBLE = (
    "PP1. Recalling its resolution 64/3 of 16 April 2021 on strengthening international cooperation,",
    "PP2. Recognizing that the pandemic triggered greater misuse of information and communications technologies for illicit trafficking,",
    "PP3. Concerned that criminals use online marketplaces to sell controlled substances,",
    "PP3 bis. Noting the work of the Expert Group on Cybercrime,",
)
OPERATIVE = (
    "Urges Member States to strengthen cooperation among law enforcement agencies;",
    "Invites Member States to share information on emerging trends in online trafficking;",
    "Requests the United Nations Office on Drugs and Crime to support Member States, upon request;",
)
#: Body paragraph indexes (the emblem is paragraph 0).
PP2, PP3, PP3_BIS, OP1, OP2 = 5, 6, 7, 8, 9


def _noise_png(size: int = 170, seed: int = 5) -> bytes:
    """An incompressible RGB PNG (about 85 KB), standing in for an emblem."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + bytes(rng.getrandbits(8) for _ in range(size * 3)) for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def base_draft() -> bytes:
    """The base draft of round 1 as .docx bytes."""
    document = docx.Document()
    document.add_picture(io.BytesIO(_noise_png()), width=Cm(2))
    document.add_paragraph("Commission on Narcotic Drugs")
    document.add_paragraph(TITLE)
    document.add_paragraph("The Commission on Narcotic Drugs,")
    for text in PREAMBLE:
        document.add_paragraph(text)
    for text in OPERATIVE:
        document.add_paragraph(text, style="List Number")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def tracked_change(docx_bytes: bytes, paragraph: int, before: str, *, insert: str = "", delete: str = "",
                   author: str, date: str = "2026-11-20T10:00:00Z", revision: int = 901) -> bytes:
    """The .docx with a tracked change in body paragraph ``paragraph`` (a single plain run):
    ``delete`` (text that must follow ``before``) as w:del and ``insert`` as w:ins right after
    ``before``, both by ``author``."""
    document = docx.Document(io.BytesIO(docx_bytes))
    p = list(document.element.body.iter(qn("w:p")))[paragraph]
    runs = p.findall(qn("w:r"))
    if len(runs) != 1:
        raise ValueError(f"paragraph {paragraph} must be one plain run, has {len(runs)}")
    run = runs[0]
    text = "".join(t.text or "" for t in run.iter(qn("w:t")))
    at = text.index(before) + len(before)
    if not text[at:].startswith(delete):
        raise ValueError(f"{delete!r} does not follow {before!r} in paragraph {paragraph}")
    pieces = []
    pieces.append(_run(run, text[:at]))
    if delete:
        deleted = p.makeelement(qn("w:del"), {qn("w:id"): str(revision), qn("w:author"): author, qn("w:date"): date})
        deleted.append(_run(run, delete, deleted=True))
        pieces.append(deleted)
    if insert:
        inserted = p.makeelement(qn("w:ins"), {qn("w:id"): str(revision + 1), qn("w:author"): author, qn("w:date"): date})
        inserted.append(_run(run, insert))
        pieces.append(inserted)
    pieces.append(_run(run, text[at + len(delete):]))
    for piece in pieces:
        run.addprevious(piece)
    p.remove(run)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _run(template, text: str, deleted: bool = False):
    """A copy of ``template`` (a w:r, formatting kept) holding ``text`` as w:t or w:delText."""
    run = template.makeelement(qn("w:r"), {})
    rpr = template.find(qn("w:rPr"))
    if rpr is not None:
        run.append(deepcopy(rpr))
    t = run.makeelement(qn("w:delText" if deleted else "w:t"), {})
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)
    return run


def untracked_edit(docx_bytes: bytes, paragraph: int, old: str, new: str) -> bytes:
    """The .docx with ``old`` replaced by ``new`` in body paragraph ``paragraph`` without Track
    Changes, as a delegate who forgot to switch it on would leave it."""
    document = docx.Document(io.BytesIO(docx_bytes))
    p = list(document.element.body.iter(qn("w:p")))[paragraph]
    texts = [t for t in p.iter(qn("w:t")) if old in (t.text or "")]
    if not texts:
        raise ValueError(f"{old!r} is not in paragraph {paragraph}")
    texts[0].text = texts[0].text.replace(old, new, 1)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
