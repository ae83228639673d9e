"""Resuming a batch: what an earlier, interrupted run already wrote.

An output line is written whole or, after a crash, torn at its end: :func:`read_done` cuts a
torn last line off and returns the learners already written (an exact, compact set: see
:mod:`creditbank.batch.index`) and the as-of day, standards fingerprint and schema they were
written with; :func:`resumed_day` refuses to go on under other standards or another day.
:func:`input_learner` finds the learner of a raw input line cheaply, so a learner written
before is skipped without parsing every line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from creditbank.batch.index import WrittenLearners, parse_output_head
from creditbank.errors import BatchError, FileError
from creditbank.fileio import TooLong, file_error, read_lines

__all__ = ["check_output", "input_learner", "read_done", "resumed_day"]

_MAX_OUTPUT_LINE = 64 * 1024 * 1024
"""No output line of ours comes near this (a full evaluation is a few kilobytes)."""
_LEARNER = re.compile(rb'"learner"\s*:\s*"((?:[^"\\]|\\.)*)"')


def read_done(output: Path) -> tuple[WrittenLearners, dict[str, str]]:
    """Learners already in ``output`` (a compact, exact set: see :mod:`creditbank.batch.index`),
    and the as-of date, standards fingerprint and schema (full or summary) they were written
    with. A torn last line (a crash in the middle of a write) is cut off."""
    done = WrittenLearners(output)
    seen: dict[str, str] = {}
    if not check_output(output):
        return done, seen
    try:
        with output.open("rb+") as handle:
            _read_done(output, handle, done, seen)
    except OSError as error:
        raise file_error(error, str(output), writing=True) from None
    return done, seen


def check_output(output: Path) -> bool:
    """Whether the output exists (then it is a regular file); a missing directory, or
    anything but a regular file (a directory, ``/dev/full``, a FIFO), raises FileError."""
    where = str(output)
    try:
        info = os.stat(output)
    except FileNotFoundError:
        if not output.absolute().parent.is_dir():
            raise FileError(
                "DIRECTORY_NOT_FOUND",
                "the directory to write into does not exist; create it first",
                where,
            ) from None
        return False
    except OSError as error:
        raise file_error(error, where, writing=True) from None
    if not stat.S_ISREG(info.st_mode):
        raise FileError(
            "NOT_A_FILE",
            "the output is not a regular file; batch writes (and resumes) a regular file",
            where,
        )
    return True


def _read_done(output: Path, handle: Any, done: WrittenLearners, seen: dict[str, str]) -> None:
    """:func:`read_done` on the open output."""
    size = handle.seek(0, os.SEEK_END)
    if size:
        handle.seek(max(0, size - 1))
        if handle.read(1) != b"\n":  # torn: keep up to the last complete line
            keep = _last_newline(handle, size)
            handle.truncate(keep)
    handle.seek(0)
    offset = 0
    for number, raw in enumerate(read_lines(handle, _MAX_OUTPUT_LINE), 1):
        head = None if isinstance(raw, TooLong) else parse_output_head(raw)
        if head is None or isinstance(raw, TooLong):
            raise BatchError(
                f"{output}:{number}: this line is not a creditbank evaluation; "
                "is this the output of `creditbank batch`? Write to another file"
            )
        learner, as_of, fingerprint, schema = head
        if seen and (seen["as_of"] != as_of or seen["fingerprint"] != fingerprint):
            raise BatchError(f"{output}:{number}: evaluated on another day or standards")
        if seen and seen["schema"] != schema:
            raise BatchError(f"{output}:{number}: full evaluations and summaries mixed")
        if not seen:
            seen.update(as_of=as_of, fingerprint=fingerprint, schema=schema)
        done.add(learner, offset)
        offset += len(raw)


def _last_newline(handle: Any, size: int) -> int:
    """Offset just after the last newline before ``size`` (0 if none)."""
    block = 1 << 16
    end = size
    while end > 0:
        start = max(0, end - block)
        handle.seek(start)
        chunk = handle.read(end - start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return int(start + found + 1)
        end = start
    return 0


def input_learner(raw: bytes) -> str | None:
    """The learner id a raw input line seems to have (confirmed later by a full parse)."""
    match = _LEARNER.search(raw)
    if match is None:
        return None
    try:
        found = json.loads(b'"' + match[1] + b'"')
    except ValueError:
        return None
    return found if isinstance(found, str) else None


def resumed_day(
    output_file: Path, stamp: dict[str, str], fingerprint: str, as_of: dt.date | None
) -> dt.date | None:
    """The as-of day of a resumed run: the one the output was written with."""
    if not stamp:
        return as_of
    if stamp["fingerprint"] != fingerprint:
        raise BatchError(
            f"{output_file} was written under other standards ({stamp['fingerprint']}); "
            "write to another file to evaluate under these"
        )
    if as_of is not None and as_of.isoformat() != stamp["as_of"]:
        raise BatchError(f"{output_file} was evaluated as of {stamp['as_of']}, not {as_of}")
    return dt.date.fromisoformat(stamp["as_of"])
