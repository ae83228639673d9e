"""Checks that need more than one item: ids, references, levels, grades, requirements, provenance.

Each loaded item is kept with the document and YAML path it came from (an
:class:`ItemRecord`) so that every problem points at the line of the offending value.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, assert_never, get_args, get_origin

from pydantic import BaseModel

from creditbank.bounded import BoundedDict
from creditbank.errors import ErrorCode, Location, PathItem, Problem
from creditbank.loading.yaml_reader import Document
from creditbank.models import (
    Achievement,
    Cap,
    Framework,
    GradeCondition,
    GradeScale,
    Issuer,
    Occupation,
    Portfolio,
    Program,
    RecordedGrade,
    Rule,
    Standards,
)
from creditbank.models.common import Item
from creditbank.models.eligibility import EligibilityRule
from creditbank.models.rule import (
    AllOf,
    AnyOf,
    Condition,
    CourseCredits,
    ExemptCourses,
    HoursToCredits,
    Match,
    NOf,
    RequirementCredits,
)
from creditbank.models.standards import AnyItem
from creditbank.models.units import SkillCertificateUnit, UnitBase
from creditbank.models.values import CreditValue, PeriodSetRef, Ref
from creditbank.suggest import did_you_mean

__all__ = [
    "CheckedAchievements",
    "ItemRecord",
    "check_portfolio",
    "check_standards",
    "level_name",
    "unit_framework",
    "unit_levels",
]

Path = tuple[PathItem, ...]
CALENDAR_YEAR = "calendar_year"


@dataclass(frozen=True)
class ItemRecord:
    """A validated item and where it came from."""

    item: AnyItem
    doc: Document | None
    path: Path
    layer: int = 0
    """Which layer of standards it came from (0 first; see ``load_standards``)."""

    def at(self, *sub: PathItem, key: bool = False) -> Location:
        full = (*self.path, *sub)
        if self.doc is None:
            return Location(None, None, None, full)
        return self.doc.location(full, key=key)

    def lazy(self, *sub: PathItem) -> LazyLocation:
        """Where ``sub`` is, found only if a problem is reported there."""
        return LazyLocation(self, sub)


@dataclass(frozen=True)
class LazyLocation:
    """A place in an item whose line and column are looked up only when needed."""

    record: ItemRecord
    sub: Path

    def resolve(self) -> Location:
        return self.record.at(*self.sub)


Where = Location | LazyLocation


def _refs(value: Any, path: Path) -> Iterator[tuple[Path, Ref]]:
    """Every reference inside a model, with its path relative to the model."""
    found: list[tuple[Path, Ref]] = []
    _collect_refs(value, path, found)
    return iter(found)


def _collect_refs(value: Any, path: Path, found: list[tuple[Path, Ref]]) -> None:
    if isinstance(value, Ref):
        found.append((path, value))
    elif isinstance(value, BaseModel):
        fields = value.__dict__
        for name in _ref_fields(type(value)):
            _collect_refs(fields[name], (*path, name), found)
    elif isinstance(value, tuple):
        for index, element in enumerate(value):
            _collect_refs(element, (*path, index), found)


@functools.cache
def _ref_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields of a model whose values may hold a reference (the others are never walked)."""
    return tuple(
        name for name, info in model.model_fields.items() if _may_hold_ref(info.annotation, ())
    )


_PLAIN_TYPES = (str, int, float, bool, Decimal, dt.date, dt.datetime, type(None))


def _may_hold_ref(annotation: Any, seen: tuple[type, ...]) -> bool:
    """Whether a value of this type may be or contain a :class:`Ref`; True when unsure."""
    if isinstance(annotation, type):
        if issubclass(annotation, Ref):
            return True
        if issubclass(annotation, BaseModel):
            if annotation in seen:
                return True
            return any(
                _may_hold_ref(info.annotation, (*seen, annotation))
                for info in annotation.model_fields.values()
            )
        return not issubclass(annotation, _PLAIN_TYPES)
    origin = get_origin(annotation)
    if origin is Literal:
        return False
    args = get_args(annotation)
    if origin is Annotated:
        return _may_hold_ref(args[0], seen)
    if args:
        return any(_may_hold_ref(arg, seen) for arg in args if arg is not Ellipsis)
    return True


