"""Golden eligibility cases: every file in ``creditbank/conformance/eligibility_cases/`` is one.

Found by listing the directory (adding a file adds a case), as the conversion cases are;
each runs with its achievements as written and reversed (the result must not depend on
their order). Together the cases must show every outcome kind, an eligible-from date and
every eligibility reason code.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from creditbank.conformance.eligibility import (
    EligibilityCase,
    check_eligibility_case,
    eligibility_cases_path,
    read_eligibility_case,
    run_eligibility_case,
)
from creditbank.conformance.golden import case_paths
from creditbank.engine.reasons import EligibilityCode

CASE_PATHS = case_paths(eligibility_cases_path())


def _reversed(case: EligibilityCase) -> EligibilityCase:
    portfolio = dict(case.portfolio)
    portfolio["achievements"] = list(reversed(portfolio.get("achievements", [])))
    return EligibilityCase(
        case.name,
        case.description,
        case.standards,
        case.as_of,
        case.kinds,
        portfolio,
        case.expect,
    )


@pytest.mark.parametrize("reverse", [False, True], ids=["as-written", "reversed"])
@pytest.mark.parametrize("path", CASE_PATHS, ids=[p.stem for p in CASE_PATHS])
def test_case(path: Path, reverse: bool) -> None:
    case = read_eligibility_case(path)
    if reverse:
        case = _reversed(case)
    wrong = check_eligibility_case(case, run_eligibility_case(case))
    assert not wrong, "\n".join(wrong)


def test_the_cases_cover_every_kind_a_future_date_and_every_reason() -> None:
    cases = [read_eligibility_case(p) for p in CASE_PATHS]
    assert len(cases) >= 10
    kinds = {kind for case in cases for kind in case.kinds}
    assert kinds == {"title", "admission", "funding"}
    futures = [want for case in cases for want in case.expect.values() if want.get("eligible_from")]
    assert len(futures) >= 3
    expected = {code for case in cases for w in case.expect.values() for code in w.get("unmet", [])}
    missing = set(get_args(EligibilityCode)) - expected
    assert not missing, f"no case expects {sorted(missing)}"


def test_a_wrong_expectation_is_reported() -> None:
    """The comparison can fail: a case whose expectation is changed no longer passes."""
    case = read_eligibility_case(eligibility_cases_path() / "title_eligible_from_future_date.yaml")
    rule = "bridge:sd:engineering:intermediate"
    changed = {**case.expect, rule: {**case.expect[rule], "eligible_from": "2027-02-28"}}
    wrong_case = EligibilityCase(
        case.name,
        case.description,
        case.standards,
        case.as_of,
        case.kinds,
        case.portfolio,
        changed,
    )
    wrong = check_eligibility_case(wrong_case, run_eligibility_case(wrong_case))
    assert wrong == [f"{rule}: eligible_from 2027-03-01, expected 2027-02-28"]
