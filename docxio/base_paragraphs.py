"""The base draft's paragraphs as a round is consolidated against them.

Each body paragraph with text (in either view) is a ``BaseParagraph``: its index in the body, its
current text (the consolidation's ``base_text``) and, once ``docxio.earlier_rounds`` has found
them, its texts in earlier drafts. Submission paragraphs are aligned with these
(``docxio.alignment``) by identifier and text.
"""
from __future__ import annotations

from dataclasses import dataclass

from docxio.alignment import AlignItem
from docxio.model import Draft, Paragraph

__all__ = ["BaseParagraph", "align_items", "aligned_id", "base_paragraphs"]


@dataclass(frozen=True)
class BaseParagraph:
    """A paragraph of the base draft's body that proposals can be made on."""

    index: int  # index in the base body
    paragraph: Paragraph
    text: str  # current view
    #: The paragraph in earlier drafts: (draft name, text) — the base with its changes rejected
    #: (an earlier round's consolidated draft) and any earlier base given to ``consolidate``.
    earlier: tuple[tuple[str, str], ...] = ()


def base_paragraphs(base: Draft) -> list[BaseParagraph]:
    """The base body's paragraphs that have text in the current or the original view."""
    return [
        BaseParagraph(i, p, p.current)
        for i, p in enumerate(base.body())
        if p.current.strip() or p.original.strip()
    ]


def aligned_id(paragraph: Paragraph) -> str:
    """The identifier alignment may trust: typed or numbered, not structural ("P7")."""
    return paragraph.id if paragraph.id_source not in ("structural", "") else ""


def align_items(base_paras: list[BaseParagraph], with_earlier: bool) -> list[AlignItem]:
    """The base paragraphs to align submissions with: recognised by their current text and, with
    ``with_earlier``, by their texts in earlier drafts too."""
    return [AlignItem(aligned_id(bp.paragraph), (bp.text, *(t for _, t in bp.earlier)) if with_earlier else (bp.text,))
            for bp in base_paras]
