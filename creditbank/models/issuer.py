"""Issuers: who may issue which units (employers, evaluation organisations, schools, …)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Item, date_range_error
from creditbank.models.units import UnitKind
from creditbank.models.values import LevelName, Model, OccupationRef, StrictDate, UnitRef

__all__ = ["Authorisation", "Issuer", "IssuerKind"]

IssuerKind = Literal[
    "government",  # 人社部门 and other authorities
    "school",  # a school; its programmes and reviewers
    "employer",  # 用人单位 accredited for skill-level assessment
    "evaluation_organisation",  # 社会培训评价组织 (also 1+X 培训评价组织)
    "training_provider",
    "competition_organiser",
    "credit_bank",
    "other",
]


class Authorisation(Model):
    """Which units an issuer may issue: named units, or every unit of some kinds or occupations.

    ``levels`` limits the grant to those levels (empty: any level).
    """

    units: tuple[UnitRef, ...] = ()
    unit_kinds: tuple[UnitKind, ...] = ()
    occupations: tuple[OccupationRef, ...] = ()
    levels: tuple[LevelName, ...] = ()
    effective_from: StrictDate | None = None
    effective_until: StrictDate | None = None

    @model_validator(mode="after")
    def _names_something(self) -> Authorisation:
        date_range_error(
            self.effective_from, self.effective_until, "effective_from", "effective_until"
        )
        if not (self.units or self.unit_kinds or self.occupations):
            raise PydanticCustomError(
                "MISSING_FIELD",
                "an authorisation must name `units`, `unit_kinds` or `occupations`",
                {"field": "units"},
            )
        return self


class Issuer(Item):
    """An organisation that issues achievements, runs programmes or keeps the bank."""

    item_kind: ClassVar[str] = "issuer"

    kind: IssuerKind
    region: str | None = Field(default=None, description="Province or city, e.g. 广东省.")
    authorised: tuple[Authorisation, ...] = Field(
        default=(), description="What it may issue; empty means nothing is authorised."
    )
