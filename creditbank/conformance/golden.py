"""The golden-case format: one YAML file per scenario, read and checked strictly.

A case names standards (``bundled``, an inline ``kind: standards`` document, or a list of
both), a programme, an as-of date and a portfolio, and says what the evaluation must show
(``expect``). The format is described in ``creditbank/conformance/cases/README.md``; a file
that does not follow it raises :class:`CaseError`, so a typo cannot silently test nothing.

>>> cases = read_cases(golden_cases_path())
>>> len(cases) > 30, all(c.expect for c in cases)
(True, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from creditbank.engine import ReasonCode
from creditbank.errors import CreditbankError
from creditbank.loading import read_yaml_file

__all__ = [
    "CASE_KEYS",
    "DECISION_FIELDS",
    "EXPECT_KEYS",
    "FORMS",
    "REQUIREMENT_KEYS",
    "TOTALS_KEYS",
    "USE_KEYS",
    "USE_ORDER",
    "Case",
    "CaseError",
    "case_paths",
    "golden_cases_path",
    "read_case",
    "read_cases",
]

# The rule forms of docs/design.md, "What the rules must be able to say".
# Every form must be named by the `covers:` list of at least one case.
FORMS: dict[str, str] = {
    "course-exemption": "a certificate at level >= L converts to a course (课程免修/替代)",
    "category-credits": "a certificate converts to N credits of a requirement category",
    "level-decides-target": "R4: 初级 -> foundation, 中级 -> core, 高级 -> both",
    "r1-one-certificate-per-course": "R1: a course is replaced by at most one X certificate",
    "r2-max-8-credits": "R2: one X certificate converts at most 8 credits",
    "r3-within-recognised": "R3: never more than the credit bank recognised",
    "highest-only": "the same or similar certificates count once, only the highest level",
    "share-cap-50": "all converted credit <= 50 % of the programme",
    "online-cap-25": "online-course certificates <= 25 %",
    "hours-rate": "hours converted at a rate, with rounding and a maximum",
    "award-national": "competition award, national tier",
    "award-provincial": "competition award, provincial tier",
    "award-municipal": "competition award, municipal tier, incl. 1.5 credits (R8)",
    "minimum-grade": "a minimum score or grade, across grade scales",
    "recency": "earned within N years, or from / until a date",
    "not-expired": "the certificate has not expired on the as-of date",
    "authorised-issuer": "issued by an issuer authorised for the unit",
    "effective-dates": "a rule's effective dates; an as-of date before a rule change",
    "many-to-one": "all_of: several achievements together -> one course",
    "n-of": "n of several conditions, each met by a distinct achievement",
    "any-of": "any one of several conditions",
    "one-to-many": "one achievement -> several courses",
    "recorded-grade": "an exempted course's recorded grade (60 / 合格)",
    "partial-credit": "some credits towards a course without completing it",
    "period-cap": "a cap per period (calendar year or a period set)",
    "count-cap": "at most N certificates",
    "shareable": "a shareable rule: the achievement may also be used elsewhere",
    "r7-national-enterprise": "R7: national certificate 3, industry/enterprise 1 credit",
    "optimal-not-greedy": "the optimal allocation beats a greedy one",
    # issue 15: policies the format could not say before
    "exempt-no-grade": "an exempted course recorded as 'exempt', with no grade (issue 15.7)",
    "fraction-share": "an exact fractional share such as 2/3 (issue 15.8)",
    "score-band": "a score or grade band: at_least and at_most (issue 15.11)",
    "first-attempt": "only the learner's first attempt at a unit counts (issue 15.12)",
    "credit-units": "credits stated in another unit, converted by an exact factor (issue 15.14)",
    "grade-table": "a grade conversion table between scales (issue 15.16)",
    "overflow-total": "an award beyond a requirement's need: the surplus counts in the total",
    "overflow-requirement": "an award beyond a requirement's need: the surplus to a named one",
    "program-total": "the programme total is a cap: never more recognised than it",
    "guarantee": "an agreement's guaranteed minimum: institutional caps give way, statutory bind",
    "source-share": "a cap as a share of each source qualification's own credits",
    "program-periods": "a per-period cap without a period set counts in the programme's periods",
    "highest-only-strict": "strict highest-only: a lower level never counts beside a higher one",
    "tie-break": "who fills a course several achievements could fill equally well",
}

CASE_KEYS = frozenset(
    {"description", "covers", "standards", "program", "as_of", "portfolio", "expect"}
)
EXPECT_KEYS = frozenset({"total", "totals", "decisions", "requirements"})
DECISION_FIELDS = frozenset(
    {"recognised", "credits", "reason", "uses", "unit", "level", "rules", "detail"}
)
USE_ORDER = (
    "rule",
    "achievements",
    "requirement",
    "course",
    "kind",
    "credits",
    "recorded_grade",
    "overflow",
    "overflow_credits",
)
"""The keys of a use, in the order a comparison shows them."""
USE_KEYS = frozenset(USE_ORDER)
REQUIREMENT_KEYS = frozenset({"required", "satisfied", "remaining", "courses_exempted", "kind"})
TOTALS_KEYS = frozenset(
    {
        "recognised",
        "program_total",
        "remaining",
        "share",
        "achievements",
        "achievements_recognised",
        "optimal",
    }
)


class CaseError(CreditbankError):
    """A case file that does not follow the format (a bug in the case, not the engine)."""


@dataclass(frozen=True)
class Case:
    """One scenario, as its file declares it (values as the YAML reader gives them)."""

    name: str
    description: str
    covers: tuple[str, ...]
    standards: tuple[str | dict[str, Any], ...]
    program: str
    as_of: dt.date
    portfolio: dict[str, Any]
    expect: dict[str, Any]

    def expected_reasons(self) -> set[str]:
        """The reason codes this case expects some decision to give."""
        decisions = self.expect.get("decisions", {})
        return {d["reason"] for d in decisions.values() if d.get("reason") is not None}


def golden_cases_path() -> Path:
    """The directory of golden cases shipped with creditbank (``creditbank/conformance/cases``).

    The cases are package data, so a source checkout and an installed wheel find them in the
    same place, and building the wheel reads nothing from ``tests/``.
    """
    cases = Path(__file__).resolve().parent / "cases"
    if not cases.is_dir():
        raise CreditbankError(
            "the golden cases are missing from this installation; reinstall creditbank"
        )
    return cases


def case_paths(directory: Path) -> list[Path]:
    """Every case file of a directory (``*.yaml``, not hidden), sorted by name."""
    return sorted(p for p in Path(directory).glob("*.yaml") if not p.name.startswith("."))


def _unknown(given: Iterable[str], allowed: Iterable[str], where: str) -> None:
    extra = sorted(set(given) - set(allowed))
    if extra:
        raise CaseError(f"{where}: unknown key(s) {extra}; allowed: {sorted(allowed)}")


def _check_expect(expect: Any, where: str) -> None:
    if not isinstance(expect, dict) or not expect:
        raise CaseError(f"{where}: expect must say something")
    _unknown(expect, EXPECT_KEYS, f"{where}: expect")
    _unknown(expect.get("totals", {}), TOTALS_KEYS, f"{where}: expect.totals")
    reasons = set(get_args(ReasonCode))
    for name, want in expect.get("decisions", {}).items():
        if not isinstance(want, dict):
            raise CaseError(f"{where}: decisions.{name} must be a mapping")
        for use in want.get("uses", []):
            _unknown(use, USE_KEYS, f"{where}: decisions.{name}.uses")
        reason = want.get("reason")
        if reason is not None and reason not in reasons:
            raise CaseError(f"{where}: decisions.{name}: unknown reason {reason!r}")
        outcomes = {"used", "eligible", *reasons}
        for rule, outcome in want.get("rules", {}).items():
            if outcome not in outcomes:
                raise CaseError(
                    f"{where}: decisions.{name}.rules.{rule}: {outcome!r} is not "
                    "used, eligible or a reason code"
                )
    for name, want in expect.get("requirements", {}).items():
        _unknown(want, REQUIREMENT_KEYS, f"{where}: requirements.{name}")


def read_case(path: Path) -> Case:
    """Read and check one case file (the project's YAML reader: exact decimals, no dup keys)."""
    path = Path(path)
    doc, problems = read_yaml_file(path)
    if problems or doc is None:
        raise CaseError("\n".join(map(str, problems)) or f"{path.name}: empty")
    data = doc.data
    if not isinstance(data, dict):
        raise CaseError(f"{path.name}: a case is a mapping")
    _unknown(data, CASE_KEYS, path.name)
    missing = sorted(CASE_KEYS - {"covers"} - set(data))
    if missing:
        raise CaseError(f"{path.name}: missing key(s) {missing}")
    covers = tuple(data.get("covers", ()))
    _unknown(covers, FORMS, f"{path.name}: covers")
    spec = data["standards"]
    parts = tuple(spec) if isinstance(spec, list) else (spec,)
    for part in parts:
        if part != "bundled" and not (isinstance(part, dict) and part.get("kind") == "standards"):
            raise CaseError(f"{path.name}: standards are `bundled` or a `kind: standards` mapping")
    if not isinstance(data["as_of"], dt.date):
        raise CaseError(f"{path.name}: as_of must be a date (YYYY-MM-DD)")
    _check_expect(data["expect"], path.name)
    return Case(
        name=path.stem,
        description=str(data["description"]),
        covers=covers,
        standards=parts,
        program=str(data["program"]),
        as_of=data["as_of"],
        portfolio=data["portfolio"],
        expect=data["expect"],
    )


def read_cases(directory: Path) -> list[Case]:
    """Every case of a directory, in name order; the first bad file raises :class:`CaseError`."""
    return [read_case(path) for path in case_paths(directory)]
