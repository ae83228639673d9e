"""The PostgreSQL schema of a ledger: the SQLite schema's tables, and its invariants as triggers.

The tables, columns, keys, checks, unique indexes and invariant triggers are those of
:mod:`creditbank.ledger.schema` — the tables and unique indexes are SQLite's own
statements translated (:func:`_dialect`), so the two schemas cannot drift apart — in
PostgreSQL's dialect (``BIGINT`` positions, ``TEXT``
bodies kept byte for byte — not ``jsonb``, which would reorder keys and break the hash —
an identity column for ``entries``, and amounts in hundredths as ``NUMERIC`` checked to be
whole: a ``BIGINT`` column would round 1.5 silently where SQLite's ``STRICT`` refuses it),
so the projection SQL of :mod:`creditbank.ledger.projection` runs unchanged on both. Each
``WHEN … RAISE(ABORT)`` trigger of SQLite is a PL/pgSQL function with the same condition
(``IS NOT`` written ``IS DISTINCT FROM``).

The database itself keeps the events append-only: row triggers refuse ``UPDATE`` and
``DELETE`` and a statement trigger refuses ``TRUNCATE`` (which fires no row trigger) of the
events, the ledger's metadata and an application's achievements; a chain trigger refuses an
event that does not follow its account's last one, and keeps the chain heads. Only a
superuser (or the tables' owner) can turn a trigger off (``ALTER TABLE … DISABLE TRIGGER``,
``session_replication_role = replica``); ``verify`` then still finds the edited event by its
hash, and reports the disabled trigger
(:func:`creditbank.ledger.postgres.structure_problems`).

Every refusal is raised with SQLSTATE ``23000`` (integrity constraint violation), so the
store reports it as ``STORE_REFUSED`` like a failed constraint.

Versions: PostgreSQL ledgers were first made at the SQLite schema's version 6
(:data:`PG_BASE_VERSION`, :data:`PG_DDL` and :data:`PG_PROJECTION_DDL` in one step); each
later SQLite migration has a translation in :data:`PG_UPGRADES` (7: the API tokens). A new
ledger is made at the base version and upgraded at once, in the same transaction; an older
one is upgraded by its first write (never by a read), and records one ``schema_version``
row per version from the base on. :func:`objects_after` says which tables, triggers
and functions a ledger of a given version has, for ``verify``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from creditbank.ledger.schema import (
    EVENTS_DDL,
    INVARIANT_MESSAGES,
    MIGRATIONS,
    PROJECTION_DDL,
    PROJECTION_TABLES,
    SCHEMA_VERSION,
    SCHEMA_VERSION_DDL,
    TOKENS_DDL,
    Migration,
)

__all__ = [
    "EXPECTED_FUNCTIONS",
    "EXPECTED_INDEXES",
    "EXPECTED_TRIGGERS",
    "LEDGER_TABLES",
    "PG_BASE_VERSION",
    "PG_DDL",
    "PG_PROJECTION_DDL",
    "PG_SCHEMA_VERSION",
    "PG_UPGRADES",
    "LaterObjects",
    "objects_after",
]

PG_SCHEMA_VERSION = SCHEMA_VERSION
"""A PostgreSQL ledger is upgraded to the SQLite schema's latest version."""
PG_BASE_VERSION = 6
"""The version PostgreSQL ledgers were first made at (:data:`PG_DDL`, :data:`PG_PROJECTION_DDL`)."""

_REFUSE = """CREATE FUNCTION creditbank_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END
$$"""

_CHAIN = """CREATE FUNCTION creditbank_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq BIGINT;
    last_position BIGINT;
    last_hash TEXT;
BEGIN
    SELECT COALESCE(MAX(seq), 0) INTO last_seq FROM events;
    SELECT account_seq, hash INTO last_position, last_hash FROM events
    WHERE account = NEW.account ORDER BY account_seq DESC LIMIT 1;
    IF NEW.seq <= last_seq
       OR NEW.account_seq <> COALESCE(last_position, 0) + 1
       OR NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'chain: an event must follow the last event of its account'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$"""

_HEAD = """CREATE FUNCTION creditbank_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO heads (account, account_seq, seq, hash)
    VALUES (NEW.account, NEW.account_seq, NEW.seq, NEW.hash)
    ON CONFLICT (account) DO UPDATE
    SET account_seq = excluded.account_seq, seq = excluded.seq, hash = excluded.hash;
    RETURN NULL;
END
$$"""

EXPECTED_FUNCTIONS: dict[str, str] = {
    "creditbank_refuse": _REFUSE,
    "creditbank_chain": _CHAIN,
    "creditbank_head": _HEAD,
}
"""The trigger functions, by name, with the text that creates them (``verify`` compares
the body PostgreSQL keeps, ``pg_proc.prosrc``, with the text between the ``$$``)."""

