"""A learner's achievements (学习档案): what they actually earned, with evidence.

>>> p = Portfolio.model_validate({"learner": "w-001", "achievements": [
...     {"id": "a1", "unit": "cert-electrician", "level": "三级", "earned_on": "2023-06-30"}]})
>>> p.achievements[0].earned_on.isoformat()
'2023-06-30'
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, model_validator

from creditbank.models.common import check_unique_local_ids, date_range_error
from creditbank.models.values import (
    Amount,
    CreditValue,
    GradeScaleRef,
    Hours,
    IssuerRef,
    LevelName,
    LocalId,
    Model,
    StrictDate,
    UnitRef,
)

__all__ = ["Achievement", "Portfolio"]


class Achievement(Model):
    """One outcome a learner earned: which unit, at which level, when, from whom, how well."""

    id: LocalId = Field(description="Unique within the portfolio.")
    unit: UnitRef
    level: LevelName | None = Field(
        default=None, description="Level or prize, on the unit's framework."
    )
    earned_on: StrictDate
    expires_on: StrictDate | None = None
    issuer: IssuerRef | None = None
    score: Amount | None = Field(
        default=None, description="A numeric result (percent unless `scale`)."
    )
    grade: LevelName | None = Field(default=None, description="A named result, e.g. 良好 or B+.")
    scale: GradeScaleRef | None = Field(default=None, description="Scale of `grade` or `score`.")
    hours: Hours | None = None
    credits: CreditValue | None = Field(
        default=None, description="Credits it carries, as recorded."
    )
    online: StrictBool | None = None
    assessed: StrictBool | None = None
    certificate_number: str | None = None
    evidence: str | None = Field(
        default=None, description="Where the evidence is: a URL or a file id."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Achievement:
        date_range_error(self.earned_on, self.expires_on, "earned_on", "expires_on")
        return self


class Portfolio(Model):
    """A learner's achievements. ``learner`` is an opaque id, never a personal identifier."""

    learner: str = Field(min_length=1, max_length=128)
    description: str | None = None
    example: StrictBool = False
    achievements: tuple[Achievement, ...] = ()
    verification: dict[LocalId, Literal["verified", "unverified"]] = Field(
        default_factory=dict,
        description="For achievements imported from credentials (creditbank import badge "
        "writes it): achievement id -> whether its credential was verified. "
        "`creditbank ledger deposit` deposits an achievement as this says.",
    )

    @model_validator(mode="after")
    def _ids_distinct(self) -> Portfolio:
        check_unique_local_ids(self.achievements, "achievements")
        unknown = sorted(set(self.verification) - {a.id for a in self.achievements})
        if unknown:
            raise ValueError(
                f"verification names achievements the portfolio does not hold: {', '.join(unknown)}"
            )
        return self
