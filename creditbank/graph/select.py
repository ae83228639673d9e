"""What a rule is about, read statically from the standards (no portfolio, no date).

The engine decides per achievement; the graph needs the same answers per *unit*: which
units a condition can select, at which levels, which courses or requirement of a programme
its target can reach and how much credit it can give. :func:`unit_selected` is the engine's
:func:`creditbank.engine.index.selects_unit` (one answer, editions of occupation codes
followed the same way).

>>> import creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> rule = standards.rules["liming:fitter"]
>>> match = rule.when.matches()[0]
>>> match.units, sorted(selected_units(standards, match))
((), ['skill:csco2022:6-20-01-01', 'skill:csco2022:6-31-01-02'])
>>> level_window_text(standards, match)
'≥ 四级'
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Literal, assert_never

from creditbank.engine.index import exempt_candidates, selects_unit
from creditbank.engine.options import course_requirement
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.models import (
    AllOf,
    AnyOf,
    Condition,
    CourseCredits,
    CourseUnit,
    ExemptCourses,
    HoursToCredits,
    LevelCondition,
    Match,
    NOf,
    Program,
    Requirement,
    RequirementCredits,
    Rule,
    Standards,
)
from creditbank.models.units import AwardUnit, SkillCertificateUnit, UnitBase, XCertificateUnit
from creditbank.models.values import share_of

__all__ = [
    "combination_kind",
    "condition_notes",
    "course_credits",
    "course_hours",
    "course_requirement",
    "credits_at_level",
    "least_credits_per_use",
    "level_window_text",
    "levels_in_window",
    "max_credits_per_use",
    "occupations_of",
    "recognised_at_level",
    "requirement_courses",
    "selected_units",
    "target_courses",
    "unit_selected",
    "unit_value",
]


def combination_kind(condition: Condition) -> str | None:
    """``all_of`` / ``n_of`` when the rule binds several achievements together, else None."""
    match condition:
        case Match():
            return None
        case AllOf():
            return "all_of" if len(condition.matches()) > 1 else None
        case NOf():
            return "n_of" if condition.n > 1 else None
        case AnyOf():
            kinds = sorted(k for part in condition.any_of if (k := combination_kind(part)))
            return kinds[0] if kinds else None
        case _:
            assert_never(condition)


def occupations_of(unit: UnitBase) -> set[str]:
    """The occupations a unit certifies (a skill certificate's one; a 1+X or award's list)."""
    if isinstance(unit, SkillCertificateUnit):
        return {str(unit.occupation)}
    if isinstance(unit, XCertificateUnit | AwardUnit):
        return {str(o) for o in unit.occupations}
    return set()


def unit_selected(match: Match, unit: UnitBase, standards: Standards) -> bool:
    """Whether ``match`` is about achievements of ``unit`` (unit, kind, occupation, family …),
    as the engine decides it."""
    return selects_unit(match, unit, standards)


def selected_units(standards: Standards, match: Match) -> list[str]:
    """Ids of the units ``match`` selects, sorted."""
    if match.units:
        pool: Iterable[UnitBase] = (
            standards.units[u] for u in dict.fromkeys(match.units) if u in standards.units
        )
    else:
        pool = standards.units.values()
    return sorted(u.id for u in pool if selects_unit(match, u, standards))


def _level_names(standards: Standards, unit_id: str, names: Iterable[str]) -> set[str]:
    framework = unit_framework(standards, unit_id)
    if framework is None:
        return set()
    return {level.id for name in names if (level := framework.level(name)) is not None}


def levels_in_window(
    standards: Standards, unit_id: str, window: LevelCondition | None
) -> tuple[str, ...] | None:
    """Level ids of ``unit_id`` (lowest first) that a level condition admits.

    None when the unit has no level scale (then a level condition admits nothing, and no
    condition admits the unit as a whole).
    """
    levels = unit_levels(standards, unit_id)
    if levels is None:
        return None if window is None else ()
    if window is None:
        return levels
    framework = unit_framework(standards, unit_id)
    assert framework is not None
    if window.one_of:
        wanted = _level_names(standards, unit_id, window.one_of)
        return tuple(lv for lv in levels if lv in wanted)
    rank = {lv.id: lv.rank for lv in framework.levels}
    floor = framework.level(window.at_least) if window.at_least is not None else None
    ceiling = framework.level(window.at_most) if window.at_most is not None else None
    if (window.at_least is not None and floor is None) or (
        window.at_most is not None and ceiling is None
    ):
        return ()
    return tuple(
        lv
        for lv in levels
        if (floor is None or rank[lv] >= floor.rank)
        and (ceiling is None or rank[lv] <= ceiling.rank)
    )


def level_window_text(standards: Standards, match: Match) -> str | None:
    """A level condition as a short text: ``≥ 三级``, ``≤ 中级``, ``初级 | 中级``."""
    window = match.level
    if window is None:
        return None
    if window.one_of:
        return " | ".join(window.one_of)
    parts = []
    if window.at_least is not None:
        parts.append(f"≥ {window.at_least}")
    if window.at_most is not None:
        parts.append(f"≤ {window.at_most}")
    return ", ".join(parts)


def condition_notes(match: Match, lang: Literal["zh", "en"] = "en") -> tuple[str, ...]:
    """The conditions of a match other than selection and level, as short texts in ``lang``
    (``grade ≥ 60 (percent)`` / ``成绩 ≥ 60（percent）``)."""
    zh = lang == "zh"

    def say(zh_text: str, en_text: str) -> str:
        return zh_text if zh else en_text

    notes: list[str] = []
    if match.grade is not None:
        scale = match.grade.scale
        shown = say(f"（{scale}）", f" ({scale})") if scale else ""
        notes.append(say("成绩 ", "grade ") + f"{match.grade.band()}{shown}")
    if match.earned_within is not None:
        within = match.earned_within
        span = " ".join(
            part
            for part in (
                f"{within.years} {say('年', 'y')}" if within.years else "",
                f"{within.months} {say('个月', 'm')}" if within.months else "",
            )
            if part
        )
        notes.append(say(f"{span}内取得", f"earned within {span}"))
    if match.earned_from is not None:
        notes.append(say("取得不早于 ", "earned from ") + match.earned_from.isoformat())
    if match.earned_until is not None:
        notes.append(say("取得不晚于 ", "earned until ") + match.earned_until.isoformat())
    if match.min_hours is not None:
        notes.append(f"≥ {match.min_hours} " + say("学时", "hours"))
    if match.max_hours is not None:
        notes.append(f"≤ {match.max_hours} " + say("学时", "hours"))
    if match.assessed is not None:
        notes.append(
            say("经考核", "assessed") if match.assessed else say("未经考核", "not assessed")
        )
    if match.online is not None:
        notes.append(say("在线", "online") if match.online else say("非在线", "not online"))
    if match.issuers:
        notes.append(say("发证机构 ", "issued by ") + ", ".join(match.issuers))
    if not match.must_be_valid:
        notes.append(say("过期也认", "expired accepted"))
    return tuple(notes)


def requirement_courses(
    standards: Standards, program: Program, requirement: Requirement
) -> list[str]:
    """The courses that count in a requirement: those it lists, then every course of its
    ``course_types`` that is the programme school's own or no school's, in order, once."""
    found = dict.fromkeys(str(c) for c in requirement.courses)
    if requirement.course_types:
        for unit in standards.units.values():
            if (
                isinstance(unit, CourseUnit)
                and unit.course_type in requirement.course_types
                and (unit.school is None or unit.school == program.school)
            ):
                found[unit.id] = None
    return list(found)


def target_courses(standards: Standards, program: Program, target: ExemptCourses) -> list[str]:
    """The programme's courses an exemption target can reach (as the engine selects them)."""
    return [
        c
        for c in exempt_candidates(standards, program, target)
        if course_requirement(program, c) is not None
    ]