EXPECTED_TRIGGERS: dict[str, set[str]] = {}
"""The triggers of each table (``verify`` reports one missing, disabled or added)."""


def _refuse(table: str, name: str, when: str, message: str, *, row: bool = True) -> str:
    EXPECTED_TRIGGERS.setdefault(table, set()).add(name)
    quoted = message.replace("'", "''")
    each = "ROW" if row else "STATEMENT"
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH {each}"
        f" EXECUTE FUNCTION creditbank_refuse('{quoted}')"
    )


def _never(table: str, what: str) -> tuple[str, ...]:
    return (
        _refuse(table, f"{table}_no_update", "UPDATE", f"append-only: {what} cannot be changed"),
        *_no_delete(table, what, "append-only: {what} cannot be deleted"),
    )


def _no_delete(
    table: str, what: str, message: str = "invariant: {what} are never deleted"
) -> tuple[str, ...]:
    text = message.format(what=what)
    return (
        _refuse(table, f"{table}_no_delete", "DELETE", text),
        _refuse(table, f"{table}_no_truncate", "TRUNCATE", text, row=False),
    )


def _trigger(table: str, name: str, sql: str) -> str:
    EXPECTED_TRIGGERS.setdefault(table, set()).add(name)
    return sql


def _guard(table: str, name: str, when: str, condition: str, message: str) -> tuple[str, str]:
    """A trigger function refusing the row when ``condition`` holds (the SQLite schema's
    ``WHEN … RAISE(ABORT)`` triggers), and its trigger; ``when`` is ``INSERT`` or
    ``UPDATE``. ``OR REPLACE``: a rebuild of the projection drops the tables and their
    triggers, not the functions, and makes them again."""
    quoted = message.replace("'", "''")
    function = (
        f"CREATE OR REPLACE FUNCTION creditbank_{name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n    IF {condition} THEN\n"
        f"        RAISE EXCEPTION '{quoted}' USING ERRCODE = 'integrity_constraint_violation';\n"
        "    END IF;\n    RETURN NEW;\nEND\n$$"
    )
    EXPECTED_FUNCTIONS[f"creditbank_{name}"] = function
    trigger = _trigger(
        table,
        name,
        f"CREATE TRIGGER {name} BEFORE {when} ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION creditbank_{name}()",
    )
    return function, trigger


# the same conditions refuse with the same words as SQLite's triggers
_STAYS = INVARIANT_MESSAGES["stays"]
_WORKFLOW = INVARIANT_MESSAGES["workflow"]
_CLAIM = INVARIANT_MESSAGES["claim"]
_LINE = INVARIANT_MESSAGES["line"]
_ONCE = INVARIANT_MESSAGES["once"]
_ACTIVE_APPLICATION = (
    "(SELECT state FROM applications a WHERE a.account = NEW.account"
    " AND a.application = NEW.application)"
)
_PROGRAM = (
    "(SELECT program FROM applications a WHERE a.account = NEW.account"
    " AND a.application = NEW.application)"
)
_STATUS = (
    "(SELECT status FROM achievements h WHERE h.account = NEW.account"
    " AND h.achievement = NEW.achievement)"
)


def _dialect(sql: str) -> str:
    """One of SQLite's ``CREATE TABLE`` or ``CREATE INDEX`` statements in PostgreSQL's words."""
    sql = sql.replace(") STRICT", ")").replace(
        "entry INTEGER PRIMARY KEY", "entry BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    )
    sql = re.sub(
        r"(\w+_cents) INTEGER NOT NULL", r"\1 NUMERIC NOT NULL CHECK (\1 = trunc(\1))", sql
    )
    sql = re.sub(r"\bINTEGER\b", "BIGINT", sql)
    return re.sub(r"json_valid\((\w+)\)", r"\1::jsonb IS NOT NULL", sql)


_NAME = re.compile(r"CREATE (?:UNIQUE )?(?:TABLE|INDEX) (?:IF NOT EXISTS )?(\w+)")
_SQLITE_OBJECTS = {
    found.group(1): statement.replace(" IF NOT EXISTS", "")
    for statement in (SCHEMA_VERSION_DDL, *EVENTS_DDL, *PROJECTION_DDL, *TOKENS_DDL)
    if (found := _NAME.match(statement)) is not None
}


def _table(name: str) -> str:
    """The SQLite schema's table (or unique index) ``name``, in PostgreSQL's dialect: the
    same columns, keys and checks, so that the two schemas cannot drift apart."""
    return _dialect(_SQLITE_OBJECTS[name])


def _changed(*columns: str) -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)


