"""Comments: who wrote them, when, what they reply to and whether they are resolved.

A comment's words are paragraphs of the comment story, read like any other story by
``docxio.reader``; this module reads what surrounds them:

* ``comments.xml``: id, author, initials, date of each ``w:comment``;
* ``commentsExtended.xml`` (Word 2013+): ``w15:paraIdParent`` (the comment it replies to) and
  ``w15:done`` (resolved), both keyed by the ``w14:paraId`` of the comment's LAST paragraph;
* ``commentsIds.xml`` (Word 2016+): the durable id of each comment, keyed the same way;
* ``commentsExtensible.xml`` (Word 365): the UTC date by durable id, used when ``w:date`` is absent.

Files without the extended parts (LibreOffice, Google Docs, old Word) have no threads: every
comment is then a top-level, unresolved comment.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from docxio import ooxml
from docxio.model import Comment


@dataclass(frozen=True)
class CommentHeader:
    """What ``comments.xml`` says about one comment besides its words."""

    id: str
    author: str
    initials: str
    date: str | None
    last_para_id: str | None


@dataclass(frozen=True)
class CommentThreads:
    """The extended comment parts, keyed by paragraph id (``w14:paraId``) or durable id."""

    parent_para: dict[str, str] = field(default_factory=dict)
    done: dict[str, bool] = field(default_factory=dict)
    durable_id: dict[str, str] = field(default_factory=dict)
    date_utc: dict[str, str] = field(default_factory=dict)


def comment_headers(comments_root: etree._Element | None) -> list[CommentHeader]:
    """The comments of a (namespace-normalised) ``comments.xml`` root, in file order."""
    if comments_root is None:
        return []
    headers = []
    for comment in comments_root.iter(ooxml.W_COMMENT):
        last_para_id = None
        for p in comment.iter(ooxml.W_P):
            last_para_id = p.get(ooxml.W14_PARA_ID) or last_para_id
        headers.append(
            CommentHeader(
                id=comment.get(ooxml.W_ID, ""),
                author=comment.get(ooxml.W_AUTHOR, ""),
                initials=comment.get(ooxml.W_INITIALS, ""),
                date=comment.get(ooxml.W_DATE),
                last_para_id=last_para_id,
            )
        )
    return headers


def comment_threads(
    extended: etree._Element | None,
    ids: etree._Element | None = None,
    extensible: etree._Element | None = None,
) -> CommentThreads:
    """Read commentsExtended / commentsIds / commentsExtensible roots (any may be None)."""
    threads = CommentThreads()
    if extended is not None:
        for ex in extended.iter(ooxml.W15_COMMENT_EX):
            para = ex.get(ooxml.W15_PARA_ID)
            if not para:
                continue
            parent = ex.get(ooxml.W15_PARA_ID_PARENT)
            if parent:
                threads.parent_para[para] = parent
            threads.done[para] = ooxml.is_on_value(ex.get(ooxml.W15_DONE, "0"))
    if ids is not None:
        for cid in ids.iter(ooxml.W16CID_COMMENT_ID):
            para, durable = cid.get(ooxml.W16CID_PARA_ID), cid.get(ooxml.W16CID_DURABLE_ID)
            if para and durable:
                threads.durable_id[para] = durable
    if extensible is not None:
        for cex in extensible.iter(ooxml.W16CEX_COMMENT_EXTENSIBLE):
            durable, date = cex.get(ooxml.W16CEX_DURABLE_ID), cex.get(ooxml.W16CEX_DATE_UTC)
            if durable and date:
                threads.date_utc[durable] = date
    return threads


def build_comments(
    headers: list[CommentHeader],
    threads: CommentThreads,
    texts: Mapping[str, str],
    anchors: Mapping[str, str],
    anchored_paragraphs: Mapping[str, tuple[int, ...]],
) -> tuple[Comment, ...]:
    """Join headers, threads and what the reader found in the stories into ``Comment`` values.

    ``texts`` maps a comment id to its words (its paragraphs joined by newlines), ``anchors`` to
    the text its range covers, ``anchored_paragraphs`` to the paragraph indexes it is anchored on.
    A reply whose parent paragraph id names no comment keeps ``parent=None``: the thread is broken
    in the file, and inventing a parent would misattribute the reply.
    """
    id_by_para = {h.last_para_id: h.id for h in headers if h.last_para_id}
    comments = []
    for h in headers:
        para = h.last_para_id
        parent = id_by_para.get(threads.parent_para.get(para, "")) if para else None
        durable = threads.durable_id.get(para) if para else None
        date = h.date or (threads.date_utc.get(durable) if durable else None)
        comments.append(
            Comment(
                id=h.id,
                author=h.author,
                initials=h.initials,
                date=date,
                text=texts.get(h.id, ""),
                anchor=anchors.get(h.id, ""),
                paragraphs=anchored_paragraphs.get(h.id, ()),
                parent=parent if parent != h.id else None,
                resolved=bool(para and threads.done.get(para, False)),
                para_id=para,
                durable_id=durable,
            )
        )
    return tuple(comments)
