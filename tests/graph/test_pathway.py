"""The pathway is the least-effort plan: checked against brute force on random small cases.

The brute force shares nothing with the search but the engine (which values additions, as
the pathway must): it tries every combination of obtaining each non-course unit at one of
its levels or not at all — not only the candidates the graph proposes — and every subset of
the programme's courses to take, and keeps the least (credits left uncovered, study hours).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creditbank
from creditbank.engine import evaluate_with, hypothetical
from creditbank.errors import EvaluationError
from creditbank.graph.pathway import _cheapest_cover, _joint_cover, courses_to_take, pathway
from creditbank.models import CourseUnit, Portfolio, Standards
from creditbank.testing.strategies import SCENARIO_AS_OF, SCENARIO_PROGRAM, pathway_scenarios
from tests.paths import ROOT

SCALE = int(os.environ.get("CREDITBANK_PROPERTY_SCALE", "1"))
ROBOT_X = "x:industrial-robot-operation-maintenance"

Costs = Mapping[tuple[str, str | None], Decimal]


def brute_force(
    standards: Standards, portfolio: Portfolio, costs: Costs
) -> tuple[Decimal, Decimal]:
    """(uncovered credits, study hours) of the best plan, by trying everything.

    ``costs`` covers every non-course unit at every level (``(unit, None)`` for a unit
    without levels); each unit is obtained at one of them or not at all.
    """
    program = standards.programs[SCENARIO_PROGRAM]
    required = [c for r in program.requirements if r.kind == "required_courses" for c in r.courses]
    pool = next(r for r in program.requirements if r.kind != "required_courses")
    units = sorted(u.id for u in standards.units.values() if u.kind != "course")
    choices: list[list[tuple[str, str | None] | None]] = [
        [None, *sorted((key for key in costs if key[0] == u), key=str)] for u in units
    ]
    best: tuple[Decimal, Decimal] | None = None
    for combo in itertools.product(*choices):
        chosen = [key for key in combo if key is not None]
        hours = sum((costs[key] for key in chosen), Decimal(0))
        extra = [
            hypothetical(standards, unit, level, SCENARIO_AS_OF, i)
            for i, (unit, level) in enumerate(chosen)
        ]
        evaluation = evaluate_with(standards, portfolio, program.id, extra, SCENARIO_AS_OF)
        exempted = {c for r in evaluation.requirements for c in r.courses_exempted}
        remaining = next(r for r in evaluation.requirements if r.requirement == pool.id).remaining
        open_courses = [c for c in program.course_ids() if c not in exempted]
        for size in range(len(open_courses) + 1):
            for subset in itertools.combinations(open_courses, size):
                if any(c not in exempted and c not in subset for c in required):
                    continue
                pool_credit = sum(
                    (_credits(standards, c) for c in subset if c in pool.courses), Decimal(0)
                )
                uncovered = max(remaining - pool_credit, Decimal(0))
                total = hours + sum((_hours(standards, c) for c in subset), Decimal(0))
                if best is None or (uncovered, total) < best:
                    best = (uncovered, total)
    assert best is not None
    return best


def _credits(standards: Standards, course: str) -> Decimal:
    unit = standards.units[course]
    assert isinstance(unit, CourseUnit)
    return unit.credits.amount


def _hours(standards: Standards, course: str) -> Decimal:
    unit = standards.units[course]
    assert isinstance(unit, CourseUnit) and unit.hours is not None
    return unit.hours


@settings(
    max_examples=40 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pathway_scenarios())
def test_pathway_is_optimal_against_brute_force(
    case: tuple[Standards, Portfolio, dict[tuple[str, str | None], Decimal]],
) -> None:
    standards, portfolio, costs = case
    plan = pathway(standards, portfolio, SCENARIO_PROGRAM, SCENARIO_AS_OF, costs=costs)
    assert plan.exhaustive
    found = (sum((c for _, c in plan.uncovered), Decimal(0)), plan.hours)
    assert found == brute_force(standards, portfolio, costs)
    # the plan is what it says: its additions, evaluated, leave exactly its courses to take
    extra = [
        hypothetical(standards, s.unit, s.level, SCENARIO_AS_OF, i)
        for i, s in enumerate(plan.additions)
    ]
    evaluation = evaluate_with(standards, portfolio, SCENARIO_PROGRAM, extra, SCENARIO_AS_OF)
    courses = courses_to_take(standards, standards.programs[SCENARIO_PROGRAM], evaluation)
    assert [s.unit for s in plan.steps if s.action == "take"] == [c for c, _ in courses.take]
    assert plan.hours == plan.obtain_hours + courses.hours
    assert plan.recognised_after == evaluation.totals.recognised


@settings(max_examples=200 * SCALE, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 600), st.integers(0, 100)), min_size=0, max_size=7),
    st.integers(0, 1500),
)
def test_cheapest_cover_is_exact(items: list[tuple[int, int]], need: int) -> None:
    named = [(f"c{i}", w, Decimal(h)) for i, (w, h) in enumerate(items)]
    found = _cheapest_cover(named, need)
    options = [
        subset
        for size in range(len(named) + 1)
        for subset in itertools.combinations(named, size)
        if sum(w for _, w, _ in subset) >= need
    ]
    if not options:
        assert found is None
        return
    assert found is not None
    best = min(sum((h for _, _, h in s), Decimal(0)) for s in options)
    chosen = {name: (w, h) for name, w, h in named}
    assert sum((chosen[c][1] for c in found[0]), Decimal(0)) == best
    assert sum(chosen[c][0] for c in found[0]) >= need


def test_bundled_pathway_uses_costs_to_obtain_a_certificate() -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    learner = creditbank.load_portfolio(
        ROOT / "examples/portfolios/demo-worker-003-welder.yaml", standards
    )
    day = dt.date(2026, 11, 29)
    plain = pathway(standards, learner, "demo-college:460301", day)
    assert plain.complete and plain.exhaustive
    # without a cost the 1+X certificate is left out, at each level (named by level id)
    assert [u for u in plain.uncosted if u.startswith(f"{ROBOT_X}@")] == [
        f"{ROBOT_X}@elementary",
        f"{ROBOT_X}@intermediate",
        f"{ROBOT_X}@advanced",
    ]
    assert not any(c.unit == ROBOT_X for c in plain.candidates)
    costs: dict[tuple[str, str | None], Decimal] = {
        ("x:industrial-robot-operation-maintenance", "advanced"): Decimal(60)
    }
    cheaper = pathway(standards, learner, "460301", day, costs=costs)
    assert [(s.unit, s.level) for s in cheaper.additions] == [
        ("x:industrial-robot-operation-maintenance", "advanced")
    ]
    assert cheaper.hours == plain.hours - 128 + 60  # two 64-hour courses exempted
    assert cheaper.recognised_after == cheaper.recognised_before + 8


def test_negative_costs_are_refused() -> None:
    """The search prunes by the hours spent so far, which a negative cost would make wrong."""
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    learner = creditbank.Portfolio(learner="nobody")
    costs: Costs = {("x:industrial-robot-operation-maintenance", None): Decimal(-100)}
    with pytest.raises(EvaluationError, match="give zero or more study hours"):
        pathway(standards, learner, "460301", dt.date(2026, 11, 29), costs=costs)


@settings(max_examples=200 * SCALE, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([50, 100, 150, 200, 400]),
            st.integers(0, 60),
            st.sets(st.integers(0, 2), min_size=1),
        ),
        max_size=6,
    ),
    st.lists(st.sampled_from([0, 100, 200, 300, 600]), min_size=2, max_size=3),
)
def test_joint_cover_is_exact(items: list[tuple[int, int, set[int]]], needs: list[int]) -> None:
    """Pools sharing courses: every assignment of each course to one pool it can fill, or
    none, is tried; the least (credits left, hours, courses) must be found."""
    named = [
        (f"c{i}", w, Decimal(h), tuple(sorted(p for p in pools if p < len(needs))))
        for i, (w, h, pools) in enumerate(items)
    ]
    found = _joint_cover(named, needs)
    assert found is not None
    best = None
    for assignment in itertools.product(*[(None, *pools) for _, _, _, pools in named]):
        left = list(needs)
        for (_, w, _, _), pool in zip(named, assignment, strict=True):
            if pool is not None:
                left[pool] = max(0, left[pool] - w)
        picked = [item for item, pool in zip(named, assignment, strict=True) if pool is not None]
        key = (sum(left), sum((h for _, _, h, _ in picked), Decimal(0)), len(picked))
        best = key if best is None or key < best else best
    chosen, left = found
    hours = {name: h for name, _, h, _ in named}
    assert (sum(left), sum((hours[c] for c, _ in chosen), Decimal(0)), len(chosen)) == best
    # what it says is left is what its choice leaves
    check = list(needs)
    for course, pool in chosen:
        weight = next(w for name, w, _, pools in named if name == course and pool in pools)
        check[pool] = max(0, check[pool] - weight)
    assert check == left


OVERLAPPING_POOLS = """\
kind: standards
example: true
units:
  - {id: x, kind: course, name: course x, credits: 4, hours: 10, course_type: elective}
  - {id: y, kind: course, name: course y, credits: 2, hours: 10, course_type: elective}
  - {id: z, kind: course, name: course z, credits: 2, hours: 10, course_type: elective}
  - {id: w, kind: course, name: course w, credits: 2, hours: 16, course_type: practice}
  - {id: v, kind: course, name: course v, credits: 2, hours: 40, course_type: practice}
