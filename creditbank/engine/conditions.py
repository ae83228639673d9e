"""Does an achievement meet a rule's conditions? If not, which check failed first, and why.

Checks run in a fixed order, :class:`creditbank.engine.reasons.Step`; a failure's ``step``
says how far the achievement got, so that among several rules the most telling reason can
be reported (the rule it came closest to meeting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from creditbank.engine.facts import Facts, add_years, issuer_authorised
from creditbank.engine.index import selects_unit
from creditbank.engine.reasons import ReasonCode, Step
from creditbank.models import GradeCondition, GradeScale, LevelCondition, Match, Standards

__all__ = ["Failure", "GradeVerdict", "check_match", "grade_verdict", "selects"]


@dataclass(frozen=True)
class Failure:
    """The first condition an achievement failed, with details for the sentence."""

    reason: ReasonCode
    step: Step
    detail: dict[str, str] = field(default_factory=dict)


def selects(match: Match, facts: Facts, standards: Standards) -> bool:
    """Whether the match is *about* this achievement at all (unit, kind, occupation, tags …)."""
    return selects_unit(match, facts.unit, standards)


def _percent(scale: GradeScale | None, score: Decimal) -> Decimal | None:
    if scale is None:
        return score
    if scale.kind != "numeric" or scale.minimum is None or scale.maximum is None:
        return None
    above_worst = scale.maximum - score if scale.lower_is_better else score - scale.minimum
    return above_worst * 100 / (scale.maximum - scale.minimum)


def _result_percent(standards: Standards, facts: Facts) -> tuple[Decimal | None, str]:
    """The achievement's result as a percent (None when unknown), and how to show it."""
    achievement = facts.achievement
    scale = standards.grade_scales.get(achievement.scale) if achievement.scale else None
    if achievement.score is not None:
        return _percent(scale, achievement.score), str(achievement.score)
    if achievement.grade is not None:
        scales = [scale] if scale else list(standards.grade_scales.values())
        for candidate in scales:
            grade = candidate.grade(achievement.grade) if candidate else None
            if grade is not None:
                return grade.min_percent, achievement.grade
        return None, achievement.grade
    return None, "—"


GradeVerdict = Literal["met", "low", "high"]
"""A result within the window, below ``at_least``, or above ``at_most``."""

Bound = str | Decimal


def _on_scale(standards: Standards, scale: GradeScale, facts: Facts) -> Bound | None:
    """The achievement's result on ``scale``: as recorded when it is on that scale, else
    through the conversion table its own scale declares; None when neither applies."""
    achievement = facts.achievement
    if achievement.scale == scale.id:
        return achievement.grade if achievement.grade is not None else achievement.score
    own = standards.grade_scales.get(achievement.scale) if achievement.scale else None
    if own is None:
        return None
    return own.converted(scale.id, score=achievement.score, grade=achievement.grade)


def _order(scale: GradeScale, have: Bound, bound: Bound) -> int | None:
    """-1, 0 or 1 as ``have`` is worse than, as good as or better than ``bound`` on
    ``scale``; None when either is not a result of the scale."""
    if scale.kind == "ordinal":
        mine = scale.grade(have) if isinstance(have, str) else None
        theirs = scale.grade(bound) if isinstance(bound, str) else None
        if mine is None or theirs is None:
            return None
        return (mine.rank > theirs.rank) - (mine.rank < theirs.rank)
    if not isinstance(have, Decimal) or not isinstance(bound, Decimal):
        return None
    sign = (have > bound) - (have < bound)
    return -sign if scale.lower_is_better else sign


def _verdict(low: bool, high: bool) -> GradeVerdict:
    return "low" if low else "high" if high else "met"


def _scale_of(standards: Standards, condition: GradeCondition, facts: Facts) -> GradeScale | None:
    """The scale the condition's bounds are on: its own, else (for a named grade) the
    achievement's scale when that has the grade."""
    if condition.scale:
        return standards.grade_scales.get(condition.scale)
    own = standards.grade_scales.get(facts.achievement.scale or "")
    names = [b for b in (condition.at_least, condition.at_most) if isinstance(b, str)]
    if own is not None and names and all(own.grade(n) is not None for n in names):
        return own  # the rule names no scale: read its grades on the achievement's scale
    return None


