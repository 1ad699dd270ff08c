"""The consolidation report: the JSON that ``concord merge --json`` writes and the web page reads.

Key names are stable (issue 3): base.file; submissions[file, delegation, tracked, proposals,
warnings]; paragraphs[id, base_text, new, after, status, proposals[kind, inserted, deleted, at,
context_before, delegations, tracked, group, sources], stances[stance, text, anchor,
delegations]]; warnings. Added keys: a proposal's ``moved_to``, ``date`` and ``unattributed`` (authors no
delegation was found for), a submission's ``arrived``, ``paragraphs`` and ``comments``, a stance's
``sources``, and the top-level ``stances`` on the whole draft.
"""
from __future__ import annotations

from docxio.proposals import Consolidation, Proposal, Stance


def _source(source) -> dict:
    return {"file": source.file, "revision": source.revision_id}


def proposal_json(proposal: Proposal) -> dict:
    """One proposal as the report shows it."""
    return {
        "kind": proposal.kind,
        "inserted": proposal.inserted,
        "deleted": proposal.deleted,
        "at": proposal.at,
        "context_before": proposal.context_before,
        "delegations": list(proposal.delegations),
        "tracked": proposal.tracked,
        "group": proposal.group,
        "sources": [_source(s) for s in proposal.sources],
        "moved_to": proposal.moved_to,
        "date": proposal.date,
        "unattributed": list(proposal.unattributed),
    }


def stance_json(stance: Stance) -> dict:
    """One stance as the report shows it."""
    return {
        "stance": stance.stance,
        "text": stance.text,
        "anchor": stance.anchor,
        "delegations": list(stance.delegations),
        "sources": [_source(s) for s in stance.sources],
    }


def report_json(consolidation: Consolidation) -> dict:
    """The whole consolidation as a JSON-ready dict (see the module docstring for its keys)."""
    return {
        "base": {"file": consolidation.base_file},
        "submissions": [
            {
                "file": s.file,
                "delegation": s.delegation,
                "tracked": s.tracked,
                "proposals": s.proposals,
                "warnings": list(s.warnings),
                "arrived": s.arrived,
                "paragraphs": s.paragraphs,
                "comments": s.comments,
            }
            for s in consolidation.submissions
        ],
        "paragraphs": [
            {
                "id": p.id,
                "base_text": p.base_text,
                "new": p.new,
                "after": p.after,
                "status": p.status,
                "proposals": [proposal_json(x) for x in p.proposals],
                "stances": [stance_json(x) for x in p.stances],
            }
            for p in consolidation.paragraphs
        ],
        "stances": [stance_json(x) for x in consolidation.stances],
        "warnings": list(consolidation.warnings),
    }
