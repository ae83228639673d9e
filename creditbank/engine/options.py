"""Candidate uses of achievements: for each rule, which achievements meet it, and what they give.

An :class:`Option` is one possible use: a rule, the achievements it binds (one, or several
for a combination), and the credit :class:`Entry` s it would add — an exempted course, credits
into a requirement, or partial credit towards a course. The allocator then picks the set of
options that recognises the most credit under every constraint.

Options are instantiated from templates (:mod:`creditbank.engine.templates`: entries,
credits, canonical order and static budget draws, made once per programme and rule). Per
programme and exemption rule, the courses it gives and their templates are worked out once;
per programme, rule, unit and level, which templates a target gives when nothing else
decides it (a course, fixed credits, credits by level or as recognised); per match,
whether it selects a unit. An evaluation then checks only what depends on the achievement
and the day (dates, level, grade, issuer, hours), the coverage of each course and the
credits worked out from hours or stated by the achievement.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import assert_never

from creditbank.bounded import BoundedDict
from creditbank.engine.cache import EngineCache
from creditbank.engine.conditions import Failure, check_match, selects
from creditbank.engine.editions import outcome_of
from creditbank.engine.facts import Facts
from creditbank.engine.index import rule_index
from creditbank.engine.reasons import Step
from creditbank.engine.templates import Entry, Template, template
from creditbank.models import (
    AllOf,
    AnyOf,
    Condition,
    CourseCredits,
    CourseUnit,
    ExemptCourses,
    HoursToCredits,
    Match,
    NOf,
    Program,
    RecordedGrade,
    RequirementCredits,
    Rule,
    Standards,
    Target,
)
from creditbank.models.values import share_of

__all__ = [
    "MAX_BINDINGS",
    "Entry",
    "Option",
    "RuleScan",
    "attempt_key",
    "canonical_order",
    "course_requirement",
    "first_attempts",
    "options_for_rule",
    "unconverted_credits",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)

MAX_BINDINGS = 256
"""At most this many achievement combinations are tried per rule (canonical order)."""

_new = object.__new__


@dataclass(frozen=True, init=False)
class Option:
    """One possible use of achievements under a rule."""

    rule: Rule
    binding: tuple[str, ...]
    entries: tuple[Entry, ...]
    recorded_grade: str | None = None
    max_in_use: int | None = None
    credits: Decimal = field(init=False, repr=False, compare=False)
    """The credits of all entries."""
    key: tuple[object, ...] = field(init=False, repr=False, compare=False)
    """Canonical order: more credit, higher priority, rule id, achievements, target."""
    template: Template | None = field(init=False, repr=False, compare=False)
    """The template the option was made from, if any (its static budget draws)."""

    def __init__(
        self,
        rule: Rule,
        binding: tuple[str, ...],
        entries: tuple[Entry, ...],
        recorded_grade: str | None = None,
        max_in_use: int | None = None,
    ) -> None:
        # Options are made by the dozen per evaluation (``choose: any`` makes one per
        # course): the fields are set at once, and what every option needs — its credits
        # and its place in the canonical order — is worked out here, once.
        credits = _ZERO
        for entry in entries:
            credits += entry.credits  # as sum(…, Decimal(0)) adds them
        targets = tuple([(e.requirement, e.course or "") for e in entries])
        self.__dict__.update(
            rule=rule,
            binding=binding,
            entries=entries,
            recorded_grade=recorded_grade,
            max_in_use=max_in_use,
            credits=credits,
            key=(-credits, -rule.priority, rule.id, tuple(sorted(binding)), targets),
            template=None,
        )

    @classmethod
    def of(
        cls, made: Template, binding: tuple[str, ...], recorded_grade: str | None = None
    ) -> Option:
        """The option of a template for the achievements ``binding`` (equal to one built
        field by field, with nothing recomputed)."""
        option = _new(cls)
        option.__dict__.update(
            rule=made.rule,
            binding=binding,
            entries=made.entries,
            recorded_grade=recorded_grade,
            max_in_use=made.max_in_use,
            credits=made.credits,
            key=(
                *made.head,
                binding if len(binding) == 1 else tuple(sorted(binding)),
                made.targets,
            ),
            template=made,
        )
        return option

    def ordered(self, earned: tuple[int, ...]) -> tuple[object, ...]:
        """The option's place in the canonical order of a programme: :attr:`key` with the
        achievements' days (``earned``, as the programme's tie-break orders them) after the
        credit and the rule's priority, before the rule id."""
        key = self.key
        return (key[0], key[1], earned, *key[2:])

    @property
    def use(self) -> tuple[str, tuple[str, ...]]:
        """Options of one use (same rule, same achievements) may be chosen together."""
        return (self.rule.id, self.binding)


