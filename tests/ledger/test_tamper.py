"""Tamper evidence: any changed byte, deleted, inserted or reordered event is caught.

The exhaustive test changes every byte of every stored event (its body and the columns
stored beside it) and checks that the chain check of that event fails. The other tests
tamper with a real ledger file — through SQL with the append-only triggers dropped, or by
flipping bytes in the file itself — and check that ``verify`` names the first bad event.
The tampering a database owner can do on either backend (the append-only triggers turned
off, then events edited or deleted) is tested on both (the ``ledger_backend`` fixture).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from creditbank.ledger import Ledger
from creditbank.ledger.chain import (
    GENESIS,
    ChainHeads,
    StoredRow,
    canonical_json,
    check_row,
    event_hash,
)
from creditbank.ledger.integrity import expected_schema, stored_schema
from creditbank.ledger.schema import SCHEMA_VERSION
from creditbank.testing.ledger import (
    MENU,
    OPERATOR,
    PROGRAMS,
    REGISTRAR,
    REVIEWER,
    fixed_clock,
    issuer_of,
    learner,
)
from tests.bundled import bundled_standards
from tests.conftest import REFUSED_BY_STORE, LedgerBackend
from tests.pg_server import PostgresServer

STANDARDS = bundled_standards()
ACCOUNTS = ("w-1", "w-2", "w-3")


def _populate(path: str | Path) -> None:
    with Ledger.open(path, STANDARDS, create=True, clock=fixed_clock) as ledger:
        for number, account in enumerate(ACCOUNTS):
            ledger.open_account(account, actor=learner(account), key=f"{account}:open")
            names = sorted(MENU)[number : number + 3]
            for name in names:
                achievement = MENU[name]
                ledger.deposit(
                    account, achievement, actor=issuer_of(achievement), key=f"{account}:d-{name}"
                )
            app = ledger.apply(
                account,
                PROGRAMS[0],
                actor=OPERATOR,  # dated: a historical application
                key=f"{account}:a",
                as_of=dt.date(2025, 1, 1),
            ).application
            assert app
            ledger.review(account, app, actor=REVIEWER, key=f"{account}:r")
            ledger.approve(account, app, actor=REGISTRAR, key=f"{account}:p", reason="同意")
            ledger.revoke(account, names[0], actor=OPERATOR, key=f"{account}:x", reason="撤销")


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tamper") / "bank.db"
    _populate(path)
    with Ledger.open(path) as ledger:
        assert ledger.verify().ok
    return path


@pytest.fixture
def copy(original: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copyfile(original, path)
    return path


def _rows(path: Path) -> list[StoredRow]:
    with Ledger.open(path) as ledger, ledger.store.reading() as reader:
        return reader.rows()


def _chains(rows: list[StoredRow]) -> Iterator[tuple[StoredRow, int, str, int]]:
    """Every row with its position, its predecessor's hash and its predecessor's seq."""
    by_account: dict[str, list[StoredRow]] = {}
    for row in rows:
        by_account.setdefault(row.account, []).append(row)
    for members in by_account.values():
        prev, last = GENESIS, 0
        for position, row in enumerate(sorted(members, key=lambda r: r.account_seq), start=1):
            yield row, position, prev, last
            prev, last = row.hash, row.seq


def _flip(text: str, index: int) -> str | bytes:
    raw = bytearray(text.encode("utf-8"))
    raw[index] ^= 0x01
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return bytes(raw)


def test_every_byte_of_every_event_is_covered(original: Path) -> None:
    rows = _rows(original)
    assert len(rows) >= 30
    checked = 0
    for row, position, prev, last in _chains(rows):
        assert check_row(row, position, prev, last) is None
        for column in ("body", "hash", "prev_hash", "type", "command_key", "command_hash"):
            value = getattr(row, column)
            for index in range(len(value.encode("utf-8"))):
                bad = replace(row, **{column: _flip(value, index)})
                assert check_row(bad, position, prev, last) is not None, (column, index)
                checked += 1
        for column in ("seq", "account_seq", "command_index", "command_size"):
            bad = replace(row, **{column: getattr(row, column) + 1})
            assert check_row(bad, position, prev, last) is not None, column
        bad = replace(row, account=row.account + "x")
        assert check_row(bad, position, prev, last) is not None
    assert checked > 30_000


def _tamper(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute("DROP TRIGGER events_chain")
        for sql, params in statements:
            conn.execute(sql, params)
    finally:
        conn.close()


def _put_back_triggers(path: Path) -> None:
    """Re-create every dropped trigger with its exact text, as a careful forger would."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        found = stored_schema(conn)
        for (kind, name), (_, sql) in expected_schema(SCHEMA_VERSION).items():
            if kind == "trigger" and (kind, name) not in found:
                assert sql is not None
                conn.execute(sql.decode("utf-8"))
    finally:
        conn.close()


