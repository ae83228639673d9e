"""The PostgreSQL ledger store: one database per ledger, one transaction per command.

The same interface (:mod:`creditbank.ledger.store`) and the same guarantees as the SQLite
store: the database refuses changes to the events (:mod:`creditbank.ledger.pg_schema`),
the hash chain and the projection are written with the events, idempotency keys are
unique, and writers are serialised.

How writers are serialised, and why not ``SERIALIZABLE``: every command appends at the end
of one ledger-wide sequence (``seq`` = last + 1) and first reads whether its idempotency
key was used, so any two concurrent commands conflict — under ``SERIALIZABLE`` one of them
would always be aborted and have to decide again (re-evaluate, re-read), which costs more
than waiting, and a retry loop hides a livelock behind the timeout. Instead each write
transaction first takes one transaction-scoped advisory lock
(``pg_advisory_xact_lock``; advisory locks belong to one database, so each ledger has its
own) and then reads under ``READ COMMITTED``: every statement after the lock sees every
command committed before it. The lock is released by COMMIT or ROLLBACK, and by the server
when a writer's connection dies (a killed process leaves no lock and no half command).
Waiting longer than ``timeout`` is ``LEDGER_BUSY`` (``lock_timeout``). Readers take a
``REPEATABLE READ READ ONLY`` snapshot and never wait for writers.

A store opened ``read_only`` runs every transaction ``READ ONLY``; writing is ``READ_ONLY``.
What the server refuses is said with the ledger's codes: ``LEDGER_UNREACHABLE`` (no server,
wrong password), ``LEDGER_NOT_FOUND`` (no such database, or no ledger in it and not
``create``), ``NOT_A_LEDGER`` (a database with other tables), ``LEDGER_BUSY``,
``STORE_REFUSED``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import astuple
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import errors as pgerrors
from pydantic import ValidationError

from creditbank.errors import LedgerError
from creditbank.ledger.chain import ChainHead, StoredRow
from creditbank.ledger.events import Event
from creditbank.ledger.location import LedgerLocation
from creditbank.ledger.pg_schema import (
    EXPECTED_FUNCTIONS,
    EXPECTED_INDEXES,
    EXPECTED_TRIGGERS,
    LEDGER_TABLES,
    PG_BASE_VERSION,
    PG_DDL,
    PG_PROJECTION_DDL,
    PG_SCHEMA_VERSION,
    PG_UPGRADES,
    objects_after,
)
from creditbank.ledger.projection import Snapshot, project, snapshot_tables
from creditbank.ledger.schema import LEDGER_FORMAT, PROJECTION_TABLES, SCHEMA_VERSION
from creditbank.ledger.store import Draft, StoredToken, place
from creditbank.ledger.token_rows import insert_token, mark_revoked, select_tokens

__all__ = ["WRITE_LOCK", "PostgresStore"]

WRITE_LOCK = 0x6372656469746261
"""The advisory lock every writer of a ledger takes (``creditba`` in ASCII)."""

_ROW_COLUMNS = (
    "seq, account, account_seq, type, command_key, command_hash, command_index, "
    "command_size, body, prev_hash, hash"
)
_CREDENTIAL = "(body::jsonb #>> '{payload,credential_check,credential}')"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class _Qmark:
    """A psycopg cursor that takes the projection's ``?`` parameters (its SQL has no ``%``)."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self._cur = cur

    def execute(self, sql: str, parameters: tuple[Any, ...] = (), /) -> Any:
        return self._cur.execute(sql.replace("?", "%s"), parameters)

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall()


