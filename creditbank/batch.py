"""Evaluate many learners: portfolio records in, one evaluation per learner out.

:func:`evaluate_many` is the library call: it takes any iterable of records (JSON lines,
dicts, or ``(line number, record)`` pairs) and yields one :class:`BatchResult` per record,
in order — an :class:`~creditbank.engine.Evaluation`, or the record's problems located by
its line number. It holds nothing between records, so it runs unchanged on a partition of a
Dask bag (``map_partitions``) or a Spark RDD (``mapPartitions``); given a path instead of
:class:`~creditbank.models.Standards` it loads them once per process (from the cache).

:func:`run_batch` is ``creditbank batch``: a JSON-lines file in, a JSON-lines file out, on
every core (worker processes that each load the standards once, from the cache), with memory
flat in the number of learners apart from the set of learner ids already written, resumable:
a learner already in the output is skipped and none is written twice. Output lines are
written whole, in input order, and flushed after every chunk; on restart a torn last line
(from a crash) is cut off and the run goes on where it stopped, so an interrupted and resumed
run writes the same file as an uninterrupted one.

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
import gc
import json
import multiprocessing
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from creditbank.engine import Evaluation, evaluate
from creditbank.engine.evaluate import _program
from creditbank.errors import CreditbankError, EvaluationError, LoadError, Location, Problem
from creditbank.loading import load_standards, read_yaml_text
from creditbank.loading.loader import portfolio_from_document
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

    def __call__(self, line: int, record: Record) -> BatchResult:
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


def evaluate_many(
    standards: StandardsSource,
    records: Iterable[Record | tuple[int, Record]],
    *,
    program: str | None = None,
    program_field: str | None = None,
    as_of: dt.date | str | None = None,
    source: str = "<records>",
    start: int = 1,
) -> Iterator[BatchResult]:
    """Evaluate each record (a portfolio as a JSON line, bytes or a dict) against a programme.

    ``program`` names the programme for every record; ``program_field`` instead names the
    field of each record that holds it (the field is removed before the portfolio is read).
    Records are numbered from ``start`` unless given as ``(line, record)`` pairs; problems
    are located at ``source``:line:column. ``standards`` may be loaded
    :class:`~creditbank.models.Standards` or the path(s) to load them from (once per
    process, through the cache). Blank records are skipped. Nothing is kept between records.
    """
    if (program is None) == (program_field is None):
        raise ValueError("give exactly one of `program` and `program_field`")
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    loaded = _standards(standards)
    if program is not None:
        program = _program(loaded, program).id  # an unknown programme fails here, once
    evaluator = _Evaluator(loaded, program, program_field, day, source)
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
    """:func:`evaluate_many` as a list, with the records first: for ``map_partitions``."""
    return list(
        evaluate_many(standards, records, program=program, program_field=program_field, as_of=as_of)
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
_LEARNER = re.compile(r'"learner"\s*:\s*"((?:[^"\\]|\\.)*)"')


def read_done(output: Path) -> tuple[set[str], dict[str, str]]:
    """Learner ids already in ``output``, and the as-of date and standards fingerprint they
    were evaluated with. A torn last line (a crash in the middle of a write) is cut off."""
    done: set[str] = set()
    seen: dict[str, str] = {}
    if not output.exists():
        return done, seen
    with output.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size:
            handle.seek(max(0, size - 1))
            if handle.read(1) != b"\n":  # torn: keep up to the last complete line
                keep = _last_newline(handle, size)
                handle.truncate(keep)
        handle.seek(0)
        for number, raw in enumerate(handle, 1):
            try:
                data = json.loads(raw)
                learner = data["learner"]
                stamp = {"as_of": data["as_of"], "fingerprint": data["standards_fingerprint"]}
            except (ValueError, KeyError, TypeError):
                raise BatchError(
                    f"{output}:{number}: this line is not a creditbank evaluation; "
                    "is this the output of `creditbank batch`? Write to another file"
                ) from None
            if seen and stamp != seen:
                raise BatchError(f"{output}:{number}: evaluated on another day or standards")
            seen = stamp
            done.add(learner)
    return done, seen


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


@dataclass(frozen=True)
class _Job:
    """What every worker needs to know (sent to each process once)."""

    paths: tuple[str, ...]
    cache: bool | str | None
    program: str | None
    program_field: str | None
    as_of: dt.date
    source: str


Outcome = tuple[int, str | None, str | None, tuple[Problem, ...]]
"""(line, learner, output line or None, problems) of one record, as a worker returns it."""

# worker processes: one evaluator each, made once
_WORKER: _Evaluator | None = None


def _init_worker(job: _Job, freeze: bool = True) -> None:
    global _WORKER  # noqa: PLW0603 - one evaluator per worker process
    standards = _standards(job.paths, job.cache)
    standards.fingerprint()
    if freeze:  # a worker process keeps the standards to its end: never scan them again
        gc.collect()
        gc.freeze()
    _WORKER = _Evaluator(standards, job.program, job.program_field, job.as_of, job.source)


def _work(chunk: list[tuple[int, str]]) -> list[Outcome]:
    assert _WORKER is not None
    out: list[Outcome] = []
    for line, text in chunk:
        result = _WORKER(line, text)
        out.append((line, result.learner, result.to_json() if result.ok else None, result.problems))
    return out


def _already_done(text: str, done: AbstractSet[str]) -> bool:
    """Whether the record is of a learner already written (confirmed by a full parse)."""
    match = _LEARNER.search(text)
    if match is None:
        return False
    try:
        candidate = json.loads(f'"{match[1]}"')
    except ValueError:
        return False
    if candidate not in done:
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("learner") in done


def _results(
    chunks: Iterator[list[tuple[int, str]]], job: _Job, workers: int
) -> Iterator[list[Outcome]]:
    """Results of each chunk, in input order: here, or in ``workers`` processes with at most
    two chunks each in flight (memory stays flat however long the input)."""
    if workers <= 1:
        _init_worker(job, freeze=False)
        for chunk in chunks:
            yield _work(chunk)
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(job,)
    )
    pending: deque[Future[list[Outcome]]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        with contextlib.suppress(Exception):
            pool.shutdown(wait=sys.exc_info()[0] is None, cancel_futures=True)


class _Run:
    """One run of :func:`run_batch`: reads, dispatches, writes, counts."""

    def __init__(
        self,
        job: _Job,
        done: set[str],
        report: Callable[[Problem], None] | None,
        progress: Callable[[int, int, BatchSummary], None] | None,
    ) -> None:
        self.job = job
        self.seen = done
        self.done = frozenset(done)
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

    def chunks(self, handle: Any, size: int) -> Iterator[list[tuple[int, str]]]:
        source = self.job.source
        chunk: list[tuple[int, str]] = []
        for number, raw in enumerate(handle, 1):
            self.read += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                self.summary.bad += 1
                column = len(raw[: error.start].decode("utf-8", "replace")) + 1
                self.problem(
                    Problem(
                        "INVALID_UTF8",
                        f"byte 0x{raw[error.start]:02X} is not valid UTF-8; save the file as UTF-8",
                        Location(source, number, column),
                    )
                )
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            if not text.strip():
                continue
            if self.done and _already_done(text, self.done):
                self.summary.skipped += 1
                continue
            chunk.append((number, text.rstrip("\r\n")))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def accept(self, outcomes: list[Outcome]) -> list[str]:
        """Output lines of one chunk; problems and repeated learners reported."""
        lines: list[str] = []
        for line, learner, text, problems in outcomes:
            if text is None:
                self.summary.bad += 1
                for problem in problems:
                    self.problem(problem)
            elif learner in self.seen:
                self.summary.duplicates += 1
                self.problem(
                    Problem(
                        "DUPLICATE_ID",
                        f"learner {learner!r} was already evaluated from an earlier line; "
                        "this record is skipped",
                        Location(self.job.source, line, 1, ("learner",)),
                    )
                )
            else:
                assert learner is not None
                self.seen.add(learner)
                lines.append(text)
        return lines

    def run(self, input_file: Path, output_file: Path, workers: int, chunk_size: int) -> None:
        self.total = input_file.stat().st_size
        started = time.perf_counter()
        fd = os.open(output_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        last_sync = time.monotonic()
        try:
            with input_file.open("rb") as handle:
                for outcomes in _results(self.chunks(handle, chunk_size), self.job, workers):
                    lines = self.accept(outcomes)
                    if lines:
                        _write_all(fd, ("\n".join(lines) + "\n").encode("utf-8"))
                        self.summary.evaluated += len(lines)
                    if time.monotonic() - last_sync > 5:
                        os.fsync(fd)
                        last_sync = time.monotonic()
                    self.summary.seconds = time.perf_counter() - started
                    if self.progress is not None:
                        self.progress(self.read, self.total, self.summary)
            os.fsync(fd)
        finally:
            os.close(fd)
            self.summary.seconds = time.perf_counter() - started


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
) -> BatchSummary:
    """Evaluate every record of a JSON-lines file into a JSON-lines file; see the module.

    ``workers``: processes (default: every core; 1 runs in this process). ``report`` is
    called with each problem (bad records, repeated learners); ``progress`` with the bytes
    read so far, the input's size and the running summary. Resuming keeps the as-of day the
    output was written with; other standards or another ``as_of`` refuse to resume.
    """
    if (program is None) == (program_field is None):
        raise ValueError("give exactly one of `program` and `program_field`")
    input_file, output_file = Path(input_path), Path(output_path)
    if not input_file.is_file():
        raise BatchError(f"{input_file}: no such file")
    paths = tuple(str(p) for p in standards)
    count = workers or os.cpu_count() or 1
    if count > 1:  # the workers hold the standards; this process only needs to check them
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as probe:
            outcome = probe.submit(_probe, paths, cache, program).result()
    else:
        outcome = _probe(paths, cache, program)
    kind, fingerprint, program, problems = outcome
    if kind == "load":
        raise LoadError(problems)
    if kind == "program":
        raise BatchError(fingerprint)
    done, stamp = read_done(output_file)
    day = _resumed_day(output_file, stamp, fingerprint, as_of) or dt.date.today()
    job = _Job(paths, cache, program, program_field, day, str(input_path))
    run = _Run(job, done, report, progress)
    run.run(input_file, output_file, count, chunk_size)
    return run.summary


def _probe(
    paths: tuple[str, ...], cache: bool | str | None, program: str | None
) -> tuple[str, str, str | None, tuple[Problem, ...]]:
    """Load the standards (filling the cache for the workers): ("ok", fingerprint, programme
    id, ()), or ("load", "", None, problems), or ("program", message, None, ())."""
    try:
        loaded = _standards(paths, cache)
    except LoadError as error:
        return "load", "", None, error.problems
    if program is not None:
        try:
            program = _program(loaded, program).id
        except EvaluationError as error:
            return "program", str(error), None, ()
    return "ok", loaded.fingerprint(), program, ()
