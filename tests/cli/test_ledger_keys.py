"""Ledger ergonomics (issue 20, item 9): --db after the subcommand, an optional --key
(generated and printed back), keys scoped per learner account, old keys still replaying."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from creditbank.cli import cli
from creditbank.ledger import Actor, Ledger
from tests.paths import ROOT

PORTFOLIO = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"


def _run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["ledger", *args], env={"CREDITBANK_LEDGER": None})
    assert result.exit_code == code, result.output
    return result


def _open(db: str | Path, learner: str, *extra: str) -> dict[str, Any]:
    """``ledger open LEARNER`` as the learner: its JSON receipt."""
    as_learner = ("--actor", learner, "--role", "learner", "--format", "json")
    opened: dict[str, Any] = json.loads(
        _run("--db", str(db), "open", learner, *as_learner, *extra).output
    )
    return opened


def test_db_is_accepted_after_the_subcommand(tmp_path: Path) -> None:
    db = str(tmp_path / "bank.db")
    assert "ready" in _run("init", "--db", db).output
    _run("open", "w-001", "--db", db, "--actor", "w-001", "--role", "learner", "--key", "k1")
    statement = _run("statement", "w-001", "--db", db, "--format", "json").output
    assert json.loads(statement)["account"] == "w-001"
    assert "--db" in _run("statement", "w-001", code=2).output


def test_the_readme_keys_can_be_used_again_for_a_second_learner(tmp_path: Path) -> None:
    db = str(tmp_path / "bank.db")
    _run("--db", db, "init")
    deposit = ("--achievement", "elec-l3", "--actor", "s-7", "--role", "issuer")
    for learner in ("w-001", "w-002"):
        assert _open(db, learner, "--key", "k1")["replayed"] is False
        done = _run("--db", db, "deposit", learner, str(PORTFOLIO), *deposit,
                    "--org", "demo-employer", "--key", "k2").output  # fmt: skip
        assert "event(s) written" in done and "idempotency key k2" in done
    # the same key on the same account still replays, and a different command is refused
    assert _open(db, "w-002", "--key", "k1")["replayed"] is True
    refused = _run("--db", db, "open", "w-002", "--actor", "w-002", "--role", "learner",
                   "--key", "k2", code=1).output  # fmt: skip
    assert "IDEMPOTENCY_CONFLICT" in refused


def test_a_missing_key_is_generated_and_printed_back(tmp_path: Path) -> None:
    db = str(tmp_path / "bank.db")
    _run("--db", db, "init")
    table = _run("--db", db, "open", "w-001", "--actor", "w-001", "--role", "learner").output
    line = next(x for x in table.splitlines() if x.startswith("idempotency key "))
    key = line.split()[2]
    assert f"give --key {key} to repeat" in line
    assert _open(db, "w-001", "--key", key)["replayed"] is True
    generated = _open(db, "w-002")["idempotency_key"]
    assert len(generated) == 32 and generated != key


def test_a_key_written_before_keys_were_scoped_still_replays(tmp_path: Path) -> None:
    db = tmp_path / "bank.db"
    with Ledger.open(db, create=True) as ledger:  # as the CLI wrote keys before: unscoped
        ledger.open_account("w-001", actor=Actor(id="w-001", role="learner"), key="k1")
    replay = _open(db, "w-001", "--key", "k1")
    assert (replay["replayed"], replay["key"]) == (True, "k1")
    # the same old key for another learner is a new, scoped command
    other = _open(db, "w-002", "--key", "k1")
    assert (other["replayed"], other["key"]) == (False, "w-002/k1")


def test_scoped_keys_of_two_accounts_never_clash(tmp_path: Path) -> None:
    # review finding: ACCOUNT:KEY was ambiguous (account ids may hold ':'): "w-1" + "k:1"
    # and "w-1:k" + "1" were the same stored key, a conflict for a different learner
    db = str(tmp_path / "bank.db")
    _run("--db", db, "init")
    assert _open(db, "w-1", "--key", "k:1")["replayed"] is False
    assert _open(db, "w-1:k", "--key", "1")["replayed"] is False


def test_a_key_too_long_for_its_account_is_refused_saying_how_long_it_may_be(
    tmp_path: Path,
) -> None:
    # review finding: the refusal quoted the scoped key, which the user never typed
    db = str(tmp_path / "bank.db")
    _run("--db", db, "init")
    account = "w" * 128
    assert _open(db, account, "--key", "k" * 71)["replayed"] is False
    too_long = _run("--db", db, "open", account, "--actor", account, "--role", "learner",
                    "--key", "k" * 72, code=1).output  # fmt: skip
    assert "at most 71 characters; this one has 72" in too_long
    assert f"{account}/" not in too_long


def test_the_environment_does_not_override_the_groups_db(tmp_path: Path) -> None:
    db = str(tmp_path / "bank.db")
    _run("--db", db, "init")
    argv = ["ledger", "--db", db, "open", "w-001", "--actor", "w-001", "--role", "learner"]
    other = tmp_path / "other.db"
    result = CliRunner().invoke(cli, argv, env={"CREDITBANK_LEDGER": str(other)})
    assert result.exit_code == 0, result.output
    assert not other.exists()