class _PgReader:
    def __init__(self, conn: psycopg.Connection[Any], where: str) -> None:
        self._conn = conn
        self._where = where

    def _events(self, sql: str, parameters: tuple[Any, ...]) -> list[Event]:
        try:
            rows = self._conn.execute(sql, parameters).fetchall()
            return [Event.model_validate_json(body) for (body,) in rows]
        except ValidationError as error:
            raise LedgerError(
                "NOT_A_LEDGER",
                f"the ledger's events cannot be read ({_first_line(error)}); run "
                "`creditbank ledger verify`",
                path=self._where,
            ) from error

    def events(self, account: str | None = None) -> list[Event]:
        if account is None:
            return self._events("SELECT body FROM events ORDER BY seq", ())
        return self._events(
            "SELECT body FROM events WHERE account = %s ORDER BY account_seq", (account,)
        )

    def events_from(self, account: str, account_seq: int, limit: int) -> list[Event]:
        return self._events(
            "SELECT body FROM events WHERE (account, account_seq) > (%s, %s)"
            " ORDER BY account, account_seq LIMIT %s",
            (account, account_seq, limit),
        )

    def command_events(self, key: str) -> list[Event]:
        return self._events(
            "SELECT body FROM events WHERE command_key = %s ORDER BY command_index", (key,)
        )

    def credential_accounts(self, credential: str) -> list[str]:
        cur = self._conn.execute(
            "SELECT DISTINCT account FROM events WHERE type = 'achievement_deposited'"
            f" AND {_CREDENTIAL} = %s ORDER BY account",
            (credential,),
        )
        return [str(account) for (account,) in cur.fetchall()]

    def rows(self) -> list[StoredRow]:
        cur = self._conn.execute(f"SELECT {_ROW_COLUMNS} FROM events ORDER BY seq")
        return [StoredRow(*row) for row in cur.fetchall()]

    def heads(self) -> dict[str, ChainHead]:
        cur = self._conn.execute("SELECT account, account_seq, seq, hash FROM heads")
        return {
            account: ChainHead(account=account, account_seq=n, seq=seq, hash=h)
            for account, n, seq, h in cur.fetchall()
        }

    def projection(self) -> Snapshot:
        return snapshot_tables(_Qmark(self._conn.cursor()))

    def schema_problems(self) -> list[str]:
        return structure_problems(self._conn)

    def _tokens(self, token_id: str | None) -> list[StoredToken]:
        (exists,) = self._conn.execute(
            "SELECT to_regclass('api_tokens') IS NOT NULL"
        ).fetchone() or (False,)
        return select_tokens(_Qmark(self._conn.cursor()), token_id) if exists else []

    def tokens(self) -> list[StoredToken]:
        return self._tokens(None)

    def token(self, token_id: str) -> StoredToken | None:
        found = self._tokens(token_id)
        return found[0] if found else None


class _PgWriter(_PgReader):
    def _last(self, account: str) -> tuple[int, str] | None:
        found = self._conn.execute(
            "SELECT account_seq, hash FROM events WHERE account = %s"
            " ORDER BY account_seq DESC LIMIT 1",
            (account,),
        ).fetchone()
        return (int(found[0]), str(found[1])) if found else None

    def append(self, drafts: Sequence[Draft]) -> list[Event]:
        (last,) = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone() or (0,)
        placed = place(drafts, int(last), self._last)
        for row, event in placed:
            self._insert(row, event)
        return [event for _, event in placed]

    def restore(self, rows: Sequence[StoredRow]) -> None:
        for row in rows:
            self._insert(row, Event.model_validate_json(row.body))

    def add_token(self, token: StoredToken) -> None:
        insert_token(_Qmark(self._conn.cursor()), token)

    def revoke_token(self, token_id: str, at: str) -> None:
        mark_revoked(_Qmark(self._conn.cursor()), token_id, at)

    def _insert(self, row: StoredRow, event: Event) -> None:
        self._conn.execute(
            f"INSERT INTO events ({_ROW_COLUMNS})"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            astuple(row),
        )
        project(_Qmark(self._conn.cursor()), event)


