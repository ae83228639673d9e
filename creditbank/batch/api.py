"""The library calls of a batch: :func:`evaluate_many`, :func:`evaluate_partition` and
:func:`run_batch` (``creditbank batch``); see :mod:`creditbank.batch`."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from creditbank.batch.evaluator import (
    BatchResult,
    Evaluator,
    Record,
    StandardsSource,
    loaded_standards,
)
from creditbank.batch.resume import check_output, read_done, resumed_day
from creditbank.batch.run import BatchRun, BatchSummary
from creditbank.batch.summary import SUMMARY_SCHEMA
from creditbank.batch.workers import Job, Workers, in_process
from creditbank.engine import EVALUATION_SCHEMA
from creditbank.engine.evaluate import resolve_program
from creditbank.engine.memos import bulk_evaluation
from creditbank.errors import BatchError, EvaluationError, Problem
from creditbank.fileio import regular_file
from creditbank.loading import Limits
from creditbank.loading.yaml_reader import DEFAULT_LIMITS

__all__ = ["evaluate_many", "evaluate_partition", "run_batch"]


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
    loaded = loaded_standards(standards)
    if program is not None:
        program = resolve_program(loaded, program).id  # an unknown programme fails here, once
    evaluator = Evaluator(loaded, program, program_field, day, source, max_bytes=limits.max_bytes)
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
    """Evaluate every record of a JSON-lines file into a JSON-lines file (see
    :mod:`creditbank.batch`).

    Each line is a full ``creditbank.evaluation/1``, or with ``summary`` a
    ``creditbank.evaluation-summary/1`` (:mod:`creditbank.batch.summary`: totals, uses and
    gaps, without the explanations: about a quarter of the size, measured sizes in
    ``benchmarks/RESULTS.md``).
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
    check_output(output_file)
    paths = tuple(str(p) for p in standards)
    job = Job(paths, cache, program, program_field, str(input_path), summary)
    count = workers or os.cpu_count() or 1
    pool = Workers(job, count) if count > 1 else None  # they load while the output is read
    try:
        done, stamp = read_done(output_file)
        if pool is not None:
            fingerprint, program = pool.ready()
        else:
            loaded = loaded_standards(job.paths, cache)
            if program is not None:
                try:
                    program = resolve_program(loaded, program).id
                except EvaluationError as error:
                    raise BatchError(str(error)) from None
            fingerprint = loaded.fingerprint()
        day = resumed_day(output_file, stamp, fingerprint, as_of) or dt.date.today()
        if stamp and stamp["schema"] != (SUMMARY_SCHEMA if summary else EVALUATION_SCHEMA):
            raise BatchError(
                f"{output_file} holds {stamp['schema']} lines; resume it "
                + ("without" if stamp["schema"] == EVALUATION_SCHEMA else "with")
                + " --summary, or write to another file"
            )
        run = BatchRun(job.source, done, report, progress, limits.max_bytes)
        if pool is not None:
            pool.start(day)
            results = pool.results
        else:
            evaluator = Evaluator(
                loaded, program, program_field, day, job.source, max_bytes=limits.max_bytes
            )
            results = functools.partial(in_process, evaluator, summary)
        with bulk_evaluation() if pool is None else contextlib.nullcontext():
            run.run(input_file, output_file, results, chunk_size)
    finally:
        if pool is not None:
            pool.close()
    return run.summary
