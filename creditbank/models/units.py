"""Learning-outcome definitions (学习成果 / 认证单元): what an achievement can be *of*.

Six kinds share the fields of :class:`UnitBase` and are told apart by ``kind``:

========================  ======================================================
``course``                a course of a programme (credits, hours, course type)
``skill_certificate``     a 职业技能等级证书 / 职业资格证书 of an occupation at a level
``x_certificate``         a 1+X 职业技能等级证书 (初级 / 中级 / 高级)
``training``              non-degree training: hours, assessed or not, online or not
``award``                 a competition award: tier (national …) x prize
``other``                 anything else that can be recognised
========================  ======================================================
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, first_repeat
from creditbank.models.values import (
    NUMBER_SCHEMA,
    CourseRef,
    Credits,
    CreditValue,
    FrameworkRef,
    Hours,
    IssuerRef,
    LevelName,
    Model,
    OccupationRef,
    ShortForm,
)

__all__ = [
    "AwardTier",
    "AwardUnit",
    "CourseType",
    "CourseUnit",
    "LevelCredits",
    "LevelCreditsTable",
    "OtherUnit",
    "Scope",
    "SkillCertificateUnit",
    "TrainingUnit",
    "Unit",
    "UnitBase",
    "UnitKind",
    "XCertificateUnit",
]

UnitKind = Literal["course", "skill_certificate", "x_certificate", "training", "award", "other"]
CourseType = Literal[
    "public_basic",  # 公共基础课
    "professional_foundation",  # 专业基础课
    "professional_core",  # 专业核心课
    "professional_extension",  # 专业拓展课
    "practice",  # 实践 / 实习
    "elective",  # 选修课
    "other",
]
Scope = Literal["national", "provincial", "industry", "enterprise", "international"]
AwardTier = Literal["international", "national", "provincial", "municipal", "industry", "school"]


class LevelCredits(Model):
    """Credits for one level (``level`` omitted for units without levels)."""

    level: LevelName | None = None
    credits: Credits


def _level_credits_from_mapping(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple({"level": key, "credits": amount} for key, amount in value.items())
    return value


LevelCreditsTable = Annotated[
    tuple[LevelCredits, ...],
    BeforeValidator(_level_credits_from_mapping),
    ShortForm({"type": "object", "additionalProperties": NUMBER_SCHEMA}),
]
"""Credits per level: a list of ``{level, credits}`` or a mapping ``{初级: 4, 中级: 6}``."""


class UnitBase(Item):
    """Fields every unit has."""

    item_kind: ClassVar[str] = "unit"

    kind: UnitKind
    family: str | None = Field(
        default=None,
        description="Units of one family are 'the same or similar' (counted once, highest only).",
    )
    tags: tuple[str, ...] = ()
    credits: CreditValue | None = Field(default=None, description="What the unit itself is worth.")
    hours: Hours | None = Field(default=None, description="Study hours (学时).")
    framework: FrameworkRef | None = Field(default=None, description="Scale its levels are on.")
    levels: tuple[LevelName, ...] = Field(
        default=(), description="Levels it can be achieved at; empty means all of the framework's."
    )
    recognised_credits: LevelCreditsTable = Field(
        default=(),
        description="Credits the credit bank recognised for it, per level: the ceiling of rule R3.",
    )

    @model_validator(mode="after")
    def _levels_need_a_framework(self) -> UnitBase:
        repeat = first_repeat(self.levels)
        if repeat is not None:
            raise PydanticCustomError(
                "DUPLICATE_LOCAL_ID",
                "level '{level}' is listed twice in `levels`; remove one",
                {"level": self.levels[repeat], "field": ("levels", repeat)},
            )
        if self.levels and self.framework is None and not isinstance(self, SkillCertificateUnit):
            raise PydanticCustomError(
                "MISSING_FIELD",
                "`levels` needs `framework`: say which scale the levels are on",
                {"field": "levels"},
            )
        return self

    def recognised_for(self, level: str | None) -> Credits | None:
        """The credits the bank recognised at a level (or for the unit as a whole)."""
        for entry in self.recognised_credits:
            if entry.level is None or entry.level == level:
                return entry.credits
        return None


class CourseUnit(UnitBase):
    """A course (课程) that a programme teaches and a rule may exempt."""

    kind: Literal["course"] = "course"
    code: str | None = Field(default=None, description="The school's course code.")
    credits: CreditValue
    course_type: CourseType = "other"
    online: StrictBool = False
    school: IssuerRef | None = None
    prerequisites: tuple[CourseRef, ...] = ()


class SkillCertificateUnit(UnitBase):
    """A certificate of an occupation at a level: 职业技能等级证书 or (earlier) 职业资格证书."""

    kind: Literal["skill_certificate"] = "skill_certificate"
    occupation: OccupationRef
    certificate_type: Literal["skill_level", "vocational_qualification"] = "skill_level"
    scope: Scope = "national"
    validity_years: StrictInt | None = Field(default=None, ge=1)


class XCertificateUnit(UnitBase):
    """A 1+X vocational skill level certificate, awarded by a training-evaluation organisation."""

    kind: Literal["x_certificate"] = "x_certificate"
    code: str | None = None
    awarding_body: IssuerRef | None = Field(default=None, description="培训评价组织.")
    occupations: tuple[OccupationRef, ...] = ()
    scope: Scope = "national"
    validity_years: StrictInt | None = Field(default=None, ge=1)


class TrainingUnit(UnitBase):
    """Non-degree training (非学历培训): counted in hours; assessed or not; online or not."""

    kind: Literal["training"] = "training"
    hours: Hours
    assessed: StrictBool = False
    online: StrictBool = False
    provider: IssuerRef | None = None


class AwardUnit(UnitBase):
    """A competition: its tier; the prize is the achievement's level on the framework."""

    kind: Literal["award"] = "award"
    tier: AwardTier
    team: StrictBool | None = None
    organiser: IssuerRef | None = None
    occupations: tuple[OccupationRef, ...] = ()


class OtherUnit(UnitBase):
    """Any other recognisable outcome."""

    kind: Literal["other"] = "other"
    scope: Scope | None = None


Unit = Annotated[
    CourseUnit | SkillCertificateUnit | XCertificateUnit | TrainingUnit | AwardUnit | OtherUnit,
    Field(discriminator="kind"),
]
"""Any unit; ``kind`` says which."""
