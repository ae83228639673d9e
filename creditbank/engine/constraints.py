"""Turn a programme, its caps and the candidate options into budgets for the allocator.

Built-in constraints (the rules' common sense, see docs/design.md, "Built-in constraints"):

* an achievement is used by at most one rule-use, unless the rule is ``shareable``;
* a course is filled at most once (an exemption takes all of its credits; partial credit
  may add up to them);
* a requirement takes at most what it needs (``max_credits``, else ``min_credits``; required
  courses: the sum of their credits);
* one outcome is converted once: at most one achievement per unit, and per occupation for
  skill certificates recorded under codes of different editions of one occupation
  (:func:`creditbank.engine.editions.outcome_of`, the same answer ``query equivalents``
  gives);
* ``choose: any`` exempts at most ``max_courses`` courses per use.

Caps (:class:`~creditbank.models.Cap`) add their own budgets per group.

What does not depend on the learner is worked out once and kept with the standards: for
the caps in force for a programme, which of them count an option of a given rule, targets
and units (:class:`_CapTable`), the courses' credits, and the budgets and labels themselves
(immutable, so equal ones are shared by every evaluation). An option made from a template
draws from course and requirement budgets what its template says, and from caps grouped
per programme, course, rule, requirement, family or unit what its template and its
achievements' units say; only caps per achievement or period, and caps within what the
bank recognised, are worked out per option.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from creditbank.bounded import BoundedDict
from creditbank.engine.cache import EngineCache
from creditbank.engine.editions import editions
from creditbank.engine.facts import Facts
from creditbank.engine.index import rule_index
from creditbank.engine.options import Entry, Option
from creditbank.engine.overflow import RequirementBudget, unknown_requirement
from creditbank.engine.problem import Budget, Problem
from creditbank.models import Cap, CourseUnit, Program, Standards
from creditbank.models.units import AwardUnit
from creditbank.models.values import share_of

__all__ = [
    "BudgetLabel",
    "Compiled",
    "caps_for",
    "compile_problem",
    "counted",
    "group_keys",
    "highest_members",
    "in_a_family",
]


@dataclass(frozen=True)
class BudgetLabel:
    """What a budget stands for, to explain a decision it blocked."""

    kind: str  # "use" | "course" | "requirement" | "unit" | "cap" | "in-use"
    name: str
    offset: Decimal = Decimal(0)
    """What a budget over a requirement and the requirements overflowing into it (or a
    cap's budget over them) adds to the limit for those members' capacities: subtracted
    from its limit and use to explain it as the requirement's (or the cap's) own."""


@dataclass
class Compiled:
    problem: Problem
    labels: list[BudgetLabel]
    outcomes: Mapping[str, str] = field(default_factory=dict)
    """Unit id -> the unit naming its outcome's budget, for units that share an outcome."""


def caps_for(standards: Standards, program: Program, as_of: dt.date) -> list[Cap]:
    """Caps in force on ``as_of`` that apply to ``program``."""
    return [cap for cap in rule_index(standards).program(program).caps if cap.in_force(as_of)]


def requirement_capacity(standards: Standards, program: Program) -> dict[str, Decimal]:
    """How much credit each requirement can take."""
    return dict(rule_index(standards).program(program).capacity)


@dataclass
class CapTest:
    """A cap's selector, ready to apply: sets, and memos of what it counts.

    Whether a cap counts a credit entry splits into what the rule and the entry decide
    (rule id, requirement, course type: the same for every learner, memoised in ``static``)
    and what the bound achievements decide (unit and online flag, memoised in ``members``).
    """

    cap: Cap
    rules: frozenset[str]
    requirements: frozenset[str]
    course_types: frozenset[str]
    by_member: bool
    members: dict[tuple[str, bool], bool]
    static: dict[tuple[str, str, str | None], bool] = field(default_factory=dict)


