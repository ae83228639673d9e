"""What the engine works out once and keeps (index, memos, tables) changes no evaluation.

* the rules the index hands an evaluation, and the achievements it hands each rule, are
  exactly those a scan of every rule of the programme finds;
* an evaluation made with every memo warm equals the same evaluation made first, on fresh
  standards, and evaluations in any order equal each other;
* the explanation gathered in one pass (rules that looked at an achievement, the closest
  failure) says what asking every rule about every achievement says;
* the budgets and labels an evaluation shares with others are never changed by it;
* the memos stay bounded: trimming them changes no result, and every memo kept with the
  standards is one the trim drops (or the bounded rule index and edition mapping).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import creditbank
from creditbank.bounded import BoundedDict
from creditbank.engine import memos
from creditbank.engine.cache import EngineCache
from creditbank.engine.conditions import selects
from creditbank.engine.evaluate import plan
from creditbank.engine.explain import Explainer, scan_failure
from creditbank.engine.facts import make_facts
from creditbank.engine.index import ProgramIndex, rule_index
from creditbank.engine.options import RuleScan
from creditbank.loading.crosscheck import CheckedAchievements
from creditbank.models import Rule
from creditbank.models.units import UnitBase
from creditbank.synthetic import AS_OF, Scale, World, build_world, portfolios
from creditbank.synthetic import write_standards as write_synthetic
from tests.paths import ROOT

SEED = 11
DAYS = (AS_OF, dt.date(2023, 3, 1), dt.date(2031, 1, 1))


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(Scale.tiny(), seed=SEED, occupations_csv=None)


@pytest.fixture(scope="module")
def standards_dir(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("memos") / "standards"
    write_synthetic(world, directory)
    return directory


def _records(world: World, count: int, seed: int) -> list[tuple[str, creditbank.Portfolio]]:
    out = []
    for record in portfolios(world, count, seed=seed):
        data = dict(record)
        program = str(data.pop("program"))
        out.append((program, creditbank.Portfolio.model_validate(data)))
    return out


def _evaluations(
    standards: creditbank.Standards, records: Sequence[tuple[str, creditbank.Portfolio]]
) -> list[str]:
    return [
        creditbank.evaluate(standards, portfolio, program, DAYS[i % len(DAYS)]).to_json(indent=None)
        for i, (program, portfolio) in enumerate(records)
    ]


def test_the_index_selects_what_a_scan_of_every_rule_selects(
    world: World, standards_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    standards = creditbank.load_standards(standards_dir, cache=False)
    records = _records(world, 150, SEED + 1)
    for program_id, portfolio in records:
        program = standards.programs[program_id]
        units = [make_facts(standards, a).unit for a in portfolio.achievements]
        found = rule_index(standards).program(program).selecting(units)
        assert found == _every_rule(rule_index(standards).program(program), units)
    with_index = _evaluations(standards, records)

    monkeypatch.setattr(ProgramIndex, "selecting", _every_rule)
    fresh = creditbank.load_standards(standards_dir, cache=False)
    assert _evaluations(fresh, records) == with_index
    assert sum('"recognised":true' in e for e in with_index) > 50
    assert sum('"RULE_NOT_IN_FORCE"' in e for e in with_index) > 0


def _every_rule(self: ProgramIndex, units: Sequence[UnitBase]) -> list[tuple[Rule, list[int]]]:
    """Every rule of the programme, each with the units one of its matches selects."""
    out = []
    for rule in self.rules:
        chosen = [
            at
            for at, unit in enumerate(units)
            if any(selects(m, _Unit(unit), self.standards) for m in rule.when.matches())  # type: ignore[arg-type]
        ]
        if chosen:
            out.append((rule, chosen))
    return out


class _Unit:
    """Just enough of :class:`~creditbank.engine.facts.Facts` for ``selects``."""

    def __init__(self, unit: UnitBase) -> None:
        self.unit = unit


def test_warm_memos_change_no_evaluation(world: World, standards_dir: Path) -> None:
    records = _records(world, 200, SEED + 2)
    first = _evaluations(creditbank.load_standards(standards_dir, cache=False), records)
    standards = creditbank.load_standards(standards_dir, cache=False)
    assert _evaluations(standards, records) == first  # cold, then warm
    backwards = [
        creditbank.evaluate(standards, portfolio, program, DAYS[i % len(DAYS)]).to_json(indent=None)
        for i, (program, portfolio) in reversed(list(enumerate(records)))
    ]
    assert backwards[::-1] == first


def test_learners_grouped_by_programme_evaluate_the_same(
    world: World, standards_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/scale.md's advice (sort a batch by programme: the memos are shared) changes no result,
    with the memos dropped every few evaluations, in the middle of a programme's learners."""
    records = _records(world, 200, SEED + 4)
    first = _evaluations(creditbank.load_standards(standards_dir, cache=False), records)
    standards = creditbank.load_standards(standards_dir, cache=False)
    monkeypatch.setattr(memos, "CHECK_EVERY", 7)
    monkeypatch.setattr(memos, "MEMO_ENTRIES", -1)  # every check drops them
    drops: list[creditbank.Standards] = []
    trim = memos.trim

    def counted_trim(held: creditbank.Standards) -> None:
        drops.append(held)
        trim(held)

    monkeypatch.setattr(memos, "trim", counted_trim)
    grouped = sorted(range(len(records)), key=lambda i: records[i][0])
    assert grouped != list(range(len(records)))  # the order really changes
    again = {
        i: creditbank.evaluate(
            standards, records[i][1], records[i][0], DAYS[i % len(DAYS)]
        ).to_json(indent=None)
        for i in grouped
    }
    assert [again[i] for i in range(len(records))] == first
    assert len(drops) == len(records) // 7  # the memos were dropped every 7th evaluation