def unit_framework(standards: Standards, unit_id: str) -> Framework | None:
    """The framework a unit's levels are on (its own, or its occupation's)."""
    unit = standards.units.get(unit_id)
    if unit is None:
        return None
    framework_id = unit.framework
    if framework_id is None and isinstance(unit, SkillCertificateUnit):
        occupation = standards.occupations.get(unit.occupation)
        framework_id = occupation.framework if occupation else None
    return standards.frameworks.get(framework_id) if framework_id else None


def level_name(
    standards: Standards | None, unit_id: str, level: str | None, lang: Literal["zh", "en"]
) -> str:
    """A level's name in ``lang`` (from the unit's framework), else the level as written."""
    if level is None:
        return ""
    framework = unit_framework(standards, unit_id) if standards is not None else None
    found = framework.level(level) if framework is not None else None
    return found.name.text(lang) if found is not None else level


def unit_levels(standards: Standards, unit_id: str) -> tuple[str, ...] | None:
    """Ids of the levels a unit can be achieved at, lowest first; None when it has no scale."""
    framework = unit_framework(standards, unit_id)
    if framework is None:
        return None
    unit = standards.units[unit_id]
    allowed: Sequence[str] = unit.levels
    if not allowed and isinstance(unit, SkillCertificateUnit):
        occupation = standards.occupations.get(unit.occupation)
        allowed = occupation.levels if occupation else ()
    if allowed:
        wanted = {lvl.id for name in allowed if (lvl := framework.level(name)) is not None}
        return tuple(lvl.id for lvl in framework.ordered() if lvl.id in wanted)
    return tuple(lvl.id for lvl in framework.ordered())


