"""The one fit test of the allocation (:class:`creditbank.engine.problem.Usage`) against the
independent checker :func:`creditbank.engine.allocate.feasible`, and which method
:func:`creditbank.engine.allocate.solve` reports.

The search, HiGHS's witnesses and the explainer all ask ``Usage`` whether options fit; here it
must agree with ``feasible`` (its own arithmetic, in decimals) on every subset drawn, both over
the whole problem in decimals and over each component in integer hundredths.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.engine import allocate
from creditbank.engine import problem as problems
from creditbank.engine.allocate import Budget, Method, Problem, feasible, solve
from creditbank.engine.problem import Usage, fits_together
from tests.engine.test_allocate_exact import random_problem


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), data=st.data())
def test_usage_agrees_with_feasible(seed: int, data: st.DataObject) -> None:
    problem = random_problem(seed, achievements=6, courses=5)
    size = len(problem.credits)
    chosen = data.draw(st.lists(st.integers(0, size - 1), unique=True, max_size=size))
    expected = feasible(problem, chosen)
    assert fits_together(Usage.of_problem(problem).table, chosen) == expected
    # one by one, as the search adds them; an option fits exactly when it overflows nothing
    usage = Usage.of_problem(problem)
    added = 0
    for option in chosen:
        assert usage.fits(option) == (not usage.overflows(option))
        if not usage.fits(option):
            break
        usage.add(option)
        added += 1
    assert (added == len(chosen)) == expected
    # in hundredths, component by component: feasible iff every component's share fits
    live = problems.live_budgets(problem)
    fits_everywhere = True
    for options in problems.components(problem, live):
        part = problems.component(problem, options, live)
        where = {option: position for position, option in enumerate(part.options)}
        mine = [where[o] for o in chosen if o in where]
        fits_everywhere &= fits_together(part.table(), mine)
    assert fits_everywhere == expected


def test_remove_undoes_add() -> None:
    problem = random_problem(3, achievements=6, courses=5)
    usage = Usage.of_problem(problem)
    for option in range(len(problem.credits)):
        usage.add(option)
    for option in reversed(range(len(problem.credits))):
        usage.remove(option)
    assert all(amount == 0 for amount in usage.used.values())
    assert all(not held for held in usage.tokens.values())


def _independent(count: int) -> Problem:
    """``count`` options that share nothing: nothing to decide."""
    budgets = [Budget(("course", i), Decimal(2)) for i in range(count)]
    draws: list[list[tuple[int, Hashable]]] = [[(i, Decimal(2))] for i in range(count)]
    return Problem([Decimal(2)] * count, [None] * count, [None] * count, budgets, draws)


def _competing(count: int) -> Problem:
    """``count`` options of 1 credit competing for a course of ``count - 1`` credits."""
    budgets = [Budget(("course",), Decimal(count - 1))]
    draws: list[list[tuple[int, Hashable]]] = [[(0, Decimal(1))] for _ in range(count)]
    owners: list[tuple[Hashable, Hashable] | None] = [(f"a{i}", "use") for i in range(count)]
    return Problem([Decimal(1)] * count, owners, [None] * count, budgets, draws)


def test_solve_reports_the_method_that_decided(monkeypatch: pytest.MonkeyPatch) -> None:
    assert solve(Problem([], [], [])).method is Method.TRIVIAL
    assert solve(_independent(5)).method is Method.TRIVIAL
    small = solve(_competing(allocate.SMALL))
    assert small.method is Method.ENUMERATION and small.total == allocate.SMALL - 1
    searched = solve(_competing(allocate.SMALL + 3))
    assert searched.method is Method.SEARCH and searched.total == allocate.SMALL + 2
    with monkeypatch.context() as patch:
        patch.setattr(allocate, "SEARCH_OPTIONS", 0)
        exact = solve(_competing(allocate.SMALL + 3))
    assert exact.method is Method.PATTERN_LP
    assert (exact.chosen, exact.total) == (searched.chosen, searched.total)


def test_the_whole_problem_reports_its_hardest_component() -> None:
    """One trivial component and one searched: the problem says SEARCH."""
    a, b = _independent(1), _competing(allocate.SMALL + 2)
    shift = len(a.budgets)
    joined = Problem(
        a.credits + b.credits,
        a.owners + b.owners,
        a.caps_in_use + b.caps_in_use,
        a.budgets + b.budgets,
        a.draws + [[(i + shift, v) for i, v in d] for d in b.draws],
    )
    assert solve(joined).method is Method.SEARCH
