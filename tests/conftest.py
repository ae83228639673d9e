"""Fixtures for every folder of ``tests/``.

* ``standards``: the bundled standards, loaded once (over the project's own plugin fixture
  ``creditbank_standards``);
* ``no_network``: every connection raises and ``CREDITBANK_STANDARDS`` is unset;
* ``ledger_backend`` (with ``postgres_server``): the same ledger test runs on SQLite and on
  PostgreSQL. Its ``new()`` gives the location of a new, empty ledger (a file in the test's
  directory, or a fresh database on the session's throwaway PostgreSQL server,
  :mod:`tests.pg_server`). Without a server the PostgreSQL half skips, saying how to enable
  it, except with ``CI`` set, where it fails. These stay here rather than in
  ``tests/ledger/conftest.py`` because ``tests/cli/test_ledger.py`` runs on both backends too.

Constants (the project's root, the case folders) are in ``tests/paths.py``; the bundled
standards for import-time use in ``tests/bundled.py``. The real-browser fixtures
(``chromium``, ``browser_page``, ``cjk_font``, ``artifacts``) are in ``tests/browser.py``,
registered here for every folder.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, cast

import psycopg
import pytest

from creditbank.models import Standards
from tests.network import block_network
from tests.pg_server import PostgresServer, running_server

pytest_plugins = ["tests.browser"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, stopped at its end."""
    try:
        context = running_server()
        server = context.__enter__()
    except RuntimeError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI: the PostgreSQL tests need a server: {error}")
        pytest.skip(f"PostgreSQL tests skipped: {error}")
    try:
        yield server
    finally:
        context.__exit__(None, None, None)


@dataclass
class LedgerBackend:
    """Where a test's ledgers go: ``name`` is ``sqlite`` or ``postgresql``."""

    name: str
    directory: Path
    server: PostgresServer | None = None
    made: list[str] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def new(self, label: str = "bank") -> str:
        """The location of a new, empty ledger (not yet initialised)."""
        if self.server is None:
            path = str(self.directory / f"{label}-{next(self._numbers)}.db")
            self.made.append(path)
            return path
        url = self.server.new_database()
        self.made.append(url)
        return url

    def clone(self, source: str, label: str = "copy") -> str:
        """A new ledger holding a copy of the one at ``source`` (which must be closed)."""
        if self.server is None:
            path = str(self.directory / f"{label}-{next(self._numbers)}.db")
            shutil.copyfile(source, path)
            self.made.append(path)
            return path
        url = self.server.new_database(template=source)
        self.made.append(url)
        return url

    def copy_of(self, request: pytest.FixtureRequest, sqlite: str, postgresql: str) -> str:
        """A new copy of the ledger a module-scoped fixture made once on this backend (the
        fixture named ``sqlite`` or ``postgresql``)."""
        made = request.getfixturevalue(sqlite if self.server is None else postgresql)
        return self.clone(str(made))

    def contents(self, location: str) -> object:
        """What the ledger holds, to compare: the file's bytes, or every table's rows."""
        if self.server is None:
            return Path(location).read_bytes()
        return self.server.contents(location)

    def raw(self, location: str) -> AbstractContextManager[RawSql]:
        """A connection straight to the database, past creditbank (as its owner)."""
        return _raw_connection(location, self.server is not None)

    def discard(self, location: str) -> None:
        """Remove a ledger made by :meth:`new` (its file, or its database)."""
        if self.server is None:
            for suffix in ("", "-wal", "-shm"):
                Path(location + suffix).unlink(missing_ok=True)
        else:
            self.server.drop_database(location)
        self.made.remove(location)

    def cleanup(self) -> None:
        if self.server is not None:
            for url in self.made:
                self.server.drop_database(url)


class RawSql(Protocol):
    """A connection to a ledger's database, creditbank bypassed."""

    def execute(self, sql: str, /) -> object: ...


@contextmanager
def _raw_connection(location: str, postgres: bool) -> Iterator[RawSql]:
    if postgres:
        with psycopg.connect(location, autocommit=True) as conn:
            yield cast(RawSql, conn)
        return
    conn = sqlite3.connect(location, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        yield conn
    finally:
        conn.close()


REFUSED_BY_STORE: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
"""What each backend's database raises when its constraints or triggers refuse a change."""


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerBackend]:
    """Each ledger backend in turn (see the module)."""
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    backend = LedgerBackend(request.param, tmp_path, server)
    try:
        yield backend
    finally:
        backend.cleanup()


@pytest.fixture(scope="session")
def standards(creditbank_standards: Standards) -> Standards:
    """The bundled standards, loaded once for the session (the plugin's fixture)."""
    return creditbank_standards


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection and URL fetch raises, and ``CREDITBANK_STANDARDS`` is unset (so the
    CLI uses the bundled standards). Interop tests use it: ``pytestmark =
    pytest.mark.usefixtures("no_network")``."""
    block_network(monkeypatch)
    monkeypatch.delenv("CREDITBANK_STANDARDS", raising=False)
