"""What a round brings to every reading of a submission: its base draft, the earlier rounds' base
drafts, the negotiation's delegation registry and the paragraphs' statuses.

A submission read on arrival (``addin.intake``) and the round's merge (``addin.merging``) are both
consolidated with ``consolidate_in_round``, so a delegation's reading and the merged draft credit
the same proposals to the same delegations.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from sqlalchemy.engine import Row

from addin.store import Store
from docxio.compilation import statuses_of
from docxio.consolidation import Submission, consolidate
from docxio.delegations import Delegation, Registry, cell_items
from docxio.errors import DocxioError
from docxio.model import Draft
from docxio.proposals import Consolidation
from docxio.reader import read_draft
from docxio.stances import DEFAULT_VOCABULARY, Vocabulary, parse_vocabulary

#: Who set a status that was read from the round's base draft (the status log names it).
FROM_BASE = "base draft"


@lru_cache(maxsize=8)
def base_draft(sha256: str, data: bytes, name: str) -> Draft:
    """A round's base draft, read once per process (keyed by its hash): every submission of the
    round is read against it. The cache is the only state kept between requests; it holds drafts,
    which never change once read."""
    return read_draft(data, name)


def round_base(round_row: Row) -> Draft:
    """The base draft of the round (a store row with its bytes), read once per process."""
    return base_draft(round_row.base_sha256, round_row.base_docx, round_row.base_filename)


def earlier_bases(store: Store, round_row: Row) -> tuple[Draft, ...]:
    """The base drafts of the negotiation's rounds before this one, oldest first, each read once
    per process (``base_draft``), so a file marked up on an older round is recognised ("based on
    an older round"). A draft is named "the round 1 draft (L5 ICT.docx)" in the warning. An earlier
    base that cannot be read is left out: it must not stop the current round's submissions."""
    drafts = []
    for row in store.rounds(round_row.negotiation_id):
        if row.number >= round_row.number or row.base_sha256 == round_row.base_sha256:
            continue
        full = store.round(row.id)
        try:
            drafts.append(base_draft(full.base_sha256, full.base_docx,
                                     f"the round {row.number} draft ({row.base_filename})"))
        except DocxioError:
            continue
    return tuple(drafts)


def registry_of(store: Store, negotiation_id: int) -> Registry:
    """The negotiation's delegation registry as docxio wants it."""
    return Registry([Delegation(d.name, cell_items(d.aliases), cell_items(d.emails))
                     for d in store.delegations(negotiation_id)])


def vocabulary_of(store: Store, negotiation_id: int) -> Vocabulary:
    """The negotiation's stance words: those the secretariat uploaded, added to the defaults."""
    own = store.stance_vocabulary(negotiation_id)
    return parse_vocabulary(own.csv, own.filename) if own is not None else DEFAULT_VOCABULARY


def record_round_statuses(store: Store, round_row: Row, base: Draft) -> dict[str, str]:
    """The statuses the round is consolidated with: those in the base draft's status lines
    ("[PP2 agreed in informals]", when the base is an earlier round's consolidated draft) are
    recorded as the round's statuses the first time (logged as set by the base draft), unless the
    secretariat has set that paragraph's status already; the secretariat's later changes win.
    Returns identifier → status, with "" for a status the secretariat cleared."""
    latest = {row.paragraph_id: row.status for row in store.status_log(round_row.id)}
    for paragraph_id, status in statuses_of(base).items():
        if paragraph_id not in latest:
            store.set_status(round_row.id, paragraph_id, status, FROM_BASE)
            latest[paragraph_id] = status
    return latest


def status_times(store: Store, round_id: int) -> dict[str, str]:
    """When the secretariat last set each paragraph's status for the round (ISO time): a
    submission arriving later that changes an agreed paragraph reopens it."""
    return {row.paragraph_id: row.changed_at.isoformat() for row in store.status_log(round_id)
            if row.changed_by != FROM_BASE and row.changed_at is not None}


def consolidate_in_round(store: Store, round_row: Row, submissions: Sequence[Submission],
                         earlier: tuple[Draft, ...] | None = None) -> Consolidation:
    """The consolidation of ``submissions`` against the round's base draft, with the negotiation's
    registry, the round's statuses and the earlier rounds' base drafts (``earlier``; looked up
    when not given)."""
    base = round_base(round_row)
    if earlier is None:
        earlier = earlier_bases(store, round_row)
    return consolidate(base, list(submissions), registry_of(store, round_row.negotiation_id),
                       record_round_statuses(store, round_row, base),
                       vocabulary=vocabulary_of(store, round_row.negotiation_id), earlier=earlier,
                       status_times=status_times(store, round_row.id))