class _Checker:
    def __init__(self, standards: Standards, records: dict[tuple[str, str], ItemRecord]) -> None:
        self.s = standards
        self.records = records
        self.problems: list[Problem] = []
        self.failed: set[tuple[str, str]] = set()
        self._certificates: dict[str, list[str]] | None = None
        self._order: dict[str, int] = {}

    def certificates_of(self, occupations: Iterable[str]) -> list[str]:
        """Ids of the skill certificates of these occupations, in the standards' unit order."""
        if self._certificates is None:
            self._certificates = {}
            for position, unit in enumerate(self.s.units.values()):
                if isinstance(unit, SkillCertificateUnit):
                    self._certificates.setdefault(unit.occupation, []).append(unit.id)
                    self._order[unit.id] = position
        wanted = set(occupations)
        found = [u for o in wanted for u in self._certificates.get(o, ())]
        return sorted(found, key=self._order.__getitem__)

    def add(self, code: ErrorCode, message: str, where: Where) -> None:
        location = where.resolve() if isinstance(where, LazyLocation) else where
        self.problems.append(Problem(code, message, location))

    # ------------------------------------------------------------------ refs
    def references(self, value: Any, where: ItemRecord, base: Path = ()) -> None:
        for path, ref in _refs(value, base):
            table = self.s.of_kind(ref.target)
            target = table.get(str(ref))
            if target is None and (ref.target, str(ref)) in self.failed:
                continue
            if target is None and isinstance(ref, PeriodSetRef) and ref == CALENDAR_YEAR:
                continue  # Cap.period_set's keyword, read as a reference by the smart union
            if target is None:
                hint = did_you_mean(str(ref), table) or f" no {ref.target} has this id"
                self.add(
                    "UNKNOWN_REFERENCE",
                    f"{ref.target} {str(ref)!r} does not exist;{hint}",
                    where.at(*path),
                )
            elif ref.unit_kind is not None and target.kind != ref.unit_kind:
                self.add(
                    "WRONG_REFERENCE_KIND",
                    f"{str(ref)!r} is a unit of kind {target.kind!r}, not a {ref.unit_kind}; "
                    f"name a {ref.unit_kind} here",
                    where.at(*path),
                )

    # ---------------------------------------------------------------- levels
    def level_in(
        self,
        framework: Framework | None,
        name: str | None,
        where: Where,
        allowed: Sequence[str] | None = None,
        owner: str = "",
    ) -> None:
        if framework is None or name is None:
            return
        level = framework.level(name)
        if level is None:
            names = [n for lvl in framework.levels for n in lvl.names()]
            hint = did_you_mean(name, names) or " use one of " + ", ".join(
                lvl.name.text() for lvl in framework.ordered()
            )
            self.add(
                "UNKNOWN_LEVEL", f"framework {framework.id!r} has no level {name!r};{hint}", where
            )
        elif allowed is not None and level.id not in allowed:
            shown = [lv.name.text() for lv in framework.ordered() if lv.id in allowed]
            self.add(
                "LEVEL_NOT_ALLOWED",
                f"{owner or 'this unit'} is not awarded at level {name!r}; it allows "
                f"{', '.join(shown)}",
                where,
            )

    def framework_levels(self, record: ItemRecord) -> None:
        item = record.item
        if isinstance(item, Framework):
            for index, level in enumerate(item.levels):
                for p_index, pointer in enumerate(level.same_as):
                    self.level_in(
                        self.s.frameworks.get(pointer.framework),
                        pointer.level,
                        record.lazy("levels", index, "same_as", p_index, "level"),
                    )
        elif isinstance(item, Occupation):
            framework = self.s.frameworks.get(item.framework) if item.framework else None
            for index, name in enumerate(item.levels):
                self.level_in(framework, name, record.lazy("levels", index))
        elif isinstance(item, UnitBase):
            self.unit_levels_known(item, record)
        elif isinstance(item, Issuer):
            self.authorised_levels(item, record)

    def unit_levels_known(self, unit: UnitBase, record: ItemRecord) -> None:
        framework = unit_framework(self.s, unit.id)
        allowed = None
        owner = f"unit {unit.id!r}"
        if isinstance(unit, SkillCertificateUnit):
            owner += f" (occupation {str(unit.occupation)!r})"
            occupation = self.s.occupations.get(unit.occupation)
            if occupation is not None and occupation.levels and framework is not None:
                allowed = [lv.id for n in occupation.levels if (lv := framework.level(n))]
        for index, name in enumerate(unit.levels):
            self.level_in(framework, name, record.lazy("levels", index), allowed, owner)
        allowed_ids = unit_levels(self.s, unit.id)
        for index, entry in enumerate(unit.recognised_credits):
            self.level_in(
                framework, entry.level, record.lazy("recognised_credits", index), allowed_ids, owner
            )

    def authorised_levels(self, issuer: Issuer, record: ItemRecord) -> None:
        """Levels in a grant must exist on the scale of the units or occupations it names."""
        for g_index, grant in enumerate(issuer.authorised):
            unit_ids: list[str] = [str(u) for u in grant.units] or self.certificates_of(
                grant.occupations
            )
            frameworks = {
                fw.id: fw for u in unit_ids if (fw := unit_framework(self.s, u)) is not None
            }
            for index, name in enumerate(grant.levels):
                self._level_known(
                    list(frameworks.values()),
                    name,
                    record.lazy("authorised", g_index, "levels", index),
                )

    # ----------------------------------------------------------------- rules
    def _frameworks_for(self, match: Match) -> list[Framework]:
        found: dict[str, Framework] = {}
        unit_ids: list[str] = list(match.units)
        if not unit_ids and match.occupations:
            unit_ids = self.certificates_of(match.occupations)
        for unit_id in unit_ids:
            framework = unit_framework(self.s, unit_id)
            if framework is not None:
                found[framework.id] = framework
        return list(found.values())

    def _level_known(self, frameworks: list[Framework], name: str, where: Where) -> None:
        if frameworks:
            for framework in frameworks:
                self.level_in(framework, name, where)
        elif not any(fw.level(name) for fw in self.s.frameworks.values()):
            names = [n for fw in self.s.frameworks.values() for lv in fw.levels for n in lv.names()]
            self.add(
                "UNKNOWN_LEVEL",
                f"no framework has a level {name!r};"
                + (did_you_mean(name, names) or " check the spelling"),
                where,
            )

    def grade_known(self, value: object, scale_id: str | None, where: Where) -> None:
        if not isinstance(value, str):
            return
        if scale_id is not None:
            scale = self.s.grade_scales.get(scale_id)
            if scale is None:
                return  # the unknown scale is reported as a reference problem
            scales = [scale]
        else:
            scales = [g for g in self.s.grade_scales.values() if g.kind == "ordinal"]
        if not any(scale.grade(value) for scale in scales):
            names = [n for scale in scales for g in scale.grades for n in g.names()]
            where_text = f"scale {str(scale_id)!r}" if scale_id else "any grade scale"
            if not names:
                hint = (
                    f" scale {str(scale_id)!r} is numeric: give a number"
                    if scale_id
                    else " no grade scale with named grades is loaded: add a `grade_scales` "
                    "file (or load the bundled standards), or give a number"
                )
            else:
                hint = did_you_mean(value, names) or " check the spelling"
            self.add("UNKNOWN_GRADE", f"{where_text} has no grade {value!r};{hint}", where)

    def grade_scale(self, scale: GradeScale, record: ItemRecord) -> None:
        """Each row of a conversion table converts a grade of this scale to one of the other."""
        for index, conversion in enumerate(scale.convert):
            for row_index, row in enumerate(conversion.table):
                path = ("convert", index, "table", row_index)
                if row.grade is not None:
                    self.grade_known(row.grade, scale.id, record.lazy(*path, "grade"))
                self.grade_known(row.to, conversion.scale, record.lazy(*path, "to"))

    def condition(self, condition: Condition, record: ItemRecord, path: Path) -> None:
        match condition:
            case AllOf() | AnyOf() | NOf():
                for index, inner in enumerate(condition.parts):
                    self.condition(inner, record, (*path, condition.parts_field, index))
                return
            case Match():
                pass
            case _:
                assert_never(condition)
        frameworks = self._frameworks_for(condition)
        if condition.level is not None:
            if condition.level.at_least is not None:
                self._level_known(
                    frameworks, condition.level.at_least, record.lazy(*path, "level", "at_least")
                )
            if condition.level.at_most is not None:
                self._level_known(
                    frameworks, condition.level.at_most, record.lazy(*path, "level", "at_most")
                )
            for index, name in enumerate(condition.level.one_of):
                where = record.lazy(*path, "level", "one_of", index)
                for unit_id in condition.units:
                    self.level_in(
                        unit_framework(self.s, unit_id),
                        name,
                        where,
                        unit_levels(self.s, unit_id),
                        f"unit {str(unit_id)!r}",
                    )
                if not condition.units:
                    self._level_known(frameworks, name, where)
        if isinstance(condition.grade, GradeCondition):
            for bound in ("at_least", "at_most"):
                self.grade_known(
                    getattr(condition.grade, bound),
                    condition.grade.scale,
                    record.lazy(*path, "grade", bound),
                )

    def rule(self, rule: Rule, record: ItemRecord) -> None:
        self.condition(rule.when, record, ("when",))
        target = rule.then
        programs = [self.s.programs[p] for p in rule.programs if p in self.s.programs]
        wanted: list[tuple[str, Path]] = []
        match target:
            case ExemptCourses():
                wanted = [
                    (r, ("then", "requirements", i)) for i, r in enumerate(target.requirements)
                ]
                if isinstance(target.recorded_grade, RecordedGrade):
                    self.grade_known(
                        target.recorded_grade.value,
                        target.recorded_grade.scale,
                        record.lazy("then", "recorded_grade", "value"),
                    )
            case RequirementCredits() | HoursToCredits():
                wanted = [(target.requirement, ("then", "requirement"))]
            case CourseCredits():
                pass  # the course is checked where the programme's courses are
            case _:
                assert_never(target)
        for requirement, path in wanted:
            self.requirement_in(programs, requirement, record.lazy(*path))
        by_level = target.credits_by_level if target.kind == "credits" else ()
        if by_level:
            match rule.when:
                case Match() as single:
                    frameworks = self._frameworks_for(single)
                case _:
                    frameworks = []  # a combination: the level is known to some framework
            for index, entry in enumerate(by_level):
                if entry.level is not None:
                    self._level_known(
                        frameworks, entry.level, record.lazy("then", "credits_by_level", index)
                    )

    def eligibility_rule(self, rule: EligibilityRule, record: ItemRecord) -> None:
        """Its achievement condition as a conversion rule's; a skill-track outcome's level
        is a level of the occupation's framework (else of any skill framework)."""
        if rule.when.achievement is not None:
            self.condition(rule.when.achievement, record, ("when", "achievement"))
        outcome = rule.outcome
        if outcome.kind == "title" and outcome.track == "skill" and outcome.level is not None:
            occupation = self.s.occupations.get(str(outcome.occupation or ""))
            framework = (
                self.s.frameworks.get(str(occupation.framework))
                if occupation is not None and occupation.framework is not None
                else None
            )
            where = record.lazy("outcome", "level")
            if framework is not None:
                self.level_in(framework, outcome.level, where)
            else:
                skill = [fw for fw in self.s.frameworks.values() if fw.scale == "skill"]
                self._level_known(skill, outcome.level, where)

    def requirement_in(self, programs: Iterable[Program], requirement: str, where: Where) -> None:
        for program in programs:
            if program.requirement(requirement) is None:
                ids = [r.id for r in program.requirements]
                self.add(
                    "UNKNOWN_REQUIREMENT",
                    f"programme {program.id!r} has no requirement {requirement!r};"
                    + (did_you_mean(requirement, ids) or f" it has {', '.join(ids)}"),
                    where,
                )

    def cap(self, cap: Cap, record: ItemRecord) -> None:
        programs = [self.s.programs[p] for p in cap.programs if p in self.s.programs]
        for index, requirement in enumerate(cap.counts.requirements):
            self.requirement_in(programs, requirement, record.lazy("counts", "requirements", index))
        if cap.per == "period" and cap.period_set is None:
            applies = programs or [
                p for p in self.s.programs.values() if cap.school is None or p.school == cap.school
            ]
            for program in applies:
                if program.periods is None:
                    self.add(
                        "MISSING_FIELD",
                        f"cap {cap.id!r} counts per period of its programme (no `period_set`), "
                        f"but programme {program.id!r} declares no `periods`; give the "
                        "programme `periods` or the cap a `period_set`",
                        record.at("per"),
                    )

    # -------------------------------------------------------------- programs
    def program(self, program: Program, record: ItemRecord) -> None:
        school = self.s.issuers.get(program.school) if program.school else None
        if school is not None and school.kind != "school":
            self.add(
                "WRONG_REFERENCE_KIND",
                f"{str(program.school)!r} is an issuer of kind {school.kind!r}, not a school; "
                "name the school that runs the programme",
                record.at("school"),
            )
        if program.guideline == "moe-2019-13":
            self.guideline_2019_13(program, record)

    def guideline_2019_13(self, program: Program, record: ItemRecord) -> None:
        """教职成〔2019〕13号: hours floor, 16–18 h a credit, public >= 1/4, electives >= 10 %."""
        total = program.total_hours or Decimal(0)
        floor = {"secondary_vocational": 3000, "higher_vocational": 2500}.get(
            program.education_level
        )
        guide = "教职成〔2019〕13号"
        if floor is not None and total < floor:
            self.add(
                "PROGRAM_STRUCTURE",
                f"{guide} asks for at least {floor} hours; total_hours is {total}",
                record.at("total_hours"),
            )
        rate = program.hours_per_credit or Decimal(0)
        if not Decimal(16) <= rate <= Decimal(18):
            self.add(
                "PROGRAM_STRUCTURE",
                f"{guide} counts 16–18 hours as one credit; hours_per_credit is {rate}",
                record.at("hours_per_credit"),
            )
        public = Decimal(0)
        required = [r for r in program.requirements if r.kind != "elective_pool"]
        for course_id in dict.fromkeys(c for r in required for c in r.courses):
            course = self.s.units.get(course_id)
            if course is not None and getattr(course, "course_type", None) == "public_basic":
                public += _course_hours(course.hours, course.credits, rate)
        if total and public * 4 < total:
            self.add(
                "PROGRAM_STRUCTURE",
                f"{guide} asks public basic courses to take at least 1/4 "
                f"of the hours; they take {public} of {total}",
                record.at("requirements"),
            )
        electives = sum(
            (r.min_credits or Decimal(0)) * rate
            for r in program.requirements
            if r.kind == "elective_pool"
        )
        if total and electives * 10 < total:
            self.add(
                "PROGRAM_STRUCTURE",
                f"{guide} asks electives to take at least 10 % of the "
                f"hours; elective pools require {electives} of {total}",
                record.at("requirements"),
            )

    # ------------------------------------------------------------ provenance
    def provenance(self, record: ItemRecord) -> None:
        item = record.item
        if not isinstance(item, Item) or item.example:
            return
        if item.source is None:
            self.add(
                "MISSING_SOURCE",
                f"{item.item_kind} {item.id!r} cites no source; add "
                "`source:` (document, issuer, year) or mark it `example: true`",
                record.at("id"),
            )
        elif item.source.evidence == "unverified":
            self.add(
                "MISSING_SOURCE",
                f"{item.item_kind} {item.id!r} has an unverified source; "
                "unverified items must be marked `example: true`",
                record.at("source", "evidence"),
            )

    def run(self) -> list[Problem]:
        for record in self.records.values():
            self.references(record.item, record)
            self.provenance(record)
            self.framework_levels(record)
            item = record.item
            if isinstance(item, Rule):
                self.rule(item, record)
            elif isinstance(item, Program):
                self.program(item, record)
            elif isinstance(item, Cap):
                self.cap(item, record)
            elif isinstance(item, GradeScale):
                self.grade_scale(item, record)
            elif isinstance(item, EligibilityRule):
                self.eligibility_rule(item, record)
        return self.problems


