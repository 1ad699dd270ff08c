"""The submission dossier: every submission after a heading with its delegation and arrival date,
its tracked changes and comments kept, ids unique; and `concord dossier` on the command line."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest

from addin.cli import main as concord
from docxio.dossier import DossierEntry, build_dossier
from docxio.errors import DocxioError, PackageError
from docxio.ooxml import qn
from docxio.reader import read_draft
from docxio.writer import write_consolidated
from tests import writer_support as round_
from tests.writer_support import document_xml

ARRIVED = datetime(2027, 2, 12, 8, 5, tzinfo=timezone.utc)


def commented_submission(delegation: str, remark: str) -> bytes:
    """A submission with a Word comment by the delegation (python-docx writes real comments)."""
    document = docx.Document()
    paragraph = document.add_paragraph(f"PP1. Text as {delegation} sent it.")
    document.add_comment(paragraph.runs, text=remark, author=delegation, initials=delegation[:2])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tracked_submission() -> bytes:
    """A submission with real tracked changes and comments (the tracked rendering of a round)."""
    return write_consolidated(round_.base_docx(), round_.consolidation(), mode="tracked",
                              now=datetime(2027, 2, 13, tzinfo=timezone.utc))


@pytest.fixture(scope="module")
def dossier(tracked_submission) -> bytes:
    return build_dossier([
        DossierEntry(commented_submission("Egypt", "retain"), "Egypt", ARRIVED),
        DossierEntry(tracked_submission, "Chair", "2027-02-12T09:15:00+00:00"),
        DossierEntry(commented_submission("Turkey", "flexible"), "Turkey", None),
    ])


def test_each_submission_follows_a_heading_naming_the_delegation_and_arrival(dossier):
    headings = [p.text for p in docx.Document(io.BytesIO(dossier)).paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "Egypt — received 12 February 2027, 08:05 UTC",
        "Chair — received 12 February 2027, 09:15 UTC",
        "Turkey — date of arrival unknown",
    ]
    text = [p.text for p in docx.Document(io.BytesIO(dossier)).paragraphs]
    assert text.index("PP1. Text as Egypt sent it.") < text.index(headings[1]) < text.index("PP1. Text as Turkey sent it.")


def test_tracked_changes_keep_their_authors(dossier, tracked_submission):
    def revisions(data):
        return [(r.type, r.author, r.text) for p in read_draft(data, "x.docx").body() for r in p.revisions
                if r.type in ("insert", "delete")]

    assert revisions(dossier) == revisions(tracked_submission)


def test_comments_of_every_submission_are_kept_with_unique_ids(dossier, tracked_submission):
    draft = read_draft(dossier, "dossier.docx")
    authors = [c.author for c in draft.comments]
    expected = ["Egypt"] + [c.author for c in read_draft(tracked_submission, "t.docx").comments] + ["Turkey"]
    assert sorted(authors) == sorted(expected)
    assert {c.text for c in draft.comments} >= {"retain", "flexible", "reservation"}
    ids = [c.id for c in draft.comments]
    assert len(ids) == len(set(ids))
    # Every comment mark in the text has its comment (otherwise Word repairs the file).
    marks = {e.get(qn("w:id")) for e in document_xml(dossier).iter(qn("w:commentReference"))}
    assert marks == set(ids)
    assert draft.warnings == ()


def test_revision_ids_are_unique_across_submissions(dossier):
    body = document_xml(dossier)
    ids = [e.get(qn("w:id")) for e in body.iter(qn("w:ins"), qn("w:del"))]
    assert ids and len(ids) == len(set(ids))


def test_real_word_files_with_comments_keep_them(real_corpus):
    files = [real_corpus / "docxcompose__comments.docx", real_corpus / "pandoc__comments.docx"]
    entries = [DossierEntry(path, path.stem, ARRIVED) for path in files]
    total = sum(len(read_draft(path).comments) for path in files)
    assert len(read_draft(build_dossier(entries), "dossier.docx").comments) == total


def test_an_unreadable_submission_is_named(tmp_path):
    bad = tmp_path / "iran comments (2).docx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 legacy word file")
    with pytest.raises(PackageError, match=r"iran comments \(2\)\.docx"):
        build_dossier([DossierEntry(bad, "Iran")])


def test_an_empty_dossier_is_refused():
    with pytest.raises(DocxioError, match="no submissions"):
        build_dossier([])


def test_command_line_builds_the_dossier_with_delegation_prefixes(tmp_path, capsys):
    egypt = tmp_path / "L5 ICT draft EGY.docx"
    egypt.write_bytes(commented_submission("Egypt", "retain"))
    turkey = tmp_path / "Turkey.docx"
    turkey.write_bytes(commented_submission("Turkey", "flexible"))
    out = tmp_path / "dossier.docx"
    assert concord(["dossier", f"Egypt={egypt}", str(turkey), "-o", str(out)]) == 0
    headings = [p.text.split(" — ")[0] for p in docx.Document(out).paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Egypt", "Turkey"]
    assert "2 submissions" in capsys.readouterr().out


def test_command_line_names_a_missing_file(tmp_path, capsys):
    assert concord(["dossier", str(tmp_path / "absent.docx"), "-o", str(tmp_path / "d.docx")]) == 2
    assert "absent.docx: no such file" in capsys.readouterr().err


def test_building_a_dossier_leaves_python_docx_core_properties_working(dossier):
    # docxcompose rebinds python-docx's "cp" prefix on import; the dossier module puts it back.
    document = docx.Document()
    document.core_properties.revision = 7
    buffer = io.BytesIO()
    document.save(buffer)
    assert docx.Document(io.BytesIO(buffer.getvalue())).core_properties.revision == 7
    core = document_xml(buffer.getvalue(), "docProps/core.xml")
    assert core.find("{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}revision").text == "7"


def test_a_libreoffice_submission_without_a_numbering_part_goes_into_the_dossier(tmp_path):
    # LibreOffice writes <w:numId w:val="0"/> ("no list") but no numbering.xml; docxcompose used
    # to make python-docx create one, which it cannot (NotImplementedError).
    from tests.lodoc import make_docx

    egypt = make_docx({"paragraphs": ["PP1. Concerned about trafficking."], "author": "Egypt", "track": True,
                       "edits": [{"op": "insert", "para": 0, "before": "trafficking", "text": "illicit "}]},
                      tmp_path / "egypt.docx")
    assert "word/numbering.xml" not in zipfile.ZipFile(egypt).namelist()
    assert document_xml(egypt.read_bytes()).find(f".//{qn('w:numId')}") is not None
    dossier = read_draft(build_dossier([DossierEntry(egypt, "Egypt", ARRIVED)]), "dossier.docx")
    assert [p.current for p in dossier.body()][-1] == "PP1. Concerned about illicit trafficking."
    assert [(r.type, r.author, r.text) for p in dossier.body() for r in p.revisions] == [("insert", "Egypt", "illicit ")]


def _strict(package: Path) -> bool:
    rels = zipfile.ZipFile(package).read("_rels/.rels")
    return b"http://purl.oclc.org/ooxml/" in rels


def test_every_readable_real_file_goes_into_a_dossier_with_its_text_changes_and_comments(real_corpus):
    def revisions(draft):
        return [(r.type, r.author, r.text) for p in draft.body() for r in p.revisions if r.type in ("insert", "delete")]

    checked = 0
    for path in sorted(real_corpus.glob("*.docx")):
        try:
            source = read_draft(path)
        except DocxioError:
            continue  # files the reader refuses are refused at intake, before any dossier
        if _strict(path):
            with pytest.raises(PackageError, match=rf"{re.escape(path.name)}: the file is saved as Strict Open XML"):
                build_dossier([DossierEntry(path, path.stem, ARRIVED)])
            continue
        dossier = read_draft(build_dossier([DossierEntry(path, path.stem, ARRIVED)]), "dossier.docx")
        # The dossier starts with its title and the heading, then the submission as it was.
        assert [p.current for p in dossier.body()][2:] == [p.current for p in source.body()], path.name
        assert revisions(dossier) == revisions(source), path.name
        assert len(dossier.comments) == len(source.comments), path.name
        checked += 1
    assert checked >= 40