def course_credits(standards: Standards, course: str) -> Decimal:
    """A course's credits (0 for anything that is not a course)."""
    unit = standards.units.get(course)
    return unit.credits.amount if isinstance(unit, CourseUnit) else Decimal(0)


def course_hours(standards: Standards, program: Program | None, course: str) -> Decimal:
    """Study hours of a course: as stated, else its credits at the programme's rate (16)."""
    unit = standards.units.get(course)
    if not isinstance(unit, CourseUnit):
        return Decimal(0)
    if unit.hours is not None:
        return unit.hours
    if unit.credits.unit == "hour":
        return unit.credits.amount
    rate = program.hours_per_credit if program and program.hours_per_credit else Decimal(16)
    return unit.credits.amount * rate


def unit_value(standards: Standards, unit_id: str) -> Decimal | None:
    """What consuming a unit is worth in credits: a course's credits (学分, ECTS …, as an
    exemption of it gives), a unit's own credits (in 学分), else the most the credit bank
    recognised for it; None when unknown."""
    unit = standards.units.get(unit_id)
    if unit is None:
        return None
    if isinstance(unit, CourseUnit):
        return course_credits(standards, unit_id)  # in its own credit unit, as exemptions give
    if unit.credits is not None and unit.credits.unit == "credit":
        return unit.credits.amount
    recognised = [entry.credits for entry in unit.recognised_credits]
    return max(recognised) if recognised else None


