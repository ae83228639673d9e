"""Imported credentials into the ledger: it records which were verified, never the invalid."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditbank import bundled_standards_path, load_standards
from creditbank.cli import cli
from creditbank.errors import LedgerError
from creditbank.interop.deposit import credential_check, deposit_badges
from creditbank.interop.export import sign_credential
from creditbank.interop.keys import multibase_from_public_key
from creditbank.interop.openbadges import BadgeImport, import_badge_text
from creditbank.ledger import Actor, Ledger
from creditbank.ledger.events import AchievementDeposited
from creditbank.models import Standards
from tests.interop_helpers import KEY, NOW, block_network
from tests.test_interop_openbadges import electrician_badge

CENTRE = "https://demo-assessment-centre.example/issuer"
ISSUER = Actor(id="s-7", role="issuer", organisation="demo-assessment-centre")
LEARNER = Actor(id="w-1", role="learner")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    block_network(monkeypatch)
    monkeypatch.delenv("CREDITBANK_STANDARDS", raising=False)


@pytest.fixture(scope="module")
def standards() -> Standards:
    return load_standards(bundled_standards_path())


@pytest.fixture
def ledger(tmp_path: Path, standards: Standards) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "bank.db", standards, create=True) as opened:
        opened.open_account("w-1", actor=LEARNER, key="open-w-1")
        yield opened


def _badge() -> dict[str, Any]:
    badge = electrician_badge()
    badge["issuer"] = {"id": CENTRE, "type": ["Profile"], "name": "示例职业技能等级认定中心"}
    return badge


def _signed() -> dict[str, Any]:
    """Signed by KEY, named in the method's fragment: verified when the key is pinned."""
    return sign_credential(_badge(), KEY, created=NOW)


PINNED = {CENTRE: [multibase_from_public_key(KEY.public_key())]}


def _import(document: dict[str, Any], standards: Standards, **options: Any) -> BadgeImport:
    return import_badge_text(
        json.dumps(document, ensure_ascii=False), standards, now=NOW, **options
    )


def test_a_verified_credential_is_deposited_as_verified_with_its_check(
    ledger: Ledger, standards: Standards
) -> None:
    imported = _import(_signed(), standards, trust=PINNED)
    assert imported.verifications[0].verified
    (done,) = deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key="badges-1")
    assert done.outcome == "deposited" and done.receipt is not None
    (event,) = done.receipt.events
    assert isinstance(event.payload, AchievementDeposited)
    assert event.payload.verification == "verified"
    check = event.payload.credential_check
    assert check is not None and (check.status, check.reason) == ("verified", "VERIFIED")
    assert (check.method, check.issuer, check.issuer_trust) == (
        "eddsa-rdfc-2022",
        CENTRE,
        "standards",
    )
    assert check.credential == _badge()["id"]
    (line,) = ledger.statement("w-1").achievements
    assert line.verification == "verified" and line.credential_check == check
    assert line.issuer == "demo-assessment-centre"
    assert line.evidence == "https://evidence.example/exam/123"
    exported = "".join(ledger.export_events("w-1"))
    assert '"credential_check":{' in exported and '"reason":"VERIFIED"' in exported
    assert ledger.verify().ok
    (again,) = deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key="badges-1")
    assert again.outcome == "replayed"  # the same files again change nothing


def test_an_unverifiable_credential_only_when_accepted_and_recorded_as_unverified(
    ledger: Ledger, standards: Standards
) -> None:
    imported = _import(_badge(), standards, accept_unverified=True)  # no proof
    assert imported.verifications[0].reason == "NO_PROOF" and imported.accepted
    (skipped,) = deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key="b")
    assert skipped.outcome == "skipped" and skipped.skipped is not None
    assert "unverifiable (NO_PROOF)" in skipped.skipped
    assert ledger.statement("w-1").achievements == ()
    (done,) = deposit_badges(
        ledger, "w-1", [imported], actor=ISSUER, key="b", accept_unverified=True
    )
    assert done.outcome == "deposited"
    (line,) = ledger.statement("w-1").achievements
    assert line.verification == "unverified"
    assert line.credential_check is not None
    assert (line.credential_check.status, line.credential_check.reason) == (
        "unverifiable",
        "NO_PROOF",
    )
    assert "carries no proof" in line.credential_check.message
    strict = _import(_badge(), standards)  # not accepted at the import: never deposited
    (refused,) = deposit_badges(
        ledger, "w-1", [strict], actor=ISSUER, key="c", accept_unverified=True
    )
    assert refused.outcome == "skipped" and "did not accept" in str(refused.skipped)


