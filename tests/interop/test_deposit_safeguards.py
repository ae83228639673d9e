"""Regression tests of the second interop review: both deposit paths record the same
credential check, an account binds one credential subject, subject digests are keyed with
the ledger's own secret, id-less and squatted credentials, lone surrogates, expired
credentials checked as of the past, a VC 2.0 JWT's exp."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.errors import LedgerError
from creditbank.interop.deposit import deposit_badges
from creditbank.interop.errors import InteropError
from creditbank.interop.export import sign_credential
from creditbank.interop.jsonio import parse_json
from creditbank.interop.keys import did_key, multibase_from_public_key
from creditbank.ledger import Actor, Ledger
from creditbank.ledger.ids import subject_digest
from creditbank.models import Standards
from tests.interop.helpers import KEY, NOW
from tests.interop.test_deposit import (
    CENTRE,
    ISSUER,
    ISSUER_OPTIONS,
    OPERATOR,
    PINNED,
    _badge,
    _cli_ledger,
    _import,
    _signed,
    ledger,
)
from tests.paths import ROOT

__all__ = ["ledger"]  # a fixture
pytestmark = pytest.mark.usefixtures("no_network")

PIN = ["--trust-issuer", f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
AT = ["--at", "2026-11-29T13:00:00"]


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _statement(runner: CliRunner, db: list[str], account: str) -> list[dict[str, Any]]:
    shown = runner.invoke(cli, [*db, "statement", account, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    achievements: list[dict[str, Any]] = json.loads(shown.output)["achievements"]
    return achievements


# ------------------------------------------------- 1. import -o + ledger deposit


def test_a_portfolio_deposit_records_the_credential_check_under_the_same_rules(
    tmp_path: Path,
) -> None:
    """Before, `ledger deposit` of an `import badge -o` portfolio read only `verification:`:
    no credential check, so a credential already in w-1 went into w-2 too."""
    runner, db = _cli_ledger(tmp_path)
    signed = _write(tmp_path / "a.json", _signed())
    badge = [*db, "deposit-badge", "w-1", str(signed), *PIN, *ISSUER_OPTIONS, *AT]
    assert runner.invoke(cli, [*badge, "--key", "b1"]).exit_code == 0
    portfolio = tmp_path / "p.yaml"
    made = runner.invoke(cli, ["import", "badge", str(signed), *PIN, *AT, "-o", str(portfolio)])
    assert made.exit_code == 0, made.output
    kept = yaml.safe_load(portfolio.read_text(encoding="utf-8"))["credentials"]
    (entry,) = kept.values()
    assert entry["credential"] == _badge()["id"] and entry["status"] == "verified"
    assert entry["subject"] == "did:example:worker-7" and entry["checked_at"]
    deposit = [*db, "deposit", "w-2", str(portfolio), *ISSUER_OPTIONS]
    other = runner.invoke(cli, [*deposit, "--key", "d1"])
    assert other.exit_code == 1 and "CREDENTIAL_IN_OTHER_ACCOUNT" in other.output
    assert _statement(runner, db, "w-2") == []
    # into the learner's own account (after the badge's revocation there is nothing to
    # clash with): the same check as deposit-badge's, subject digest included
    (first,) = _statement(runner, db, "w-1")
    revoke = [*db, "revoke", "w-1", first["id"], "--actor", "op-1", "--role", "bank_operator"]
    assert runner.invoke(cli, [*revoke, "--reason", "again", "--key", "r1"]).exit_code == 0
    done = runner.invoke(cli, [*deposit, "--key", "d2"])
    assert done.exit_code == 0, done.output
    (line,) = _statement(runner, db, "w-2")
    check, before = line["credential_check"], first["credential_check"]
    assert check["credential"] == before["credential"] and check["subject"] == before["subject"]
    assert check["checked_at"].startswith("2026-11-29T13:00") and line["verification"] == "verified"


def test_a_portfolio_deposit_refuses_unknown_issuers_missing_and_inconsistent_checks(
    tmp_path: Path,
) -> None:
    runner, db = _cli_ledger(tmp_path)
    signed = _write(tmp_path / "a.json", _signed())
    portfolio = tmp_path / "p.yaml"
    made = runner.invoke(cli, ["import", "badge", str(signed), *PIN, *AT, "-o", str(portfolio)])
    assert made.exit_code == 0, made.output
    data = yaml.safe_load(portfolio.read_text(encoding="utf-8"))
    deposit = [*db, "deposit", "w-1"]
    # the check left out: an achievement marked as imported is refused
    missing = tmp_path / "missing.yaml"
    missing.write_text(yaml.safe_dump({**data, "credentials": {}}), encoding="utf-8")
    refused = runner.invoke(cli, [*deposit, str(missing), *ISSUER_OPTIONS, "--key", "m"])
    assert refused.exit_code == 1 and "holds no check of it" in refused.output
    # a reason that contradicts its status
    (aid,) = data["credentials"]
    odd = {**data, "credentials": {aid: {**data["credentials"][aid], "reason": "NO_PROOF"}}}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(odd), encoding="utf-8")
    refused = runner.invoke(cli, [*deposit, str(broken), *ISSUER_OPTIONS, "--key", "b"])
    assert refused.exit_code == 1 and "MALFORMED_COMMAND" in refused.output
    # an issuer that is no issuer of the standards (the depositor is not recorded instead)
    rogue = {
        **data,
        "achievements": [
            {k: v for k, v in a.items() if k != "issuer"} for a in data["achievements"]
        ],
        "credentials": {aid: {**data["credentials"][aid], "issuer": "https://rogue.example"}},
    }
    rogue_file = tmp_path / "rogue.yaml"
    rogue_file.write_text(yaml.safe_dump(rogue), encoding="utf-8")
    refused = runner.invoke(cli, [*deposit, str(rogue_file), *ISSUER_OPTIONS, "--key", "r"])
    assert refused.exit_code == 1 and "NOT_AUTHORISED" in refused.output
    assert _statement(runner, db, "w-1") == []


# ------------------------------------------------- 2. one subject per account


def test_an_account_binds_the_subject_of_its_credentials_across_runs(
    ledger: Ledger, standards: Standards
) -> None:
    """Before, the one-subject rule held within one run only: alice's and bob's verified
    credentials went into w-1 in two runs."""
    alice, bob = _badge(), _badge()
    alice["credentialSubject"]["id"] = "did:example:alice"
    bob["credentialSubject"]["id"] = "did:example:bob"
    bob["id"] = "urn:uuid:9b0e2f7c-1111-4c2d-8e3f-0000000000bb"
    (a,) = deposit_badges(
        ledger,
        "w-1",
        [_import(sign_credential(alice, KEY, created=NOW), standards, trust=PINNED)],
        actor=ISSUER,
        key="a",
    )
    assert a.outcome == "deposited"
    bobs = _import(sign_credential(bob, KEY, created=NOW), standards, trust=PINNED)
    (b,) = deposit_badges(ledger, "w-1", [bobs], actor=ISSUER, key="b")
    assert b.outcome == "refused" and b.error is not None
    assert b.error.code == "SUBJECT_MISMATCH" and "did:example" not in b.error.message
    # once alice's credential is revoked, the account binds no subject any more
    (line,) = ledger.statement("w-1").achievements
    ledger.revoke("w-1", line.id, actor=OPERATOR, key="rv", reason="wrong account")
    (b2,) = deposit_badges(ledger, "w-1", [bobs], actor=ISSUER, key="b2")
    assert b2.outcome == "deposited", b2.error


# ------------------------------------------------- 3. subject digests keyed per ledger


def test_subject_digests_are_keyed_with_the_ledgers_own_secret(
    tmp_path: Path, standards: Standards
) -> None:
    """Before, without $CREDITBANK_SUBJECT_SALT the key was a public string built from the
    account id: anyone with an export could recover an enumerable subject id."""
    path = tmp_path / "b.db"
    with Ledger.open(path, standards, create=True) as lg:
        lg.open_account("w-1", actor=Actor(id="w-1", role="learner"), key="o")
        (done,) = deposit_badges(
            lg, "w-1", [_import(_signed(), standards, trust=PINNED)], actor=ISSUER, key="k"
        )
        assert done.outcome == "deposited"
        (line,) = lg.statement("w-1").achievements
        assert line.credential_check is not None
        digest = line.credential_check.subject
        public = "creditbank credential subject, account w-1"
        assert digest != subject_digest("did:example:worker-7", public)
        assert digest == lg.subject_digest("did:example:worker-7")
        assert len(lg.store.subject_key()) == 32
        assert "subject_key" not in "".join(lg.export_events())
    with sqlite3.connect(path) as conn:  # another ledger: another secret
        (stored,) = conn.execute("SELECT value FROM ledger_meta WHERE key='subject_key'").fetchone()
    with Ledger.open(tmp_path / "c.db", standards, create=True) as other:
        assert other.store.subject_key() != bytes.fromhex(stored)


def _schema_4_ledger(path: Path, standards: Standards, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger as a creditbank of schema 4 wrote it (before its metadata was guarded)."""
    from creditbank.ledger import sqlite as sqlite_store
    from creditbank.ledger.schema import MIGRATIONS

    with monkeypatch.context() as patch:
        patch.setattr(sqlite_store, "MIGRATIONS", MIGRATIONS[:4])
        patch.setattr(sqlite_store, "SCHEMA_VERSION", 4)
        with Ledger.open(path, standards, create=True) as lg:
            lg.open_account("w-1", actor=Actor(id="w-1", role="learner"), key="o")
            assert lg.store.schema_version() == 4


