"""What ``concord inspect`` shows: the reading of one .docx, as JSON and as a human summary.

The JSON names are a stable interface other tools read (issue 2):
``{"file", "producer", "paragraphs": [{"index", "story", "id", "id_source", "original",
"current", "revisions": [{"type", "author", "date", "id", "text"}], "comments": [ids]}],
"comments": [{"id", "author", "initials", "date", "text", "anchor", "paragraph", "parent",
"resolved"}], "authors": [...]}``.
"""
from __future__ import annotations

from collections import Counter

from docxio.model import Comment, Draft, Paragraph, Revision


def revision_json(revision: Revision) -> dict:
    """One revision as ``concord inspect --json`` shows it."""
    return {
        "type": revision.type,
        "author": revision.author,
        "date": revision.date,
        "id": revision.id,
        "text": revision.text,
    }


def paragraph_json(paragraph: Paragraph) -> dict:
    """One physical paragraph as ``concord inspect --json`` shows it."""
    return {
        "index": paragraph.index,
        "story": paragraph.story,
        "id": paragraph.id,
        "id_source": paragraph.id_source,
        "original": paragraph.original,
        "current": paragraph.current,
        "revisions": [revision_json(r) for r in paragraph.revisions],
        "comments": list(paragraph.comment_ids),
    }


def comment_json(comment: Comment) -> dict:
    """One comment as ``concord inspect --json`` shows it; ``paragraph`` is the index of the first
    paragraph it is anchored on (None when the file does not anchor it)."""
    return {
        "id": comment.id,
        "author": comment.author,
        "initials": comment.initials,
        "date": comment.date,
        "text": comment.text,
        "anchor": comment.anchor,
        "paragraph": comment.paragraphs[0] if comment.paragraphs else None,
        "parent": comment.parent,
        "resolved": comment.resolved,
    }


def inspection_json(draft: Draft) -> dict:
    """The whole reading of a draft as the JSON object of ``concord inspect --json``; a
    compilation text adds "compilation": the paragraphs its attributed marks propose changes to."""
    result = {
        "file": draft.file,
        "producer": draft.producer,
        "paragraphs": [paragraph_json(p) for p in draft.paragraphs],
        "comments": [comment_json(c) for c in draft.comments],
        "authors": list(draft.authors),
    }
    reading = compilation_reading(draft)
    if reading is not None:
        result["compilation"] = [paragraph_json(p) for p in reading.paragraphs if p.revisions]
    return result


def compilation_reading(draft: Draft) -> Draft | None:
    """A compilation text (no tracked changes; underlined and struck text followed by the
    delegations' names) read as the tracked changes its marks stand for, or None when ``draft``
    is not one: it has tracked changes of its own, or no attributed marks. This is what Concord
    credits when the (hand-edited) compilation becomes the next round's base."""
    if any(p.revisions for p in draft.paragraphs):
        return None
    from docxio.compilation import compilation_to_tracked

    reading = compilation_to_tracked(draft)
    return reading if any(p.revisions for p in reading.paragraphs) else None


def _unique(revisions: tuple[Revision, ...] | list[Revision]) -> list[Revision]:
    """Revisions without repeats (one revision can span several pieces of a paragraph)."""
    seen: set[tuple[str, str | None]] = set()
    result = []
    for revision in revisions:
        if (revision.type, revision.id) not in seen:
            seen.add((revision.type, revision.id))
            result.append(revision)
    return result


def _quote(text: str, width: int = 70) -> str:
    flat = text.replace("\n", " / ").replace("\t", " ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _revision_line(revision: Revision) -> str:
    who = revision.author if revision.author else "(no author)"
    when = f" {revision.date}" if revision.date else ""
    text = f' "{_quote(revision.text, 50)}"' if revision.text else ""
    return f"      {revision.type} by {who}{when}{text}"


def inspection_text(draft: Draft) -> str:
    """A summary a secretariat officer can read: facts, authors, revision counts, then each
    paragraph that has revisions or comments, then the comments with their threads."""
    kinds = Counter(r.type for p in draft.paragraphs for r in p.revisions)
    lines = [
        f"File: {draft.file}",
        f"Made with: {draft.producer or 'unknown application'}",
        f"Authors: {', '.join(a or '(empty)' for a in draft.authors) or 'none'}",
        f"Paragraphs: {len(draft.body())} in the body, {len(draft.paragraphs)} in all stories",
        "Revisions: " + (", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none"),
        f"Comments: {len(draft.comments)}"
        f" ({sum(1 for c in draft.comments if c.parent)} replies,"
        f" {sum(1 for c in draft.comments if c.resolved)} resolved)",
    ]
    if draft.has_macros:
        lines.append("Macros: present (never run)")
    lines.append("")
    for p in draft.paragraphs:
        if not p.revisions and not p.comment_ids and p.story != "body":
            continue
        where = p.story if p.story == "body" else f"{p.story} {p.story_id}"
        number = f"{p.list_label.text} " if p.list_label else ""
        lines.append(f"[{p.id}] ({where} #{p.index}) {number}{_quote(p.current)}")
        if p.original != p.current:
            lines.append(f"    original: {_quote(p.original)}")
        lines.extend(_revision_line(r) for r in p.revisions)
        if p.comment_ids:
            lines.append(f"      comments: {', '.join(p.comment_ids)}")
    reading = compilation_reading(draft)
    if reading is not None:
        changed = [p for p in reading.paragraphs if p.revisions]
        count = sum(len(_unique(p.revisions)) for p in changed)
        lines.append("")
        lines.append(f"Compilation text: its underlined and struck text with the delegations' names reads as "
                     f"{count} changes in {len(changed)} paragraphs:")
        for p in changed:
            lines.append(f"[{p.id}] {_quote(p.current)}")
            lines.extend(_revision_line(r) for r in _unique(p.revisions))
        if reading.comments:
            lines.append("Stances in parentheses, read as comments:")
            lines.extend(f"  {c.author or '(no author)'}: {_quote(c.text)}"
                         + (f' on "{_quote(c.anchor, 40)}"' if c.anchor else "") for c in reading.comments)
    if draft.comments:
        lines.append("")
        lines.append("Comments:")
        for c in draft.comments:
            reply = f" (reply to {c.parent})" if c.parent else ""
            done = " [resolved]" if c.resolved else ""
            on = f' on "{_quote(c.anchor, 40)}"' if c.anchor else " (point comment)"
            lines.append(f"  #{c.id} {c.author or '(no author)'}{reply}{done}{on}: {_quote(c.text)}")
    if draft.warnings:
        lines.append("")
        lines.extend(f"Warning: {w}" for w in draft.warnings)
    return "\n".join(lines) + "\n"