def test_an_invalid_credential_is_never_deposited(ledger: Ledger, standards: Standards) -> None:
    tampered = _signed()
    tampered["credentialSubject"]["creditsEarned"] = 40
    imported = _import(tampered, standards, trust=PINNED, accept_unverified=True)
    assert imported.verifications[0].reason == "BAD_SIGNATURE"
    forged = copy.deepcopy(imported.records[0])
    assert credential_check(forged.verification) is None
    (done,) = deposit_badges(
        ledger, "w-1", [imported], actor=ISSUER, key="x", accept_unverified=True
    )
    assert done.outcome == "skipped" and "never deposited" in str(done.skipped)
    assert ledger.statement("w-1").achievements == ()


def test_the_ledger_refuses_a_check_that_contradicts_the_verification(
    ledger: Ledger, standards: Standards
) -> None:
    imported = _import(_signed(), standards, trust=PINNED)
    (achievement,) = imported.accepted
    check = credential_check(imported.verifications[0])
    assert check is not None
    with pytest.raises(LedgerError) as caught:
        ledger.deposit(
            "w-1",
            achievement,
            actor=ISSUER,
            key="k1",
            verification="unverified",
            credential_check=check,
        )
    assert caught.value.code == "MALFORMED_COMMAND" and "verified" in caught.value.message
    invalid = {**check.model_dump(), "status": "invalid"}
    with pytest.raises(LedgerError) as caught:
        ledger.deposit("w-1", achievement, actor=ISSUER, key="k2", credential_check=invalid)
    assert caught.value.code == "MALFORMED_COMMAND"
    assert ledger.statement("w-1").achievements == ()


def test_deposits_without_a_check_are_stored_as_before_and_old_ledgers_open(
    tmp_path: Path, standards: Standards, monkeypatch: pytest.MonkeyPatch
) -> None:
    from creditbank.ledger import sqlite as sqlite_store
    from creditbank.ledger.schema import MIGRATIONS, SCHEMA_VERSION

    assert SCHEMA_VERSION >= 3
    path = tmp_path / "v2.db"
    deposit = {
        "id": "elec-l3",
        "unit": "skill:csco2022:6-31-01-03",
        "level": "三级",
        "earned_on": "2023-06-30",
    }
    with monkeypatch.context() as patch:  # a ledger written before schema 3
        patch.setattr(sqlite_store, "MIGRATIONS", MIGRATIONS[:2])
        patch.setattr(sqlite_store, "SCHEMA_VERSION", 2)
        with Ledger.open(path, standards, create=True) as old:
            old.open_account("w-1", actor=LEARNER, key="k-open")
            receipt = old.deposit("w-1", deposit, actor=ISSUER, key="k-dep")
            assert old.store.schema_version() == 2
    (event,) = receipt.events
    assert "credential_check" not in event.payload.model_dump(mode="json")
    with Ledger.open(path, standards) as new:  # opening upgrades it; the chain still holds
        assert new.store.schema_version() == SCHEMA_VERSION
        assert new.verify().ok
        (line,) = new.statement("w-1").achievements
        assert line.credential_check is None and line.verification == "verified"
        assert all("credential_check" not in e for e in new.export_events("w-1"))
        again = new.deposit("w-1", deposit, actor=ISSUER, key="k-dep")  # same command hash
        assert again.replayed
    with monkeypatch.context() as patch:  # the older creditbank now says so clearly
        patch.setattr(sqlite_store, "SCHEMA_VERSION", 2)
        with pytest.raises(LedgerError) as caught:
            Ledger.open(path, standards)
        assert caught.value.code == "SCHEMA_TOO_NEW"


