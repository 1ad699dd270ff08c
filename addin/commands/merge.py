"""`concord merge BASE SUBMISSION... [--delegations FILE] [--json REPORT] [-o OUT.docx] [--mode] [--earlier DRAFT]`.

Consolidates the submissions against the base draft. A submission may be prefixed with the
submitting delegation ("South Africa=sa.docx"); mail files (.eml, .msg, mbox, maildir) contribute
the Word documents they carry, attributed to their sender through the registry. Submissions
arrive in the order given (mail: in the order of the messages' dates), which is the order
delegations are named in.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docxio.consolidation import Submission, consolidate
from docxio.delegations import Registry, load_registry
from docxio.errors import DocxioError
from docxio.reader import read_draft
from docxio.report import report_json
from docxio.stances import DEFAULT_VOCABULARY, load_vocabulary
from docxio.writer import write_consolidated

MAIL_SUFFIXES = {".eml", ".msg", ".mbox", ".dat"}


def split_prefix(argument: str) -> tuple[str | None, str]:
    """"South Africa=sa.docx" -> ("South Africa", "sa.docx"); a plain path -> (None, path).
    A path that itself contains "=" and exists is taken as a path."""
    if "=" in argument and not Path(argument).exists():
        delegation, _, path = argument.partition("=")
        if delegation.strip() and path.strip():
            return delegation.strip(), path.strip()
    return None, argument


def _is_mail(path: Path) -> bool:
    """A message file, a maildir or an mbox (which may have any name) rather than a .docx."""
    if path.is_dir() or path.suffix.lower() in MAIL_SUFFIXES:
        return True
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def read_submissions(arguments: list[str], registry: Registry,
                     skipped: list[str] | None = None) -> list[Submission]:
    """The submissions named on the command line, read with the docxio reader, in order.

    A message without a usable Word document contributes nothing; what was found in it (its
    ``reading``: "no Word document attached", "legacy .doc: ...") is added to ``skipped`` as
    "<message>: <reading>" so the user learns why it is not in the merge."""
    submissions: list[Submission] = []
    for order, argument in enumerate(arguments):
        delegation, name = split_prefix(argument)
        path = Path(name)
        if not path.exists():
            raise DocxioError(path.name, "no such file")
        arrived = f"{order:06d}"  # the command line's order is the order of arrival
        if _is_mail(path):
            from addin.mail.messages import messages_from_path

            for message in messages_from_path(path):
                sender = next((s.address for s in message.senders if registry.delegation_for_email(s.address)),
                              message.sender)
                from_sender = registry.delegation_for_email(sender) if sender else None
                when = message.date.isoformat() if message.date else arrived
                if not message.documents and skipped is not None:
                    skipped.append(f"{message.file}: {message.reading or 'no Word document attached'}")
                for document in message.documents:
                    submissions.append(Submission(
                        draft=read_draft(document.data, document.name), file=document.name,
                        delegation=delegation or from_sender, arrived=f"{arrived} {when}", sender=sender))
            continue
        submissions.append(Submission(draft=read_draft(path, path.name), file=path.name,
                                      delegation=delegation, arrived=arrived))
    return submissions


def main(args: argparse.Namespace) -> int:
    """Run the merge; 0 on success, 2 when an input cannot be read (the message says why)."""
    try:
        registry = load_registry(args.delegations) if args.delegations else Registry([])
        base = read_draft(Path(args.base), Path(args.base).name)
        skipped: list[str] = []
        submissions = read_submissions(list(args.submissions), registry, skipped)
        for reading in skipped:
            # On stderr: stdout may be the JSON report (--json -).
            print(f"concord merge: {reading} — not merged", file=sys.stderr)
        earlier = [read_draft(Path(path), Path(path).name) for path in getattr(args, "earlier", [])]
        vocabulary = load_vocabulary(args.stances) if getattr(args, "stances", None) else DEFAULT_VOCABULARY
        consolidation = consolidate(base, submissions, registry, vocabulary=vocabulary, earlier=earlier)
    except (DocxioError, OSError) as exc:
        print(f"concord merge: {exc}", file=sys.stderr)
        return 2
    report = report_json(consolidation)
    if args.json_report:
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if args.json_report == "-":
            print(text)
        else:
            Path(args.json_report).write_text(text + "\n", encoding="utf-8")
    if args.output:
        try:
            write_consolidated(args.base, consolidation, args.output, mode=args.mode)
        except DocxioError as exc:
            print(f"concord merge: {exc}", file=sys.stderr)
            return 2
    if args.json_report != "-":
        print(_summary(consolidation, report), end="")
    return 0


def _summary(consolidation, report: dict) -> str:
    """A few lines for the terminal: per submission what was read, then the warnings."""
    lines = []
    for s in consolidation.submissions:
        who = s.delegation or "(delegation from authors)"
        lines.append(f"{s.file}: {who} — {s.proposals} proposal{'s' if s.proposals != 1 else ''}")
        lines.extend(f"  ! {w}" for w in s.warnings)
    changed = sum(1 for p in report["paragraphs"] if p["proposals"] or p["stances"])
    total = sum(len(p["proposals"]) for p in report["paragraphs"])
    lines.append(f"{total} proposals in {changed} paragraphs from {len(consolidation.submissions)} submissions")
    return "\n".join(lines) + "\n"
