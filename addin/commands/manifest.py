"""`concord manifest --url https://host [-o file]`: write the Word add-in manifest for a public URL."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from addin.manifest import ManifestError, build_manifest


def main(args: argparse.Namespace) -> int:
    """Write the manifest for ``args.url`` to ``args.output`` ("-" = stdout); 2 on a bad URL."""
    try:
        xml = build_manifest(args.url)
    except ManifestError as exc:
        print(f"concord manifest: {exc}", file=sys.stderr)
        return 2
    if args.output in (None, "-"):
        sys.stdout.write(xml)
        return 0
    try:
        Path(args.output).write_text(xml, encoding="utf-8")
    except OSError as exc:
        print(f"concord manifest: {args.output}: cannot write the manifest: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"Wrote {args.output} for {args.url}: sideload it in Word (see manifest/README.md).", file=sys.stderr)
    return 0
