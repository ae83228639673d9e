"""What the engine works out once and keeps (index, memos, tables) changes no evaluation.

* the rules the index hands an evaluation, and the achievements it hands each rule, are
  exactly those a scan of every rule of the programme finds;
* an evaluation made with every memo warm equals the same evaluation made first, on fresh
  standards, and evaluations in any order equal each other;
* the explanation gathered in one pass (rules that looked at an achievement, the closest
  failure) says what asking every rule about every achievement says;
* the budgets and labels an evaluation shares with others are never changed by it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import creditbank
from creditbank.engine import memos
from creditbank.engine.conditions import selects
from creditbank.engine.evaluate import plan
from creditbank.engine.explain import Explainer, scan_failure
from creditbank.engine.facts import make_facts
from creditbank.engine.index import ProgramIndex, rule_index
from creditbank.engine.options import RuleScan
from creditbank.models import Rule
from creditbank.models.units import UnitBase
from creditbank.synthetic import AS_OF, Scale, World, build_world, portfolios
from creditbank.synthetic import write_standards as write_synthetic

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
