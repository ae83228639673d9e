"""The cyclic garbage collector paused while a large structure of survivors is built.

CPython's collector runs a full pass over every object the process holds whenever the objects
that survived earlier passes have grown by a quarter. Reading a portfolio or standards file,
and evaluating a portfolio, build objects that all survive (they are the result), so on a
large input the collector walks the growing structure again and again for nothing, and the
time per achievement grows with the portfolio: work linear in the input becomes quadratic
(``benchmarks/unselected.py`` measures it; ``benchmarks/RESULTS.md``, session 5, has the
figures). Reference counting still frees everything that becomes garbage meanwhile; cycles
are collected once the block ends.

>>> import gc
>>> before = gc.isenabled()
>>> with collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled() == before
True
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; it resumes afterwards if it was on.

    The setting is the process's; nested and concurrent blocks are safe (a block only turns
    the collector back on if it found it on), at worst the collector runs again early.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