def _verify(path: Path, anchors: ChainHeads | None = None) -> tuple[bool, int | None, str]:
    with Ledger.open(path) as ledger:
        report = ledger.verify(anchors)
    bad = report.first_bad
    return report.ok, bad.seq if bad else None, str(bad) if bad else report.projection


def test_changed_bytes_in_the_database_are_caught(original: Path, tmp_path: Path) -> None:
    rows = _rows(original)
    rng = random.Random(11)
    for trial in range(40):
        row = rng.choice(rows)
        index = rng.randrange(len(row.body.encode("utf-8")))
        changed = _flip(row.body, index)
        path = tmp_path / f"t{trial}.db"
        shutil.copyfile(original, path)
        sql = "UPDATE events SET body = CAST(? AS TEXT) WHERE seq = ?"
        _tamper(path, (sql, (changed, row.seq)))
        ok, seq, why = _verify(path)
        assert not ok and seq == row.seq, (trial, why)


def test_changed_bytes_in_the_file_are_caught(original: Path, tmp_path: Path) -> None:
    data = original.read_bytes()
    rows = _rows(original)
    rng = random.Random(3)
    caught = 0
    for trial, row in enumerate(rng.sample(rows, 12)):
        body = row.body.encode("utf-8")
        for _ in range(100):  # a stretch of the body found once in the file
            start = rng.randrange(0, max(1, len(body) - 64))
            needle = body[start : start + 64]
            where = data.find(needle)
            if where >= 0 and data.find(needle, where + 1) < 0:
                break
        else:
            raise AssertionError(f"no unique stretch of event {row.seq} in the file")
        damaged = bytearray(data)
        damaged[where + 30] ^= 0x04
        path = tmp_path / f"f{trial}.db"
        path.write_bytes(bytes(damaged))
        ok, seq, why = _verify(path)
        assert not ok, why
        caught += seq == row.seq
    assert caught == 12


@pytest.mark.parametrize("account", ACCOUNTS)
def test_deleting_any_event_is_caught(original: Path, tmp_path: Path, account: str) -> None:
    rows = [r for r in _rows(original) if r.account == account]
    for row in rows:
        path = tmp_path / f"d{row.seq}.db"
        shutil.copyfile(original, path)
        _tamper(path, ("DELETE FROM events WHERE seq = ?", (row.seq,)))
        ok, seq, why = _verify(path)
        assert not ok, why
        if row is not rows[-1]:
            assert seq == row.seq + 1 and "missing" in why, why
        else:  # the last event: the chain heads, or its half-deleted command, say so
            assert "chain head" in why or "incomplete" in why, why


def test_truncation_with_rewritten_heads_is_caught_by_exported_heads(copy: Path) -> None:
    with Ledger.open(copy, clock=fixed_clock) as ledger:
        anchors = ledger.export_heads()
    rows = [r for r in _rows(copy) if r.account == "w-2"]
    last = rows[-1]
    assert last.command_key == rows[-2].command_key  # the revocation wrote two events
    _tamper(
        copy,
        ("DELETE FROM events WHERE account = 'w-2' AND command_key = ?", (last.command_key,)),
        ("DROP TRIGGER heads_no_delete", ()),
        (
            "UPDATE heads SET account_seq = (SELECT MAX(account_seq) FROM events"
            " WHERE account = 'w-2'), seq = (SELECT MAX(seq) FROM events"
            " WHERE account = 'w-2'), hash = (SELECT hash FROM events WHERE account = 'w-2'"
            " ORDER BY account_seq DESC LIMIT 1) WHERE account = 'w-2'",
            (),
        ),
    )
    ok, _, why = _verify(copy)
    assert not ok and why == "differs"  # the projection still shows the deleted event
    with Ledger.open(copy) as ledger:
        ledger.rebuild_projection()  # a careful forger rebuilds it too …
    assert not _verify(copy)[0]  # … but the dropped triggers show;
    _put_back_triggers(copy)  # put back with their exact text, …
    assert _verify(copy)[0]  # … the file alone looks whole,
    ok, seq, why = _verify(copy, anchors)  # but not against the heads exported before
    assert not ok and seq == last.seq and "exported chain head" in why


