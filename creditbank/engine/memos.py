"""Keep the engine's memos bounded (dropped when they hold too much), and keep the garbage
collector's full passes out of long runs of evaluations (:func:`bulk_evaluation`).

The engine remembers, with the standards, what it worked out for a unit, a level, a rule or
a template (its :class:`~creditbank.engine.cache.EngineCache`), so the next learner costs less.
On a province's standards those memos fill up with what its learners share and then stop
growing; on a country's they grow with every new combination a learner brings, and a batch of
a million learners would hold them all. So every :data:`CHECK_EVERY` evaluations of one
:class:`~creditbank.models.Standards` the memos are counted, and when they hold more than
:data:`MEMO_ENTRIES` entries they are dropped and built again as needed: a province keeps its
memos, a country's are dropped now and then, so their size is a sawtooth below a bound
(``benchmarks/RESULTS.md``, session 3, has the sizes and the cost of a drop). Counting
instead of dropping every N evaluations keeps what a province's learners share. A memo only
ever holds what its function returns for its key, so dropping it changes no result.

>>> import creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> count = evaluated(standards)
>>> evaluated(standards) == count + 1
True
>>> memo_entries(standards) < MEMO_ENTRIES
True

**The collector.** CPython's cyclic garbage collector runs a full pass, over every object
the process holds, whenever the objects that survived earlier passes have grown by a
quarter. The memos are such survivors, so on the national data a full pass came every few
hundred learners and walked the standards and every memo, again and again, for almost
nothing: an evaluation makes almost no reference cycles (its objects are freed as soon as it
returns). So inside :func:`bulk_evaluation` the oldest generation waits for
:data:`DEFERRED_PASSES` collections of the middle one instead of 10, and a full pass runs at
every memo trim, right after the memos were dropped, when there is least to walk
(``benchmarks/RESULTS.md``, session 3: what the passes cost and what this saved). Young
objects are still collected as usual, and cyclic garbage (a bad record leaves a few dozen
objects) is still freed, later. On Python 3.14 and newer, whose collector works
incrementally, the thresholds are left alone.

>>> import gc
>>> before = gc.get_threshold()
>>> with bulk_evaluation():
...     pass
>>> gc.get_threshold() == before
True
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator

from creditbank.engine.cache import EngineCache
from creditbank.loading.crosscheck import CheckedAchievements
from creditbank.models import Standards

__all__ = [
    "CHECK_EVERY",
    "DEFERRED_PASSES",
    "MEMO_ENTRIES",
    "bulk_evaluation",
    "evaluated",
    "memo_entries",
    "trim",
]

CHECK_EVERY = 200
"""Evaluations of one standards object between two counts of its memos' entries."""

MEMO_ENTRIES = 150_000
"""Entries the memos of one standards object may hold together before they are dropped: above
what a province's memos settle at, so a province keeps them; low enough that a batch worker's
memory stays within the target of issue 6 (``benchmarks/RESULTS.md``, session 3)."""

DEFERRED_PASSES = 1_000
"""Collections of the middle generation before one of the oldest inside
:func:`bulk_evaluation` (CPython's default is 10)."""

_DEFERS = sys.version_info < (3, 14)
"""Whether :func:`bulk_evaluation` changes the thresholds (not for an incremental collector)."""


class _Bulk:
    """The open :func:`bulk_evaluation` blocks of the process and the threshold they saved."""

    lock = threading.Lock()
    depth = 0
    saved = 0


@contextlib.contextmanager
def bulk_evaluation() -> Iterator[None]:
    """Many evaluations in a row: fewer full passes of the garbage collector, one per trim.

    For a batch worker or a partition of a cluster job (the module docstring says why). The
    setting is the process's: it holds for every thread while a block is open. Blocks may
    nest and may be open in several threads at once; when the last one closes, the oldest
    generation's threshold is put back as it was when the first opened (the other two
    thresholds are never changed).
    """
    with _Bulk.lock:
        if _Bulk.depth == 0 and _DEFERS:
            first, middle, _Bulk.saved = gc.get_threshold()
            gc.set_threshold(first, middle, DEFERRED_PASSES)
        _Bulk.depth += 1
    try:
        yield
    finally:
        with _Bulk.lock:
            _Bulk.depth -= 1
            if _Bulk.depth == 0 and _DEFERS:
                first, middle, _ = gc.get_threshold()
                gc.set_threshold(first, middle, _Bulk.saved)


def trim(standards: Standards) -> None:
    """Drop the engine's memos of ``standards`` and the portfolio check's (they are built
    again on next use; the rule index stays, what it learned about achievements goes); inside
    :func:`bulk_evaluation`, then run a full pass of the collector."""
    standards.cache(EngineCache).trim()
    standards.cache(CheckedAchievements).clear()
    if _Bulk.depth:
        gc.collect()


def memo_entries(standards: Standards) -> int:
    """How many entries the engine's memos of ``standards`` and the portfolio check's hold
    (:meth:`~creditbank.engine.cache.EngineCache.entries`)."""
    return standards.cache(EngineCache).entries() + len(standards.cache(CheckedAchievements))


def evaluated(standards: Standards) -> int:
    """Count one evaluation; every :data:`CHECK_EVERY`-th, trim the memos if they hold more
    than :data:`MEMO_ENTRIES` entries. Returns the count."""
    cache = standards.cache(EngineCache)
    cache.evaluations += 1
    if cache.evaluations % CHECK_EVERY == 0 and memo_entries(standards) > MEMO_ENTRIES:
        trim(standards)
    return cache.evaluations