def test_an_older_ledger_without_a_secret_gets_one_and_stays_verifiable(
    tmp_path: Path, standards: Standards, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    _schema_4_ledger(path, standards, monkeypatch)
    with sqlite3.connect(path) as conn:  # written before the secret existed, it has none
        assert (
            conn.execute("SELECT value FROM ledger_meta WHERE key = 'subject_key'").fetchone()
            is None
        )
    with Ledger.open(path, standards) as lg:
        first = lg.subject_digest("did:example:x")
        assert first == lg.subject_digest("did:example:x")
        assert lg.verify().ok


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE ledger_meta SET value = '00' WHERE key = 'subject_key'",
        "DELETE FROM ledger_meta WHERE key = 'subject_key'",
        "UPDATE ledger_meta SET value = 'other' WHERE key = 'format'",
        "DELETE FROM ledger_meta",
        "INSERT OR REPLACE INTO ledger_meta (key, value) VALUES ('subject_key', 'bb')",
        "REPLACE INTO ledger_meta (key, value) VALUES ('format', 'other')",
        "INSERT INTO ledger_meta (key, value) VALUES ('subject_key', 'cc')"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ],
)
@pytest.mark.parametrize("upgraded", [False, True])
def test_the_ledgers_secret_and_format_cannot_be_changed(
    tmp_path: Path,
    standards: Standards,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
    upgraded: bool,
) -> None:
    """Before, rewriting the secret in ledger_meta silently changed every later subject
    digest, so a learner's next credential no longer matched the account's subject."""
    path = tmp_path / "meta.db"
    if upgraded:  # a schema-4 ledger gets the guard with its first write
        _schema_4_ledger(path, standards, monkeypatch)
    with Ledger.open(path, standards, create=not upgraded) as lg:
        if not upgraded:
            lg.open_account("w-1", actor=Actor(id="w-1", role="learner"), key="o")
        digest = lg.subject_digest("did:example:x")
        assert lg.store.schema_version() >= 5  # upgraded by drawing the secret, its first write
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(change)
    with Ledger.open(path, standards) as lg:
        assert lg.subject_digest("did:example:x") == digest
        assert lg.verify().ok


