"""What ``verify`` proves about the ledger's own structure, and what only exported heads prove.

``verify`` compares the stored SQL text of every table, index and trigger, byte for byte,
with the text creditbank's migrations create, and checks the ledger's metadata: every
one-byte change of a trigger's text is caught (before, 84 of 250 such changes verified
"ok"). What no check inside the file can catch — a careful rewrite that puts the triggers
back — is caught by heads exported earlier, and both the README and the CLI say so.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.errors import LedgerError
from creditbank.ledger import Actor, Ledger
from creditbank.ledger.integrity import expected_schema, schema_problems, stored_schema
from creditbank.ledger.schema import SCHEMA_VERSION
from creditbank.testing.ledger import MENU, fixed_clock, issuer_of
from tests.bundled import bundled_standards
from tests.paths import ROOT

STANDARDS = bundled_standards()
ACCOUNTS = ("w-1", "w-2", "w-3")


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("structure") / "bank.db"
    with Ledger.open(path, STANDARDS, create=True, clock=fixed_clock) as ledger:
        for account, name in zip(ACCOUNTS, sorted(MENU), strict=False):
            ledger.open_account(account, actor=Actor(id=account, role="learner"), key=account)
            achievement = MENU[name]
            ledger.deposit(account, achievement, actor=issuer_of(achievement), key=f"{account}:d")
        ledger.store.subject_key()
        assert ledger.verify().ok
    return path


def _stored(path: Path) -> dict[tuple[str, str], tuple[str, bytes | None]]:
    conn = sqlite3.connect(path)
    try:
        return stored_schema(conn)
    finally:
        conn.close()


def _triggers(path: Path) -> dict[str, bytes]:
    return {
        name: sql
        for (kind, name), (_, sql) in _stored(path).items()
        if kind == "trigger" and sql is not None
    }


def test_the_stored_schema_is_exactly_the_expected_one(original: Path) -> None:
    assert _stored(original) == dict(expected_schema(SCHEMA_VERSION))
    assert len(_triggers(original)) >= 30


def test_every_one_byte_change_of_every_trigger_is_caught(original: Path) -> None:
    found = _stored(original)
    checked = 0
    for name, sql in _triggers(original).items():
        key = ("trigger", name)
        table = found[key][0]
        for index in range(len(sql)):
            for flip in (0x01, 0x20, 0x80):
                changed = bytearray(sql)
                changed[index] ^= flip
                problems = schema_problems({**found, key: (table, bytes(changed))}, SCHEMA_VERSION)
                assert problems and repr(name) in problems[0], (name, index, flip)
                checked += 1
    assert checked > 25_000


def _corrupt(path: Path, name: str, sql: bytes) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = CAST(? AS TEXT) WHERE name = ?", (sql, name))
    finally:
        conn.close()


def test_one_byte_corruptions_of_the_trigger_sql_in_the_file_never_verify_ok(
    original: Path, tmp_path: Path
) -> None:
    """250 one-byte changes written into the file (the audit's experiment): each is either
    refused as CORRUPT_SCHEMA when SQLite cannot parse it, or named by verify."""
    triggers = sorted(_triggers(original).items())
    rng = random.Random(14)
    outcomes = {"refused": 0, "named": 0}
    for trial in range(250):
        name, sql = rng.choice(triggers)
        changed = bytearray(sql)
        changed[rng.randrange(len(sql))] ^= 1 << rng.randrange(8)
        path = tmp_path / f"c{trial}.db"
        shutil.copyfile(original, path)
        _corrupt(path, name, bytes(changed))
        try:
            with Ledger.open(path, read_only=True) as ledger:
                report = ledger.verify()
        except LedgerError as error:
            assert error.code == "CORRUPT_SCHEMA", (trial, name, error)
            outcomes["refused"] += 1
        else:
            assert not report.ok and report.structure == "differs", (trial, name)
            assert any(repr(name) in p for p in report.structure_problems), report
            outcomes["named"] += 1
        path.unlink()
    assert outcomes["named"] > 0 and outcomes["refused"] > 0, outcomes


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("statements", "named"),
    [
        (["DROP TRIGGER events_no_update"], "'events_no_update' of table 'events' is missing"),
        (["DROP TRIGGER heads_no_delete"], "'heads_no_delete'"),
        (["DROP INDEX claims_once_per_program"], "'claims_once_per_program'"),
        (
            ["CREATE TRIGGER sneaky AFTER INSERT ON events BEGIN SELECT 1; END"],
            "the trigger 'sneaky' is not one creditbank creates",
        ),
        (
            [
                "DROP TRIGGER ledger_meta_no_update",
                "UPDATE ledger_meta SET value = 'x' WHERE key = 'subject_key'",
            ],
            "subject-digest key is not 64 hex digits",
        ),
        (
            ["DROP TRIGGER ledger_meta_no_replace", "INSERT INTO ledger_meta VALUES ('k', 'v')"],
            "a key 'k' that creditbank never writes",
        ),
        (["DELETE FROM schema_version WHERE version = 3"], "the schema versions recorded"),
        (  # review 14: only the tables sqlite_stat1..4 of ANALYZE are SQLite's own
            [
                "PRAGMA writable_schema = ON",
                "CREATE TRIGGER sqlite_stat_x AFTER INSERT ON events BEGIN SELECT 1; END",
            ],
            "the trigger 'sqlite_stat_x' is not one creditbank creates",
        ),
    ],
)
def test_changed_triggers_indexes_and_metadata_are_named(
    original: Path, tmp_path: Path, statements: list[str], named: str
) -> None:
    path = tmp_path / "bank.db"
    shutil.copyfile(original, path)
    _sql(path, *statements)
    with Ledger.open(path, read_only=True) as ledger:
        report = ledger.verify()
    assert not report.ok and report.structure == "differs"
    assert any(named in problem for problem in report.structure_problems), report
    result = CliRunner().invoke(cli, ["ledger", "--db", str(path), "verify"])
    assert result.exit_code == 1 and "SCHEMA:" in result.stdout and named in result.stdout


def _put_back_triggers(path: Path) -> None:
    found = _stored(path)
    statements = [
        sql.decode("utf-8")
        for key, (_, sql) in expected_schema(SCHEMA_VERSION).items()
        if key[0] == "trigger" and key not in found and sql is not None
    ]
    _sql(path, *statements)


def test_an_account_deleted_whole_is_caught_only_by_exported_heads(
    original: Path, tmp_path: Path
) -> None:
    """The limit verify's documentation states, shown: a forger who can write the file
    deletes an account whole, fixes the heads, rebuilds the projection and puts the
    triggers back. verify alone passes — nothing inside the file can tell — and says that
    it proves consistency only; verify --heads names the account."""
    path = tmp_path / "bank.db"
    shutil.copyfile(original, path)
    heads = tmp_path / "heads.json"
    runner = CliRunner()
    exported = runner.invoke(cli, ["ledger", "--db", str(path), "export", "-o", str(heads)])
    assert exported.exit_code == 0, exported.output
    _sql(
        path,
        "DROP TRIGGER events_no_delete",
        "DROP TRIGGER heads_no_delete",
        "DELETE FROM events WHERE account = 'w-2'",
        "DELETE FROM heads WHERE account = 'w-2'",
    )
    assert not Ledger.open(path, read_only=True).verify().ok  # triggers gone, projection stale
    with Ledger.open(path) as ledger:
        ledger.rebuild_projection()
    _put_back_triggers(path)
    alone = runner.invoke(cli, ["ledger", "--db", str(path), "verify"])
    assert alone.exit_code == 0, alone.output  # the limit: the file alone looks whole …
    assert "not that it was not rewritten" in alone.stdout and "--heads" in alone.stdout
    anchored = runner.invoke(cli, ["ledger", "--db", str(path), "verify", "--heads", str(heads)])
    assert anchored.exit_code == 1, anchored.output  # … the heads kept elsewhere do not
    assert "account 'w-2'" in anchored.stdout and "exported chain head" in anchored.stdout
    whole = tmp_path / "whole.db"
    shutil.copyfile(original, whole)
    proven = runner.invoke(cli, ["ledger", "--db", str(whole), "verify", "--heads", str(heads)])
    assert proven.exit_code == 0 and "3 chain heads exported earlier" in proven.stdout


def test_the_readme_and_the_help_say_what_each_form_proves() -> None:
    readme = (ROOT / "docs" / "ledger.md").read_text(encoding="utf-8")
    section = readme.split("**Tamper evidence.**", 1)[1].split("**The operating system", 1)[0]
    assert "`verify` proves the file is **consistent**" in section
    assert "**cannot** catch someone who can write" in section
    assert "`verify --heads FILE` proves" in section
    assert "Whoever can drop the triggers can rewrite the file — which `verify` then" not in readme
    help_text = CliRunner().invoke(cli, ["ledger", "verify", "--help"]).output
    for claim in (
        "Without --heads, verify proves the file is consistent",
        "cannot catch",
        "With --heads FILE",
    ):
        assert claim in " ".join(help_text.split()), help_text


def test_the_statistics_tables_of_analyze_are_not_reported(original: Path, tmp_path: Path) -> None:
    path = tmp_path / "bank.db"
    shutil.copyfile(original, path)
    _sql(path, "ANALYZE")
    assert "sqlite_stat1" in {name for _, name in _stored(path)}
    with Ledger.open(path, read_only=True) as ledger:
        assert ledger.verify().ok