def _test_of(cap: Cap, standards: Standards) -> CapTest:
    tests: BoundedDict[str, CapTest] = standards.cache(EngineCache).cap_tests
    found = tests.get(cap.id)
    if found is None or found.cap is not cap:
        sel = cap.counts
        unit_filters = (sel.units, sel.unit_kinds, sel.tags, sel.families, sel.scopes, sel.tiers)
        found = CapTest(
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
    test: CapTest, option: Option, entry: Entry, facts: Mapping[str, Facts], standards: Standards
) -> bool:
    return _static_counts(test, option, entry, standards) and (
        not test.by_member or _members_counted(test, option, facts)
    )


def _static_counts(test: CapTest, option: Option, entry: Entry, standards: Standards) -> bool:
    """What the rule and the entry decide: the cap's rules, requirements and course types."""
    key = (option.rule.id, entry.requirement, entry.course)
    found = test.static.get(key)
    if found is None:
        found = test.static[key] = _entry_counted(test, key, standards)
    return found


def _entry_counted(test: CapTest, key: tuple[str, str, str | None], standards: Standards) -> bool:
    rule, requirement, course_id = key
    if test.rules and rule not in test.rules:
        return False
    if test.requirements and requirement not in test.requirements:
        return False
    if test.course_types:
        course = standards.units.get(course_id) if course_id else None
        if not isinstance(course, CourseUnit) or course.course_type not in test.course_types:
            return False
    return True


def _members_counted(test: CapTest, option: Option, facts: Mapping[str, Facts]) -> bool:
    """What the achievements decide: whether one of the option's achievements is counted."""
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
    cap: Cap,
    option: Option,
    entry: Entry,
    *,
    facts: Mapping[str, Facts],
    standards: Standards,
    program: Program | None = None,
) -> list[Hashable]:
    """The groups of ``cap.per`` that one counted entry falls in (``per: period`` without a
    ``period_set``: the periods of ``program``, see :func:`period_set_of`)."""
    per = cap.per
    if cap.highest_only and per in _BY_MEMBER:
        members: list[Hashable] = [
            *sorted({_member_group(per, facts[a]) for a in _members(option, facts)})
        ]
        return members
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
        if len(option.binding) == 1:
            return [primary.family()]
        families: list[Hashable] = [*sorted({facts[a].family() for a in option.binding})]
        return families
    if per == "unit":
        if len(option.binding) == 1:
            return [primary.unit.id]
        units: list[Hashable] = [*sorted({facts[a].unit.id for a in option.binding})]
        return units
    earned = primary.achievement.earned_on
    named = period_set_of(cap, program)
    if named == "calendar_year":
        return [earned.year]
    period_set = standards.period_sets.get(str(named))
    if period_set is None:  # the loader refuses a per-period cap without periods
        return []
    for period in period_set.periods:
        if period.start <= earned <= period.end:
            return [period.id]
    return []


_BY_MEMBER = frozenset({"family", "unit", "achievement"})
"""Groups of a highest-only cap that its members decide (the others: one per option)."""


def in_a_family(fact: Facts) -> bool:
    """Whether highest-only compares ``fact`` with others: its unit names a family, or it
    has a level (the levels of one unit are a family of their own). A training, an award
    or any unit with neither has no level to be higher or lower than: highest-only caps
    leave it out, so a combination binding it with a certificate counts only the
    certificate."""
    return fact.unit.family is not None or fact.rank is not None


def _members(option: Option, facts: Mapping[str, Facts]) -> list[str]:
    return [a for a in option.binding if in_a_family(facts[a])]


def _member_group(per: str, fact: Facts) -> str:
    if per == "family":
        return fact.family()
    return fact.unit.id if per == "unit" else fact.id