@dataclass(slots=True)
class RuleScan:
    """What one rule made of the portfolio: options, and each selected achievement's failure."""

    rule: Rule
    options: list[Option] = field(default_factory=list)
    failures: dict[str, Failure] = field(default_factory=dict)
    eligible: set[str] = field(default_factory=set)
    incomplete: set[str] = field(default_factory=set)
    no_target: set[str] = field(default_factory=set)
    no_credit: set[str] = field(default_factory=set)


def canonical_order(
    options: Iterable[Option], program: Program, facts: Mapping[str, Facts]
) -> list[Option]:
    """Options in the canonical order of ``program``: more credit, higher rule priority,
    the programme's ``tie_break`` (by default the achievement earned first), rule id,
    achievement ids, target. Among allocations of equal credit the allocator keeps the one
    that includes the earliest options in this order, so when two achievements could fill
    one course equally well, the tie-break decides, not how the rules' ids are spelled."""
    sign = -1 if program.tie_break == "latest_earned" else 1
    days: dict[str, int] = {a: sign * f.achievement.earned_on.toordinal() for a, f in facts.items()}
    return sorted(options, key=lambda o: o.ordered(tuple(sorted(days[a] for a in o.binding))))


def course_requirement(program: Program, course: str) -> str | None:
    """The requirement an exempted course counts in: the first that lists it or its type."""
    for requirement in program.requirements:
        if course in requirement.courses:
            return requirement.id
    return None


def _selects_memo(standards: Standards, match: Match) -> dict[str, bool]:
    """Unit id -> whether ``match`` selects achievements of it (it depends on the unit only)."""
    memos = standards.cache(EngineCache).selects
    found = memos.get(id(match))
    if found is None or found[0] is not match:
        found = memos[id(match)] = (match, {})
    return found[1]


def attempt_key(standards: Standards, fact: Facts) -> tuple[str, str | None]:
    """What one attempt is an attempt *at*: the learning outcome (one occupation under any
    of its codes, :func:`~creditbank.engine.editions.outcome_of`) at one level. A higher
    level of the same occupation is a new result, not a retake; a unit without levels is
    one outcome."""
    return outcome_of(standards, fact.unit.id), fact.level_id


def first_attempts(
    standards: Standards, facts: Iterable[Facts], as_of: dt.date
) -> dict[tuple[str, str | None], Facts]:
    """(outcome, level) -> the learner's first attempt at it (:func:`attempt_key`): the
    earliest earned by the as-of date (the lower achievement id between two on one day, so
    portfolio order never decides)."""
    first: dict[tuple[str, str | None], Facts] = {}
    for fact in facts:
        achievement = fact.achievement
        if achievement.earned_on > as_of:
            continue
        key = attempt_key(standards, fact)
        known = first.get(key)
        if known is None or (achievement.earned_on, achievement.id) < (
            known.achievement.earned_on,
            known.achievement.id,
        ):
            first[key] = fact
    return first


def _retake(rule: Rule, fact: Facts, first: Facts) -> Failure:
    """A later attempt under a rule that counts only the first: which attempt counted."""
    detail = {
        "rule": rule.id,
        "other": first.id,
        "first_on": first.achievement.earned_on.isoformat(),
        "earned_on": fact.achievement.earned_on.isoformat(),
    }
    return Failure("NOT_FIRST_ATTEMPT", Step.ATTEMPT, detail)


