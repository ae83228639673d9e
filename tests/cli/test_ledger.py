"""``creditbank ledger``: every subcommand through click's CliRunner, tables and JSON.

The workflow tests run with ``--db`` a file and a ``postgresql://`` URL (``location``)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from creditbank.cli import cli
from tests.conftest import LedgerBackend
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
W = "w-001"
LEARNER = ["--actor", W, "--role", "learner"]
REVIEWER = ["--actor", "t-2", "--role", "school_reviewer", "--org", "demo-college"]
REGISTRAR = ["--actor", "r-9", "--role", "academic_affairs", "--org", "demo-college"]
OPERATOR = ["--actor", "op-1", "--role", "bank_operator"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "bank.db"


@pytest.fixture
def location(ledger_backend: LedgerBackend) -> str:
    """A new ledger's ``--db`` on each backend: a file path, or a postgresql:// URL."""
    return ledger_backend.new()


def _run(db: str | Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["ledger", "--db", str(db), *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def _deposit(db: str | Path, achievement: str, org: str, key: str) -> Result:
    return _run(
        db,
        "deposit",
        W,
        str(EXAMPLE),
        "--achievement",
        achievement,
        "--actor",
        "s-1",
        "--role",
        "issuer",
        "--org",
        org,
        "--key",
        key,
    )


def _setup(db: str | Path) -> str:
    _run(db, "init")
    _run(db, "open", W, *LEARNER, "--key", "k-open")
    _deposit(db, "elec-l3", "demo-employer", "k-d1")
    _deposit(db, "plc-training", "demo-training-centre", "k-d2")
    applied = _run(
        db,
        "apply",
        W,
        "--program",
        "460301",
        "--as-of",
        "2026-01-01",
        *OPERATOR,  # a historical application: only the bank records one
        "--key",
        "k-apply",
        "--format",
        "json",
    )
    receipt = json.loads(applied.stdout)
    assert receipt["command"] == "apply" and not receipt["replayed"]
    application: str = receipt["application"]
    return application


def test_the_whole_workflow(location: str, tmp_path: Path) -> None:
    db = location
    app = _setup(db)
    assert app == "app-1"
    reviewed = _run(db, "review", W, app, *REVIEWER, "--key", "k-rev", "--reason", "材料齐全")
    assert "application_reviewed" in reviewed.stdout
    approved = _run(db, "approve", W, app, *REGISTRAR, "--key", "k-appr", "--reason", "同意")
    assert "credits_posted" in approved.stdout and "2 event(s) written" in approved.stdout
    again = _run(db, "approve", W, app, *REGISTRAR, "--key", "k-appr", "--reason", "同意")
    assert "nothing new was written" in again.stdout

    table = _run(db, "statement", W)
    assert "学习档案 w-001" in table.stdout and "记入" in table.stdout
    # regression: --lang en printed 学习档案 and the level 三级 (labels were Chinese and
    # English mixed whatever --lang said)
    english = _run(db, "statement", W, "--lang", "en").stdout
    assert "statement of w-001" in english and "posted" in english
    assert "学习档案" not in english and "三级" not in english and "Level 3" in english
    assert "posted" not in table.stdout and "Level 3" not in table.stdout
    statement = json.loads(_run(db, "statement", W, "--format", "json").stdout)
    assert statement["programs"][0]["posted"] == "10"
    assert [s["state"] for s in statement["applications"][0]["steps"]] == [
        "applied",
        "reviewed",
        "approved",
        "posted",
    ]

    verified = _run(db, "verify")
    assert verified.stdout.startswith("ok: 7 events in 1 accounts")
    report = json.loads(_run(db, "verify", "--format", "json").stdout)
    assert report["ok"] and report["projection"] == "ok"

    heads = tmp_path / "heads.json"
    _run(db, "export", "-o", str(heads))
    assert json.loads(heads.read_text(encoding="utf-8"))["heads"][0]["account_seq"] == 7
    _run(db, "verify", "--heads", str(heads))
    lines = _run(db, "export", "--events", "--account", W).stdout.splitlines()
    assert len(lines) == 7
    previous = "0" * 64
    for line in lines:  # anyone can check the chain from the export alone
        assert json.loads(line)["prev_hash"] == previous
        previous = hashlib.sha256(line.encode("utf-8")).hexdigest()
    assert previous == json.loads(heads.read_text(encoding="utf-8"))["heads"][0]["hash"]


def test_reject_revoke_expire_override(location: str) -> None:
    db = location
    app = _setup(db)
    _run(
        db,
        "override",
        W,
        app,
        "--deny",
        "--achievement",
        "plc-training",
        "--reason",
        "证明材料不全",
        *REGISTRAR,
        "--key",
        "k-o1",
    )
    granted = _run(
        db,
        "override",
        W,
        app,
        "--grant",
        "--achievement",
        "plc-training",
        "--requirement",
        "electives",
        "--credits",
        "1.5",
        "--reason",
        "专家认定",
        *REGISTRAR,
        "--key",
        "k-o2",
        "--format",
        "json",
    )
    assert json.loads(granted.stdout)["events"][0]["payload"]["grant"]["credits"] == "1.5"
    _run(db, "review", W, app, *REVIEWER, "--key", "k-rev")
    _run(db, "approve", W, app, *REGISTRAR, "--key", "k-appr")
    revoked = _run(db, "revoke", W, "elec-l3", *OPERATOR, "--key", "k-rk", "--reason", "注销")
    assert "credits_reversed" in revoked.stdout
    statement = json.loads(_run(db, "statement", W, "--format", "json").stdout)
    assert statement["programs"][0]["posted"] == "1.5"
    assert {o["action"] for o in statement["overrides"]} == {"grant", "deny"}

    second = json.loads(
        _run(
            db, "apply", W, "--program", "460304", *LEARNER, "--key", "k-a2", "--format", "json"
        ).stdout
    )["application"]
    rejected = _run(db, "reject", W, second, *REVIEWER, "--key", "k-rj", "--reason", "不符合")
    assert "application_rejected" in rejected.stdout
    expired = _run(
        db, "expire", W, "plc-training", *OPERATOR, "--key", "k-ex", "--as-of", "2026-01-01", code=1
    )
    assert "NOT_EXPIRED" in expired.stderr


def test_refusals_exit_1_and_write_nothing(location: str, ledger_backend: LedgerBackend) -> None:
    db = location
    app = _setup(db)
    before = ledger_backend.contents(db)
    wrong = _run(db, "approve", W, app, *REVIEWER, "--key", "k-x", code=1)
    assert "error: INVALID_TRANSITION" in wrong.stderr
    unauthorised = _deposit_fail(db)
    assert "NOT_AUTHORISED" in unauthorised.stderr
    conflict = _run(db, "open", W, *LEARNER, "--key", "k-apply", code=1)
    assert "IDEMPOTENCY_CONFLICT" in conflict.stderr
    personal = _run(db, "open", "11010519491231002X", *OPERATOR, "--key", "k-p", code=1)
    assert "PERSONAL_IDENTIFIER" in personal.stderr
    actor = _run(
        db,
        "open",
        "w-2",
        "--actor",
        "11010519491231002X",
        "--role",
        "learner",
        "--key",
        "k-q",
        code=1,
    )
    assert "PERSONAL_IDENTIFIER" in actor.stderr
    assert ledger_backend.contents(db) == before


def _deposit_fail(db: str | Path) -> Result:
    return _run(
        db,
        "deposit",
        W,
        str(EXAMPLE),
        "--achievement",
        "elec-l4",
        "--actor",
        "s-1",
        "--role",
        "issuer",
        "--org",
        "demo-employer",
        "--key",
        "k-bad",
        code=1,
    )


def test_usage_errors_exit_2(db: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["ledger", "verify"]).exit_code == 2  # no --db
    _run(db, "verify", code=1)  # no ledger there yet
    _setup(db)
    _run(db, "deposit", W, str(EXAMPLE), *OPERATOR, "--key", "k", code=2)  # which one?
    _run(
        db,
        "override",
        W,
        "app-1",
        "--achievement",
        "elec-l3",
        "--reason",
        "x",
        *REGISTRAR,
        "--key",
        "k",
        code=2,
    )  # --grant or --deny
    _run(db, "review", W, "app-1", "--actor", "x", "--role", "dean", "--key", "k", code=2)
    _run(db, "open", "w-2", "--role", "learner", "--key", "k", code=2)  # no --actor
    not_heads = tmp_path / "x.json"
    not_heads.write_text("{}", encoding="utf-8")
    located = _run(db, "verify", "--heads", str(not_heads), code=1)  # a file error, not usage
    assert f"{not_heads}:1:1: MISSING_FIELD" in located.stderr


def test_actor_from_the_environment(db: Path) -> None:
    _run(db, "init")
    result = CliRunner().invoke(
        cli,
        ["ledger", "--db", str(db), "open", W, "--key", "k"],
        env={"CREDITBANK_ACTOR": W, "CREDITBANK_ROLE": "learner"},
    )
    assert result.exit_code == 0, result.output
    ledger_env = CliRunner().invoke(
        cli, ["ledger", "statement", W], env={"CREDITBANK_LEDGER": str(db)}
    )
    assert ledger_env.exit_code == 0 and W in ledger_env.stdout


def test_verify_names_the_first_tampered_event(db: Path) -> None:
    _setup(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET body = replace(body, '三级', '二级') WHERE seq = 2")
    conn.close()
    result = _run(db, "verify", code=1)
    assert result.stdout.startswith(
        "TAMPERED: first bad event: account 'w-001' event 2 (ledger seq 2): its content does "
        "not match its hash"
    )


def test_file_problems_are_errors_not_crashes(db: Path, tmp_path: Path) -> None:
    missing = _run(tmp_path / "no-such-dir" / "bank.db", "init", code=1)
    assert "LEDGER_NOT_FOUND" in missing.stderr and "internal error" not in missing.output
    _setup(db)
    unwritable = _run(db, "export", "-o", str(tmp_path / "no-such-dir" / "heads.json"), code=1)
    assert "DIRECTORY_NOT_FOUND" in unwritable.output
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TABLE heads")
    conn.close()
    damaged = _run(db, "verify", code=1)
    assert damaged.stdout.startswith("TAMPERED") and "chain heads cannot be read" in damaged.stdout


def test_a_projection_out_of_step_is_not_waved_through(db: Path) -> None:
    _setup(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER achievements_status")
    conn.execute("UPDATE achievements SET verification = 'unverified'")
    conn.close()
    result = _run(db, "verify", code=1)
    assert result.stdout.startswith("DIFFERS") and "changed outside the ledger" in result.stdout


def test_a_damaged_event_is_an_error_for_every_command(db: Path) -> None:
    _setup(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET body = json_set(body, '$.payload.type', 'x') WHERE seq = 2")
    conn.close()
    for args in (
        ("statement", W),
        ("review", W, "app-1", *REVIEWER, "--key", "k-rev"),
        ("apply", W, "--program", "460301", *LEARNER, "--key", "k-a2"),
    ):
        result = _run(db, *args, code=1)
        assert "NOT_A_LEDGER" in result.stderr and "verify" in result.stderr, args


def test_a_learner_may_not_backdate_an_application(location: str) -> None:
    # Review finding (issue 17): ``--as-of`` in the past revived an expired achievement.
    db = location
    _run(db, "init")
    _run(db, "open", W, *LEARNER, "--key", "k-open")
    _deposit(db, "elec-l3", "demo-employer", "k-d1")
    backdated = ["--as-of", "2026-01-01", *LEARNER, "--key", "k-apply"]
    refused = _run(db, "apply", W, "--program", "460301", *backdated, code=1)
    assert "NOT_AUTHORISED" in refused.stderr and "bank operator" in refused.stderr
