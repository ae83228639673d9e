"""The worker processes of ``creditbank batch``: raw lines in, finished output bytes out.

The command sends each worker a *chunk*: the chunk's first line number and the raw bytes of
consecutive input lines. The worker decodes, evaluates and serialises each record and sends
back two messages: a small pickled list of what became of each record (``Meta``: line,
learner and the byte length of its output line, or its problems) and the chunk's output
lines, already joined — bytes the command writes as they are. No evaluation crosses a
process boundary as Python objects.

Processes. On Linux one *leader* process is started (``spawn``: a fresh interpreter, so no
thread of the command is copied into it). It loads the standards once (from the compiled
cache), builds the rule index of the programmes the run needs, freezes everything it holds
out of the garbage collector's sight (:func:`gc.freeze`) and then ``fork`` s the other
workers from itself: they share its pages instead of holding a copy each (the pages a
worker writes to — reference counts of the objects it touches — become its own, the rest
stay shared). Elsewhere (no ``fork``), every worker is spawned and loads the standards
itself. The command itself never holds the standards.

A worker reads a chunk, answers it, reads the next. The command sends each worker its
chunks from a thread of its own, so the command never waits on a full pipe while the worker
waits on the command (no deadlock), and a worker always finds its next chunk already on its
way. Workers ignore Ctrl-C: the command decides, and a worker ends when its inbox is closed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from creditbank.batch.evaluator import Evaluator, loaded_standards
from creditbank.batch.summary import summarise
from creditbank.engine.evaluate import resolve_program
from creditbank.engine.index import rule_index
from creditbank.engine.memos import bulk_evaluation
from creditbank.errors import BatchError, EvaluationError, LoadError, Location, Problem

__all__ = ["FORK", "Job", "Meta", "Workers", "chunk_payload", "in_process", "work_chunk"]

FORK = sys.platform == "linux"
"""Whether the workers are forked from a leader that holds the standards (Linux only)."""

Meta = list[tuple[int, str | None, int | tuple[Problem, ...]]]
"""Per record of a chunk: (line, learner, length of its output line with the newline) or
(line, learner or None, problems)."""

_HEADER = 8


@dataclass(frozen=True)
class Job:
    """What every worker needs to know before the day of the run is known."""

    paths: tuple[str, ...]
    cache: bool | str | None
    program: str | None
    program_field: str | None
    source: str
    summary: bool = False
    """Write :mod:`creditbank.batch.summary` lines instead of full evaluations."""


def chunk_payload(first_line: int, blob: bytes) -> bytes:
    """A chunk as sent to a worker: lines ``first_line``… (each ending in a newline)."""
    return first_line.to_bytes(_HEADER, "little") + blob


def work_chunk(evaluator: Evaluator, payload: bytes, summary: bool = False) -> tuple[bytes, bytes]:
    """(pickled :data:`Meta`, output lines) of one chunk; blank lines are skipped silently."""
    first = int.from_bytes(payload[:_HEADER], "little")
    lines = payload[_HEADER:].split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    meta: Meta = []
    out: list[bytes] = []
    source = evaluator.source
    for number, raw in enumerate(lines, first):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(raw[: error.start].decode("utf-8", "replace")) + 1
            problem = Problem(
                "INVALID_UTF8",
                f"byte 0x{raw[error.start]:02X} is not valid UTF-8; save the file as UTF-8",
                Location(source, number, column),
            )
            meta.append((number, None, (problem,)))
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            result = evaluator(number, text.rstrip("\r"))
            evaluation = result.evaluation
            if evaluation is None:
                meta.append((number, result.learner, result.problems))
                continue
            if summary:
                data = summarise(evaluation).to_json_bytes()
            else:
                data = evaluation.__pydantic_serializer__.to_json(evaluation, by_alias=True)
        except Exception as error:  # a bug, not a bad record: the run stops, nothing is torn
            failure = (
                f"{source}:{number}: evaluating this record failed unexpectedly "
                f"({type(error).__name__}: {error}); this is a bug in creditbank, please report "
                "it with the record. The output holds every learner before this chunk; leave "
                "the record out to go on"
            )
            return pickle.dumps(("error", failure)), b""
        out.append(data)
        meta.append((number, result.learner, len(data) + 1))
    body = b"\n".join(out) + b"\n" if out else b""
    return pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL), body


# ------------------------------------------------------------------ in a worker


def _evaluator(job: Job, day: dt.date) -> Evaluator:
    return Evaluator(
        loaded_standards(job.paths, job.cache), job.program, job.program_field, day, job.source
    )


def _load(job: Job) -> tuple[Any, ...]:
    """Load the standards (once per process): ("ok", fingerprint, programme id) or a failure."""
    try:
        standards = loaded_standards(job.paths, job.cache)
    except LoadError as error:
        return ("load", error.problems)
    program = job.program
    if program is not None:
        try:
            program = resolve_program(standards, program).id
        except EvaluationError as error:
            return ("program", str(error))
    return ("ok", standards.fingerprint(), program)


def _prepare_shared(job: Job, program: str | None) -> None:
    """Build what every worker would build for itself, then hide it from the collector."""
    standards = loaded_standards(job.paths, job.cache)
    index = rule_index(standards)
    wanted = [standards.programs[program]] if program else list(standards.programs.values())
    for one in wanted:
        index.program(one)
    gc.collect()
    gc.freeze()


def _serve(inbox: Connection, outbox: Connection, job: Job, ready: tuple[Any, ...]) -> None:
    """Answer chunks, one at a time, until the inbox is closed (or the command is gone)."""
    try:
        outbox.send_bytes(pickle.dumps(ready))
        if ready[0] != "ok":
            return
        day = pickle.loads(inbox.recv_bytes())
        evaluator = _evaluator(dataclasses.replace(job, program=ready[2]), day)
        with bulk_evaluation():
            while True:
                head, body = work_chunk(evaluator, inbox.recv_bytes(), job.summary)
                outbox.send_bytes(head)
                outbox.send_bytes(body)
    except (EOFError, OSError):  # the inbox is closed, or the command has gone
        return


def _leader(job: Job, ends: list[tuple[Connection, Connection]], fork: bool) -> None:
    """A worker process: load the standards, fork the other workers (``fork``), serve."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ready = _load(job)
    children: list[int] = []
    if fork and ready[0] == "ok" and len(ends) > 1:
        _prepare_shared(job, ready[2])
        for inbox, outbox in ends[1:]:
            pid = os.fork()
            if pid == 0:  # a worker: its own pipes only
                code = 0
                try:
                    for other in ends:
                        if other != (inbox, outbox):
                            other[0].close()
                            other[1].close()
                    _serve(inbox, outbox, job, ready)
                except BaseException:  # a forked child must never return into the leader
                    code = 1
                finally:
                    os._exit(code)
            children.append(pid)
            inbox.close()
            outbox.close()
    elif ready[0] == "ok":
        gc.collect()
        gc.freeze()
    _serve(ends[0][0], ends[0][1], job, ready)
    for pid in children:
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


