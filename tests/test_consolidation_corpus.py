"""Real Word, LibreOffice and Google Docs files from ../shared/corpus/real: a file sent back
unchanged proposes nothing, whatever tracked changes, moves, tables and comments it carries — they
are all an earlier round's, already in the base."""
from __future__ import annotations

from docxio.consolidation import Submission, consolidate
from docxio.delegations import Registry
from docxio.errors import DocxioError
from docxio.reader import read_draft


def test_a_file_sent_back_unchanged_proposes_nothing(real_corpus):
    checked, noisy = 0, []
    for path in sorted(real_corpus.glob("*.docx")):
        try:
            draft = read_draft(path)
        except DocxioError:
            continue  # files the reader refuses (strict, encrypted...) are the reader's tests
        result = consolidate(draft, [Submission(draft, path.name, "Testland")], Registry([]))
        found = [(p.id, q.kind) for p in result.paragraphs for q in p.proposals]
        found += [(p.id, "stance") for p in result.paragraphs for _ in p.stances]
        if found or result.stances:
            noisy.append((path.name, found[:3]))
        checked += 1
    assert checked >= 50
    assert noisy == []


def test_files_of_another_draft_are_flagged_and_nothing_is_dropped(real_corpus):
    """Sixty unrelated documents sent as submissions of the sample round: each is kept (its text
    becomes new paragraphs, well past "tricies") and flagged as probably not a markup of this draft."""
    from pathlib import Path

    from docxio.delegations import load_registry

    samples = Path(__file__).resolve().parent.parent / "samples"
    base = read_draft(samples / "base.docx")
    subs = []
    for path in sorted(real_corpus.glob("*.docx")):
        try:
            subs.append(Submission(read_draft(path), path.name, "Testland"))
        except DocxioError:
            continue
    result = consolidate(base, subs, load_registry(samples / "delegations.csv"))
    flagged = [s.file for s in result.submissions if any("is it a markup of this draft?" in w for w in s.warnings)]
    assert len(flagged) >= 50
    new_ids = [p.id for p in result.paragraphs if p.new]
    assert len(new_ids) == len(set(new_ids)) > 100  # every new paragraph has its own identifier
