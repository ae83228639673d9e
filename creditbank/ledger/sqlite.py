"""The SQLite ledger store: a file, WAL journal, one ``BEGIN IMMEDIATE`` transaction per command.

Opening a ledger checks that the file is one (``ledger_meta``) and refuses a schema newer
than this code; pending migrations (:mod:`creditbank.ledger.schema`) are applied, each in
its own transaction, when the ledger is created (``create``) or first written to — never
by a read, so reading leaves an older ledger readable by the creditbank that wrote it.
Writers serialise on SQLite's write lock (waiting up to ``timeout`` seconds); readers see a
consistent snapshot and never block writers (WAL). With ``synchronous=FULL`` (the default)
a command is on disk when it returns.

A store opened ``read_only`` (``verify``, ``statement``, ``export``) opens the file with
SQLite's ``mode=ro`` and never writes; where the WAL's shared-memory file cannot be made
beside it (a read-only directory or mount, or a full disk) and no write-ahead log holds
anything, it reads the file as ``immutable`` — nobody can be writing it there. What the
operating system refuses is said as such: ``READ_ONLY``, ``DISK_FULL``,
``LEDGER_IO_ERROR``, and SQL text of the schema that SQLite cannot parse
``CORRUPT_SCHEMA`` (naming the objects whose text differs from creditbank's) — never
``NOT_A_LEDGER`` for a healthy file.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import astuple
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from creditbank.errors import LedgerError
from creditbank.ledger.chain import ChainHead, StoredRow
from creditbank.ledger.events import Event
from creditbank.ledger.integrity import (
    SchemaObjects,
    expected_schema,
    metadata_problems,
    schema_problems,
    stored_schema,
)
from creditbank.ledger.projection import Snapshot, dump_tables, project, snapshot_tables
from creditbank.ledger.schema import (
    CREDENTIAL_ID,
    LEDGER_FORMAT,
    MIGRATIONS,
    PROJECTION_DDL,
    PROJECTION_TABLES,
    SCHEMA_VERSION,
    SCHEMA_VERSION_DDL,
    Migration,
)
from creditbank.ledger.store import Draft, StoredToken, place
from creditbank.ledger.token_rows import insert_token, mark_revoked, select_tokens

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


_LOW_SPACE = 1 << 20
"""Free bytes below which an I/O error of SQLite is taken for a full disk."""


def _first_line(error: BaseException) -> str:
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__


def _space_left(path: Path) -> int | None:
    try:
        found = os.statvfs(path.absolute().parent)
    except OSError:
        return None
    return found.f_bavail * found.f_frsize


def _read_only_location(path: Path) -> bool:
    """The ledger's directory exists but cannot be written, or its file cannot."""
    directory = path.absolute().parent
    if not directory.is_dir():
        return False
    return not os.access(directory, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def _differing(found: SchemaObjects, version: int) -> list[str]:
    """The objects of ``found`` whose SQL text differs from that of creditbank's schema
    ``version`` (dropped or added objects are ``verify``'s to report)."""
    expected = expected_schema(version)
    return [
        f"{kind} {name!r}"
        for (kind, name), (table, sql) in sorted(found.items())
        if (kind, name) in expected and expected[kind, name] != (table, sql)
    ]


def _damaged_objects(path: Path) -> list[str]:
    """The schema objects whose stored SQL text differs from creditbank's (read with
    ``writable_schema``, which lets SQLite list a schema it cannot parse)."""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        conn.execute("PRAGMA writable_schema = ON")
        found = stored_schema(conn)
    except (sqlite3.Error, UnicodeDecodeError):
        return []
    finally:
        conn.close()
    return _differing(found, SCHEMA_VERSION)


def _corrupt_schema(
    path: Path, damaged: Sequence[str], cause: str, unusable: str = "used"
) -> LedgerError:
    which = f" (the SQL text of {', '.join(damaged)})" if damaged else ""
    return LedgerError(
        "CORRUPT_SCHEMA",
        f"the schema of the ledger {str(path)!r} is damaged{which}: {cause}; the events may "
        f"be intact, but the file cannot be {unusable}: restore it from a backup",
        path=str(path),
    )


def _refusal(error: BaseException, path: Path) -> LedgerError | None:
    """What the operating system (or a damaged schema text) refused, as a LedgerError with
    its own code; None for anything else (the caller decides)."""
    where = str(path)
    text = _first_line(error)
    name = str(getattr(error, "sqlite_errorname", "") or "")
    if isinstance(error, UnicodeDecodeError) or "malformed database schema" in text:
        damaged = _damaged_objects(path)
        if isinstance(error, UnicodeDecodeError) and not damaged:
            return None
        return _corrupt_schema(path, damaged, f"SQLite cannot read it ({text})")
    if not isinstance(error, sqlite3.Error):
        return None
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return LedgerError("LEDGER_BUSY", f"the ledger is busy or locked: {text}", path=where)
    failed_io = name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN"))
    if name.startswith("SQLITE_CANTOPEN") and not path.absolute().parent.is_dir():
        return LedgerError(
            "LEDGER_NOT_FOUND",
            f"cannot open a ledger at {where!r}: its directory does not exist",
            path=where,
        )
    space = _space_left(path) if failed_io or name == "SQLITE_FULL" else None
    if name == "SQLITE_FULL" or (failed_io and space is not None and space < _LOW_SPACE):
        left = f"; {space // 1024} KiB free" if space is not None else ""
        return LedgerError(
            "DISK_FULL",
            f"the disk holding the ledger {where!r} is full ({text}{left}); nothing was "
            "written: free some space and give the command again",
            path=where,
        )
    if name.startswith("SQLITE_READONLY") or (failed_io and _read_only_location(path)):
        return LedgerError(
            "READ_ONLY",
            f"the ledger {where!r} cannot be written: its file or directory is read-only "
            f"({text}); nothing was written. Commands that only read it (verify, statement, "
            "export) work",
            path=where,
        )
    if failed_io:
        return LedgerError(
            "LEDGER_IO_ERROR",
            f"the operating system could not read or write the ledger {where!r} or the "
            f"-wal and -shm files beside it ({text})",
            path=where,
        )
    return None


def _from_sqlite(error: BaseException) -> bool:
    return isinstance(error, sqlite3.Error | UnicodeDecodeError)


def _damaged(what: str, error: Exception, path: Path) -> LedgerError:
    found = _refusal(error, path)
    if found is not None:
        return found
    return LedgerError(
        "NOT_A_LEDGER",
        f"the ledger's {what} cannot be read ({_first_line(error)}); run "
        "`creditbank ledger verify`",
    )


class _SqliteReader:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    def _events(self, sql: str, parameters: tuple[Any, ...]) -> list[Event]:
        try:
            return [
                Event.model_validate_json(body) for (body,) in self._conn.execute(sql, parameters)
            ]
        except (sqlite3.DatabaseError, ValidationError) as error:
            raise _damaged("events", error, self._path) from error

    def events(self, account: str | None = None) -> list[Event]:
        if account is None:
            return self._events("SELECT body FROM events ORDER BY seq", ())
        return self._events(
            "SELECT body FROM events WHERE account = ? ORDER BY account_seq", (account,)
        )

    def events_from(self, account: str, account_seq: int, limit: int) -> list[Event]:
        return self._events(
            "SELECT body FROM events WHERE (account, account_seq) > (?, ?)"
            " ORDER BY account, account_seq LIMIT ?",
            (account, account_seq, limit),
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
            raise _damaged("events", error, self._path) from error

    def rows(self) -> list[StoredRow]:
        self._conn.text_factory = _text_or_bytes
        try:
            cur = self._conn.execute(f"SELECT {_ROW_COLUMNS} FROM events ORDER BY seq")
            return [StoredRow(*row) for row in cur]
        except sqlite3.DatabaseError as error:
            raise _refusal(error, self._path) or LedgerError(
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
            raise _damaged("chain heads", error, self._path) from error

    def projection(self) -> Snapshot:
        try:
            return snapshot_tables(self._conn.cursor())
        except sqlite3.DatabaseError as error:
            raise _damaged("cached projection", error, self._path) from error

    def schema_problems(self) -> list[str]:
        try:
            (version,) = self._conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version"
            ).fetchone()
            found = stored_schema(self._conn)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
            return [f"the ledger's schema cannot be read ({_first_line(error)})"]
        if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
            return [f"the ledger's schema version {version!r} is not one creditbank wrote"]
        return schema_problems(found, version) + metadata_problems(self._conn, version)

    def _tokens(self, token_id: str | None) -> list[StoredToken]:
        try:
            exists = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'api_tokens'"
            ).fetchone()
            return select_tokens(self._conn.cursor(), token_id) if exists else []
        except sqlite3.DatabaseError as error:
            raise _damaged("API tokens", error, self._path) from error

    def tokens(self) -> list[StoredToken]:
        return self._tokens(None)

    def token(self, token_id: str) -> StoredToken | None:
        found = self._tokens(token_id)
        return found[0] if found else None


class _SqliteWriter(_SqliteReader):
    def _last(self, account: str) -> tuple[int, str] | None:
        found = self._conn.execute(
            "SELECT account_seq, hash FROM events WHERE account = ?"
            " ORDER BY account_seq DESC LIMIT 1",
            (account,),
        ).fetchone()
        return (found[0], found[1]) if found else None

    def append(self, drafts: Sequence[Draft]) -> list[Event]:
        (last,) = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        placed = place(drafts, last, self._last)
        for row, event in placed:
            self._insert(row, event)
        return [event for _, event in placed]

    def restore(self, rows: Sequence[StoredRow]) -> None:
        for row in rows:
            self._insert(row, Event.model_validate_json(row.body))

    def add_token(self, token: StoredToken) -> None:
        try:
            insert_token(self._conn.cursor(), token)
        except sqlite3.IntegrityError as error:
            raise LedgerError(
                "STORE_REFUSED", f"the ledger database refused the API token: {error}"
            ) from error

    def revoke_token(self, token_id: str, at: str) -> None:
        mark_revoked(self._conn.cursor(), token_id, at)

    def _insert(self, row: StoredRow, event: Event) -> None:
        cur = self._conn.cursor()
        try:
            cur.execute(
                f"INSERT INTO events ({_ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                astuple(row),
            )
            project(cur, event)
        except sqlite3.IntegrityError as error:
            raise LedgerError(
                "STORE_REFUSED",
                f"the ledger database refused {event.type} of account {event.account!r}: {error}",
                account=event.account,
            ) from error


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
    is :class:`LedgerError` ``LEDGER_NOT_FOUND``. ``read_only`` opens it for reading only
    (SQLite ``mode=ro``): every write is ``READ_ONLY``, and a ledger on a read-only
    directory or mount can still be read, verified and exported.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = False,
        read_only: bool = False,
        timeout: float = 30.0,
        synchronous: Synchronous = "FULL",
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._current = False
        self._schema_checked = False
        if synchronous not in ("FULL", "NORMAL", "OFF"):
            raise ValueError(f"synchronous must be FULL, NORMAL or OFF, not {synchronous!r}")
        if create and read_only:
            raise ValueError("a ledger opened read-only cannot be created")
        if self.path.exists() and not self.path.is_file():
            raise LedgerError(
                "NOT_A_FILE",
                f"{str(self.path)!r} is not a regular file (a directory, a device, a pipe): "
                "a ledger is one file; give the path of one",
                path=str(self.path),
            )
        if not create and not self.path.is_file():
            raise LedgerError(
                "LEDGER_NOT_FOUND",
                f"no ledger at {str(self.path)!r}; create one with `creditbank ledger init`",
                path=str(self.path),
            )
        existed = self.path.exists()
        self._conn = self._connect(timeout)
        try:
            self._check_format(create)
            self._conn.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute(f"PRAGMA synchronous = {synchronous}")
            self._check_version()
            if create:
                self._migrate()
        except (sqlite3.Error, UnicodeDecodeError) as error:
            self._conn.close()
            self._remove_stub(create and not existed)
            raise _refusal(error, self.path) or LedgerError(
                "NOT_A_LEDGER",
                f"{str(self.path)!r} is not a ledger database: {_first_line(error)}",
                path=str(self.path),
            ) from error
        except BaseException:
            self._conn.close()
            self._remove_stub(create and not existed)
            raise

    def _remove_stub(self, created: bool) -> None:
        """After a failed ``init`` (a full disk …): remove the file this open created, if it
        holds no ledger yet (no format row), with its -wal and -shm — never a file that was
        there before, which a later command would take for NOT_A_LEDGER."""
        if not created:
            return
        try:
            conn = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True)
            try:
                tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
                if (
                    "ledger_meta" in tables
                    and conn.execute("SELECT 1 FROM ledger_meta WHERE key = 'format'").fetchone()
                ):
                    return  # another process finished an init meanwhile: keep it
            finally:
                conn.close()
        except sqlite3.Error:
            pass
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(OSError):
                os.unlink(f"{self.path}{suffix}")

    def _connect(self, timeout: float) -> sqlite3.Connection:
        """Open the file: read-write, or read-only (``immutable`` only where the WAL's
        shared memory cannot be made and no write-ahead log holds anything)."""
        read_uri = f"{self.path.absolute().as_uri()}?mode=ro"

        def connect(target: str | Path, *, uri: bool = False) -> sqlite3.Connection:
            return sqlite3.connect(
                target, timeout=timeout, isolation_level=None, check_same_thread=False, uri=uri
            )

        try:
            if not self.read_only:
                return connect(self.path)
            conn = connect(read_uri, uri=True)
        except sqlite3.Error as error:
            raise _refusal(error, self.path) or LedgerError(
                "LEDGER_NOT_FOUND",
                f"cannot open a ledger at {str(self.path)!r}: {error}",
                path=str(self.path),
            ) from error
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # maps the WAL index
            return conn
        except (sqlite3.Error, UnicodeDecodeError) as error:
            conn.close()
            found = _refusal(error, self.path) or LedgerError(
                "NOT_A_LEDGER",
                f"{str(self.path)!r} is not a ledger database: {_first_line(error)}",
                path=str(self.path),
            )
            if found.code not in ("READ_ONLY", "DISK_FULL", "LEDGER_IO_ERROR"):
                raise found from error
            if not _read_only_location(self.path) and found.code != "DISK_FULL":
                raise found from error
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise LedgerError(
                    found.code,
                    f"the ledger {str(self.path)!r} cannot be read here: its write-ahead log "
                    f"{str(wal)!r} holds changes that SQLite reads only with a shared-memory "
                    f"file beside it, which cannot be made ({_first_line(error)}); read it "
                    "where its directory can be written, or let a writer finish with it first",
                    path=str(self.path),
                ) from error
        return connect(f"{read_uri}&immutable=1", uri=True)

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
                self._conn.execute(SCHEMA_VERSION_DDL)
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
        """One transaction; what the operating system refuses on the way (a full disk, a
        read-only file) is rolled back and said with its own code."""
        try:
            self._conn.execute(begin)
        except (sqlite3.Error, UnicodeDecodeError) as error:
            raise _refusal(error, self.path) or LedgerError(
                "LEDGER_BUSY", f"the ledger is busy or locked: {error}", path=str(self.path)
            ) from error
        try:
            yield
        except BaseException as error:
            self._rollback()
            found = (
                _refusal(error, self.path) or self._schema_error(error)
                if _from_sqlite(error)
                else None
            )
            if found is not None:
                raise found from error
            raise
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            found = _refusal(error, self.path)
            if found is None:
                raise
            raise found from error

    def _rollback(self) -> None:
        """Roll back what is open (SQLite may have rolled back already, e.g. on a full disk)."""
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):  # closing the connection rolls it back all the same
                self._conn.execute("ROLLBACK")

    @contextmanager
    def reading(self) -> Iterator[_SqliteReader]:
        with self._transaction("BEGIN DEFERRED"):
            yield _SqliteReader(self._conn, self.path)

    def _upgraded(self) -> None:
        if self.read_only:
            raise LedgerError(
                "READ_ONLY",
                f"the ledger {str(self.path)!r} was opened for reading only; nothing was written",
                path=str(self.path),
            )
        try:
            self._check_schema_text()
            self._migrate()
        except sqlite3.OperationalError as error:
            raise _damaged("schema", error, self.path) from error

    def _check_schema_text(self) -> None:
        """Before the first write: a table, index or trigger whose stored SQL text differs
        from creditbank's (a changed byte SQLite still parses) is ``CORRUPT_SCHEMA`` — not a
        write that fails half-way, or one that goes ahead with an invariant turned off."""
        if self._schema_checked:
            return
        version = self.schema_version()
        if version >= 1:
            damaged = _differing(stored_schema(self._conn), version)
            if damaged:
                raise _corrupt_schema(
                    self.path, damaged, "its text differs from creditbank's", "written"
                )
        self._schema_checked = True

    def _schema_error(self, error: BaseException) -> LedgerError | None:
        """An SQL error during a command (``no such column`` …) on a ledger whose schema is
        not creditbank's (an object edited, dropped or added) is ``CORRUPT_SCHEMA``; on an
        intact schema it is a bug, and None."""
        if not isinstance(error, sqlite3.OperationalError):
            return None
        try:
            version = self.schema_version()
            problems = schema_problems(stored_schema(self._conn), min(version, SCHEMA_VERSION))
        except (sqlite3.Error, UnicodeDecodeError):
            problems = ["its schema cannot be read"]
        if not problems:
            return None
        return _corrupt_schema(
            self.path, [], f"{'; '.join(problems)} ({_first_line(error)})", "written"
        )

    @contextmanager
    def writing(self) -> Iterator[_SqliteWriter]:
        self._upgraded()
        with self._transaction():
            yield _SqliteWriter(self._conn, self.path)

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
            raise _damaged("subject key", error, self.path) from error
        if len(key) < 16:
            raise _damaged("subject key", ValueError("shorter than 16 bytes"), self.path)
        return key

    def adopt_subject_key(self, key: bytes) -> None:
        """Take another ledger's subject key (see :class:`LedgerStore`)."""
        with self.writing():
            self._conn.execute(
                "INSERT INTO ledger_meta (key, value) SELECT 'subject_key', ? WHERE NOT"
                " EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'subject_key')",
                (key.hex(),),
            )
        if self.subject_key() != key:
            raise LedgerError(
                "LEDGER_NOT_EMPTY",
                f"the ledger {str(self.path)!r} already has its own subject key",
                path=str(self.path),
            )

    def rebuild_projection(self) -> None:
        self._upgraded()
        with self._transaction():
            for table in reversed(PROJECTION_TABLES):
                self._conn.execute(f"DROP TABLE {table}")
            for statement in PROJECTION_DDL:
                self._conn.execute(statement)
            cur = self._conn.cursor()
            for event in _SqliteReader(self._conn, self.path).events():
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
