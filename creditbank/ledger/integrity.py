"""The ledger's own structure: its schema objects and metadata, checked against their text.

The triggers, constraints and indexes of :mod:`creditbank.ledger.schema` hold the ledger's
invariants, and SQLite keeps each one as the SQL text that created it. A changed byte in
that text can turn an invariant off while SQLite still accepts it (``<=`` becomes ``<``, a
table name another table's); a dropped trigger leaves the events open to ``UPDATE``. So
``verify`` compares the stored text of every table, index and trigger, byte for byte, with
the text this creditbank's migrations create for the ledger's schema version
(:func:`expected_schema`), and the ledger's metadata (``ledger_meta``, ``schema_version``)
with what the migrations write (:func:`metadata_problems`).

What this proves, and what it cannot: it catches damage and careless tampering — a trigger
dropped and not put back, edited, or added. It cannot catch someone who can write the file,
rewrites events, and then re-creates every trigger with its exact text: nothing inside a
file proves that the file was not rewritten. Heads exported earlier and kept elsewhere
(``verify --heads``) prove that.

>>> schema = expected_schema(1)
>>> schema[("trigger", "events_no_update")][0]
'events'
>>> schema_problems(schema, 1)
[]
"""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from collections.abc import Mapping
from typing import Any

from creditbank.ledger.schema import LEDGER_FORMAT, MIGRATIONS, SCHEMA_VERSION_DDL

__all__ = [
    "SchemaObjects",
    "expected_schema",
    "metadata_problems",
    "schema_problems",
    "stored_schema",
]

SchemaObjects = Mapping[tuple[str, str], tuple[str, bytes | None]]
"""Schema objects by ``(type, name)``: the table they belong to and their SQL text (bytes,
as stored; None for the indexes SQLite makes for ``UNIQUE`` and ``PRIMARY KEY``)."""

_SQLITE_OWN = frozenset(("table", f"sqlite_stat{n}") for n in range(1, 5))
"""The tables SQLite itself adds (``ANALYZE``: ``sqlite_stat1`` to ``sqlite_stat4``, exactly):
not the ledger's, and harmless. Anything else named so is reported like any added object."""
_META_KEYS = frozenset({"format", "subject_key"})


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _sql(value: Any) -> bytes | None:
    if value is None:
        return None
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def stored_schema(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, bytes | None]]:
    """Every object of the connection's main database, its SQL text as stored (bytes: a
    damaged text need not be UTF-8)."""
    previous = conn.text_factory
    conn.text_factory = bytes
    try:
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM main.sqlite_master").fetchall()
    finally:
        conn.text_factory = previous
    return {
        (_text(kind), _text(name)): (_text(table), _sql(sql)) for kind, name, table, sql in rows
    }


@functools.cache
def expected_schema(version: int) -> SchemaObjects:
    """The objects, with their exact text, that the migrations up to ``version`` create."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(SCHEMA_VERSION_DDL)
        for migration in MIGRATIONS:
            if migration.version <= version:
                for statement in migration.statements:
                    conn.execute(statement)
        return stored_schema(conn)
    finally:
        conn.close()


def schema_problems(found: SchemaObjects, version: int) -> list[str]:
    """How ``found`` differs from the schema of ``version``, one sentence per object."""
    expected = expected_schema(version)
    problems: list[str] = []
    for (kind, name), (table, sql) in sorted(expected.items()):
        if (kind, name) not in found:
            problems.append(f"the {kind} {name!r} of table {table!r} is missing (dropped?)")
        elif found[kind, name] != (table, sql):
            problems.append(
                f"the SQL text of the {kind} {name!r} differs from the one creditbank creates "
                "(edited, or dropped and re-created otherwise?)"
            )
    for kind, name in sorted(set(found) - set(expected)):
        if (kind, name) not in _SQLITE_OWN:
            problems.append(f"the {kind} {name!r} is not one creditbank creates (added?)")
    return problems


def metadata_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """What is wrong with ``ledger_meta`` and ``schema_version``: the ledger's format, its
    subject-digest key (64 hex digits, if drawn yet), and one row per migration applied."""
    problems: list[str] = []
    try:
        meta = conn.execute("SELECT key, value FROM ledger_meta").fetchall()
        versions = conn.execute(
            "SELECT version, description, applied_at FROM schema_version ORDER BY version"
        ).fetchall()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        return [f"the ledger's metadata cannot be read ({error})"]
    values = {_text(key): value for key, value in meta}
    for key in sorted(set(values) - _META_KEYS):
        problems.append(f"the metadata has a key {key!r} that creditbank never writes (added?)")
    if values.get("format") != LEDGER_FORMAT:
        problems.append(f"the metadata's format is {values.get('format')!r}, not {LEDGER_FORMAT!r}")
    secret = values.get("subject_key")
    if secret is not None and not (
        isinstance(secret, str)
        and len(secret) == 64
        and all(c in "0123456789abcdef" for c in secret)
    ):
        problems.append("the metadata's subject-digest key is not 64 hex digits (edited?)")
    numbers = [row[0] for row in versions]
    if numbers != list(range(1, version + 1)):
        problems.append(f"the schema versions recorded are {numbers}, not 1 to {version} (edited?)")
    for number, description, applied_at in versions:
        try:
            ok = isinstance(description, str) and bool(description)
            dt.datetime.fromisoformat(str(applied_at))
        except ValueError:
            ok = False
        if not ok:
            problems.append(f"the record of schema version {number!r} is damaged (edited?)")
    return problems
