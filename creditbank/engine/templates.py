"""Option templates: what a rule gives in a programme, worked out once and shared.

An option is a rule, the achievements it binds, and the credit entries it adds. Everything
but the binding (and the recorded grade) is the same for every learner whose achievements
earn the same entries under the same rule in the same programme: the entries, their
credits, the option's place in the canonical order (but for the achievements), and what
it draws from the course and requirement budgets. A :class:`Template` holds that, made
once per (programme, rule, entries) and kept with the standards; an evaluation checks
only the learner-dependent conditions and instantiates templates
(:meth:`creditbank.engine.options.Option.of`).

Requirement and hour conversions make their credits from the achievement (its level,
the credits it states or the bank recognised, its hours): their templates are keyed by
the credits they come to, so equal credits share one template.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from creditbank.bounded import BoundedDict
from creditbank.engine.cache import EngineCache
from creditbank.engine.index import rule_index
from creditbank.engine.overflow import unknown_requirement
from creditbank.models import CourseUnit, Program, Rule, Standards

__all__ = ["Entry", "StaticDraw", "Template", "template"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Entry:
    """Credits one option adds to one requirement (and course, for exemptions and partials)."""

    requirement: str
    course: str | None
    credits: Decimal
    kind: str  # "exemption" | "credits" | "partial"


StaticDraw = tuple[tuple[Hashable, ...], Decimal, str, str, Decimal]
"""A budget's key, limit, label kind and name, and the amount an option draws from it."""


@dataclass(frozen=True, eq=False)
class Template:
    """What every option of one rule with these entries shares, in one programme."""

    program: Program
    rule: Rule
    entries: tuple[Entry, ...]
    max_in_use: int | None
    credits: Decimal
    """The credits of all entries."""
    head: tuple[Decimal, int, str]
    """The start of the canonical order: more credit, higher priority, rule id."""
    targets: tuple[tuple[str, str], ...]
    """The end of the canonical order: each entry's requirement and course."""
    draws: tuple[StaticDraw, ...] = field(repr=False)
    """What the option draws from course and requirement budgets, in first-use order,
    amounts added up as :func:`creditbank.engine.constraints.compile_problem` adds them."""


def _credits_of(entries: Sequence[Entry]) -> Decimal:
    credits = _ZERO
    for entry in entries:
        credits += entry.credits  # as sum(…, Decimal(0)) adds them
    return credits


def _static_draws(
    standards: Standards, program: Program, entries: Sequence[Entry]
) -> tuple[StaticDraw, ...]:
    into = rule_index(standards).program(program).budgets
    limits: dict[tuple[Hashable, ...], tuple[Decimal, str, str]] = {}
    amounts: dict[tuple[Hashable, ...], Decimal] = {}
    for entry in entries:
        course, requirement = entry.course, entry.requirement
        if course is not None:
            unit = standards.units.get(course)
            limit = unit.credits.amount if isinstance(unit, CourseUnit) else entry.credits
            key: tuple[Hashable, ...] = ("course", course)
            limits.setdefault(key, (limit, "course", course))  # a budget keeps its first limit
            amount = limit if entry.kind == "exemption" else entry.credits
            amounts[key] = amounts.get(key, _ZERO) + amount
        for budget in into.get(requirement) or unknown_requirement(requirement):
            key = budget.key
            limits.setdefault(key, (budget.limit, budget.kind, budget.name))
            amounts[key] = amounts.get(key, _ZERO) + entry.credits
    return tuple((key, *limits[key], amount) for key, amount in amounts.items())


def template(
    standards: Standards,
    program: Program,
    rule: Rule,
    entries: tuple[Entry, ...],
    *,
    max_in_use: int | None = None,
    variant: Hashable = None,
) -> Template:
    """The template of ``rule``'s options with ``entries`` in ``program`` (made on first use).

    ``variant`` tells apart templates of one rule and programme (the exempted course, the
    credits as written): equal variants must mean equal entries.
    """
    memo: BoundedDict[tuple[Hashable, ...], Template] = standards.cache(EngineCache).templates
    key = (program.id, rule.id, variant, max_in_use)
    found = memo.get(key)
    if found is None or found.rule is not rule or found.program is not program:
        credits = _credits_of(entries)
        found = Template(
            program=program,
            rule=rule,
            entries=entries,
            max_in_use=max_in_use,
            credits=credits,
            head=(-credits, -rule.priority, rule.id),
            targets=tuple([(e.requirement, e.course or "") for e in entries]),
            draws=_static_draws(standards, program, entries),
        )
        memo[key] = found
    return found
