"""Where a ledger lives: one parser for every ``--db`` and ``Ledger.open``.

(:func:`creditbank.ledger.backends.open_store` opens the store at a parsed location.)

A ledger's location is one of

* a file path (``bank.db``, ``/srv/bank.db``): an SQLite ledger;
* ``sqlite:///PATH``: the same, as a URL (``sqlite:///bank.db`` is relative to the working
  directory, ``sqlite:////srv/bank.db`` absolute — the usual SQLAlchemy form);
* ``postgresql://USER:PASSWORD@HOST:PORT/DATABASE?OPTIONS`` (or ``postgres://``): a ledger in
  a PostgreSQL database (:mod:`creditbank.ledger.postgres`, needs ``creditbank[postgres]``).

Anything else of the form ``SCHEME://`` is ``BAD_LEDGER_URL``, rather than a file of that
odd name, so that a mistyped URL never creates a stray SQLite file. A password in a URL
(``USER:PASSWORD@`` or a ``password=`` query parameter, both of which libpq reads) is never
printed: :meth:`LedgerLocation.shown` masks it.

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
        """The location as it may be printed: the password of a URL masked (in its user
        part and in a ``password=`` query parameter)."""
        if self.kind == "sqlite":
            return str(self.path)
        return self._rebuilt(mask=True)

    @property
    def password(self) -> str | None:
        """The password the URL carries (percent-decoded, as libpq reads it), or None: a
        ``password=`` query parameter, which libpq takes over the user part's, or else
        the user part's."""
        if self.kind == "sqlite":
            return None
        parts = urlsplit(self.url or "")
        given = [raw for key, raw in _query_items(parts.query) if key == "password"]
        if given:  # the last one, as libpq reads it
            return unquote(given[-1].partition("=")[2])
        return None if parts.password is None else unquote(parts.password)

    def without_password(self) -> str:
        """The location as a ``--db`` text, without the URL's password, in its user part or
        its query (libpq then reads it from ``PGPASSWORD`` or a pgpass file)."""
        if self.kind == "sqlite":
            return str(self.path)
        return self._rebuilt(mask=False)

    def _rebuilt(self, *, mask: bool) -> str:
        """The URL with its passwords masked (``***``) or taken out; unchanged when it
        carries none."""
        url = self.url or ""
        parts = urlsplit(url)
        items = _query_items(parts.query)
        if parts.password is None and all(key != "password" for key, _ in items):
            return url
        netloc = parts.netloc
        if parts.password is not None:
            user = parts.username or ""
            host = netloc.rsplit("@", 1)[1]
            netloc = f"{user}:***@{host}" if mask else (f"{user}@{host}" if user else host)
        query = "&".join(
            f"{raw.split('=', 1)[0]}=***" if key == "password" else raw
            for key, raw in items
            if mask or key != "password"
        )
        return urlunsplit(parts._replace(netloc=netloc, query=query))

    def __str__(self) -> str:
        return self.shown()


def _query_items(query: str) -> list[tuple[str, str]]:
    """The items of a URL's query, each as (its key, decoded; the item as written)."""
    return [(unquote(raw.partition("=")[0]), raw) for raw in query.split("&") if raw]


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
