"""One run of ``creditbank batch``: the input read in chunks, the answers written in order.

:class:`BatchRun` cuts the input into chunks of raw lines (a line too large, or of a learner
an earlier run wrote, goes as an empty line so line numbers stay), hands them to whoever
evaluates them (:mod:`creditbank.batch.workers`), and appends each chunk's finished output
bytes after checking that no learner in it was written before. Output lines are written
whole, in input order, and synced to disk every few seconds; :class:`BatchSummary` counts
what it did.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pickle
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from creditbank.batch.evaluator import oversized_record
from creditbank.batch.index import WrittenLearners, learner_key
from creditbank.batch.resume import input_learner
from creditbank.batch.workers import Meta, chunk_payload
from creditbank.errors import BatchError, FileError, Location, Problem
from creditbank.fileio import TooLong, file_error, open_regular, read_lines
from creditbank.loading.yaml_reader import DEFAULT_LIMITS

__all__ = ["MAX_KEPT", "BatchRun", "BatchSummary"]


@dataclass
class BatchSummary:
    """What a run did."""

    evaluated: int = 0
    skipped: int = 0
    """Records of learners already in the output (from an earlier, interrupted run)."""
    bad: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    """The first problems (at most ``MAX_KEPT``), for callers; all are passed to ``report``."""

    @property
    def rate(self) -> float:
        return self.evaluated / self.seconds if self.seconds else 0.0


MAX_KEPT = 1000


class _Syncer:
    """Flushes the output to disk every few seconds, off the command's main thread."""

    def __init__(self, fd: int, every: float = 5.0) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(fd, every), daemon=True)
        self._thread.start()

    def _run(self, fd: int, every: float) -> None:
        while not self._stop.wait(every):
            with contextlib.suppress(OSError):
                os.fsync(fd)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class BatchRun:
    """One run of :func:`~creditbank.batch.run_batch`: reads, dispatches, writes, counts.

    Per learner the command does little: it cuts the input into chunks of raw lines (on
    resuming it also looks each line's learner up among those already written), and writes
    each chunk's finished output bytes after checking that no learner in it was written
    before (a 64-bit hash lookup, confirmed on the file when it hits)."""

    def __init__(
        self,
        source: str,
        written: WrittenLearners,
        report: Callable[[Problem], None] | None,
        progress: Callable[[int, int, BatchSummary], None] | None,
        max_bytes: int = DEFAULT_LIMITS.max_bytes,
    ) -> None:
        self.source = source
        self.max_bytes = max_bytes
        self.oversized: deque[list[Problem]] = deque()
        """Per chunk sent, in order: the problems of its lines above the size limit (each
        sent as an empty line, so line numbers stay); :meth:`accept` reports them in turn."""
        self.written = written
        self.output = str(written.output)
        self.size = written.output.stat().st_size if written.output.exists() else 0
        self.resumed = self.size
        """Lines before this offset were written by an earlier run: their learners are skipped."""
        self.report = report
        self.progress = progress
        self.summary = BatchSummary()
        self.read = 0
        self.total = 0

    def problem(self, problem: Problem) -> None:
        if len(self.summary.problems) < MAX_KEPT:
            self.summary.problems.append(problem)
        if self.report is not None:
            self.report(problem)

    def chunks(self, handle: Any, size: int) -> Iterator[bytes]:
        """Payloads of ``size`` raw lines each; a line of a learner already written by an
        earlier run, or one above the size limit (never read into memory whole), is replaced
        by an empty line (so the line numbers stay)."""
        number = 1
        skip = len(self.written) > 0
        source = read_lines(handle, self.max_bytes)
        while read := self._next_lines(source, size):
            lines: list[bytes] = []
            oversized: list[Problem] = []
            for offset, line in enumerate(read):
                if isinstance(line, TooLong):
                    self.read += line.size + 1
                    where = Location(self.source, number + offset, 1)
                    oversized.append(oversized_record(line.size, self.max_bytes, where))
                    lines.append(b"\n")
                else:
                    self.read += len(line)
                    lines.append(line)
            self.oversized.append(oversized)
            if skip:
                self._skip_done(lines, number)
            if not lines[-1].endswith(b"\n"):
                lines[-1] += b"\n"
            yield chunk_payload(number, b"".join(lines))
            number += len(lines)

    def _next_lines(self, source: Iterator[bytes | TooLong], size: int) -> list[bytes | TooLong]:
        try:
            return list(itertools.islice(source, size))
        except OSError as error:
            raise file_error(error, self.source) from None

    def _skip_done(self, lines: list[bytes], first: int) -> None:
        found = [(i, learner) for i, raw in enumerate(lines) if (learner := input_learner(raw))]
        keys = [learner_key(learner) for _, learner in found]
        for (i, learner), key, maybe in zip(found, keys, self.written.maybe(keys), strict=True):
            if not maybe or not any(
                offset < self.resumed and self.written.learner_at(offset) == learner
                for offset in self.written.offsets(key)
            ):
                continue
            try:  # confirmed by a full parse of the record
                text = lines[i].decode("utf-8")
                data = json.loads(text.removeprefix("\ufeff") if first + i == 1 else text)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("learner") == learner:
                lines[i] = b"\n"
                self.summary.skipped += 1

    def accept(self, head: bytes, body: bytes, fd: int) -> None:
        """Write one chunk's output; report its problems and repeated learners."""
        meta: Meta | tuple[str, str] = pickle.loads(head)
        if isinstance(meta, tuple):  # a record the engine failed on (a bug): stop cleanly
            raise BatchError(meta[1])
        oversized = self.oversized.popleft()
        if oversized:
            meta = sorted(
                [*meta, *((p.location.line or 0, None, (p,)) for p in oversized)],
                key=lambda entry: entry[0],
            )
        learners = [learner for _, learner, what in meta if isinstance(what, int)]
        keys = [learner_key(learner) for learner in learners if learner is not None]
        maybe = iter(self.written.maybe(keys))
        key_of = iter(keys)
        here: set[str] = set()
        kept: list[tuple[int, int, int]] = []
        position = 0
        for line, learner, what in meta:
            if not isinstance(what, int):
                self.summary.bad += 1
                for problem in what:
                    self.problem(problem)
                continue
            assert learner is not None
            key, hit = next(key_of), next(maybe)
            start, position = position, position + what
            if learner in here or (hit and self.written.contains_key(learner, key)):
                self.summary.duplicates += 1
                self.problem(
                    Problem(
                        "DUPLICATE_ID",
                        f"learner {learner!r} was already evaluated from an earlier line; "
                        "this record is skipped",
                        Location(self.source, line, 1, ("learner",)),
                    )
                )
                continue
            here.add(learner)
            kept.append((start, position, key))
        if not kept:
            return
        if len(kept) == len(learners):
            self._write(fd, body)
        else:
            view = memoryview(body)
            self._write(fd, b"".join(view[start:end] for start, end, _ in kept))
        for start, end, key in kept:
            self.written.add_key(key, self.size)
            self.size += end - start
        self.summary.evaluated += len(kept)

    def _write(self, fd: int, data: bytes) -> None:
        try:
            _write_all(fd, data)
        except OSError as error:
            raise self.interrupted(error) from None

    def interrupted(self, error: OSError) -> FileError:
        """The error of a failed write: what failed, and how to go on where it stopped."""
        failed = file_error(error, self.output, writing=True)
        return FileError(
            failed.code,
            f"{failed.message}. Every learner written completely before (by this run or an "
            "earlier one) is kept; once the cause is fixed, run the same command again: it "
            "goes on where it stopped and the finished file is the same as from an "
            "uninterrupted run",
            self.output,
        )

    def run(
        self,
        input_file: Path,
        output_file: Path,
        results: Callable[[Iterator[bytes]], Iterator[tuple[bytes, bytes]]],
        chunk_size: int,
    ) -> None:
        started = time.perf_counter()
        with open_regular(input_file) as handle:
            self.total = os.fstat(handle.fileno()).st_size
            fd = _open_output(output_file)
            syncer = _Syncer(fd)
            try:
                for head, body in results(self.chunks(handle, chunk_size)):
                    self.accept(head, body, fd)
                    self.summary.seconds = time.perf_counter() - started
                    if self.progress is not None:
                        self.progress(self.read, self.total, self.summary)
                syncer.stop()
                try:
                    os.fsync(fd)
                except OSError as error:
                    raise self.interrupted(error) from None
            finally:
                syncer.stop()
                os.close(fd)
                self.written.close()
                self.summary.seconds = time.perf_counter() - started


def _open_output(output_file: Path) -> int:
    """The output, opened to append (created if new); only a regular file is written to."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(output_file, flags | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as error:
        raise file_error(error, str(output_file), writing=True) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileError("NOT_A_FILE", "the output is not a regular file", str(output_file))
    return fd


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (one call unless the system splits it); lines are never interleaved."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
