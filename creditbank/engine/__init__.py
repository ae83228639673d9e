"""The conversion engine: evaluate a portfolio against a programme, explain every decision."""

from typing import TYPE_CHECKING

from creditbank._lazy import lazy_names

if TYPE_CHECKING:
    from creditbank.engine.eligibility import (
        ELIGIBILITY_SCHEMA,
        Eligibility,
        OutcomeResult,
        Unmet,
        eligibility,
        eligibility_json_schema,
    )
    from creditbank.engine.evaluate import (
        evaluate,
    )
    from creditbank.engine.memos import (
        bulk_evaluation,
    )
    from creditbank.engine.reasons import (
        REASONS,
        ReasonCode,
    )
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
    from creditbank.engine.whatif import (
        Suggestion,
        evaluate_with,
        hypothetical,
        suggest,
    )

# Imported on first use (PEP 562): `creditbank evaluate` needs the evaluation, not eligibility
# (its models and sentences) nor the bulk memos.
_LAZY = {
    "Decision": "creditbank.engine.result",
    "ELIGIBILITY_SCHEMA": "creditbank.engine.eligibility",
    "EVALUATION_SCHEMA": "creditbank.engine.result",
    "Eligibility": "creditbank.engine.eligibility",
    "Evaluation": "creditbank.engine.result",
    "OutcomeResult": "creditbank.engine.eligibility",
    "REASONS": "creditbank.engine.reasons",
    "ReasonCode": "creditbank.engine.reasons",
    "RequirementProgress": "creditbank.engine.result",
    "RuleOutcome": "creditbank.engine.result",
    "Suggestion": "creditbank.engine.whatif",
    "Totals": "creditbank.engine.result",
    "Unmet": "creditbank.engine.eligibility",
    "Use": "creditbank.engine.result",
    "bulk_evaluation": "creditbank.engine.memos",
    "eligibility": "creditbank.engine.eligibility",
    "eligibility_json_schema": "creditbank.engine.eligibility",
    "evaluate": "creditbank.engine.evaluate",
    "evaluate_with": "creditbank.engine.whatif",
    "evaluation_json_schema": "creditbank.engine.result",
    "hypothetical": "creditbank.engine.whatif",
    "suggest": "creditbank.engine.whatif",
}

__getattr__, __dir__ = lazy_names(__name__, _LAZY)

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
