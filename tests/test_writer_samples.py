"""Both renderings of the sample round (samples/): opened by python-docx, LibreOffice and pandoc,
read back by the reader, and the two renderings carrying the same proposals."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest

from docxio.compilation import compilation_to_tracked
from docxio.consolidation import Submission, consolidate
from docxio.delegations import load_registry
from docxio.ooxml import qn
from docxio.paragraph_plan import names
from docxio.reader import read_draft
from docxio.schema_order import order_problems
from docxio.writer import write_consolidated
from tests.conftest import SAMPLES
from tests.writer_support import document_xml

NOW = datetime(2027, 2, 13, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def sample_round():
    """The sample round's base file and its consolidation (submissions in order of arrival)."""
    base = SAMPLES / "base.docx"
    manifest_file = SAMPLES / "manifest.json"
    if not base.exists() or not manifest_file.exists():
        pytest.skip("the sample round is not generated (make samples)")
    registry = load_registry(SAMPLES / "delegations.csv")
    submissions = []
    for entry in json.loads(manifest_file.read_text(encoding="utf-8")):
        path = SAMPLES / "submissions" / entry["file"]
        if path.exists():
            submissions.append(Submission(draft=read_draft(path, path.name), file=path.name,
                                          delegation=entry["delegation"], arrived=entry["arrived"],
                                          sender=entry.get("sender")))
    return base, consolidate(read_draft(base, base.name), submissions, registry)


@pytest.fixture(scope="module")
def renderings(sample_round, tmp_path_factory) -> dict[str, Path]:
    base, consolidation = sample_round
    folder = tmp_path_factory.mktemp("sample-renderings")
    paths = {mode: folder / f"{mode}.docx" for mode in ("compilation", "tracked")}
    for mode, path in paths.items():
        write_consolidated(base, consolidation, path, mode=mode, now=NOW)
    return paths


def merged_changes(paragraph) -> list[tuple[str, str, str]]:
    """(insert|delete, author, text) of a paragraph, adjacent pieces of one change joined (a reader
    may cut a change where formatting changes)."""
    result: list[list[str]] = []
    joinable = False
    for span in paragraph.spans:
        if span.inserted is None and span.deleted is None:
            joinable = False  # base text between two changes keeps them apart
            continue
        for kind, revision in (("insert", span.inserted), ("delete", span.deleted)):
            if revision is None:
                continue
            if joinable and result[-1][:2] == [kind, revision.author]:
                result[-1][2] += span.text
            else:
                result.append([kind, revision.author, span.text])
            joinable = True
    return [tuple(change) for change in result]


def test_both_renderings_open_in_python_docx_and_follow_the_schema_order(renderings):
    for mode, path in renderings.items():
        document = docx.Document(path)
        assert any("Concerned about the increase" in p.text for p in document.paragraphs), mode
        assert order_problems(document_xml(path.read_bytes())) == [], mode


def test_every_proposal_of_the_round_is_in_the_tracked_rendering_with_its_delegations(sample_round, renderings):
    _, consolidation = sample_round
    draft = read_draft(renderings["tracked"], "tracked.docx")
    inserted = Counter()
    for paragraph in draft.body():
        for kind, author, text in merged_changes(paragraph):
            if kind == "insert":
                inserted[(author, text)] += 1
    for entry in consolidation.paragraphs:
        for proposal in entry.proposals:
            if proposal.kind in ("insert", "replace") and proposal.inserted:
                author = ", ".join(names(proposal.delegations))
                assert any(a == author and proposal.inserted in t for (a, t) in inserted), (entry.id, proposal)
            if proposal.kind == "new_paragraph":
                author = ", ".join(names(proposal.delegations))
                assert any(a == author and t.endswith(proposal.inserted) for (a, t) in inserted), (entry.id, proposal)


def test_deletions_of_the_round_are_tracked_by_the_deleting_delegations(sample_round, renderings):
    _, consolidation = sample_round
    draft = read_draft(renderings["tracked"], "tracked.docx")
    deleted = "".join(span.text for p in draft.body() for span in p.spans if span.deleted is not None)
    authors = {span.deleted.author for p in draft.body() for span in p.spans if span.deleted is not None}
    for entry in consolidation.paragraphs:
        for proposal in entry.proposals:
            if proposal.deleted and not proposal.group:
                assert proposal.deleted in deleted, (entry.id, proposal)
                assert ", ".join(names(proposal.delegations)) in authors


def test_the_compilation_reads_back_as_the_same_changes_as_the_tracked_rendering(renderings):
    tracked = read_draft(renderings["tracked"], "tracked.docx")
    compiled = compilation_to_tracked(read_draft(renderings["compilation"], "compilation.docx"))

    def changes(draft):
        return [change for p in draft.body() for change in merged_changes(p)]

    # A move is a tracked move in one and a note "(move after OP12: Mexico)" in the other
    # (tests/test_writer_moves.py): compare the text changes.
    moved = {(kind, revision.author, revision.text) for p in tracked.body() for revision in p.revisions
             if revision.type in ("move_from", "move_to") for kind in ("insert", "delete")}
    assert changes(compiled) == [c for c in changes(tracked) if c not in moved]


@pytest.mark.libreoffice
def test_libreoffice_opens_both_and_counts_our_tracked_changes(renderings, tmp_path):
    from lxml import etree

    from addin.render import convert_with_libreoffice
    from tests.test_writer_office import ODF, our_revisions

    for path in renderings.values():
        assert convert_with_libreoffice(path, "pdf", tmp_path).stat().st_size > 0
    root = etree.parse(str(convert_with_libreoffice(renderings["tracked"], "fodt", tmp_path))).getroot()
    theirs = Counter(
        (etree.QName(region[0]).localname, region[0].findtext(".//dc:creator", namespaces=ODF))
        for region in root.iterfind(".//text:changed-region", ODF)
    )
    # LibreOffice counts the changes of every story: the proposed footnote's text is one too.
    footnotes = document_xml(renderings["tracked"].read_bytes(), "word/footnotes.xml")
    in_footnotes = Counter(("insertion" if e.tag == qn("w:ins") else "deletion", e.get(qn("w:author")))
                           for e in footnotes.iter(qn("w:ins"), qn("w:del")) if e.getparent().tag != qn("w:rPr"))
    assert theirs == Counter(our_revisions(renderings["tracked"])) + in_footnotes


def test_pandoc_sees_the_delegation_authors(renderings):
    from tests.test_writer_office import our_revisions, pandoc_changes

    theirs = {author for _, author, _ in pandoc_changes(renderings["tracked"])}
    ours = {author for _, author in our_revisions(renderings["tracked"])}
    assert theirs == ours
