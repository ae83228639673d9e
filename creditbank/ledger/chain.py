"""Tamper evidence: each account's events form a hash chain; verify finds the first bad one.

An event is stored as its canonical JSON (sorted keys, no spaces, UTF-8). The body holds the
hash of the account's previous event (``prev_hash``; the first event holds
:data:`GENESIS`), and the event's own hash is the sha256 of the body — so each hash covers
the event and, through ``prev_hash``, everything before it in the account. Editing any byte
of an event breaks its hash; deleting, inserting or reordering events breaks the link of
the event after. Deleting the *last* events of an account leaves a shorter valid chain:
the store's table of chain heads catches that, and a head exported earlier
(:class:`ChainHeads`) catches it even if that table was rewritten too.

>>> body = canonical_json({"b": 1, "a": "学分"})
>>> body
'{"a":"学分","b":1}'
>>> event_hash(body)[:12]
'8f3940d747e8'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from creditbank.errors import ErrorCode, LoadError, Location, Problem
from creditbank.fileio import read_bytes
from creditbank.ledger.events import Event

__all__ = [
    "GENESIS",
    "HEADS_FORMAT",
    "MAX_HEADS_BYTES",
    "BadEvent",
    "ChainHead",
    "ChainHeads",
    "StoredRow",
    "VerifyReport",
    "canonical_json",
    "check_row",
    "event_body",
    "event_hash",
    "verify_rows",
]

GENESIS = "0" * 64
MAX_HEADS_BYTES = 512 * 1024 * 1024
"""Chain heads take about 200 bytes an account: room for two million accounts; a larger
file is refused unread."""
"""The ``prev_hash`` of an account's first event."""

HEADS_FORMAT = "creditbank.ledger-heads/1"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no insignificant spaces, UTF-8 text; floats are refused."""

    def no_floats(item: Any) -> None:
        if isinstance(item, float):
            raise TypeError("floats are not exact; use decimals as strings")
        if isinstance(item, dict):
            for inner in item.values():
                no_floats(inner)
        elif isinstance(item, list | tuple):
            for inner in item:
                no_floats(inner)

    no_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def event_body(event: Event) -> str:
    """The stored form of an event: its canonical JSON."""
    return canonical_json(event.model_dump(mode="json"))


def event_hash(body: str) -> str:
    """sha256 (hex) of an event's stored body, which includes the previous event's hash."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChainHead(_Frozen):
    """The last event of one account: its position and hash."""

    account: str
    account_seq: int
    seq: int
    hash: str


class ChainHeads(_Frozen):
    """Every account's chain head, to keep outside the ledger and check it against later."""

    format: Literal["creditbank.ledger-heads/1"] = "creditbank.ledger-heads/1"
    exported_at: dt.datetime
    events: int
    heads: tuple[ChainHead, ...]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def read(cls, path: Path | str) -> ChainHeads:
        """Read a heads file (``ledger export --heads``): a regular file of at most
        :data:`MAX_HEADS_BYTES`, else :class:`~creditbank.errors.FileError`; then as
        :meth:`from_json`."""
        return cls.from_json(read_bytes(path, MAX_HEADS_BYTES), str(path))

    @classmethod
    def from_json(cls, data: bytes, file: str | None = None) -> ChainHeads:
        """Read exported heads; what is not a heads file is :class:`LoadError`, located
        (``FILE:LINE:COL: CODE message``), never a raw validation dump."""
        try:
            json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
            raise LoadError(
                [
                    Problem(
                        "WRONG_TYPE",
                        f"not a chain heads file (creditbank ledger export): not JSON ({error})",
                        Location(file, line, column),
                    )
                ]
            ) from None
        try:
            return cls.model_validate_json(data)
        except ValidationError as error:
            problems = []
            for found in error.errors()[:20]:
                where = ".".join(str(part) for part in found["loc"]) or "the document"
                code: ErrorCode = (
                    "MISSING_FIELD"
                    if found["type"] == "missing"
                    else "UNKNOWN_FIELD"
                    if found["type"] == "extra_forbidden"
                    else "WRONG_TYPE"
                )
                problems.append(
                    Problem(
                        code,
                        f"not a chain heads file (creditbank ledger export): {where}: "
                        f"{found['msg']}",
                        Location(file, 1, 1, tuple(found["loc"])),
                    )
                )
            raise LoadError(problems) from None