PG_DDL: tuple[str, ...] = (
    _REFUSE,
    _CHAIN,
    _HEAD,
    _table("schema_version"),
    _table("ledger_meta"),
    *_never("ledger_meta", "the ledger's metadata"),
    _table("events"),
    "CREATE UNIQUE INDEX events_command_key ON events (command_key, command_index)",
    "CREATE INDEX events_credential ON events"
    " ((body::jsonb #>> '{payload,credential_check,credential}'))"
    " WHERE type = 'achievement_deposited'",
    *_never("events", "events"),
    _trigger(
        "events",
        "events_chain",
        "CREATE TRIGGER events_chain BEFORE INSERT ON events"
        " FOR EACH ROW EXECUTE FUNCTION creditbank_chain()",
    ),
    _table("heads"),
    _trigger(
        "events",
        "events_head",
        "CREATE TRIGGER events_head AFTER INSERT ON events"
        " FOR EACH ROW EXECUTE FUNCTION creditbank_head()",
    ),
    *_no_delete("heads", "chain heads"),
)
"""The events, their chain heads and the ledger's metadata."""

PG_PROJECTION_DDL: tuple[str, ...] = (
    _table("accounts"),
    *_no_delete("accounts", "accounts"),
    _table("achievements"),
    *_guard(
        "achievements",
        "achievements_insert",
        "INSERT",
        "NEW.status <> 'active'",
        "invariant: an achievement is deposited active",
    ),
    *_guard(
        "achievements",
        "achievements_status",
        "UPDATE",
        "OLD.status <> 'active' OR NEW.status = 'active' OR "
        + _changed(
            "account",
            "achievement",
            "unit",
            "level",
            "issuer",
            "earned_on",
            "expires_on",
            "verification",
            "evidence",
            "deposited_seq",
        ),
        _STAYS,
    ),
    *_no_delete("achievements", "achievements"),
    _table("applications"),
    *_guard(
        "applications",
        "applications_insert",
        "INSERT",
        "NEW.state <> 'applied' OR NEW.reviewed_by IS NOT NULL",
        "invariant: an application starts as applied",
    ),
    *_guard(
        "applications",
        "applications_workflow",
        "UPDATE",
        "(OLD.state || '>' || NEW.state) NOT IN ('applied>reviewed', 'applied>rejected',"
        " 'reviewed>approved', 'reviewed>rejected', 'approved>posted', 'posted>superseded') OR "
        + _changed(
            "account",
            "application",
            "program",
            "school",
            "as_of",
            "evaluation",
            "standards_fingerprint",
            "recognised_cents",
            "applied_seq",
        )
        + " OR (NEW.reviewed_by IS DISTINCT FROM OLD.reviewed_by AND NEW.state <> 'reviewed')",
        _WORKFLOW,
    ),
    *_no_delete("applications", "applications"),
    _table("application_achievements"),
    *_guard(
        "application_achievements",
        "application_achievements_active",
        "INSERT",
        f"{_STATUS} IS DISTINCT FROM 'active' OR {_ACTIVE_APPLICATION} IS DISTINCT FROM 'applied'",
        "invariant: a revoked or expired achievement cannot be applied",
    ),
    *_never("application_achievements", "an application's achievements"),
    _table("allocation_lines"),
    *_guard(
        "allocation_lines",
        "allocation_lines_insert",
        "INSERT",
        f"{_ACTIVE_APPLICATION} NOT IN ('applied', 'reviewed') OR NEW.denied_seq IS NOT NULL",
        "invariant: lines are proposed only before approval",
    ),
    *_guard(
        "allocation_lines",
        "allocation_lines_deny",
        "UPDATE",
        f"{_ACTIVE_APPLICATION} NOT IN ('applied', 'reviewed')"
        " OR OLD.denied_seq IS NOT NULL OR NEW.denied_seq IS NULL OR "
        + _changed(
            "account",
            "application",
            "line",
            "source",
            "rule",
            "requirement",
            "course",
            "kind",
            "credits_cents",
            "recorded_grade",
            "added_seq",
        ),
        "invariant: a line can only be denied, once, before approval",
    ),
    *_no_delete("allocation_lines", "allocation lines"),
    _table("line_achievements"),
    *_never("line_achievements", "a line's achievements"),
    _table("claims"),
    _table("claims_once_per_program"),
    *_guard(
        "claims",
        "claims_insert",
        "INSERT",
        f"{_ACTIVE_APPLICATION} IS DISTINCT FROM 'approved'"
        f" OR {_PROGRAM} IS DISTINCT FROM NEW.program"
        f" OR {_STATUS} IS DISTINCT FROM 'active' OR NEW.released_seq IS NOT NULL",
        _CLAIM,
    ),
    *_guard(
        "claims",
        "claims_release",
        "UPDATE",
        "OLD.released_seq IS NOT NULL OR NEW.released_seq IS NULL OR "
        + _changed("account", "program", "achievement", "application", "claimed_seq"),
        "invariant: a claim can only be released, once",
    ),
    *_no_delete("claims", "claims"),
    _table("entries"),
    _table("entries_post_once"),
    *_guard(
        "entries",
        "entries_post_approved",
        "INSERT",
        f"NEW.kind = 'post' AND ({_ACTIVE_APPLICATION} IS DISTINCT FROM 'approved'"
        f" OR {_PROGRAM} IS DISTINCT FROM NEW.program)",
        "invariant: nothing is posted without an approved application",
    ),
    *_guard(
        "entries",
        "entries_post_line",
        "INSERT",
        """NEW.kind = 'post' AND NOT EXISTS (
        SELECT 1 FROM allocation_lines l
        WHERE l.account = NEW.account AND l.application = NEW.application
          AND l.line = NEW.line AND l.denied_seq IS NULL
          AND l.credits_cents = NEW.amount_cents)""",
        _LINE,
    ),
    *_guard(
        "entries",
        "entries_post_claimed",
        "INSERT",
        """NEW.kind = 'post' AND EXISTS (
        SELECT 1 FROM line_achievements la
        WHERE la.account = NEW.account AND la.application = NEW.application
          AND la.line = NEW.line AND NOT EXISTS (
            SELECT 1 FROM claims c
            WHERE c.account = la.account AND c.program = NEW.program
              AND c.achievement = la.achievement AND c.application = NEW.application
              AND c.released_seq IS NULL))""",
        _ONCE,
    ),
    *_guard(
        "entries",
        "entries_reversal",
        "INSERT",
        """NEW.kind = 'reversal' AND NOT EXISTS (
        SELECT 1 FROM entries e
        WHERE e.entry = NEW.reverses AND e.kind = 'post' AND e.account = NEW.account
          AND e.program = NEW.program AND e.application = NEW.application
          AND e.line = NEW.line AND e.amount_cents = -NEW.amount_cents)""",
        "invariant: a reversal compensates one posting, exactly",
    ),
    *_never("entries", "ledger entries"),
)
"""The cached projection (dropped and made again by a rebuild)."""

