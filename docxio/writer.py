"""The consolidated draft as a Word document: a copy of the base package with every proposal in it.

Two renderings of one ``Consolidation``:

* ``tracked`` — each proposal a real w:ins / w:del whose author is the delegation list ("Egypt,
  Singapore"), dated by the proposal or its submission; new paragraphs are tracked insertions with
  their paragraph mark; a move is a Word move (w:moveFrom / w:moveTo, ``docxio.moves``), or a
  comment when it conflicts with another move or a deletion of the paragraph; stances are Word
  comments by the delegation; conflict groups carry a comment listing the alternatives. The
  base's own tracked changes stay.
* ``compilation`` (default) — no revisions: the base's tracked changes are accepted (or, when the
  base is an earlier round's tracked draft, shown as compilation markup with their authors:
  ``base_changes="show"``, ``docxio.earlier_markup``), inserted text is underlined, deleted text
  struck through, each proposal followed by its attribution, stances in parentheses, status
  lines "[PP2 agreed in informals]" under their paragraph, whole-draft stances under the title.
  A base that is an earlier round's consolidated draft already has status lines and a line of
  whole-draft stances: they are updated in place, never written twice. Character styles
  "Concord Insertion", "Concord Deletion" and "Concord Attribution" carry the look so a
  secretariat can restyle it (the underline and strike are also set on the runs, so any reader
  sees them without resolving styles).

Everything else of the base package (styles, numbering, headers, footers, footnotes, sections,
properties) is copied unchanged, apart from the revision number and modified date.
"""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from lxml import etree

from docxio import runs
from docxio.acceptance import accept_all
from docxio.compilation import STANCE_PASSAGE_DELETION_STYLE, STANCE_PASSAGE_STYLE, draft_stance_line, status_line
from docxio.earlier_markup import SHOWN_MARK, show_earlier_changes
from docxio.errors import DocxioError
from docxio.footnote_look import FootnoteLook, base_footnote_look, renumber_in_document_order
from docxio.identifiers import parse_identifier, parse_label
from docxio.moves import moved_from_copy, move_names, next_move_name, tracked_move, write_move
from docxio.ooxml import STRICT_TO_TRANSITIONAL, qn, story_paragraphs
from docxio.package import Package, open_package
from docxio.package_copy import (
    add_concord_styles, comments_part, max_comment_id, max_id, serialize, updated_core, zip_package,
)
from docxio.paragraph_plan import (
    Deletion, Note, ParagraphPlan, Piece, draft_stance_text, footnote_fallback, in_arrival_order, merged_authors,
    names, plan_paragraph, stance_date,
)
from docxio.proposals import Consolidation, ParagraphProposals, Proposal
from docxio.schema_order import get_or_add, insert_in_order, make_element as _w, set_property

MODES = ("tracked", "compilation")
#: What the compilation rendering does with the base's own tracked changes: "accept" them (a
#: tabled draft with the Chair's edits), or "show" them as compilation markup with their authors
#: (the base is an earlier round's tracked consolidated draft: its changes are proposals).
BASE_CHANGES = ("accept", "show")

_TITLE_IDS = ("title",)


@dataclass
class _Ids:
    """Revision and comment ids: one counter each, starting above every id already in the base."""

    revision: int
    comment: int

    def next_revision(self) -> str:
        """A fresh w:ins / w:del id."""
        self.revision += 1
        return str(self.revision)

    def next_comment(self) -> str:
        """A fresh comment id."""
        self.comment += 1
        return str(self.comment)


@dataclass
class _Context:
    """What rendering one document needs: mode, ids, dates, styles, comments written so far."""

    mode: str
    ids: _Ids
    now: str
    date_of: Callable[[Proposal], str]
    styled: bool
    comments: list[etree._Element] = field(default_factory=list)
    #: The base's footnotes part (None: proposed footnotes are written as bracketed text).
    footnotes: etree._Element | None = None
    #: Style ids the base defines (footnote styles are used only when present).
    style_ids: frozenset[str] = frozenset()
    #: How the base's own footnotes look (a proposed footnote copies it).
    footnote_look: FootnoteLook = field(default_factory=FootnoteLook)
    #: Whether a proposed footnote was added (footnotes are then renumbered in document order).
    added_footnote: bool = False