class BadEvent(_Frozen):
    """The first thing wrong with one account's chain."""

    account: str
    account_seq: int | None = None
    seq: int | None = None
    problem: str

    def __str__(self) -> str:
        where = f"account {self.account!r}"
        if self.account_seq is not None:
            where += f" event {self.account_seq}"
        if self.seq is not None:
            where += f" (ledger seq {self.seq})"
        return f"{where}: {self.problem}"


class VerifyReport(_Frozen):
    """What :meth:`creditbank.ledger.Ledger.verify` found.

    ``problems`` are the chains' (``first_bad`` the earliest); ``projection`` whether the
    cached projection equals the events replayed; ``structure`` whether the store's
    tables, indexes, triggers and metadata are exactly creditbank's (``structure_problems``
    says how not); ``anchors`` how many accounts were checked against chain heads exported earlier
    (0: none given, so nothing proves the ledger was not rewritten as a whole).
    """

    ok: bool
    events: int
    accounts: int
    first_bad: BadEvent | None = None
    problems: tuple[BadEvent, ...] = ()
    projection: Literal["ok", "differs", "skipped"] = "skipped"
    structure: Literal["ok", "differs", "skipped"] = "skipped"
    structure_problems: tuple[str, ...] = ()
    anchors: int = 0


@dataclass(frozen=True)
class StoredRow:
    """One stored event as the store holds it (values as read, whatever their type)."""

    seq: Any
    account: Any
    account_seq: Any
    type: Any
    command_key: Any
    command_hash: Any
    command_index: Any
    command_size: Any
    body: Any
    prev_hash: Any
    hash: Any


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_row(row: StoredRow, expected: int, prev: str, last_seq: int) -> str | None:
    """What is wrong with one stored event, given its account's chain before it.

    ``expected`` is its position in the account, ``prev`` the hash of the event before it
    (:data:`GENESIS` for the first) and ``last_seq`` that event's ledger seq (0: none).
    Returns None when nothing is wrong.
    """
    found = _checked(row, expected, prev, last_seq)
    return found if isinstance(found, str) else None


def _checked(row: StoredRow, expected: int, prev: str, last_seq: int) -> str | Event:
    """:func:`check_row`'s finding, or the event it read when nothing is wrong."""
    position = _int(row.account_seq)
    if position is None:
        return "its position in the account is not a number (edited?)"
    if position > expected:
        if position == expected + 1:
            return f"event {expected} of the account is missing before it (deleted?)"
        return f"events {expected} to {position - 1} of the account are missing before it"
    if position < expected:
        return f"position {position} repeats (inserted or reordered?)"
    if not isinstance(row.body, str):
        return "its stored content is not valid UTF-8 text (edited?)"
    if not isinstance(row.hash, str) or event_hash(row.body) != row.hash:
        return "its content does not match its hash (edited?)"
    if row.prev_hash != prev:
        return "it does not follow the account's previous event (inserted, deleted or reordered?)"
    try:
        event = Event.model_validate_json(row.body)
    except (ValidationError, ValueError) as error:
        return f"its content is not a valid event ({str(error).splitlines()[0]})"
    checks = {
        "seq": (event.seq, row.seq),
        "account": (event.account, row.account),
        "account_seq": (event.account_seq, row.account_seq),
        "type": (event.type, row.type),
        "command key": (event.key, row.command_key),
        "command hash": (event.command_hash, row.command_hash),
        "command index": (event.index, row.command_index),
        "command size": (event.size, row.command_size),
        "previous hash": (event.prev_hash, row.prev_hash),
    }
    for name, (inside, outside) in checks.items():
        if inside != outside:
            return f"its stored {name} {outside!r} differs from its content {inside!r} (edited?)"
    seq = _int(row.seq)
    if seq is None or seq <= last_seq:
        return "it is out of order in the ledger (reordered?)"
    return event


def _sort_key(row: StoredRow) -> tuple[int, int]:
    return (_int(row.account_seq) or 0, _int(row.seq) or 0)