def _on_the_scale(scale: GradeScale, condition: GradeCondition, have: Bound) -> GradeVerdict | None:
    """The verdict on the condition's own scale; None when a bound is not of the scale."""
    low = high = False
    if condition.at_least is not None:
        order = _order(scale, have, condition.at_least)
        if order is None:
            return None
        low = order < 0
    if condition.at_most is not None:
        order = _order(scale, have, condition.at_most)
        if order is None:
            return None
        high = order > 0
    return _verdict(low, high)


def _grade_percents(
    standards: Standards, scale: GradeScale | None, name: str
) -> tuple[Decimal | None, Decimal | None]:
    """The percents a named grade stands for: its own minimum, and the minimum of the next
    better grade of its scale (None for the best grade)."""
    scales = [scale] if scale else list(standards.grade_scales.values())
    for candidate in scales:
        grade = candidate.grade(name)
        if grade is not None:
            better = [
                g.min_percent
                for g in candidate.grades
                if g.rank > grade.rank and g.min_percent is not None
            ]
            return grade.min_percent, min(better, default=None)
    return None, None


def grade_verdict(
    standards: Standards, condition: GradeCondition, facts: Facts
) -> tuple[GradeVerdict, str]:
    """Whether the achievement's result is within the condition's window, and the result
    as shown in an explanation.

    On the condition's scale (the result recorded on it, or converted by its own scale's
    table) results compare in the scale's order; otherwise by percent.
    """
    scale = _scale_of(standards, condition, facts)
    if scale is not None:
        have = _on_scale(standards, scale, facts)
        if have is not None:
            verdict = _on_the_scale(scale, condition, have)
            if verdict is not None:
                return verdict, _shown(facts, have)
    result, shown = _result_percent(standards, facts)
    if result is None:
        return "low", shown
    low = high = False
    if condition.at_least is not None:
        if isinstance(condition.at_least, str):
            floor = _grade_percents(standards, scale, condition.at_least)[0]
        else:
            floor = _percent(scale, condition.at_least)
        low = floor is None or result < floor
    if condition.at_most is not None:
        if isinstance(condition.at_most, str):
            own_floor, next_floor = _grade_percents(standards, scale, condition.at_most)
            high = own_floor is None or (next_floor is not None and result >= next_floor)
        else:
            ceiling = _percent(scale, condition.at_most)
            high = ceiling is None or result > ceiling
    return _verdict(low, high), shown


def _shown(facts: Facts, have: Bound) -> str:
    """The result as recorded, with what it converted to when it did."""
    achievement = facts.achievement
    recorded = achievement.grade if achievement.grade is not None else str(achievement.score)
    return recorded if str(have) == recorded else f"{recorded} → {have}"


def _grade_failure(match: Match, facts: Facts, standards: Standards, rule: str) -> Failure | None:
    condition = match.grade
    if condition is None:
        return None
    verdict, shown = grade_verdict(standards, condition, facts)
    if verdict == "met":
        return None
    if condition.at_most is None:
        required = str(condition.at_least)
        return Failure(
            "GRADE_TOO_LOW", Step.GRADE, {"rule": rule, "result": shown, "required": required}
        )
    return Failure(
        "GRADE_OUT_OF_BAND", Step.GRADE, {"rule": rule, "result": shown, "band": condition.band()}
    )


def _level_failure(match: Match, facts: Facts, rule: str) -> Failure | None:
    condition = match.level
    if condition is None:
        return None
    verdict = _level_verdict(condition, facts)
    if verdict is None:
        return None
    shown = facts.achievement.level or "—"
    required = ", ".join(condition.names())
    detail = {"rule": rule, "level": shown, "required": required}
    if verdict == "LEVEL_TOO_LOW":
        assert condition.at_least is not None
        return Failure(verdict, Step.LEVEL, {**detail, "required": condition.at_least})
    return Failure(verdict, Step.LEVEL, detail)


