"""Imported credentials into the ledger: it records which were verified, never the invalid."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.errors import LedgerError
from creditbank.interop.deposit import credential_check, deposit_badges, deposits_done
from creditbank.interop.export import sign_credential
from creditbank.interop.keys import multibase_from_public_key
from creditbank.interop.openbadges import BadgeImport, import_badge_text, imported_credential
from creditbank.ledger import Actor, Ledger
from creditbank.ledger.events import AchievementDeposited
from creditbank.models import Standards
from tests.interop.helpers import KEY, LEARNER, NOW, OTHER_KEY, ledger
from tests.interop.partial import partly_refused_clr
from tests.interop.test_openbadges import electrician_badge

CENTRE = "https://demo-assessment-centre.example/issuer"
ISSUER = Actor(id="s-7", role="issuer", organisation="demo-assessment-centre")


__all__ = ["ledger"]  # a fixture
pytestmark = pytest.mark.usefixtures("no_network")


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
    (record,) = imported.records
    assert imported_credential(record.verification, NOW, None) is None
    (done,) = deposit_badges(
        ledger, "w-1", [imported], actor=ISSUER, key="x", accept_unverified=True
    )
    assert done.outcome == "skipped" and "never deposited" in str(done.skipped)
    # a forged record: marked accepted, with an achievement, but its credential invalid
    genuine = _import(_signed(), standards, trust=PINNED)
    forged = dataclasses.replace(record, accepted=True, achievement=genuine.records[0].achievement)
    assert forged.accepted and forged.achievement is not None
    forgery = dataclasses.replace(imported, records=(forged,))
    assert forgery.accepted  # the import would hand it over ...
    (done,) = deposit_badges(
        ledger, "w-1", [forgery], actor=ISSUER, key="y", accept_unverified=True
    )
    assert done.outcome == "skipped" and "never deposited" in str(done.skipped)  # ... never
    assert ledger.statement("w-1").achievements == ()


def test_the_ledger_refuses_a_check_that_contradicts_the_verification(
    ledger: Ledger, standards: Standards
) -> None:
    imported = _import(_signed(), standards, trust=PINNED)
    (achievement,) = imported.accepted
    kept = imported_credential(imported.verifications[0], NOW, None)
    assert kept is not None
    check = credential_check(kept, subject=None)
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
    with Ledger.open(path, standards) as new:  # reading leaves it as it is
        assert new.verify().ok
        (line,) = new.statement("w-1").achievements
        assert line.credential_check is None and line.verification == "verified"
        assert all("credential_check" not in e for e in new.export_events("w-1"))
        assert new.store.schema_version() == 2
    with monkeypatch.context() as patch:  # so the older creditbank still reads it
        patch.setattr(sqlite_store, "MIGRATIONS", MIGRATIONS[:2])
        patch.setattr(sqlite_store, "SCHEMA_VERSION", 2)
        with Ledger.open(path, standards) as old:
            assert old.verify().ok
    with Ledger.open(path, standards) as new:  # the first write upgrades; the chain holds
        again = new.deposit("w-1", deposit, actor=ISSUER, key="k-dep")  # same command hash
        assert again.replayed
        assert new.store.schema_version() == SCHEMA_VERSION
        assert new.verify().ok
    with monkeypatch.context() as patch:  # the older creditbank now says so clearly
        patch.setattr(sqlite_store, "SCHEMA_VERSION", 2)
        with pytest.raises(LedgerError) as caught:
            Ledger.open(path, standards)
        assert caught.value.code == "SCHEMA_TOO_NEW"


def test_a_deposit_is_complete_partial_or_nothing_by_one_rule(
    ledger: Ledger, standards: Standards
) -> None:
    """The rule both ``ledger deposit-badge`` and the HTTP route follow (review of issue 17:
    it was written twice, and the route called a partly refused deposit complete)."""
    clr = _import(partly_refused_clr(), standards, trust=PINNED)
    done = deposit_badges(ledger, "w-1", [clr], actor=ISSUER, key="p")
    assert [d.outcome for d in done] == ["deposited", "refused"]
    partial = deposits_done(done, [clr])
    assert (partial.state, partial.complete) == ("partial", False)
    (refused,) = partial.refused
    second = done[1].record.achievement
    assert second is not None and (refused.code, refused.achievement) == (
        "NOT_AUTHORISED",
        second.id,
    )
    # the same again: the deposited one replays, the other is refused again
    assert deposits_done(deposit_badges(ledger, "w-1", [clr], actor=ISSUER, key="p")).state == (
        "partial"
    )
    badge = _import(_signed(), standards, trust=PINNED)
    alone = deposits_done(deposit_badges(ledger, "w-1", [badge], actor=ISSUER, key="q"), [badge])
    assert (alone.state, alone.refused) == ("complete", ())
    broken = import_badge_text("{not json", standards, now=NOW)
    assert broken.error is not None
    # a rejected file spoils a complete deposit; without anything deposited it is nothing
    assert deposits_done(alone.deposits, [badge, broken]).state == "partial"
    assert deposits_done(alone.deposits, [broken]).refused[0].code == broken.error.code
    unverifiable = _import(_badge(), standards, accept_unverified=True)
    skipped = deposit_badges(ledger, "w-1", [unverifiable], actor=ISSUER, key="r")
    assert deposits_done(skipped, [unverifiable]).state == "nothing"


def test_the_cli_deposits_badges_and_the_statement_shows_how_they_were_verified(
    tmp_path: Path,
) -> None:
    runner = CliRunner(env={"COLUMNS": "400"})
    db = ["ledger", "--db", str(tmp_path / "bank.db")]
    assert runner.invoke(cli, [*db, "init"]).exit_code == 0
    # --key is optional since issue 20 item 9: a generated key is printed back
    opened = runner.invoke(cli, [*db, "open", "w-1", "--actor", "w-1", "--role", "learner"])
    assert opened.exit_code == 0, opened.output
    assert "key" in opened.output.lower()
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
    assert strict.exit_code == 1, strict.output  # nothing was deposited
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
    # without a whitelist no key is pinned for the centre: its fragment key binds nothing,
    # so the credential is unverifiable and, not accepted, is not deposited (exit 1)
    assert off.exit_code == 1, off.output
    assert "the issuer whitelist was OFF" in off.output
    assert "0 achievement(s) deposited" in off.output
    assert "skipped: the credential is unverifiable (UNBOUND_KEY)" in off.output
    missing = runner.invoke(
        cli, [*db, "deposit-badge", "w-1", str(tmp_path / "none.json"), *common]
    )
    assert missing.exit_code == 1 and "Traceback" not in missing.output


# ------------------------------------------------------------ the review of 1630c58

OPERATOR = Actor(id="op-1", role="bank_operator")


def _self_issued(**changes: Any) -> tuple[dict[str, Any], str]:
    """A credential its did:key issuer signed itself: verified, by no standards issuer."""
    from creditbank.interop.keys import did_key

    issuer = did_key(OTHER_KEY.public_key())
    badge = _badge()
    badge["issuer"] = {"id": issuer, "type": ["Profile"], "name": "anyone"}
    badge.update(changes)
    return sign_credential(badge, OTHER_KEY, created=NOW), issuer


def test_a_credential_of_no_standards_issuer_is_never_deposited_in_the_depositors_name(
    ledger: Ledger, standards: Standards, tmp_path: Path
) -> None:
    """Before, decide filled in the depositor's organisation: a self-issued credential went
    in as verified, "issued by demo-assessment-centre"."""
    from creditbank.interop.openbadges import load_mapping

    document, issuer = _self_issued()
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text(f"issuers:\n  '{issuer}': {{}}\n", encoding="utf-8")
    ways = {
        "--trust-issuer": {"trust": [issuer]},
        "mapping issuers: without issuer:": {"mapping": load_mapping(mapping_file)},
        "--no-issuer-check": {"issuer_check": False},
    }
    for number, (way, options) in enumerate(ways.items()):
        imported = _import(document, standards, **options)
        (record,) = imported.records
        assert record.verification.verified and record.accepted, way
        assert record.achievement is not None and record.achievement.issuer is None
        (done,) = deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key=f"k{number}")
        assert done.outcome == "refused" and done.error is not None, way
        assert done.error.code == "NOT_AUTHORISED"
        assert "no issuer of the standards" in done.error.message
        assert issuer in done.error.message
    assert ledger.statement("w-1").achievements == ()
    # a credential mapped to a standards issuer is that issuer's, as before
    mapped = tmp_path / "mapped.yaml"
    mapped.write_text(
        f"issuers:\n  '{issuer}': {{issuer: demo-assessment-centre}}\n", encoding="utf-8"
    )
    imported = _import(document, standards, mapping=load_mapping(mapped))
    (done,) = deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key="k-mapped")
    assert done.outcome == "deposited", done.error
    (line,) = ledger.statement("w-1").achievements
    assert line.issuer == "demo-assessment-centre"


def test_an_empty_credential_id_is_no_id_and_a_check_that_cannot_be_kept_is_refused(
    ledger: Ledger, standards: Standards
) -> None:
    """Before, CredentialCheck(credential="") raised outside the try: exit 70 after the
    earlier files had been deposited."""
    good = _import(_signed(), standards, trust=PINNED)
    empty = _badge()
    empty["id"] = ""
    empty["credentialSubject"]["licenseNumber"] = "S000044010001242000999"
    no_id = _import(sign_credential(empty, KEY, created=NOW), standards, trust=PINNED)
    assert no_id.records[0].verification.verified
    first, second = deposit_badges(ledger, "w-1", [good, no_id], actor=ISSUER, key="k")
    # review 2: an id-less credential could go into any number of accounts: refused
    assert (first.outcome, second.outcome) == ("deposited", "refused"), second.error
    assert second.error is not None and "without an id" in second.error.message
    checks = [line.credential_check for line in ledger.statement("w-1").achievements]
    assert [str(c.credential if c else "-") for c in checks] == [str(_badge()["id"])]
    # a verification the ledger cannot keep is a refused deposit, never a traceback
    (record,) = good.records
    odd = dataclasses.replace(record.verification, status="unverifiable")  # VERIFIED?
    broken = dataclasses.replace(good, records=(dataclasses.replace(record, verification=odd),))
    (refused,) = deposit_badges(
        ledger, "w-1", [broken], actor=ISSUER, key="k2", accept_unverified=True
    )
    assert refused.outcome == "refused" and refused.error is not None
    assert refused.error.code == "MALFORMED_COMMAND" and "VERIFIED" in refused.error.message


def test_a_check_whose_reason_contradicts_its_status_is_refused(
    ledger: Ledger, standards: Standards
) -> None:
    from pydantic import ValidationError

    from creditbank.ledger.events import CredentialCheck

    (achievement,) = _import(_signed(), standards, trust=PINNED).accepted
    contradiction = {
        "status": "verified",
        "reason": "BAD_SIGNATURE",
        "message": "the signature does not match",
        "method": "vc-jwt",
    }
    with pytest.raises(LedgerError) as caught:
        ledger.deposit("w-1", achievement, actor=ISSUER, key="k", credential_check=contradiction)
    assert caught.value.code == "MALFORMED_COMMAND" and "invalid" in caught.value.message
    for status, reason in (("verified", "NO_PROOF"), ("unverifiable", "VERIFIED")):
        with pytest.raises(ValidationError):
            CredentialCheck(status=status, reason=reason, message="m")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not a reason of the verifier"):
        CredentialCheck(status="verified", reason="LOOKS_FINE", message="m")
    assert ledger.statement("w-1").achievements == ()


def test_the_check_time_is_recorded_never_in_the_future_and_a_late_replay_is_a_replay(
    tmp_path: Path, standards: Standards
) -> None:
    clock_now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with Ledger.open(tmp_path / "b.db", standards, create=True, clock=lambda: clock_now) as lg:
        lg.open_account("w-1", actor=LEARNER, key="open")
        imported = _import(_signed(), standards, trust=PINNED)
        assert imported.checked_at == NOW
        (done,) = deposit_badges(lg, "w-1", [imported], actor=ISSUER, key="k")
        assert done.outcome == "deposited"
        (line,) = lg.statement("w-1").achievements
        assert line.credential_check is not None and line.credential_check.checked_at == NOW
        later = import_badge_text(
            json.dumps(_signed()), standards, now=NOW + dt.timedelta(hours=1), trust=PINNED
        )
        (again,) = deposit_badges(lg, "w-1", [later], actor=ISSUER, key="k")
        assert again.outcome == "replayed"  # the check time is not part of the command
        future = import_badge_text(
            json.dumps(_signed()), standards, now=clock_now + dt.timedelta(days=1), trust=PINNED
        )
        # refused up front, for Python callers as for the CLI's --at (which no longer checks
        # it itself): the library names the argument at fault, nothing is written
        before = len(lg.events("w-1"))
        with pytest.raises(LedgerError) as refused:
            deposit_badges(lg, "w-1", [future], actor=ISSUER, key="k-future")
        assert refused.value.detail["parameter"] == "at"
        assert "in the future" in refused.value.message
        assert len(lg.events("w-1")) == before


def test_one_subject_per_run_a_subject_digest_and_a_credential_in_one_account(
    ledger: Ledger, standards: Standards
) -> None:
    ledger.open_account("w-2", actor=Actor(id="w-2", role="learner"), key="open-w-2")
    alice, bob = _badge(), _badge()
    alice["credentialSubject"]["id"] = "did:example:alice"
    bob["credentialSubject"]["id"] = "did:example:bob"
    bob["id"] = "urn:uuid:9b0e2f7c-1111-4c2d-8e3f-0000000000bb"
    both = [
        _import(sign_credential(b, KEY, created=NOW), standards, trust=PINNED) for b in (alice, bob)
    ]
    mixed = deposit_badges(ledger, "w-1", both, actor=ISSUER, key="mixed")
    assert [d.outcome for d in mixed] == ["skipped", "skipped"]
    assert all("2 subjects" in str(d.skipped) for d in mixed)
    assert ledger.statement("w-1").achievements == ()
    (done,) = deposit_badges(ledger, "w-1", both[:1], actor=ISSUER, key="alice")
    assert done.outcome == "deposited"
    (line,) = ledger.statement("w-1").achievements
    check = line.credential_check
    assert check is not None and check.subject is not None and check.subject.startswith("sub-")
    assert "did:example:alice" not in "".join(ledger.export_events())
    # the same credential into another account: refused while it is active in the first
    (elsewhere,) = deposit_badges(ledger, "w-2", both[:1], actor=ISSUER, key="alice-2")
    assert elsewhere.outcome == "refused" and elsewhere.error is not None
    assert elsewhere.error.code == "CREDENTIAL_IN_OTHER_ACCOUNT"
    assert "w-1" not in elsewhere.error.message  # names no other learner's account
    ledger.revoke("w-1", line.id, actor=OPERATOR, key="rv", reason="deposited in error")
    (moved,) = deposit_badges(ledger, "w-2", both[:1], actor=ISSUER, key="alice-3")
    assert moved.outcome == "deposited", moved.error
    (line2,) = ledger.statement("w-2").achievements
    assert line2.credential_check is not None
    # review 2: keyed with the ledger's own secret, the same subject, the same digest
    assert line2.credential_check.subject == check.subject
    # w-2 is bound to alice's subject now: bob's credential is refused there
    (bobs,) = deposit_badges(ledger, "w-2", both[1:], actor=ISSUER, key="bob-w-2")
    assert bobs.outcome == "refused" and bobs.error is not None
    assert bobs.error.code == "SUBJECT_MISMATCH"


def test_a_key_too_long_for_the_appended_achievement_is_refused_before_anything(
    ledger: Ledger, standards: Standards
) -> None:
    from creditbank.interop.deposit import key_room

    imported = _import(_signed(), standards, trust=PINNED)
    assert key_room() == 200 - len(":badge-000000000000")
    with pytest.raises(LedgerError) as caught:
        deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key="k" * (key_room() + 1))
    assert caught.value.code == "MALFORMED_COMMAND" and str(key_room()) in caught.value.message
    assert ledger.statement("w-1").achievements == ()
    (done,) = deposit_badges(ledger, "w-1", [imported], actor=ISSUER, key="k" * key_room())
    assert done.outcome == "deposited"


def _cli_ledger(tmp_path: Path) -> tuple[CliRunner, list[str]]:
    runner = CliRunner(env={"COLUMNS": "400"})
    db = ["ledger", "--db", str(tmp_path / "bank.db")]
    assert runner.invoke(cli, [*db, "init"]).exit_code == 0
    for account in ("w-1", "w-2"):
        opened = runner.invoke(
            cli, [*db, "open", account, "--actor", account, "--role", "learner", "--key", account]
        )
        assert opened.exit_code == 0, opened.output
    return runner, db


ISSUER_OPTIONS = ["--actor", "s-7", "--role", "issuer", "--org", "demo-assessment-centre"]


def test_the_cli_refuses_a_future_check_a_long_key_and_exits_1_when_nothing_is_deposited(
    tmp_path: Path,
) -> None:
    runner, db = _cli_ledger(tmp_path)
    signed = tmp_path / "a.json"
    signed.write_text(json.dumps(_signed(), ensure_ascii=False), encoding="utf-8")
    pin = ["--trust-issuer", f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
    command = [*db, "deposit-badge", "w-1", str(signed), *pin, *ISSUER_OPTIONS]
    future = runner.invoke(cli, [*command, "--key", "k", "--at", "2999-01-01"])
    assert future.exit_code == 2 and "in the future" in future.output
    long_key = runner.invoke(cli, [*command, "--key", "k" * 182])
    assert long_key.exit_code == 2 and "at most 181" in long_key.output
    assert "Traceback" not in long_key.output
    past = runner.invoke(cli, [*command, "--key", "k", "--at", "2026-11-29T13:00:00"])
    assert past.exit_code == 0, past.output
    statement = runner.invoke(cli, [*db, "statement", "w-1"])
    assert "checked as of 2026-11-29T13:00:00+00:00, before the deposit" in statement.output
    as_json = json.loads(runner.invoke(cli, [*db, "statement", "w-1", "--format", "json"]).output)
    assert as_json["achievements"][0]["credential_check"]["checked_at"].startswith("2026-11-29")
    other = runner.invoke(
        cli,
        [
            *db,
            "deposit-badge",
            "w-2",
            str(signed),
            *pin,
            *ISSUER_OPTIONS,
            "--key",
            "k2",
            "--at",
            "2026-11-29T13:00:00",
        ],
    )
    assert other.exit_code == 1 and "CREDENTIAL_IN_OTHER_ACCOUNT" in other.output
    assert "0 achievement(s) deposited" in other.output


def test_the_cli_refuses_credentials_of_several_subjects_in_one_run(tmp_path: Path) -> None:
    runner, db = _cli_ledger(tmp_path)
    files = []
    for name in ("alice", "bob"):
        badge = _badge()
        badge["id"] = (
            f"urn:uuid:9b0e2f7c-1111-4c2d-8e3f-00000000{name[:1]}{name[:1]}{name[:1]}{name[:1]}"
        )
        badge["credentialSubject"]["id"] = f"did:example:{name}"
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(sign_credential(badge, KEY, created=NOW)), encoding="utf-8")
        files.append(str(path))
    pin = ["--trust-issuer", f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
    result = runner.invoke(
        cli,
        [
            *db,
            "deposit-badge",
            "w-1",
            *files,
            *pin,
            *ISSUER_OPTIONS,
            "--key",
            "k",
            "--at",
            "2026-11-29T13:00:00",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "2 subjects" in result.output and "0 achievement(s) deposited" in result.output


def test_an_unverified_import_is_deposited_unverified_from_its_portfolio_file(
    tmp_path: Path,
) -> None:
    """Before, `import badge --accept-unverified -o p.yaml` then `ledger deposit` recorded
    the achievement as verified (the --verification default)."""
    from creditbank.loading import load_portfolio

    runner, db = _cli_ledger(tmp_path)
    unsigned = tmp_path / "b.json"
    unsigned.write_text(json.dumps(_badge(), ensure_ascii=False), encoding="utf-8")
    portfolio = tmp_path / "p.yaml"
    at = ["--at", "2026-11-29T13:00:00"]
    imported = runner.invoke(
        cli, ["import", "badge", str(unsigned), "--accept-unverified", *at, "-o", str(portfolio)]
    )
    assert imported.exit_code == 0, imported.output
    (achievement,) = load_portfolio(portfolio).achievements
    kept = load_portfolio(portfolio).credentials[achievement.id]
    assert (kept.status, kept.reason) == ("unverifiable", "NO_PROOF")
    deposit = [*db, "deposit", "w-1", str(portfolio), *ISSUER_OPTIONS, "--format", "json"]
    # review 2: --verification never overrides an imported achievement's check
    told = runner.invoke(cli, [*deposit, "--key", "d0", "--verification", "verified"])
    assert told.exit_code == 2 and "cannot change it" in told.output
    done = runner.invoke(cli, [*deposit, "--key", "d1"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["events"][0]["payload"]["verification"] == "unverified"
    signed = tmp_path / "a.json"
    signed.write_text(json.dumps(_signed(), ensure_ascii=False), encoding="utf-8")
    pin = ["--trust-issuer", f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
    verified = tmp_path / "v.yaml"
    result = runner.invoke(cli, ["import", "badge", str(signed), *pin, *at, "-o", str(verified)])
    assert result.exit_code == 0, result.output
    done = runner.invoke(
        cli,
        [*db, "deposit", "w-2", str(verified), *ISSUER_OPTIONS, "--format", "json", "--key", "d3"],
    )
    assert json.loads(done.output)["events"][0]["payload"]["verification"] == "verified"