def test_reordering_events_is_caught(original: Path, tmp_path: Path) -> None:
    rows = [r for r in _rows(original) if r.account == "w-1"]
    first, second = rows[3], rows[4]
    swaps = {
        "bodies of neighbours": [
            ("UPDATE events SET hash = 'moving' WHERE seq = ?", (first.seq,)),
            (
                "UPDATE events SET body = ?, hash = ?, prev_hash = ? WHERE seq = ?",
                (first.body, first.hash, first.prev_hash, second.seq),
            ),
            (
                "UPDATE events SET body = ?, hash = ?, prev_hash = ? WHERE seq = ?",
                (second.body, second.hash, second.prev_hash, first.seq),
            ),
        ],
        "bodies only": [
            ("UPDATE events SET body = ? WHERE seq = ?", (second.body, first.seq)),
            ("UPDATE events SET body = ? WHERE seq = ?", (first.body, second.seq)),
        ],
        "positions in the account": [
            ("UPDATE events SET account_seq = -1 WHERE seq = ?", (first.seq,)),
            ("UPDATE events SET account_seq = ? WHERE seq = ?", (first.account_seq, second.seq)),
            ("UPDATE events SET account_seq = ? WHERE seq = ?", (second.account_seq, first.seq)),
        ],
        "places in the ledger": [
            ("UPDATE events SET seq = -1 WHERE seq = ?", (first.seq,)),
            ("UPDATE events SET seq = ? WHERE seq = ?", (first.seq, second.seq)),
            ("UPDATE events SET seq = ? WHERE seq = -1", (second.seq,)),
        ],
    }
    for name, statements in swaps.items():
        path = tmp_path / f"{name}.db"
        shutil.copyfile(original, path)
        _tamper(path, *statements)
        ok, seq, why = _verify(path)
        assert not ok and seq in (first.seq, second.seq), (name, why)


def test_inserting_an_event_is_caught(copy: Path) -> None:
    rows = [r for r in _rows(copy) if r.account == "w-3"]
    target = rows[2]
    forged_body = rows[1].body.replace('"verified"', '"pending"')
    assert forged_body != rows[1].body
    statements: list[tuple[str, tuple[object, ...]]] = [
        (
            "UPDATE events SET account_seq = account_seq + 1000 WHERE account = 'w-3'"
            " AND account_seq >= ?",
            (target.account_seq,),
        ),
        (
            "UPDATE events SET account_seq = account_seq - 999 WHERE account = 'w-3'"
            " AND account_seq >= 1000",
            (),
        ),
        (
            "INSERT INTO events (seq, account, account_seq, type, command_key, command_hash,"
            " command_index, command_size, body, prev_hash, hash)"
            " VALUES (1000, 'w-3', ?, 'account_opened', 'forged', 'x', 0, 1, ?, ?, ?)",
            (target.account_seq, forged_body, rows[1].hash, event_hash(forged_body)),
        ),
    ]
    _tamper(copy, *statements)
    ok, seq, why = _verify(copy)
    assert not ok, why
    assert seq in (1000, target.seq), why


def _rechain(conn: sqlite3.Connection, account: str, edit_at: int) -> str:
    """Edit one event of ``account`` and recompute the hash of it and of every later event,
    as a forger who knows the hashing would; return the account's new last hash."""
    rows = conn.execute(
        "SELECT seq, body FROM events WHERE account = ? ORDER BY account_seq", (account,)
    ).fetchall()
    prev = GENESIS
    for position, (seq, body) in enumerate(rows, start=1):
        event = json.loads(body)
        if position == edit_at:  # a deposit: make it look unverified
            assert event["payload"]["verification"] == "verified"
            event["payload"]["verification"] = "unverified"
        event["prev_hash"] = prev
        text = canonical_json(event)
        prev = event_hash(text)
        conn.execute(
            "UPDATE events SET body = ?, hash = ?, prev_hash = ? WHERE seq = ?",
            (text, prev, event["prev_hash"], seq),
        )
    return prev


