"""creditbank: recognise, accumulate and convert learning outcomes into degree credits.

Load the bundled standards and look around:

>>> import creditbank
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> standards.frameworks["cn-skill-level"].level("一级").rank
5

Everything public is listed in ``__all__``; anything else is private and may change.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from creditbank._version import __version__
from creditbank.bundled import (
    bundled_standards_path,
    default_standards_path,
    default_standards_paths,
)
from creditbank.config import ProjectConfig, project_config
from creditbank.engine import (
    Decision,
    Eligibility,
    Evaluation,
    OutcomeResult,
    ReasonCode,
    RequirementProgress,
    Suggestion,
    Totals,
    Use,
    bulk_evaluation,
    eligibility,
    evaluate,
    evaluate_with,
    suggest,
)
from creditbank.errors import (
    ERROR_CODES,
    CreditbankError,
    ErrorCode,
    EvaluationError,
    LedgerError,
    LoadError,
    Location,
    Problem,
)
from creditbank.loading import (
    Limits,
    LoadReport,
    load_documents,
    load_portfolio,
    load_portfolio_data,
    load_portfolio_text,
    load_standards,
)
from creditbank.models import (
    Achievement,
    AllOf,
    AnyOf,
    Authorisation,
    AwardUnit,
    Cap,
    CapSelector,
    Condition,
    CourseCredits,
    CourseUnit,
    CreditValue,
    EligibilityRule,
    ExemptCourses,
    Framework,
    Grade,
    GradeCondition,
    GradeConversion,
    GradeRow,
    GradeScale,
    HeldTitle,
    HoursToCredits,
    Issuer,
    Label,
    Level,
    LevelCondition,
    LevelCredits,
    Match,
    NOf,
    Occupation,
    OtherUnit,
    Period,
    PeriodSet,
    Portfolio,
    Profile,
    Program,
    RecordedGrade,
    Requirement,
    RequirementCredits,
    Rule,
    SkillCertificateUnit,
    Source,
    Standards,
    Target,
    TrainingUnit,
    Unit,
    Within,
    WorkPeriod,
    XCertificateUnit,
)
from creditbank.schema import json_schema
from creditbank.serialize import dump_document, dump_portfolio, dump_yaml

if _TYPE_CHECKING:
    from creditbank.interop.deposit import deposit_from_portfolio
    from creditbank.progress import ProgressReport, batch_report, ledger_report, load_targets
    from creditbank.reports import evaluation_report, statement_report
    from creditbank.validation import Validation, validate

# Names whose modules pull in the graph layer (networkx), the interop stack (JSON-LD,
# cryptography, JOSE) or the report templates (Jinja2) are imported on first use (PEP 562),
# so `import creditbank` and a CLI start that needs none of them load only the engine.
_LAZY = {
    "deposit_from_portfolio": "creditbank.interop.deposit",
    "Validation": "creditbank.validation",
    "validate": "creditbank.validation",
    "evaluation_report": "creditbank.reports",
    "statement_report": "creditbank.reports",
    "ProgressReport": "creditbank.progress",
    "ledger_report": "creditbank.progress",
    "batch_report": "creditbank.progress",
    "load_targets": "creditbank.progress",
}


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'creditbank' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ERROR_CODES",
    "Achievement",
    "AllOf",
    "AnyOf",
    "Authorisation",
    "AwardUnit",
    "Cap",
    "CapSelector",
    "Condition",
    "CourseCredits",
    "CourseUnit",
    "CreditValue",
    "CreditbankError",
    "Decision",
    "Eligibility",
    "EligibilityRule",
    "ErrorCode",
    "Evaluation",
    "EvaluationError",
    "ExemptCourses",
    "Framework",
    "Grade",
    "GradeCondition",
    "GradeConversion",
    "GradeRow",
    "GradeScale",
    "HeldTitle",
    "HoursToCredits",
    "Issuer",
    "Label",
    "LedgerError",
    "Level",
    "LevelCondition",
    "LevelCredits",
    "Limits",
    "LoadError",
    "LoadReport",
    "Location",
    "Match",
    "NOf",
    "Occupation",
    "OtherUnit",
    "OutcomeResult",
    "Period",
    "PeriodSet",
    "Portfolio",
    "Problem",
    "Profile",
    "Program",
    "ProgressReport",
    "ProjectConfig",
    "ReasonCode",
    "RecordedGrade",
    "Requirement",
    "RequirementCredits",
    "RequirementProgress",
    "Rule",
    "SkillCertificateUnit",
    "Source",
    "Standards",
    "Suggestion",
    "Target",
    "Totals",
    "TrainingUnit",
    "Unit",
    "Use",
    "Validation",
    "Within",
    "WorkPeriod",
    "XCertificateUnit",
    "__version__",
    "batch_report",
    "bulk_evaluation",
    "bundled_standards_path",
    "default_standards_path",
    "default_standards_paths",
    "deposit_from_portfolio",
    "dump_document",
    "dump_portfolio",
    "dump_yaml",
    "eligibility",
    "evaluate",
    "evaluate_with",
    "evaluation_report",
    "json_schema",
    "ledger_report",
    "load_documents",
    "load_portfolio",
    "load_portfolio_data",
    "load_portfolio_text",
    "load_standards",
    "load_targets",
    "project_config",
    "statement_report",
    "suggest",
    "validate",
]
