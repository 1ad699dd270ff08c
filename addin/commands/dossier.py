"""`concord dossier SUBMISSION... -o dossier.docx`: every submission in one record document.

A submission is a .docx path, optionally prefixed with its delegation ("Egypt=egypt.docx");
without a prefix the file name stands for the delegation. The file's modification time is its
date of arrival. Submissions are appended in the order given.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from docxio.dossier import DossierEntry, build_dossier
from docxio.errors import DocxioError


def entry_for(argument: str) -> DossierEntry:
    """A dossier entry from "Delegation=file.docx" or "file.docx"; a missing file raises."""
    delegation, path = None, argument
    if "=" in argument and not Path(argument).exists():
        delegation, _, path = argument.partition("=")
        delegation = delegation.strip() or None
    file = Path(path.strip())
    if not file.is_file():
        raise DocxioError(file.name, "no such file")
    arrived = datetime.fromtimestamp(file.stat().st_mtime, timezone.utc).replace(microsecond=0)
    return DossierEntry(file, delegation or file.stem, arrived)


def main(args: argparse.Namespace) -> int:
    """Build the dossier; errors are one line naming the file, exit status 2."""
    try:
        entries = [entry_for(a) for a in args.submissions]
        build_dossier(entries, args.output)
    except DocxioError as exc:
        print(f"concord dossier: {exc}", file=sys.stderr)
        return 2
    print(f"{args.output}: {len(entries)} submissions")
    return 0
