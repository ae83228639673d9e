"""Grade scales (优秀/良好/合格, letters, percent) and period sets (years, terms)."""

from __future__ import annotations

from itertools import pairwise
from typing import ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, check_unique_local_ids, date_range_error, first_repeat
from creditbank.models.values import Amount, Label, LocalId, Model, StrictDate

__all__ = ["Grade", "GradeScale", "Period", "PeriodSet"]


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


class GradeScale(Item):
    """An ordinal scale of named grades, or a numeric score range."""

    item_kind: ClassVar[str] = "grade_scale"

    kind: Literal["ordinal", "numeric"]
    grades: tuple[Grade, ...] = ()
    minimum: Amount | None = None
    maximum: Amount | None = None
    pass_mark: Amount | None = None

    @model_validator(mode="after")
    def _shape(self) -> GradeScale:
        if self.kind == "ordinal":
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
