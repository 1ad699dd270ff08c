"""`concord inspect` as a user runs it: the installed console script, in a subprocess."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CONCORD = Path(sys.executable).with_name("concord")

TOP_KEYS = {"file", "producer", "paragraphs", "comments", "authors"}
PARAGRAPH_KEYS = {"index", "story", "id", "id_source", "original", "current", "revisions", "comments"}
REVISION_KEYS = {"type", "author", "date", "id", "text"}
COMMENT_KEYS = {"id", "author", "initials", "date", "text", "anchor", "paragraph", "parent", "resolved"}
REVISION_TYPES = {"insert", "delete", "move_from", "move_to", "format", "paragraph_insert", "paragraph_delete",
                  "paragraph_format", "table", "section", "numbering"}
STORIES = {"body", "footnote", "endnote", "header", "footer", "comment"}


def concord(*args: str) -> subprocess.CompletedProcess:
    if not CONCORD.exists():
        pytest.fail(f"{CONCORD} is missing: install the project with `make test` (pip install -e .)")
    return subprocess.run([str(CONCORD), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", ["aspose__Revision_footnotes.docx", "docxcompose__comments.docx"])
def test_inspect_json_has_exactly_the_issue_keys(real_corpus, name):
    done = concord("inspect", str(real_corpus / name), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == TOP_KEYS
    assert report["file"] == name
    assert report["producer"] == "Microsoft Office Word 16.0000"
    assert report["paragraphs"] and report["comments"]
    for p in report["paragraphs"]:
        assert set(p) == PARAGRAPH_KEYS and p["story"] in STORIES
        for r in p["revisions"]:
            assert set(r) == REVISION_KEYS and r["type"] in REVISION_TYPES
    for c in report["comments"]:
        assert set(c) == COMMENT_KEYS


def test_inspect_json_reports_revisions_of_footnotes_and_moves(real_corpus):
    report = json.loads(concord("inspect", str(real_corpus / "aspose__Revision_footnotes.docx"), "--json").stdout)
    kinds = {(p["story"], r["type"]) for p in report["paragraphs"] for r in p["revisions"]}
    assert {("body", "move_from"), ("body", "move_to"), ("footnote", "insert"), ("footnote", "delete")} <= kinds
    assert report["authors"] == ["R PC"]


def test_inspect_human_summary(real_corpus):
    done = concord("inspect", str(real_corpus / "pandoc__track_changes_move.docx"))
    assert done.returncode == 0, done.stderr
    assert "File: pandoc__track_changes_move.docx" in done.stdout
    assert "Made with: Microsoft Macintosh Word 14.0000" in done.stdout
    assert "move_from" in done.stdout and "move_to" in done.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"plain words, not a document", "not a Word document"),
        (b"PK\x03\x04 truncated zip", "inspect-me.docx"),
    ],
)
def test_inspect_bad_file_says_which_file_and_why_with_exit_code_2(tmp_path, content, expected):
    bad = tmp_path / "inspect-me.docx"
    bad.write_bytes(content)
    done = concord("inspect", str(bad), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "inspect-me.docx" in done.stderr and expected in done.stderr
    assert "Traceback" not in done.stderr


def test_inspect_missing_file(tmp_path):
    done = concord("inspect", str(tmp_path / "absent.docx"))
    assert done.returncode == 2
    assert "absent.docx" in done.stderr and "Traceback" not in done.stderr