def structure_problems(conn: psycopg.Connection[Any]) -> list[str]:
    """How the ledger's tables, triggers, trigger functions and indexes differ from
    creditbank's: a table, trigger or index missing, a trigger disabled or added, a
    function's body changed. (A dropped CHECK or foreign key is not looked for.)"""
    problems: list[str] = []
    versions = [v for (v,) in conn.execute("SELECT version FROM schema_version").fetchall()]
    version = max(versions, default=PG_SCHEMA_VERSION)
    if versions != list(range(PG_BASE_VERSION, version + 1)) or version > PG_SCHEMA_VERSION:
        problems.append(
            f"the recorded schema versions {versions} are not {PG_BASE_VERSION} to at most "
            f"{PG_SCHEMA_VERSION}, one each"
        )
    later = objects_after(version)  # a ledger not yet upgraded lacks these, rightly
    expected_tables = [name for name in LEDGER_TABLES if name not in later.tables]
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r'"
            " AND c.relnamespace = to_regnamespace(current_schema())"
        ).fetchall()
    }
    problems += [f"table {name!r} is missing" for name in expected_tables if name not in tables]
    problems += [
        f"table {name!r} is not creditbank's" for name in sorted(tables - set(expected_tables))
    ]
    found: dict[tuple[str, str], str] = {
        (str(table), str(name)): str(enabled)
        for table, name, enabled in conn.execute(
            "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND c.relnamespace = to_regnamespace(current_schema())"
        ).fetchall()
    }
    for table, names in sorted(EXPECTED_TRIGGERS.items()):
        if table in later.tables:
            continue
        for name in sorted(names):
            state = found.get((table, name))
            if state is None:
                problems.append(f"trigger {name!r} on {table!r} is missing")
            elif state != "O":
                problems.append(
                    f"trigger {name!r} on {table!r} is disabled (ALTER TABLE … DISABLE TRIGGER)"
                )
    for table, name in sorted(found):
        if table in later.tables or name not in EXPECTED_TRIGGERS.get(table, set()):
            problems.append(f"trigger {name!r} on {table!r} is not creditbank's")
    bodies = {
        str(name): str(body)
        for name, body in conn.execute(
            "SELECT proname, prosrc FROM pg_proc"
            " WHERE pronamespace = to_regnamespace(current_schema())"
        ).fetchall()
    }
    for name, sql in EXPECTED_FUNCTIONS.items():
        if name in later.functions:
            continue
        expected = sql.split("$$")[1]
        if name not in bodies:
            problems.append(f"function {name!r} is missing")
        elif bodies[name] != expected:
            problems.append(f"function {name!r} was changed (its body differs from creditbank's)")
    indexes = {
        str(name)
        for (name,) in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
        ).fetchall()
    }
    problems += [
        f"index {name!r} is missing (dropped?)"
        for name in EXPECTED_INDEXES
        if name not in indexes and name not in later.indexes
    ]
    meta = dict(conn.execute("SELECT key, value FROM ledger_meta").fetchall())
    if meta.get("format") != LEDGER_FORMAT:
        problems.append("the ledger's format row is missing or changed")
    problems += [
        f"ledger_meta holds a row {key!r} that creditbank never writes"
        for key in sorted(set(meta) - {"format", "subject_key"})
    ]
    return problems


