"""What the engine needs to know about each achievement, looked up once per evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Achievement, Framework, Standards
from creditbank.models.units import (
    AwardUnit,
    CourseUnit,
    SkillCertificateUnit,
    TrainingUnit,
    UnitBase,
    XCertificateUnit,
)

__all__ = ["Facts", "add_years", "issuer_authorised", "make_facts"]


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
    unit = standards.units[achievement.unit]
    framework = unit_framework(standards, unit.id)
    level = framework.level(achievement.level) if framework and achievement.level else None
    validity = (
        unit.validity_years if isinstance(unit, SkillCertificateUnit | XCertificateUnit) else None
    )
    expires = achievement.expires_on
    if expires is None and validity:
        expires = add_years(achievement.earned_on, validity)
    unit_online = unit.online if isinstance(unit, CourseUnit | TrainingUnit) else False
    unit_assessed = unit.assessed if isinstance(unit, TrainingUnit) else None
    return Facts(
        achievement=achievement,
        unit=unit,
        framework=framework,
        level_id=level.id if level else None,
        rank=level.rank if level else None,
        online=achievement.online if achievement.online is not None else unit_online,
        assessed=achievement.assessed if achievement.assessed is not None else unit_assessed,
        hours=achievement.hours if achievement.hours is not None else unit.hours,
        expires_on=expires,
        recognised=_recognised(unit, framework, level.id if level else None),
    )


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


def _grant_covers(standards: Standards, issuer_id: str, facts: Facts) -> bool:
    issuer = standards.issuers.get(issuer_id)
    if issuer is None:
        return False
    unit = facts.unit
    occupations = _occupations_of(unit)
    for grant in issuer.authorised:
        named = (
            unit.id in grant.units
            or unit.kind in grant.unit_kinds
            or bool(occupations & set(grant.occupations))
        )
        if not named:
            continue
        earned = facts.achievement.earned_on
        if grant.effective_from and earned < grant.effective_from:
            continue
        if grant.effective_until and earned > grant.effective_until:
            continue
        if grant.levels and facts.framework is not None:
            allowed = {lv.id for name in grant.levels if (lv := facts.framework.level(name))}
            if facts.level_id not in allowed:
                continue
        return True
    return False


def _occupations_of(unit: UnitBase) -> set[str]:
    if isinstance(unit, SkillCertificateUnit):
        return {unit.occupation}
    if isinstance(unit, XCertificateUnit | AwardUnit):
        return set(unit.occupations)
    return set()


def _anyone_authorised_for(standards: Standards, facts: Facts) -> bool:
    unit = facts.unit
    occupations = _occupations_of(unit)
    return any(
        unit.id in grant.units
        or unit.kind in grant.unit_kinds
        or bool(occupations & set(grant.occupations))
        for issuer in standards.issuers.values()
        for grant in issuer.authorised
    )


def issuer_authorised(standards: Standards, facts: Facts) -> bool:
    """Whether the achievement's issuer was authorised for its unit (and level) when it was earned.

    Units for which the standards authorise nobody are open: any issuer will do.
    """
    if not _anyone_authorised_for(standards, facts):
        return True
    issuer = facts.achievement.issuer
    return issuer is not None and _grant_covers(standards, issuer, facts)
