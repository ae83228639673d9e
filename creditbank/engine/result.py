"""The result of an evaluation: immutable, JSON-serialisable, with a versioned schema.

Its shape mirrors the rules: every achievement gets a :class:`Decision` (what it was
used for, or why not), every requirement a :class:`RequirementProgress` (credits
satisfied and the gap), and :class:`Totals` sum it up. ``schema`` names the version of
this shape; :func:`evaluation_json_schema` gives its JSON Schema.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from creditbank.engine.reasons import ReasonCode

__all__ = [
    "EVALUATION_SCHEMA",
    "Decision",
    "Evaluation",
    "RequirementProgress",
    "RuleOutcome",
    "Totals",
    "Use",
    "evaluation_json_schema",
]

EVALUATION_SCHEMA = "creditbank.evaluation/1"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Use(_Frozen):
    """One way an achievement was used: under a rule, into a course or requirement, for credits."""

    rule: str
    achievements: tuple[str, ...] = Field(
        description="All achievements of this use (combinations)."
    )
    requirement: str
    course: str | None = Field(default=None, description="The exempted or partly credited course.")
    kind: Literal["exemption", "credits", "partial"]
    credits: Decimal
    recorded_grade: str | None = Field(
        default=None,
        description="How an exempted course is recorded (e.g. 60, 合格, pass; `exempt`: no "
        "grade, outside any grade average).",
    )
    overflow: str | None = Field(
        default=None,
        description="Where the part the requirement did not need went: another "
        "requirement, or `total` (counted toward the programme total only).",
    )
    overflow_credits: Decimal | None = Field(
        default=None,
        description="How much of `credits` went to `overflow` (the rest to `requirement`).",
    )


class RuleOutcome(_Frozen):
    """How one rule judged one achievement."""

    rule: str
    outcome: Literal["used", "eligible", "failed"]
    reason: ReasonCode | None = None
    detail: dict[str, str] = Field(default_factory=dict)


class Decision(_Frozen):
    """What happened to one achievement."""

    achievement: str
    unit: str
    level: str | None = None
    recognised: bool
    credits: Decimal = Field(description="Credits recognised from it (combinations count in full).")
    uses: tuple[Use, ...] = ()
    reason: ReasonCode | None = Field(default=None, description="Why not (or why not more).")
    detail: dict[str, str] = Field(default_factory=dict)
    message_zh: str | None = None
    message_en: str | None = None
    rules: tuple[RuleOutcome, ...] = Field(default=(), description="Every rule that looked at it.")


class RequirementProgress(_Frozen):
    """Credits towards one requirement: what it needs, what conversion satisfied, the gap."""

    requirement: str
    name_zh: str | None = None
    name_en: str | None = None
    kind: str
    required: Decimal
    satisfied: Decimal
    remaining: Decimal
    courses_exempted: tuple[str, ...] = ()


class Totals(_Frozen):
    """Sums over the whole evaluation."""

    recognised: Decimal
    program_total: Decimal
    remaining: Decimal
    share: Decimal = Field(description="recognised / program_total, to 4 places.")
    achievements: int
    achievements_recognised: int
    optimal: bool = Field(
        default=True,
        description="Always true: every allocation is proven to recognise the most credit "
        "(kept so that earlier documents keep their meaning).",
    )


class Evaluation(_Frozen):
    """The outcome of converting one portfolio against one programme on one day."""

    schema_version: Literal["creditbank.evaluation/1"] = Field(
        default="creditbank.evaluation/1", alias="schema", serialization_alias="schema"
    )
    program: str
    learner: str
    as_of: date
    standards_fingerprint: str
    decisions: tuple[Decision, ...]
    requirements: tuple[RequirementProgress, ...]
    totals: Totals

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)

    def decision(self, achievement_id: str) -> Decision:
        """The decision about one achievement."""
        for decision in self.decisions:
            if decision.achievement == achievement_id:
                return decision
        raise KeyError(achievement_id)

    def uses(self) -> tuple[Use, ...]:
        """Every use, once (a combination's use appears under each of its achievements)."""
        seen: dict[tuple[Any, ...], Use] = {}
        for decision in self.decisions:
            for use in decision.uses:
                seen.setdefault((use.rule, use.achievements, use.requirement, use.course), use)
        return tuple(seen.values())

    def to_json(self, *, indent: int | None = 2) -> str:
        """The evaluation as JSON (credits as strings, so they stay exact)."""
        return self.model_dump_json(by_alias=True, indent=indent)


def evaluation_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of :meth:`Evaluation.to_json` output."""
    schema = Evaluation.model_json_schema(mode="serialization", by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
