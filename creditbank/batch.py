"""Evaluate many learners: portfolio records in, one evaluation per learner out.

:func:`evaluate_many` is the library call: it takes any iterable of records (JSON lines,
dicts, or ``(line number, record)`` pairs) and yields one :class:`BatchResult` per record,
in order — an :class:`~creditbank.engine.Evaluation`, or the record's problems located by
its line number. It holds nothing between records, so it runs unchanged on a partition of a
Dask bag (``map_partitions``) or a Spark RDD (``mapPartitions``); given a path instead of
:class:`~creditbank.models.Standards` it loads them once per process (from the cache).

:func:`run_batch` is ``creditbank batch``: a JSON-lines file in, a JSON-lines file out, on
every core, resumable: a learner already in the output is skipped and none is written twice.
Output lines are written whole, in input order, one chunk at a time (and synced to disk
every few seconds); on restart a torn last line (from a crash) is cut off and the run goes
on where it stopped, so an interrupted and resumed run writes the same file as an
uninterrupted one.

How the work is shared (:mod:`creditbank.batch_workers`): the command cuts the input into
chunks of raw lines and hands them to worker processes, which send back the finished output
bytes; on Linux the workers are forked from one that has loaded the standards, so they share
them. Memory is flat in the number of learners but for 16 bytes a learner written (the
exact, hash-based set of :mod:`creditbank.batch_index`, 16 MB for a million).
``summary=True`` (``--summary``) writes :mod:`creditbank.batch_summary` lines instead.

>>> import creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> record = ('{"learner": "w1", "achievements": '
...           '[{"id": "a", "unit": "x:nope", "earned_on": "2024-01-01"}]}')
>>> [result] = evaluate_many(standards, [record], program="demo-college:460301")
>>> result.ok, result.problems[0].code, result.problems[0].location.line
(False, 'UNKNOWN_REFERENCE', 1)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import json
import os
import pickle
import re
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from creditbank.batch_index import WrittenLearners, learner_key, parse_output_head
from creditbank.batch_summary import SUMMARY_SCHEMA
from creditbank.batch_workers import Job, Meta, Workers, chunk_payload, in_process
from creditbank.engine import EVALUATION_SCHEMA, Evaluation, evaluate
from creditbank.engine.evaluate import _program
from creditbank.engine.memos import bulk_evaluation
from creditbank.errors import (
    CreditbankError,
    EvaluationError,
    FileError,
    LoadError,
    Location,
    Problem,
)
from creditbank.fileio import TooLong, file_error, open_regular, read_lines, regular_file
from creditbank.loading import Limits, load_standards, read_yaml_text
from creditbank.loading.loader import portfolio_from_document
from creditbank.loading.yaml_reader import DEFAULT_LIMITS
from creditbank.models import Portfolio, Standards

__all__ = [
    "BatchError",
    "BatchResult",
    "BatchSummary",
    "evaluate_many",
    "evaluate_partition",
    "read_done",
    "run_batch",
]

StandardsSource = Standards | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
Record = str | bytes | dict[str, Any]


class BatchError(CreditbankError):
    """A batch cannot run (or resume): unreadable input, an output that is not ours, a
    programme that does not exist, or an output written under other standards or date."""


@dataclass(frozen=True)
class BatchResult:
    """What became of one record: its evaluation, or the problems that stopped it."""

    line: int
    learner: str | None
    evaluation: Evaluation | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.evaluation is not None

    def to_json(self) -> str:
        """The output line (without newline): the evaluation as compact JSON."""
        if self.evaluation is None:
            raise ValueError(f"record on line {self.line} has no evaluation: {self.problems[0]}")
        return self.evaluation.to_json(indent=None)

    def __str__(self) -> str:
        if self.evaluation is not None:
            return f"line {self.line}: {self.learner}: {self.evaluation.totals.recognised}"
        return "\n".join(str(p) for p in self.problems)


# ------------------------------------------------------------------ standards, once


_LOADED: dict[tuple[str, ...], Standards] = {}


def _standards(source: StandardsSource, cache: bool | str | None = None) -> Standards:
    """Standards given, or loaded from paths once per process (through the cache)."""
    if isinstance(source, Standards):
        return source
    paths: tuple[str | os.PathLike[str], ...] = (
        (source,) if isinstance(source, str | os.PathLike) else tuple(source)
    )
    key = tuple(str(Path(p).resolve()) for p in paths)
    found = _LOADED.get(key)
    if found is None:
        found = load_standards(*(Path(p) for p in paths), cache=cache)
        _LOADED.clear()  # one set of standards per process is enough
        _LOADED[key] = found
    return found


# ---------------------------------------------------------------------- one record


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Slow
    return out


class _Slow(Exception):
    """The fast path cannot decide: the located path reports (or accepts) the record."""


def _relocate(problem: Problem, source: str, line: int) -> Problem:
    """A problem found in one record's text, placed at the record's line of the file."""
    where = problem.location
    return Problem(
        problem.code,
        problem.message,
        Location(source, line + (where.line or 1) - 1, where.column, where.path),
    )


@dataclass
class _Evaluator:
    """Evaluates records one by one; see :func:`evaluate_many`."""

    standards: Standards
    program: str | None
    program_field: str | None
    as_of: dt.date | None
    source: str
    known_programs: dict[str, str] = field(default_factory=dict)
    max_bytes: int = DEFAULT_LIMITS.max_bytes
    """The size limit of one record: a portfolio file's."""

    def __call__(self, line: int, record: Record) -> BatchResult:
        size = _size_above(record, self.max_bytes)
        if size is not None:
            problem = oversized_record(size, self.max_bytes, Location(self.source, 1, 1))
            return self._failed(line, None, [problem])
        text = record.decode("utf-8") if isinstance(record, bytes) else record
        try:
            return self._fast(line, text)
        except _Slow:
            return self._located(line, text)

    def _fast(self, line: int, record: str | dict[str, Any]) -> BatchResult:
        """JSON straight to the models; any doubt goes to the located path."""
        try:
            data = (
                json.loads(record, parse_float=Decimal, object_pairs_hook=_no_repeats)
                if isinstance(record, str)
                else dict(record)
            )
        except (ValueError, RecursionError):
            raise _Slow from None
        if not isinstance(data, dict):
            raise _Slow
        program = self.program
        if self.program_field is not None:
            program = data.pop(self.program_field, None)
            if not isinstance(program, str):
                raise _Slow
        if data.get("kind", "portfolio") != "portfolio" or data.get("version", 1) != 1:
            raise _Slow
        data.pop("kind", None)
        data.pop("version", None)
        try:
            portfolio = Portfolio.model_validate(data)
        except ValidationError:
            raise _Slow from None
        assert program is not None
        try:
            evaluation = evaluate(self.standards, portfolio, program, self.as_of)
        except (LoadError, EvaluationError):
            raise _Slow from None
        return BatchResult(line, portfolio.learner, evaluation)

    def _located(self, line: int, record: str | dict[str, Any]) -> BatchResult:
        """The record read as a portfolio file would be, so problems carry line and column."""
        text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
        text = text.removeprefix("\ufeff")
        doc, problems = read_yaml_text(text, self.source)
        learner = None
        program = self.program
        if doc is not None and isinstance(doc.data, dict):
            learner = doc.data.get("learner") if isinstance(doc.data.get("learner"), str) else None
            if self.program_field is not None:
                program, problem = self._program_of(doc.data, doc)
                if problem is not None:
                    problems = [*problems, problem]
        try:
            portfolio = portfolio_from_document(doc, problems, self.standards)
        except LoadError as error:
            return self._failed(line, learner, error.problems)
        if problems or program is None:
            return self._failed(line, learner, problems)
        try:
            evaluation = evaluate(self.standards, portfolio, program, self.as_of)
        except EvaluationError as error:
            where = doc.location((self.program_field,)) if doc and self.program_field else None
            found = Problem("UNKNOWN_REFERENCE", str(error), where or Location(self.source))
            return self._failed(line, portfolio.learner, [found])
        except LoadError as error:
            return self._failed(line, portfolio.learner, error.problems)
        return BatchResult(line, portfolio.learner, evaluation)

    def _program_of(self, data: dict[str, Any], doc: Any) -> tuple[str | None, Problem | None]:
        name = self.program_field
        assert name is not None
        if name not in data:
            return None, Problem(
                "MISSING_FIELD",
                f"the record has no `{name}`: give the programme to evaluate against",
                doc.location(()),
            )
        value = data.pop(name)
        if not isinstance(value, str):
            return None, Problem(
                "WRONG_TYPE", f"`{name}` must be a programme id (text)", doc.location((name,))
            )
        try:
            _program(self.standards, value)
        except EvaluationError as error:
            return None, Problem("UNKNOWN_REFERENCE", str(error), doc.location((name,)))
        return value, None

    def _failed(self, line: int, learner: str | None, problems: Iterable[Problem]) -> BatchResult:
        placed = tuple(_relocate(p, self.source, line) for p in problems)
        if not placed:  # pragma: no cover - a failure always says why
            placed = (Problem("INVALID_VALUE", "the record cannot be read", Location(self.source)),)
        return BatchResult(line, learner, None, placed)


