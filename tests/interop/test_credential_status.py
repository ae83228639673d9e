"""Issue 14, item 1: a credential that carries a status (``credentialStatus``) is never
verified-and-accepted without that status having been checked (``STATUS_UNCHECKED``), is
deposited only when the caller accepts unchecked status explicitly, and the ledger records
that its status was not checked. Status lists are not checked yet."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.errors import FileError, LedgerError
from creditbank.interop.deposit import deposit_badges, deposit_imported
from creditbank.interop.export import sign_credential, sign_jwt
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.keys import did_key, multibase_from_public_key, verification_method_for
from creditbank.interop.openbadges import import_badge_text, to_portfolio
from creditbank.interop.verify import verify_credential, verify_jwt
from creditbank.ledger import Actor, Ledger, Receipt
from creditbank.ledger.events import AchievementDeposited, CredentialCheck
from creditbank.models import Standards
from tests.interop.helpers import KEY, NOW, ledger
from tests.interop.test_openbadges import electrician_badge

CENTRE = "https://demo-assessment-centre.example/issuer"
DEPOSITOR = Actor(id="s-7", role="issuer", organisation="demo-assessment-centre")
PINNED = {CENTRE: [multibase_from_public_key(KEY.public_key())]}
REVOCATION = {
    "id": "https://status.example/lists/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://status.example/lists/3",
}


__all__ = ["ledger"]  # a fixture
pytestmark = pytest.mark.usefixtures("no_network")


def _badge(*, status: Any = REVOCATION, issuer: str | None = None) -> dict[str, Any]:
    badge = electrician_badge()
    if issuer is not None:
        badge["issuer"] = {"id": issuer, "type": ["Profile"], "name": "示例职业技能等级认定中心"}
    if status is not None:
        badge["credentialStatus"] = status
    return badge


def _text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False)


# ------------------------------------------------------------------- the verifier


def test_a_signed_credential_with_a_status_is_status_unchecked_never_verified() -> None:
    issuer = did_key(KEY.public_key())
    signed = sign_credential(_badge(), KEY, created=NOW)
    result = verify_credential(signed, now=NOW, trusted_issuers={issuer: ()})
    assert (result.status, result.reason) == ("unverifiable", "STATUS_UNCHECKED")
    assert not result.verified and result.credential_status == "unchecked"
    assert "BitstringStatusListEntry (revocation)" in result.message
    assert "proof verified" in result.message  # the signature itself is fine
    assert result.to_dict()["credential_status"] == "unchecked"
    plain = verify_credential(sign_credential(_badge(status=None), KEY, created=NOW), now=NOW)
    assert (plain.reason, plain.credential_status) == ("VERIFIED", None)


@pytest.mark.parametrize("status", [None, []])
def test_an_empty_status_carries_none(status: Any) -> None:
    document = _badge(status=None)
    document["credentialStatus"] = status
    result = verify_credential(sign_credential(document, KEY, created=NOW), now=NOW)
    assert result.reason == "VERIFIED" and result.credential_status is None


def test_a_vc_jwt_with_a_status_is_status_unchecked() -> None:
    verification, credential = verify_jwt(sign_jwt(_badge(), KEY), now=NOW)
    assert (verification.status, verification.reason) == ("unverifiable", "STATUS_UNCHECKED")
    assert verification.credential_status == "unchecked" and credential is not None
    plain, _ = verify_jwt(sign_jwt(_badge(status=None), KEY), now=NOW)
    assert plain.reason == "VERIFIED"


def test_a_problem_outranks_the_status_but_the_status_is_still_reported() -> None:
    tampered = sign_credential(_badge(), KEY, created=NOW)
    tampered["name"] = "改过的"
    result = verify_credential(tampered, now=NOW)
    assert (result.reason, result.credential_status) == ("BAD_SIGNATURE", "unchecked")
    unsigned = verify_credential(_badge(), now=NOW)
    assert (unsigned.reason, unsigned.credential_status) == ("NO_PROOF", "unchecked")


def test_the_acceptance_rule_fails_closed() -> None:
    from creditbank.interop.verify import why_not_accepted

    signed = verify_credential(sign_credential(_badge(), KEY, created=NOW), now=NOW)
    unsigned = verify_credential(_badge(), now=NOW)
    assert why_not_accepted(signed) is not None
    assert why_not_accepted(signed, accept_unverified=True) is not None
    assert why_not_accepted(signed, accept_unchecked_status=True) is None
    assert why_not_accepted(unsigned, accept_unverified=True) is not None
    assert why_not_accepted(unsigned, accept_unchecked_status=True) is not None
    both = {"accept_unverified": True, "accept_unchecked_status": True}
    assert why_not_accepted(unsigned, **both) is None


# ------------------------------------------------------------------- the importer


def test_the_importer_accepts_it_only_when_unchecked_status_is_accepted(
    standards: Standards,
) -> None:
    issuer = did_key(KEY.public_key())
    text = _text(sign_credential(_badge(), KEY, created=NOW))
    strict = import_badge_text(text, standards, now=NOW, trust=[issuer])
    (record,) = strict.records
    assert strict.verifications[0].reason == "STATUS_UNCHECKED"
    assert not record.accepted and strict.accepted == ()
    assert record.credential_status == "unchecked"
    assert any("STATUS_UNCHECKED" in note for note in record.notes)
    lenient_unverified = import_badge_text(
        text, standards, now=NOW, trust=[issuer], accept_unverified=True
    )
    assert lenient_unverified.accepted == ()  # --accept-unverified is not enough
    accepted = import_badge_text(
        text, standards, now=NOW, trust=[issuer], accept_unchecked_status=True
    )
    (achievement,) = accepted.accepted
    assert achievement.note is not None and "STATUS NOT CHECKED" in achievement.note
    assert "UNVERIFIED" not in achievement.note  # the signature did verify
    portfolio = to_portfolio([accepted], "w-1")
    check = portfolio.credentials[achievement.id]
    assert (check.reason, check.credential_status) == ("STATUS_UNCHECKED", "unchecked")
    assert accepted.to_dict()["records"][0]["credential_status"] == "unchecked"


def test_an_unverifiable_credential_with_a_status_needs_both_flags(standards: Standards) -> None:
    text = _text(_badge())
    for flags in ({"accept_unverified": True}, {"accept_unchecked_status": True}):
        assert (
            import_badge_text(text, standards, now=NOW, issuer_check=False, **flags).accepted == ()
        )
    both = import_badge_text(
        text,
        standards,
        now=NOW,
        issuer_check=False,
        accept_unverified=True,
        accept_unchecked_status=True,
    )
    (record,) = both.records
    assert record.accepted and record.credential_status == "unchecked"
    assert record.achievement is not None and record.achievement.note is not None
    assert "UNVERIFIED (NO_PROOF)" in record.achievement.note
    assert "STATUS NOT CHECKED" in record.achievement.note


def _clr_with_status(issuer: str, inner: dict[str, Any]) -> str:
    """A signed CLR of ``issuer`` carrying ``inner``, with a revocation status of its own."""
    clr = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        ],
        "id": "urn:uuid:9b0e2f7c-1111-4c2d-8e3f-0000000000c1",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "name": "学习记录",
        "validFrom": "2024-07-01T00:00:00Z",
        "credentialStatus": REVOCATION,
        "credentialSubject": {
            "id": "did:example:worker-7",
            "type": ["ClrSubject"],
            "verifiableCredential": [inner],
        },
    }
    return _text(sign_credential(clr, KEY, created=NOW))


def test_a_credential_inside_a_clr_with_a_status_is_status_unchecked(
    standards: Standards,
) -> None:
    issuer = did_key(KEY.public_key())
    text = _clr_with_status(issuer, sign_credential(_badge(status=None), KEY, created=NOW))
    strict = import_badge_text(text, standards, now=NOW, trust=[issuer])
    outer, inner_check = strict.verifications
    assert outer.reason == "STATUS_UNCHECKED" and inner_check.reason == "VERIFIED"
    (record,) = strict.records
    assert record.credential_status == "unchecked" and not record.accepted
    accepted = import_badge_text(
        text, standards, now=NOW, trust=[issuer], accept_unchecked_status=True
    )
    (achievement,) = accepted.accepted
    check = to_portfolio([accepted], "w-1").credentials[achievement.id]
    # review 14, finding 2: never kept as verified while a status was not checked
    assert (check.status, check.reason, check.credential_status) == (
        "unverifiable",
        "STATUS_UNCHECKED",
        "unchecked",
    )


# ------------------------------------------------------------------- the ledger


def test_deposits_refuse_it_unless_accepted_and_record_that_it_was_not_checked(
    ledger: Ledger, standards: Standards
) -> None:
    text = _text(sign_credential(_badge(issuer=CENTRE), KEY, created=NOW))
    imported = import_badge_text(
        text, standards, now=NOW, trust=PINNED, accept_unchecked_status=True
    )
    (skipped,) = deposit_badges(
        ledger, "w-1", [imported], actor=DEPOSITOR, key="b1", accept_unverified=True
    )
    assert skipped.outcome == "skipped" and skipped.skipped is not None
    assert "STATUS_UNCHECKED" in skipped.skipped
    assert ledger.statement("w-1").achievements == ()
    (done,) = deposit_badges(
        ledger, "w-1", [imported], actor=DEPOSITOR, key="b1", accept_unchecked_status=True
    )
    assert done.outcome == "deposited" and done.receipt is not None
    (event,) = done.receipt.events
    assert isinstance(event.payload, AchievementDeposited)
    assert event.payload.verification == "unverified"  # never "verified" unchecked
    check = event.payload.credential_check
    assert check is not None and check.credential_status == "unchecked"
    assert check.reason == "STATUS_UNCHECKED"
    exported = "".join(ledger.export_events("w-1"))
    assert '"credential_status":"unchecked"' in exported
    assert ledger.verify().ok
    assert done.to_dict()["credential_status"] == "unchecked"


def test_a_portfolio_entry_whose_status_was_not_checked_needs_the_flag_too(
    ledger: Ledger, standards: Standards
) -> None:
    text = _text(sign_credential(_badge(issuer=CENTRE), KEY, created=NOW))
    imported = import_badge_text(
        text, standards, now=NOW, trust=PINNED, accept_unchecked_status=True
    )
    portfolio = to_portfolio([imported], "w-1")
    (achievement,) = portfolio.achievements
    check = portfolio.credentials[achievement.id]
    with pytest.raises(LedgerError) as caught:
        deposit_imported(ledger, "w-1", achievement, check, actor=DEPOSITOR, key="d1")
    assert caught.value.code == "CREDENTIAL_STATUS_UNCHECKED"
    assert ledger.statement("w-1").achievements == ()
    receipt = deposit_imported(
        ledger, "w-1", achievement, check, actor=DEPOSITOR, key="d1", accept_unchecked_status=True
    )
    (event,) = receipt.events
    assert isinstance(event.payload, AchievementDeposited)
    assert event.payload.credential_check is not None
    assert event.payload.credential_check.credential_status == "unchecked"


def test_the_ledger_refuses_status_unchecked_without_its_mark() -> None:
    with pytest.raises(ValueError, match="STATUS_UNCHECKED"):
        CredentialCheck(status="unverifiable", reason="STATUS_UNCHECKED", message="m")
    kept = CredentialCheck(
        status="unverifiable",
        reason="STATUS_UNCHECKED",
        message="m",
        credential_status="unchecked",
    )
    assert kept.verification == "unverified"
    plain = CredentialCheck(status="verified", reason="VERIFIED", message="m")
    assert "credential_status" not in plain.model_dump(mode="json")  # old events unchanged


# ------------------------------------------------------------------- the CLI


def test_the_cli_fails_closed_and_opts_in_explicitly(tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "400"})
    badge = tmp_path / "badge.json"
    badge.write_text(_text(sign_credential(_badge(issuer=CENTRE), KEY, created=NOW)), "utf-8")
    pin = ["--trust-issuer", f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
    at = ["--at", "2026-11-29T13:00:00"]
    strict = runner.invoke(cli, ["import", "badge", str(badge), *pin, *at])
    assert "unverifiable (STATUS_UNCHECKED)" in strict.output, strict.output
    assert "accepted 0 achievements" in strict.output and "VERIFIED)" not in strict.output
    portfolio = tmp_path / "p.yaml"
    lenient = runner.invoke(
        cli,
        [
            "import",
            "badge",
            str(badge),
            *pin,
            *at,
            "--accept-unchecked-status",
            "-o",
            str(portfolio),
        ],
    )
    assert lenient.exit_code == 0, lenient.output
    assert "[STATUS NOT CHECKED, accepted]" in lenient.output
    assert "accepted 1 achievement" in lenient.output
    assert "credential_status: unchecked" in portfolio.read_text(encoding="utf-8")

    db = ["ledger", "--db", str(tmp_path / "bank.db")]
    assert runner.invoke(cli, [*db, "init"]).exit_code == 0
    opened = runner.invoke(
        cli, [*db, "open", "w-1", "--actor", "w-1", "--role", "learner", "--key", "k0"]
    )
    assert opened.exit_code == 0, opened.output
    issuer = ["--actor", "s-7", "--role", "issuer", "--org", "demo-assessment-centre"]
    from_file = runner.invoke(cli, [*db, "deposit", "w-1", str(portfolio), *issuer, "--key", "d"])
    assert from_file.exit_code != 0 and "CREDENTIAL_STATUS_UNCHECKED" in from_file.output

    def deposit_badge(accept: str) -> Any:
        command = [*db, "deposit-badge", "w-1", str(badge), *pin, *at, *issuer, "--key", "b"]
        return runner.invoke(cli, [*command, accept])

    refused = deposit_badge("--accept-unverified")
    assert refused.exit_code == 1, refused.output
    assert "0 achievement(s) deposited" in refused.output
    deposited = deposit_badge("--accept-unchecked-status")
    assert deposited.exit_code == 0, deposited.output
    assert "deposited as UNVERIFIED, its status NOT CHECKED" in deposited.output
    statement = runner.invoke(cli, [*db, "statement", "w-1"])
    assert "status (credentialStatus) NOT CHECKED" in statement.output, statement.output


# ------------------------------------------------------------------- review 14


def _signed_token(payload: dict[str, Any]) -> str:
    """A VC-JWT of any payload, signed with KEY (did:key), as an issuer could make it."""

    def part(data: Any) -> str:
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    issuer = did_key(KEY.public_key())
    header = {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "kid": verification_method_for(KEY.public_key(), issuer),
    }
    signing_input = part(header) + "." + part(payload)
    signature = base64.urlsafe_b64encode(KEY.sign(signing_input.encode())).rstrip(b"=")
    return signing_input + "." + signature.decode()


def _vc11_payload(issuer: str) -> dict[str, Any]:
    token = sign_jwt(_badge(status=None, issuer=issuer), KEY)
    body = token.split(".")[1]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return payload


STATUS_CLAIM = {"status_list": {"idx": 0, "uri": "https://status.example/lists/1"}}


@pytest.mark.parametrize(
    ("form", "change"),
    [
        ("vc2", {"status": STATUS_CLAIM}),  # the IETF token status list claim, VC 2.0 JOSE
        ("vc2", {"credentialStatus": REVOCATION}),
        ("vc11", {"credentialStatus": REVOCATION}),  # beside vc, not inside it
        ("vc11", {"status": STATUS_CLAIM}),
        ("vc11", {"status": ""}),  # fail closed: any status claim but null/empty counts
        ("vc11", {"status": 0}),
        ("vc11", {"status": False}),
    ],
)
def test_a_vc_jwt_status_in_any_form_is_status_unchecked(
    form: str, change: dict[str, Any], standards: Standards
) -> None:
    """Review 14, finding 1: a VC 2.0 JWT's status claim, and a credentialStatus at the
    top of a VC 1.1 payload, were ignored: the token verified and was accepted."""
    issuer = did_key(KEY.public_key())
    base = _badge(status=None, issuer=issuer) if form == "vc2" else _vc11_payload(issuer)
    plain, _ = verify_jwt(_signed_token(base), now=NOW, trusted_issuers={issuer: ()})
    assert plain.reason == "VERIFIED", plain.message  # the token itself is good
    token = _signed_token({**base, **change})
    verification, _ = verify_jwt(token, now=NOW, trusted_issuers={issuer: ()})
    assert (verification.status, verification.reason) == ("unverifiable", "STATUS_UNCHECKED")
    assert verification.credential_status == "unchecked"
    imported = import_badge_text(token, standards, now=NOW, trust=[issuer])
    assert imported.accepted == ()


def test_a_verified_credential_in_a_clr_whose_status_was_not_checked_is_deposited_unverified(
    ledger: Ledger, standards: Standards
) -> None:
    """Review 14, finding 2: the inner credential verified, the CLR's status was not
    checked, and the deposit said ``verified``."""
    imported = import_badge_text(
        _clr_with_status(
            CENTRE, sign_credential(_badge(status=None, issuer=CENTRE), KEY, created=NOW)
        ),
        standards,
        now=NOW,
        trust=PINNED,
        accept_unchecked_status=True,
    )
    (done,) = deposit_badges(
        ledger, "w-1", [imported], actor=DEPOSITOR, key="b1", accept_unchecked_status=True
    )
    assert done.outcome == "deposited" and done.receipt is not None, done.to_dict()
    (event,) = done.receipt.events
    assert isinstance(event.payload, AchievementDeposited)
    assert event.payload.verification == "unverified"
    check = event.payload.credential_check
    assert check is not None
    assert (check.status, check.reason, check.credential_status) == (
        "unverifiable",
        "STATUS_UNCHECKED",
        "unchecked",
    )
    assert [a.verification for a in ledger.statement("w-1").achievements] == ["unverified"]


UNCHECKED_ELECTRICIAN = {
    "id": "e3",
    "unit": "skill:csco2022:6-31-01-03",
    "level": "三级",
    "earned_on": "2023-06-30",
    "issuer": "demo-employer",
}
EMPLOYER = Actor(id="s-8", role="issuer", organisation="demo-employer")


def _unchecked_check(status: str, reason: str) -> dict[str, Any]:
    return {
        "status": status,
        "reason": reason,
        "message": "m",
        "credential": "urn:x:1",
        "issuer": "https://demo-employer.example/issuer",
        "credential_status": "unchecked",
    }


def _deposit_unchecked(ledger: Ledger, status: str, reason: str, *, accept: bool) -> Receipt:
    permission = {"accept_unchecked_status": True} if accept else {}
    return ledger.deposit(
        "w-1",
        UNCHECKED_ELECTRICIAN,
        actor=EMPLOYER,
        key="d",
        verification="verified" if status == "verified" else "unverified",
        credential_check=_unchecked_check(status, reason),
        **permission,
    )


def test_the_ledger_refuses_verified_with_unchecked_status(ledger: Ledger) -> None:
    """Review 14, finding 2: the Python API deposited a check that said verified and
    status unchecked, with no gate, recorded verified, and verify() passed."""
    with pytest.raises(LedgerError) as caught:
        _deposit_unchecked(ledger, "verified", "VERIFIED", accept=False)
    assert caught.value.code == "MALFORMED_COMMAND" and "verified" in caught.value.message
    with pytest.raises(LedgerError) as accepted:  # accepting unchecked status does not help
        _deposit_unchecked(ledger, "verified", "VERIFIED", accept=True)
    assert accepted.value.code == "MALFORMED_COMMAND"
    assert ledger.statement("w-1").achievements == ()


def test_the_ledger_refuses_unchecked_status_unless_the_command_accepts_it(
    ledger: Ledger,
) -> None:
    """Review 14, finding 2: the gate is in the ledger (fail closed in the library), not
    only in the importer and the CLI."""
    with pytest.raises(LedgerError) as caught:
        _deposit_unchecked(ledger, "unverifiable", "STATUS_UNCHECKED", accept=False)
    assert caught.value.code == "CREDENTIAL_STATUS_UNCHECKED"
    assert ledger.statement("w-1").achievements == ()
    receipt = _deposit_unchecked(ledger, "unverifiable", "STATUS_UNCHECKED", accept=True)
    (event,) = receipt.events
    assert isinstance(event.payload, AchievementDeposited)
    assert event.payload.verification == "unverified"
    # the permission is no content: the same key replays
    again = _deposit_unchecked(ledger, "unverifiable", "STATUS_UNCHECKED", accept=True)
    assert again.replayed
    assert ledger.verify().ok


def test_import_badge_o_writes_nothing_when_nothing_was_accepted(tmp_path: Path) -> None:
    """Review 14, finding 5: a rejected credential (exit 0) replaced an existing -o FILE
    with an empty portfolio."""
    runner = CliRunner(env={"COLUMNS": "400"})
    badge = tmp_path / "badge.json"
    badge.write_text(_text(sign_credential(_badge(issuer=CENTRE), KEY, created=NOW)), "utf-8")
    unproofed = tmp_path / "unproofed.json"
    unproofed.write_text(_text(electrician_badge()), "utf-8")  # NO_PROOF: unverifiable
    pin = ["--trust-issuer", f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
    trust = ["--trust-issuer", did_key(KEY.public_key())]
    kept = tmp_path / "keep.yaml"
    for source in (badge, unproofed):
        kept.write_text("precious: true\n", encoding="utf-8")
        args = ["import", "badge", str(source), *pin, *trust, "--at", "2026-11-29T13:00:00"]
        result = runner.invoke(cli, [*args, "-o", str(kept)])
        assert result.exit_code == 1, result.output
        assert "no achievement was accepted" in result.output, result.output
        assert kept.read_text(encoding="utf-8") == "precious: true\n"
    fresh = tmp_path / "fresh.yaml"
    result = runner.invoke(cli, ["import", "badge", str(badge), *pin, "-o", str(fresh)])
    assert result.exit_code == 1 and not fresh.exists()


@pytest.mark.parametrize("kind", ["missing", "file", "fifo"])
def test_a_contexts_path_that_is_no_directory_is_refused(tmp_path: Path, kind: str) -> None:
    """Review 14, finding 12: --contexts at a missing path, a file or a FIFO was
    silently ignored."""
    target = tmp_path / "contexts"
    if kind == "file":
        target.write_text("{}", encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(target)
    expected = "DIRECTORY_NOT_FOUND" if kind == "missing" else "NOT_A_DIRECTORY"
    with pytest.raises(FileError) as caught:
        ContextLoader(target)
    assert caught.value.code == expected
    badge = tmp_path / "badge.json"
    badge.write_text(_text(sign_credential(_badge(issuer=CENTRE), KEY, created=NOW)), "utf-8")
    result = CliRunner().invoke(cli, ["import", "badge", str(badge), "--contexts", str(target)])
    assert result.exit_code == 1 and expected in result.output, result.output
    assert "Traceback" not in result.output


def test_a_missing_contexts_directory_is_a_cache_when_the_network_is_allowed(
    tmp_path: Path,
) -> None:
    loader = ContextLoader(tmp_path / "cache", allow_network=True)  # created on first fetch
    assert loader.cache_dir == tmp_path / "cache" and not loader.cache_dir.exists()
    ContextLoader(tmp_path)  # an existing directory without index.json: an empty cache
