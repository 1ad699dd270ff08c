"""`concord inspect FILE [--json]`: show what Concord reads in a .docx."""
from __future__ import annotations

import argparse
import json
import sys

from docxio.errors import DocxioError
from docxio.inspection import inspection_json, inspection_text
from docxio.reader import read_draft


def main(args: argparse.Namespace) -> int:
    """Print the reading of ``args.file`` (JSON with ``args.json``); exit code 2 on a file that
    cannot be read, with a message naming the file and the problem on stderr."""
    try:
        draft = read_draft(args.file)
    except DocxioError as exc:
        print(f"concord inspect: {exc}", file=sys.stderr)
        return 2
    except IsADirectoryError:
        print(f"concord inspect: {args.file}: is a folder, not a Word document", file=sys.stderr)
        return 2
    except FileNotFoundError:
        print(f"concord inspect: {args.file}: no such file", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"concord inspect: {args.file}: cannot be read ({exc.strerror or exc})", file=sys.stderr)
        return 2
    if args.json:
        json.dump(inspection_json(draft), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(inspection_text(draft))
    return 0
