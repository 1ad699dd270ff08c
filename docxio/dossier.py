"""The submission dossier: every submission of a round in one document, for the record.

Each submission is appended with docxcompose after a heading naming the delegation and the date
it arrived, with its own tracked changes and comments. docxcompose (2.2) does not carry comments
over — the appended text keeps its comment ranges but the comments themselves would be lost and
Word would have to repair the file — so this module copies each submission's comments into the
dossier's comments part itself, renumbering comment and revision ids so they stay unique.
Comment threads (commentsExtended.xml) are not carried: replies become plain comments.
"""
from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml.parser import parse_xml
from docx.parts.numbering import NumberingPart
from lxml import etree

from docxio.errors import DocxioError, PackageError
from docxio.ooxml import NS, qn
from docxio.package import open_package

#: Revision elements whose w:id must stay unique across the dossier.
_REVISION_TAGS = tuple(qn(f"w:{t}") for t in (
    "ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange",
    "trPrChange", "tcPrChange", "numberingChange", "moveFromRangeStart", "moveFromRangeEnd",
    "moveToRangeStart", "moveToRangeEnd", "cellIns", "cellDel",
))
#: How Strict Open XML (ISO/IEC 29500 Strict) relationship types begin.
_STRICT_STEM = "http://purl.oclc.org/ooxml/"
_COMMENT_MARKS = tuple(qn(f"w:{t}") for t in ("commentRangeStart", "commentRangeEnd", "commentReference"))


@dataclass(frozen=True)
class DossierEntry:
    """One submission for the dossier: the .docx (path or bytes), the delegation that sent it,
    when it arrived (a datetime, ISO text, or None when unknown) and, for bytes, the file name
    errors call it by (default: "submission of <delegation>")."""

    file: str | Path | bytes
    delegation: str
    arrived: datetime | str | None = None
    name: str | None = None


def heading_text(entry: DossierEntry) -> str:
    """"Egypt — received 14 February 2022, 10:32 UTC": the heading above a submission."""
    arrived = entry.arrived
    if isinstance(arrived, str):
        try:
            arrived = datetime.fromisoformat(arrived.replace("Z", "+00:00"))
        except ValueError:
            return f"{entry.delegation} — received {arrived}"
    if arrived is None:
        return f"{entry.delegation} — date of arrival unknown"
    zone = f" {arrived.tzname()}" if arrived.tzinfo is not None else ""
    return f"{entry.delegation} — received {arrived.day} {arrived:%B %Y, %H:%M}{zone}"


def _composer_class():
    """docxcompose's Composer, imported without letting it break python-docx.

    Importing docxcompose rebinds python-docx's global "cp" prefix to the custom-properties
    namespace (``nsmap.update(NS)`` in docxcompose/utils.py), after which python-docx writes and
    reads core properties (revision, modified date) in the wrong namespace for the rest of the
    process. The prefixes python-docx had are put back; those docxcompose added are kept.
    """
    from docx.oxml.ns import nsmap

    saved = dict(nsmap)
    from docxcompose.composer import Composer

    nsmap.update(saved)
    return Composer


def _load(entry: DossierEntry) -> docx.document.Document:
    """The submission as a python-docx document; unreadable files raise a DocxioError naming
    the file (the package check gives the precise reason)."""
    if isinstance(entry.file, (str, Path)):
        name, data = Path(entry.file).name, Path(entry.file).read_bytes()
    else:
        name, data = entry.name or f"submission of {entry.delegation}", entry.file
    package = open_package(data, name)
    package.main_document()  # raises a PackageError that names the problem
    if any(r.type.startswith(_STRICT_STEM) for r in package.relationships("")):
        # python-docx and docxcompose only know transitional relationship types.
        raise PackageError(name, "the file is saved as Strict Open XML, which the dossier cannot include; "
                                 "save it in Word as an ordinary Word Document (.docx) and send it again")
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for malformed packages
        raise PackageError(name, f"cannot be opened as a Word document ({exc})") from exc


def _ensure_numbering_part(document) -> None:
    """Give a submission without numbering.xml an empty numbering part.

    LibreOffice writes ``<w:numPr><w:numId w:val="0"/>`` ("no list") without a numbering part;
    docxcompose then asks python-docx to create one, which python-docx 1.2 cannot do
    (``NumberingPart.new`` raises NotImplementedError). With an empty part docxcompose finds no
    list definition to copy and leaves the paragraph unnumbered, as it was.
    """
    try:
        document.part.part_related_by(RT.NUMBERING)
    except KeyError:
        element = parse_xml(f'<w:numbering xmlns:w="{NS["w"]}"/>')
        part = NumberingPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, element, document.part.package)
        document.part.relate_to(part, RT.NUMBERING)


def _comments_root(document) -> etree._Element | None:
    """The w:comments element of a document's comments part, or None when it has none."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.COMMENTS and not rel.is_external:
            part = rel.target_part
            return part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    return None


def _renumber(document, next_comment: int, next_revision: int) -> tuple[list[etree._Element], int, int]:
    """Give the submission's comments and revisions fresh ids (from the counters given) and
    return its comments (renumbered copies) and the next free ids."""
    body = document.element.body
    mapping: dict[str, str] = {}
    comments = []
    root = _comments_root(document)
    for comment in (root.iter(qn("w:comment")) if root is not None else ()):
        copied = copy.deepcopy(comment)
        old = comment.get(qn("w:id"))
        mapping[old] = str(next_comment)
        copied.set(qn("w:id"), str(next_comment))
        next_comment += 1
        comments.append(copied)
    for mark in list(body.iter(*_COMMENT_MARKS)):
        new = mapping.get(mark.get(qn("w:id")))
        if new is None:
            # A mark whose comment is missing would make Word repair the dossier: drop the mark.
            parent = mark.getparent()
            if mark.tag == qn("w:commentReference") and parent.tag == qn("w:r") and len(parent) <= 2:
                parent.getparent().remove(parent)
            else:
                parent.remove(mark)
            continue
        mark.set(qn("w:id"), new)
    for revision in body.iter(*_REVISION_TAGS):
        revision.set(qn("w:id"), str(next_revision))
        next_revision += 1
    return comments, next_comment, next_revision


def build_dossier(entries: Sequence[DossierEntry], out: str | Path | None = None) -> bytes:
    """Append every submission, in the order given, into one .docx and return its bytes.

    Each submission follows a heading with its delegation and arrival date and keeps its tracked
    changes (authors, dates) and comments. ``out``, when given, is also written. Raises
    ``DocxioError`` naming the submission that cannot be read.
    """
    if not entries:
        raise DocxioError("dossier", "no submissions to put in the dossier")
    master = docx.Document()
    master.add_heading("Submissions", level=0)
    composer = _composer_class()(master)
    next_comment, next_revision = 0, 1
    for number, entry in enumerate(entries):
        submission = _load(entry)
        _ensure_numbering_part(submission)
        comments, next_comment, next_revision = _renumber(submission, next_comment, next_revision)
        heading = master.add_heading(heading_text(entry), level=1)
        if number:
            heading.paragraph_format.page_break_before = True
        composer.append(submission)
        if comments:
            # python-docx 1.2 creates the comments part on first access (no public hook for that).
            target = master.part._comments_part.element
            for comment in comments:
                target.append(comment)
    buffer = io.BytesIO()
    composer.doc.save(buffer)
    data = buffer.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return data
