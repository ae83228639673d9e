"""The SQLite ledger store: a file, WAL journal, one ``BEGIN IMMEDIATE`` transaction per command.

Opening a ledger checks that the file is one (``ledger_meta``) and refuses a schema newer
than this code; pending migrations (:mod:`creditbank.ledger.schema`) are applied, each in
its own transaction, when the ledger is created (``create``) or first written to — never
by a read, so reading leaves an older ledger readable by the creditbank that wrote it.
Writers serialise on SQLite's write lock (waiting up to ``timeout`` seconds); readers see a
consistent snapshot and never block writers (WAL). With ``synchronous=FULL`` (the default)
a command is on disk when it returns.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from creditbank.errors import LedgerError
from creditbank.ledger.chain import GENESIS, ChainHead, StoredRow, event_body, event_hash
from creditbank.ledger.events import Event
from creditbank.ledger.projection import Snapshot, dump_tables, project, snapshot_tables
from creditbank.ledger.schema import (
    CREDENTIAL_ID,
    LEDGER_FORMAT,
    MIGRATIONS,
    PROJECTION_DDL,
    PROJECTION_TABLES,
    SCHEMA_VERSION,
    Migration,
)
from creditbank.ledger.store import Draft

__all__ = ["SqliteStore", "Synchronous"]

Synchronous = Literal["FULL", "NORMAL", "OFF"]

_ROW_COLUMNS = (
    "seq, account, account_seq, type, command_key, command_hash, command_index, "
    "command_size, body, prev_hash, hash"
)


def _text_or_bytes(raw: bytes) -> str | bytes:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _damaged(what: str, error: Exception) -> LedgerError:
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return LedgerError(
        "NOT_A_LEDGER",
        f"the ledger's {what} cannot be read ({first}); run `creditbank ledger verify`",
    )


class _SqliteReader:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _events(self, sql: str, parameters: tuple[Any, ...]) -> list[Event]:
        try:
            return [
                Event.model_validate_json(body) for (body,) in self._conn.execute(sql, parameters)
            ]
        except (sqlite3.DatabaseError, ValidationError) as error:
            raise _damaged("events", error) from error

    def events(self, account: str | None = None) -> list[Event]:
        if account is None:
            return self._events("SELECT body FROM events ORDER BY seq", ())
        return self._events(
            "SELECT body FROM events WHERE account = ? ORDER BY account_seq", (account,)
        )

    def command_events(self, key: str) -> list[Event]:
        return self._events(
            "SELECT body FROM events WHERE command_key = ? ORDER BY command_index", (key,)
        )

    def credential_accounts(self, credential: str) -> list[str]:
        try:
            cur = self._conn.execute(
                "SELECT DISTINCT account FROM events WHERE type = 'achievement_deposited'"
                f" AND {CREDENTIAL_ID} = ? ORDER BY account",
                (credential,),
            )
            return [str(account) for (account,) in cur]
        except sqlite3.DatabaseError as error:
            raise _damaged("events", error) from error

    def rows(self) -> list[StoredRow]:
        self._conn.text_factory = _text_or_bytes
        try:
            cur = self._conn.execute(f"SELECT {_ROW_COLUMNS} FROM events ORDER BY seq")
            return [StoredRow(*row) for row in cur]
        except sqlite3.DatabaseError as error:
            raise LedgerError(
                "NOT_A_LEDGER", f"the ledger's event table cannot be read: {error}"
            ) from error
        finally:
            self._conn.text_factory = str

    def heads(self) -> dict[str, ChainHead]:
        try:
            cur = self._conn.execute("SELECT account, account_seq, seq, hash FROM heads")
            return {
                account: ChainHead(account=account, account_seq=n, seq=seq, hash=h)
                for account, n, seq, h in cur
            }
        except (sqlite3.DatabaseError, ValidationError) as error:
            raise _damaged("chain heads", error) from error

    def projection(self) -> Snapshot:
        try:
            return snapshot_tables(self._conn.cursor())
        except sqlite3.DatabaseError as error:
            raise _damaged("cached projection", error) from error


class _SqliteWriter(_SqliteReader):
    def append(self, drafts: Sequence[Draft]) -> list[Event]:
        cur = self._conn.cursor()
        (last,) = cur.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        heads: dict[str, tuple[int, str]] = {}
        out: list[Event] = []
        for index, draft in enumerate(drafts):
            if draft.account not in heads:
                found = cur.execute(
                    "SELECT account_seq, hash FROM events WHERE account = ?"
                    " ORDER BY account_seq DESC LIMIT 1",
                    (draft.account,),
                ).fetchone()
                heads[draft.account] = (found[0], found[1]) if found else (0, GENESIS)
            position, prev = heads[draft.account]
            event = Event(
                seq=last + 1 + index,
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
            try:
                cur.execute(
                    f"INSERT INTO events ({_ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
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
                    ),
                )
                project(cur, event)
            except sqlite3.IntegrityError as error:
                raise LedgerError(
                    "STORE_REFUSED",
                    f"the ledger database refused {event.type} of account {event.account!r}: "
                    f"{error}",
                    account=event.account,
                ) from error
            heads[draft.account] = (event.account_seq, digest)
            out.append(event)
        return out


@contextmanager
def _migrating(migration: Migration, path: Path) -> Iterator[None]:
    """Say which migration the data refused (e.g. a key used on two accounts before v2)."""
    try:
        yield
    except sqlite3.IntegrityError as error:
        raise LedgerError(
            "STORE_REFUSED",
            f"the ledger at {str(path)!r} cannot be upgraded to schema version "
            f"{migration.version} ({migration.description}): {error}",
            path=str(path),
        ) from error


class SqliteStore:
    """A ledger in one SQLite file.

    ``create`` makes a new ledger (or upgrades an existing one); without it a missing file
    is :class:`LedgerError` ``LEDGER_NOT_FOUND``.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = False,
        timeout: float = 30.0,
        synchronous: Synchronous = "FULL",
    ) -> None:
        self.path = Path(path)
        self._current = False
        if synchronous not in ("FULL", "NORMAL", "OFF"):
            raise ValueError(f"synchronous must be FULL, NORMAL or OFF, not {synchronous!r}")
        if not create and not self.path.is_file():
            raise LedgerError(
                "LEDGER_NOT_FOUND",
                f"no ledger at {str(self.path)!r}; create one with `creditbank ledger init`",
                path=str(self.path),
            )
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:  # e.g. a directory that does not exist
            raise LedgerError(
                "LEDGER_NOT_FOUND",
                f"cannot open a ledger at {str(self.path)!r}: {error}",
                path=str(self.path),
            ) from error
        try:
            self._check_format(create)
            self._conn.execute("PRAGMA foreign_keys = ON")
            mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute(f"PRAGMA synchronous = {synchronous}")
            self._check_version()
            if create:
                self._migrate()
        except sqlite3.OperationalError as error:
            self._conn.close()
            if "locked" in str(error) or "busy" in str(error):
                raise LedgerError(
                    "LEDGER_BUSY", f"the ledger is busy or locked: {error}", path=str(self.path)
                ) from error
            raise LedgerError(
                "NOT_A_LEDGER",
                f"{str(self.path)!r} is not a ledger database: {error}",
                path=str(self.path),
            ) from error
        except sqlite3.DatabaseError as error:
            self._conn.close()
            raise LedgerError(
                "NOT_A_LEDGER",
                f"{str(self.path)!r} is not a ledger database: {error}",
                path=str(self.path),
            ) from error
        except BaseException:
            self._conn.close()
            raise

    # ------------------------------------------------------------ schema

    def _tables(self) -> set[str]:
        cur = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in cur}

    def _check_format(self, create: bool) -> None:
        tables = self._tables()
        if "ledger_meta" in tables:
            row = self._conn.execute(
                "SELECT value FROM ledger_meta WHERE key = 'format'"
            ).fetchone()
            if row is not None and row[0] == LEDGER_FORMAT:
                return
        if tables - {"schema_version"} or not create:
            raise LedgerError(
                "NOT_A_LEDGER",
                f"{str(self.path)!r} is an SQLite database but not a creditbank ledger",
                path=str(self.path),
            )

    def schema_version(self) -> int:
        if "schema_version" not in self._tables():
            return 0
        (version,) = self._conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version"
        ).fetchone()
        return int(version)

    def _check_version(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise LedgerError(
                "SCHEMA_TOO_NEW",
                f"the ledger has schema version {version}; this creditbank knows up to "
                f"{SCHEMA_VERSION}: upgrade creditbank to open it",
                path=str(self.path),
            )

    def _migrate(self) -> None:
        """Apply pending migrations, each in its own transaction. Run on ``create`` and
        before the first write: reading never upgrades a ledger (every migration only adds,
        so older schemas read the same), which leaves it readable by the creditbank that
        wrote it until something new is written."""
        if self._current:
            return
        version = self.schema_version()
        if version >= SCHEMA_VERSION:
            self._current = True
            return
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            with self._transaction(), _migrating(migration, self.path):
                self._conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    " description TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT"
                )
                if self.schema_version() >= migration.version:  # another process did it
                    continue
                for statement in migration.statements:
                    self._conn.execute(statement)
                if migration.version == 1:
                    self._conn.execute(
                        "INSERT INTO ledger_meta (key, value) VALUES ('format', ?)",
                        (LEDGER_FORMAT,),
                    )
                self._conn.execute(
                    "INSERT INTO schema_version (version, description, applied_at)"
                    " VALUES (?, ?, ?)",
                    (
                        migration.version,
                        migration.description,
                        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    ),
                )
        self._current = True

    # ------------------------------------------------------------ transactions

    @contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[None]:
        try:
            self._conn.execute(begin)
        except sqlite3.OperationalError as error:
            raise LedgerError(
                "LEDGER_BUSY", f"the ledger is busy or locked: {error}", path=str(self.path)
            ) from error
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    @contextmanager
    def reading(self) -> Iterator[_SqliteReader]:
        with self._transaction("BEGIN DEFERRED"):
            yield _SqliteReader(self._conn)

    def _upgraded(self) -> None:
        try:
            self._migrate()
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise LedgerError(
                    "LEDGER_BUSY", f"the ledger is busy or locked: {error}", path=str(self.path)
                ) from error
            raise _damaged("schema", error) from error

    @contextmanager
    def writing(self) -> Iterator[_SqliteWriter]:
        self._upgraded()
        with self._transaction():
            yield _SqliteWriter(self._conn)

    def subject_key(self) -> bytes:
        """The ledger's secret that keys subject digests: a ``ledger_meta`` row (no schema
        change; ledgers without it get one on first use, in a write transaction)."""
        with self.reading():
            row = self._conn.execute(
                "SELECT value FROM ledger_meta WHERE key = 'subject_key'"
            ).fetchone()
        if row is None:
            with self.writing():
                self._conn.execute(  # another process may have drawn it meanwhile
                    "INSERT INTO ledger_meta (key, value) SELECT 'subject_key', ? WHERE NOT"
                    " EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'subject_key')",
                    (secrets.token_hex(32),),
                )
                row = self._conn.execute(
                    "SELECT value FROM ledger_meta WHERE key = 'subject_key'"
                ).fetchone()
        try:
            key = bytes.fromhex(str(row[0]))
        except ValueError as error:
            raise _damaged("subject key", error) from error
        if len(key) < 16:
            raise _damaged("subject key", ValueError("shorter than 16 bytes"))
        return key

    def rebuild_projection(self) -> None:
        self._upgraded()
        with self._transaction():
            for table in reversed(PROJECTION_TABLES):
                self._conn.execute(f"DROP TABLE {table}")
            for statement in PROJECTION_DDL:
                self._conn.execute(statement)
            cur = self._conn.cursor()
            for event in _SqliteReader(self._conn).events():
                project(cur, event)

    def dump_projection(self) -> Snapshot:
        with self.reading():
            return dump_tables(self._conn.cursor(), PROJECTION_TABLES)

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one read-only query (for tests and inspection); returns all rows."""
        with self.reading():
            return [tuple(row) for row in self._conn.execute(sql, parameters)]

    def close(self) -> None:
        self._conn.close()