def _level_verdict(
    condition: LevelCondition, facts: Facts
) -> Literal["LEVEL_NOT_MATCHED", "LEVEL_TOO_LOW"] | None:
    """How the achievement's level fails the condition, or None when it meets it."""
    framework = facts.framework
    if framework is None or facts.rank is None:
        return "LEVEL_NOT_MATCHED"
    if condition.one_of:
        wanted = {lv.id for name in condition.one_of if (lv := framework.level(name))}
        return None if facts.level_id in wanted else "LEVEL_NOT_MATCHED"
    if condition.at_least is not None:
        floor = framework.level(condition.at_least)
        if floor is None:
            return "LEVEL_NOT_MATCHED"
        if facts.rank < floor.rank:
            return "LEVEL_TOO_LOW"
    if condition.at_most is not None:
        ceiling = framework.level(condition.at_most)
        if ceiling is None or facts.rank > ceiling.rank:
            return "LEVEL_NOT_MATCHED"
    return None


def check_match(
    standards: Standards, match: Match, facts: Facts, as_of: dt.date, rule: str
) -> Failure | None:
    """The first failed condition of ``match`` for an achievement it selects, or None."""
    achievement = facts.achievement
    earned = achievement.earned_on
    if earned > as_of:
        return Failure("NOT_YET_EARNED", Step.EARNED, _dates(rule, as_of, earned))
    if match.must_be_valid and facts.expired(as_of):
        detail = {**_dates(rule, as_of, earned), "expires_on": str(facts.expires_on)}
        return Failure("EXPIRED", Step.VALID, detail)
    if match.earned_within is not None:
        window = match.earned_within
        earliest = add_years(as_of, -window.years, -window.months)
        if earned < earliest:
            detail = {**_dates(rule, as_of, earned), "earliest": earliest.isoformat()}
            return Failure("TOO_OLD", Step.DATES, detail)
    if match.earned_from is not None and earned < match.earned_from:
        detail = {**_dates(rule, as_of, earned), "earliest": match.earned_from.isoformat()}
        return Failure("TOO_OLD", Step.DATES, detail)
    if match.earned_until is not None and earned > match.earned_until:
        detail = {**_dates(rule, as_of, earned), "latest": match.earned_until.isoformat()}
        return Failure("TOO_RECENT", Step.DATES, detail)
    if match.level is not None:
        level = _level_failure(match, facts, rule)
        if level is not None:
            return level
    if match.grade is not None:
        failure = _grade_failure(match, facts, standards, rule)
        if failure is not None:
            return failure
    if match.issuers and achievement.issuer not in match.issuers:
        return Failure("ISSUER_NOT_AUTHORISED", Step.ISSUER, _issuer(rule, achievement.issuer))
    if match.issuer_authorised and not issuer_authorised(standards, facts):
        return Failure("ISSUER_NOT_AUTHORISED", Step.ISSUER, _issuer(rule, achievement.issuer))
    hours = facts.hours
    if match.min_hours is not None and (hours is None or hours < match.min_hours):
        shown_hours = str(hours) if hours is not None else "—"
        required = str(match.min_hours)
        return Failure(
            "HOURS_TOO_FEW", Step.HOURS, {"rule": rule, "hours": shown_hours, "required": required}
        )
    if match.max_hours is not None and (hours is None or hours > match.max_hours):
        return Failure("CONDITION_NOT_MET", Step.HOURS, {"rule": rule, "condition": "max_hours"})
    if match.assessed is not None and facts.assessed != match.assessed:
        return Failure("CONDITION_NOT_MET", Step.FLAGS, {"rule": rule, "condition": "assessed"})
    if match.online is not None and facts.online != match.online:
        return Failure("CONDITION_NOT_MET", Step.FLAGS, {"rule": rule, "condition": "online"})
    return None


def _dates(rule: str, as_of: dt.date, earned: dt.date) -> dict[str, str]:
    """The details of a failure about dates (made only when one fails)."""
    return {"rule": rule, "as_of": as_of.isoformat(), "earned_on": earned.isoformat()}


def _issuer(rule: str, issuer: str | None) -> dict[str, str]:
    return {"rule": rule, "issuer": issuer or "—"}
