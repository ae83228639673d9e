"""A compiled index of the standards, so one evaluation costs what the portfolio costs.

A country has 100,000 rules; one learner's portfolio is looked at by a few dozen. The index
maps each programme to its rules (sorted by id) and, within the programme, each *selector*
to the rules that use it: a unit, an occupation, a family, a tag or a unit kind. A rule is
filed under one selector of each of its conditions that every achievement it selects must
have — its units if it names units, else its occupations, families, first tag or unit
kinds — so the rules filed under an achievement's unit, occupations (under every code of the
same occupation, :mod:`creditbank.engine.editions`), family, tags and kind are a superset of
the rules that select it. Of those, the rules one of whose matches really
selects the unit are kept per unit (:meth:`ProgramIndex.selecting`), so an evaluation scans
only rules that select one of its achievements, and hands each rule only the achievements
it selects. Rules that select no achievement of a portfolio add nothing to its evaluation
(no option, no failure, no "not in force"), and an achievement a rule does not select is
never bound, failed or eligible under it, so this gives the same result as scanning every
rule with every achievement.

It also keeps what every evaluation of a programme would otherwise recompute: the caps that
may apply to it, how much each requirement can take, the courses a rule may exempt, which
units some issuer is authorised for, and whether an issuer was authorised for a unit at a
level on a day.

The index is built once per :class:`~creditbank.models.Standards` (on first use) and kept on
the standards object (:meth:`~creditbank.models.Standards.derived`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from creditbank.bounded import BoundedDict
from creditbank.engine.cache import EngineCache
from creditbank.engine.editions import unit_occupations
from creditbank.engine.overflow import RequirementBudget, requirement_budgets
from creditbank.models import (
    Cap,
    CourseUnit,
    ExemptCourses,
    Match,
    Program,
    Rule,
    Standards,
)
from creditbank.models.units import AwardUnit, SkillCertificateUnit, UnitBase, XCertificateUnit

__all__ = [
    "ProgramIndex",
    "RuleIndex",
    "exempt_candidates",
    "requirement_capacity",
    "rule_index",
    "selector_keys",
    "selects_unit",
    "unit_keys",
]

Key = tuple[str, str]


def selector_keys(match: Match) -> list[Key]:
    """Keys of which every achievement the match selects has at least one."""
    if match.units:
        return [("unit", str(u)) for u in match.units]
    if match.occupations:
        return [("occupation", str(o)) for o in match.occupations]
    if match.families:
        return [("family", f) for f in match.families]
    if match.tags:
        return [("tag", match.tags[0])]  # every tag is needed: the first will do
    if match.unit_kinds:
        return [("kind", k) for k in match.unit_kinds]
    return [("any", "")]  # pragma: no cover - a match always names a selector


def selects_unit(match: Match, unit: UnitBase, standards: Standards) -> bool:
    """Whether the match is *about* achievements of ``unit`` (unit, kind, occupation, tags …).

    An occupation named by the match selects certificates recorded under any code of the
    same occupation in another edition (:mod:`creditbank.engine.editions`)."""
    if match.units and unit.id not in match.units:
        return False
    if match.unit_kinds and unit.kind not in match.unit_kinds:
        return False
    if match.occupations and unit_occupations(standards, unit).isdisjoint(
        map(str, match.occupations)
    ):
        return False
    if match.families and unit.family not in match.families:
        return False
    if match.tags and not set(match.tags) <= set(unit.tags):
        return False
    if match.scopes and getattr(unit, "scope", None) not in match.scopes:
        return False
    if match.tiers and not (isinstance(unit, AwardUnit) and unit.tier in match.tiers):
        return False
    return not (
        match.team is not None and not (isinstance(unit, AwardUnit) and unit.team == match.team)
    )


def unit_keys(unit: UnitBase, standards: Standards) -> list[Key]:
    """Every key an achievement of ``unit`` is found under (its occupations under every code
    of the same occupation)."""
    keys: list[Key] = [("unit", unit.id), ("kind", unit.kind), ("any", "")]
    if unit.family is not None:
        keys.append(("family", unit.family))
    keys.extend(("tag", tag) for tag in unit.tags)
    keys.extend(("occupation", o) for o in sorted(unit_occupations(standards, unit)))
    return keys


@dataclass
class ProgramIndex:
    """What evaluations of one programme need, computed once."""

    program: Program
    standards: Standards
    rules: tuple[Rule, ...]
    """The programme's rules, sorted by id."""
    caps: tuple[Cap, ...]
    """Caps that apply to the programme on some day, in the standards' order."""
    capacity: Mapping[str, Decimal]
    """How much credit each requirement can take."""
    budgets: Mapping[str, tuple[RequirementBudget, ...]]
    """Requirement id -> the budgets an entry into it draws (its own, its overflow's, the
    programme total: :func:`creditbank.engine.overflow.requirement_budgets`)."""
    by_key: Mapping[Key, tuple[int, ...]]
    """Selector key -> positions in ``rules`` of the rules filed under it."""
    _exempt: dict[int, tuple[ExemptCourses, list[str]]] = field(default_factory=dict)
    _by_unit: BoundedDict[str, tuple[UnitBase, tuple[int, ...]]] = field(
        default_factory=BoundedDict
    )
    """Unit id -> positions in ``rules`` of the rules one of whose matches selects it."""

    def _selecting(self, unit: UnitBase) -> tuple[int, ...]:
        found = self._by_unit.get(unit.id)
        if found is None or found[0] is not unit:
            by_key, rules = self.by_key, self.rules
            standards = self.standards
            filed = {p for key in unit_keys(unit, standards) for p in by_key.get(key, ())}
            positions = tuple(
                sorted(
                    p
                    for p in filed
                    if any(selects_unit(m, unit, standards) for m in rules[p].when.matches())
                )
            )
            found = self._by_unit[unit.id] = (unit, positions)
        return found[1]

    def selecting(self, units: Sequence[UnitBase]) -> list[tuple[Rule, list[int]]]:
        """The programme's rules that select an achievement of one of ``units``, by id, each
        with the positions in ``units`` of the achievements one of its matches selects."""
        by_position: dict[int, list[int]] = {}
        for at, unit in enumerate(units):
            for position in self._selecting(unit):
                by_position.setdefault(position, []).append(at)
        rules = self.rules
        return [(rules[p], by_position[p]) for p in sorted(by_position)]

    def candidates(self, units: Iterable[UnitBase]) -> list[Rule]:
        """The programme's rules that select an achievement of one of ``units``, by id.

        A rule none of whose matches selects any of the units has nothing to say about
        the portfolio (no option, no failure, not "not in force"), so it is left out.
        """
        positions: set[int] = set()
        for unit in units:
            positions.update(self._selecting(unit))
        rules = self.rules
        return [rules[p] for p in sorted(positions)]

    def exempt_candidates(self, standards: Standards, target: ExemptCourses) -> list[str]:
        """Courses of the programme an exemption target may give, in a stable order."""
        found = self._exempt.get(id(target))
        if found is None or found[0] is not target:
            found = (target, exempt_candidates(standards, self.program, target))
            self._exempt[id(target)] = found
        return found[1]