class _Binder:
    def __init__(
        self, standards: Standards, facts: Sequence[Facts], as_of: dt.date, scan: RuleScan
    ) -> None:
        self.standards = standards
        self.facts = facts
        self.as_of = as_of
        self.scan = scan
        self.first = (
            first_attempts(standards, facts, as_of) if scan.rule.attempts == "first" else None
        )

    def passing(self, match: Match) -> list[Facts]:
        """The achievements ``match`` selects that meet its conditions (failures noted)."""
        found = []
        memo = _selects_memo(self.standards, match)
        scan = self.scan
        for fact in self.facts:
            chosen = memo.get(fact.unit.id)
            if chosen is None:
                chosen = memo[fact.unit.id] = selects(match, fact, self.standards)
            if not chosen:
                continue
            first = (
                self.first.get(attempt_key(self.standards, fact))
                if self.first is not None
                else None
            )
            if first is not None and first is not fact:
                failure: Failure | None = _retake(scan.rule, fact, first)
            else:
                failure = check_match(self.standards, match, fact, self.as_of, scan.rule.id)
            if failure is None:
                found.append(fact)
                scan.eligible.add(fact.id)
            else:
                known = scan.failures.get(fact.id)
                if known is None or failure.step > known.step:
                    scan.failures[fact.id] = failure
        return found

    def bindings(self, condition: Condition) -> list[tuple[Facts, ...]]:
        """The combinations of achievements that meet ``condition``, in canonical order."""
        match condition:
            case Match():
                return [(fact,) for fact in self.passing(condition)]
            case AnyOf():
                return _dedupe(b for inner in condition.any_of for b in self.bindings(inner))
            case AllOf():
                need = len(condition.all_of)
            case NOf():
                need = condition.n
            case _:
                assert_never(condition)
        parts = condition.parts
        each = [self.bindings(inner) for inner in parts]
        found: list[tuple[Facts, ...]] = []
        for chosen in itertools.combinations(range(len(parts)), need):
            for combo in itertools.product(*(each[i] for i in chosen)):
                merged = tuple(a for binding in combo for a in binding)
                if len({a.id for a in merged}) == len(merged):
                    found.append(merged)
                if len(found) >= MAX_BINDINGS:
                    return _dedupe(found)
        return _dedupe(found)


def _dedupe(bindings: Iterable[tuple[Facts, ...]]) -> list[tuple[Facts, ...]]:
    seen: dict[frozenset[str], tuple[Facts, ...]] = {}
    for binding in bindings:
        seen.setdefault(frozenset(a.id for a in binding), binding)
    return sorted(seen.values(), key=lambda b: tuple(sorted(a.id for a in b)))[:MAX_BINDINGS]


def _recorded(policy: RecordedGrade, facts: Facts) -> str:
    if policy.policy == "fixed":
        return str(policy.value)
    if policy.policy == "exempt":
        return "exempt"  # no grade: the course counts for credit, outside any grade average
    if policy.policy == "carry_over":
        achievement = facts.achievement
        if achievement.grade is not None:
            return achievement.grade
        if achievement.score is not None:
            return str(achievement.score)
    return "pass"


def _course_credits(standards: Standards, course: str) -> Decimal:
    unit = standards.units.get(course)
    if isinstance(unit, CourseUnit):
        return unit.credits.amount
    return Decimal(0)


def _covers(target: ExemptCourses, facts: Facts, course: CourseUnit) -> bool:
    if target.min_coverage is None:
        return True
    own_credits = facts.achievement.credits
    credits_ok = own_credits is not None and own_credits.amount >= course.credits.amount
    hours_ok = facts.hours is not None and course.hours is not None and facts.hours >= course.hours
    if target.min_coverage == "credits":
        return credits_ok
    if target.min_coverage == "hours":
        return hours_ok
    return credits_ok or hours_ok


def _exempt_candidates(standards: Standards, program: Program, target: ExemptCourses) -> list[str]:
    return rule_index(standards).program(program).exempt_candidates(standards, target)


@dataclass(frozen=True)
class Exemptions:
    """What an exemption rule gives in one programme, worked out once.

    ``usable`` pairs each candidate course worth credit in a requirement with its option
    template (one course each, for ``choose: any``); ``whole`` is the template exempting
    them all at once (``choose: all``), None when some candidate can never be exempted.
    Only the coverage check depends on the achievement.
    """

    program: Program
    rule: Rule
    candidates: int
    usable: tuple[tuple[CourseUnit, Template], ...]
    whole: Template | None


