"""What the engine needs to know about each achievement, looked up once per evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from creditbank.engine.cache import EngineCache, Traits, UnitAtLevel
from creditbank.engine.index import rule_index
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Achievement, Authorisation, Framework, Standards
from creditbank.models.units import (
    AwardUnit,
    CourseUnit,
    SkillCertificateUnit,
    TrainingUnit,
    UnitBase,
    XCertificateUnit,
)

__all__ = ["Facts", "add_years", "grant_covers", "issuer_authorised", "make_facts", "names_unit"]


def add_years(day: dt.date, years: int, months: int = 0) -> dt.date:
    """``day`` moved by whole years and months (29 February falls back to 28 February)."""
    month_index = day.year * 12 + day.month - 1 + years * 12 + months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - 28 always exists


@dataclass(frozen=True)
class Facts:
    """An achievement with its unit, level rank, effective hours and validity resolved."""

    achievement: Achievement
    unit: UnitBase
    framework: Framework | None
    level_id: str | None
    rank: int | None
    online: bool
    assessed: bool | None
    hours: Decimal | None
    expires_on: dt.date | None
    recognised: Decimal | None
    """Credits the credit bank recognised for the unit at this level (rule R3), if stated."""

    @property
    def id(self) -> str:
        return self.achievement.id

    def expired(self, as_of: dt.date) -> bool:
        return self.expires_on is not None and self.expires_on < as_of

    def family(self) -> str:
        """The unit's family, or the unit itself when it has none."""
        return self.unit.family or f"unit:{self.unit.id}"

    def twin_key(self) -> tuple[object, ...]:
        """Equal for exact duplicates (everything but the id)."""
        return tuple(self.achievement.model_dump(exclude={"id"}).items())


def make_facts(standards: Standards, achievement: Achievement) -> Facts:
    """Resolve an achievement against the standards (its unit must exist)."""
    unit, framework, level_id, rank, recognised = _unit_at_level(
        standards, achievement.unit, achievement.level
    )
    validity, unit_online, unit_assessed = _traits(standards, unit)
    expires = achievement.expires_on
    if expires is None and validity:
        expires = add_years(achievement.earned_on, validity)
    return Facts(
        achievement=achievement,
        unit=unit,
        framework=framework,
        level_id=level_id,
        rank=rank,
        online=achievement.online if achievement.online is not None else unit_online,
        assessed=achievement.assessed if achievement.assessed is not None else unit_assessed,
        hours=achievement.hours if achievement.hours is not None else unit.hours,
        expires_on=expires,
        recognised=recognised,
    )


def _traits(standards: Standards, unit: UnitBase) -> Traits:
    """A unit's validity in years, and whether it is online and assessed (by default)."""
    memo = standards.cache(EngineCache).unit_traits
    found = memo.get(unit.id)
    if found is None or found[0] is not unit:
        validity = (
            unit.validity_years
            if isinstance(unit, SkillCertificateUnit | XCertificateUnit)
            else None
        )
        online = unit.online if isinstance(unit, CourseUnit | TrainingUnit) else False
        assessed = unit.assessed if isinstance(unit, TrainingUnit) else None
        found = memo[unit.id] = (unit, (validity, online, assessed))
    return found[1]


def _unit_at_level(standards: Standards, unit_id: str, level_name: str | None) -> UnitAtLevel:
    """A unit with its framework, the level's id and rank, and the recognised credits, once
    per (unit, level name) for the life of the standards."""
    memo = standards.cache(EngineCache).unit_at_level
    key = (unit_id, level_name)
    found = memo.get(key)
    if found is None:
        unit = standards.units[unit_id]
        framework = unit_framework(standards, unit.id)
        level = framework.level(level_name) if framework and level_name else None
        level_id = level.id if level else None
        found = (
            unit,
            framework,
            level_id,
            level.rank if level else None,
            _recognised(unit, framework, level_id),
        )
        memo[key] = found
    return found


def _recognised(
    unit: UnitBase, framework: Framework | None, level_id: str | None
) -> Decimal | None:
    for entry in unit.recognised_credits:
        if entry.level is None:
            return entry.credits
        level = framework.level(entry.level) if framework else None
        if level is not None and level.id == level_id:
            return entry.credits
    return None


def names_unit(grant: Authorisation, unit: UnitBase) -> bool:
    """Whether a grant names the unit (by id, by kind, or by one of its occupations)."""
    return (
        unit.id in grant.units
        or unit.kind in grant.unit_kinds
        or bool(_occupations_of(unit) & set(grant.occupations))
    )


def grant_covers(
    grant: Authorisation,
    unit: UnitBase,
    framework: Framework | None,
    level_id: str | None,
    earned: dt.date,
) -> bool:
    """Whether a grant authorises the unit at the level on the day it was earned."""
    if not names_unit(grant, unit):
        return False
    if grant.effective_from and earned < grant.effective_from:
        return False
    if grant.effective_until and earned > grant.effective_until:
        return False
    if grant.levels and framework is not None:
        allowed = {lv.id for name in grant.levels if (lv := framework.level(name))}
        if level_id not in allowed:
            return False
    return True


def _occupations_of(unit: UnitBase) -> set[str]:
    if isinstance(unit, SkillCertificateUnit):
        return {unit.occupation}
    if isinstance(unit, XCertificateUnit | AwardUnit):
        return set(unit.occupations)
    return set()


def issuer_authorised(standards: Standards, facts: Facts) -> bool:
    """Whether the achievement's issuer was authorised for its unit (and level) when it was earned.

    Units for which the standards authorise nobody are open: any issuer will do.
    """
    index = rule_index(standards)
    if not index.restricted(facts.unit):
        return True
    achievement = facts.achievement
    key = (facts.unit.id, achievement.issuer, facts.level_id, achievement.earned_on)
    found = index.authorised.get(key)
    if found is None:
        issuer = standards.issuers.get(achievement.issuer or "")
        found = issuer is not None and any(
            grant_covers(g, facts.unit, facts.framework, facts.level_id, achievement.earned_on)
            for g in issuer.authorised
        )
        index.authorised[key] = found
    return found
