"""Crash safety: a process writing commands is killed with SIGKILL at random moments.

Two lanes of 26 runs each (52 kills in all) run side by side, each lane on its own ledger
file that survives from run to run, so every run also starts from a database left behind
by a killed writer. After each kill the ledger must open, verify (every chain intact, every
command complete, the cached projection equal to the events replayed, a rebuild exact),
and hold every command the writer acknowledged, with all of its events.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from creditbank.ledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
RUNS_PER_LANE = 26
LANES = 2

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def _worker(db: Path, account: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "creditbank.testing.ledger_worker",
            "--db",
            str(db),
            "--account",
            account,
            "--mode",
            "crash",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _acks(output: str) -> list[tuple[str, str, int]]:
    acks = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] == "ack":
            acks.append((parts[1], parts[2], int(parts[3])))
    return acks


def _check(db: Path, account: str, acks: list[tuple[str, str, int]]) -> dict[str, int]:
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


def _lane(lane: int, db: Path) -> list[dict[str, int]]:
    rng = random.Random(lane)
    results = []
    for run in range(RUNS_PER_LANE):
        account = f"crash-{lane}-{run}"
        process = _worker(db, account)
        assert process.stdout is not None
        ready = process.stdout.readline()
        assert ready.strip() == "ready", process.stderr.read() if process.stderr else ready
        time.sleep(rng.uniform(0.005, 0.15))
        process.send_signal(signal.SIGKILL)
        output, errors = process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL, errors
        results.append(_check(db, account, _acks(output)))
    return results


def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    dbs = [tmp_path / f"lane-{lane}.db" for lane in range(LANES)]
    for db in dbs:
        Ledger.open(db, create=True).close()
    with ThreadPoolExecutor(LANES) as pool:
        lanes = list(pool.map(_lane, range(LANES), dbs))
    results = [r for lane in lanes for r in lane]
    assert len(results) >= 50
    assert sum(r["acked"] for r in results) > 0
    # the writer was busy when it died: most runs acknowledged commands before the kill
    assert sum(1 for r in results if r["acked"] > 1) >= len(results) // 2
    with Ledger.open(dbs[0]) as ledger:
        assert len(ledger.accounts()) == RUNS_PER_LANE