def _exemptions(
    standards: Standards, program: Program, rule: Rule, target: ExemptCourses
) -> Exemptions:
    """What ``rule`` (whose target is ``target``) exempts in ``program``, kept per pair."""
    memo: BoundedDict[tuple[str, str], Exemptions] = standards.cache(EngineCache).exemptions
    key = (program.id, rule.id)
    found = memo.get(key)
    if found is None or found.program is not program or found.rule is not rule:
        candidates = _exempt_candidates(standards, program, target)
        courses = [
            (unit, Entry(course_requirement(program, c) or "", c, unit.credits.amount, "exemption"))
            for c in candidates
            if isinstance(unit := standards.units.get(c), CourseUnit)
        ]
        usable = [(u, e) for u, e in courses if e.credits > 0 and e.requirement]
        whole = None
        if usable and len(usable) == len(candidates):
            entries = tuple(e for _, e in usable)
            whole = template(standards, program, rule, entries, variant=("all",))
        found = Exemptions(
            program,
            rule,
            len(candidates),
            tuple(
                (
                    u,
                    template(
                        standards,
                        program,
                        rule,
                        (e,),
                        max_in_use=target.max_courses,
                        variant=("any", e.course),
                    ),
                )
                for u, e in usable
            ),
            whole,
        )
        memo[key] = found
    return found


def tidy(amount: Decimal) -> Decimal:
    """An amount without trailing zeros (2.0 -> 2, 1.50 -> 1.5), never in exponent form."""
    normal = amount.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


def options_for_rule(
    standards: Standards, program: Program, rule: Rule, facts: Sequence[Facts], as_of: dt.date
) -> RuleScan:
    """Every option of one rule for the portfolio, and why the others fail."""
    scan = RuleScan(rule)
    binder = _Binder(standards, facts, as_of, scan)
    when = rule.when
    match when:
        case Match():
            # The common form, one match: each achievement that meets it is a binding of its
            # own, in portfolio order, and every eligible achievement is bound.
            for fact in binder.passing(when):
                _add_options(scan, standards, program, (fact,))
            return scan
        case AllOf() | AnyOf() | NOf():
            bindings = binder.bindings(when)
        case _:
            assert_never(when)
    bound = {a.id for binding in bindings for a in binding}
    scan.incomplete = scan.eligible - bound
    for members in bindings:
        _add_options(scan, standards, program, members)
    return scan


def _add_options(
    scan: RuleScan, standards: Standards, program: Program, members: Sequence[Facts]
) -> None:
    """The options of one binding, or why it gives none, into ``scan``."""
    rule = scan.rule
    made = _options(standards, program, rule, members)
    if made:
        scan.options.extend(made)
        if rule.guarantee is not None:
            scan.options.extend(_floors(made, rule.guarantee.min_credits))
        return
    binding = tuple(a.id for a in members)
    if made is None:
        scan.no_target.update(binding)
        return
    uncovered = _why_no_credit(standards, program, rule, members)
    if uncovered is None:
        scan.no_credit.update(binding)
        return
    for achievement in binding:
        known = scan.failures.get(achievement)
        if known is None or uncovered.step > known.step:
            scan.failures[achievement] = uncovered


GUARANTEE_STEPS = 100
"""A guaranteed use may be granted any amount from its floor to its full credits: options at
the floor, at each whole credit between, and in full; a span wider than this many credits is
stepped by ``ceil(span / GUARANTEE_STEPS)`` credits instead of one."""


def _floors(made: Sequence[Option], floor: Decimal) -> list[Option]:
    """An agreement's guaranteed use below its full credits, as options of their own: at
    ``floor`` credits and at every step between (:data:`GUARANTEE_STEPS`), for a use worth
    more than its floor. The allocator takes one amount per use (a distinct budget, see
    :func:`creditbank.engine.constraints.compile_problem`) — the most every constraint
    allows, institutional caps giving way to the floor."""
    found: list[Option] = []
    for o in made:
        if len(o.entries) != 1 or (e := o.entries[0]).credits <= floor:
            continue
        span = e.credits - floor
        step = max(_ONE, (span / GUARANTEE_STEPS).to_integral_value(rounding=ROUND_CEILING))
        amounts = [floor]
        amount = (floor / step).to_integral_value(rounding=ROUND_FLOOR) * step + step
        while amount < e.credits:
            amounts.append(amount)
            amount += step
        found.extend(
            Option(
                o.rule,
                o.binding,
                (Entry(e.requirement, e.course, amount, e.kind),),
                o.recorded_grade,
                o.max_in_use,
            )
            for amount in amounts
        )
    return found


