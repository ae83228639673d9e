"""The pathway: the least-effort plan, in study hours, to complete a programme from here.

Given a portfolio and a programme, what remains can be covered three ways: obtain a
certificate or finish a training that a rule converts (it costs its study hours), or take a
course of the programme (it costs the course's hours). The pathway is the cheapest mix that
completes every requirement — every required course exempted or taken, every category and
elective pool filled to its minimum.

How it is found:

* **candidates** come from the graph: every certificate, training or other unit, at each
  level, that a rule of the programme in force on the as-of date selects (a unit no rule
  selects cannot change the evaluation). Competition awards are won, not obtained: they are
  candidates only when ``costs`` names them. Its cost is ``costs[(unit, level)]``, else
  ``costs[(unit, None)]``, else the unit's own ``hours``; units with no known cost are left
  out and listed in ``uncosted``.
  At most one level per unit is obtained: the engine converts one achievement per unit.
* **the engine values additions**: each set of candidates is evaluated with
  :func:`~creditbank.engine.evaluate_with` (hypothetical achievements earned on the as-of
  date from an authorised issuer, with no grade), so every rule and cap applies exactly as
  it would to real achievements — including caps that make an addition worth nothing.
* **courses fill the rest**: required courses not exempted are taken; a pool or category is
  filled with its cheapest set of courses reaching the remaining credits (an exact 0-1
  knapsack over credits in hundredths). A course counts in the first requirement that lists
  it, else in any whose course types it has: pools that can take the same course are filled
  together (an exact dynamic programme over what each still needs), so one never takes the
  course another needed. Taken courses are not conversions: caps do not apply.
* **search**: every combination of candidates (one level or none per unit) is tried, depth
  first, cheapest units first, skipping any branch whose obtained hours alone already reach
  the best complete plan found. That is exact; when the combinations exceed ``max_plans``
  the units that alone save the least per hour are dropped first and ``exhaustive`` is False.

The plan minimises first the credits no course or candidate can cover (normally 0), then
total hours, then the number of things to obtain. Partial credit towards a course does not
spare taking it.

>>> import creditbank, datetime as dt
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> learner = creditbank.load_portfolio(
...     "examples/portfolios/demo-worker-001-electrician.yaml", standards)
>>> plan = pathway(standards, learner, "460301", dt.date(2026, 11, 29))
>>> plan.complete, plan.exhaustive, plan.hours, len(plan.additions)
(True, True, Decimal('2400'), 0)

At 16 学时 a credit the bundled training saves no hours: taking elective courses is as quick.
Given what a 1+X certificate costs to prepare (hours the standards do not state), obtaining
it can be: at 高级 it exempts two courses of 64 学时 each for 100 hours of preparation.

>>> costs = {("x:industrial-robot-operation-maintenance", None): Decimal(100)}
>>> plan = pathway(standards, learner, "460301", dt.date(2026, 11, 29), costs=costs)
>>> [(s.unit, s.level, str(s.credits)) for s in plan.additions], plan.hours
([('x:industrial-robot-operation-maintenance', 'advanced', '8')], Decimal('2372'))
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from creditbank.engine import Evaluation, evaluate, evaluate_with
from creditbank.engine.whatif import hypothetical
from creditbank.errors import EvaluationError
from creditbank.graph.build import StandardsGraph, build_graph
from creditbank.graph.queries import resolve_program
from creditbank.graph.select import (
    course_credits,
    course_hours,
    course_requirement,
    levels_in_window,
    requirement_courses,
)
from creditbank.graph.select import selected_units as _selected
from creditbank.graph.serial import plain
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Portfolio, Program, Requirement, Standards

__all__ = [
    "Candidate",
    "CoursePlan",
    "Pathway",
    "Step",
    "build_graph",
    "candidates",
    "courses_to_take",
    "pathway",
]

Costs = Mapping[tuple[str, str | None], Decimal]
MAX_PLANS = 4096
"""Combinations of candidates tried at most (each costs one evaluation)."""
MAX_COVER_STATES = 200_000
"""States at most when choosing courses for pools that share courses together."""


@dataclass(frozen=True)
class Candidate:
    """Something the learner could obtain: a unit at a level, and its cost in study hours."""

    unit: str
    level: str | None
    hours: Decimal


@dataclass(frozen=True)
class Step:
    """One thing to do: obtain a unit (at a level), or take a course."""

    action: Literal["obtain", "take"]
    unit: str
    level: str | None
    hours: Decimal
    credits: Decimal
    """Obtain: credits it converts into in the plan; take: the course's credits."""
    into: tuple[str, ...]
    """Obtain: courses exempted or requirements credited; take: the requirement it fills."""


