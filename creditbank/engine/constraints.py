"""Turn a programme, its caps and the candidate options into budgets for the allocator.

Built-in constraints (from the rules' common sense, see DESIGN.md section 3):

* an achievement is used by at most one rule-use, unless the rule is ``shareable``;
* a course is filled at most once (an exemption takes all of its credits; partial credit
  may add up to them);
* a requirement takes at most what it needs (``max_credits``, else ``min_credits``; required
  courses: the sum of their credits);
* one outcome (unit) is converted once: at most one achievement per unit;
* ``choose: any`` exempts at most ``max_courses`` courses per use.

Caps (:class:`~creditbank.models.Cap`) add their own budgets per group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from creditbank.engine.allocate import Budget, Problem
from creditbank.engine.facts import Facts
from creditbank.engine.index import rule_index
from creditbank.engine.options import Entry, Option
from creditbank.models import Cap, CourseUnit, Program, Standards
from creditbank.models.units import AwardUnit

__all__ = ["BudgetLabel", "Compiled", "caps_for", "compile_problem", "counted", "group_keys"]


@dataclass(frozen=True)
class BudgetLabel:
    """What a budget stands for, to explain a decision it blocked."""

    kind: str  # "use" | "course" | "requirement" | "unit" | "cap" | "in-use"
    name: str


@dataclass
class Compiled:
    problem: Problem
    labels: list[BudgetLabel]


def caps_for(standards: Standards, program: Program, as_of: dt.date) -> list[Cap]:
    """Caps in force on ``as_of`` that apply to ``program``."""
    return [cap for cap in rule_index(standards).program(program).caps if cap.in_force(as_of)]


def requirement_capacity(standards: Standards, program: Program) -> dict[str, Decimal]:
    """How much credit each requirement can take."""
    return dict(rule_index(standards).program(program).capacity)


@dataclass
class _CapTest:
    """A cap's selector, ready to apply: sets, and a memo of which units it counts."""

    cap: Cap
    rules: frozenset[str]
    requirements: frozenset[str]
    course_types: frozenset[str]
    by_member: bool
    members: dict[tuple[str, bool], bool]


_CAP_TESTS = "creditbank.engine.constraints.cap-tests"


def _new_tests(standards: Standards) -> dict[str, _CapTest]:
    return {}


def _test_of(cap: Cap, standards: Standards) -> _CapTest:
    tests = standards.derived(_CAP_TESTS, _new_tests)
    found = tests.get(cap.id)
    if found is None or found.cap is not cap:
        sel = cap.counts
        unit_filters = (sel.units, sel.unit_kinds, sel.tags, sel.families, sel.scopes, sel.tiers)
        found = _CapTest(
            cap,
            frozenset(map(str, sel.rules)),
            frozenset(sel.requirements),
            frozenset(sel.course_types),
            any(unit_filters) or sel.online is not None,
            {},
        )
        tests[cap.id] = found
    return found


def counted(
    cap: Cap, option: Option, entry: Entry, facts: Mapping[str, Facts], standards: Standards
) -> bool:
    """Whether a cap counts one credit entry of an option."""
    return _counts(_test_of(cap, standards), option, entry, facts, standards)


def _counts(
    test: _CapTest, option: Option, entry: Entry, facts: Mapping[str, Facts], standards: Standards
) -> bool:
    if test.rules and option.rule.id not in test.rules:
        return False
    if test.requirements and entry.requirement not in test.requirements:
        return False
    if test.course_types:
        course = standards.units.get(entry.course) if entry.course else None
        if not isinstance(course, CourseUnit) or course.course_type not in test.course_types:
            return False
    if not test.by_member:
        return True
    memo = test.members
    for achievement in option.binding:
        fact = facts[achievement]
        key = (fact.unit.id, fact.online)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _member_counted(test.cap, fact)
        if found:
            return True
    return False


def _member_counted(cap: Cap, fact: Facts) -> bool:
    sel = cap.counts
    unit = fact.unit
    checks = [
        not sel.units or unit.id in sel.units,
        not sel.unit_kinds or unit.kind in sel.unit_kinds,
        not sel.tags or set(sel.tags) <= set(unit.tags),
        not sel.families or unit.family in sel.families,
        not sel.scopes or getattr(unit, "scope", None) in sel.scopes,
        not sel.tiers or (isinstance(unit, AwardUnit) and unit.tier in sel.tiers),
        sel.online is None or fact.online == sel.online,
    ]
    return all(checks)


def group_keys(
    cap: Cap, option: Option, entry: Entry, *, facts: Mapping[str, Facts], standards: Standards
) -> list[Hashable]:
    """The groups of ``cap.per`` that one counted entry falls in."""
    per = cap.per
    primary = facts[option.binding[0]]
    if per == "program":
        return ["program"]
    if per == "achievement":
        return [*option.binding]
    if per == "course":
        return [entry.course] if entry.course else []
    if per == "rule":
        return [option.rule.id]
    if per == "requirement":
        return [entry.requirement]
    if per == "family":
        families: list[Hashable] = [*sorted({facts[a].family() for a in option.binding})]
        return families
    if per == "unit":
        units: list[Hashable] = [*sorted({facts[a].unit.id for a in option.binding})]
        return units
    earned = primary.achievement.earned_on
    if cap.period_set == "calendar_year":
        return [earned.year]
    period_set = standards.period_sets.get(str(cap.period_set))
    if period_set is None:
        return []
    for period in period_set.periods:
        if period.start <= earned <= period.end:
            return [period.id]
    return []