def _course_hours(hours: Decimal | None, credits: CreditValue | None, rate: Decimal) -> Decimal:
    """A course's hours: as given, else from its credits (学时 as they are, 学分 at ``rate``;
    ECTS cannot be turned into 学时 and count as none)."""
    if hours is not None:
        return hours
    if credits is None:
        return Decimal(0)
    if credits.unit == "hour":
        return credits.amount
    return credits.amount * rate if credits.unit == "credit" else Decimal(0)


def check_standards(
    records: Iterable[ItemRecord], failed: Iterable[tuple[str, str]] = ()
) -> tuple[Standards, list[Problem]]:
    """Build :class:`Standards` from located items; report duplicate ids and every cross problem.

    ``failed`` holds (kind, id) of items that did not validate: references to them are
    not reported again.
    """
    problems: list[Problem] = []
    kept: dict[tuple[str, str], ItemRecord] = {}
    for record in records:
        key = (record.item.item_kind, record.item.id)
        earlier = kept.get(key)
        overrides = record.item.overrides
        if earlier is not None and overrides and record.layer > earlier.layer:
            kept[key] = _without_marker(record)  # a later layer replaces the item
            continue
        if earlier is not None:
            problems.append(_duplicate(key, earlier, record))
            continue
        if overrides:
            problems.append(
                Problem(
                    "NOTHING_TO_OVERRIDE",
                    f"`overrides: true`, but no earlier layer of standards has a {key[0]} "
                    f"{key[1]!r}; check the id, or remove `overrides` to add a new {key[0]}",
                    record.at("overrides"),
                )
            )
        kept[key] = _without_marker(record)
    problems.extend(_issuer_identifiers(kept.values()))
    origins = {key: record.at() for key, record in kept.items()}
    standards = Standards((r.item for r in kept.values()), origins)
    checker = _Checker(standards, kept)
    checker.failed = set(failed)
    problems.extend(checker.run())
    return standards, problems