@dataclass(frozen=True)
class CoursePlan:
    """Courses to take after an evaluation, and what no course can cover."""

    take: tuple[tuple[str, str], ...]
    """(course, requirement) pairs."""
    hours: Decimal
    uncovered: tuple[tuple[str, Decimal], ...]
    """(requirement, credits) that even every course of it cannot cover."""


@dataclass(frozen=True)
class Pathway:
    """The least-effort plan to complete a programme."""

    program: str
    learner: str
    as_of: dt.date
    steps: tuple[Step, ...]
    hours: Decimal
    obtain_hours: Decimal
    course_hours: Decimal
    recognised_before: Decimal
    recognised_after: Decimal
    uncovered: tuple[tuple[str, Decimal], ...]
    exhaustive: bool
    candidates: tuple[Candidate, ...]
    uncosted: tuple[str, ...]
    """``unit`` or ``unit@level`` left out for want of a cost."""
    evaluations: int

    @property
    def complete(self) -> bool:
        """Whether the plan completes every requirement."""
        return not self.uncovered

    def to_dict(self) -> dict[str, Any]:
        """As ``creditbank query pathway --format json`` and ``POST /v1/pathways`` give it:
        every field (amounts and dates as text), and ``complete``."""
        data: dict[str, Any] = plain(self)
        data["complete"] = self.complete
        return data

    @property
    def additions(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.action == "obtain")


# ---------------------------------------------------------------- candidates


def _cost(standards: Standards, costs: Costs, unit: str, level: str | None) -> Decimal | None:
    for key in ((unit, level), (unit, None)):
        if key in costs:
            return Decimal(costs[key])
    return standards.units[unit].hours


def candidates(
    sg: StandardsGraph, program: Program, as_of: dt.date, costs: Costs | None = None
) -> tuple[list[Candidate], list[str]]:
    """What could be obtained towards ``program``: (costed candidates, uncosted units).

    Non-course units that a rule of the programme in force on ``as_of`` selects, at every
    level some part of the rule admits.
    """
    standards = sg.standards
    wanted: dict[tuple[str, str | None], None] = {}
    for rule in standards.rules.values():
        if program.id not in rule.programs or not rule.in_force(as_of):
            continue
        for match in rule.when.matches():
            for unit in _selected(standards, match):
                kind = standards.units[unit].kind
                if kind == "course" or (kind == "award" and not _costed(costs, unit)):
                    continue
                levels = levels_in_window(standards, unit, match.level)
                for level in levels if levels is not None else (None,):
                    wanted[(unit, level)] = None
    found: list[Candidate] = []
    uncosted: list[str] = []
    for unit, level in sorted(wanted, key=lambda k: (k[0], _rank(standards, *k))):
        hours = _cost(standards, costs or {}, unit, level)
        if hours is None:
            uncosted.append(f"{unit}@{level}" if level else unit)
        else:
            found.append(Candidate(unit, level, hours))
    return found, uncosted


def _costed(costs: Costs | None, unit: str) -> bool:
    return any(key[0] == unit for key in costs or {})


def _rank(standards: Standards, unit: str, level: str | None) -> int:
    framework = unit_framework(standards, unit)
    found = framework.level(level) if framework and level else None
    return found.rank if found else 0


# ------------------------------------------------------------------- courses


def _pool(standards: Standards, program: Program, index: int) -> list[str]:
    """Courses that can fill a category or pool: those it lists or takes by course type,
    except courses that count elsewhere (a course counts in the first requirement that
    lists it, as the engine reads it; a listing wins over a course type)."""
    requirement = program.requirements[index]
    return [
        c
        for c in requirement_courses(standards, program, requirement)
        if course_requirement(program, c) in (None, requirement.id)
    ]