class _Builder:
    def __init__(self) -> None:
        self.budgets: list[Budget] = []
        self.labels: list[BudgetLabel] = []
        self.index: dict[tuple[Hashable, ...], int] = {}

    def budget(
        self,
        key: tuple[Hashable, ...],
        limit: Decimal,
        kind: str,
        name: str,
        distinct: bool = False,
    ) -> int:
        found = self.index.get(key)
        if found is None:
            found = len(self.budgets)
            self.index[key] = found
            self.budgets.append(Budget(key, limit, distinct))
            self.labels.append(BudgetLabel(kind, name))
        return found


_ONE = Decimal(1)


def compile_problem(
    standards: Standards,
    program: Program,
    caps: Sequence[Cap],
    options: Sequence[Option],
    facts: Mapping[str, Facts],
) -> Compiled:
    """Budgets and draws for the allocator (highest-only filtering happens before)."""
    build = _Builder()
    capacity = rule_index(standards).program(program).capacity
    tests = [_test_of(cap, standards) for cap in caps]
    draws: list[list[tuple[int, Hashable]]] = []
    for position, option in enumerate(options):
        mine: list[tuple[int, Hashable]] = []
        if not option.rule.shareable:
            for achievement in option.binding:
                index = build.budget(("use", achievement), _ONE, "use", achievement, distinct=True)
                mine.append((index, option.use))
        if option.max_in_use is not None:
            index = build.budget(
                ("in-use", option.use),
                Decimal(option.max_in_use),
                "in-use",
                option.rule.id,
                distinct=True,
            )
            mine.append((index, position))
        for achievement in option.binding:
            unit = facts[achievement].unit.id
            index = build.budget(("unit", unit), _ONE, "unit", unit, distinct=True)
            mine.append((index, achievement))
        for entry in option.entries:
            if entry.course is not None:
                course = standards.units.get(entry.course)
                limit = course.credits.amount if isinstance(course, CourseUnit) else entry.credits
                index = build.budget(("course", entry.course), limit, "course", entry.course)
                mine.append((index, limit if entry.kind == "exemption" else entry.credits))
            index = build.budget(
                ("requirement", entry.requirement),
                capacity.get(entry.requirement, Decimal(0)),
                "requirement",
                entry.requirement,
            )
            mine.append((index, entry.credits))
        for test in tests:
            mine.extend(
                _cap_draws(build, test, option, standards=standards, program=program, facts=facts)
            )
        draws.append(_merge(mine, build.budgets))
    problem = Problem(
        credits=[o.credits for o in options],
        owners=[None if o.rule.shareable else (o.binding[0], o.use) for o in options],
        caps_in_use=[o.max_in_use for o in options],
        budgets=build.budgets,
        draws=draws,
    )
    return Compiled(problem, build.labels)


def _cap_draws(
    build: _Builder,
    test: _CapTest,
    option: Option,
    *,
    standards: Standards,
    program: Program,
    facts: Mapping[str, Facts],
) -> list[tuple[int, Hashable]]:
    out: list[tuple[int, Hashable]] = []
    cap = test.cap
    if cap.within_recognised:
        credits = sum(
            (e.credits for e in option.entries if _counts(test, option, e, facts, standards)),
            Decimal(0),
        )
        for achievement in option.binding:
            ceiling = facts[achievement].recognised
            if ceiling is not None and credits:
                index = build.budget(("cap", cap.id, achievement), ceiling, "cap", cap.id)
                out.append((index, credits))
        return out
    for entry in option.entries:
        if not _counts(test, option, entry, facts, standards):
            continue
        for group in group_keys(cap, option, entry, facts=facts, standards=standards):
            key = ("cap", cap.id, group)
            if cap.max_credits is not None:
                out.append((build.budget(key, cap.max_credits, "cap", cap.id), entry.credits))
            elif cap.max_share is not None:
                limit = cap.max_share * program.total_credits
                out.append((build.budget(key, limit, "cap", cap.id), entry.credits))
            else:
                limit = _ONE if cap.highest_only else Decimal(cap.max_count or 0)
                index = build.budget(key, limit, "cap", cap.id, distinct=True)
                out.extend((index, a) for a in option.binding)
    return out


def _merge(draws: list[tuple[int, Hashable]], budgets: list[Budget]) -> list[tuple[int, Hashable]]:
    """One draw per sum budget (amounts added); distinct draws kept once per token."""
    sums: dict[int, Decimal] = {}
    distinct: dict[tuple[int, Hashable], None] = {}
    for index, value in draws:
        if budgets[index].distinct:
            distinct[(index, value)] = None
        else:
            assert isinstance(value, Decimal)
            sums[index] = sums.get(index, Decimal(0)) + value
    return [*sums.items(), *distinct]
