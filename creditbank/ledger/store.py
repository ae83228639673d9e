"""The storage interface: what a ledger backend must offer (SQLite now, PostgreSQL later).

A backend stores events in order, appends a command's events atomically together with
their projection (one transaction per command, serialised against other writers), and
reads back events, raw rows (for verification) and chain heads. Everything else — hashing,
deciding, replaying — is done above it, the same for every backend.

It also keeps the ledger's API tokens (:class:`StoredToken`, :mod:`creditbank.ledger.tokens`)
in a table of their own: mutable (revocation), outside the events and their chain. A ledger
made before tokens existed has no token table until its first write (its migration); until
then it reads as holding no tokens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from creditbank.ledger.chain import GENESIS, ChainHead, StoredRow, event_body, event_hash
from creditbank.ledger.events import Actor, Event, Payload
from creditbank.ledger.projection import Snapshot

__all__ = ["Draft", "LedgerStore", "Reader", "StoredToken", "Writer", "place"]


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


@dataclass(frozen=True)
class StoredToken:
    """An API token's row as stored: a hash of its secret (never the secret), whom it
    acts as, and when it was made and revoked (ISO 8601 text; None: not revoked)."""

    token_id: str
    secret_hash: str
    name: str
    role: str
    learner: str | None
    organisation: str | None
    created_at: str
    revoked_at: str | None


def place(
    drafts: Sequence[Draft], last_seq: int, last_of: Callable[[str], tuple[int, str] | None]
) -> list[tuple[StoredRow, Event]]:
    """Number and chain one command's drafts after the ledger's event ``last_seq``, each
    after its account's last event (``last_of``: its position and hash, None for none):
    each event as the store keeps it (its row: canonical body and hash), the same for
    every backend."""
    heads: dict[str, tuple[int, str]] = {}
    out: list[tuple[StoredRow, Event]] = []
    for index, draft in enumerate(drafts):
        if draft.account not in heads:
            heads[draft.account] = last_of(draft.account) or (0, GENESIS)
        position, prev = heads[draft.account]
        event = Event(
            seq=last_seq + 1 + index,
            account=draft.account,
            account_seq=position + 1,
            at=draft.at,
            actor=draft.actor,
            command=draft.command,
            key=draft.key,
            command_hash=draft.command_hash,
            index=index,
            size=len(drafts),
            prev_hash=prev,
            payload=draft.payload,
        )
        body = event_body(event)
        digest = event_hash(body)
        heads[draft.account] = (event.account_seq, digest)
        row = StoredRow(
            event.seq,
            event.account,
            event.account_seq,
            event.type,
            event.key,
            event.command_hash,
            event.index,
            event.size,
            body,
            prev,
            digest,
        )
        out.append((row, event))
    return out


class Reader(Protocol):
    """Reads inside one consistent snapshot of the ledger."""

    def events(self, account: str | None = None) -> list[Event]:
        """Events in ledger order, of one account or of all."""
        ...

    def events_from(self, account: str, account_seq: int, limit: int) -> list[Event]:
        """At most ``limit`` events after event ``account_seq`` of ``account``, ordered by
        account and then by their place in it (the unique index of the events)."""
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

    def tokens(self) -> list[StoredToken]:
        """Every API token, oldest first (none before the ledger has a token table)."""
        ...

    def token(self, token_id: str) -> StoredToken | None:
        """The API token with this id, or None."""
        ...


class Writer(Reader, Protocol):
    """A write transaction: reads see the latest state; appends are atomic with the rest."""

    def append(self, drafts: Sequence[Draft]) -> list[Event]:
        """Place, chain, store and project the drafts as one command's events."""
        ...

    def restore(self, rows: Sequence[StoredRow]) -> None:
        """Store and project events of another ledger exactly as stored there (``ledger
        copy``), in ledger order: each must continue its account's chain, or the store
        refuses it."""
        ...

    def add_token(self, token: StoredToken) -> None:
        """Store a new API token."""
        ...

    def revoke_token(self, token_id: str, at: str) -> None:
        """Mark the API token revoked at ``at`` (no change if it is revoked already)."""
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

    def adopt_subject_key(self, key: bytes) -> None:
        """Take another ledger's subject key (``ledger copy``: the digests recorded in its
        events stay verifiable); ``LEDGER_NOT_EMPTY`` if this one has a different key."""
        ...

    def close(self) -> None: ...
