"""Fewer garbage-collector passes while a draft is read or a round consolidated.

Reading a submission allocates tens of thousands of short-lived Python objects (lxml proxies,
raw paragraphs, text pieces) while the drafts read before it stay alive. With CPython's default
threshold the collector starts a pass every 700 allocations and, every few passes, walks every
object still alive — a fifth to a third of a merge's reading time in ``make bench``, spent
finding no garbage (the reader makes no reference cycles: its objects are freed by reference
counting as soon as a read ends).

``fewer_collections()`` raises the first generation's threshold for the time of a read, so the
short-lived objects are freed before the collector ever looks at them. The threshold is
process-wide, and the Flask server reads on several threads at once, so entries are counted
under a lock: the first to enter raises it, the last to leave restores what it was. The
collector still runs (cyclic garbage made meanwhile is found at the next pass); only its passes
are rarer.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["READING_THRESHOLD", "fewer_collections"]

#: Allocations between two passes of the youngest generation while reading (CPython's default is
#: 700). A read of a 300-paragraph submission makes about this many objects that outlive a
#: paragraph; more would only defer the same work.
READING_THRESHOLD = 100_000


class _Raised:
    """How many readers are inside ``fewer_collections`` and the thresholds to restore.

    One per process, because the collector's threshold is one per process (this is the one place
    that changes it)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entered = 0
        self.saved: tuple[int, ...] = ()


_RAISED = _Raised()


@contextmanager
def fewer_collections(threshold: int = READING_THRESHOLD) -> Iterator[None]:
    """Run the body with the collector's youngest-generation threshold at least ``threshold``.

    Safe to nest and to enter from several threads at once: the threshold is restored when the
    last one leaves, whatever happened inside.
    """
    with _RAISED.lock:
        if _RAISED.entered == 0:
            _RAISED.saved = gc.get_threshold()
            first, *older = _RAISED.saved
            if first and first < threshold:  # 0 means the collector was switched off: keep it so
                gc.set_threshold(threshold, *older)
        _RAISED.entered += 1
    try:
        yield
    finally:
        with _RAISED.lock:
            _RAISED.entered -= 1
            if _RAISED.entered == 0:
                gc.set_threshold(*_RAISED.saved)
