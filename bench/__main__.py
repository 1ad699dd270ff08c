"""`make bench`: run every benchmark module in this package (bench/bench_*.py) and print its figures.

Each module defines ``run() -> list[str]`` returning human-readable result lines.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    """Run each bench_* module in name order; a failing benchmark fails `make bench`."""
    folder = Path(__file__).parent
    failed = 0
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        print(f"== {info.name}", flush=True)
        try:
            for line in importlib.import_module(f"bench.{info.name}").run():
                print(f"   {line}", flush=True)
        except Exception as exc:  # report and go on: one broken benchmark should not hide the others
            failed += 1
            print(f"   FAILED: {exc!r}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