def highest_members(
    cap: Cap, option: Option, group: Hashable, facts: Mapping[str, Facts]
) -> list[str]:
    """The achievements ``option`` binds that are members of ``group`` of highest-only
    ``cap`` (:func:`in_a_family`), highest level first, then earliest earned, then id.

    An option counts each family once, on the first of these: its token in the family's
    budget (one result per family), so a combination of two families' certificates, or of
    a certificate and a training, is not refused for binding more than one achievement."""
    found = _members(option, facts)
    if cap.per in _BY_MEMBER:
        found = [a for a in found if _member_group(cap.per, facts[a]) == group]
    return sorted(found, key=lambda a: _highest_first(facts[a]))


def _highest_first(fact: Facts) -> tuple[int, dt.date, str]:
    rank = fact.rank
    return (-rank if rank is not None else 10**9, fact.achievement.earned_on, fact.id)


def source_credits(fact: Facts, program: Program) -> Decimal | None:
    """The credits of a source qualification in the programme's unit: what the achievement
    states, else what its unit states; None when neither states them in a unit the
    programme converts (:meth:`~creditbank.models.Program.in_credit_unit`)."""
    for value in (fact.achievement.credits, fact.unit.credits):
        if value is not None:
            return program.in_credit_unit(value)
    return None


def source_share(cap: Cap, fact: Facts, program: Program) -> Decimal:
    """What a ``share_of: source`` cap lets one achievement transfer (nothing when the
    source states no credits: a share of an unknown amount cannot be granted)."""
    assert cap.max_share is not None
    credits = source_credits(fact, program)
    return Decimal(0) if credits is None else share_of(credits, cap.max_share)


def period_set_of(cap: Cap, program: Program | None) -> str | None:
    """The period set a per-period cap counts in: its own, else the programme's ``periods``."""
    if cap.period_set is not None:
        return str(cap.period_set)
    if program is not None and program.periods is not None:
        return str(program.periods)
    return None


class _Builder:
    """Budgets by key, made on first use, with the label that explains each."""

    def __init__(
        self,
        made: dict[tuple[object, ...], tuple[Budget, BudgetLabel]],
        capacity: Mapping[str, Decimal] | None = None,
    ) -> None:
        self.capacity = capacity or {}
        self.budgets: list[Budget] = []
        self.labels: list[BudgetLabel] = []
        self.index: dict[tuple[Hashable, ...], int] = {}
        self.made = made

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
            # Budgets and labels are immutable: equal ones are shared between evaluations.
            offset = self.offset(key)
            spec = (key, limit, kind, name, distinct, offset)
            pair = self.made.get(spec)
            if pair is None:
                label = BudgetLabel(kind, name, offset)
                pair = self.made[spec] = (Budget(key, limit, distinct), label)
            self.budgets.append(pair[0])
            self.labels.append(pair[1])
        return found

    def offset(self, key: tuple[Hashable, ...]) -> Decimal:
        """The members' capacities in the limit of a subset budget (:class:`BudgetLabel`):
        ``("requirement", R, *members)`` and ``("cap", id, group, OVERFLOW, *members)``."""
        if key[0] == "requirement":
            members = key[2:]
        elif key[0] == "cap" and len(key) > 3 and key[3] == OVERFLOW:
            members = key[4:]
        else:
            return _ZERO
        return sum((self.capacity.get(str(m), _ZERO) for m in members), _ZERO)


OVERFLOW = "overflow"
"""Marks a cap's budget over a group and the requirements whose surplus it counts."""

_ONE = Decimal(1)
_ZERO = Decimal(0)


@dataclass(frozen=True, eq=False)
class _CapPlan:
    """One cap in force, ready for one programme: its test and what its budgets are."""

    test: CapTest
    limit: Decimal
    distinct: bool
    per_program: bool
    """One group for the whole programme (no need to ask :func:`group_keys`)."""
    program: Program
    capacity: Mapping[str, Decimal] = field(default_factory=dict)
    into: Mapping[str, str] = field(default_factory=dict)
    """Requirement -> the requirement it overflows into, for the requirements whose surplus
    this cap counts (it counts their overflow target, not them): see :func:`_entry_parts`."""
    spill: frozenset[str] = frozenset()
    """Requirements this cap counts whose overflow target it does not count: of a use into
    one it counts only what the requirement can take (its capacity)."""


