"""A portfolio written from imported credentials is one learner's: the library decides
whose (issue 16, item 1; the rule was in `creditbank import badge -o` only)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from creditbank.interop import BadgeImport, BadgeRecord
from creditbank.interop.errors import InteropError
from creditbank.interop.openbadges import IMPORTED_LEARNER, import_portfolio, portfolio_learner
from creditbank.interop.verify import Verification
from creditbank.models import Achievement
from creditbank.serialize import dump_portfolio

VERIFIED = Verification("verified", "VERIFIED", "verified")


def _import(*subjects: str | None, accepted: bool = True) -> BadgeImport:
    records = tuple(
        BadgeRecord(
            name=f"badge {n}",
            achievement_id=f"urn:a:{n}",
            credential_id=f"urn:c:{n}",
            verification=VERIFIED,
            achievement=Achievement.model_validate(
                {
                    "id": f"badge-{n:012d}",
                    "unit": "skill:csco2022:6-31-01-03",
                    "earned_on": "2023-06-30",
                }
            ),
            accepted=accepted,
            subject_id=subject,
        )
        for n, subject in enumerate(subjects)
    )
    return BadgeImport("a.json", verifications=(VERIFIED,), records=records)


def test_the_one_subject_is_the_learner() -> None:
    assert portfolio_learner([_import("did:ex:w1"), _import("did:ex:w1")]) == "did:ex:w1"
    assert portfolio_learner([_import(None)]) == IMPORTED_LEARNER
    assert portfolio_learner([]) == IMPORTED_LEARNER


def test_several_subjects_are_refused_unless_the_caller_names_the_learner() -> None:
    imports = [_import("did:ex:w1"), _import("did:ex:w2")]
    with pytest.raises(InteropError) as refused:
        portfolio_learner(imports)
    assert refused.value.code == "SEVERAL_SUBJECTS"
    assert "2 credential subjects (did:ex:w1, did:ex:w2)" in refused.value.message
    assert portfolio_learner(imports, "w-1") == "w-1"


def test_only_accepted_achievements_count() -> None:
    imports = [_import("did:ex:w1"), _import("did:ex:w2", accepted=False)]
    assert portfolio_learner(imports) == "did:ex:w1"


def test_what_counts_as_a_failed_import_or_deposit() -> None:
    """`import badge` and `ledger deposit-badge` exit 1 on these; the library says so."""
    from creditbank.interop import BadgeDeposit

    unverifiable = Verification("unverifiable", "NO_PROOF", "no proof")
    invalid = Verification("invalid", "BAD_SIGNATURE", "bad signature")
    assert not _import("did:ex:w1").failed
    assert not BadgeImport("b.json", verifications=(unverifiable,)).failed
    assert BadgeImport("c.json", verifications=(invalid,)).failed
    assert BadgeImport("d.json", error=InteropError("MALFORMED_JSON", "not JSON")).failed
    ambiguous = _import("did:ex:w1").records[0]
    ambiguous = BadgeRecord(
        **{**ambiguous.__dict__, "error": InteropError("AMBIGUOUS_UNIT", "two units")}
    )
    assert BadgeImport("e.json", records=(ambiguous,)).failed
    record = _import("did:ex:w1").records[0]
    assert BadgeDeposit("a.json", record, "replayed").deposited
    assert not BadgeDeposit("a.json", record, "replayed").failed
    assert BadgeDeposit("a.json", record, "refused").failed
    assert not BadgeDeposit("a.json", record, "skipped").deposited
    assert BadgeDeposit("e.json", ambiguous, "skipped").failed


def test_the_library_decides_whether_an_import_makes_a_portfolio() -> None:
    """Before, only `import badge -o` decided it (and serialised the portfolio itself)."""
    checked = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    good = dataclasses.replace(_import("did:ex:w1"), checked_at=checked)
    portfolio = import_portfolio([good])
    assert portfolio.learner == "did:ex:w1" and len(portfolio.achievements) == 1
    assert dump_portfolio(portfolio)["kind"] == "portfolio"
    assert dump_portfolio(portfolio, "json")["credentials"]["badge-000000000000"]["status"] == (
        "verified"
    )
    rejected = BadgeImport("b.json", error=InteropError("MALFORMED_JSON", "not JSON"))
    cases = {
        "SEVERAL_SUBJECTS": [good, dataclasses.replace(_import("did:ex:w2"), checked_at=checked)],
        "IMPORT_FAILED": [good, rejected],
        "NOTHING_ACCEPTED": [_import("did:ex:w1", accepted=False)],
    }
    for code, imports in cases.items():
        with pytest.raises(InteropError) as refused:
            import_portfolio(imports)
        assert refused.value.code == code
