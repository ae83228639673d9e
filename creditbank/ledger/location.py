"""Where a ledger lives: one parser for every ``--db`` and ``Ledger.open``.

(:func:`creditbank.ledger.backends.open_store` opens the store at a parsed location.)

A ledger's location is one of

* a file path (``bank.db``, ``/srv/bank.db``): an SQLite ledger;
* ``sqlite:///PATH``: the same, as a URL (``sqlite:///bank.db`` is relative to the working
  directory, ``sqlite:////srv/bank.db`` absolute — the usual SQLAlchemy form);
* ``postgresql://USER:PASSWORD@HOST:PORT/DATABASE?OPTIONS`` (or ``postgres://``): a ledger in
  a PostgreSQL database (:mod:`creditbank.ledger.postgres`, needs ``creditbank[postgres]``).

Anything else of the form ``SCHEME://`` is ``BAD_LEDGER_URL``, rather than a file of that
odd name, so that a mistyped URL never creates a stray SQLite file. A password in a URL is
never printed: :meth:`LedgerLocation.shown` masks it.

>>> parse_location("sqlite:///bank.db").path
PosixPath('bank.db')
>>> parse_location("postgresql://bank:secret@db.internal/credit").shown()
'postgresql://bank:***@db.internal/credit'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from creditbank.errors import LedgerError

__all__ = ["LedgerLocation", "parse_location"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_POSTGRES = ("postgresql", "postgres")


@dataclass(frozen=True)
class LedgerLocation:
    """A parsed ledger location: an SQLite file, or a PostgreSQL connection URL."""

    kind: Literal["sqlite", "postgresql"]
    path: Path | None = None
    url: str | None = None

    def shown(self) -> str:
        """The location as it may be printed: the password of a URL masked."""
        if self.kind == "sqlite":
            return str(self.path)
        parts = urlsplit(self.url or "")
        if parts.password is None:
            return self.url or ""
        user = parts.username or ""
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))

    @property
    def password(self) -> str | None:
        """The password the URL carries (percent-decoded, as libpq reads it), or None."""
        if self.kind == "sqlite":
            return None
        password = urlsplit(self.url or "").password
        return None if password is None else unquote(password)

    def without_password(self) -> str:
        """The location as a ``--db`` text, without the URL's password (libpq then reads
        it from ``PGPASSWORD`` or a pgpass file)."""
        if self.kind == "sqlite":
            return str(self.path)
        parts = urlsplit(self.url or "")
        if parts.password is None:
            return self.url or ""
        user = parts.username or ""
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))

    def __str__(self) -> str:
        return self.shown()


def parse_location(where: str | Path | LedgerLocation) -> LedgerLocation:
    """Parse a file path, ``sqlite:///PATH`` or ``postgresql://...`` (see the module)."""
    if isinstance(where, LedgerLocation):
        return where
    if isinstance(where, Path):
        return LedgerLocation("sqlite", path=where)
    found = _SCHEME.match(where)
    if found is None:
        if not where:
            raise LedgerError("BAD_LEDGER_URL", "the ledger location is empty", path=where)
        return LedgerLocation("sqlite", path=Path(where))
    scheme = found.group(1).lower()
    if scheme in _POSTGRES:
        parts = urlsplit(where)
        if not parts.path.strip("/") and "dbname=" not in parts.query:
            raise LedgerError(
                "BAD_LEDGER_URL",
                f"the PostgreSQL URL {LedgerLocation('postgresql', url=where).shown()!r} names "
                "no database: give postgresql://USER@HOST:PORT/DATABASE",
                path=where,
            )
        return LedgerLocation("postgresql", url=where)
    if scheme == "sqlite":
        rest = where[found.end() :]
        if not rest.startswith("/") or rest == "/":
            raise LedgerError(
                "BAD_LEDGER_URL",
                f"{where!r}: an SQLite URL is sqlite:///PATH (three slashes, then the path; "
                "sqlite:////srv/bank.db for an absolute one)",
                path=where,
            )
        return LedgerLocation("sqlite", path=Path(rest[1:]))
    raise LedgerError(
        "BAD_LEDGER_URL",
        f"{LedgerLocation('postgresql', url=where).shown()!r}: a ledger is a file path, "
        f"sqlite:///PATH or postgresql://..., not a {scheme}:// URL",
        path=where,
    )
