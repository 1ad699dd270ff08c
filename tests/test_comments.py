"""Comments: words, authors, anchors (ranges and point comments), replies and resolved state."""
from __future__ import annotations

from docxio.inspection import inspection_json
from docxio.reader import read_draft
from test_reader import docx_from_xml, para, rev, run

W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W16CID = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
W16CEX = "http://schemas.microsoft.com/office/word/2018/wordml/cex"


def comment(cid: str, author: str, *paragraphs: tuple[str, str], date: str | None = "2027-02-10T09:30:00") -> str:
    """A w:comment whose paragraphs are (w14:paraId, text) pairs."""
    when = f' w:date="{date}"' if date else ""
    body = "".join(
        f'<w:p w14:paraId="{pid}"><w:r><w:annotationRef/></w:r><w:r><w:t>{text}</w:t></w:r></w:p>'
        for pid, text in paragraphs
    )
    return f'<w:comment w:id="{cid}" w:author="{author}" w:initials="{author[:2]}"{when}>{body}</w:comment>'


def comments_part(*comments: str) -> str:
    return f"<w:comments NAMESPACES>{''.join(comments)}</w:comments>"


def extended(*entries: str) -> str:
    return f'<w15:commentsEx xmlns:w15="{W15}">{"".join(entries)}</w15:commentsEx>'


THREAD_BODY = (
    para(run("PP1. "), '<w:commentRangeStart w:id="0"/>', run("Concerned about"))
    + para(run("the trafficking"), '<w:commentRangeEnd w:id="0"/>', '<w:r><w:commentReference w:id="0"/></w:r>')
    + para(run("OP1. Decides"), '<w:r><w:commentReference w:id="2"/></w:r>')
)
THREAD_COMMENTS = comments_part(
    comment("0", "Turkey", ("0A000001", "retain"), ("0A000002", "as in the base text")),
    comment("1", "Egypt", ("0B000001", "flexible")),
    comment("2", "Iran", ("0C000001", "reservation")),
)


def read_thread(extended_xml: str | None = None, **parts: str):
    all_parts = {"comments.xml": THREAD_COMMENTS, **parts}
    if extended_xml is not None:
        all_parts["commentsExtended.xml"] = extended_xml
    return read_draft(docx_from_xml(THREAD_BODY, parts=all_parts), "thread.docx")


def test_comment_words_author_initials_date_and_anchor_across_paragraphs():
    draft = read_thread()
    first = draft.comment("0")
    assert (first.author, first.initials, first.date) == ("Turkey", "Tu", "2027-02-10T09:30:00")
    assert first.text == "retain\nas in the base text"
    assert first.anchor == "Concerned about\nthe trafficking"
    assert first.paragraphs == (0, 1)
    assert [p.comment_ids for p in draft.body()] == [("0",), ("0",), ("2",)]


def test_point_comment_has_no_anchor_text_and_sits_in_its_paragraph():
    point = read_thread().comment("2")
    assert point.anchor == "" and point.paragraphs == (2,)


def test_replies_and_resolved_state_are_keyed_by_the_last_paragraph_of_each_comment():
    draft = read_thread(extended(
        '<w15:commentEx w15:paraId="0A000002" w15:done="1"/>',
        # The reply names the LAST paragraph of comment 0 as its parent.
        '<w15:commentEx w15:paraId="0B000001" w15:paraIdParent="0A000002" w15:done="0"/>',
        '<w15:commentEx w15:paraId="0C000001" w15:done="0"/>',
    ))
    first, reply, point = draft.comments
    assert (first.parent, first.resolved) == (None, True)
    assert (reply.parent, reply.resolved) == ("0", False)
    assert (point.parent, point.resolved) == (None, False)
    assert first.para_id == "0A000002"


def test_a_reply_whose_parent_is_not_in_the_file_keeps_no_parent():
    draft = read_thread(extended('<w15:commentEx w15:paraId="0B000001" w15:paraIdParent="DEADBEEF" w15:done="0"/>'))
    assert draft.comment("1").parent is None


