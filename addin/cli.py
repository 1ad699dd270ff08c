"""The `concord` command line: inspect, merge, dossier, manifest, run.

Each subcommand's work lives in ``addin.commands.<name>`` as ``main(args) -> int``; this module
only declares the arguments, so every command's options are visible in one place.
"""
from __future__ import annotations

import argparse
import importlib
import sys


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="concord", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    inspect = sub.add_parser("inspect", help="show what Concord reads in a .docx")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true", help="one JSON object on stdout")

    merge = sub.add_parser("merge", help="consolidate submissions against a base draft")
    merge.add_argument("base", help="the round's base draft (.docx)")
    merge.add_argument(
        "submissions", nargs="+",
        help='submission files (.docx, .eml, .msg, mbox, maildir), optionally "Delegation=file.docx"',
    )
    merge.add_argument("--delegations", help="delegation registry CSV: delegation,aliases,emails")
    merge.add_argument("--json", dest="json_report", help="write the consolidation report here")
    merge.add_argument("-o", "--output", help="write the consolidated draft (.docx) here")
    merge.add_argument("--mode", choices=("tracked", "compilation"), default="compilation")
    merge.add_argument("--stances", metavar="CSV",
                       help="stance vocabulary: header stance,phrases (phrases ;-separated), added to the defaults")
    merge.add_argument("--earlier", action="append", default=[], metavar="DRAFT",
                       help="an earlier round's base draft, to recognise submissions made on it (repeatable)")

    dossier = sub.add_parser("dossier", help="append submissions into one record document")
    dossier.add_argument("submissions", nargs="+", help='files, optionally "Delegation=file.docx"')
    dossier.add_argument("-o", "--output", required=True)

    manifest = sub.add_parser("manifest", help="write the Word add-in manifest for a public URL")
    manifest.add_argument("--url", required=True, help="the HTTPS origin the backend is served on")
    manifest.add_argument("-o", "--output", default="-")

    run = sub.add_parser("run", help="start the server with the sample round loaded")
    run.add_argument("--host", help="address to listen on (default: CONCORD_HOST, else 127.0.0.1)")
    run.add_argument("--port", type=int, help="port to listen on (default: CONCORD_PORT, else 5443)")
    run.add_argument("--no-serve", action="store_true", help="load and render the samples, then exit")
    run.add_argument("--no-samples", action="store_true", help="serve the store as it is, without loading the samples")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `concord` console script."""
    args = build_parser().parse_args(argv)
    command = importlib.import_module(f"addin.commands.{args.command}")
    return int(command.main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