def test_the_cli_deposits_badges_and_the_statement_shows_how_they_were_verified(
    tmp_path: Path,
) -> None:
    runner = CliRunner(env={"COLUMNS": "400"})
    db = ["ledger", "--db", str(tmp_path / "bank.db")]
    assert runner.invoke(cli, [*db, "init"]).exit_code == 0
    opened = runner.invoke(cli, [*db, "open", "w-1", "--actor", "w-1", "--role", "learner"])
    assert opened.exit_code == 2  # --key is required
    opened = runner.invoke(
        cli, [*db, "open", "w-1", "--actor", "w-1", "--role", "learner", "--key", "k0"]
    )
    assert opened.exit_code == 0, opened.output
    signed, unsigned, tampered = (tmp_path / f"{n}.json" for n in ("a", "b", "c"))
    signed.write_text(json.dumps(_signed(), ensure_ascii=False), encoding="utf-8")
    badge = _badge()
    badge["id"] = "urn:uuid:9b0e2f7c-1111-4c2d-8e3f-0000000000b2"
    unsigned.write_text(json.dumps(badge, ensure_ascii=False), encoding="utf-8")
    broken = _signed()
    broken["name"] = "改过的"
    tampered.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    issuer = ["--actor", "s-7", "--role", "issuer", "--org", "demo-assessment-centre"]
    pin = ["--trust-issuer", f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
    at = ["--at", "2026-11-29T13:00:00", *issuer]
    common = [*pin, *at, "--key", "imp"]
    result = runner.invoke(cli, [*db, "deposit-badge", "w-1", str(signed), *common])
    assert result.exit_code == 0, result.output
    assert "deposited as verified" in result.output
    # no key pinned: an unsigned credential of the centre is unverifiable, not invalid
    unpinned = [*at, "--key", "imp2"]
    strict = runner.invoke(cli, [*db, "deposit-badge", "w-1", str(unsigned), *unpinned])
    assert strict.exit_code == 0, strict.output
    assert "skipped: the credential is unverifiable (NO_PROOF)" in strict.output
    lenient = runner.invoke(
        cli,
        [
            *db,
            "deposit-badge",
            "w-1",
            str(unsigned),
            str(tampered),
            *unpinned,
            "--accept-unverified",
        ],
    )
    assert lenient.exit_code == 1, lenient.output  # the tampered one is invalid
    assert "deposited as UNVERIFIED" in lenient.output and "BAD_SIGNATURE" in lenient.output
    statement = runner.invoke(cli, [*db, "statement", "w-1"])
    assert statement.exit_code == 0, statement.output
    assert "credential verified: eddsa-rdfc-2022, VERIFIED" in statement.output
    assert "credential unverifiable: NO_PROOF" in statement.output
    as_json = json.loads(runner.invoke(cli, [*db, "statement", "w-1", "--format", "json"]).output)
    checks = sorted(
        (a["verification"], a["credential_check"]["reason"]) for a in as_json["achievements"]
    )
    assert checks == [("unverified", "NO_PROOF"), ("verified", "VERIFIED")]
    report = runner.invoke(
        cli, [*db, "deposit-badge", "w-1", str(signed), *common, "--format", "json"]
    )
    assert report.exit_code == 0
    assert json.loads(report.output)["deposits"][0]["outcome"] == "replayed"
    off = runner.invoke(
        cli,
        [*db, "deposit-badge", "w-1", str(signed), *common[2:], "--no-issuer-check"],
    )
    assert "the issuer whitelist was OFF" in off.output
    missing = runner.invoke(
        cli, [*db, "deposit-badge", "w-1", str(tmp_path / "none.json"), *common]
    )
    assert missing.exit_code == 1 and "Traceback" not in missing.output
