"""Copy a ledger to another location, on the same backend or another, with its chain intact.

``creditbank ledger copy --from SQLITE --to postgresql://…`` (and back). The copy holds
every event exactly as the source stores it — the same bytes, the same hashes, the same
positions — so each account's chain, the chain heads and heads exported earlier
(``verify --heads``) hold on both sides, and the ledger's subject key goes with it, so the
credential subject digests recorded in the events stay comparable.

It fails closed: the source must verify first (a copy would carry its damage:
``SOURCE_NOT_VERIFIED``); the destination must hold no events (``LEDGER_NOT_EMPTY``; a
destination made by ``ledger init`` has its own subject key and is refused too — copy makes
the destination itself); the events are written in one transaction, so a failed copy
leaves the destination without events; and the copy is verified afterwards.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from creditbank.errors import LedgerError
from creditbank.ledger.chain import VerifyReport
from creditbank.ledger.location import LedgerLocation, parse_location
from creditbank.ledger.service import Ledger

__all__ = ["CopyReport", "copy_ledger"]


class CopyReport(BaseModel):
    """What :func:`copy_ledger` copied, and both sides' verification."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    destination: str
    events: int
    accounts: int
    source_verify: VerifyReport
    destination_verify: VerifyReport


def _empty(ledger: Ledger, where: str) -> None:
    with ledger.store.reading() as reader:
        if reader.rows():
            raise LedgerError(
                "LEDGER_NOT_EMPTY",
                f"the destination ledger {where!r} already holds events; copy only into a "
                "new one (copy creates it)",
                path=where,
            )


def copy_ledger(
    source: str | Path | LedgerLocation,
    destination: str | Path | LedgerLocation,
    *,
    timeout: float = 30.0,
) -> CopyReport:
    """Copy the ledger at ``source`` into a new ledger at ``destination`` (see the module)."""
    src, dst = parse_location(source), parse_location(destination)
    if src == dst:
        raise LedgerError(
            "LEDGER_NOT_EMPTY", f"{src.shown()!r} cannot be copied onto itself", path=src.shown()
        )
    with Ledger.open(src, read_only=True, timeout=timeout) as reading:
        before = reading.verify()
        if not before.ok:
            why = before.first_bad or "its projection or its structure differs"
            raise LedgerError(
                "SOURCE_NOT_VERIFIED",
                f"the ledger {src.shown()!r} does not verify ({why}); nothing was copied: run "
                "`creditbank ledger verify` on it",
                path=src.shown(),
            )
        with reading.store.reading() as reader:
            rows = reader.rows()
        try:
            key: bytes | None = reading.store.subject_key()
        except LedgerError as error:  # none was ever made, and a read-only store makes none
            if error.code != "READ_ONLY":
                raise
            key = None
    with Ledger.open(dst, create=True, timeout=timeout) as writing:
        _empty(writing, dst.shown())
        if key is not None:
            try:
                writing.store.adopt_subject_key(key)
            except LedgerError as error:
                raise LedgerError(
                    "LEDGER_NOT_EMPTY",
                    f"the destination ledger {dst.shown()!r} was initialised with its own "
                    "subject key; copy into a database or file that copy creates, not one "
                    "made by `ledger init`",
                    path=dst.shown(),
                ) from error
        with writing.store.writing() as tx:
            if tx.rows():  # another writer got there meanwhile
                raise LedgerError(
                    "LEDGER_NOT_EMPTY",
                    f"the destination ledger {dst.shown()!r} already holds events",
                    path=dst.shown(),
                )
            tx.restore(rows)
        after = writing.verify()
    return CopyReport(
        source=src.shown(),
        destination=dst.shown(),
        events=len(rows),
        accounts=len({str(row.account) for row in rows}),
        source_verify=before,
        destination_verify=after,
    )