# ------------------------------------------------------------------ in the command


def _send(inbox: Connection, outgoing: queue.SimpleQueue[bytes | None]) -> None:
    """A thread of the command: hands one worker its chunks (a stopped worker stops it)."""
    try:
        while (payload := outgoing.get()) is not None:
            inbox.send_bytes(payload)
    except OSError:  # the worker has gone; the command learns it from the worker's outbox
        return


class Workers:
    """``count`` worker processes, fed chunks, giving results back in input order."""

    depth = 2
    """Chunks in flight per worker."""

    def __init__(self, job: Job, count: int, *, fork: bool | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        fork = FORK if fork is None else fork
        self.count = count
        self._outgoing: list[queue.SimpleQueue[bytes | None]] = [
            queue.SimpleQueue() for _ in range(count)
        ]
        self._senders: list[threading.Thread] = []
        self._inboxes: list[Connection] = []
        self._outboxes: list[Connection] = []
        ends: list[tuple[Connection, Connection]] = []
        for _ in range(count):
            inbox_r, inbox_w = context.Pipe(duplex=False)
            outbox_r, outbox_w = context.Pipe(duplex=False)
            self._inboxes.append(inbox_w)
            self._outboxes.append(outbox_r)
            ends.append((inbox_r, outbox_w))
        groups = [ends] if fork else [[end] for end in ends]
        self._processes = [
            context.Process(target=_leader, args=(job, group, fork), daemon=True)
            for group in groups
        ]
        try:
            for process in self._processes:
                process.start()
        finally:
            for inbox_r, outbox_w in ends:
                inbox_r.close()
                outbox_w.close()

    def _stopped(self, worker: int) -> Exception:
        codes = [p.exitcode for p in self._processes if p.exitcode is not None]
        return BatchError(
            f"worker process {worker + 1} stopped unexpectedly"
            + (f" (exit code {codes[0]})" if codes else "")
            + "; run the command again to go on where it stopped"
        )

    def ready(self) -> tuple[str, str | None]:
        """(fingerprint, programme id) once every worker holds the standards; a load failure
        raises :class:`LoadError`, an unknown programme :class:`BatchError`."""
        answer: tuple[Any, ...] = ()
        for worker, outbox in enumerate(self._outboxes):
            try:
                answer = pickle.loads(outbox.recv_bytes())
            except (EOFError, OSError):
                raise self._stopped(worker) from None
            if answer[0] == "load":
                raise LoadError(answer[1])
            if answer[0] == "program":
                raise BatchError(answer[1])
        return answer[1], answer[2]

    def start(self, day: dt.date) -> None:
        """Tell the workers the day of the run; from now on they take chunks."""
        for worker, inbox in enumerate(self._inboxes):
            try:
                inbox.send_bytes(pickle.dumps(day))
            except OSError:
                raise self._stopped(worker) from None
            sender = threading.Thread(target=_send, args=(inbox, self._outgoing[worker]))
            sender.daemon = True
            sender.start()
            self._senders.append(sender)

    def results(self, chunks: Iterator[bytes]) -> Iterator[tuple[bytes, bytes]]:
        """(meta, output) of each chunk, in input order; each chunk goes to the worker with
        the fewest in flight, so a slow chunk holds up one worker only. At most
        ``4 * count`` chunks are ahead of the one written next: memory stays flat."""
        count = self.count
        ahead = 4 * count
        flight: list[deque[int]] = [deque() for _ in range(count)]
        by_outbox = {id(outbox): worker for worker, outbox in enumerate(self._outboxes)}
        done: dict[int, tuple[bytes, bytes]] = {}
        sent = written = 0
        exhausted = False
        while True:
            while not exhausted and sent < written + ahead:
                worker = min(range(count), key=lambda w: len(flight[w]))
                if len(flight[worker]) >= self.depth:
                    break
                payload = next(chunks, None)
                if payload is None:
                    exhausted = True
                    break
                self._outgoing[worker].put(payload)
                flight[worker].append(sent)
                sent += 1
            if written in done:
                yield done.pop(written)
                written += 1
                continue
            if exhausted and written == sent:
                return
            busy = [self._outboxes[w] for w in range(count) if flight[w]]
            for outbox in wait(busy):
                assert isinstance(outbox, Connection)
                worker = by_outbox[id(outbox)]
                try:
                    head = outbox.recv_bytes()
                    body = outbox.recv_bytes()
                except (EOFError, OSError):
                    raise self._stopped(worker) from None
                done[flight[worker].popleft()] = (head, body)

    def close(self, *, wait_for: float = 10.0) -> None:
        """Close the pipes (a worker ends when its inbox is empty and closed, or its answer
        finds nobody listening) and reap the processes."""
        for outgoing in self._outgoing:
            outgoing.put(None)
        for connection in self._outboxes:
            with contextlib.suppress(OSError):
                connection.close()
        for sender in self._senders:
            sender.join(wait_for)
        for connection in self._inboxes:
            with contextlib.suppress(OSError):
                connection.close()
        for process in self._processes:
            process.join(wait_for)
            if process.exitcode is None:
                process.terminate()
                process.join(wait_for)


def in_process(
    evaluator: Evaluator, summary: bool, chunks: Iterator[bytes]
) -> Iterator[tuple[bytes, bytes]]:
    """:meth:`Workers.results` without workers."""
    for payload in chunks:
        yield work_chunk(evaluator, payload, summary)
