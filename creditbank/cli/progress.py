"""Progress of long work on standard error (issue 20, item 13), as `creditbank batch` shows
its own: a spinner with the time elapsed, or a bar when the work can be counted.

Shown only when standard error is a terminal, only once the work has taken longer than
:data:`DELAY` (a quick command prints nothing more than before), and never with JSON output
(the caller passes ``enabled=False``). It is transient: it leaves no line behind, so what a
command prints is the same with and without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from creditbank.cli.console import console

if TYPE_CHECKING:
    from rich.progress import ProgressColumn

__all__ = ["DELAY", "counting", "working"]

DELAY = 1.0
"""Seconds of work before progress is shown."""


@contextmanager
def working(label: str, *, enabled: bool = True) -> Iterator[None]:
    """A spinner, ``label`` and the time elapsed, while the body runs (if it runs long)."""
    with _shown(label, None, enabled) as _:
        yield


@contextmanager
def counting(label: str, total: int, *, enabled: bool = True) -> Iterator[Callable[[], None]]:
    """A bar of ``total`` steps; the body calls the function it is given after each step."""
    with _shown(label, total, enabled) as advance:
        yield advance


@contextmanager
def _shown(label: str, total: int | None, enabled: bool) -> Iterator[Callable[[], None]]:
    err = console(stderr=True)
    if not enabled or not err.is_terminal:
        yield lambda: None
        return
    # imported only when progress may be shown: a quick command's start does not pay for it
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn(label)]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    progress = Progress(*columns, TimeElapsedColumn(), console=err, transient=True)
    task = progress.add_task(label, total=total)
    lock = threading.Lock()
    state = {"started": False, "done": False}

    def start() -> None:
        # the timer's thread may fire while the body ends: the lock makes start and stop
        # happen in one order, and never start after the end
        with lock:
            if not state["done"]:
                progress.start()
                state["started"] = True

    timer = threading.Timer(DELAY, start)
    timer.daemon = True
    timer.start()
    try:
        yield lambda: progress.advance(task)
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["started"]:
                progress.stop()
