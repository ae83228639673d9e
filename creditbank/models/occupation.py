"""Occupations of the national occupational classification (职业分类大典).

Codes are only meaningful with their edition: 6-31-01-10 was 工业机器人系统运维员 in the
2015 edition and is 机电设备维修工 in the 2022 edition. An occupation's id therefore
usually carries the edition (``csco2022:6-31-01-10``), and ``replaced_by`` links an
entry to its successors in a later edition.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, first_repeat
from creditbank.models.values import FrameworkRef, LevelName, OccupationRef

__all__ = ["CODE_PATTERN", "Edition", "Occupation"]

Edition = Literal[1999, 2015, 2022]
CODE_PATTERN = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$", re.ASCII)


class Occupation(Item):
    """An occupation (职业) of one edition of the classification, and the levels it allows."""

    item_kind: ClassVar[str] = "occupation"

    code: str = Field(description="Code in the classification, e.g. 6-31-01-03.")
    edition: Edition = Field(description="Edition of the classification the code belongs to.")
    framework: FrameworkRef | None = Field(
        default=None, description="Skill-level framework its certificates are graded on."
    )
    levels: tuple[LevelName, ...] = Field(
        default=(),
        description="Levels its national standard defines; empty means all of the framework's.",
    )
    digital: bool = Field(default=False, description="Marked S (数字职业) in the classification.")
    green: bool = Field(default=False, description="Marked L (绿色职业) in the classification.")
    work_types: tuple[str, ...] = Field(
        default=(), description="工种 under this occupation, e.g. 数控车工."
    )
    replaced_by: tuple[OccupationRef, ...] = Field(
        default=(), description="Successor occupations in a later edition."
    )

    @field_validator("code", mode="before")
    @classmethod
    def _code_shape(cls, value: Any) -> Any:
        if isinstance(value, str) and not CODE_PATTERN.match(value.strip()):
            raise PydanticCustomError(
                "INVALID_VALUE",
                "occupation code '{code}' must look like 6-31-01-03 (digit-2-2-2)",
                {"code": value},
            )
        return value

    @field_validator("levels")
    @classmethod
    def _levels_need_framework(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeat = first_repeat(value)
        if repeat is not None:
            raise PydanticCustomError(
                "DUPLICATE_LOCAL_ID",
                "level '{level}' is listed twice; remove one",
                {"level": value[repeat], "field": (repeat,)},
            )
        return value
