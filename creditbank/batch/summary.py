"""``creditbank batch --summary``: per learner what was recognised and what is missing.

A full ``creditbank.evaluation/1`` line explains every decision — every rule that looked at
every achievement, with reason codes and sentences in two languages, so a million learners
make gigabytes. A platform that re-evaluates a province after a rule change mostly
needs less: the totals, what was recognised (the *uses*: rule, achievements, requirement,
course, credits) and the requirements still short of credit. That is
``creditbank.evaluation-summary/1``, projected from the full evaluation (nothing is
evaluated differently), about a quarter of the size (the explanations are most of a line;
measured sizes in ``benchmarks/RESULTS.md``):

>>> import creditbank, datetime as dt
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> portfolio = creditbank.load_portfolio(
...     "examples/portfolios/demo-worker-005-robot-maintainer.yaml", standards)
>>> full = creditbank.evaluate(standards, portfolio, "demo-college:460301", dt.date(2026, 11, 29))
>>> brief = summarise(full)
>>> brief.totals == full.totals and brief.uses == full.uses()
True
>>> [g.requirement for g in brief.gaps] == [
...     r.requirement for r in full.requirements if r.remaining > 0]
True
>>> len(brief.to_json_bytes()) < len(full.to_json(indent=None)) / 3
True
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from creditbank.engine.result import Evaluation, Totals, Use

__all__ = ["SUMMARY_SCHEMA", "EvaluationSummary", "Gap", "summarise"]

SUMMARY_SCHEMA = "creditbank.evaluation-summary/1"


class Gap(BaseModel):
    """A requirement still short of credit after conversion."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requirement: str
    required: Decimal
    satisfied: Decimal
    remaining: Decimal


class EvaluationSummary(BaseModel):
    """One learner's evaluation without the explanations: totals, uses, gaps."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_version: Literal["creditbank.evaluation-summary/1"] = Field(
        default="creditbank.evaluation-summary/1", alias="schema", serialization_alias="schema"
    )
    program: str
    learner: str
    as_of: date
    standards_fingerprint: str
    totals: Totals
    uses: tuple[Use, ...] = Field(description="What was recognised, each use once.")
    gaps: tuple[Gap, ...] = Field(description="Requirements with credit still remaining.")

    def to_json_bytes(self) -> bytes:
        """The summary as compact JSON (credits as strings, so they stay exact)."""
        return self.__pydantic_serializer__.to_json(self, by_alias=True)


def summarise(evaluation: Evaluation) -> EvaluationSummary:
    """The summary of a full evaluation (a projection: nothing is evaluated again)."""
    return EvaluationSummary.model_construct(
        program=evaluation.program,
        learner=evaluation.learner,
        as_of=evaluation.as_of,
        standards_fingerprint=evaluation.standards_fingerprint,
        totals=evaluation.totals,
        uses=evaluation.uses(),
        gaps=tuple(
            Gap.model_construct(
                requirement=r.requirement,
                required=r.required,
                satisfied=r.satisfied,
                remaining=r.remaining,
            )
            for r in evaluation.requirements
            if r.remaining > 0
        ),
    )
