"""A process that writes to a ledger as fast as it can, for crash and concurrency tests.

Run as ``python -m creditbank.testing.ledger_worker --db FILE --account ID --mode MODE``.
It prints ``ready`` once the ledger is open, then one line per acknowledged (committed)
command: ``ack KEY COMMAND EVENTS REPLAYED FIRST_SEQ``. A test kills it at random moments
(``--mode crash``: deposit, apply, review, approve and revoke, round and round, until
killed), or runs several at once on one account with overlapping keys (``--mode
concurrent``: the keys ``--keys`` in the order given). :func:`fork_crash_writer` starts the
crash writer as a forked child instead, without paying for a fresh interpreter each time.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from creditbank.bundled import bundled_standards_path
from creditbank.errors import LedgerError
from creditbank.ledger import Ledger, Receipt
from creditbank.ledger.events import CreditsPosted
from creditbank.loading import load_standards
from creditbank.models import Standards
from creditbank.testing.ledger import (
    OPERATOR,
    PROGRAMS,
    REGISTRAR,
    REVIEWER,
    fixed_clock,
    issuer_of,
    learner,
)

__all__ = ["deposit_for", "fork_crash_writer", "main"]

_TEMPLATE: dict[str, Any] = {
    "unit": "training:plc-application-64h",
    "earned_on": "2024-04-26",
    "issuer": "demo-training-centre",
    "hours": 64,
    "assessed": True,
    "score": 85,
    "scale": "percent",
}


def deposit_for(number: int) -> dict[str, Any]:
    """The achievement deposited under key number ``number``."""
    return {**_TEMPLATE, "id": f"a{number}"}


def _ack(receipt: Receipt) -> None:
    first = receipt.events[0].seq if receipt.events else 0
    print(
        f"ack {receipt.key} {receipt.command} {len(receipt.events)} "
        f"{int(receipt.replayed)} {first}",
        flush=True,
    )


def _crash(ledger: Ledger, account: str, limit: int) -> None:
    me = learner(account)
    _ack(ledger.open_account(account, actor=me, key=f"{account}:open"))
    for n in range(limit):
        achievement = deposit_for(n)
        _ack(
            ledger.deposit(
                account, achievement, actor=issuer_of(achievement), key=f"{account}:dep:{n}"
            )
        )
        if n % 3 != 2:
            continue
        receipt = ledger.apply(account, PROGRAMS[n % 2], actor=me, key=f"{account}:apply:{n}")
        _ack(receipt)
        app = receipt.application
        assert app is not None
        _ack(ledger.review(account, app, actor=REVIEWER, key=f"{account}:review:{n}"))
        approved = ledger.approve(
            account, app, actor=REGISTRAR, key=f"{account}:approve:{n}", reason="agreed"
        )
        _ack(approved)
        posted = approved.events[-1].payload
        claims = posted.claims if isinstance(posted, CreditsPosted) else ()
        target = claims[0] if claims else f"a{n - 1}"
        _ack(
            ledger.revoke(
                account,
                target,
                actor=OPERATOR,
                key=f"{account}:revoke:{n}",
                reason="evidence withdrawn",
            )
        )


def _concurrent(ledger: Ledger, account: str, keys: Sequence[str]) -> None:
    for key in keys:
        kind, _, number = key.partition("-")
        if kind == "open":
            receipt = ledger.open_account(account, actor=OPERATOR, key=key)
        elif kind == "apply":
            receipt = ledger.apply(account, PROGRAMS[0], actor=OPERATOR, key=key)
        else:
            achievement = deposit_for(int(number))
            receipt = ledger.deposit(account, achievement, actor=issuer_of(achievement), key=key)
        _ack(receipt)


def _serve(
    standards: Standards,
    db: str | Path,
    account: str,
    mode: str,
    *,
    limit: int = 10_000,
    keys: Sequence[str] = (),
) -> int:
    with Ledger.open(db, standards, clock=fixed_clock, timeout=60) as ledger:
        print("ready", flush=True)
        try:
            if mode == "crash":
                _crash(ledger, account, limit)
            else:
                _concurrent(ledger, account, keys)
        except LedgerError as error:
            print(f"error {error.code} {error}", flush=True)
            return 1
    return 0


def fork_crash_writer(standards: Standards, db: str | Path, account: str) -> tuple[int, TextIO]:
    """Fork a child process that writes to ``db`` as ``--mode crash`` does (POSIX only).

    Returns the child's pid and its output (``ready``, then ``ack`` lines). The child starts
    from this process's memory — Python, creditbank and ``standards`` already loaded — so
    a crash test can kill hundreds of writers cheaply. Fork only from a single-threaded
    process with no ledger open; the child never returns (``os._exit``).
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child is killed before it could report coverage
        status = 70
        try:
            os.close(read)
            sys.stdout = os.fdopen(write, "w", encoding="utf-8")
            status = _serve(standards, db, account, "crash")
        except BaseException as error:
            print(f"error {type(error).__name__} {error}", flush=True)
        finally:
            os._exit(status)
    os.close(write)
    return pid, os.fdopen(read, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--mode", choices=["crash", "concurrent"], required=True)
    parser.add_argument("--limit", type=int, default=10_000)
    parser.add_argument("--keys", default="")
    args = parser.parse_args(argv)
    return _serve(
        load_standards(bundled_standards_path()),
        args.db,
        args.account,
        args.mode,
        limit=args.limit,
        keys=[k for k in args.keys.split(",") if k],
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
