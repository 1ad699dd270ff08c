"""`concord inspect` on a compilation text says what Concord reads in it.

Found inspecting the sample round's compilation.docx: "Authors: none", "Revisions: none" and not
one proposal listed, although the file is full of attributed proposals — the officer about to
upload a hand-edited compilation as the next round's base could not check what Concord would
credit to whom.
"""
from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone

import docx

from addin.commands.inspect import main
from docxio.writer import write_consolidated
from tests import writer_support as round_

NOW = datetime(2027, 2, 13, 9, 30, tzinfo=timezone.utc)


def inspect(path, capsys, as_json: bool = False) -> str:
    assert main(argparse.Namespace(file=str(path), json=as_json)) == 0
    return capsys.readouterr().out


def test_a_compilation_text_is_read_as_the_delegations_proposals(tmp_path, capsys):
    path = tmp_path / "compilation.docx"
    write_consolidated(round_.base_docx(), round_.consolidation(), path, now=NOW)
    shown = inspect(path, capsys)
    assert "Revisions: none" in shown  # no tracked changes in the file itself …
    section = shown[shown.index("Compilation text:"):]  # … but its marks and attributions are read
    assert 'insert by Singapore " and abuse"' in section
    assert 'delete by Egypt, Singapore "illicit "' in section
    assert 'insert by Mexico "Acknowledging"' in section
    assert "Turkey: retain" in section and "Egypt: flexible" in section
    reading = json.loads(inspect(path, capsys, as_json=True))
    found = {(r["type"], r["author"], r["text"]) for p in reading["compilation"] for r in p["revisions"]}
    assert ("insert", "Singapore", " and abuse") in found


def test_a_draft_with_tracked_changes_or_no_marks_has_no_compilation_section(tmp_path, capsys):
    tracked = tmp_path / "tracked.docx"
    write_consolidated(round_.base_docx(), round_.consolidation(), tracked, mode="tracked", now=NOW)
    plain = tmp_path / "plain.docx"  # a draft without tracked changes or attributions
    document = docx.Document()
    document.add_paragraph(round_.PP1)
    document.add_paragraph("PP2. Recognizing the role of regional bodies (including Interpol),")
    document.save(plain)
    for path in (tracked, plain):
        assert "Compilation text:" not in inspect(path, capsys)
        assert "compilation" not in json.loads(inspect(path, capsys, as_json=True))