def exempt_candidates(standards: Standards, program: Program, target: ExemptCourses) -> list[str]:
    """Courses of ``program`` that ``target`` names, by id, requirement or course type."""
    in_program = program.course_ids()
    chosen: dict[str, None] = {}
    for course in map(str, target.courses):
        if course in in_program:
            chosen[course] = None
    for requirement in program.requirements:
        if requirement.id in target.requirements:
            for course in requirement.courses:
                chosen[course] = None
    if target.course_types:
        for course in in_program:
            unit = standards.units.get(course)
            if isinstance(unit, CourseUnit) and unit.course_type in target.course_types:
                chosen[course] = None
    return list(chosen)


def requirement_capacity(standards: Standards, program: Program) -> dict[str, Decimal]:
    """How much credit each requirement can take."""
    capacity: dict[str, Decimal] = {}
    for requirement in program.requirements:
        if requirement.kind == "required_courses":
            capacity[requirement.id] = sum(
                (
                    u.credits.amount
                    for c in requirement.courses
                    if isinstance(u := standards.units.get(c), CourseUnit)
                ),
                Decimal(0),
            )
        else:
            capacity[requirement.id] = (
                requirement.max_credits or requirement.min_credits or Decimal(0)
            )
    return capacity


class RuleIndex:
    """Rules by programme and selector, caps by programme, authorised units; see the module."""

    def __init__(self, standards: Standards) -> None:
        self.standards = standards
        by_program: dict[str, list[Rule]] = {}
        for rule in standards.rules.values():
            for program in dict.fromkeys(map(str, rule.programs)):
                by_program.setdefault(program, []).append(rule)
        self._rules = by_program
        self._programs: dict[str, ProgramIndex] = {}
        self._lock = threading.Lock()
        self._restricted: frozenset[str] | None = None
        self._restricted_kinds: frozenset[str] = frozenset()
        self._restricted_occupations: frozenset[str] = frozenset()
        self.authorised: BoundedDict[tuple[str, str | None, str | None, dt.date], bool] = (
            BoundedDict()
        )
        """Whether an issuer was authorised for a unit at a level on a day (a memo of
        :func:`~creditbank.engine.facts.issuer_authorised`)."""

    def learned(self) -> int:
        """Entries kept about the achievements evaluated so far: units looked up per programme
        (:meth:`ProgramIndex.selecting`) and issuers checked (:attr:`authorised`). They grow
        with the learners, not with the standards; :meth:`forget_learned` drops them."""
        return len(self.authorised) + sum(len(p._by_unit) for p in list(self._programs.values()))

    def forget_learned(self) -> None:
        """Drop what :meth:`learned` counts (worked out again on use); the index stays."""
        self.authorised.clear()
        for index in list(self._programs.values()):
            index._by_unit.clear()

    def program(self, program: Program) -> ProgramIndex:
        """The index of one programme (built on first use; not kept for a programme object
        other than the standards' own)."""
        found = self._programs.get(program.id)
        if found is not None and found.program is program:
            return found
        if self.standards.programs.get(program.id) is not program:
            return self._build(program)
        with self._lock:
            found = self._programs.get(program.id)
            if found is None:
                found = self._build(program)
                self._programs[program.id] = found
        return found

    def _build(self, program: Program) -> ProgramIndex:
        rules = tuple(sorted(self._rules.get(program.id, ()), key=lambda r: r.id))
        by_key: dict[Key, list[int]] = {}
        for position, rule in enumerate(rules):
            keys = {key for match in rule.when.matches() for key in selector_keys(match)}
            for key in keys:
                by_key.setdefault(key, []).append(position)
        caps = tuple(
            cap
            for cap in self.standards.caps.values()
            if (not cap.programs or program.id in cap.programs)
            and (cap.school is None or cap.school == program.school)
        )
        capacity = requirement_capacity(self.standards, program)
        return ProgramIndex(
            program,
            self.standards,
            rules,
            caps,
            capacity,
            requirement_budgets(program, capacity),
            {key: tuple(positions) for key, positions in by_key.items()},
        )

    def restricted(self, unit: UnitBase) -> bool:
        """Whether some issuer's grant names the unit (by id, kind or occupation): only
        authorised issuers may then issue it. Units no grant names are open."""
        if self._restricted is None:
            units: set[str] = set()
            kinds: set[str] = set()
            occupations: set[str] = set()
            for issuer in self.standards.issuers.values():
                for grant in issuer.authorised:
                    units.update(map(str, grant.units))
                    kinds.update(grant.unit_kinds)
                    occupations.update(map(str, grant.occupations))
            self._restricted_kinds = frozenset(kinds)
            self._restricted_occupations = frozenset(occupations)
            self._restricted = frozenset(units)
        if unit.id in self._restricted or unit.kind in self._restricted_kinds:
            return True
        if isinstance(unit, SkillCertificateUnit):
            return unit.occupation in self._restricted_occupations
        if isinstance(unit, XCertificateUnit | AwardUnit):
            return any(o in self._restricted_occupations for o in unit.occupations)
        return False


def rule_index(standards: Standards) -> RuleIndex:
    """The index of ``standards``, built on first use and kept with them."""
    cache = standards.cache(EngineCache)
    found: RuleIndex | None = cache.index
    if found is None:
        found = cache.index = RuleIndex(standards)
    return found
