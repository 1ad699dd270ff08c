"""What the second round of speed work on reading and merging must keep.

* Plain paragraphs (runs of text, no revision, format, field, note or comment mark) are read in one
  loop instead of the element-by-element walk: the drafts must be the same either way, including
  around what is "in force" across paragraphs (a comment range, a field code).
* Plain paragraphs are shared between the drafts of a round: same drafts, one copy kept.
* Reading raises the garbage collector's threshold for its duration: restored afterwards, also
  when reads overlap on several threads (the Flask server) or fail.

Timing itself is measured only in ``make bench`` (bench/bench_read.py, bench/bench_merge.py).
"""
from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

from docxio import raw_paragraphs, story_walker
from docxio.errors import DocxioError
from docxio.garbage_collection import READING_THRESHOLD, fewer_collections
from docxio.reader import read_draft
from tests.test_reader import docx_from_xml, para, rev, run

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_FILES = sorted([SAMPLES / "base.docx", SAMPLES / "round0.docx", *(SAMPLES / "submissions").glob("*.docx")])


def _read_all(paths: list[Path]) -> dict[str, object]:
    out: dict[str, object] = {}
    for path in paths:
        try:
            out[path.name] = read_draft(path)
        except DocxioError as exc:  # files the reader refuses must still be refused alike
            out[path.name] = str(exc)
    return out


def test_plain_paragraphs_read_in_one_loop_give_the_drafts_the_walk_gives(real_corpus: Path, monkeypatch) -> None:
    paths = SAMPLE_FILES + sorted(real_corpus.glob("*.docx"))
    fast = _read_all(paths)
    monkeypatch.setattr(story_walker, "_PLAIN_TRIES", -1)  # never try: every paragraph is walked
    raw_paragraphs.forget_shared_paragraphs()
    assert _read_all(paths) == fast


def test_sharing_plain_paragraphs_between_drafts_gives_the_same_drafts(real_corpus: Path, monkeypatch) -> None:
    paths = SAMPLE_FILES + sorted(real_corpus.glob("*.docx"))
    shared = _read_all(paths)
    monkeypatch.setattr(raw_paragraphs, "_SHARED_TEXT_LENGTH", -1)  # nothing is shared
    assert _read_all(paths) == shared


def _plain(paragraph) -> bool:
    """One stretch of text with no revision, format, note or comment."""
    spans = paragraph.spans
    return (not paragraph.revisions and not paragraph.comment_ids and len(spans) == 1
            and not (spans[0].underline or spans[0].strike or spans[0].bold or spans[0].footnote))


def test_a_round_keeps_one_copy_of_the_paragraphs_its_submissions_leave_untouched() -> None:
    base = read_draft(SAMPLES / "base.docx")
    submission = read_draft(sorted((SAMPLES / "submissions").glob("*.docx"))[0])
    untouched = [(b, s) for b, s in zip(base.body(), submission.body()) if b == s and _plain(b)]
    assert untouched, "the sample submission leaves some paragraphs of the base unchanged"
    assert all(b is s for b, s in untouched)


def test_a_plain_paragraph_inside_a_comment_range_is_anchored_and_named() -> None:
    comments = (
        '<w:comments NAMESPACES><w:comment w:id="7" w:author="Egypt" w:date="2027-02-10T09:30:00Z">'
        '<w:p><w:r><w:t>retain</w:t></w:r></w:p></w:comment></w:comments>'
    )
    body = (
        para(run("PP1. Recalling "), '<w:commentRangeStart w:id="7"/>', run("its resolution"))
        + para(run("PP2. Noting with concern the rise"), '<w:bookmarkStart w:id="1" w:name="x"/>')
        + para(run("PP3. Welcoming"), '<w:commentRangeEnd w:id="7"/>',
               '<w:r><w:commentReference w:id="7"/></w:r>', run(" the report"))
        + para(run("PP4. Stressing"))
    )
    draft = read_draft(docx_from_xml(body, {"comments.xml": comments}), "test.docx")
    paragraphs = list(draft.body())
    assert [p.comment_ids for p in paragraphs] == [("7",), ("7",), ("7",), ()]
    assert paragraphs[1].spans[0].comment_ids == ("7",)
    (comment,) = draft.comments
    assert comment.anchor == "its resolution\nPP2. Noting with concern the rise\nPP3. Welcoming"


