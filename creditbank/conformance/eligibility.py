"""Golden eligibility cases: standards, a portfolio with a profile, a day, what must hold.

Every ``*.yaml`` file of ``creditbank/conformance/eligibility_cases/`` is one case, found by
listing the directory as the conversion cases are (adding a file adds a case); the format
is described in that directory's README. Only what a case states is compared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from creditbank.conformance.golden import CaseError
from creditbank.conformance.resolve import dump_case_yaml, load_case_standards
from creditbank.engine import Eligibility, eligibility
from creditbank.engine.reasons import EligibilityCode, ReasonCode
from creditbank.loading import load_portfolio_text, read_yaml_file
from creditbank.models.eligibility import OUTCOME_KINDS, OutcomeKind

__all__ = [
    "EligibilityCase",
    "check_eligibility_case",
    "eligibility_cases_path",
    "read_eligibility_case",
    "run_eligibility_case",
]

_CASE_KEYS = {"description", "standards", "as_of", "for", "portfolio", "expect"}
_EXPECT_KEYS = {"eligible", "eligible_from", "uses", "unmet", "detail", "absent"}


@dataclass(frozen=True)
class EligibilityCase:
    """One eligibility scenario, as its file declares it."""

    name: str
    description: str
    standards: tuple[str | dict[str, Any], ...]
    as_of: dt.date
    kinds: tuple[OutcomeKind, ...]
    portfolio: dict[str, Any]
    expect: dict[str, dict[str, Any]]


def eligibility_cases_path() -> Path:
    """The directory of eligibility cases shipped with creditbank (package data)."""
    return Path(__file__).resolve().parent / "eligibility_cases"


def _unknown(given: Any, allowed: set[str], where: str) -> None:
    extra = sorted(set(given) - allowed)
    if extra:
        raise CaseError(f"{where}: unknown key(s) {extra}; allowed: {sorted(allowed)}")


def read_eligibility_case(path: Path) -> EligibilityCase:
    """Read and check one case file (the project's YAML reader)."""
    path = Path(path)
    doc, problems = read_yaml_file(path)
    if problems or doc is None or not isinstance(doc.data, dict):
        raise CaseError("\n".join(map(str, problems)) or f"{path.name}: not a mapping")
    data = doc.data
    _unknown(data, _CASE_KEYS, path.name)
    missing = sorted(_CASE_KEYS - {"for"} - set(data))
    if missing:
        raise CaseError(f"{path.name}: missing key(s) {missing}")
    if not isinstance(data["as_of"], dt.date):
        raise CaseError(f"{path.name}: as_of must be a date (YYYY-MM-DD)")
    kinds = tuple(data.get("for", OUTCOME_KINDS))
    _unknown(kinds, set(OUTCOME_KINDS), f"{path.name}: for")
    codes = set(get_args(ReasonCode)) | set(get_args(EligibilityCode))
    expect = data["expect"]
    if not isinstance(expect, dict) or not expect:
        raise CaseError(f"{path.name}: expect must name rules")
    for rule, want in expect.items():
        if not isinstance(want, dict):
            raise CaseError(f"{path.name}: expect.{rule} must be a mapping")
        _unknown(want, _EXPECT_KEYS, f"{path.name}: expect.{rule}")
        for code in want.get("unmet", []):
            if code not in codes:
                raise CaseError(f"{path.name}: expect.{rule}: unknown reason {code!r}")
    spec = data["standards"]
    parts = tuple(spec) if isinstance(spec, list) else (spec,)
    return EligibilityCase(
        name=path.stem,
        description=str(data["description"]),
        standards=parts,
        as_of=data["as_of"],
        kinds=kinds,
        portfolio=data["portfolio"],
        expect=expect,
    )


def run_eligibility_case(case: EligibilityCase, *, as_of: dt.date | None = None) -> Eligibility:
    """The engine's answer to a case (on its own day, or on ``as_of``)."""
    standards = load_case_standards(case)
    portfolio = load_portfolio_text(
        dump_case_yaml(case.portfolio), standards, file=f"{case.name}:portfolio"
    )
    return eligibility(standards, portfolio, as_of or case.as_of, case.kinds)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def check_eligibility_case(case: EligibilityCase, result: Eligibility) -> list[str]:
    """Every way ``result`` differs from what the case expects (empty: it passes).

    Per rule: ``eligible``, ``eligible_from`` (a date, or null for none), ``uses`` (the
    achievements relied on, any order), ``unmet`` (the reason codes, in order), ``detail``
    (details of the unmet reasons, each found in one of them) and ``absent: true`` (the rule
    gives no result: another kind, or not in the standards).
    """
    found = {o.rule: o for o in result.outcomes}
    wrong: list[str] = []
    for rule, want in case.expect.items():
        got = found.get(rule)
        if want.get("absent"):
            if got is not None:
                wrong.append(f"{rule}: expected no result, got one")
            continue
        if got is None:
            wrong.append(f"{rule}: no result")
            continue
        if "eligible" in want and got.eligible != want["eligible"]:
            wrong.append(f"{rule}: eligible {got.eligible}, expected {want['eligible']}")
        if "eligible_from" in want:
            expected = want["eligible_from"]
            have = got.eligible_from
            if (None if expected is None else _text(expected)) != (have and have.isoformat()):
                wrong.append(f"{rule}: eligible_from {have}, expected {expected}")
        if "uses" in want and sorted(got.uses) != sorted(want["uses"]):
            wrong.append(f"{rule}: uses {list(got.uses)}, expected {want['uses']}")
        codes = [u.code for u in got.unmet]
        if "unmet" in want and codes != list(want["unmet"]):
            wrong.append(f"{rule}: unmet {codes}, expected {want['unmet']}")
        for key, value in want.get("detail", {}).items():
            if not any(u.detail.get(key) == _text(value) for u in got.unmet):
                seen = [u.detail.get(key) for u in got.unmet]
                wrong.append(f"{rule}: detail {key} is {seen}, expected {value}")
    return wrong