def _commands(rows: Sequence[StoredRow]) -> BadEvent | None:
    """Every command's events are all there, together: no half-applied command."""
    by_key: dict[Any, list[StoredRow]] = defaultdict(list)
    for row in rows:
        by_key[row.command_key].append(row)
    for key, members in by_key.items():
        members.sort(key=_sort_key)
        size = members[0].command_size
        positions = [_int(r.account_seq) or 0 for r in members]
        complete = (
            [r.command_index for r in members] == list(range(len(members)))
            and all(
                r.command_size == size and r.command_hash == members[0].command_hash
                for r in members
            )
            and len(members) == size
            and positions == list(range(positions[0], positions[0] + len(members)))
        )
        if not complete:
            first = members[0]
            return BadEvent(
                account=str(first.account),
                account_seq=_int(first.account_seq),
                seq=_int(first.seq),
                problem=f"command {key!r} is incomplete or split: {len(members)} of {size} events",
            )
    return None


def verify_rows(
    rows: Iterable[StoredRow],
    heads: Mapping[str, ChainHead] | None = None,
    anchors: ChainHeads | None = None,
    parsed: list[Event] | None = None,
) -> list[BadEvent]:
    """Check every account's chain; return the first bad event of each bad account, by seq.

    ``heads`` is the store's own record of each account's last event; ``anchors`` a
    :class:`ChainHeads` exported earlier (the account may have grown since, not shrunk).
    Every event read on the way is appended to ``parsed``, if given, so that a caller can
    replay them without reading them again.
    """
    accounts: dict[str, list[StoredRow]] = defaultdict(list)
    for row in rows:
        accounts[str(row.account)].append(row)
    bad: list[BadEvent] = []
    ends: dict[str, tuple[int, dict[int, str]]] = {}
    for account, members in accounts.items():
        members.sort(key=_sort_key)
        prev, expected, last_seq = GENESIS, 1, 0
        hashes: dict[int, str] = {}
        problem: BadEvent | None = None
        for row in members:
            found = _checked(row, expected, prev, last_seq)
            if isinstance(found, Event):
                if parsed is not None:
                    parsed.append(found)
            else:
                problem = BadEvent(
                    account=account,
                    account_seq=_int(row.account_seq),
                    seq=_int(row.seq),
                    problem=found,
                )
                break
            prev, last_seq = row.hash, row.seq
            hashes[expected] = row.hash
            expected += 1
        if problem is None:
            problem = _commands(members)
        if problem is not None:
            bad.append(problem)
            continue
        ends[account] = (expected - 1, hashes)
    checked = {b.account for b in bad}
    for account, head in (heads or {}).items():
        if account in checked:
            continue
        count, hashes = ends.get(account, (0, {}))
        if count != head.account_seq:
            why = (
                f"the chain head records event {head.account_seq} but the chain ends at event "
                f"{count} (events deleted from the end, or the head edited?)"
            )
        elif hashes.get(count) != head.hash:
            why = (
                f"the chain head's hash differs from the hash of event {count}, the last "
                "(events rewritten, or the head edited?)"
            )
        else:
            continue
        bad.append(
            BadEvent(account=account, account_seq=head.account_seq, seq=head.seq, problem=why)
        )
        checked.add(account)
    for account in sorted(set(ends) - set(heads if heads is not None else ends)):
        bad.append(BadEvent(account=account, problem="the account has events but no chain head"))
        checked.add(account)
    for anchor in anchors.heads if anchors is not None else ():
        if anchor.account in checked:
            continue
        count, hashes = ends.get(anchor.account, (0, {}))
        if hashes.get(anchor.account_seq) != anchor.hash:
            state = "is missing" if anchor.account_seq > count else "has a different hash"
            bad.append(
                BadEvent(
                    account=anchor.account,
                    account_seq=anchor.account_seq,
                    seq=anchor.seq,
                    problem=f"the exported chain head (event {anchor.account_seq}) {state}: "
                    "the account was truncated or rewritten since the export",
                )
            )
    bad.sort(key=lambda b: (b.seq if b.seq is not None else 1 << 62, b.account))
    return bad