def _cap_plan(test: CapTest, program: Program, capacity: Mapping[str, Decimal]) -> _CapPlan:
    cap = test.cap
    per_program = cap.per == "program"
    if cap.within_recognised or cap.share_of == "source":
        return _CapPlan(test, Decimal(0), False, False, program)  # a budget per achievement
    if cap.max_credits is not None or cap.max_share is not None:
        limit = (
            cap.max_credits
            if cap.max_credits is not None
            # exact: a share of the total floored in hundredths admits the same sums
            else share_of(program.total_credits, cap.max_share)  # type: ignore[arg-type]
        )
        into: dict[str, str] = {}
        spill: set[str] = set()
        if test.requirements:
            for requirement in program.requirements:
                target = program.overflow_of(requirement.id)
                if target in ("none", "total"):
                    continue
                if requirement.id in test.requirements:
                    if target not in test.requirements:
                        spill.add(requirement.id)
                elif target in test.requirements:
                    into[requirement.id] = target
        return _CapPlan(test, limit, False, per_program, program, capacity, into, frozenset(spill))
    limit = _ONE if cap.highest_only else Decimal(cap.max_count or 0)
    return _CapPlan(test, limit, True, per_program, program)


_Counted = tuple[tuple[_CapPlan, tuple[int, ...]], ...]

_FIXED_GROUPS = frozenset({"program", "course", "rule", "requirement", "family", "unit"})
"""Groups that a template and its achievements' units decide (not the achievements' dates,
ids or recognised credits)."""

FixedCapDraw = tuple[tuple[Hashable, ...], Decimal, str, bool, Decimal]
"""A cap budget's key, limit, cap id and whether it counts achievements, and the credits an
option draws from it (unused when it counts achievements: each one is a token)."""


@dataclass(frozen=True)
class _FixedCap:
    """What an option of one template, with achievements of given units, draws from one
    cap's budgets: worked out once, as :func:`_cap_draws` would work it out."""

    draws: tuple[FixedCapDraw, ...]


_CapItem = _FixedCap | tuple[_CapPlan, tuple[int, ...]]
"""A cap's fixed draws, or the cap with the positions of the entries it counts (to be
worked out per option)."""


@dataclass
class _CapTable:
    """The caps in force for one programme, and which of them count each kind of option."""

    program: Program
    caps: tuple[Cap, ...]
    plans: tuple[_CapPlan, ...]
    by_option: BoundedDict[tuple[object, ...], _Counted] = field(default_factory=BoundedDict)
    by_template: BoundedDict[tuple[object, ...], tuple[_CapItem, ...]] = field(
        default_factory=BoundedDict
    )
    """(template, achievements' units and online flags) -> what the caps take from such an
    option: fixed draws where the groups are fixed, else the counting cap."""
    """(rule, entries' requirements and courses — or their template —, achievements' units
    and online flags) ->
    the caps that count such an option, each with the positions of the entries it counts."""

    @property
    def institutional(self) -> frozenset[str]:
        """Ids of the institutional caps (they do not count an agreement's floor)."""
        return frozenset(cap.id for cap in self.caps if cap.authority == "institutional")

    def guaranteed(self, options: Sequence[Option]) -> bool:
        """Whether an option's rule guarantees a minimum."""
        return any(option.rule.guarantee is not None for option in options)

    def counting(
        self, standards: Standards, option: Option, facts: Mapping[str, Facts]
    ) -> _Counted:
        members = tuple((facts[a].unit.id, facts[a].online) for a in option.binding)
        made = option.template
        key: tuple[object, ...]
        if made is None:
            entries = tuple((e.requirement, e.course) for e in option.entries)
            key = (option.rule.id, entries, members)
        else:  # a template stands for its rule and entries
            key = (made, members)
        found = self.by_option.get(key)
        if found is None:
            found = tuple(
                (plan, positions)
                for plan in self.plans
                if (positions := _positions(plan, option, facts, standards))
            )
            self.by_option[key] = found
        return found

    def template_draws(
        self, standards: Standards, option: Option, facts: Mapping[str, Facts]
    ) -> tuple[_CapItem, ...]:
        """The caps' draws of an option made from a template (see ``by_template``)."""
        members = tuple((facts[a].unit.id, facts[a].online) for a in option.binding)
        key = (option.template, members)
        found = self.by_template.get(key)
        if found is None:
            found = tuple(
                _fixed_cap(plan, option, positions, standards, facts)
                if not plan.test.cap.within_recognised
                and plan.test.cap.share_of == "program"
                and plan.test.cap.per in _FIXED_GROUPS
                and not plan.test.cap.highest_only  # its tokens depend on levels
                else (plan, positions)
                for plan, positions in self.counting(standards, option, facts)
            )
            self.by_template[key] = found
        return found