def _duplicate(key: tuple[str, str], earlier: ItemRecord, record: ItemRecord) -> Problem:
    """Two items of one kind and id: in one layer, or in two without ``overrides: true``."""
    first = earlier.at("id")
    if record.layer == earlier.layer:
        hint = "rename one of them"
        if record.item.overrides:
            hint += " (`overrides: true` replaces an item of an earlier layer, not of its own)"
    else:
        hint = (
            f"rename this one, or mark it `overrides: true` to replace the earlier layer's {key[0]}"
        )
    return Problem(
        "DUPLICATE_ID",
        f"another {key[0]} already has the id {key[1]!r} ({first}); {hint}",
        record.at("id"),
    )


def _without_marker(record: ItemRecord) -> ItemRecord:
    """The record with ``overrides`` cleared: the standards hold the item that won, and the
    same items give the same fingerprint however the layers were written."""
    if not record.item.overrides:
        return record
    item = record.item.model_copy(update={"overrides": False})
    return ItemRecord(item, record.doc, record.path, record.layer)


def _issuer_identifiers(records: Iterable[ItemRecord]) -> list[Problem]:
    """Each credential issuer identifier names one issuer: an imported credential's issuer
    must resolve to exactly one issuer of the standards."""
    problems: list[Problem] = []
    first: dict[str, tuple[str, ItemRecord, int]] = {}
    for record in records:
        item = record.item
        if not isinstance(item, Issuer):
            continue
        for index, identifier in enumerate(item.identifiers):
            if identifier not in first:
                first[identifier] = (item.id, record, index)
                continue
            owner, where, at = first[identifier]
            whom = (
                "this issuer lists it already" if owner == item.id else f"issuer {owner!r} lists it"
            )
            problems.append(
                Problem(
                    "DUPLICATE_ISSUER_IDENTIFIER",
                    f"issuer identifier {identifier!r} names one issuer only, but {whom} "
                    f"({where.at('identifiers', at)}); remove one of them",
                    record.at("identifiers", index),
                )
            )
    return problems


