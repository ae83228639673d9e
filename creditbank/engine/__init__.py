"""The conversion engine: evaluate a portfolio against a programme, explain every decision."""

from creditbank.engine.eligibility import (
    ELIGIBILITY_SCHEMA,
    Eligibility,
    OutcomeResult,
    Unmet,
    eligibility,
    eligibility_json_schema,
)
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
    "ELIGIBILITY_SCHEMA",
    "EVALUATION_SCHEMA",
    "REASONS",
    "Decision",
    "Eligibility",
    "Evaluation",
    "OutcomeResult",
    "ReasonCode",
    "RequirementProgress",
    "RuleOutcome",
    "Suggestion",
    "Totals",
    "Unmet",
    "Use",
    "bulk_evaluation",
    "eligibility",
    "eligibility_json_schema",
    "evaluate",
    "evaluate_with",
    "evaluation_json_schema",
    "hypothetical",
    "suggest",
]