def test_a_plain_paragraph_in_a_text_box_inserted_with_its_run_is_inserted_text() -> None:
    # The text box's paragraph holds only a run of text, but the picture around it was inserted:
    # its text is the insertion's, which the walk knows and the paragraph's own XML does not say.
    box = (
        '<w:r><w:pict><v:shape><v:textbox><w:txbxContent>'
        + para(run("Box text"))
        + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    body = para(run("OP1. Decides "), rev("ins", "3", "Mexico", box))
    draft = read_draft(docx_from_xml(body), "test.docx")
    inner = draft.body()[1]
    assert inner.current == "Box text" and inner.original == ""
    assert [(s.text, s.inserted.author if s.inserted else None) for s in inner.spans] == [("Box text", "Mexico")]


def test_fast_and_walked_paragraphs_agree_on_styles_bookmarks_fonts_and_page_breaks(monkeypatch) -> None:
    body = (
        para(run("PP1. Recalling", '<w:rFonts w:ascii="Arial"/><w:sz w:val="22"/>'),
             '<w:proofErr w:type="spellStart"/>', run(" its", "<w:lang w:val=\"en-GB\"/>"),
             ppr='<w:pStyle w:val="Heading2"/><w:jc w:val="both"/>')
        + '<w:p><w:r><w:lastRenderedPageBreak/><w:t>OP1. Decides</w:t></w:r></w:p>'
        + para(run("OP2. Underlined", "<w:u w:val=\"single\"/>"))
        + para(run("OP3. Requests "), rev("ins", "5", "Egypt", run("urgently")))
        + "<w:p/>"
    )
    data = docx_from_xml(body)
    fast = read_draft(data, "test.docx")
    monkeypatch.setattr(story_walker, "_PLAIN_TRIES", -1)
    raw_paragraphs.forget_shared_paragraphs()
    walked = read_draft(data, "test.docx")
    assert fast == walked
    assert fast.body()[0].style == "Heading2"
    assert fast.body()[0].current == "PP1. Recalling its"
    assert fast.body()[2].spans[0].underline


def test_reading_raises_the_collector_threshold_only_while_it_reads() -> None:
    before = gc.get_threshold()
    seen: list[int] = []
    with fewer_collections():
        seen.append(gc.get_threshold()[0])
        with fewer_collections():  # nested: still raised, restored only by the outer exit
            seen.append(gc.get_threshold()[0])
        seen.append(gc.get_threshold()[0])
    assert seen == [max(before[0], READING_THRESHOLD)] * 3
    assert gc.get_threshold() == before
    read_draft(SAMPLES / "base.docx")
    assert gc.get_threshold() == before


def test_the_threshold_is_restored_after_a_failed_read() -> None:
    before = gc.get_threshold()
    with pytest.raises(DocxioError):
        read_draft(b"not a word document", "broken.docx")
    assert gc.get_threshold() == before


def test_overlapping_reads_on_several_threads_restore_the_threshold_when_the_last_ends() -> None:
    before = gc.get_threshold()
    inside = threading.Barrier(4)
    leave = threading.Event()
    raised_while_others_read: list[int] = []
    errors: list[BaseException] = []

    def reader(k: int) -> None:
        try:
            with fewer_collections():
                read_draft(SAMPLE_FILES[k % len(SAMPLE_FILES)])
                inside.wait(timeout=30)  # all four are inside at once
                if k == 0:
                    leave.set()
                else:
                    leave.wait(timeout=30)
                raised_while_others_read.append(gc.get_threshold()[0])
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert raised_while_others_read == [max(before[0], READING_THRESHOLD)] * 4
    assert gc.get_threshold() == before