@pytest.mark.parametrize(
    ("salt", "said"), [("short", "at least 16 bytes"), ("\udcff" * 20, "not valid UTF-8")]
)
def test_a_bad_subject_salt_is_refused_up_front(tmp_path: Path, salt: str, said: str) -> None:
    runner, db = _cli_ledger(tmp_path)
    signed = _write(tmp_path / "a.json", _signed())
    command = [*db, "deposit-badge", "w-1", str(signed), *PIN, *ISSUER_OPTIONS, "--key", "k"]
    result = runner.invoke(cli, command, env={"CREDITBANK_SUBJECT_SALT": salt})
    assert result.exit_code == 1 and said in result.output
    assert "internal error" not in result.output
    assert _statement(runner, db, "w-1") == []


# ------------------------------------------------- 4. id-less and squatted credentials


def test_an_id_less_credential_is_refused_and_an_unverified_copy_never_blocks_the_real_one(
    ledger: Ledger, standards: Standards
) -> None:
    ledger.open_account("w-3", actor=Actor(id="w-3", role="learner"), key="open-w-3")
    no_id = _badge()
    del no_id["id"]
    imported = _import(sign_credential(no_id, KEY, created=NOW), standards, trust=PINNED)
    (done,) = deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key="n")
    assert done.outcome == "refused" and done.error is not None
    assert "without an id" in done.error.message
    copy = _badge()  # the real credential's id, without its proof
    squat = _import(copy, standards, accept_unverified=True)
    (squatted,) = deposit_badges(
        ledger, "w-3", [squat], actor=ISSUER, key="sq", accept_unverified=True
    )
    assert squatted.outcome == "deposited"
    (genuine,) = deposit_badges(
        ledger, "w-1", [_import(_signed(), standards, trust=PINNED)], actor=ISSUER, key="g"
    )
    assert genuine.outcome == "deposited", genuine.error
    # and now the verified deposit keeps any further unverified copy out
    ledger.open_account("w-4", actor=Actor(id="w-4", role="learner"), key="open-w-4")
    (again,) = deposit_badges(
        ledger, "w-4", [squat], actor=ISSUER, key="sq2", accept_unverified=True
    )
    assert again.error is not None and again.error.code == "CREDENTIAL_IN_OTHER_ACCOUNT"


