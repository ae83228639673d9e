"""Typed, immutable models of the standards and of a learner's portfolio."""

from creditbank.models.cap import Cap, CapGroup, CapSelector
from creditbank.models.common import Item, Source
from creditbank.models.documents import DOCUMENT_TYPES, SECTIONS, DocumentKind
from creditbank.models.eligibility import (
    AdmissionOutcome,
    EligibilityCondition,
    EligibilityRule,
    FundingOutcome,
    Outcome,
    OutcomeKind,
    TitleOutcome,
)
from creditbank.models.framework import Framework, Level, LevelPointer
from creditbank.models.issuer import Authorisation, Issuer
from creditbank.models.occupation import Occupation
from creditbank.models.portfolio import Achievement, Portfolio
from creditbank.models.profile import HeldTitle, Profile, WorkPeriod
from creditbank.models.program import Program, Requirement
from creditbank.models.rule import (
    AllOf,
    AnyOf,
    Condition,
    CourseCredits,
    ExemptCourses,
    GradeCondition,
    HoursToCredits,
    LevelCondition,
    Match,
    NOf,
    RecordedGrade,
    RequirementCredits,
    Rule,
    Target,
    Within,
)
from creditbank.models.scales import (
    Grade,
    GradeConversion,
    GradeRow,
    GradeScale,
    Period,
    PeriodSet,
)
from creditbank.models.standards import ITEM_KINDS, AnyItem, Standards
from creditbank.models.units import (
    AwardUnit,
    CourseUnit,
    LevelCredits,
    OtherUnit,
    SkillCertificateUnit,
    TrainingUnit,
    Unit,
    UnitKind,
    XCertificateUnit,
)
from creditbank.models.values import CreditValue, Label

__all__ = [
    "DOCUMENT_TYPES",
    "ITEM_KINDS",
    "SECTIONS",
    "Achievement",
    "AdmissionOutcome",
    "AllOf",
    "AnyItem",
    "AnyOf",
    "Authorisation",
    "AwardUnit",
    "Cap",
    "CapGroup",
    "CapSelector",
    "Condition",
    "CourseCredits",
    "CourseUnit",
    "CreditValue",
    "DocumentKind",
    "EligibilityCondition",
    "EligibilityRule",
    "ExemptCourses",
    "Framework",
    "FundingOutcome",
    "Grade",
    "GradeCondition",
    "GradeConversion",
    "GradeRow",
    "GradeScale",
    "HeldTitle",
    "HoursToCredits",
    "Issuer",
    "Item",
    "Label",
    "Level",
    "LevelCondition",
    "LevelCredits",
    "LevelPointer",
    "Match",
    "NOf",
    "Occupation",
    "OtherUnit",
    "Outcome",
    "OutcomeKind",
    "Period",
    "PeriodSet",
    "Portfolio",
    "Profile",
    "Program",
    "RecordedGrade",
    "Requirement",
    "RequirementCredits",
    "Rule",
    "SkillCertificateUnit",
    "Source",
    "Standards",
    "Target",
    "TitleOutcome",
    "TrainingUnit",
    "Unit",
    "UnitKind",
    "Within",
    "WorkPeriod",
    "XCertificateUnit",
]