class PostgresStore:
    """A ledger in one PostgreSQL database (see the module for its guarantees).

    ``url`` is a ``postgresql://`` URL; ``create`` makes the ledger's tables in an empty
    database (the database itself must exist: ``createdb``); ``timeout`` is how long a
    writer waits for another, in seconds.
    """

    def __init__(
        self, url: str, *, create: bool = False, read_only: bool = False, timeout: float = 30.0
    ) -> None:
        if create and read_only:
            raise ValueError("a ledger opened read-only cannot be created")
        self.location = LedgerLocation("postgresql", url=url)
        self.read_only = read_only
        self._current = False  # upgraded to PG_SCHEMA_VERSION (known after the first write)
        self._where = self.location.shown()
        self._timeout_ms = max(1, int(timeout * 1000))
        try:
            self._conn: psycopg.Connection[Any] = psycopg.connect(
                url, autocommit=True, connect_timeout=max(1, int(timeout))
            )
        except psycopg.Error as error:
            # a failed connection is an OperationalError whatever the server said: a missing
            # database is told by its SQLSTATE (3D000) or, from older libpq, its message
            text = str(error)
            if error.sqlstate == "3D000" or ('database "' in text and "does not exist" in text):
                name = urlsplit(url).path.lstrip("/")
                raise LedgerError(
                    "LEDGER_NOT_FOUND",
                    f"the PostgreSQL server has no database {name!r} for the ledger "
                    f"{self._where!r}: create it (createdb {name}), then `creditbank ledger "
                    "init`",
                    path=self._where,
                ) from error
            raise LedgerError(
                "LEDGER_UNREACHABLE",
                f"cannot connect to the ledger {self._where!r}: {_first_line(error)}",
                path=self._where,
            ) from error
        try:
            if create:
                self._create()
            self._check()
        except BaseException:
            self._conn.close()
            raise

    # ------------------------------------------------------------ schema

    def _has(self, table: str) -> bool:
        (found,) = self._conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (table,)
        ).fetchone() or (False,)
        return bool(found)

    def _check(self) -> None:
        with self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"):
            if self._has("ledger_meta"):
                row = self._conn.execute(
                    "SELECT value FROM ledger_meta WHERE key = 'format'"
                ).fetchone()
                if row is not None and row[0] == LEDGER_FORMAT:
                    version = self.schema_version()
                    if version > SCHEMA_VERSION:
                        raise LedgerError(
                            "SCHEMA_TOO_NEW",
                            f"the ledger has schema version {version}; this creditbank knows "
                            f"up to {SCHEMA_VERSION}: upgrade creditbank to open it",
                            path=self._where,
                        )
                    return
            empty = not self._tables()
        if empty:
            raise LedgerError(
                "LEDGER_NOT_FOUND",
                f"no ledger in the database {self._where!r}; create one with "
                "`creditbank ledger init`",
                path=self._where,
            )
        raise LedgerError(
            "NOT_A_LEDGER",
            f"the database {self._where!r} holds tables but is not a creditbank ledger",
            path=self._where,
        )

    def _tables(self) -> list[str]:
        return [
            str(name)
            for (name,) in self._conn.execute(
                "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p', 'v')"
                " AND relnamespace = to_regnamespace(current_schema())"
            ).fetchall()
        ]

    def _create(self) -> None:
        """Make the ledger's tables in an empty database, under the writers' lock (two
        processes initialising at once make them once)."""
        with self._transaction("BEGIN"):
            self._lock()
            if self._has("ledger_meta"):
                return
            if self._tables():
                raise LedgerError(
                    "NOT_A_LEDGER",
                    f"the database {self._where!r} holds tables but is not a creditbank "
                    "ledger; give an empty database",
                    path=self._where,
                )
            for statement in (*PG_DDL, *PG_PROJECTION_DDL):
                self._conn.execute(statement)
            self._conn.execute(
                "INSERT INTO ledger_meta (key, value) VALUES ('format', %s)", (LEDGER_FORMAT,)
            )
            self._record_version(
                PG_BASE_VERSION,
                "PostgreSQL ledger: events with hash chain, chain heads, the cached "
                "projection, idempotency keys and credential index",
            )
            self._upgrade()

    def _record_version(self, version: int, description: str) -> None:
        self._conn.execute(
            "INSERT INTO schema_version (version, description, applied_at) VALUES (%s, %s, %s)",
            (version, description, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        )

    def _upgrade(self) -> None:
        """Apply the upgrades the ledger lacks (:data:`PG_UPGRADES`), inside the caller's
        write transaction and under the writers' lock: a new ledger at once, an older one
        on its first write (a read never upgrades, like SQLite's)."""
        version = self.schema_version()
        for upgrade in PG_UPGRADES:
            if upgrade.version > version:
                for statement in upgrade.statements:
                    self._conn.execute(statement)
                self._record_version(upgrade.version, upgrade.description)

    def schema_version(self) -> int:
        if not self._has("schema_version"):
            return 0
        (version,) = self._conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version"
        ).fetchone() or (0,)
        return int(version)

    # ------------------------------------------------------------ transactions

    def _lock(self) -> None:
        self._conn.execute(f"SET LOCAL lock_timeout = {self._timeout_ms}")
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[None]:
        try:
            self._conn.execute(begin)
        except psycopg.Error as error:
            raise self._refusal(error) from error
        try:
            yield
        except BaseException as error:
            with suppress(psycopg.Error):
                self._conn.execute("ROLLBACK")
            if isinstance(error, psycopg.Error):
                raise self._refusal(error) from error
            raise
        try:
            self._conn.execute("COMMIT")
        except psycopg.Error as error:
            raise self._refusal(error) from error

    def _refusal(self, error: psycopg.Error) -> LedgerError:
        text = _first_line(error)
        if isinstance(error, pgerrors.LockNotAvailable | pgerrors.QueryCanceled):
            return LedgerError(
                "LEDGER_BUSY",
                f"another writer held the ledger {self._where!r} longer than the timeout "
                f"({text}); nothing was written: try again",
                path=self._where,
            )
        if isinstance(error, pgerrors.ReadOnlySqlTransaction):
            return self._read_only()
        if isinstance(error, psycopg.IntegrityError | pgerrors.RaiseException):
            return LedgerError(
                "STORE_REFUSED",
                f"the ledger database refused the change: {text}",
                path=self._where,
            )
        if isinstance(error, psycopg.OperationalError) or self._conn.closed:
            return LedgerError(
                "LEDGER_UNREACHABLE",
                f"the connection to the ledger {self._where!r} failed ({text}); whatever the "
                "command was writing was rolled back",
                path=self._where,
            )
        if isinstance(error, pgerrors.UndefinedTable | pgerrors.UndefinedColumn):
            return LedgerError(
                "CORRUPT_SCHEMA",
                f"the ledger {self._where!r} lacks a table or column of creditbank's ({text}); "
                "run `creditbank ledger verify`",
                path=self._where,
            )
        return LedgerError(
            "STORE_REFUSED", f"the ledger database refused the command: {text}", path=self._where
        )

    def _read_only(self) -> LedgerError:
        return LedgerError(
            "READ_ONLY",
            f"the ledger {self._where!r} was opened for reading only; nothing was written",
            path=self._where,
        )

    @contextmanager
    def reading(self) -> Iterator[_PgReader]:
        with self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"):
            yield _PgReader(self._conn, self._where)

    @contextmanager
    def writing(self) -> Iterator[_PgWriter]:
        if self.read_only:
            raise self._read_only()
        with self._transaction("BEGIN ISOLATION LEVEL READ COMMITTED"):
            try:
                self._lock()
                if not self._current:
                    self._upgrade()
            except psycopg.Error as error:
                raise self._refusal(error) from error
            yield _PgWriter(self._conn, self._where)
        self._current = True  # committed: the upgrade too (a rollback undoes it, so not before)

    def subject_key(self) -> bytes:
        with self.reading():
            row = self._conn.execute(
                "SELECT value FROM ledger_meta WHERE key = 'subject_key'"
            ).fetchone()
        if row is None:
            with self.writing():
                self._conn.execute(
                    "INSERT INTO ledger_meta (key, value) VALUES ('subject_key', %s)"
                    " ON CONFLICT (key) DO NOTHING",
                    (secrets.token_hex(32),),
                )
                row = self._conn.execute(
                    "SELECT value FROM ledger_meta WHERE key = 'subject_key'"
                ).fetchone()
        try:
            assert row is not None
            key = bytes.fromhex(str(row[0]))
        except ValueError as error:
            raise LedgerError(
                "NOT_A_LEDGER", f"the ledger's subject key cannot be read ({error})"
            ) from error
        if len(key) < 16:
            raise LedgerError("NOT_A_LEDGER", "the ledger's subject key is shorter than 16 bytes")
        return key

    def adopt_subject_key(self, key: bytes) -> None:
        """Take another ledger's subject key (copying it: digests stay comparable); refused
        when this ledger already has a different one."""
        with self.writing():
            self._conn.execute(
                "INSERT INTO ledger_meta (key, value) VALUES ('subject_key', %s)"
                " ON CONFLICT (key) DO NOTHING",
                (key.hex(),),
            )
        if self.subject_key() != key:
            raise LedgerError(
                "LEDGER_NOT_EMPTY",
                f"the ledger {self._where!r} already has its own subject key",
                path=self._where,
            )

    def rebuild_projection(self) -> None:
        with self.writing() as writer:
            for table in reversed(PROJECTION_TABLES):
                self._conn.execute(f"DROP TABLE {table}")
            for statement in PG_PROJECTION_DDL:
                self._conn.execute(statement)
            cur = _Qmark(self._conn.cursor())
            for event in writer.events():
                project(cur, event)

    def dump_projection(self) -> Snapshot:
        with self.reading():
            out: Snapshot = {}
            for table in PROJECTION_TABLES:
                rows = self._conn.execute(f"SELECT * FROM {table}").fetchall()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
            return out

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one read-only query (for tests and inspection); returns all rows."""
        with self.reading():
            return [tuple(r) for r in self._conn.execute(sql, parameters).fetchall()]

    def close(self) -> None:
        self._conn.close()
