"""The engine's memos stay bounded: trimming them changes no result, and every memo kept with
the standards is one the trim drops (or the bounded rule index and edition mapping)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest

import creditbank
from creditbank.bounded import BoundedDict
from creditbank.engine import memos
from creditbank.engine.cache import EngineCache
from creditbank.engine.index import rule_index
from creditbank.loading.crosscheck import CheckedAchievements
from tests.paths import ROOT

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
PROGRAMS = ("demo-college:460301", "demo-college:460304")
DAY = dt.date(2026, 11, 29)
KEPT = {
    "index",
    "evaluations",
    # the edition mapping: worked out from the standards once, never grows with learners
    "editions",
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
    # nothing but the engine's cache and the portfolio check's is kept with the standards
    assert {type(c) for c in standards._caches.values()} == {EngineCache, CheckedAchievements}
    cache = standards.cache(EngineCache)
    held = {f.name: getattr(cache, f.name) for f in dataclasses.fields(cache)}
    assert all(isinstance(v, BoundedDict) for k, v in held.items() if k not in KEPT | {"tables"})
    assert sum(1 for k, v in held.items() if k not in KEPT and v) >= 5
    assert standards.cache(CheckedAchievements)
    assert rule_index(standards).authorised
    assert rule_index(standards).learned() > len(rule_index(standards).authorised)
    index, editions = cache.index, cache.editions
    memos.trim(standards)
    # every field the engine keeps is dropped by the trim, but the index and editions
    assert not [
        f.name for f in dataclasses.fields(cache) if f.name not in KEPT and getattr(cache, f.name)
    ]
    assert not standards.cache(CheckedAchievements)
    assert cache.index is index and cache.editions is editions is not None
    assert memos.memo_entries(standards) == 0
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


def test_each_copy_of_the_standards_has_its_own_cache() -> None:
    """A batch worker's standards come pickled: the copy starts with nothing kept, fills its
    own cache, and decides as the original does; equal standards never share a cache."""
    standards = creditbank.load_standards(creditbank.bundled_standards_path(), cache=False)
    first = _all(standards)
    assert memos.memo_entries(standards) > 0
    copy = pickle.loads(pickle.dumps(standards))
    assert copy == standards and copy is not standards
    assert memos.memo_entries(copy) == 0 and copy.cache(EngineCache).index is None
    assert _all(copy) == first
    assert copy.cache(EngineCache) is not standards.cache(EngineCache)
    assert copy.cache(EngineCache).index is not standards.cache(EngineCache).index