# ------------------------------------------------- 5. lone surrogates


def test_a_lone_surrogate_is_malformed_json_with_its_location(tmp_path: Path) -> None:
    with pytest.raises(InteropError) as caught:
        parse_json('{"credentialSubject": {"id": "did:example:\\ud800"}}')
    assert caught.value.code == "MALFORMED_JSON"
    assert "/credentialSubject/id" in caught.value.message
    assert parse_json('{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}  # a pair is fine
    runner, db = _cli_ledger(tmp_path)
    text = json.dumps(_signed()).replace('"did:example:worker-7"', '"did:example:\\ud800"')
    bad = tmp_path / "s.json"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(
        cli, [*db, "deposit-badge", "w-1", str(bad), *PIN, *ISSUER_OPTIONS, "--key", "k"]
    )
    assert result.exit_code == 1 and "MALFORMED_JSON" in result.output
    assert "internal error" not in result.output


# ------------------------------------------------- 6. expired, checked as of the past


def test_a_credential_expired_before_the_deposit_is_refused_on_both_paths(
    tmp_path: Path,
) -> None:
    runner, db = _cli_ledger(tmp_path)
    expired = _badge()
    expired["id"] = "urn:uuid:expired-1"
    expired["validUntil"] = "2025-01-01T00:00:00Z"
    created = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    signed = _write(tmp_path / "e.json", sign_credential(expired, KEY, created=created))
    past = ["--at", "2024-12-01T00:00:00"]
    badge = [*db, "deposit-badge", "w-1", str(signed), *PIN, *ISSUER_OPTIONS, *past]
    result = runner.invoke(cli, [*badge, "--key", "b", "--format", "json"])
    assert result.exit_code == 1 and "CREDENTIAL_EXPIRED" in result.output
    portfolio = tmp_path / "p.yaml"
    made = runner.invoke(cli, ["import", "badge", str(signed), *PIN, *past, "-o", str(portfolio)])
    assert made.exit_code == 0, made.output
    result = runner.invoke(
        cli, [*db, "deposit", "w-1", str(portfolio), *ISSUER_OPTIONS, "--key", "d"]
    )
    assert result.exit_code == 1 and "CREDENTIAL_EXPIRED" in result.output
    assert _statement(runner, db, "w-1") == []


# ------------------------------------------------- 7. VC 2.0 JWT exp


def test_a_vc2_jwt_exp_becomes_the_achievements_expiry(standards: Standards) -> None:
    issuer = did_key(KEY.public_key())
    kid = issuer + "#" + issuer.removeprefix("did:key:")
    badge = _badge()
    badge["issuer"] = {"id": issuer, "type": ["Profile"], "name": "x"}
    del badge["validUntil"]
    exp = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    payload = dict(badge, exp=int(exp.timestamp()), iss=issuer, jti=badge["id"])

    def encode(part: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    signing_input = encode({"alg": "EdDSA", "kid": kid}) + "." + encode(payload)
    signature = base64.urlsafe_b64encode(KEY.sign(signing_input.encode())).rstrip(b"=")
    token = signing_input + "." + signature.decode()
    from creditbank.interop.openbadges import import_badge_text

    imported = import_badge_text(token, standards, now=NOW, trust={issuer: []})
    (record,) = imported.records
    assert record.verification.verified and record.achievement is not None
    assert record.achievement.expires_on == exp.date()


def test_ledger_errors_of_the_review_are_documented() -> None:
    readme = (ROOT / "docs" / "ledger.md").read_text(encoding="utf-8")
    for code in ("SUBJECT_MISMATCH", "CREDENTIAL_EXPIRED"):
        assert f"`{code}`" in readme
    with pytest.raises(LedgerError):
        subject_digest("x", "short")
