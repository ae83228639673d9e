"""The engine's memos stay bounded: trimming them changes no result, and every memo the
engine keeps with the standards is one the trim drops (or the bounded rule index)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import creditbank
from creditbank.engine import memos
from creditbank.engine.index import rule_index

ROOT = Path(__file__).resolve().parent.parent
PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
PROGRAMS = ("demo-college:460301", "demo-college:460304")
DAY = dt.date(2026, 11, 29)
KEPT = {
    "creditbank.engine.index.RuleIndex",
    "creditbank.engine.memos.counter",
    # the edition mapping: worked out from the standards once, never grows with learners
    "creditbank.engine.editions.Editions",
}


def _all(standards: creditbank.Standards) -> list[str]:
    return [
        creditbank.evaluate(
            standards, creditbank.load_portfolio(path, standards), program, DAY
        ).to_json(indent=None)
        for path in PORTFOLIOS
        for program in PROGRAMS
    ]


def test_trimming_changes_no_result_and_drops_every_growing_memo() -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path(), cache=False)
    first = _all(standards)
    derived = set(standards._derived)
    assert derived - KEPT <= set(memos.MEMO_KEYS), "a new memo is missing from MEMO_KEYS"
    assert len(derived - KEPT) >= 5
    assert rule_index(standards).authorised
    assert rule_index(standards).learned() > len(rule_index(standards).authorised)
    memos.trim(standards)
    assert set(standards._derived) <= KEPT
    assert not rule_index(standards).authorised
    assert rule_index(standards).learned() == 0  # the units looked up per programme too
    assert _all(standards) == first


def test_memos_are_trimmed_when_they_hold_too_much(monkeypatch: pytest.MonkeyPatch) -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path(), cache=False)
    monkeypatch.setattr(memos, "CHECK_EVERY", 3)
    portfolio = creditbank.load_portfolio(PORTFOLIOS[0], standards)
    creditbank.evaluate(standards, portfolio, PROGRAMS[0], DAY)
    held = memos.memo_entries(standards)
    assert held > 0
    monkeypatch.setattr(memos, "MEMO_ENTRIES", held - 1)  # one evaluation's memos: too many
    seen = []
    for _ in range(5):
        creditbank.evaluate(standards, portfolio, PROGRAMS[0], DAY)
        seen.append(memos.memo_entries(standards))
    # counted after the 3rd and the 6th evaluation: dropped there, built again in between
    assert seen[1] == 0 and seen[4] == 0
    assert seen[0] == held and seen[2] == held and seen[3] == held
    monkeypatch.setattr(memos, "MEMO_ENTRIES", held)  # exactly the bound: kept
    for _ in range(3):
        creditbank.evaluate(standards, portfolio, PROGRAMS[0], DAY)
    assert memos.memo_entries(standards) == held


def test_memos_under_the_bound_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path(), cache=False)
    monkeypatch.setattr(memos, "CHECK_EVERY", 1)
    portfolio = creditbank.load_portfolio(PORTFOLIOS[0], standards)
    for _ in range(3):
        creditbank.evaluate(standards, portfolio, PROGRAMS[0], DAY)
        assert memos.memo_entries(standards) > 0