def _why_no_credit(
    standards: Standards, program: Program, rule: Rule, members: Sequence[Facts]
) -> Failure | None:
    """A condition of the target itself that gave nothing: too few hours, courses not covered.

    None when the conversion simply comes to zero credit.
    """
    target = rule.then
    match target:
        case RequirementCredits():
            if target.from_unit != "stated":
                return None
            undeclared = unconverted_credits(program, members[0])
            if undeclared is None:
                return None
            return Failure(
                "UNIT_NOT_DECLARED", Step.TARGET_CONDITION, {**undeclared, "by": rule.id}
            )
        case HoursToCredits():
            hours = sum((m.hours or Decimal(0) for m in members), Decimal(0))
            if target.min_hours is None or hours >= target.min_hours:
                return None
            detail = {"rule": rule.id, "hours": str(tidy(hours)), "required": str(target.min_hours)}
            return Failure("HOURS_TOO_FEW", Step.TARGET_CONDITION, detail)
        case ExemptCourses():
            return _not_covered(standards, program, rule, target, members[0])
        case CourseCredits():
            return None
        case _:
            assert_never(target)


def _not_covered(
    standards: Standards, program: Program, rule: Rule, target: ExemptCourses, primary: Facts
) -> Failure | None:
    """Why an exemption needing the achievement to cover its courses gave nothing, or None."""
    if target.min_coverage is None:
        return None
    courses = [
        unit
        for course in _exempt_candidates(standards, program, target)
        if isinstance(unit := standards.units.get(course), CourseUnit)
    ]
    uncovered = [course for course in courses if not _covers(target, primary, course)]
    if not uncovered:
        return None
    if target.min_coverage == "hours":
        hours_shown = str(primary.hours) if primary.hours is not None else "—"
        needed = min((c.hours for c in uncovered if c.hours is not None), default=None)
        detail = {"rule": rule.id, "hours": hours_shown, "required": str(needed or "?")}
        return Failure("HOURS_TOO_FEW", Step.TARGET_CONDITION, detail)
    return Failure(
        "CONDITION_NOT_MET", Step.TARGET_CONDITION, {"rule": rule.id, "condition": "min_coverage"}
    )


def unconverted_credits(program: Program, fact: Facts) -> dict[str, str] | None:
    """The credits ``fact`` states (else its unit's), when they are in a unit ``program``
    has no factor for (``unit_factors``): the figures of ``UNIT_NOT_DECLARED``."""
    stated = fact.achievement.credits or fact.unit.credits
    if stated is None or program.in_credit_unit(stated) is not None:
        return None
    return {
        "credits": f"{tidy(stated.amount)} {stated.unit}",
        "unit": stated.unit,
        "program": program.id,
    }


def _by_unit_level(target: Target) -> bool:
    """Whether what ``target`` gives depends only on the first achievement's unit and level
    (not on its credits, hours, or the other achievements bound with it)."""
    match target:
        case ExemptCourses():
            return target.min_coverage is None  # the recorded grade is filled in per achievement
        case RequirementCredits():
            return (
                target.credits is not None
                or bool(target.credits_by_level)
                or target.from_unit == "recognised"
            )
        case HoursToCredits():
            return False
        case CourseCredits():
            return True
        case _:
            assert_never(target)


Yield = tuple[Rule, tuple[Template, ...] | None]
"""A rule and the option templates one (programme, unit, level) binding of it yields (None
when its target is not in the programme)."""


def _options(
    standards: Standards, program: Program, rule: Rule, members: Sequence[Facts]
) -> list[Option] | None:
    """Options of one binding; None when the target is not in the programme, [] when worth 0.

    ``members`` are the bound achievements in condition order; the first decides the level.
    When the target gives what the first achievement's unit and level decide, the option
    templates are kept per (programme, rule, unit, level), and only instantiated.
    """
    target = rule.then
    if not _by_unit_level(target):
        return _made_options(standards, program, rule, members)
    primary = members[0]
    memo: BoundedDict[tuple[str, str, str, str | None], Yield] = standards.cache(EngineCache).yields
    key = (program.id, rule.id, primary.unit.id, primary.level_id)
    found = memo.get(key)
    if found is None or found[0] is not rule:
        made = _made_options(standards, program, rule, members)
        templates = None if made is None else tuple(_template_of(o) for o in made)
        found = memo[key] = (rule, templates)
        return made
    if found[1] is None:
        return None
    binding = tuple(m.id for m in members)
    grade = _recorded(target.recorded_grade, primary) if target.kind == "exempt_courses" else None
    return [Option.of(t, binding, grade) for t in found[1]]


def _template_of(option: Option) -> Template:
    made = option.template
    assert made is not None, "every option of a scan is made from a template"
    return made


