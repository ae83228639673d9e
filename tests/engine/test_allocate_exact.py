"""The pattern-LP path of the allocator against its depth-first search, on random problems.

:func:`creditbank.engine.allocate.solve` sends a large component to the pattern LP and
HiGHS (:mod:`creditbank.engine.milp`) and a small one to the depth-first search. Both must
give the same allocation: the most credit, ties broken canonically. Here the same random
problems (built directly as :class:`Problem`\\ s, larger than the brute-force property tests
can enumerate) are solved twice, once with every component forced onto each path, and the
chosen options and totals must be identical. A brute-force check covers the smaller ones.
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Hashable, Iterator
from decimal import Decimal

import pytest

from creditbank.engine import allocate, milp
from creditbank.engine import problem as problems
from creditbank.engine.allocate import Budget, Method, Problem, Solution, feasible, solve

SCALE = int(os.environ.get("CREDITBANK_PROPERTY_SCALE", "1"))


class _Builder:
    def __init__(self) -> None:
        self.budgets: list[Budget] = []
        self.index: dict[tuple[Hashable, ...], int] = {}

    def budget(self, key: tuple[Hashable, ...], limit: Decimal, distinct: bool = False) -> int:
        if key not in self.index:
            self.index[key] = len(self.budgets)
            self.budgets.append(Budget(key, limit, distinct))
        return self.index[key]


def random_problem(
    seed: int, achievements: int = 12, courses: int = 10, twins: float = 0.3
) -> Problem:
    """A problem shaped like the engine's: achievements with uses of one to three courses
    (at most two per use), one achievement per unit, highest-only families, per-achievement
    and programme caps, a count cap, a requirement pool, shareable and combined options; a
    share ``twins`` of the achievements held two or three times (the same certificate)."""
    rnd = random.Random(seed)
    build = _Builder()
    course_credits = [Decimal(rnd.choice(["2", "3", "4", "1.5", "2.5"])) for _ in range(courses)]
    units = max(2, achievements * 2 // 3)
    names: list[str] = []
    unit_of: list[int] = []
    specs: list[tuple[list[list[int]], Decimal | None]] = []
    for a in range(achievements):
        uses = [rnd.sample(range(courses), rnd.randint(1, 3)) for _ in range(rnd.randint(1, 3))]
        amount = Decimal(rnd.choice(["1", "2", "0.5"])) if rnd.random() < 0.5 else None
        unit = rnd.randrange(units)
        for copy in range(1 + (rnd.random() < twins) * rnd.randint(1, 2)):
            # a copy: the same certificate twice (same unit, level, rules): twins
            names.append(f"a{a:02d}" + (f"x{copy}" if copy else ""))
            unit_of.append(unit)
            specs.append((uses, amount))
    family_of = [u % max(2, units // 2) for u in unit_of]
    half = Decimal(rnd.choice(["12", "16", "20", "30"]))
    pool = Decimal(rnd.choice(["4", "6", "8"]))
    per_achievement = Decimal(rnd.choice(["6", "8", "100"]))
    count_cap = rnd.choice([None, 3, 5])
    rows: list[tuple[Decimal, tuple[Hashable, Hashable] | None, int | None, list]] = []
    for a, (uses, amount) in enumerate(specs):
        name = names[a]
        for u, targets in enumerate(uses):
            use = (f"rule{u}", (name,))
            for course in targets:
                rows.append((course_credits[course], (name, use), 2, [("course", course, a, use)]))
        if amount is not None:
            use = ("credits", (name,))
            rows.append((amount, (name, use), None, [("pool", amount, a, use)]))
    achievements = len(names)
    for _ in range(rnd.randint(0, 2)):  # shareable: no use budget, owner None
        a = rnd.randrange(achievements)
        amount = Decimal(rnd.choice(["1", "2"]))
        rows.append((amount, None, None, [("pool", amount, a, None)]))
    if achievements > 1 and rnd.random() < 0.5:  # a combination of two achievements
        a, b = rnd.sample(range(achievements), 2)
        use = ("combined", (names[a], names[b]))
        course = rnd.randrange(courses)
        rows.append(
            (course_credits[course], (names[a], use), None, [("course", course, a, use, b)])
        )
    rows.sort(key=lambda r: (-r[0], str(r[1]), str(r[3])))  # canonical: more credit first
    credits: list[Decimal] = []
    owners: list[tuple[Hashable, Hashable] | None] = []
    caps: list[int | None] = []
    draws: list[list[tuple[int, Hashable]]] = []
    for position, (amount, owner, in_use, what) in enumerate(rows):
        kind, target, a, use, *more = what[0]
        members = [a, *more]
        mine: list[tuple[int, Hashable]] = []
        for m in members:
            name = names[m]
            if use is not None:
                mine.append((build.budget(("use", name), Decimal(1), True), use))
            mine.append((build.budget(("unit", unit_of[m]), Decimal(1), True), name))
            mine.append((build.budget(("family", family_of[m]), Decimal(1), True), name))
            if count_cap is not None:
                mine.append((build.budget(("count",), Decimal(count_cap), True), name))
        if in_use is not None:
            mine.append((build.budget(("in-use", use), Decimal(in_use), True), position))
        if kind == "course":
            mine.append((build.budget(("course", target), course_credits[target]), amount))
        else:
            mine.append((build.budget(("pool",), pool), amount))
        mine.append((build.budget(("eight", members[0]), per_achievement), amount))
        mine.append((build.budget(("half",), half), amount))
        credits.append(amount)
        owners.append(owner)
        caps.append(in_use)
        draws.append(mine)
    return Problem(credits, owners, caps, build.budgets, draws)


def _by_search(problem: Problem, monkeypatch: pytest.MonkeyPatch) -> Solution:
    with monkeypatch.context() as patch:
        patch.setattr(allocate, "SEARCH_OPTIONS", 10**9)
        patch.setattr(allocate, "SEARCH_NODES", 10**9)
        patch.setattr(allocate, "TARGET_NODE_BUDGET", 10**9)
        return solve(problem)


def _by_lp(problem: Problem, monkeypatch: pytest.MonkeyPatch) -> Solution:
    with monkeypatch.context() as patch:
        patch.setattr(allocate, "SMALL", 0)
        patch.setattr(allocate, "SEARCH_OPTIONS", 0)
        return solve(problem)


def _seeds(count: int) -> Iterator[int]:
    return iter(range(count * SCALE))


@pytest.mark.parametrize("seed", list(_seeds(60)))
def test_lp_path_matches_search(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(seed)
    problem = random_problem(seed, achievements=rnd.randint(6, 16), courses=rnd.randint(4, 12))
    searched = _by_search(problem, monkeypatch)
    exact = _by_lp(problem, monkeypatch)
    assert searched.tie_break == "canonical"
    assert exact.tie_break == "canonical"
    assert searched.method in (Method.SEARCH, Method.ENUMERATION, Method.TRIVIAL)
    assert exact.method is Method.PATTERN_LP
    assert (exact.chosen, exact.total) == (searched.chosen, searched.total)
    assert feasible(problem, exact.chosen)


def _brute_force(problem: Problem) -> tuple[int, ...]:
    """The canonical maximum by enumeration: most credit, then earliest options."""
    size = len(problem.credits)
    best: tuple[Decimal, tuple[int, ...]] = (Decimal(-1), ())
    for flags in itertools.product((1, 0), repeat=size):  # include before exclude
        chosen = tuple(i for i in range(size) if flags[i])
        total = sum((problem.credits[i] for i in chosen), Decimal(0))
        if total > best[0] and feasible(problem, chosen):
            best = (total, chosen)
    return best[1]


@pytest.mark.parametrize("seed", list(_seeds(25)))
def test_lp_path_matches_brute_force(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    for achievements in range(2, 7):
        problem = random_problem(1000 + seed * 7 + achievements, achievements, courses=4)
        if len(problem.credits) > 14:
            continue
        exact = _by_lp(problem, monkeypatch)
        assert exact.chosen == _brute_force(problem)


@pytest.mark.parametrize("seed", list(_seeds(8)))
def test_option_milp_fallback_matches_search(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Too many patterns: the MILP over single options, then the canonical search."""
    problem = random_problem(500 + seed, achievements=8, courses=6)
    searched = _by_search(problem, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(allocate, "SMALL", 0)
        patch.setattr(allocate, "SEARCH_OPTIONS", 0)
        patch.setattr(milp, "PATTERNS", 1)
        fallback = solve(problem)
    assert fallback.method is Method.OPTION_MILP
    assert (fallback.chosen, fallback.total) == (searched.chosen, searched.total)


@pytest.mark.parametrize("seed", list(_seeds(20)))
def test_twins_are_set_aside_without_changing_the_result(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every achievement held two or three times: the copies are dropped before the LP, and
    the allocation is still the search's."""
    problem = random_problem(2000 + seed, achievements=6, courses=6, twins=1.0)
    live = problems.live_budgets(problem)
    dropped = 0
    for options in problems.components(problem, live):
        part = problems.component(problem, options, live)
        dropped += len(milp._twins(part, [problem.owners[o] for o in part.options]))
    assert dropped > 0
    searched = _by_search(problem, monkeypatch)
    exact = _by_lp(problem, monkeypatch)
    assert (exact.chosen, exact.total) == (searched.chosen, searched.total)


def test_unfinished_search_hands_over_to_the_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_problem(7, achievements=40, courses=30)
    searched = _by_search(problem, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(allocate, "SEARCH_NODES", 1)
        solution = solve(problem)
    assert solution.method is Method.PATTERN_LP
    assert solution.tie_break == "canonical"
    assert (solution.chosen, solution.total) == (searched.chosen, searched.total)


def test_highs_prints_nothing_on_stdout() -> None:
    """HiGHS announces itself on descriptor 1 when a process makes its first instance; that
    would corrupt ``creditbank evaluate --format json``."""
    import subprocess
    import sys

    code = "from creditbank.engine.milp import _highs; _highs(); _highs(); print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout == "ok\n"