def max_credits_per_use(
    standards: Standards, program: Program, rule: Rule, unit_id: str | None = None
) -> Decimal | None:
    """The most credit one use of ``rule`` can give in ``program``; None when unbounded
    (credits as stated by the achievement). Hours convert at the unit's own hours."""
    target = rule.then
    match target:
        case ExemptCourses():
            amounts = sorted(
                (course_credits(standards, c) for c in target_courses(standards, program, target)),
                reverse=True,
            )
            if target.choose == "any" and target.max_courses is not None:
                amounts = amounts[: target.max_courses]
            return sum(amounts, Decimal(0))
        case RequirementCredits():
            if target.credits is not None:
                return target.credits
            if target.credits_by_level:
                return max(entry.credits for entry in target.credits_by_level)
            if target.from_unit == "recognised":
                units = [unit_id] if unit_id else []
                values = [
                    entry.credits for u in units for entry in standards.units[u].recognised_credits
                ]
                return max(values) if values else Decimal(0)
            return None
        case HoursToCredits():
            if target.max_credits is not None:
                return target.max_credits
            unit = standards.units.get(unit_id) if unit_id else None
            rate = target.hours_per_credit or program.hours_per_credit
            if unit is None or unit.hours is None or rate is None:
                return None
            return target.rounded(unit.hours / rate)
        case CourseCredits():
            full = course_credits(standards, target.course)
            if target.credits is not None:
                return min(target.credits, full)
            return share_of(full, target.share or Fraction(0))
        case _:
            assert_never(target)


def credits_at_level(
    standards: Standards, program: Program, rule: Rule, unit_id: str, level: str | None
) -> Decimal | None:
    """What one use of ``rule`` gives for ``unit_id`` at ``level`` (a level id) in ``program``.

    Without a level, the most it can give. None when the standards alone cannot tell
    (credits as stated on the achievement).
    """
    target = rule.then
    if level is None:
        return max_credits_per_use(standards, program, rule, unit_id)
    match target:
        case RequirementCredits():
            framework = unit_framework(standards, unit_id)
            if target.credits_by_level:
                for entry in target.credits_by_level:
                    found = framework.level(entry.level) if framework and entry.level else None
                    if found is not None and found.id == level:
                        return entry.credits
                return Decimal(0)
            if target.from_unit == "recognised":
                return recognised_at_level(standards, unit_id, level)
        case ExemptCourses() | HoursToCredits() | CourseCredits():
            pass  # the same at every level
        case _:
            assert_never(target)
    return max_credits_per_use(standards, program, rule, unit_id)


def recognised_at_level(standards: Standards, unit_id: str, level: str | None) -> Decimal | None:
    """Credits the credit bank recognised for a unit at a level id (the most, without one)."""
    unit = standards.units.get(unit_id)
    if unit is None or not unit.recognised_credits:
        return None
    if level is None:
        return max(entry.credits for entry in unit.recognised_credits)
    framework = unit_framework(standards, unit_id)
    for entry in unit.recognised_credits:
        if entry.level is None:
            return entry.credits
        found = framework.level(entry.level) if framework else None
        if found is not None and found.id == level:
            return entry.credits
    return None


def least_credits_per_use(
    standards: Standards, program: Program, rule: Rule, unit_id: str, level: str | None
) -> Decimal | None:
    """The least credit one use of ``rule`` can give for ``unit_id`` at ``level``: a use is
    granted whole or not at all, so a ceiling below this refuses every use. None: unknown."""
    target = rule.then
    match target:
        case ExemptCourses():
            amounts = [
                course_credits(standards, c) for c in target_courses(standards, program, target)
            ]
            if not amounts:
                return None
            return min(amounts) if target.choose == "any" else sum(amounts, Decimal(0))
        case HoursToCredits():
            return None
        case RequirementCredits() | CourseCredits():
            return credits_at_level(standards, program, rule, unit_id, level)
        case _:
            assert_never(target)