def _fixed_cap(
    plan: _CapPlan,
    option: Option,
    positions: tuple[int, ...],
    standards: Standards,
    facts: Mapping[str, Facts],
) -> _FixedCap:
    """One cap's draws for an option whose groups its template and units decide."""
    cap = plan.test.cap
    order = _plan_draws(plan, option, positions, standards=standards, facts=facts, fixed=True)
    return _FixedCap(
        tuple(
            (key, _subset_limit(plan, key), cap.id, plan.distinct, amount)
            for key, amount in order.items()
        ),
    )


def _subset_limit(plan: _CapPlan, key: tuple[Hashable, ...]) -> Decimal:
    """The limit of a cap's budget: raised, over a subset of the requirements whose
    surplus it counts, by their capacities (:func:`_entry_parts`)."""
    if len(key) > 3 and key[3] == OVERFLOW:
        return plan.limit + sum((plan.capacity.get(str(m), _ZERO) for m in key[4:]), _ZERO)
    return plan.limit


def _entry_parts(
    plan: _CapPlan, option: Option, entry: Entry, standards: Standards
) -> tuple[Entry, Decimal, str | None]:
    """What a cap counts of one entry: the entry standing for its group, the credits, and
    the requirement whose surplus they are (None: counted in its own requirement).

    A cap counts everything that enters the requirements it counts. Of a use into a
    requirement ``C`` whose overflow target ``R`` it counts but not ``C``, it counts the
    surplus of ``C`` (what ``C`` cannot take): the use draws its credits from the cap's
    budgets over ``C`` (limit raised by the capacity of ``C``), grouped as an entry into
    ``R``. Of a use into a requirement it counts but not its overflow target, it counts at
    most what the requirement can take (its capacity)."""
    requirement = entry.requirement
    if requirement in plan.into and not _static_counts(plan.test, option, entry, standards):
        return replace(entry, requirement=plan.into[requirement]), entry.credits, requirement
    if requirement in plan.spill:
        return entry, min(entry.credits, plan.capacity.get(requirement, _ZERO)), None
    return entry, entry.credits, None


def _plan_draws(
    plan: _CapPlan,
    option: Option,
    positions: Sequence[int],
    *,
    standards: Standards,
    facts: Mapping[str, Facts],
    fixed: bool,
) -> dict[tuple[Hashable, ...], Decimal]:
    """Budget key -> the credits an option draws from one cap's budgets (its counted
    entries at ``positions``); with members whose surplus it counts, one budget per group and
    subset of them (as the requirement budgets of :mod:`creditbank.engine.overflow`)."""
    cap = plan.test.cap
    members = sorted(plan.into)
    subsets = [s for size in range(len(members) + 1) for s in itertools.combinations(members, size)]
    order: dict[tuple[Hashable, ...], Decimal] = {}
    for i in positions:
        entry, credits, member = _entry_parts(plan, option, option.entries[i], standards)
        if plan.per_program:
            groups: Sequence[Hashable] = _PROGRAM
        elif fixed:
            groups = group_keys(cap, option, entry, facts=facts, standards=standards)
        else:
            groups = group_keys(
                cap, option, entry, facts=facts, standards=standards, program=plan.program
            )
        for group in groups:
            for subset in subsets:
                if member is not None and member not in subset:
                    continue
                key: tuple[Hashable, ...] = (
                    ("cap", cap.id, group, OVERFLOW, *subset) if subset else ("cap", cap.id, group)
                )
                order[key] = order.get(key, _ZERO) + credits
    return order