PG_TOKENS_DDL: tuple[str, ...] = (
    _table("api_tokens"),
    *_guard(
        "api_tokens",
        "api_tokens_revoke",
        "UPDATE",
        "OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL OR "
        + _changed(
            "token_id", "secret_hash", "name", "role", "learner", "organisation", "created_at"
        ),
        INVARIANT_MESSAGES["revoke_once"],
    ),
    *_no_delete("api_tokens", "API tokens"),
)
"""The API tokens (SQLite's migration 7)."""


def _upgrade(version: int, statements: tuple[str, ...]) -> Migration:
    """SQLite's migration ``version`` (its description), in PostgreSQL's ``statements``."""
    (sqlite,) = (m for m in MIGRATIONS if m.version == version)
    return Migration(version, sqlite.description, statements)


PG_UPGRADES: tuple[Migration, ...] = (_upgrade(7, PG_TOKENS_DDL), _upgrade(8, ()))
"""The migrations after :data:`PG_BASE_VERSION`, in order, up to :data:`PG_SCHEMA_VERSION`."""
assert [m.version for m in PG_UPGRADES] == list(range(PG_BASE_VERSION + 1, SCHEMA_VERSION + 1))

EXPECTED_INDEXES: tuple[str, ...] = tuple(
    found.group(1)
    for statement in (*PG_DDL, *PG_PROJECTION_DDL, *(s for m in PG_UPGRADES for s in m.statements))
    if (found := re.match(r"CREATE (?:UNIQUE )?INDEX (\w+)", statement)) is not None
)
"""The indexes made by name (the unique ones hold invariants: one key per command, one live
claim per programme, one posting per line); ``verify`` reports one dropped."""

LEDGER_TABLES: tuple[str, ...] = (
    "schema_version",
    "ledger_meta",
    "events",
    "heads",
    *PROJECTION_TABLES,
    "api_tokens",
)
"""Every table of a PostgreSQL ledger (at the latest version)."""


@dataclass(frozen=True)
class LaterObjects:
    """The objects later upgrades make: what a ledger of an older version lacks."""

    tables: frozenset[str]
    functions: frozenset[str]
    indexes: frozenset[str]


def objects_after(version: int) -> LaterObjects:
    """The tables, trigger functions and indexes that the upgrades after ``version`` make
    (a ledger of ``version`` has none of them; the triggers go with their tables)."""
    later = [s for m in PG_UPGRADES if m.version > version for s in m.statements]

    def named(pattern: str) -> frozenset[str]:
        return frozenset(
            found.group(1) for s in later if (found := re.match(pattern, s)) is not None
        )

    return LaterObjects(
        named(r"CREATE TABLE (\w+)"),
        named(r"CREATE (?:OR REPLACE )?FUNCTION (\w+)"),
        named(r"CREATE (?:UNIQUE )?INDEX (\w+)"),
    )
