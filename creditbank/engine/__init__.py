"""The conversion engine: evaluate a portfolio against a programme, explain every decision."""

from creditbank.engine.evaluate import evaluate
from creditbank.engine.memos import bulk_evaluation
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
from creditbank.engine.whatif import Suggestion, evaluate_with, hypothetical, suggest

__all__ = [
    "EVALUATION_SCHEMA",
    "REASONS",
    "Decision",
    "Evaluation",
    "ReasonCode",
    "RequirementProgress",
    "RuleOutcome",
    "Suggestion",
    "Totals",
    "Use",
    "bulk_evaluation",
    "evaluate",
    "evaluate_with",
    "evaluation_json_schema",
    "hypothetical",
    "suggest",
]
