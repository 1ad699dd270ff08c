"""docxio: read delegations' marked-up Word drafts, consolidate them, write the consolidated draft.

The layers, data flowing one way:

* ``package`` — the .docx zip, opened safely (limits, no entities, named errors);
* ``ooxml`` — namespaces, tag names and element helpers, the only place that knows them;
* ``model`` / ``proposals`` — values: Draft, Paragraph, Span, Revision, Comment; Proposal, Stance,
  Consolidation (no XML);
* ``reader`` (with ``parts``, ``story_walker``, ``run_format``, ``raw_paragraphs``, ``comments``,
  ``numbering``, ``identifiers``, ``identification``, ``views``) — package to model;
* ``consolidation`` (with ``submission_reading``, ``submission_paragraphs``, ``tracked_changes``,
  ``untracked_edits``, ``earlier_rounds``, ``base_paragraphs``, ``contributions``,
  ``proposal_merging``, ``new_paragraphs``, ``submission_summary``, ``alignment``,
  ``attribution``, ``wordiff``, ``stances``, ``statuses``, ``delegations``, ``csv_text``) —
  base draft and submissions to proposals; ``report`` and ``inspection`` turn them into the stable JSON;
* ``writer`` (with ``paragraph_plan``, ``runs``, ``schema_order``, ``package_copy``,
  ``acceptance``, ``earlier_markup``, ``footnote_look``) — proposals back into a copy of the base
  package; ``compilation`` reads a compilation text back; ``dossier`` appends submissions.
"""
from docxio.consolidation import Submission, consolidate
from docxio.delegations import Registry, load_registry
from docxio.errors import DocxioError, InvalidXmlError, PackageError, UnsupportedFormatError
from docxio.reader import read_draft
from docxio.report import report_json
from docxio.writer import write_consolidated

__all__ = [
    "DocxioError",
    "InvalidXmlError",
    "PackageError",
    "Registry",
    "Submission",
    "UnsupportedFormatError",
    "consolidate",
    "load_registry",
    "read_draft",
    "report_json",
    "write_consolidated",
]