def _positions(
    plan: _CapPlan, option: Option, facts: Mapping[str, Facts], standards: Standards
) -> tuple[int, ...]:
    """Positions of the option's entries that a cap counts (in their own requirement, or
    as the surplus of a requirement overflowing into one it counts)."""
    test = plan.test
    if test.by_member and not _members_counted(test, option, facts):
        return ()
    return tuple(
        i
        for i, e in enumerate(option.entries)
        if _static_counts(test, option, e, standards)
        or (
            e.requirement in plan.into
            and _static_counts(
                test, option, replace(e, requirement=plan.into[e.requirement]), standards
            )
        )
    )


@dataclass
class CompileTables:
    """What compiling needs beyond one evaluation, kept with the standards."""

    caps: BoundedDict[tuple[str, tuple[str, ...]], _CapTable] = field(
        default_factory=lambda: BoundedDict(10_000)  # (programme, caps): each holds draws
    )
    budgets: BoundedDict[tuple[object, ...], tuple[Budget, BudgetLabel]] = field(
        default_factory=BoundedDict
    )
    courses: dict[str, Decimal | None] = field(default_factory=dict)

    def __len__(self) -> int:
        """Entries held, the per-programme draws included (what bounds the memos)."""
        return (
            len(self.caps)
            + len(self.budgets)
            + len(self.courses)
            + sum(len(t.by_option) + len(t.by_template) for t in list(self.caps.values()))
        )


def _cap_table(
    tables: CompileTables, standards: Standards, program: Program, caps: Sequence[Cap]
) -> _CapTable:
    key = (program.id, tuple(cap.id for cap in caps))
    found = tables.caps.get(key)
    if (
        found is None
        or found.program is not program
        or any(a is not b for a, b in zip(found.caps, caps, strict=True))
    ):
        capacity = rule_index(standards).program(program).capacity
        plans = tuple(_cap_plan(_test_of(cap, standards), program, capacity) for cap in caps)
        found = _CapTable(program, tuple(caps), plans)
        tables.caps[key] = found
    return found


def _course_limit(tables: CompileTables, standards: Standards, course_id: str) -> Decimal | None:
    """A course's credits (its budget's limit), None if it is not a course."""
    try:
        return tables.courses[course_id]
    except KeyError:
        course = standards.units.get(course_id)
        found = tables.courses[course_id] = (
            course.credits.amount if isinstance(course, CourseUnit) else None
        )
        return found


def _exclusive_tokens(
    build: _Builder,
    option: Option,
    position: int,
    *,
    outcomes: Mapping[str, str],
    facts: Mapping[str, Facts],
    tokens: dict[tuple[int, Hashable], None],
) -> None:
    """The distinct budgets every option draws on: one use per achievement (unless the rule
    is shareable), the rule's ``max_in_use``, and one achievement per learning outcome."""
    budget, known = build.budget, build.index
    use = option.use
    if not option.rule.shareable:
        for achievement in option.binding:
            key: tuple[Hashable, ...] = ("use", achievement)
            index = known.get(key)
            if index is None:
                index = budget(key, _ONE, "use", achievement, distinct=True)
            tokens[(index, use)] = None
    if option.max_in_use is not None:
        limit = Decimal(option.max_in_use)
        index = budget(("in-use", use), limit, "in-use", option.rule.id, distinct=True)
        tokens[(index, position)] = None
    for achievement in option.binding:
        # one outcome, perhaps under several units (certificates of one occupation)
        unit = outcomes.get(own := facts[achievement].unit.id, own)
        key = ("unit", unit)
        index = known.get(key)
        if index is None:
            index = budget(key, _ONE, "unit", unit, distinct=True)
        tokens[(index, achievement)] = None


