"""Open the ledger store at a location: the SQLite store, or the PostgreSQL one.

The one place that picks a backend (:mod:`creditbank.ledger.location` parses the location,
``Ledger.open`` and the CLI's ``--db`` come here). psycopg is an optional dependency
(``creditbank[postgres]``), so the PostgreSQL store is imported only when a
``postgresql://`` ledger is opened; without psycopg that is ``BACKEND_MISSING``.
"""

from __future__ import annotations

from pathlib import Path

from creditbank.errors import LedgerError
from creditbank.ledger.location import LedgerLocation, parse_location
from creditbank.ledger.sqlite import SqliteStore, Synchronous
from creditbank.ledger.store import LedgerStore

__all__ = ["open_store"]


def open_store(
    where: str | Path | LedgerLocation,
    *,
    create: bool = False,
    read_only: bool = False,
    timeout: float = 30.0,
    synchronous: Synchronous = "FULL",
) -> LedgerStore:
    """Open the ledger store at ``where`` (``create``: make its schema if missing)."""
    location = parse_location(where)
    if location.kind == "sqlite":
        assert location.path is not None
        return SqliteStore(
            location.path,
            create=create,
            read_only=read_only,
            timeout=timeout,
            synchronous=synchronous,
        )
    try:
        from creditbank.ledger.postgres import PostgresStore  # noqa: PLC0415 (psycopg is optional)
    except ImportError as error:  # psycopg is an optional dependency
        raise LedgerError(
            "BACKEND_MISSING",
            f"the ledger {location.shown()!r} is on PostgreSQL, which needs psycopg: "
            f"pip install 'creditbank[postgres]' ({error})",
            path=location.shown(),
        ) from None
    assert location.url is not None
    return PostgresStore(location.url, create=create, read_only=read_only, timeout=timeout)
