"""Does an achievement meet a rule's conditions? If not, which check failed first, and why.

Checks run in a fixed order; a failure's ``step`` says how far the achievement got, so
that among several rules the most telling reason can be reported (the rule it came
closest to meeting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from creditbank.engine.facts import Facts, add_years, issuer_authorised
from creditbank.engine.index import selects_unit
from creditbank.engine.reasons import ReasonCode
from creditbank.models import GradeCondition, GradeScale, LevelCondition, Match, Standards

__all__ = ["Failure", "check_match", "selects"]


@dataclass(frozen=True)
class Failure:
    """The first condition an achievement failed, with details for the sentence."""

    reason: ReasonCode
    step: int
    detail: dict[str, str] = field(default_factory=dict)


def selects(match: Match, facts: Facts) -> bool:
    """Whether the match is *about* this achievement at all (unit, kind, occupation, tags …)."""
    return selects_unit(match, facts.unit)


def _percent(scale: GradeScale | None, score: Decimal) -> Decimal | None:
    if scale is None:
        return score
    if scale.kind != "numeric" or scale.minimum is None or scale.maximum is None:
        return None
    return (score - scale.minimum) * 100 / (scale.maximum - scale.minimum)


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


def grade_met(standards: Standards, condition: GradeCondition, facts: Facts) -> tuple[bool, str]:
    """Whether the achievement's result reaches the condition's minimum, and the result shown."""
    achievement = facts.achievement
    wanted = condition.at_least
    scale = standards.grade_scales.get(condition.scale) if condition.scale else None
    if isinstance(wanted, str):
        own = standards.grade_scales.get(achievement.scale) if achievement.scale else None
        if scale is None and own is not None and own.grade(wanted) is not None:
            scale = own  # the rule names no scale: read its grade on the achievement's scale
        same_scale = scale is not None and achievement.scale == scale.id
        if same_scale and scale is not None and achievement.grade is not None:
            have, need = scale.grade(achievement.grade), scale.grade(wanted)
            if have is not None and need is not None:
                return have.rank >= need.rank, achievement.grade
        scales = [scale] if scale else list(standards.grade_scales.values())
        need_grade = next((g for s in scales if (g := s.grade(wanted)) is not None), None)
        threshold = need_grade.min_percent if need_grade else None
    else:
        threshold = _percent(scale, wanted)
    result, shown = _result_percent(standards, facts)
    if threshold is None or result is None:
        return False, shown
    return result >= threshold, shown


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
        return Failure(verdict, 5, {**detail, "required": condition.at_least})
    return Failure(verdict, 5, detail)


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
        return Failure("NOT_YET_EARNED", 1, _dates(rule, as_of, earned))
    if match.must_be_valid and facts.expired(as_of):
        detail = {**_dates(rule, as_of, earned), "expires_on": str(facts.expires_on)}
        return Failure("EXPIRED", 2, detail)
    if match.earned_within is not None:
        window = match.earned_within
        if earned < add_years(as_of, -window.years, -window.months):
            return Failure("TOO_OLD", 3, _dates(rule, as_of, earned))
    if match.earned_from is not None and earned < match.earned_from:
        return Failure("TOO_OLD", 3, _dates(rule, as_of, earned))
    if match.earned_until is not None and earned > match.earned_until:
        return Failure("TOO_RECENT", 3, _dates(rule, as_of, earned))
    if match.level is not None:
        level = _level_failure(match, facts, rule)
        if level is not None:
            return level
    if match.grade is not None:
        met, shown = grade_met(standards, match.grade, facts)
        if not met:
            required = str(match.grade.at_least)
            return Failure(
                "GRADE_TOO_LOW", 6, {"rule": rule, "result": shown, "required": required}
            )
    if match.issuers and achievement.issuer not in match.issuers:
        return Failure("ISSUER_NOT_AUTHORISED", 7, _issuer(rule, achievement.issuer))
    if match.issuer_authorised and not issuer_authorised(standards, facts):
        return Failure("ISSUER_NOT_AUTHORISED", 7, _issuer(rule, achievement.issuer))
    hours = facts.hours
    if match.min_hours is not None and (hours is None or hours < match.min_hours):
        shown_hours = str(hours) if hours is not None else "—"
        return Failure("HOURS_TOO_FEW", 8, {"rule": rule, "hours": shown_hours})
    if match.max_hours is not None and (hours is None or hours > match.max_hours):
        return Failure("CONDITION_NOT_MET", 8, {"rule": rule, "condition": "max_hours"})
    if match.assessed is not None and facts.assessed != match.assessed:
        return Failure("CONDITION_NOT_MET", 9, {"rule": rule, "condition": "assessed"})
    if match.online is not None and facts.online != match.online:
        return Failure("CONDITION_NOT_MET", 9, {"rule": rule, "condition": "online"})
    return None


def _dates(rule: str, as_of: dt.date, earned: dt.date) -> dict[str, str]:
    """The details of a failure about dates (made only when one fails)."""
    return {"rule": rule, "as_of": as_of.isoformat(), "earned_on": earned.isoformat()}


def _issuer(rule: str, issuer: str | None) -> dict[str, str]:
    return {"rule": rule, "issuer": issuer or "—"}