def check_portfolio(
    portfolio: Portfolio,
    standards: Standards,
    doc: Document | None,
    base: Path = (),
    *,
    failed: Iterable[tuple[str, str]] = (),
) -> list[Problem]:
    """Check a portfolio's references, levels and grades against standards.

    ``failed`` holds (kind, id) of standards items that did not validate: references to
    them are not reported as unknown (their own problems are).
    """
    if _surely_fine(portfolio, standards):
        return []
    record = ItemRecord(portfolio, doc, base)  # type: ignore[arg-type]
    checker = _Checker(standards, {})
    checker.failed = set(failed)
    checker.references(portfolio, record)
    for index, achievement in enumerate(portfolio.achievements):
        _check_achievement(checker, achievement, record, ("achievements", index))
    return checker.problems


def check_portfolio_parts(doc: Document, standards: Standards) -> list[Problem]:
    """What :func:`check_portfolio` finds, for a portfolio that did not validate as a whole
    (a bad date, a wrong type …): every achievement that validates on its own is checked
    at its own place (unit, level, grade, issuer), an achievement that does not has at least
    its unit checked, and ids given twice are named. So one pass reports every problem, as
    it does for standards files: a bad date never hides a mistyped unit."""
    data = doc.data if isinstance(doc.data, dict) else {}
    entries = data.get("achievements")
    if not isinstance(entries, list):
        return []
    checker = _Checker(standards, {})
    record = ItemRecord(Portfolio.model_construct(learner=""), doc, ())  # type: ignore[arg-type]
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        path = ("achievements", index)
        if isinstance(entry.get("id"), str):
            if entry["id"] in seen:
                checker.add(
                    "DUPLICATE_LOCAL_ID",
                    f"two achievements share the id {entry['id']!r}; give each its own id",
                    record.at(*path, "id"),
                )
            seen.add(entry["id"])
        try:
            achievement = Achievement.model_validate(entry)
        except ValueError:  # its own problems are reported already; its unit is still checked
            unit = entry.get("unit")
            if isinstance(unit, str) and unit not in standards.units:
                hint = did_you_mean(unit, standards.units) or " no unit has this id"
                checker.add(
                    "UNKNOWN_REFERENCE",
                    f"unit {unit!r} does not exist;{hint}",
                    record.at(*path, "unit"),
                )
            continue
        checker.references(achievement, record, path)
        _check_achievement(checker, achievement, record, path)
    return checker.problems


