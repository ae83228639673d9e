"""Eligibility rules (贯通、入学、资助): who may apply for a title, enter or be funded.

A kind of standards item beside conversion rules. An :class:`EligibilityRule` has

* ``outcome`` — what it opens: ``title`` (bridging between tracks: a skill level opens a
  professional title of a series and level, a title opens a skill-level assessment, or a
  management post), ``admission`` (entry to a programme, by exam or exam-free) or
  ``funding`` (a funded place of a programme);
* ``when`` — an :class:`EligibilityCondition`: conditions on achievements (the conversion
  rules' own :data:`~creditbank.models.rule.Condition`: unit, level, grade, dates, issuer,
  hours) plus conditions on the learner's :class:`~creditbank.models.profile.Profile`
  (years since a certificate, years of work in an occupation or sector, education at
  least, titles held, status flags, region). Every condition given must hold.

Several routes to one outcome are several rules with the same outcome; the learner is
eligible for it when any of them is met.

>>> rule = EligibilityRule.model_validate({
...     "id": "e1", "name": "高级工满2年 → 助理工程师", "example": True,
...     "outcome": {"kind": "title", "series": "engineering", "level": "助理级"},
...     "when": {"achievement": {"unit_kinds": ["skill_certificate"],
...                              "level": {"at_least": "三级"}}, "years_since": 2}})
>>> rule.outcome.kind, rule.when.years_since.years
('title', 2)
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item as _Item
from creditbank.models.profile import (
    EducationLevel,
    RegionCode,
    SectorCode,
    TitleLevel,
    TitleSeries,
)
from creditbank.models.rule import Condition, Within
from creditbank.models.values import LevelName, Model, OccupationRef, ProgramRef

__all__ = [
    "OUTCOME_KINDS",
    "AdmissionOutcome",
    "EducationCondition",
    "EligibilityCondition",
    "EligibilityRule",
    "FundingOutcome",
    "Outcome",
    "OutcomeKind",
    "StatusCondition",
    "TitleCondition",
    "TitleOutcome",
    "WorkCondition",
]

OutcomeKind = Literal["title", "admission", "funding"]
OUTCOME_KINDS: tuple[OutcomeKind, ...] = ("title", "admission", "funding")


class TitleOutcome(Model):
    """Bridging (贯通) to a post of a track.

    ``track: professional`` — may apply for the title ``level`` of ``series`` (职称评审);
    ``track: skill`` — may apply for the skill-level assessment ``level`` (a level of the
    cn-skill-level framework) in ``occupation``; ``track: management`` — may take the
    management post ``post`` where a policy says so.
    """

    kind: Literal["title"] = "title"
    track: Literal["professional", "skill", "management"] = "professional"
    series: TitleSeries | None = None
    level: LevelName | None = Field(
        default=None, description="A title level (助理级 …) or, on the skill track, a skill level."
    )
    occupation: OccupationRef | None = None
    post: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _fits_track(self) -> TitleOutcome:
        if self.track == "professional":
            if self.series is None or self.level is None:
                raise PydanticCustomError(
                    "MISSING_FIELD",
                    "a professional title needs `series` and `level` (员级 … 正高级)",
                    {"field": "series" if self.series is None else "level"},
                )
            if self.level not in get_args(TitleLevel):
                raise PydanticCustomError(
                    "UNKNOWN_LEVEL",
                    "'{level}' is no title level; use one of 员级, 助理级, 中级, 副高级, 正高级",
                    {"level": self.level, "field": "level"},
                )
        elif self.track == "skill" and self.level is None:
            raise PydanticCustomError(
                "MISSING_FIELD", "a skill-track outcome needs `level`", {"field": "level"}
            )
        elif self.track == "management" and self.post is None:
            raise PydanticCustomError(
                "MISSING_FIELD", "a management-track outcome needs `post`", {"field": "post"}
            )
        return self


class AdmissionOutcome(Model):
    """Entry to a programme: by the entrance exam, or exam-free (免试入学) where published."""

    kind: Literal["admission"] = "admission"
    program: ProgramRef
    route: Literal["exam", "exam_free"] = "exam"


class FundingOutcome(Model):
    """A funded place (资助) of a programme, under a named scheme (e.g. 求学圆梦行动)."""

    kind: Literal["funding"] = "funding"
    program: ProgramRef
    scheme: str = Field(min_length=1, max_length=200)


Outcome = Annotated[TitleOutcome | AdmissionOutcome | FundingOutcome, Field(discriminator="kind")]
"""What an eligibility rule opens; ``kind`` says which."""


class WorkCondition(Model):
    """Years (and months) of work, accumulated over the profile's work periods that are in
    one of ``occupations`` and one of ``sectors`` (each, when given)."""

    years: int = Field(default=0, ge=0, le=60, strict=True)
    months: int = Field(default=0, ge=0, le=720, strict=True)
    occupations: tuple[OccupationRef, ...] = ()
    sectors: tuple[SectorCode, ...] = ()
    after_achievement: StrictBool = Field(
        default=False,
        description="Count only work from the day the condition's achievement was earned "
        "(取得…后，从事相应工作满N年).",
    )

    @model_validator(mode="after")
    def _positive(self) -> WorkCondition:
        if self.years == 0 and self.months == 0:
            raise PydanticCustomError(
                "INVALID_VALUE", "say how long: `years` and/or `months`", {"field": "years"}
            )
        return self


class EducationCondition(Model):
    """The highest education completed is at least ``at_least``."""

    at_least: EducationLevel


class TitleCondition(Model):
    """Holds a professional title of one of ``series`` at ``at_least`` or higher, and has
    held it ``years_since`` (the reverse bridge: a title opens a skill-level assessment)."""

    series: tuple[TitleSeries, ...] = ()
    at_least: TitleLevel
    years_since: Within | None = None


class StatusCondition(Model):
    """Status flags of the profile that must have these values."""

    migrant_worker: StrictBool | None = None
    union_member: StrictBool | None = None

    @model_validator(mode="after")
    def _says_something(self) -> StatusCondition:
        if self.migrant_worker is None and self.union_member is None:
            raise PydanticCustomError(
                "MISSING_FIELD",
                "a status condition needs `migrant_worker` or `union_member`",
                {"field": "migrant_worker"},
            )
        return self


class EligibilityCondition(Model):
    """Everything a route requires; every condition given must hold (at least one given)."""

    achievement: Condition | None = Field(
        default=None, description="An achievement (or combination), as in conversion rules."
    )
    years_since: Within | None = Field(
        default=None,
        description="Time since the achievement was earned (a single-achievement condition).",
    )
    work: WorkCondition | None = None
    education: EducationCondition | None = None
    title: TitleCondition | None = None
    status: StatusCondition | None = None
    regions: tuple[RegionCode, ...] = Field(
        default=(), description="The profile's region begins with one of these codes."
    )

    @model_validator(mode="after")
    def _consistent(self) -> EligibilityCondition:
        given = (self.achievement, self.work, self.education, self.title, self.status)
        if all(part is None for part in given) and not self.regions:
            raise PydanticCustomError(
                "MISSING_FIELD",
                "an eligibility condition needs at least one of `achievement`, `work`, "
                "`education`, `title`, `status` or `regions`",
                {"field": "achievement"},
            )
        # a single-achievement condition is its own one match (combinations hold others)
        matches = self.achievement.matches() if self.achievement is not None else ()
        single = len(matches) == 1 and matches[0] is self.achievement
        if (self.years_since is not None or (self.work and self.work.after_achievement)) and (
            not single
        ):
            raise PydanticCustomError(
                "INVALID_VALUE",
                "`years_since` and `work.after_achievement` count from one achievement: give "
                "`achievement` as a single condition (no all_of / any_of / n)",
                {"field": "years_since" if self.years_since is not None else "work"},
            )
        return self


class EligibilityRule(_Item):
    """A route to an outcome: conditions on achievements and profile, and what they open."""

    item_kind: ClassVar[str] = "eligibility_rule"

    outcome: Outcome
    when: EligibilityCondition
