"""The storage interface: what a ledger backend must offer (SQLite now, PostgreSQL later).

A backend stores events in order, appends a command's events atomically together with
their projection (one transaction per command, serialised against other writers), and
reads back events, raw rows (for verification) and chain heads. Everything else — hashing,
deciding, replaying — is done above it, the same for every backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from creditbank.ledger.chain import ChainHead, StoredRow
from creditbank.ledger.events import Actor, Event, Payload
from creditbank.ledger.projection import Snapshot

__all__ = ["Draft", "LedgerStore", "Reader", "Writer"]


@dataclass(frozen=True)
class Draft:
    """An event before the store places it: everything but its positions and chain link."""

    account: str
    at: dt.datetime
    actor: Actor
    command: str
    key: str
    command_hash: str
    payload: Payload


class Reader(Protocol):
    """Reads inside one consistent snapshot of the ledger."""

    def events(self, account: str | None = None) -> list[Event]:
        """Events in ledger order, of one account or of all."""
        ...

    def command_events(self, key: str) -> list[Event]:
        """The events the command with this idempotency key wrote (empty: none).

        A key names one command in the whole ledger, whichever account it was about."""
        ...

    def credential_accounts(self, credential: str) -> list[str]:
        """The accounts holding a deposit imported from the credential with this id."""
        ...

    def rows(self) -> list[StoredRow]:
        """Every stored event as stored, for verification."""
        ...

    def heads(self) -> dict[str, ChainHead]:
        """The store's record of each account's last event."""
        ...

    def projection(self) -> Snapshot:
        """The cached projection, by natural keys (see :mod:`creditbank.ledger.projection`)."""
        ...

    def schema_problems(self) -> list[str]:
        """How the store's own tables, indexes, triggers and metadata differ from the ones
        creditbank made for its schema version, one sentence each (empty: they do not)."""
        ...


class Writer(Reader, Protocol):
    """A write transaction: reads see the latest state; appends are atomic with the rest."""

    def append(self, drafts: Sequence[Draft]) -> list[Event]:
        """Place, chain, store and project the drafts as one command's events."""
        ...


class LedgerStore(Protocol):
    """A ledger database."""

    def reading(self) -> AbstractContextManager[Reader]:
        """A consistent snapshot to read."""
        ...

    def writing(self) -> AbstractContextManager[Writer]:
        """One write transaction, exclusive among writers; committed on normal exit."""
        ...

    def rebuild_projection(self) -> None:
        """Drop the cached projection and rebuild it from the events, in one transaction."""
        ...

    def dump_projection(self) -> Snapshot:
        """Every row of the projection, row ids included (to compare a rebuild exactly)."""
        ...

    def schema_version(self) -> int: ...

    def subject_key(self) -> bytes:
        """The ledger's own secret (32 random bytes, made on first use and kept in the
        ledger) that keys credential subject digests."""
        ...

    def close(self) -> None: ...