def test_durable_ids_and_utc_dates_from_comments_ids_and_extensible():
    comments = comments_part(comment("0", "Cuba", ("0D000001", "support"), date=None))
    parts = {
        "comments.xml": comments,
        "commentsIds.xml": f'<w16cid:commentsIds xmlns:w16cid="{W16CID}"><w16cid:commentId w16cid:paraId="0D000001" w16cid:durableId="5A5A5A5A"/></w16cid:commentsIds>',
        "commentsExtensible.xml": f'<w16cex:commentsExtensible xmlns:w16cex="{W16CEX}"><w16cex:commentExtensible w16cex:durableId="5A5A5A5A" w16cex:dateUtc="2027-02-10T08:30:00Z"/></w16cex:commentsExtensible>',
    }
    draft = read_draft(docx_from_xml(para('<w:commentRangeStart w:id="0"/>', run("x"), '<w:commentRangeEnd w:id="0"/>'), parts=parts), "c.docx")
    (c,) = draft.comments
    assert (c.durable_id, c.date) == ("5A5A5A5A", "2027-02-10T08:30:00Z")


def test_anchor_inside_tracked_changes_keeps_the_marked_up_text():
    draft = read_draft(docx_from_xml(
        para(
            run("for "), '<w:commentRangeStart w:id="0"/>',
            rev("del", "1", "Iran", run("drug related money laundering", tag="w:delText")),
            rev("ins", "2", "Iran", run("all proceeds of crime")), '<w:commentRangeEnd w:id="0"/>',
            '<w:r><w:commentReference w:id="0"/></w:r>',
        ),
        parts={"comments.xml": comments_part(comment("0", "Mexico", ("0E000001", "delete")))},
    ), "c.docx")
    (c,) = draft.comments
    assert c.anchor == "drug related money laundering" "all proceeds of crime"
    spans = [s for s in draft.body()[0].spans if s.comment_ids == ("0",)]
    assert {s.text for s in spans} == {"drug related money laundering", "all proceeds of crime"}


def test_comment_authors_join_revision_authors_in_first_seen_order():
    draft = read_draft(docx_from_xml(
        para(rev("ins", "1", "Iran", run("x")), '<w:r><w:commentReference w:id="0"/></w:r>'),
        parts={"comments.xml": comments_part(comment("0", "", ("0F000001", "flexible")))},
    ), "c.docx")
    assert draft.authors == ("Iran", "")  # an empty comment author is kept, not dropped


def test_inspect_json_comment_fields(real_corpus):
    report = inspection_json(read_draft(real_corpus / "superdoc__basic-resolved-comment.docx"))
    assert all(set(c) == {"id", "author", "initials", "date", "text", "anchor", "paragraph", "parent", "resolved"}
               for c in report["comments"])
    assert [c["resolved"] for c in report["comments"]].count(True) == 1
    body = [p for p in report["paragraphs"] if p["story"] == "body"]
    for c in report["comments"]:
        if c["paragraph"] is not None and c["anchor"]:
            assert c["id"] in body[c["paragraph"]]["comments"]


def test_real_threads_with_the_preview_w15_namespace_are_read(real_corpus):
    """Word 2013 files (Open XML SDK corpus) carry w15 under its 2010/11 preview URI."""
    draft = read_draft(real_corpus / "openxmlsdk__Comment020.docx")
    replies = [c for c in draft.comments if c.parent]
    assert replies and all(draft.comment(c.parent) is not None for c in replies)
    assert any(c.resolved for c in draft.comments)


def test_real_comment_on_text_deleted_inside_an_insertion(real_corpus):
    draft = read_draft(real_corpus / "docx-rs__comment_in_delete_in_insert.docx")
    (c,) = draft.comments
    (p,) = [p for p in draft.body() if c.id in p.comment_ids]
    covered = "".join(s.text for s in p.spans if c.id in s.comment_ids)
    assert c.anchor == covered and c.anchor
    assert any(s.deleted is not None for s in p.spans if c.id in s.comment_ids)


def test_real_multi_paragraph_comment_text(real_corpus):
    """A comment of two paragraphs keeps both, one per line (LibreOffice wrote this one)."""
    draft = read_draft(real_corpus / "poi__comment_libreoffice.docx")
    (c,) = draft.comments
    lines = c.text.split("\n")
    assert lines[0] == "This is the first line" and lines[-1] == "This is the second line"
    comment_paragraphs = [p.current for p in draft.paragraphs if p.story == "comment" and p.story_id == c.id]
    assert lines == comment_paragraphs


def test_empty_comment_authors_are_kept(real_corpus):
    draft = read_draft(real_corpus / "python-docx__comments-rich-para.docx")
    assert [c.author for c in draft.comments] == ["Steve Canny", "", "", ""]
