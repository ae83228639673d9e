"""Crash safety: a process writing commands is killed with SIGKILL at random moments.

60 runs, one after another, taking turns on four ledger files that survive from run to
run, so almost every run starts from a database left behind by a killed writer. Each
writer is a child process forked from the test
(:func:`creditbank.testing.ledger_worker.fork_crash_writer`), so a run costs its random
lifetime rather than a fresh interpreter. After each kill the ledger must open, verify
(every chain intact, every command complete, the cached projection equal to the events
replayed, a rebuild exact), and hold every command the writer acknowledged, with all of
its events. On each ledger backend (the ``ledger_backend`` fixture): on PostgreSQL the
server must roll back the dead writer's transaction and drop its lock.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time

import pytest

import creditbank
from creditbank.ledger import Ledger
from creditbank.testing.ledger_worker import fork_crash_writer
from tests.conftest import LedgerBackend

RUNS = 60
FILES = 4

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")


def _acks(output: str) -> list[tuple[str, str, int]]:
    acks = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] == "ack":
            acks.append((parts[1], parts[2], int(parts[3])))
    return acks


def _check(db: str, account: str, acks: list[tuple[str, str, int]]) -> dict[str, int]:
    with Ledger.open(db) as ledger:
        report = ledger.verify()
        assert report.ok, report
        events = ledger.events(account)
        by_key: dict[str, int] = {}
        for event in events:
            by_key[event.key] = by_key.get(event.key, 0) + 1
            assert event.size == sum(1 for e in events if e.key == event.key)
        for key, command, size in acks:
            assert by_key.get(key) == size, f"acknowledged {command} {key} lost or partial"
        before = ledger.store.dump_projection()
        ledger.rebuild_projection()
        assert ledger.store.dump_projection() == before
    return {"events": len(events), "acked": len(acks), "unacked": len(by_key) - len(acks)}


def _kill_one(standards: creditbank.Standards, db: str, account: str, life: float) -> str:
    """Fork a writer, let it live ``life`` seconds once it has committed its first command,
    SIGKILL it; its output.

    The clock starts at the first acknowledgement, not at ``ready``: on a loaded machine a
    writer may not be scheduled for longer than ``life``, and a kill before it wrote
    anything would test nothing (this made the test flaky under load).
    """
    pid, output = fork_crash_writer(standards, db, account)
    with output:
        ready = output.readline()
        first = output.readline() if ready.strip() == "ready" else ""
        if not first.startswith("ack "):
            os.waitpid(pid, 0)
            raise AssertionError(ready + first + output.read())
        time.sleep(life)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        text = first + output.read()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, text
    return text


def test_sigkill_at_random_moments_loses_nothing_acknowledged(
    ledger_backend: LedgerBackend,
) -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    dbs = [ledger_backend.new("crash") for _ in range(FILES)]
    for db in dbs:
        Ledger.open(db, create=True).close()
    rng = random.Random(7)
    results = []
    for run in range(RUNS):
        account, db = f"crash-{run}", dbs[run % FILES]
        output = _kill_one(standards, db, account, rng.uniform(0.002, 0.12))
        results.append(_check(db, account, _acks(output)))
    assert len(results) == RUNS
    # every writer was killed while busy: after its first command, with more queued
    assert all(r["acked"] >= 1 for r in results)
    opened = 0
    for db in dbs:  # an account for every run that got as far as opening one
        with Ledger.open(db) as ledger:
            opened += len(ledger.accounts())
    assert sum(1 for r in results if r["acked"]) <= opened <= RUNS
