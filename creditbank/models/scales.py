"""Grade scales (优秀/良好/合格, letters, percent) and period sets (years, terms).

A scale may declare how its results convert to another scale (``convert``: a table of
ranges or grades to grades of the other scale, as the ECTS grading tables do); results then
compare through the table instead of by percent:

>>> fr = GradeScale.model_validate({"id": "fr-20", "name": "0–20", "kind": "numeric",
...     "minimum": 0, "maximum": 20, "convert": [{"scale": "letter-af", "table": [
...         {"at_least": 16, "to": "A"}, {"at_least": 10, "to": "C"}, {"to": "F"}]}]})
>>> fr.converted("letter-af", score=Decimal(12), grade=None)
'C'
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any, ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt, field_validator, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, check_unique_local_ids, date_range_error, first_repeat
from creditbank.models.values import (
    Amount,
    GradeScaleRef,
    Label,
    LevelName,
    LocalId,
    Model,
    StrictDate,
)

__all__ = ["Grade", "GradeConversion", "GradeRow", "GradeScale", "Period", "PeriodSet"]


class Grade(Model):
    """One grade of an ordinal scale; ``rank`` orders grades (higher is better)."""

    id: LocalId
    rank: StrictInt
    name: Label | None = None
    aliases: tuple[str, ...] = ()
    min_percent: Amount | None = Field(
        default=None, le=100, description="Lowest percent score this grade stands for."
    )
    passing: StrictBool = True

    def names(self) -> tuple[str, ...]:
        named = (self.name.zh, self.name.en) if self.name else ()
        found = [self.id, *named, *self.aliases]
        return tuple(dict.fromkeys(n for n in found if n))


class GradeRow(Model):
    """One row of a conversion table: a score range (inclusive ends, either may be left
    open) or a grade of this scale, and the result it stands for on the other scale."""

    at_least: Amount | None = None
    at_most: Amount | None = None
    grade: LevelName | None = Field(default=None, description="A grade of this scale.")
    to: LevelName | Amount = Field(description="A grade (or score) of the other scale.")

    @field_validator("to", mode="before")
    @classmethod
    def _number_first(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return value

    @model_validator(mode="after")
    def _range_or_grade(self) -> GradeRow:
        if self.grade is not None and (self.at_least is not None or self.at_most is not None):
            raise PydanticCustomError(
                "INVALID_VALUE",
                "a row converts a `grade` or a score range (`at_least`/`at_most`), not both",
                {"field": "grade"},
            )
        if self.at_least is not None and self.at_most is not None and self.at_most < self.at_least:
            raise PydanticCustomError(
                "INVALID_VALUE",
                "at_most {mx} is below at_least {mn}",
                {"mx": str(self.at_most), "mn": str(self.at_least), "field": "at_most"},
            )
        return self

    def holds(self, score: Decimal | None, grade: str | None, scale: GradeScale) -> bool:
        """Whether a result (a score, or a grade of ``scale``) falls in this row."""
        if self.grade is not None:
            if grade is None:
                return False
            mine, theirs = scale.grade(self.grade), scale.grade(grade)
            return mine is not None and mine is theirs
        if score is None:
            return False
        above = self.at_least is None or score >= self.at_least
        below = self.at_most is None or score <= self.at_most
        return above and below


class GradeConversion(Model):
    """How results of this scale convert to ``scale``: the first row that holds decides."""

    scale: GradeScaleRef = Field(description="The scale converted to.")
    table: tuple[GradeRow, ...] = Field(min_length=1)


class GradeScale(Item):
    """An ordinal scale of named grades, or a numeric score range."""

    item_kind: ClassVar[str] = "grade_scale"

    kind: Literal["ordinal", "numeric"]
    grades: tuple[Grade, ...] = ()
    minimum: Amount | None = None
    maximum: Amount | None = None
    pass_mark: Amount | None = None
    lower_is_better: StrictBool = Field(
        default=False, description="A numeric scale where 1.0 beats 4.0 (German grades)."
    )
    convert: tuple[GradeConversion, ...] = Field(
        default=(), description="Tables converting results of this scale to other scales."
    )

    @model_validator(mode="after")
    def _shape(self) -> GradeScale:
        repeat = first_repeat(c.scale for c in self.convert)
        if repeat is not None:
            raise PydanticCustomError(
                "INVALID_VALUE",
                "two tables convert to scale '{scale}'; keep one",
                {"scale": str(self.convert[repeat].scale), "field": ("convert", repeat)},
            )
        if self.kind == "ordinal":
            if self.lower_is_better:
                raise PydanticCustomError(
                    "INVALID_VALUE",
                    "`lower_is_better` is for numeric scales; order grades by `rank`",
                    {"field": "lower_is_better"},
                )
            if not self.grades:
                raise PydanticCustomError(
                    "MISSING_FIELD", "an ordinal scale needs `grades`", {"field": "grades"}
                )
            check_unique_local_ids(self.grades, "grades")
            repeat = first_repeat(g.rank for g in self.grades)
            if repeat is not None:
                raise PydanticCustomError(
                    "DUPLICATE_RANK",
                    "two grades share rank {rank}; give each grade its own rank",
                    {"rank": self.grades[repeat].rank, "field": ("grades", repeat, "rank")},
                )
        else:
            if self.grades:
                raise PydanticCustomError(
                    "INVALID_VALUE", "a numeric scale has no `grades`", {"field": "grades"}
                )
            if self.minimum is None or self.maximum is None or self.maximum <= self.minimum:
                raise PydanticCustomError(
                    "INVALID_VALUE",
                    "a numeric scale needs `minimum` below `maximum`",
                    {"field": "maximum"},
                )
            if self.pass_mark is not None and not self.minimum <= self.pass_mark <= self.maximum:
                raise PydanticCustomError(
                    "INVALID_VALUE", "pass_mark is outside minimum..maximum", {"field": "pass_mark"}
                )
        return self

    def grade(self, name: str) -> Grade | None:
        """The grade with this id, name or alias, or None."""
        return next((g for g in self.grades if str(name) in g.names()), None)

    def converted(
        self, scale: str, *, score: Decimal | None, grade: str | None
    ) -> str | Decimal | None:
        """A result of this scale on ``scale`` by the declared table; None when no table
        converts to it or no row holds."""
        for conversion in self.convert:
            if conversion.scale == scale:
                row = next((r for r in conversion.table if r.holds(score, grade, self)), None)
                return None if row is None else row.to
        return None

    def better(self, a: Decimal, b: Decimal) -> bool:
        """Whether score ``a`` is at least as good as ``b`` on this (numeric) scale."""
        return a <= b if self.lower_is_better else a >= b


class Period(Model):
    """A named span of days, both ends inclusive."""

    id: LocalId
    name: Label | None = None
    start: StrictDate
    end: StrictDate

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        date_range_error(self.start, self.end, "start", "end")
        return self


class PeriodSet(Item):
    """Non-overlapping periods (academic years, terms) that per-period caps count within."""

    item_kind: ClassVar[str] = "period_set"

    periods: tuple[Period, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> PeriodSet:
        check_unique_local_ids(self.periods, "periods")
        ordered = sorted(self.periods, key=lambda p: p.start)
        for before, after in pairwise(ordered):
            if after.start <= before.end:
                raise PydanticCustomError(
                    "INVALID_VALUE",
                    "periods '{a}' and '{b}' overlap; start '{b}' after '{a}' ends",
                    {
                        "a": before.id,
                        "b": after.id,
                        "field": ("periods", self.periods.index(after), "start"),
                    },
                )
        return self
