"""Four processes write to one account at once, with overlapping idempotency keys.

On each ledger backend (SQLite, PostgreSQL: the ``ledger_backend`` fixture).

Each worker gets most of the same 60 deposit keys and 4 application keys, in its own order.
Afterwards every key has exactly one command in the ledger, with all its events; every
worker that gave a key got the same events back; the account holds each deposit once; and
the chain verifies.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections import defaultdict

from creditbank.ledger import Ledger
from creditbank.testing.ledger import OPERATOR
from tests.conftest import LedgerBackend
from tests.paths import ROOT

WORKERS = 4
DEPOSITS = 60
APPLIES = 4
ACCOUNT = "w-shared"


def _keys(rng: random.Random) -> list[str]:
    deposits = [f"dep-{i}" for i in range(DEPOSITS) if rng.random() < 0.8]
    rng.shuffle(deposits)
    order = ["open"]
    for position, key in enumerate(deposits, start=1):
        order.append(key)
        if position % 15 == 0:
            order.append(f"apply-{position // 15 - 1}")
    return order


def test_four_writers_lose_nothing_and_duplicate_nothing(ledger_backend: LedgerBackend) -> None:
    db = ledger_backend.new("shared")
    with Ledger.open(db, create=True) as ledger:
        ledger.open_account(ACCOUNT, actor=OPERATOR, key="open")
    rng = random.Random(5)
    orders = [_keys(rng) for _ in range(WORKERS)]
    orders[0] += [f"dep-{i}" for i in range(DEPOSITS)]  # together they cover every key
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "creditbank.testing.ledger_worker",
                "--db",
                db,
                "--account",
                ACCOUNT,
                "--mode",
                "concurrent",
                "--keys",
                ",".join(order),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for order in orders
    ]
    acks: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    fresh: dict[str, int] = defaultdict(int)
    for worker in workers:
        output, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, output + errors
        for line in output.splitlines()[1:]:
            _, key, command, size, replayed, first = line.split()
            acks[key].add((command, int(size), int(first)))
            fresh[key] += replayed == "0"
    given = {key for order in orders for key in order}
    assert set(acks) == given
    for key, seen in acks.items():
        assert len(seen) == 1, f"{key} answered differently: {seen}"  # same events for all
        assert fresh[key] <= 1, f"{key} was written twice"
    with Ledger.open(db) as ledger:
        report = ledger.verify()
        assert report.ok, report
        events = ledger.events(ACCOUNT)
        by_key: dict[str, list[int]] = defaultdict(list)
        for event in events:
            by_key[event.key].append(event.seq)
        assert set(by_key) == given
        for key, seen in acks.items():
            ((_, count, start),) = seen
            assert by_key[key] == list(range(start, start + count))
        state = ledger.state(ACCOUNT)
        assert sorted(state.achievements) == sorted(f"a{i}" for i in range(DEPOSITS))
        applied = {k for k in given if k.startswith("apply-")}
        assert len(state.applications) == len(applied)
        assert len(events) == sum(len(seqs) for seqs in by_key.values())