def _cheapest_cover(
    items: Sequence[tuple[str, int, Decimal]], need: int
) -> tuple[list[str], int] | None:
    """Fewest hours (then fewest courses) of items reaching ``need`` hundredths of credit.

    ``items`` are (course, credits in hundredths, hours). None when all of them fall short.
    """
    if need <= 0:
        return [], 0
    if sum(w for _, w, _ in items) < need:
        return None
    infinity = (Decimal("Infinity"), len(items) + 1)
    best: list[tuple[Decimal, int]] = [(Decimal(0), 0), *[infinity] * need]
    choice: list[list[bool]] = []
    for _, weight, hours in items:
        taken = [False] * (need + 1)
        for amount in range(need, 0, -1):
            base = best[max(0, amount - weight)]
            option = (base[0] + hours, base[1] + 1)
            if weight > 0 and option < best[amount]:
                best[amount] = option
                taken[amount] = True
        choice.append(taken)
    chosen: list[str] = []
    amount = need
    for index in range(len(items) - 1, -1, -1):
        if amount > 0 and choice[index][amount]:
            chosen.append(items[index][0])
            amount = max(0, amount - items[index][1])
    return sorted(chosen), need - amount


def _joint_cover(
    items: Sequence[tuple[str, int, Decimal, tuple[int, ...]]], needs: Sequence[int]
) -> tuple[list[tuple[str, int]], list[int]] | None:
    """Courses for several pools that share courses, chosen together: each course fills at
    most one pool. Fewest credits left uncovered, then fewest hours, then fewest courses.

    ``items`` are (course, credits in hundredths, hours, the pools it can fill); ``needs``
    the hundredths each pool still needs. Returns the (course, pool) pairs taken and what
    each pool still lacks after them; None when there are more than :data:`MAX_COVER_STATES`
    states (a dynamic programme over what each pool still needs, in steps of the largest
    common divisor of every amount).
    """
    step = math.gcd(*needs, *(w for _, w, _, _ in items)) or 1
    if math.prod(n // step + 1 for n in needs) > MAX_COVER_STATES:
        return None
    layer: dict[tuple[int, ...], tuple[Decimal, int]] = {
        tuple(n // step for n in needs): (Decimal(0), 0)
    }
    back: list[dict[tuple[int, ...], tuple[tuple[int, ...], int | None]]] = []
    for _, weight, hours, pools in items:
        following = dict(layer)
        came: dict[tuple[int, ...], tuple[tuple[int, ...], int | None]] = {
            state: (state, None) for state in layer
        }
        for state, (spent, count) in layer.items():
            for pool in pools:
                if weight <= 0 or state[pool] == 0:
                    continue
                after = list(state)
                after[pool] = max(0, state[pool] - weight // step)
                target = tuple(after)
                option = (spent + hours, count + 1)
                if target not in following or option < following[target]:
                    following[target] = option
                    came[target] = (state, pool)
        layer = following
        back.append(came)
    state = min(layer, key=lambda s: (sum(s), layer[s]))
    left = [n * step for n in state]
    chosen: list[tuple[str, int]] = []
    for index in range(len(items) - 1, -1, -1):
        state, filled = back[index][state]
        if filled is not None:
            chosen.append((items[index][0], filled))
    return chosen[::-1], left


def courses_to_take(standards: Standards, program: Program, evaluation: Evaluation) -> CoursePlan:
    """After an evaluation: the required courses not exempted, and for the pools and
    categories the cheapest courses (in hours) that fill what remains — chosen together for
    pools that can take the same course (by course type), so that one does not take a
    course another needed."""
    exempted = {c for r in evaluation.requirements for c in r.courses_exempted}
    progress = {r.requirement: r.remaining for r in evaluation.requirements}
    chosen: dict[str, list[str]] = {r.id: [] for r in program.requirements}
    taken: set[str] = set(exempted)
    for requirement in program.requirements:
        if requirement.kind == "required_courses":
            chosen[requirement.id] = [str(c) for c in requirement.courses if c not in taken]
            taken.update(chosen[requirement.id])
    pools = [
        (requirement, [c for c in _pool(standards, program, index) if c not in taken])
        for index, requirement in enumerate(program.requirements)
        if requirement.kind != "required_courses"
    ]
    short: dict[str, Decimal] = {}
    for group in _sharing(pools):
        needs = [math.ceil(progress[r.id] * 100) for r, _ in group]
        items = [
            (
                c,
                int(course_credits(standards, c) * 100),
                course_hours(standards, program, c),
                tuple(i for i, (_, pool) in enumerate(group) if c in pool),
            )
            for c in dict.fromkeys(c for _, pool in group for c in pool)
        ]
        joint = _joint_cover(items, needs) if len(group) > 1 else None
        if joint is not None:
            for course, index in joint[0]:
                chosen[group[index][0].id].append(course)
            for (requirement, _), left in zip(group, joint[1], strict=True):
                short[requirement.id] = Decimal(left) / 100
            continue
        used: set[str] = set()  # one pool alone, or too many states: one pool after another
        for (requirement, pool), need in zip(group, needs, strict=True):
            own = [(c, w, h) for c, w, h, _ in items if c in pool and c not in used]
            cover = _cheapest_cover(own, need)
            picked = [c for c, _, _ in own] if cover is None else cover[0]
            used.update(picked)
            chosen[requirement.id] = picked
            got = sum((course_credits(standards, c) for c in picked), Decimal(0))
            short[requirement.id] = max(Decimal(0), progress[requirement.id] - got)
    take = tuple((c, r.id) for r in program.requirements for c in chosen[r.id])
    hours = sum((course_hours(standards, program, c) for c, _ in take), Decimal(0))
    uncovered = tuple((r.id, short[r.id]) for r in program.requirements if short.get(r.id, 0) > 0)
    return CoursePlan(take, hours, uncovered)


def _sharing(
    pools: Sequence[tuple[Requirement, list[str]]],
) -> list[list[tuple[Requirement, list[str]]]]:
    """The pools in groups that (through one another) can take a common course, in order."""
    groups: list[list[int]] = []
    for index, (_, courses) in enumerate(pools):
        joined = [g for g in groups if any(set(courses) & set(pools[i][1]) for i in g)]
        merged = sorted([i for g in joined for i in g] + [index])
        groups = [g for g in groups if g not in joined] + [merged]
    return [[pools[i] for i in group] for group in sorted(groups)]


# -------------------------------------------------------------------- search


@dataclass
class _Best:
    key: tuple[Any, ...]
    additions: tuple[Candidate, ...]
    evaluation: Evaluation
    plan: CoursePlan


class _Search:
    def __init__(
        self,
        standards: Standards,
        portfolio: Portfolio,
        program: Program,
        as_of: dt.date,
        groups: list[list[Candidate]],
    ) -> None:
        self.s = standards
        self.portfolio = portfolio
        self.program = program
        self.as_of = as_of
        self.groups = groups
        self.best: _Best | None = None
        self.evaluations = 0

    def evaluate(self, chosen: Sequence[Candidate]) -> Evaluation:
        self.evaluations += 1
        if not chosen:
            return evaluate(self.s, self.portfolio, self.program.id, self.as_of)
        extra = [
            hypothetical(self.s, c.unit, c.level, self.as_of, index)
            for index, c in enumerate(chosen)
        ]
        return evaluate_with(self.s, self.portfolio, self.program.id, extra, self.as_of)

    def leaf(self, chosen: tuple[Candidate, ...], hours: Decimal) -> None:
        evaluation = self.evaluate(chosen)
        plan = courses_to_take(self.s, self.program, evaluation)
        short = sum((amount for _, amount in plan.uncovered), Decimal(0))
        order = tuple((c.unit, _rank(self.s, c.unit, c.level)) for c in chosen)
        key = (short, hours + plan.hours, len(chosen), order)
        if self.best is None or key < self.best.key:
            self.best = _Best(key, chosen, evaluation, plan)

    def run(
        self, index: int = 0, chosen: tuple[Candidate, ...] = (), hours: Decimal = Decimal(0)
    ) -> None:
        best = self.best
        if (
            best is not None
            and best.key[0] == 0
            and (hours > best.key[1] or (hours == best.key[1] and len(chosen) >= best.key[2]))
        ):
            return  # obtaining alone costs as much as the best complete plan
        if index == len(self.groups):
            self.leaf(chosen, hours)
            return
        self.run(index + 1, chosen, hours)
        for candidate in self.groups[index]:
            self.run(index + 1, (*chosen, candidate), hours + candidate.hours)


def _trim(
    search: _Search, groups: list[list[Candidate]], max_plans: int, base: Decimal
) -> list[list[Candidate]]:
    """Keep the units that alone save the most hours per hour spent, within ``max_plans``."""

    def saving(candidate: Candidate) -> Decimal:
        evaluation = search.evaluate([candidate])
        plan = courses_to_take(search.s, search.program, evaluation)
        return (base - plan.hours) / max(candidate.hours, Decimal(1))

    ranked = sorted(groups, key=lambda g: -max(saving(c) for c in g))
    kept: list[list[Candidate]] = []
    count = 1
    for group in ranked:
        if count * (len(group) + 1) > max_plans:
            continue
        kept.append(group)
        count *= len(group) + 1
    return kept


def pathway(
    standards: Standards,
    portfolio: Portfolio,
    program: str,
    as_of: dt.date | None = None,
    *,
    costs: Costs | None = None,
    max_plans: int = MAX_PLANS,
    graph: StandardsGraph | None = None,
) -> Pathway:
    """The least-effort plan to complete ``program`` from ``portfolio`` (see the module doc).

    ``costs`` gives study hours by ``(unit, level id)`` or ``(unit, None)``, for units the
    standards give no ``hours``. Raises :class:`~creditbank.errors.EvaluationError` for an
    unknown programme or a negative cost (the search prunes by hours spent), and
    :class:`~creditbank.LoadError` for a portfolio the standards do not match.
    """
    for (unit, level), hours in (costs or {}).items():
        if not Decimal(hours).is_finite() or Decimal(hours) < 0:
            shown = f"{unit}@{level}" if level else unit
            raise EvaluationError(f"the cost of {shown} is {hours}; give zero or more study hours")
    day = as_of or dt.date.today()
    prog = resolve_program(standards, program)
    sg = graph or build_graph(standards)
    found, uncosted = candidates(sg, prog, day, costs)
    by_unit: dict[str, list[Candidate]] = {}
    for candidate in found:
        by_unit.setdefault(candidate.unit, []).append(candidate)
    groups = sorted(by_unit.values(), key=lambda g: (min(c.hours for c in g), g[0].unit))
    search = _Search(standards, portfolio, prog, day, groups)
    before = search.evaluate([])
    exhaustive = math.prod(len(g) + 1 for g in groups) <= max_plans
    if not exhaustive:
        base = courses_to_take(standards, prog, before).hours
        groups = sorted(
            _trim(search, groups, max_plans, base),
            key=lambda g: (min(c.hours for c in g), g[0].unit),
        )
        search.groups = groups
    search.run()
    best = search.best
    assert best is not None
    obtain = sum((c.hours for c in best.additions), Decimal(0))
    return Pathway(
        program=prog.id,
        learner=portfolio.learner,
        as_of=day,
        steps=_steps(standards, prog, best),
        hours=obtain + best.plan.hours,
        obtain_hours=obtain,
        course_hours=best.plan.hours,
        recognised_before=before.totals.recognised,
        recognised_after=best.evaluation.totals.recognised,
        uncovered=best.plan.uncovered,
        exhaustive=exhaustive,
        candidates=tuple(found),
        uncosted=tuple(uncosted),
        evaluations=search.evaluations,
    )


def _steps(standards: Standards, program: Program, best: _Best) -> tuple[Step, ...]:
    steps: list[Step] = []
    for index, candidate in enumerate(best.additions):
        achievement = f"whatif:{index}:{candidate.unit}"
        decision = next(
            (d for d in best.evaluation.decisions if d.achievement == achievement), None
        )
        into = tuple(
            dict.fromkeys(u.course or u.requirement for u in (decision.uses if decision else ()))
        )
        steps.append(
            Step(
                "obtain",
                candidate.unit,
                candidate.level,
                candidate.hours,
                decision.credits if decision else Decimal(0),
                into,
            )
        )
    for course, requirement in best.plan.take:
        steps.append(
            Step(
                "take",
                course,
                None,
                course_hours(standards, program, course),
                course_credits(standards, course),
                (requirement,),
            )
        )
    return tuple(steps)
