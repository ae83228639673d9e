"""The rules for depositing a portfolio's achievement hold for Python callers, not only for
`creditbank ledger deposit` (issue 16, item 1): the library chooses the achievement, keeps
an imported credential's check, refuses a verification that would override that check,
and the ledger refuses an imported achievement deposited without its check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, get_args

import pytest

from creditbank.errors import LedgerError
from creditbank.interop import deposit_from_portfolio, portfolio_deposit
from creditbank.ledger import Actor, Ledger
from creditbank.models import Portfolio, Standards
from creditbank.models.portfolio import imported_note
from creditbank.models.verification import REASON_STATUS, VerificationReason

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
CENTRE = Actor(id="staff-7", role="issuer", organisation="demo-assessment-centre")
CREDENTIAL = "urn:uuid:8c1b0c0e-5a0e-4d7e-9a39-0c6f0f6b9a11"


@pytest.fixture
def ledger(tmp_path: Path, standards: Standards) -> Ledger:
    opened = Ledger.open(tmp_path / "bank.db", standards, create=True, clock=lambda: NOW)
    opened.open_account("w-1", actor=Actor(id="w-1", role="learner"), key="open")
    return opened


def _achievement(aid: str = "badge-0123456789ab", **extra: Any) -> dict[str, Any]:
    return {
        "id": aid,
        "unit": "skill:csco2022:6-31-01-03",
        "level": "三级",
        "earned_on": "2023-06-30",
        "issuer": "demo-assessment-centre",
        "note": imported_note(CREDENTIAL, "电工", "UNVERIFIED (NO_PROOF): no proof"),
        **extra,
    }


def _check(reason: VerificationReason = "NO_PROOF") -> dict[str, Any]:
    return {
        "credential": CREDENTIAL,
        "issuer": "did:example:centre",
        "status": REASON_STATUS[reason],
        "reason": reason,
        "checked_at": "2026-02-28T12:00:00+00:00",
        "subject": "did:example:learner",
    }


def _portfolio(credentials: dict[str, Any], *achievements: dict[str, Any]) -> Portfolio:
    return Portfolio.model_validate(
        {
            "learner": "w-1",
            "achievements": achievements or (_achievement(),),
            "credentials": credentials,
        }
    )


def test_ledger_deposit_refuses_an_imported_achievement_without_its_check(
    ledger: Ledger,
) -> None:
    """Before, only the CLI refused it: `Ledger.deposit` from Python recorded an achievement
    imported from an unverifiable credential as issuer-verified, its check lost."""
    with pytest.raises(LedgerError) as refused:
        ledger.deposit("w-1", _achievement(), actor=CENTRE, key="d")
    assert refused.value.code == "MALFORMED_COMMAND"
    assert "holds no check of it" in refused.value.message
    assert [e.type for e in ledger.events("w-1")] == ["account_opened"]
    # through the portfolio function, a portfolio whose `credentials:` lost it: the same
    with pytest.raises(LedgerError, match="holds no check of it"):
        deposit_from_portfolio(ledger, "w-1", _portfolio({}), actor=CENTRE, key="d")
    assert len(ledger.events("w-1")) == 1


def test_a_hand_written_note_that_begins_like_an_import_is_no_import(ledger: Ledger) -> None:
    """Before, the ledger refused any note beginning "imported from credential ", so a
    registrar's own note (not written by `import badge`) could not be deposited at all."""
    own = _achievement(note="imported from credential transcripts of the old school")
    receipt = ledger.deposit("w-1", own, actor=CENTRE, key="d")
    assert receipt.events[0].payload.model_dump()["verification"] == "verified"


def test_an_achievement_without_the_imported_note_is_deposited_as_stated(
    ledger: Ledger,
) -> None:
    plain = _achievement(note=None)
    receipt = deposit_from_portfolio(
        ledger, "w-1", _portfolio({}, plain), actor=CENTRE, key="d", verification="pending"
    )
    (event,) = receipt.events
    assert event.payload.model_dump()["verification"] == "pending"


@pytest.mark.parametrize(
    "reason", [r for r in get_args(VerificationReason) if REASON_STATUS[r] != "invalid"]
)
def test_an_imported_achievement_goes_in_with_its_credentials_check(
    ledger: Ledger, reason: VerificationReason
) -> None:
    portfolio = _portfolio({"badge-0123456789ab": _check(reason)})
    accept = reason == "STATUS_UNCHECKED"
    if accept:
        portfolio = _portfolio(
            {"badge-0123456789ab": {**_check(reason), "credential_status": "unchecked"}}
        )
    receipt = deposit_from_portfolio(
        ledger, "w-1", portfolio, actor=CENTRE, key="d", accept_unchecked_status=accept
    )
    payload = receipt.events[0].payload.model_dump(mode="json")
    expected = "verified" if REASON_STATUS[reason] == "verified" else "unverified"
    assert payload["verification"] == expected
    assert payload["credential_check"]["reason"] == reason
    assert payload["credential_check"]["subject"] != "did:example:learner"  # a digest only


def test_a_verification_never_overrides_an_imported_credentials_check(ledger: Ledger) -> None:
    portfolio = _portfolio({"badge-0123456789ab": _check("NO_PROOF")})
    with pytest.raises(LedgerError) as refused:
        deposit_from_portfolio(
            ledger, "w-1", portfolio, actor=CENTRE, key="d", verification="verified"
        )
    assert refused.value.code == "MALFORMED_COMMAND"
    assert refused.value.detail["parameter"] == "verification"
    assert "cannot change it" in refused.value.message
    assert len(ledger.events("w-1")) == 1


def test_the_achievement_to_deposit_is_chosen_by_the_library() -> None:
    two = _portfolio({}, _achievement("a-1", note=None), _achievement("a-2", note=None))
    with pytest.raises(LedgerError) as refused:
        portfolio_deposit(two, source="two.yaml")
    assert refused.value.detail["parameter"] == "achievement"
    assert refused.value.message == "choose one achievement of two.yaml (it holds: a-1, a-2)"
    with pytest.raises(LedgerError, match="it holds: a-1, a-2"):
        portfolio_deposit(two, achievement="a-3")
    chosen = portfolio_deposit(two, achievement="a-2")
    assert (chosen.achievement.id, chosen.imported, chosen.verification) == (
        "a-2",
        None,
        "verified",
    )


def test_the_statement_says_when_a_check_is_older_than_its_deposit(ledger: Ledger) -> None:
    """The rule lived in `ledger statement`'s table only; a Python caller (or a web page)
    reading the statement gets it from the library now."""
    early = _check("NO_PROOF")  # checked 21 hours before the deposit
    late = {**_check("NO_PROOF"), "checked_at": "2026-03-01T08:57:00+00:00"}  # 3 minutes
    for aid, check in (("badge-000000000001", early), ("badge-000000000002", late)):
        deposit_from_portfolio(
            ledger, "w-1", _portfolio({aid: check}, _achievement(aid)), actor=CENTRE, key=aid
        )
    lines = {a.id: a for a in ledger.statement("w-1").achievements}
    assert lines["badge-000000000001"].checked_before_deposit == dt.datetime(
        2026, 2, 28, 12, 0, tzinfo=dt.UTC
    )
    assert lines["badge-000000000002"].checked_before_deposit is None
    assert "checked_before_deposit" not in ledger.statement("w-1").to_json()  # JSON unchanged