def _made_options(
    standards: Standards, program: Program, rule: Rule, members: Sequence[Facts]
) -> list[Option] | None:
    """Options of one binding, worked out from the target (see :func:`_options`)."""
    target = rule.then
    binding = tuple(m.id for m in members)
    primary = members[0]
    match target:
        case ExemptCourses():
            return _exemption_options(standards, program, rule, target, members)
        case RequirementCredits():
            credits = _requirement_credits(standards, target, primary, program)
            return _credits_options(
                standards, program, rule, binding, requirement=target.requirement, credits=credits
            )
        case HoursToCredits():
            credits = _hours_credits(program, target, members)
            return _credits_options(
                standards, program, rule, binding, requirement=target.requirement, credits=credits
            )
        case CourseCredits():
            return _partial_options(standards, program, rule, target, binding)
        case _:
            assert_never(target)


def _exemption_options(
    standards: Standards,
    program: Program,
    rule: Rule,
    target: ExemptCourses,
    members: Sequence[Facts],
) -> list[Option] | None:
    """The courses an exemption completes: all at once, or one option per course."""
    made = _exemptions(standards, program, rule, target)
    if not made.candidates:
        return None
    binding = tuple(m.id for m in members)
    primary = members[0]
    grade = _recorded(target.recorded_grade, primary)
    if target.min_coverage is None:
        usable = [t for _, t in made.usable]
    else:
        usable = [t for u, t in made.usable if _covers(target, primary, u)]
    if not usable:
        return []
    if target.choose == "all":
        if made.whole is None or len(usable) != made.candidates:
            return []
        return [Option.of(made.whole, binding, grade)]
    return [Option.of(t, binding, grade) for t in usable]


def _hours_credits(
    program: Program, target: HoursToCredits, members: Sequence[Facts]
) -> Decimal | None:
    """The bound achievements' hours at the rate, rounded and capped; None without a rate
    or below the minimum hours."""
    rate = target.hours_per_credit or program.hours_per_credit
    hours = sum((m.hours or Decimal(0) for m in members), Decimal(0))
    if rate is None or (target.min_hours is not None and hours < target.min_hours):
        return None
    credits = tidy(target.rounded(hours / rate))
    if target.max_credits is not None:
        credits = min(credits, target.max_credits)
    return credits


def _partial_options(
    standards: Standards,
    program: Program,
    rule: Rule,
    target: CourseCredits,
    binding: tuple[str, ...],
) -> list[Option] | None:
    """Partial credit towards a course, in the requirement that holds it."""
    requirement = course_requirement(program, target.course)
    if requirement is None:
        return None
    full = _course_credits(standards, target.course)
    share = target.share or Fraction(0)
    credits = target.credits if target.credits is not None else share_of(full, share)
    credits = tidy(min(credits, full))
    if credits <= 0:
        return []
    entry = Entry(requirement, target.course, credits, "partial")
    made_partial = template(standards, program, rule, (entry,), variant=_written(credits))
    return [Option.of(made_partial, binding)]


def _written(credits: Decimal) -> tuple[str, str]:
    """Credits as written: 2 and 2.0 are equal, but shown (and so templated) apart."""
    return ("credits", str(credits))


def _credits_options(
    standards: Standards,
    program: Program,
    rule: Rule,
    binding: tuple[str, ...],
    *,
    requirement: str,
    credits: Decimal | None,
) -> list[Option]:
    """The option giving ``credits`` to a requirement, from the template of those credits;
    none when there are no credits to give."""
    if credits is None or credits <= 0:
        return []
    entry = Entry(requirement, None, credits, "credits")
    return [
        Option.of(template(standards, program, rule, (entry,), variant=_written(credits)), binding)
    ]


def _requirement_credits(
    standards: Standards, target: RequirementCredits, primary: Facts, program: Program
) -> Decimal | None:
    if program.requirement(target.requirement) is None:
        return None
    if target.credits is not None:
        return target.credits
    if target.credits_by_level:
        framework = primary.framework
        for entry in target.credits_by_level:
            level = framework.level(entry.level) if framework and entry.level else None
            if level is not None and level.id == primary.level_id:
                return entry.credits
        return None
    if target.from_unit == "recognised":
        return primary.recognised
    # as the achievement states them, else its unit's own credits; in the programme's unit
    stated = primary.achievement.credits or primary.unit.credits
    return None if stated is None else program.in_credit_unit(stated)
