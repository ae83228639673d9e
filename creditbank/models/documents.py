"""The file kinds: what one standards or portfolio file holds.

Every file is a YAML (or JSON) mapping with a ``kind``. A file of one item kind lists
them under ``items``; a ``standards`` file may hold several sections; a ``portfolio``
file is one learner's achievements. ``source`` and ``example`` at the top of a file
apply to every item that does not give its own.

================  ==============================================
kind              holds
================  ==============================================
``frameworks``    :class:`Framework` items
``occupations``   :class:`Occupation` items
``units``         :data:`Unit` items (courses, certificates, …)
``issuers``       :class:`Issuer` items
``programs``      :class:`Program` items
``rules``         :class:`Rule` items
``caps``          :class:`Cap` items
``grade_scales``  :class:`GradeScale` items
``period_sets``   :class:`PeriodSet` items
``eligibility``   :class:`EligibilityRule` items
``standards``     any of the sections above, by those names
``portfolio``     one :class:`Portfolio`
``targets``       :class:`~creditbank.models.targets.ProgressTarget` s of progress (not
                  standards: the standards loader passes them by)
================  ==============================================
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from creditbank.models.cap import Cap
from creditbank.models.common import Source
from creditbank.models.eligibility import EligibilityRule
from creditbank.models.framework import Framework
from creditbank.models.issuer import Issuer
from creditbank.models.occupation import Occupation
from creditbank.models.portfolio import Portfolio
from creditbank.models.program import Program
from creditbank.models.rule import Rule
from creditbank.models.scales import GradeScale, PeriodSet
from creditbank.models.targets import TargetsDocument
from creditbank.models.units import Unit
from creditbank.models.values import Model

__all__ = [
    "DOCUMENT_TYPES",
    "FORMAT_VERSION",
    "SECTIONS",
    "STANDARDS_KINDS",
    "CapsDocument",
    "DocumentKind",
    "EligibilityDocument",
    "FrameworksDocument",
    "GradeScalesDocument",
    "IssuersDocument",
    "OccupationsDocument",
    "PeriodSetsDocument",
    "PortfolioDocument",
    "ProgramsDocument",
    "RulesDocument",
    "StandardsDocument",
    "TargetsDocument",
    "UnitsDocument",
]

FORMAT_VERSION: Literal[1] = 1


class _FileHead(Model):
    version: Literal[1] = Field(default=FORMAT_VERSION, description="Version of the file format.")
    source: Source | None = Field(default=None, description="Default source of every item.")
    example: StrictBool = Field(default=False, description="Every item is illustrative.")


class FrameworksDocument(_FileHead):
    kind: Literal["frameworks"]
    items: tuple[Framework, ...]


class OccupationsDocument(_FileHead):
    kind: Literal["occupations"]
    items: tuple[Occupation, ...]


class UnitsDocument(_FileHead):
    kind: Literal["units"]
    items: tuple[Unit, ...]


class IssuersDocument(_FileHead):
    kind: Literal["issuers"]
    items: tuple[Issuer, ...]


class ProgramsDocument(_FileHead):
    kind: Literal["programs"]
    items: tuple[Program, ...]


class RulesDocument(_FileHead):
    kind: Literal["rules"]
    items: tuple[Rule, ...]


class CapsDocument(_FileHead):
    kind: Literal["caps"]
    items: tuple[Cap, ...]


class GradeScalesDocument(_FileHead):
    kind: Literal["grade_scales"]
    items: tuple[GradeScale, ...]


class PeriodSetsDocument(_FileHead):
    kind: Literal["period_sets"]
    items: tuple[PeriodSet, ...]


class EligibilityDocument(_FileHead):
    kind: Literal["eligibility"]
    items: tuple[EligibilityRule, ...]


class StandardsDocument(_FileHead):
    """Several sections in one file; handy for small standards and test scenarios."""

    kind: Literal["standards"]
    frameworks: tuple[Framework, ...] = ()
    occupations: tuple[Occupation, ...] = ()
    units: tuple[Unit, ...] = ()
    issuers: tuple[Issuer, ...] = ()
    programs: tuple[Program, ...] = ()
    rules: tuple[Rule, ...] = ()
    caps: tuple[Cap, ...] = ()
    grade_scales: tuple[GradeScale, ...] = ()
    period_sets: tuple[PeriodSet, ...] = ()
    eligibility: tuple[EligibilityRule, ...] = ()


class PortfolioDocument(Portfolio):
    """A portfolio file: a :class:`Portfolio` with ``kind: portfolio``."""

    kind: Literal["portfolio"]
    version: Literal[1] = FORMAT_VERSION

    def to_portfolio(self) -> Portfolio:
        return Portfolio.model_validate(self.model_dump(exclude={"kind", "version"}))


DocumentKind = Literal[
    "frameworks",
    "occupations",
    "units",
    "issuers",
    "programs",
    "rules",
    "caps",
    "grade_scales",
    "period_sets",
    "eligibility",
    "standards",
    "portfolio",
    "targets",
]

DOCUMENT_TYPES: dict[str, type[Model]] = {
    "frameworks": FrameworksDocument,
    "occupations": OccupationsDocument,
    "units": UnitsDocument,
    "issuers": IssuersDocument,
    "programs": ProgramsDocument,
    "rules": RulesDocument,
    "caps": CapsDocument,
    "grade_scales": GradeScalesDocument,
    "period_sets": PeriodSetsDocument,
    "eligibility": EligibilityDocument,
    "standards": StandardsDocument,
    "portfolio": PortfolioDocument,
    "targets": TargetsDocument,
}

SECTIONS: dict[str, str] = {
    "frameworks": "framework",
    "occupations": "occupation",
    "units": "unit",
    "issuers": "issuer",
    "programs": "program",
    "rules": "rule",
    "caps": "cap",
    "grade_scales": "grade_scale",
    "period_sets": "period_set",
    "eligibility": "eligibility_rule",
}
"""Section name (plural, as in files) -> item kind (singular, as in references)."""

STANDARDS_KINDS = (*SECTIONS, "standards")
