"""What the speed work on reading must keep: the same drafts and identifiers, memory freed as soon
as a draft is dropped, and no crash on the rare spellings a fast path could miss.

Timing itself is measured only in ``make bench`` (bench/bench_read.py, bench/bench_merge.py).
"""
from __future__ import annotations

import gc
from pathlib import Path

import pytest

from docxio import raw_paragraphs
from docxio.identification import assign_identifiers
from docxio.identifiers import ordinal_value, parse_label
from docxio.reader import read_draft

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_FILES = sorted([SAMPLES / "base.docx", SAMPLES / "round0.docx", *(SAMPLES / "submissions").glob("*.docx")])


def _drafts(paths: list[Path]):
    return [read_draft(path) for path in paths]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_a_read_draft_frees_its_memory_when_dropped(path: Path) -> None:
    # A reader whose objects point at each other keeps every part's XML tree, paragraph and
    # revision alive until Python's cycle collector happens to run: memory grows while a round's
    # submissions are read, and the collector's passes over it were a third of the merge time.
    gc.collect()
    gc.disable()
    try:
        draft = read_draft(path)
        assert draft.paragraphs  # read for real
        del draft
        left_for_the_collector = gc.collect()
    finally:
        gc.enable()
    assert left_for_the_collector == 0


def test_the_reader_gives_the_identifiers_assign_identifiers_gives(real_corpus: Path) -> None:
    # The reader identifies its raw paragraphs and builds each model paragraph once; the public
    # function works on model paragraphs. Both must name every paragraph alike.
    paths = SAMPLE_FILES + sorted(real_corpus.glob("*.docx"))
    checked = 0
    for path in paths:
        try:
            draft = read_draft(path)
        except Exception:  # files the reader refuses (legacy formats) are other tests' business
            continue
        body = list(draft.body())
        again = assign_identifiers(body)
        assert [(p.id, p.id_source, p.label) for p in body] == [(p.id, p.id_source, p.label) for p in again], path.name
        checked += 1
    assert checked >= len(SAMPLE_FILES)


def test_building_the_model_through_its_constructors_gives_the_same_draft(monkeypatch) -> None:
    # Spans, revisions and paragraphs are built by filling their fields directly (much faster than
    # a frozen dataclass's __init__); if the model changes, the reader falls back to the
    # constructors. Both ways must give equal drafts.
    fast = _drafts(SAMPLE_FILES)
    monkeypatch.setattr(raw_paragraphs, "_FILL_DIRECTLY", False)
    assert _drafts(SAMPLE_FILES) == fast


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PP3 \u017fexies. Recalling", "PP3 sexies"),  # a long s matches "s" case-insensitively
        ("  PP5. Noting", "PP5"),  # white space before the label
        ("\u0663. Decides", "OP3"),  # an Arabic-Indic digit is a digit
        ("[pp2] Concerned", "PP2"),
        ("op9BIS Calls upon", "OP9 bis"),
        ("12 ter alt 2. Requests", "OP12 ter alt 2"),
        ("Operative paragraphs follow", None),  # starts with O, is no label
        ("Paragraph 5", None),  # starts with P, is no label
        ("Recognizing that", None),
        ("", None),
        ("   ", None),
    ],
)
def test_labels_are_read_whatever_their_first_character(text: str, expected: str | None) -> None:
    found = parse_label(text)
    assert (found.id if found else None) == expected


def test_a_long_s_ordinal_has_its_value() -> None:
    assert ordinal_value("\u017fexies") == 6
    assert ordinal_value("SEXIES") == 6