def _size_above(record: Record, max_bytes: int) -> int | None:
    """The size of a record (as UTF-8) if it is above ``max_bytes``, else None."""
    if isinstance(record, dict):
        return None
    if isinstance(record, str):
        if len(record) * 4 <= max_bytes:  # no UTF-8 character takes more than 4 bytes
            return None
        size = len(record.encode("utf-8", "surrogatepass"))
    else:
        size = len(record)
    return size if size > max_bytes else None


def oversized_record(size: int, max_bytes: int, where: Location) -> Problem:
    """The problem of a record (one line) larger than a portfolio file may be."""
    return Problem(
        "FILE_TOO_LARGE",
        f"this record is {size:,} bytes, above the limit of {max_bytes:,} for one portfolio; "
        "it is skipped",
        where,
    )


def evaluate_many(
    standards: StandardsSource,
    records: Iterable[Record | tuple[int, Record]],
    *,
    program: str | None = None,
    program_field: str | None = None,
    as_of: dt.date | str | None = None,
    source: str = "<records>",
    start: int = 1,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[BatchResult]:
    """Evaluate each record (a portfolio as a JSON line, bytes or a dict) against a programme.

    ``program`` names the programme for every record; ``program_field`` instead names the
    field of each record that holds it (the field is removed before the portfolio is read).
    Records are numbered from ``start`` unless given as ``(line, record)`` pairs; problems
    are located at ``source``:line:column. ``standards`` may be loaded
    :class:`~creditbank.models.Standards` or the path(s) to load them from (once per
    process, through the cache). Blank records are skipped. Nothing is kept between records.
    A record larger than ``limits.max_bytes`` (the size limit of a portfolio file) is a
    ``FILE_TOO_LARGE`` problem of its own.
    """
    if (program is None) == (program_field is None):
        raise ValueError("give exactly one of `program` and `program_field`")
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    loaded = _standards(standards)
    if program is not None:
        program = _program(loaded, program).id  # an unknown programme fails here, once
    evaluator = _Evaluator(loaded, program, program_field, day, source, max_bytes=limits.max_bytes)
    for number, item in enumerate(records, start):
        line, record = item if isinstance(item, tuple) else (number, item)
        if isinstance(record, str | bytes) and not record.strip():
            continue
        yield evaluator(line, record)


def evaluate_partition(
    records: Iterable[Record | tuple[int, Record]],
    standards: StandardsSource,
    *,
    program: str | None = None,
    program_field: str | None = None,
    as_of: dt.date | str | None = None,
) -> list[BatchResult]:
    """:func:`evaluate_many` as a list, with the records first: for ``map_partitions``.

    The garbage collector's full passes wait while the partition is evaluated
    (:func:`~creditbank.engine.memos.bulk_evaluation`)."""
    with bulk_evaluation():
        return list(
            evaluate_many(
                standards, records, program=program, program_field=program_field, as_of=as_of
            )
        )


# ------------------------------------------------------------------------ the run


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
_MAX_OUTPUT_LINE = 64 * 1024 * 1024
"""No output line of ours comes near this (a full evaluation is a few kilobytes)."""
_LEARNER = re.compile(rb'"learner"\s*:\s*"((?:[^"\\]|\\.)*)"')


def read_done(output: Path) -> tuple[WrittenLearners, dict[str, str]]:
    """Learners already in ``output`` (a compact, exact set: see :mod:`creditbank.batch_index`),
    and the as-of date, standards fingerprint and schema (full or summary) they were written
    with. A torn last line (a crash in the middle of a write) is cut off."""
    done = WrittenLearners(output)
    seen: dict[str, str] = {}
    if not _check_output(output):
        return done, seen
    try:
        with output.open("rb+") as handle:
            _read_done(output, handle, done, seen)
    except OSError as error:
        raise file_error(error, str(output), writing=True) from None
    return done, seen


def _check_output(output: Path) -> bool:
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


def _candidate(raw: bytes) -> str | None:
    """The learner id a raw input line seems to have (confirmed later by a full parse)."""
    match = _LEARNER.search(raw)
    if match is None:
        return None
    try:
        found = json.loads(b'"' + match[1] + b'"')
    except ValueError:
        return None
    return found if isinstance(found, str) else None


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


class _Run:
    """One run of :func:`run_batch`: reads, dispatches, writes, counts.

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
        found = [(i, learner) for i, raw in enumerate(lines) if (learner := _candidate(raw))]
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


def _resumed_day(
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


def run_batch(
    input_path: Path | str,
    output_path: Path | str,
    *,
    standards: Sequence[str | os.PathLike[str]],
    program: str | None = None,
    program_field: str | None = None,
    as_of: dt.date | None = None,
    workers: int | None = None,
    chunk_size: int = 200,
    cache: bool | str | None = None,
    report: Callable[[Problem], None] | None = None,
    progress: Callable[[int, int, BatchSummary], None] | None = None,
    summary: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> BatchSummary:
    """Evaluate every record of a JSON-lines file into a JSON-lines file; see the module.

    Each line is a full ``creditbank.evaluation/1``, or with ``summary`` a
    ``creditbank.evaluation-summary/1`` (:mod:`creditbank.batch_summary`: totals, uses and
    gaps, without the explanations; about a quarter of the size: 1.1 KB a learner on
    the national synthetic data, against 4.5 KB).
    ``workers``: processes (default: every core; 1 runs in this process). ``report`` is
    called with each problem (bad records, repeated learners); ``progress`` with the bytes
    read so far, the input's size and the running summary. Resuming keeps the as-of day the
    output was written with; other standards or another ``as_of`` refuse to resume.

    A line above ``limits.max_bytes`` (a portfolio file's size limit) is reported as a bad
    record (``FILE_TOO_LARGE``) without being read into memory. The input must be a regular
    file, and so must the output if it exists; what the operating system refuses (a missing
    directory, a full disk …) raises :class:`~creditbank.errors.FileError` — after a failed
    write its message says how to resume.
    """
    if (program is None) == (program_field is None):
        raise ValueError("give exactly one of `program` and `program_field`")
    input_file, output_file = Path(input_path), Path(output_path)
    regular_file(input_file)
    _check_output(output_file)
    paths = tuple(str(p) for p in standards)
    job = Job(paths, cache, program, program_field, str(input_path), summary)
    count = workers or os.cpu_count() or 1
    pool = Workers(job, count) if count > 1 else None  # they load while the output is read
    try:
        done, stamp = read_done(output_file)
        if pool is not None:
            fingerprint, program = pool.ready()
        else:
            loaded = _standards(job.paths, cache)
            if program is not None:
                try:
                    program = _program(loaded, program).id
                except EvaluationError as error:
                    raise BatchError(str(error)) from None
            fingerprint = loaded.fingerprint()
        day = _resumed_day(output_file, stamp, fingerprint, as_of) or dt.date.today()
        if stamp and stamp["schema"] != (SUMMARY_SCHEMA if summary else EVALUATION_SCHEMA):
            raise BatchError(
                f"{output_file} holds {stamp['schema']} lines; resume it "
                + ("without" if stamp["schema"] == EVALUATION_SCHEMA else "with")
                + " --summary, or write to another file"
            )
        run = _Run(job.source, done, report, progress, limits.max_bytes)
        if pool is not None:
            pool.start(day)
            results = pool.results
        else:
            evaluator = _Evaluator(
                loaded, program, program_field, day, job.source, max_bytes=limits.max_bytes
            )
            results = functools.partial(in_process, evaluator, summary)
        with bulk_evaluation() if pool is None else contextlib.nullcontext():
            run.run(input_file, output_file, results, chunk_size)
    finally:
        if pool is not None:
            pool.close()
    return run.summary
