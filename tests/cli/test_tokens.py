"""``creditbank ledger token issue|list|revoke`` through click's CliRunner, on both backends:
the secret printed once and never again, refusals exit 1 and write nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from creditbank.cli import cli
from creditbank.cli.tokens import SHOWN_ONCE
from creditbank.ledger import Ledger
from creditbank.ledger.tokens import TOKEN_PREFIX, authenticate
from tests.conftest import LedgerBackend


@pytest.fixture
def location(ledger_backend: LedgerBackend) -> str:
    where = ledger_backend.new()
    _run(where, "init")
    return where


def _run(db: str, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["ledger", "--db", db, *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def _secret(output: str) -> str:
    (line,) = [line for line in output.splitlines() if line.startswith(TOKEN_PREFIX)]
    return line


def test_issue_prints_the_secret_once_and_list_never(location: str) -> None:
    issued = _run(
        location,
        "token",
        "issue",
        "--role",
        "academic_affairs",
        "--name",
        "r-9",
        "--org",
        "demo-college",
    )
    secret = _secret(issued.output)
    assert SHOWN_ONCE in issued.output
    assert "r-9 as academic_affairs for demo-college" in issued.output
    as_json = json.loads(
        _run(
            location,
            "token",
            "issue",
            "--role",
            "learner",
            "--name",
            "w-1",
            "--learner",
            "w-1",
            "--format",
            "json",
        ).output
    )
    assert as_json["note"] == SHOWN_ONCE and as_json["secret"].startswith(TOKEN_PREFIX)
    assert as_json["record"]["learner"] == "w-1"
    with Ledger.open(location, read_only=True) as ledger:
        record = authenticate(ledger, secret)
        assert record is not None and record.name == "r-9"
        assert authenticate(ledger, as_json["secret"]) is not None

    listed = _run(location, "token", "list", "--format", "json").output
    rows = json.loads(listed)
    assert sorted(r["name"] for r in rows) == ["r-9", "w-1"]
    assert all(set(r) == set(as_json["record"]) for r in rows)  # no secret, no hash
    table = _run(location, "token", "list").output
    for text in (listed, table):
        assert TOKEN_PREFIX not in text and secret.split("_", 2)[2] not in text
        assert as_json["secret"].split("_", 2)[2] not in text

    revoked = _run(location, "token", "revoke", record.token_id)
    assert f"token {record.token_id} (r-9, academic_affairs) revoked at" in revoked.output
    again = json.loads(
        _run(location, "token", "revoke", record.token_id, "--format", "json").output
    )
    assert again["revoked_at"] is not None
    with Ledger.open(location, read_only=True) as ledger:
        assert authenticate(ledger, secret) is None
    assert _run(location, "verify").output.startswith("ok:")


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["issue", "--role", "learner", "--name", "w-1"], 1, "BAD_TOKEN_REQUEST"),
        (["issue", "--role", "issuer", "--name", "i-1"], 1, "BAD_TOKEN_REQUEST"),
        (["issue", "--role", "issuer", "--name", "i-1", "--org", "nowhere"], 1, "not an issuer"),
        (
            ["issue", "--role", "bank_operator", "--name", "11010519491231002X"],
            1,
            "PERSONAL_IDENTIFIER",
        ),
        (["issue", "--role", "registrar", "--name", "r-1"], 2, "--role"),
        (["issue", "--role", "bank_operator"], 2, "--name"),
        (["revoke", "0123456789abcdef"], 1, "UNKNOWN_TOKEN"),
    ],
)
def test_refusals_exit_nonzero_and_write_nothing(
    location: str, ledger_backend: LedgerBackend, args: list[str], code: int, says: str
) -> None:
    before = ledger_backend.contents(location)
    result = _run(location, "token", *args, code=code)
    assert says in result.output
    assert TOKEN_PREFIX not in result.output
    assert ledger_backend.contents(location) == before


def test_copy_help_says_tokens_stay_behind() -> None:
    result = CliRunner().invoke(cli, ["ledger", "copy", "--help"])
    assert "API tokens are not copied" in " ".join(result.output.split())
