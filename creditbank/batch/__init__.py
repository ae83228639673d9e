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

How the work is shared (:mod:`creditbank.batch.workers`): the command cuts the input into
chunks of raw lines and hands them to worker processes, which send back the finished output
bytes; on Linux the workers are forked from one that has loaded the standards, so they share
them. Memory is flat in the number of learners but for 16 bytes a learner written (the
exact, hash-based set of :mod:`creditbank.batch.index`, 16 MB for a million).
``summary=True`` (``--summary``) writes :mod:`creditbank.batch.summary` lines instead.

The package, one job a module: :mod:`~creditbank.batch.api` (the three calls),
:mod:`~creditbank.batch.evaluator` (one record), :mod:`~creditbank.batch.run` (one run:
chunks out, output lines in), :mod:`~creditbank.batch.workers` (the processes),
:mod:`~creditbank.batch.resume` (what an earlier run wrote), :mod:`~creditbank.batch.index`
and :mod:`~creditbank.batch.summary`.

>>> import creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> record = ('{"learner": "w1", "achievements": '
...           '[{"id": "a", "unit": "x:nope", "earned_on": "2024-01-01"}]}')
>>> [result] = evaluate_many(standards, [record], program="demo-college:460301")
>>> result.ok, result.problems[0].code, result.problems[0].location.line
(False, 'UNKNOWN_REFERENCE', 1)
"""

from __future__ import annotations

from creditbank.batch.api import evaluate_many, evaluate_partition, run_batch
from creditbank.batch.evaluator import BatchResult
from creditbank.batch.resume import read_done
from creditbank.batch.run import BatchSummary
from creditbank.errors import BatchError

__all__ = [
    "BatchError",
    "BatchResult",
    "BatchSummary",
    "evaluate_many",
    "evaluate_partition",
    "read_done",
    "run_batch",
]