def _raw_tamper(path: Path, change: Callable[[sqlite3.Connection], object]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for trigger in ("events_no_update", "events_no_delete", "events_chain", "heads_no_delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        change(conn)
    finally:
        conn.close()


def test_a_rewritten_chain_is_caught_by_the_heads_then_the_projection_then_the_anchors(
    copy: Path,
) -> None:
    with Ledger.open(copy, clock=fixed_clock) as ledger:
        anchors = ledger.export_heads()
    first = next(r for r in _rows(copy) if r.account == "w-2" and r.account_seq == 2)
    _raw_tamper(copy, lambda conn: _rechain(conn, "w-2", 2))
    ok, _, why = _verify(copy)  # every hash recomputed: only the chain head disagrees
    assert not ok and "chain head's hash differs" in why, why

    def heads_too(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE heads SET hash = (SELECT hash FROM events WHERE account = 'w-2'"
            " ORDER BY account_seq DESC LIMIT 1) WHERE account = 'w-2'"
        )

    _raw_tamper(copy, heads_too)
    ok, _, why = _verify(copy)
    assert not ok and why == "differs"  # the projection still says "verified"
    with Ledger.open(copy) as ledger:
        ledger.rebuild_projection()  # a careful forger rebuilds it too …
    assert not _verify(copy)[0]  # … but the dropped triggers show;
    _put_back_triggers(copy)  # put back with their exact text, …
    assert _verify(copy)[0]  # … the file alone looks whole,
    ok, seq, why = _verify(copy, anchors)  # but the heads exported before disagree
    assert not ok and "exported chain head" in why and seq is not None and seq > first.seq


def test_emptying_or_editing_the_heads_table_is_caught(original: Path, tmp_path: Path) -> None:
    changes: dict[str, Callable[[sqlite3.Connection], object]] = {
        "every head deleted": lambda conn: conn.execute("DELETE FROM heads"),
        "one head deleted": lambda conn: conn.execute("DELETE FROM heads WHERE account = 'w-1'"),
        "a head's hash edited": lambda conn: conn.execute(
            "UPDATE heads SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE account = 'w-3'"
        ),
        "a head moved back": lambda conn: conn.execute(
            "UPDATE heads SET account_seq = account_seq - 1 WHERE account = 'w-1'"
        ),
        "a head for no account": lambda conn: conn.execute(
            "INSERT INTO heads VALUES ('w-9', 1, 999, ?)", ("0" * 64,)
        ),
        "the tail cut off and every head deleted": lambda conn: (
            conn.execute("DELETE FROM events WHERE account = 'w-2' AND command_key = 'w-2:x'"),
            conn.execute("DELETE FROM heads"),
        ),
    }
    for name, change in changes.items():
        path = tmp_path / f"{name}.db"
        shutil.copyfile(original, path)
        _raw_tamper(path, change)
        ok, _, why = _verify(path)
        assert not ok and "head" in why, (name, why)


def test_swapping_two_accounts_events_is_caught(original: Path, tmp_path: Path) -> None:
    one, two = (
        next(r for r in _rows(original) if r.account == account and r.account_seq == 2)
        for account in ("w-1", "w-2")
    )

    def swap_rows(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE events SET hash = 'moving-' || seq WHERE seq IN (?, ?)", (one.seq, two.seq)
        )
        for row, into in ((one, two), (two, one)):
            conn.execute(
                "UPDATE events SET body = ?, hash = ?, prev_hash = ? WHERE seq = ?",
                (row.body, row.hash, row.prev_hash, into.seq),
            )

    def swap_accounts(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE events SET account = 'tmp' WHERE account = 'w-1'")
        conn.execute("UPDATE events SET account = 'w-1' WHERE account = 'w-2'")
        conn.execute("UPDATE events SET account = 'w-2' WHERE account = 'tmp'")

    for name, change in (("rows", swap_rows), ("accounts", swap_accounts)):
        path = tmp_path / f"{name}.db"
        shutil.copyfile(original, path)
        _raw_tamper(path, change)
        ok, seq, why = _verify(path)
        assert not ok and seq in (1, one.seq, two.seq), (name, why)


@pytest.mark.parametrize("table", ["heads", "entries", "claims", "events"])
def test_a_dropped_table_is_reported_not_a_crash(copy: Path, table: str) -> None:
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute(f"DROP TABLE {table}")
    conn.close()
    ok, _, why = _verify(copy)
    assert not ok and (table in why or why == "differs"), why


# ------------------------------------------------ a database owner's tampering, both backends


@pytest.fixture(scope="module")
def original_pg(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.new_database("tamper")
    _populate(url)
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def victim(ledger_backend: LedgerBackend, request: pytest.FixtureRequest) -> str:
    """A copy of the populated ledger on each backend."""
    return ledger_backend.copy_of(request, "original", "original_pg")


_LAST_OF_W1 = "(SELECT MAX(account_seq) FROM events WHERE account = 'w-1')"
OWNER_TAMPERING = {
    "edit an event": (
        "UPDATE events SET body = replace(body, '\"w-2\"', '\"w-9\"')"
        " WHERE account = 'w-2' AND account_seq = 2",
        ("w-2", 2, "does not match its hash"),
    ),
    "delete an event in the middle": (
        "DELETE FROM events WHERE account = 'w-3' AND account_seq = 2",
        ("w-3", 3, "event 2 of the account is missing"),
    ),
    "delete an account's last event": (
        f"DELETE FROM events WHERE account = 'w-1' AND account_seq = {_LAST_OF_W1}",
        ("w-1", None, "is incomplete or split"),  # the revocation wrote two events
    ),
}


def _turn_off_append_only(backend: LedgerBackend, conn: Any) -> None:
    """What the owner of the database (a superuser) can do: SQLite's triggers are dropped,
    PostgreSQL's disabled."""
    for trigger in ("events_no_update", "events_no_delete"):
        if backend.name == "sqlite":
            conn.execute(f"DROP TRIGGER {trigger}")
        else:
            conn.execute(f"ALTER TABLE events DISABLE TRIGGER {trigger}")


@pytest.mark.parametrize("name", sorted(OWNER_TAMPERING))
def test_an_owner_turning_the_triggers_off_is_caught(
    victim: str, ledger_backend: LedgerBackend, name: str
) -> None:
    sql, (account, position, problem) = OWNER_TAMPERING[name]
    with ledger_backend.raw(victim) as conn:
        with pytest.raises(REFUSED_BY_STORE):  # the database refuses it first
            conn.execute(sql)
        _turn_off_append_only(ledger_backend, conn)
        conn.execute(sql)
    with Ledger.open(victim) as ledger:
        report = ledger.verify()
    assert not report.ok and report.first_bad is not None, report
    assert report.first_bad.account == account and problem in report.first_bad.problem, report
    if position is not None:
        assert report.first_bad.account_seq == position, report
    assert report.structure == "differs" and any(
        "events_no_update" in p for p in report.structure_problems
    ), report.structure_problems


def test_a_superuser_bypassing_every_trigger_is_caught_by_the_chain(
    original_pg: str, postgres_server: PostgresServer
) -> None:
    """PostgreSQL's ``session_replication_role = replica`` skips every trigger without
    changing the schema, so the structure check sees nothing: the chain still does."""
    victim = postgres_server.new_database(template=original_pg)
    sql, (account, position, problem) = OWNER_TAMPERING["edit an event"]
    with psycopg.connect(victim, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(sql)
    with Ledger.open(victim) as ledger:
        report = ledger.verify()
    assert report.structure == "ok", report.structure_problems
    assert not report.ok and report.first_bad is not None
    assert (report.first_bad.account, report.first_bad.account_seq) == (account, position)
    assert problem in report.first_bad.problem
    postgres_server.drop_database(victim)


@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE events",
        "TRUNCATE heads",
        "TRUNCATE ledger_meta",
        "DELETE FROM ledger_meta",
        "UPDATE ledger_meta SET value = 'x' WHERE key = 'format'",
        "DELETE FROM heads",
    ],
)
def test_the_database_refuses_truncation_and_metadata_changes(
    victim: str, ledger_backend: LedgerBackend, sql: str
) -> None:
    if ledger_backend.name == "sqlite":  # SQLite's TRUNCATE is a DELETE without WHERE
        sql = sql.replace("TRUNCATE ", "DELETE FROM ")
    original = ledger_backend.contents(victim)
    with ledger_backend.raw(victim) as conn, pytest.raises(REFUSED_BY_STORE):
        conn.execute(sql)
    assert ledger_backend.contents(victim) == original


@pytest.mark.parametrize("index", ["claims_once_per_program", "events_command_key"])
def test_a_dropped_invariant_index_is_reported(
    victim: str, ledger_backend: LedgerBackend, index: str
) -> None:
    with ledger_backend.raw(victim) as conn:
        conn.execute(f"DROP INDEX {index}")
    with Ledger.open(victim) as ledger:
        report = ledger.verify()
    assert not report.ok and report.structure == "differs", report
    assert any(index in problem for problem in report.structure_problems), report
