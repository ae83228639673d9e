"""Degree programmes (学历项目 / 专业) and their requirement groups."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, check_unique_local_ids, first_repeat
from creditbank.models.units import CourseType
from creditbank.models.values import (
    CourseRef,
    Credits,
    CreditUnit,
    CreditValue,
    Factor,
    Hours,
    IssuerRef,
    Label,
    LocalId,
    Model,
    PeriodSetRef,
    PositiveAmount,
    share_of,
)

__all__ = [
    "MAX_OVERFLOW_SOURCES",
    "EducationLevel",
    "Guideline",
    "Program",
    "Requirement",
    "RequirementKind",
    "TieBreak",
]

EducationLevel = Literal[
    "secondary_vocational",  # 中职
    "higher_vocational",  # 高职专科
    "vocational_bachelor",  # 职业本科
    "bachelor",
    "master",
    "other",
]
RequirementKind = Literal["required_courses", "category", "elective_pool"]
TieBreak = Literal["earliest_earned", "latest_earned"]
"""Which of several achievements that could fill a course equally well fills it: the one
earned first (``earliest_earned``, the default) or last (``latest_earned``); achievements
earned on the same day then go by the canonical order (rule id, achievement id)."""
Guideline = Literal["moe-2019-13"]
"""``moe-2019-13``: 教职成〔2019〕13号 — total hours, 16–18 hours per credit, public basic
>= 1/4 of hours, electives >= 10 % of hours; the loader checks a programme that declares it."""


MAX_OVERFLOW_SOURCES = 8
"""At most this many requirements may send their surplus to one requirement (the allocator
checks every combination of them: 2**8 budgets)."""


class Requirement(Model):
    """A requirement group: required courses, a category with a minimum, or an elective pool."""

    id: LocalId
    name: Label
    kind: RequirementKind
    courses: tuple[CourseRef, ...] = Field(default=(), description="Courses that count here.")
    course_types: tuple[CourseType, ...] = Field(
        default=(), description="Any course of these types counts here (categories)."
    )
    min_credits: Credits | None = None
    max_credits: Credits | None = None
    overflow: LocalId | None = Field(
        default=None,
        description="Where credit of a whole award beyond what the requirement needs goes: "
        "another requirement's id, `total` (counted toward the programme total only) or "
        "`none` (an award must fit). Default: the programme's `overflow`, else `total` for a "
        "category or pool without `max_credits`, else `none`.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Requirement:
        repeat = first_repeat(self.courses)
        if repeat is not None:
            raise PydanticCustomError(
                "DUPLICATE_LOCAL_ID",
                "course '{course}' is listed twice; remove one",
                {"course": str(self.courses[repeat]), "field": ("courses", repeat)},
            )
        if self.kind == "required_courses" and not self.courses:
            raise PydanticCustomError(
                "MISSING_FIELD", "required courses need `courses`", {"field": "courses"}
            )
        if self.kind != "required_courses" and self.min_credits is None:
            raise PydanticCustomError(
                "MISSING_FIELD",
                "a requirement of kind {kind} needs `min_credits`",
                {"kind": self.kind, "field": "min_credits"},
            )
        if (
            self.min_credits is not None
            and self.max_credits is not None
            and self.max_credits < self.min_credits
        ):
            raise PydanticCustomError(
                "INVALID_VALUE",
                "max_credits {mx} is below min_credits {mn}",
                {"mx": str(self.max_credits), "mn": str(self.min_credits), "field": "max_credits"},
            )
        return self


class Program(Item):
    """A degree programme of one school, with the requirements a graduate must meet."""

    item_kind: ClassVar[str] = "program"

    code: str | None = Field(default=None, description="Catalogue code, e.g. 460301.")
    school: IssuerRef | None = None
    education_level: EducationLevel
    duration_years: StrictInt | None = Field(default=None, ge=1, le=8)
    credit_unit: Literal["credit", "ects", "semester_hour", "quarter_hour", "uk_credit"] = "credit"
    unit_factors: dict[CreditUnit, Factor] = Field(
        default_factory=dict,
        description="What one credit of another unit is worth in this programme's "
        "credit_unit, exactly: {semester_hour: 3/2} in a quarter-hour programme, "
        "{ects: 2} in a UK-credit one, {hour: 1/16} for 16 学时 = 1 学分.",
    )
    total_credits: Credits
    total_hours: Hours | None = None
    hours_per_credit: PositiveAmount | None = None
    guideline: Guideline | None = Field(
        default=None, description="A structure guideline the loader checks the programme against."
    )
    periods: PeriodSetRef | None = Field(
        default=None, description="Terms or years for per-period caps."
    )
    overflow: LocalId | None = Field(
        default=None,
        description="Where the surplus of a requirement that names no `overflow` goes "
        "(a requirement id, `total` or `none`).",
    )
    requirements: tuple[Requirement, ...] = Field(min_length=1)
    tie_break: TieBreak = Field(
        default="earliest_earned",
        description="Which achievement wins when several could fill the same course equally "
        "well: `earliest_earned` (the default) or `latest_earned`; then the canonical order.",
    )

    @model_validator(mode="after")
    def _requirements_distinct(self) -> Program:
        check_unique_local_ids(self.requirements, "requirements")
        self._check_overflow()
        if self.guideline is not None and (
            self.total_hours is None or self.hours_per_credit is None
        ):
            raise PydanticCustomError(
                "MISSING_FIELD",
                "guideline {g} needs `total_hours` and `hours_per_credit`",
                {"g": self.guideline, "field": "total_hours"},
            )
        return self

    def in_credit_unit(self, value: CreditValue) -> Decimal | None:
        """``value`` in this programme's credit unit: as it is when already in it, else by
        the declared exact factor, rounded down to hundredths once at the end; None when no
        factor is declared for its unit.

        >>> p = Program.model_validate({"id": "p", "name": "p", "example": True,
        ...     "education_level": "bachelor", "total_credits": 180, "credit_unit": "quarter_hour",
        ...     "unit_factors": {"semester_hour": "3/2"},
        ...     "requirements": [
        ...         {"id": "e", "name": "e", "kind": "elective_pool", "min_credits": 9}]})
        >>> p.in_credit_unit(CreditValue.model_validate("3 semester_hours"))
        Decimal('4.5')
        >>> p.in_credit_unit(CreditValue.model_validate("5 ECTS")) is None
        True
        """
        if value.unit == self.credit_unit:
            return value.amount
        factor = self.unit_factors.get(value.unit)
        return None if factor is None else share_of(value.amount, factor)

    def _check_overflow(self) -> None:
        ids = {r.id for r in self.requirements}
        if self.overflow is not None and self.overflow not in ids | {"none", "total"}:
            raise PydanticCustomError(
                "UNKNOWN_REQUIREMENT",
                "overflow '{o}' is no requirement of the programme; name one of {ids}, "
                "`total` or `none`",
                {"o": self.overflow, "ids": ", ".join(sorted(ids)), "field": "overflow"},
            )
        sources: dict[str, int] = {}
        for position, requirement in enumerate(self.requirements):
            target = self.overflow_of(requirement.id)
            if target in ("none", "total"):
                continue
            field = ("requirements", position, "overflow")
            if target not in ids:
                raise PydanticCustomError(
                    "UNKNOWN_REQUIREMENT",
                    "overflow '{o}' is no requirement of the programme; name one of {ids}, "
                    "`total` or `none`",
                    {"o": target, "ids": ", ".join(sorted(ids)), "field": field},
                )
            onward = self.overflow_of(target)
            if onward not in ("none", "total"):
                raise PydanticCustomError(
                    "INVALID_VALUE",
                    "requirement '{r}' overflows into '{t}', which overflows into '{o}': "
                    "surplus moves one step; let '{t}' overflow into `total` or `none`",
                    {"r": requirement.id, "t": target, "o": onward, "field": field},
                )
            sources[target] = sources.get(target, 0) + 1
            if sources[target] > MAX_OVERFLOW_SOURCES:
                raise PydanticCustomError(
                    "INVALID_VALUE",
                    "more than {n} requirements overflow into '{t}'",
                    {"n": MAX_OVERFLOW_SOURCES, "t": target, "field": field},
                )

    def overflow_of(self, requirement_id: str) -> str:
        """Where the surplus of a requirement goes: a requirement id, ``total`` or ``none``.

        Its own ``overflow``, else the programme's (unless that names the requirement
        itself), else ``total`` for a category or pool without ``max_credits`` (a minimum
        is not a maximum) and ``none`` for required courses or a stated maximum.
        """
        requirement = self.requirement(requirement_id)
        if requirement is None:
            return "none"
        if requirement.overflow is not None:
            return str(requirement.overflow)
        if self.overflow is not None and self.overflow != requirement_id:
            return str(self.overflow)
        if requirement.kind != "required_courses" and requirement.max_credits is None:
            return "total"
        return "none"

    def requirement(self, requirement_id: str) -> Requirement | None:
        """The requirement with this id, or None."""
        return next((r for r in self.requirements if r.id == requirement_id), None)

    def course_ids(self) -> tuple[str, ...]:
        """Every course named by any requirement, in order, once."""
        return tuple(dict.fromkeys(c for r in self.requirements for c in r.courses))
