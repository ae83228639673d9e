"""Targets of progress (目标任务): how many programmes, learners, funded workers … by a date.

A targets file lists :class:`ProgressTarget` s: a ``metric`` (what is counted), the ``value`` to
reach, the ``due`` date, the ``scope`` (national, one region by its GB/T 2260 code — a
code covers every code that begins with it — or one programme) and where the target was
published (``source``) or ``example: true``. ``creditbank report`` measures each target on
a ledger or on batch results and says how far along it is, or that this data cannot measure
it (:mod:`creditbank.progress`).

>>> t = ProgressTarget.model_validate({"id": "t1", "metric": "funded_learners", "value": 3000000,
...     "due": "2030-12-31", "example": True})
>>> t.scope.kind, t.value
('national', Decimal('3000000'))
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, get_args

from pydantic import Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from creditbank.models.common import Source
from creditbank.models.profile import RegionCode
from creditbank.models.values import Id, Label, Model, ProgramRef, StrictDate

__all__ = [
    "METRICS",
    "METRIC_LABELS",
    "Metric",
    "ProgressTarget",
    "TargetScope",
    "TargetsDocument",
]

Metric = Literal[
    "programmes",
    "learners",
    "funded_learners",
    "migrant_funded_learners",
    "completions",
    "credits",
]
"""What a target counts: programmes with at least one learner; learners (accounts);
learners holding a funded place; of them, migrant workers; completions (a learner whose
posted credits reach a programme's total); credits recognised (posted, net of reversals)."""
METRICS: tuple[Metric, ...] = get_args(Metric)

METRIC_LABELS: dict[str, tuple[str, str]] = {
    "programmes": ("项目数", "programmes"),
    "learners": ("学员数", "learners"),
    "funded_learners": ("资助人数", "funded learners"),
    "migrant_funded_learners": ("其中农民工", "of them migrant workers"),
    "completions": ("完成人数", "completions"),
    "credits": ("认定学分", "credits recognised"),
}
assert set(METRIC_LABELS) == set(METRICS)


class TargetScope(Model):
    """Where a target applies: the whole country, a region (code prefix) or one programme."""

    kind: Literal["national", "region", "programme"] = "national"
    region: RegionCode | None = None
    program: ProgramRef | None = None

    @model_validator(mode="after")
    def _one_place(self) -> TargetScope:
        wants = {"national": (), "region": ("region",), "programme": ("program",)}[self.kind]
        given = tuple(f for f in ("region", "program") if getattr(self, f) is not None)
        if given != wants:
            raise PydanticCustomError(
                "INVALID_VALUE",
                "a {kind} scope gives {wants}",
                {"kind": self.kind, "wants": " and ".join(wants) or "neither region nor program"},
            )
        return self


class ProgressTarget(Model):
    """One target: ``metric`` reaches ``value`` by ``due`` within ``scope``."""

    id: Id
    name: Label | None = None
    metric: Metric
    value: Decimal = Field(
        gt=0, lt=Decimal("1e15"), description="The figure to reach (at least; below 10^15)."
    )
    due: StrictDate
    scope: TargetScope = Field(default_factory=TargetScope)
    source: Source | None = None
    example: StrictBool = Field(default=False, description="True when the target is invented.")

    @model_validator(mode="after")
    def _sourced(self) -> ProgressTarget:
        if not self.example and (self.source is None or self.source.evidence == "unverified"):
            raise PydanticCustomError(
                "MISSING_SOURCE",
                "target '{id}' cites no verified source; add `source:` (document, issuer, "
                "year) or mark it `example: true`",
                {"id": self.id},
            )
        if self.metric != "credits" and self.value != self.value.to_integral_value():
            raise PydanticCustomError(
                "INVALID_VALUE", "a count is a whole number; only credits have decimals"
            )
        return self


class TargetsDocument(Model):
    """A targets file. ``source`` and ``example`` at its top apply to every target that
    gives none of its own."""

    kind: Literal["targets"]
    version: Literal[1] = 1
    source: Source | None = Field(default=None, description="Default source of every target.")
    example: StrictBool = Field(default=False, description="Every target is illustrative.")
    targets: tuple[ProgressTarget, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _file_defaults(cls, data: object) -> object:
        if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
            return data
        head = {k: data[k] for k in ("source", "example") if k in data}
        if not head:
            return data
        targets = [{**head, **item} if isinstance(item, dict) else item for item in data["targets"]]
        return {**data, "targets": targets}

    @model_validator(mode="after")
    def _unique_ids(self) -> TargetsDocument:
        seen: set[str] = set()
        for target in self.targets:
            if target.id in seen:
                raise PydanticCustomError(
                    "DUPLICATE_ID", "two targets have the id '{id}'", {"id": target.id}
                )
            seen.add(target.id)
        return self