def test_the_explanation_asks_every_rule(world: World, standards_dir: Path) -> None:
    standards = creditbank.load_standards(standards_dir, cache=False)
    checked = 0
    for i, (program, portfolio) in enumerate(_records(world, 150, SEED + 3)):
        made = plan(standards, portfolio, program, DAYS[i % len(DAYS)])
        explain = Explainer(
            as_of=made.as_of,
            facts=made.facts,
            options=made.options,
            compiled=made.compiled,
            chosen=made.solution.chosen,
            superseded=made.superseded,
            scans=made.scans,
            not_in_force=made.not_in_force,
            selected=set(),
        )
        for achievement in made.facts:
            chosen = explain.uses_of.get(achievement, [])
            assert [o.rule for o in explain.outcomes(achievement, chosen)] == _looked_at(
                achievement, made.scans, made.not_in_force
            )
            assert explain.scan_reason(achievement) == _closest(
                achievement, made.scans, made.not_in_force
            )
            checked += 1
    assert checked > 300


def _looked_at(
    achievement: str, scans: Sequence[RuleScan], not_in_force: dict[str, str]
) -> list[str]:
    out = [
        scan.rule.id
        for scan in scans
        if any(achievement in o.binding for o in scan.options)
        or scan_failure(achievement, scan) is not None
    ]
    return out + ([not_in_force[achievement]] if achievement in not_in_force else [])


def _closest(
    achievement: str, scans: Sequence[RuleScan], not_in_force: dict[str, str]
) -> tuple[str, dict[str, str]] | None:
    best = None
    for scan in scans:
        failure = scan_failure(achievement, scan)
        if failure is not None and (best is None or failure.step > best.step):
            best = failure
    if best is not None:
        return best.reason, dict(best.detail)
    if achievement in not_in_force:
        return "RULE_NOT_IN_FORCE", {"rule": not_in_force[achievement]}
    return None


def test_shared_budgets_are_not_changed(world: World, standards_dir: Path) -> None:
    standards = creditbank.load_standards(standards_dir, cache=False)
    records = _records(world, 60, SEED + 4)
    made = [plan(standards, p, program, AS_OF) for program, p in records]
    before = [
        json.dumps([(repr(b.key), str(b.limit), b.distinct) for b in m.compiled.problem.budgets])
        for m in made
    ]
    _evaluations(standards, records)
    after = [
        json.dumps([(repr(b.key), str(b.limit), b.distinct) for b in m.compiled.problem.budgets])
        for m in made
    ]
    assert after == before


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


_INCREMENTAL = sys.version_info >= (3, 14)  # its collector has no full passes to defer


@pytest.mark.skipif(_INCREMENTAL, reason="the thresholds are left alone on Python >= 3.14")
def test_bulk_evaluation_defers_full_collections_to_the_trims(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc
    import weakref

    from creditbank.engine import memos

    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    before = gc.get_threshold()
    with creditbank.bulk_evaluation():
        deferred = gc.get_threshold()
        assert deferred == (*before[:2], memos.DEFERRED_PASSES)
        assert 10 * before[2] < memos.DEFERRED_PASSES
        with creditbank.bulk_evaluation():  # nested: the inner block restores nothing
            pass
        assert gc.get_threshold() == deferred
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        gc.collect(1)  # survives the young generations: now it is in the oldest one
        del cycle
        gc.collect(1)
        assert gone() is not None  # garbage only a full pass frees
        monkeypatch.setattr(memos, "CHECK_EVERY", 1)
        monkeypatch.setattr(memos, "MEMO_ENTRIES", -1)
        memos.evaluated(standards)  # a trim: the deferred full pass runs
        assert gone() is None
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), creditbank.bulk_evaluation():
        raise RuntimeError("restored on the way out")
    assert gc.get_threshold() == before


@pytest.mark.skipif(_INCREMENTAL, reason="the thresholds are left alone on Python >= 3.14")
def test_bulk_evaluation_restores_when_blocks_close_out_of_order() -> None:
    """Before, the last block to close put back what the *first to close* had seen on
    entering — the deferred threshold itself when blocks did not close in reverse order
    (two threads, two Dask tasks), leaving the process without full passes for good."""
    import gc
    import threading

    before = gc.get_threshold()
    first, second = creditbank.bulk_evaluation(), creditbank.bulk_evaluation()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold() != before  # one block is still open
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before

    inside = threading.Barrier(2)
    order: list[str] = []

    def work(name: str, leave_after: threading.Event, left: threading.Event) -> None:
        with creditbank.bulk_evaluation():
            inside.wait()
            leave_after.wait()
            order.append(name)
        left.set()

    a_left, b_left, go = threading.Event(), threading.Event(), threading.Event()
    a = threading.Thread(target=work, args=("a", go, a_left))
    b = threading.Thread(target=work, args=("b", a_left, b_left))
    a.start()
    b.start()
    go.set()
    a.join()
    b.join()
    assert order == ["a", "b"]  # a closed while b was still open
    assert gc.get_threshold() == before


@pytest.mark.skipif(_INCREMENTAL, reason="the thresholds are left alone on Python >= 3.14")
def test_bulk_evaluation_keeps_the_young_thresholds_set_inside() -> None:
    import gc

    before = gc.get_threshold()
    try:
        with creditbank.bulk_evaluation():
            gc.set_threshold(before[0] + 1, before[1] + 1, gc.get_threshold()[2])
        assert gc.get_threshold() == (before[0] + 1, before[1] + 1, before[2])
    finally:
        gc.set_threshold(*before)


# The memos stay bounded (formerly test_memo_trim.py).

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
