"""The conversion engine: evaluate a portfolio against a programme, explain every decision."""

from creditbank.engine.evaluate import evaluate
from creditbank.engine.reasons import REASONS, ReasonCode
from creditbank.engine.result import (
    EVALUATION_SCHEMA,
    Decision,
    Evaluation,
    RequirementProgress,
    RuleOutcome,
    Totals,
    Use,
    evaluation_json_schema,
)

__all__ = [
    "EVALUATION_SCHEMA",
    "REASONS",
    "Decision",
    "Evaluation",
    "ReasonCode",
    "RequirementProgress",
    "RuleOutcome",
    "Totals",
    "Use",
    "evaluate",
    "evaluation_json_schema",
]