programs:
  - id: p
    name: programme
    education_level: higher_vocational
    total_credits: 10
    requirements:
      - {id: a, name: any two elective credits, kind: category, min_credits: 2,
         course_types: [elective]}
      - {id: b, name: four more elective credits, kind: category, min_credits: 4,
         course_types: [elective]}
      - {id: c, name: any practice, kind: category, min_credits: 2, course_types: [practice]}
      - {id: d, name: practice w, kind: elective_pool, min_credits: 2, courses: [w]}
"""


def test_pools_that_share_courses_are_filled_together(tmp_path: Path) -> None:
    """Regressions: pool a took x (4 credits), leaving b two 10-hour courses instead of x;
    category c took w, the only course pool d lists (a listing wins over a course type),
    and the plan said the programme could not be completed."""
    path = tmp_path / "pools.yaml"
    path.write_text(OVERLAPPING_POOLS, encoding="utf-8")
    standards = creditbank.load_standards(path)
    plan = pathway(standards, Portfolio(learner="nobody"), "p", dt.date(2026, 1, 1))
    assert plan.complete
    assert [(s.unit, s.into) for s in plan.steps] == [
        ("y", ("a",)),
        ("x", ("b",)),
        ("v", ("c",)),
        ("w", ("d",)),
    ]
    assert plan.hours == 10 + 10 + 40 + 16