def compile_problem(
    standards: Standards,
    program: Program,
    caps: Sequence[Cap],
    options: Sequence[Option],
    facts: Mapping[str, Facts],
) -> Compiled:
    """Budgets and draws for the allocator (highest-only filtering happens before)."""
    cache = standards.cache(EngineCache)
    tables: CompileTables | None = cache.tables
    if tables is None:
        tables = cache.tables = CompileTables()
    indexed = rule_index(standards).program(program)
    build = _Builder(tables.budgets, indexed.capacity)
    budget, known = build.budget, build.index
    into = indexed.budgets
    table = _cap_table(tables, standards, program, caps)
    outcomes = editions(standards).outcomes
    draws: list[list[tuple[int, Hashable]]] = []
    for position, option in enumerate(options):
        # What the option draws: one summed amount per sum budget and each distinct token
        # once, in the order they first come (sum budgets first).
        sums: dict[int, Decimal] = {}
        tokens: dict[tuple[int, Hashable], None] = {}
        binding = option.binding
        _exclusive_tokens(build, option, position, outcomes=outcomes, facts=facts, tokens=tokens)
        made = option.template
        if made is not None:
            for key, limit, kind, name, amount in made.draws:
                index = known.get(key)
                if index is None:
                    index = budget(key, limit, kind, name)
                sums[index] = amount
        else:
            _entry_draws(build, tables, standards, into, option=option, sums=sums)
        items: Sequence[_CapItem] = (
            table.counting(standards, option, facts)
            if made is None
            else table.template_draws(standards, option, facts)
        )
        for item in items:
            if isinstance(item, _FixedCap):
                for key, limit, name, distinct, amount in item.draws:
                    index = known.get(key)
                    if index is None:
                        index = budget(key, limit, "cap", name, distinct)
                    if distinct:
                        for achievement in binding:
                            tokens[(index, achievement)] = None
                    else:
                        sums[index] = sums.get(index, _ZERO) + amount
                continue
            plan, positions = item
            _cap_draws(
                build,
                plan,
                option,
                positions,
                sums=sums,
                tokens=tokens,
                standards=standards,
                facts=facts,
            )
        draws.append([*sums.items(), *tokens])
    _honour_guarantees(build, table, options, draws)
    problem = Problem(
        credits=[o.credits for o in options],
        owners=[None if o.rule.shareable else (o.binding[0], o.use) for o in options],
        caps_in_use=[o.max_in_use for o in options],
        budgets=build.budgets,
        draws=draws,
    )
    return Compiled(problem, build.labels, outcomes)


def _honour_guarantees(
    build: _Builder,
    table: _CapTable,
    options: Sequence[Option],
    draws: list[list[tuple[int, Hashable]]],
) -> None:
    """Agreements' guaranteed minimums (rules with a ``guarantee``).

    A guaranteed use (the rule's options for one binding: its full credits and its floor)
    is taken once: a distinct budget per use. Institutional caps cannot cut into a floor:
    a guaranteed option draws from an institutional cap's budgets only what it brings
    above its floor, and carries no token into its counts; statutory caps and the
    programme's own budgets take everything as usual.
    """
    if not table.guaranteed(options):
        return
    uses: dict[Hashable, list[int]] = {}
    for position, option in enumerate(options):
        if option.rule.guarantee is not None:
            uses.setdefault(option.use, []).append(position)
    institutional = table.institutional
    labels, budgets = build.labels, build.budgets
    for use, positions in uses.items():
        rule = options[positions[0]].rule
        assert rule.guarantee is not None
        floor = rule.guarantee.min_credits
        if len(positions) > 1:
            index = build.budget(("guarantee", use), _ONE, "in-use", rule.id, distinct=True)
            for position in positions:
                draws[position].append((index, position))
        if not institutional:
            continue
        for position in positions:
            kept: list[tuple[int, Hashable]] = []
            for index, value in draws[position]:
                if labels[index].kind == "cap" and labels[index].name in institutional:
                    if budgets[index].distinct:
                        continue  # the guaranteed use is outside the cap's count
                    assert isinstance(value, Decimal)
                    if value <= floor:
                        continue
                    kept.append((index, value - floor))
                    continue
                kept.append((index, value))
            draws[position] = kept


