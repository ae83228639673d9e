"""Qualification frameworks and their levels, ordered by rank.

A level's ``rank`` orders it: a higher rank is a higher level. Never order by the
number in a name — on the 职业技能等级 scale 一级 (高级技师) is the *highest* level.

>>> fw = Framework.model_validate({
...     "id": "skill", "name": "职业技能等级", "example": True,
...     "levels": [{"id": "5", "rank": 1, "name": "五级"}, {"id": "1", "rank": 5, "name": "一级"}]})
>>> fw.level("一级").rank > fw.level("五级").rank
True
>>> fw.at_least("一级", "5")
True
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Literal

from pydantic import Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, check_unique_local_ids
from creditbank.models.values import FrameworkRef, Label, LevelName, LocalId, Model

__all__ = ["Framework", "Level", "LevelPointer"]


class LevelPointer(Model):
    """A level of another framework, for equivalences between scales."""

    framework: FrameworkRef
    level: LevelName


class Level(Model):
    """One level of a framework. ``rank`` orders levels: higher rank, higher level."""

    id: LocalId
    rank: StrictInt
    name: Label
    aliases: tuple[str, ...] = Field(default=(), description="Other names, e.g. 高级技师 for 一级.")
    description: Label | None = None
    same_as: tuple[LevelPointer, ...] = Field(
        default=(), description="Equivalent levels elsewhere."
    )

    def names(self) -> tuple[str, ...]:
        """Every name this level answers to: id, zh and en names, aliases."""
        found = [self.id, self.name.zh, self.name.en, *self.aliases]
        return tuple(dict.fromkeys(n for n in found if n))


class Framework(Item):
    """An ordered scale of levels: 职业技能等级, the 2022 eight-level scale, EQF, 1+X, prizes."""

    item_kind: ClassVar[str] = "framework"

    scale: Literal["skill", "qualification", "certificate", "award", "education", "other"] = "other"
    levels: tuple[Level, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_distinct(self) -> Framework:
        check_unique_local_ids(self.levels, "levels")
        ranks: dict[int, str] = {}
        for index, level in enumerate(self.levels):
            if level.rank in ranks:
                raise PydanticCustomError(
                    "DUPLICATE_RANK",
                    "levels '{a}' and '{b}' share rank {rank}; give each level its own rank "
                    "(higher rank = higher level)",
                    {
                        "a": ranks[level.rank],
                        "b": level.id,
                        "rank": level.rank,
                        "field": ("levels", index, "rank"),
                    },
                )
            ranks[level.rank] = level.id
        owners: dict[str, str] = {}
        for index, level in enumerate(self.levels):
            for name in level.names():
                if owners.setdefault(name, level.id) != level.id:
                    raise PydanticCustomError(
                        "DUPLICATE_LOCAL_ID",
                        "the name '{name}' belongs to both level '{a}' and level '{b}'",
                        {
                            "name": name,
                            "a": owners[name],
                            "b": level.id,
                            "field": ("levels", index),
                        },
                    )
        return self

    @cached_property
    def _by_name(self) -> dict[str, Level]:
        return {name: level for level in self.levels for name in level.names()}

    def level(self, name: str) -> Level | None:
        """The level with this id, name or alias, or None."""
        return self._by_name.get(str(name))

    def ordered(self) -> tuple[Level, ...]:
        """Levels from lowest to highest rank."""
        return tuple(sorted(self.levels, key=lambda level: level.rank))

    def at_least(self, level: str, floor: str) -> bool:
        """Whether ``level`` ranks at or above ``floor`` (both named any way the scale knows)."""
        have, need = self.level(level), self.level(floor)
        if have is None or need is None:
            raise KeyError(level if have is None else floor)
        return have.rank >= need.rank
