"""Caps: limits that hold across rules at once (学分上限, 只认最高级, 不重复认定).

A cap selects which converted credit it ``counts`` (by rule, unit kind, tag, requirement,
…), groups it ``per`` programme, achievement, course, rule, requirement, family, unit or
period, and sets exactly one limit:

* ``max_credits`` — at most so many credits in each group (R2: 8 per achievement);
* ``max_share`` — at most a share of the programme's total credits (≤ 50 %, online ≤ 25 %),
  or with ``share_of: source`` and ``per: achievement`` a share of each source
  qualification's own credits (at most half of each transcript transfers);
* ``max_count`` — at most so many achievements in each group (R1: one per course);
* ``highest_only`` — within each group one achievement converts, on the highest level:
  ``true`` unless a lower level recognises more credit (a better certificate never costs
  the learner credit), ``strict`` whatever a lower one would give;
* ``within_recognised`` — never more than the credit bank recognised for the unit (R3).

A cap is ``statutory`` (the default: a law, a national or provincial document; it always
binds) or ``institutional`` (the school's own policy): an agreement's guaranteed credits
(:class:`~creditbank.models.rule.Guarantee`) do not count toward institutional caps, so
those cannot cut into the floor; statutory caps count them.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item
from creditbank.models.units import AwardTier, CourseType, Scope, UnitKind
from creditbank.models.values import (
    Credits,
    IssuerRef,
    LocalId,
    Model,
    PeriodSetRef,
    ProgramRef,
    RuleRef,
    Share,
    UnitRef,
)

__all__ = ["Cap", "CapGroup", "CapSelector"]

CapGroup = Literal[
    "program", "achievement", "course", "rule", "requirement", "family", "unit", "period"
]


class CapSelector(Model):
    """Which converted credit a cap counts; every given filter must hold (empty: all of it)."""

    rules: tuple[RuleRef, ...] = ()
    units: tuple[UnitRef, ...] = ()
    unit_kinds: tuple[UnitKind, ...] = ()
    tags: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    scopes: tuple[Scope, ...] = ()
    tiers: tuple[AwardTier, ...] = ()
    online: StrictBool | None = None
    requirements: tuple[LocalId, ...] = ()
    course_types: tuple[CourseType, ...] = ()


class Cap(Item):
    """A limit on converted credit, for some programmes (or all programmes of a school)."""

    item_kind: ClassVar[str] = "cap"

    programs: tuple[ProgramRef, ...] = Field(default=(), description="Empty: every programme.")
    school: IssuerRef | None = Field(default=None, description="Only programmes of this school.")
    # model_construct, not CapSelector(): an instance made here would build the validators of
    # CapSelector (and what it holds) at import, which `defer_build` leaves to first use.
    counts: CapSelector = CapSelector.model_construct()
    per: CapGroup = "program"
    period_set: Literal["calendar_year"] | PeriodSetRef | None = Field(
        default=None,
        description="For `per: period`: a period set, or calendar years; "
        "omitted: the programme's `periods`.",
    )
    max_credits: Credits | None = None
    max_share: Share | None = Field(default=None, description="Of the programme's total credits.")
    share_of: Literal["program", "source"] = Field(
        default="program",
        description="`max_share` of the programme's total, or of each source achievement's "
        "own credits (with `per: achievement`).",
    )
    max_count: StrictInt | None = Field(default=None, ge=0)
    highest_only: StrictBool | Literal["strict"] = Field(
        default=False,
        description="One achievement per group, on its highest level: `true` unless a lower "
        "level recognises more credit; `strict` whatever a lower one would give.",
    )
    within_recognised: StrictBool = False
    authority: Literal["statutory", "institutional"] = Field(
        default="statutory",
        description="`institutional` caps give way to an agreement's guaranteed minimum; "
        "`statutory` ones (the default) always bind.",
    )

    @model_validator(mode="after")
    def _one_limit(self) -> Cap:
        limits = [
            self.max_credits is not None,
            self.max_share is not None,
            self.max_count is not None,
            self.highest_only is not False,
            self.within_recognised,
        ]
        if sum(limits) != 1:
            raise PydanticCustomError(
                "INVALID_VALUE",
                "a cap sets exactly one of `max_credits`, `max_share`, `max_count`, "
                "`highest_only: true` (or `strict`) or `within_recognised: true`",
                {"field": "max_credits"},
            )
        if self.per != "period" and self.period_set is not None:
            raise PydanticCustomError(
                "INVALID_VALUE",
                "`period_set` is for `per: period` (omitted there: the programme's `periods`)",
                {"field": "period_set"},
            )
        if self.share_of == "source" and (self.max_share is None or self.per != "achievement"):
            raise PydanticCustomError(
                "INVALID_VALUE",
                "`share_of: source` is a `max_share` of each source achievement's credits: "
                "use it with `max_share` and `per: achievement`",
                {"field": "share_of"},
            )
        if self.max_share is not None and self.share_of == "program" and self.per != "program":
            raise PydanticCustomError(
                "INVALID_VALUE",
                "`max_share` is a share of the programme total: use `per: program`",
                {"field": "per"},
            )
        return self