def _entry_draws(
    build: _Builder,
    tables: CompileTables,
    standards: Standards,
    budgets: Mapping[str, tuple[RequirementBudget, ...]],
    *,
    option: Option,
    sums: dict[int, Decimal],
) -> None:
    """What an option made without a template draws from course and requirement budgets
    (as its template's draws would say, see :mod:`creditbank.engine.templates`)."""
    budget, known = build.budget, build.index
    for entry in option.entries:
        course, requirement = entry.course, entry.requirement
        if course is not None:
            found = _course_limit(tables, standards, course)
            limit = entry.credits if found is None else found
            key = ("course", course)
            index = known.get(key)
            if index is None:
                index = budget(key, limit, "course", course)
            amount = limit if entry.kind == "exemption" else entry.credits
            sums[index] = sums.get(index, _ZERO) + amount
        for into in budgets.get(requirement) or unknown_requirement(requirement):
            index = known.get(into.key)
            if index is None:
                index = budget(into.key, into.limit, into.kind, into.name)
            sums[index] = sums.get(index, _ZERO) + entry.credits


def _cap_draws(
    build: _Builder,
    plan: _CapPlan,
    option: Option,
    positions: Sequence[int],
    *,
    sums: dict[int, Decimal],
    tokens: dict[tuple[int, Hashable], None],
    standards: Standards,
    facts: Mapping[str, Facts],
) -> None:
    """Add what ``option`` draws from the budgets of one cap to ``sums`` and ``tokens``.

    ``positions`` are those of the option's entries the cap counts (see
    :meth:`_CapTable.counting`).
    """
    cap = plan.test.cap
    entries = [option.entries[i] for i in positions]
    if cap.within_recognised or cap.share_of == "source":
        credits = sum((e.credits for e in entries), Decimal(0))
        for achievement in option.binding:
            fact = facts[achievement]
            ceiling = (
                fact.recognised if cap.within_recognised else source_share(cap, fact, plan.program)
            )
            if ceiling is not None and credits:
                index = build.budget(("cap", cap.id, achievement), ceiling, "cap", cap.id)
                sums[index] = sums.get(index, _ZERO) + credits
        return
    known = build.index
    if plan.distinct:
        for entry in entries:
            groups = (
                _PROGRAM
                if plan.per_program
                else group_keys(
                    cap, option, entry, facts=facts, standards=standards, program=plan.program
                )
            )
            for group in groups:
                key: tuple[Hashable, ...] = ("cap", cap.id, group)
                found = known.get(key)
                index = (
                    build.budget(key, plan.limit, "cap", cap.id, True) if found is None else found
                )
                drawn = (
                    highest_members(cap, option, group, facts)[:1]
                    if cap.highest_only
                    else option.binding
                )
                for achievement in drawn:
                    tokens[(index, achievement)] = None
        return
    for part, amount in _plan_draws(
        plan, option, positions, standards=standards, facts=facts, fixed=False
    ).items():
        found = known.get(part)
        index = (
            build.budget(part, _subset_limit(plan, part), "cap", cap.id) if found is None else found
        )
        sums[index] = sums.get(index, _ZERO) + amount


_PROGRAM: list[Hashable] = ["program"]