def iso_date(value: str | datetime | None, fallback: str) -> str:
    """A revision date as Word writes it ("2022-02-14T10:32:00Z"), or ``fallback`` when unreadable."""
    if value is None:
        return fallback
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return fallback
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date_resolver(consolidation: Consolidation, now: str) -> Callable[[Proposal], str]:
    """Date of a proposal: its own revision date, else its submission's arrival, else now."""
    arrivals = {s.file: s.arrived for s in consolidation.submissions if s.arrived}

    def date_of(proposal: Proposal) -> str:
        if proposal.date:
            return iso_date(proposal.date, now)
        for source in proposal.sources:
            if source.file in arrivals:
                return iso_date(arrivals[source.file], now)
        return now

    return date_of


def write_consolidated(
    base: str | Path | bytes,
    consolidation: Consolidation,
    out: str | Path | None = None,
    mode: str = "compilation",
    now: datetime | None = None,
    base_changes: str = "accept",
) -> bytes:
    """Write ``consolidation`` into a copy of the ``base`` .docx and return the package bytes.

    ``mode`` is "compilation" (the circulated text, no revisions) or "tracked" (real tracked
    changes and comments for the Chair). ``out``, when given, is where the bytes are also saved.
    ``now`` dates what has no date of its own and the document's modified date (default: the
    clock). ``base_changes`` ("accept" or "show", see ``BASE_CHANGES``) is what the compilation
    rendering does with the base's own tracked changes; the tracked rendering keeps them.
    Raises ``DocxioError`` naming the base file when it is not a usable Word document or a
    paragraph of the consolidation is not in it.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if base_changes not in BASE_CHANGES:
        raise ValueError(f"base_changes must be one of {BASE_CHANGES}, not {base_changes!r}")
    package = open_package(base, consolidation.base_file if isinstance(base, bytes) else None)
    stamp = iso_date(now or datetime.now(timezone.utc), "")
    main = package.main_document()
    document = package.xml(main)
    if any(uri in STRICT_TO_TRANSITIONAL for uri in document.nsmap.values()):
        # Strict differs from transitional in more than namespaces (units, enumerations), so a
        # faithful copy cannot be written by renaming; the user can resave it in one click.
        raise DocxioError(package.file, "an ISO Strict Open XML document: Concord reads it but cannot write into "
                          "it — save it in Word as \"Word Document (*.docx)\" and use that as the base")
    body = document.find(qn("w:body"))
    if body is None:
        raise DocxioError(package.file, "the main document has no body")
    paragraphs = story_paragraphs(body)
    targets = _locate(package.file, paragraphs, consolidation)
    changed: dict[str, bytes] = {}
    stories = {name: package.xml(name) for name in _story_parts(package, main)}

    styles_name = next(iter(package.related(main, "styles")), None)
    styles = package.xml(styles_name) if styles_name else None
    style_ids = frozenset(s.get(qn("w:styleId"), "") for s in styles.iter(qn("w:style"))) if styles is not None else frozenset()
    styled = mode == "compilation" and styles is not None
    if mode == "compilation":
        if base_changes == "show":
            show_earlier_changes(body, styled)
        accept_all(document)
        for root in stories.values():
            accept_all(root)
    if styled:
        add_concord_styles(styles)
        changed[styles_name] = serialize(styles)

    ids = _Ids(max_id(package, "w:id", exclude_comments=True),
               max(max_comment_id(package, main), _note_id_ceiling(stories.values(), consolidation)))
    footnotes_name = next(iter(package.related(main, "footnotes")), None)
    footnotes = stories.get(footnotes_name) if footnotes_name else None
    context = _Context(mode, ids, stamp, _date_resolver(consolidation, stamp), styled,
                       footnotes=footnotes, style_ids=style_ids,
                       footnote_look=base_footnote_look(footnotes, document))
    _render_paragraphs(consolidation, targets, paragraphs, context)
    _render_draft_stances(consolidation, targets, paragraphs, context)
    if context.added_footnote and footnotes is not None:
        renumber_in_document_order(document, footnotes)
    for name, root in stories.items():
        if mode == "compilation" or root is context.footnotes:
            _strip_marks(root)
            changed[name] = serialize(root)
    _strip_marks(document)
    changed[main] = serialize(document)
    if context.comments:
        changed.update(comments_part(package, main, context.comments))
    core = updated_core(package, stamp)
    if core:
        changed.update(core)
    data = zip_package(package, changed)
    if out is not None:
        Path(out).write_bytes(data)
    return data


def _note_id_ceiling(stories, consolidation: Consolidation) -> int:
    """The highest footnote or endnote id the written draft can have. Our comments are numbered
    above it: LibreOffice (7.4) attaches the wrong text, or none, to footnotes when a comment
    between two footnote references has the id of a footnote, although Word keeps the two
    numberings apart."""
    highest = max((int(n.get(qn("w:id"), "0")) for root in stories
                   for n in root.iter(qn("w:footnote"), qn("w:endnote"))
                   if n.get(qn("w:id"), "").lstrip("-").isdigit()), default=0)
    proposed = sum(1 for entry in consolidation.paragraphs for p in entry.proposals if p.kind == "footnote")
    return highest + proposed


def _locate(file: str, paragraphs: list[etree._Element], consolidation: Consolidation) -> dict[int, etree._Element]:
    """The w:p of every base paragraph of the consolidation, found before anything changes."""
    targets = {}
    for entry in consolidation.paragraphs:
        if entry.new or entry.base_index is None:
            continue
        if not 0 <= entry.base_index < len(paragraphs):
            raise DocxioError(
                file, f"paragraph {entry.id} (number {entry.base_index + 1}) is not in this base draft, "
                f"which has {len(paragraphs)} paragraphs: was the consolidation made from another file?",
            )
        targets[entry.base_index] = paragraphs[entry.base_index]
    return targets


def _story_parts(package: Package, main: str) -> list[str]:
    """Headers, footers, footnotes and endnotes of the main document (their revisions are
    accepted in the compilation rendering too)."""
    names = []
    for kind in ("header", "footer", "footnotes", "endnotes"):
        names.extend(package.related(main, kind))
    return names


# --- paragraphs ---------------------------------------------------------------------------------


def _render_paragraphs(
    consolidation: Consolidation, targets: dict[int, etree._Element],
    paragraphs: list[etree._Element], context: _Context,
) -> None:
    """Lay out every paragraph of the consolidation, new ones after the paragraph they follow."""
    block_end: dict[str, etree._Element] = {}
    own_end: dict[str, etree._Element] = {}
    previous: etree._Element | None = None
    # A move goes after a base paragraph (a proposed one has no place of its own yet).
    known = [e.id for e in consolidation.paragraphs if not e.new and e.base_index is not None]
    pending_moves: list[tuple[ParagraphProposals, Proposal, etree._Element, etree._Element]] = []
    for entry in consolidation.paragraphs:
        if entry.new:
            anchor = block_end.get(entry.after or "")
            if anchor is None:
                anchor = previous
            template = anchor if anchor is not None else (paragraphs[0] if paragraphs else None)
            element = _new_paragraph(entry, template, context)
            if anchor is not None:
                anchor.addnext(element)
            elif paragraphs:
                paragraphs[0].addprevious(element)
            else:
                continue
        else:
            if entry.base_index is None:
                continue
            element = targets[entry.base_index]
            move = tracked_move(entry, known) if context.mode == "tracked" else None
            planned = entry
            if move is not None:
                # A real tracked move says who moves the paragraph: no comment repeats it.
                pending_moves.append((entry, move, element, moved_from_copy(element)))
                planned = replace(entry, proposals=[p for p in entry.proposals if p is not move])
            _render_into(element, plan_paragraph(planned, context.mode, context.date_of), entry.base_text, context)
        end = _write_status(element, entry, context)
        block_end[entry.id] = end
        if not entry.new:
            own_end[entry.id] = end
        if entry.new and entry.after:
            block_end[entry.after] = end
        previous = end
    # Moves last: the paragraph a move goes after may come later in the draft.
    used = move_names(paragraphs[0].getroottree().getroot()) if paragraphs else set()
    for entry, move, element, origin in pending_moves:
        after = own_end.get(move.moved_to or "")
        if after is None or after is element:
            continue
        status = own_end[entry.id]
        write_move(origin, element, after, next_move_name(used), ", ".join(names(move.delegations)),
                   context.date_of(move), context.ids.next_revision)
        if status is not element:
            element.addnext(status)  # the status line goes with its paragraph


def _new_paragraph(entry: ParagraphProposals, template: etree._Element | None, context: _Context) -> etree._Element:
    """A proposed paragraph: its identifier typed at the start ("PP3 bis. "), its text inserted
    by its delegations (alternatives separated by " / "), its stances."""
    # Only a real identifier ("PP3 bis", "OP9 bis") is typed; a structural one ("P7 bis") is not
    # something a delegate would recognise.
    label = f"{entry.id}. " if parse_identifier(entry.id) is not None else ""
    texts = [p for p in entry.proposals if p.kind == "new_paragraph"] or [
        p for p in entry.proposals if p.inserted
    ]
    tracked = context.mode == "tracked"
    group = f"{entry.id}-new" if len(texts) > 1 else None
    proposals = [
        Proposal(
            "insert", inserted=(label if tracked and i == 0 else "") + (" / " if tracked and i else "") + p.inserted,
            at=0 if tracked else len(label), delegations=list(p.delegations), group=None if tracked else group,
            sources=list(p.sources), date=p.date,
        )
        for i, p in enumerate(texts)
    ]
    moves = [p for p in entry.proposals if p.kind == "move"]
    synthetic = ParagraphProposals(entry.id, "" if tracked else label, proposals=proposals + moves, stances=entry.stances)
    element = _blank_paragraph(template)
    if not tracked and label:
        run = etree.SubElement(element, qn("w:r"))
        _copy_run_properties(run, _mark_properties(template))
        _set_text(run, label)
    plan = plan_paragraph(synthetic, context.mode, context.date_of)
    _render_into(element, plan, synthetic.base_text, context)
    if tracked:
        authors = merged_authors(names(p.delegations) for p in texts)
        mark = etree.Element(qn("w:ins"))
        _revision_attributes(mark, context, ", ".join(authors), max((context.date_of(p) for p in texts), default=context.now))
        insert_in_order(get_or_add(get_or_add(element, "w:pPr"), "w:rPr"), mark)
    return element


def _blank_paragraph(template: etree._Element | None) -> etree._Element:
    """An empty w:p formatted like ``template`` but without its list number, section break,
    revision marks or property changes (a new paragraph carries a typed identifier instead)."""
    element = etree.Element(qn("w:p"))
    element.set(runs.NEW_MARK, "1")
    source = template.find(qn("w:pPr")) if template is not None else None
    if source is None:
        return element
    properties = copy.deepcopy(source)
    # A list paragraph is numbered by its w:numPr or by its style; numId 0 switches both off.
    had_number = properties.find(qn("w:numPr")) is not None or properties.find(qn("w:pStyle")) is not None
    for tag in ("w:numPr", "w:sectPr", "w:pPrChange", "w:rPr"):
        for old in properties.findall(qn(tag)):
            properties.remove(old)
    if had_number:
        numbering = insert_in_order(properties, etree.Element(qn("w:numPr")))
        insert_in_order(numbering, _w("w:ilvl", val="0"))
        insert_in_order(numbering, _w("w:numId", val="0"))
    mark = source.find(qn("w:rPr"))
    if mark is not None:
        clean = _clean_run_properties(mark)
        if len(clean):
            insert_in_order(properties, clean)
    element.append(properties)
    return element


def _write_status(element: etree._Element, entry: ParagraphProposals, context: _Context) -> etree._Element:
    """The paragraph's status line "[PP2 agreed in informals]" under it; returns the last element
    of the paragraph's block. A base that is an earlier round's consolidated draft already has
    status lines: the one under this paragraph is updated in place (kept as it is when
    unchanged, removed when the status was cleared), never written a second time."""
    existing = _status_lines_after(element, entry.id)
    if not entry.status:
        for line in existing:
            line.getparent().remove(line)
        return element
    text = f"[{entry.id} {entry.status}]"
    if not existing:
        status = _text_paragraph(text, context)
        element.addnext(status)
        return status
    for extra in existing[1:]:
        extra.getparent().remove(extra)
    line = existing[0]
    if status_line(runs.paragraph_text(line)) != (entry.id, entry.status):
        texts = list(line.iter(qn("w:t")))
        for other in texts[1:]:
            other.getparent().remove(other)
        if texts:
            texts[0].text = text
        else:
            _set_text(etree.SubElement(line, qn("w:r")), text)
    return line


def _status_lines_after(element: etree._Element, paragraph_id: str) -> list[etree._Element]:
    """The status lines of ``paragraph_id`` right after its paragraph in the base."""
    found = []
    following = element.getnext()
    while following is not None and following.tag == qn("w:p"):
        parts = status_line(runs.paragraph_text(following))
        if parts is None or parts[0] != paragraph_id:
            break
        found.append(following)
        following = following.getnext()
    return found


def _text_paragraph(text: str, context: _Context) -> etree._Element:
    """A paragraph in the default style holding one line of secretariat text (a status line,
    whole-draft stances), in the attribution style. The neighbour's paragraph formatting is not
    copied: a title's or a list's look would not suit a note."""
    element = etree.Element(qn("w:p"))
    element.set(runs.NEW_MARK, "1")
    run = etree.SubElement(element, qn("w:r"))
    run.set(runs.NEW_MARK, "1")
    if context.styled:
        set_property(get_or_add(run, "w:rPr"), "w:rStyle", val="ConcordAttribution")
    _set_text(run, text)
    return element


def _render_draft_stances(
    consolidation: Consolidation, targets: dict[int, etree._Element],
    paragraphs: list[etree._Element], context: _Context,
) -> None:
    """Stances on the whole draft: a line under the title (compilation) or comments on the title
    (tracked). The title is the paragraph with identifier "title", else the one before the first
    PP/OP paragraph, else the first paragraph."""
    if not consolidation.stances or not paragraphs:
        return
    title = _title_paragraph(consolidation, targets)
    if title is None:
        title = paragraphs[0]
    stances = in_arrival_order(consolidation.stances, context.date_of)
    if context.mode == "compilation":
        existing = title.getnext()
        if existing is not None and existing.tag == qn("w:p") and draft_stance_line(runs.paragraph_text(existing)):
            # An earlier round's line (the base is its compilation text): one line, extended.
            shown = runs.paragraph_text(existing)
            added = [draft_stance_text(s) for s in stances if draft_stance_text(s) not in shown]
            texts = list(existing.iter(qn("w:t")))
            if added and texts:
                texts[-1].text = (texts[-1].text or "") + " " + " ".join(added)
            return
        line = " ".join(draft_stance_text(s) for s in stances)
        title.addnext(_text_paragraph(line, context))
        return
    for stance in stances:
        words = stance.text or f"{stance.stance} on the resolution"
        comment_id = _add_comment(context, Note(", ".join(names(stance.delegations)), words,
                                                stance_date(stance, context.date_of)))
        start = _w("w:commentRangeStart", id=comment_id)
        properties = title.find(qn("w:pPr"))
        if properties is not None:
            properties.addnext(start)
        else:
            title.insert(0, start)
        for element in _comment_end(comment_id):
            title.append(element)


def _title_paragraph(consolidation: Consolidation, targets: dict[int, etree._Element]) -> etree._Element | None:
    """The w:p of the draft's title: the paragraph with identifier "title", else the one before
    the first preambular or operative paragraph — skipping the chapeau ("The Commission on
    Narcotic Drugs,"), which ends with a comma. None when the draft has no such paragraphs."""
    entries = [e for e in consolidation.paragraphs if not e.new and e.base_index is not None]
    for entry in entries:
        if entry.id.lower() in _TITLE_IDS:
            return targets[entry.base_index]
    for index, entry in enumerate(entries):
        if index and (entry.id.upper().startswith(("PP", "OP")) or parse_label(entry.base_text) is not None):
            before = entries[index - 1]
            if (before.id == "chapeau" or before.base_text.rstrip().endswith(",")) and index >= 2:
                before = entries[index - 2]
            return targets[before.base_index]
    return None


# --- one paragraph ------------------------------------------------------------------------------


def _offset_mapper(base_text: str, paragraph: etree._Element) -> Callable[[int, bool], int]:
    """Map offsets of the consolidation's ``base_text`` onto the paragraph's text as the writer
    counts it. They differ where an earlier round's changes are shown (``docxio.earlier_markup``:
    struck text and attributions the base text has not): ``mapped(offset, True)`` then goes past
    such text beginning at the offset — what opens there must not come between an earlier
    proposal and its attribution — and ``mapped(offset)`` stays before it. They also differ
    where the reader counted a special character differently (mapped by comparing the texts)."""
    found = runs.atoms(paragraph)
    actual = "".join(a.text for a in found)
    if any(a.run.get(SHOWN_MARK) for a in found):
        before, after = [0], []
        for atom in found:
            if not atom.run.get(SHOWN_MARK):
                after.extend(range(atom.start, atom.end))
                before.extend(range(atom.start + 1, atom.end + 1))
        after.append(len(actual))
        if len(after) == len(base_text) + 1:
            return lambda offset, past=False: (after if past else before)[max(0, min(offset, len(base_text)))]
    if base_text == actual:
        return lambda offset, past=False: offset
    blocks = difflib.SequenceMatcher(None, base_text, actual, autojunk=False).get_matching_blocks()

    def mapped(offset: int, past: bool = False) -> int:
        for a, b, size in blocks:
            if a <= offset <= a + size:
                return b + (offset - a)
            if offset < a:
                return b
        return len(actual)

    return mapped


def _render_into(paragraph: etree._Element, plan: ParagraphPlan, base_text: str, context: _Context) -> None:
    """Apply a paragraph plan to a w:p: split runs at every offset, mark deletions, emit pieces."""
    mapped = _offset_mapper(base_text, paragraph)
    # A deletion's attribution stays with it; what only opens at an offset goes past shown text.
    ends = {d.end for d in plan.deletions}
    deletions = [Deletion(mapped(d.start, True), mapped(d.end), d.authors, d.date) for d in plan.deletions]
    pieces = [(mapped(o, o not in ends), p) for o, p in plan.pieces]
    passages = [(mapped(start, True), mapped(end)) for start, end in plan.passages] if context.styled else []
    offsets = {o for o, _ in pieces} | {d.start for d in deletions} | {d.end for d in deletions}
    offsets |= {o for passage in passages for o in passage}
    runs.split_at_all(paragraph, offsets, context.ids.next_revision)
    ranges = runs.child_ranges(paragraph)
    # Before the deletions: a struck run inside a passage then takes the deletion's style.
    for start, end in passages:
        _mark_passage([child for child, first, last in ranges
                       if first >= start and last <= end and not child.get(SHOWN_MARK)])
    comment_ids: dict[int, str] = {}
    # Pieces first: an insertion inside a deleted passage (an alternative) then sits between
    # the deleted runs, at its place, and the deletion is cut around it.
    by_offset: dict[int, list[Piece]] = {}
    for offset, piece in pieces:
        by_offset.setdefault(offset, []).append(piece)
    for offset, group in by_offset.items():
        anchor = next((child for child, start, _ in ranges if start >= offset), None)
        source = _neighbour_run(ranges, offset)
        for piece in group:
            for element in _piece_elements(piece, source, plan, comment_ids, context):
                if anchor is not None:
                    anchor.addprevious(element)
                else:
                    paragraph.append(element)
    for deletion in deletions:
        # An earlier proposal's attribution or struck text inside the passage is not struck again.
        covered = [child for child, start, end in ranges
                   if start >= deletion.start and end <= deletion.end and not child.get(SHOWN_MARK)]
        if context.mode == "tracked":
            _track_deletion(covered, deletion, context)
        else:
            for child in covered:
                _strike(child, context)
    if plan.mark_deleted:
        mark = etree.Element(qn("w:del"))
        _revision_attributes(mark, context, ", ".join(plan.mark_deleted), plan.mark_date or context.now)
        insert_in_order(get_or_add(get_or_add(paragraph, "w:pPr"), "w:rPr"), mark)


def _mark_passage(children: list[etree._Element]) -> None:
    """Give the runs of a stance note's passage the stance passage style, so a reader of the
    compilation knows where the passage starts. A run with a character style of its own keeps
    it (Word allows one): the reader then falls back to the clause before the note."""
    for child in children:
        for run in ([child] if child.tag == qn("w:r") else list(child.iter(qn("w:r")))):
            properties = get_or_add(run, "w:rPr")
            if properties.find(qn("w:rStyle")) is None:
                set_property(properties, "w:rStyle", val=STANCE_PASSAGE_STYLE)


def _neighbour_run(ranges, offset: int) -> etree._Element | None:
    """The run whose formatting new text at ``offset`` takes: the base run ending there, else the
    one starting there."""
    before = [child for child, start, end in ranges if end <= offset]
    after = [child for child, start, end in ranges if start >= offset]
    for candidate in ([before[-1]] if before else []) + ([after[0]] if after else []):
        found = [r for r in candidate.iter(qn("w:r"))] if candidate.tag != qn("w:r") else [candidate]
        if found:
            return found[-1] if candidate in before else found[0]
    return None


def _piece_elements(piece: Piece, source, plan: ParagraphPlan, comment_ids: dict[int, str], context: _Context) -> list:
    """The XML for one piece of the plan."""
    if piece.role == "comment_start":
        comment_ids[piece.comment] = _add_comment(context, plan.notes[piece.comment])
        return [_w("w:commentRangeStart", id=comment_ids[piece.comment])]
    if piece.role == "comment_end":
        return _comment_end(comment_ids[piece.comment])
    if piece.role == "footnote":
        if context.footnotes is None:
            piece = Piece("insert", footnote_fallback(piece.text), piece.authors, piece.date)
        else:
            return _footnote(piece, source, context)
    run = etree.Element(qn("w:r"))
    run.set(runs.NEW_MARK, "1")
    _copy_run_properties(run, source.find(qn("w:rPr")) if source is not None else None)
    _set_text(run, piece.text)
    if context.mode == "tracked":
        wrapper = etree.Element(qn("w:ins"))
        wrapper.set(runs.NEW_MARK, "1")
        _revision_attributes(wrapper, context, ", ".join(piece.authors), piece.date or context.now)
        wrapper.append(run)
        return [wrapper]
    style = {"insert": "ConcordInsertion", "struck": "ConcordDeletion"}.get(piece.role, "ConcordAttribution")
    properties = get_or_add(run, "w:rPr")
    if context.styled:
        set_property(properties, "w:rStyle", val=style)
    if piece.role == "insert":
        set_property(properties, "w:u", val="single")
    elif piece.role == "struck":
        set_property(properties, "w:strike")
    if not len(properties):
        run.remove(properties)
    return [run]


def _footnote(piece: Piece, source, context: _Context) -> list[etree._Element]:
    """A proposed footnote: its reference where it goes and its text in the footnotes part —
    both tracked insertions by the delegations (tracked), or underlined (compilation)."""
    number = 1 + max((int(n.get(qn("w:id"), "0")) for n in context.footnotes.iter(qn("w:footnote"))
                      if n.get(qn("w:id"), "").lstrip("-").isdigit()), default=0)
    footnote = _w("w:footnote", id=str(number))
    paragraph = etree.SubElement(footnote, qn("w:p"))
    look = context.footnote_look
    properties = look.paragraph_properties()
    if properties is not None:
        paragraph.append(properties)
    elif "FootnoteText" in context.style_ids:
        paragraph.append(etree.Element(qn("w:pPr")))
        paragraph[0].append(_w("w:pStyle", val="FootnoteText"))
    mark = _footnote_mark_run("w:footnoteRef", context, look.number_properties())
    text = etree.Element(qn("w:r"))
    if look.tab:
        etree.SubElement(text, qn("w:tab"))
    _set_text(text, piece.text if look.tab else " " + piece.text)
    reference = _footnote_mark_run("w:footnoteReference", context, look.reference_properties(), id=str(number))
    reference.set(runs.NEW_MARK, "1")
    context.added_footnote = True
    if context.mode == "tracked":
        content = etree.SubElement(paragraph, qn("w:ins"))
        _revision_attributes(content, context, ", ".join(piece.authors), piece.date or context.now)
        content.extend([mark, text])
        wrapper = etree.Element(qn("w:ins"))
        wrapper.set(runs.NEW_MARK, "1")
        _revision_attributes(wrapper, context, ", ".join(piece.authors), piece.date or context.now)
        wrapper.append(reference)
        result = [wrapper]
    else:
        paragraph.extend([mark, text])
        for run in (text, reference):
            properties = get_or_add(run, "w:rPr")
            if context.styled:
                set_property(properties, "w:rStyle", val="ConcordInsertion")
            set_property(properties, "w:u", val="single")
        result = [reference]
    context.footnotes.append(footnote)
    return result


def _footnote_mark_run(tag: str, context: _Context, model: etree._Element | None = None,
                       **attributes: str) -> etree._Element:
    """A run holding a footnote mark: formatted like the base's own marks (``model``) when it has
    some, else by the footnote reference style or direct superscript. A mark the compilation
    restyles keeps its superscript as direct formatting, since its character style is replaced."""
    run = etree.Element(qn("w:r"))
    if model is not None:
        properties = model
        run.append(properties)
        if context.mode == "compilation" and tag == "w:footnoteReference":
            set_property(properties, "w:vertAlign", val="superscript")
    else:
        properties = etree.SubElement(run, qn("w:rPr"))
        if "FootnoteReference" in context.style_ids:
            insert_in_order(properties, _w("w:rStyle", val="FootnoteReference"))
        else:
            insert_in_order(properties, _w("w:vertAlign", val="superscript"))
    run.append(_w(tag, **attributes))
    return run


def _track_deletion(children: list[etree._Element], deletion: Deletion, context: _Context) -> None:
    """Wrap the runs of ``children`` in w:del elements by the deleting delegations: runs next to
    each other share one w:del; runs inside a container (an earlier insertion, a hyperlink) get
    their own w:del inside it, as Word writes deleted inserted text."""
    author = ", ".join(deletion.authors)
    date = deletion.date or context.now
    batch: list[etree._Element] = []

    def flush() -> None:
        if batch:
            wrapper = etree.Element(qn("w:del"))
            wrapper.set(runs.NEW_MARK, "1")
            _revision_attributes(wrapper, context, author, date)
            batch[0].addprevious(wrapper)
            for run in batch:
                for text in run.iter(qn("w:t")):
                    text.tag = qn("w:delText")
                for text in run.iter(qn("w:instrText")):
                    text.tag = qn("w:delInstrText")
                wrapper.append(run)
            batch.clear()

    for child in children:
        if child.tag == qn("w:r"):
            if batch and batch[-1].getnext() is not child:
                flush()
            batch.append(child)
            continue
        flush()
        inner = [r for r in child if r.tag == qn("w:r")]
        nested = [c for c in child if c.tag != qn("w:r") and c.tag not in (qn("w:del"), qn("w:moveFrom"))]
        _track_deletion(inner, deletion, context)
        for container in nested:
            if any(True for _ in container.iter(qn("w:r"))):
                _track_deletion([container], deletion, context)
    flush()


def _strike(child: etree._Element, context: _Context) -> None:
    """Strike through every run of a paragraph child (compilation rendering of a deletion)."""
    for run in ([child] if child.tag == qn("w:r") else list(child.iter(qn("w:r")))):
        properties = get_or_add(run, "w:rPr")
        if context.styled:
            # Struck text of a stance passage stays marked as in the passage.
            own = properties.find(qn("w:rStyle"))
            in_passage = own is not None and own.get(qn("w:val")) == STANCE_PASSAGE_STYLE
            set_property(properties, "w:rStyle", val=STANCE_PASSAGE_DELETION_STYLE if in_passage else "ConcordDeletion")
        set_property(properties, "w:strike")


# --- small XML helpers --------------------------------------------------------------------------


def _set_text(run: etree._Element, text: str) -> None:
    """Append ``text`` to a run as one w:t (spaces preserved)."""
    element = etree.SubElement(run, qn("w:t"))
    element.text = text
    element.set(qn("xml:space"), "preserve")


def _revision_attributes(element: etree._Element, context: _Context, author: str, date: str) -> None:
    """w:id, w:author, w:date of a revision element (§17.13.5)."""
    element.set(qn("w:id"), context.ids.next_revision())
    element.set(qn("w:author"), author)
    element.set(qn("w:date"), date)


_DROPPED_RUN_PROPERTIES = tuple(qn(f"w:{t}") for t in (
    "ins", "del", "moveFrom", "moveTo", "rPrChange", "vanish", "specVanish", "webHidden", "u", "strike", "dstrike",
))


def _clean_run_properties(properties: etree._Element) -> etree._Element:
    """A copy of run properties for new text: no revision marks, hidden or line formatting."""
    clean = copy.deepcopy(properties)
    for child in list(clean):
        if child.tag in _DROPPED_RUN_PROPERTIES:
            clean.remove(child)
    return clean


def _copy_run_properties(run: etree._Element, properties: etree._Element | None) -> None:
    """Give a new run the cleaned formatting of a neighbour."""
    if properties is None:
        return
    clean = _clean_run_properties(properties)
    clean.tag = qn("w:rPr")
    if len(clean):
        insert_in_order(run, clean)


def _mark_properties(paragraph: etree._Element | None) -> etree._Element | None:
    """The paragraph mark's run properties, or those of its first run."""
    if paragraph is None:
        return None
    mark = paragraph.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
    if mark is not None:
        return mark
    first = next(iter(runs.atoms(paragraph)), None)
    return first.run.find(qn("w:rPr")) if first is not None else None


def _strip_marks(root: etree._Element) -> None:
    """Remove the writer's private marker attributes before saving."""
    for element in root.iter():
        if runs.NEW_MARK in element.attrib:
            del element.attrib[runs.NEW_MARK]
        if SHOWN_MARK in element.attrib:
            del element.attrib[SHOWN_MARK]


# --- comments -----------------------------------------------------------------------------------


def _add_comment(context: _Context, note: Note) -> str:
    """Record a w:comment for the comments part and return its id."""
    comment_id = context.ids.next_comment()
    comment = _w("w:comment", id=comment_id, author=note.author, date=note.date or context.now,
                 initials=initials(note.author))
    paragraph = etree.SubElement(comment, qn("w:p"))
    marker = etree.SubElement(paragraph, qn("w:r"))
    etree.SubElement(marker, qn("w:annotationRef"))
    run = etree.SubElement(paragraph, qn("w:r"))
    _set_text(run, note.text)
    context.comments.append(comment)
    return comment_id


def initials(author: str) -> str:
    """Comment initials of a delegation list: the capitals of each name, leaving out what a name
    says in parentheses ("Iran (Islamic Republic of)" → "I", "European Union" → "EU",
    "Egypt, Singapore" → "ES")."""
    letters = []
    for name in author.split(","):
        words = name.split("(")[0].split()
        capitals = [w[0] for w in words if w[:1].isupper()]
        letters.extend(capitals or [w[0] for w in words[:1]])
    return "".join(letters)[:8]


def _comment_end(comment_id: str) -> list[etree._Element]:
    """commentRangeEnd and the run holding the comment reference (§17.13.4)."""
    reference = etree.Element(qn("w:r"))
    reference.set(runs.NEW_MARK, "1")
    reference.append(_w("w:commentReference", id=comment_id))
    return [_w("w:commentRangeEnd", id=comment_id), reference]