class CheckedAchievements(BoundedDict[tuple[Any, ...], bool]):
    """(unit, level, grade, scale) -> whether one achievement of them passed the full check,
    kept with the standards (:meth:`~creditbank.models.Standards.cache`) so the next
    portfolio's check is a lookup; the engine drops it with its own memos."""

    __slots__ = ()


def _surely_fine(portfolio: Portfolio, standards: Standards) -> bool:
    """True only if the full check finds nothing: every reference resolves and each
    (unit, level, grade, scale) passed the full check of one achievement before."""
    units, issuers, scales = standards.units, standards.issuers, standards.grade_scales
    if portfolio.profile is not None and any(
        w.occupation is not None and w.occupation not in standards.occupations
        for w in portfolio.profile.work
    ):
        return False
    memo = standards.cache(CheckedAchievements)
    for achievement in portfolio.achievements:
        if achievement.unit not in units:
            return False
        if achievement.issuer is not None and achievement.issuer not in issuers:
            return False
        if achievement.scale is not None and achievement.scale not in scales:
            return False
        if achievement.level is None and achievement.grade is None:
            continue
        key = (achievement.unit, achievement.level, achievement.grade, achievement.scale)
        fine = memo.get(key)
        if fine is None:
            checker = _Checker(standards, {})
            record = ItemRecord(portfolio, None, ())  # type: ignore[arg-type]
            _check_achievement(checker, achievement, record, ())
            fine = not checker.problems
            memo[key] = fine
        if not fine:
            return False
    return True


def _check_achievement(
    checker: _Checker, achievement: Achievement, record: ItemRecord, path: Path
) -> None:
    standards = checker.s
    if achievement.unit not in standards.units:
        return
    framework = unit_framework(standards, achievement.unit)
    if achievement.level is not None:
        if framework is None:
            checker.add(
                "UNKNOWN_LEVEL",
                f"unit {str(achievement.unit)!r} has no levels; remove `level`",
                record.lazy(*path, "level"),
            )
        else:
            checker.level_in(
                framework,
                achievement.level,
                record.lazy(*path, "level"),
                unit_levels(standards, achievement.unit),
                f"unit {str(achievement.unit)!r}",
            )
    if achievement.grade is not None:
        checker.grade_known(achievement.grade, achievement.scale, record.lazy(*path, "grade"))
