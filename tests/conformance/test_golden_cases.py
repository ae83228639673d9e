"""Golden-case scenarios: every file in ``creditbank/conformance/cases/`` is one evaluation.

A case names standards (the bundled ones, an inline ``kind: standards`` document, or both),
a programme, an as-of date and a portfolio, and says what the evaluation must show:
the total recognised, some decisions, requirement progress, totals. Only what the case
states is compared; the format is described in ``creditbank/conformance/cases/README.md``.

Reading a case and comparing an evaluation with it live in :mod:`creditbank.conformance`,
which also exports the cases as the conformance dataset (``creditbank conformance export``),
so this test and other implementations check the same things.

Cases are found by listing the directory: adding a file adds a case. Every case is also
run with its achievements in reverse order, since the result must not depend on the
order of the portfolio. Known failures go in ``XFAIL`` (strict: a case that starts
passing fails until it is taken out of the table).

Two more tests keep the corpus honest: together the cases must expect every reason code
of the engine, and cover every rule form of docs/design.md (``covers:``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest

from creditbank.conformance import (
    FORMS,
    CaseError,
    answer_of,
    compare,
    golden_cases_path,
    load_case_portfolio,
    load_case_standards,
    read_case,
    summary,
)
from creditbank.conformance.golden import case_paths
from creditbank.engine import ReasonCode, evaluate
from creditbank.engine.options import tidy

CASES_DIR = golden_cases_path()
CASE_PATHS = case_paths(CASES_DIR)
MIN_CASES = 35

# Known failures: case file stem -> why it fails. Strict: a listed case that passes fails.
XFAIL: dict[str, str] = {}


def _params() -> list[Any]:
    params = []
    for path in CASE_PATHS:
        marks = []
        if path.stem in XFAIL:
            marks.append(pytest.mark.xfail(reason=XFAIL[path.stem], strict=True))
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("path", _params())
def test_golden_case(path: Path, tmp_path: Path) -> None:
    case = read_case(path)
    standards = load_case_standards(case, tmp_path)
    failures: list[str] = []
    for reverse in (False, True):
        portfolio = load_case_portfolio(case, standards, reverse=reverse)
        evaluation = evaluate(standards, portfolio, case.program, case.as_of)
        answer = answer_of(evaluation)
        differences = compare(case.expect, answer)
        differences += [
            f"decisions.{d.achievement}: credits {u.credits} of {u.rule} are not written "
            f"exactly (expected {tidy(u.credits)})"
            for d in evaluation.decisions
            for u in d.uses
            if str(u.credits) != str(tidy(u.credits))
        ]
        if differences:
            order = "reversed portfolio" if reverse else "portfolio as written"
            failures.append(
                f"{case.name} ({order}): {case.description}\n"
                + "\n".join(f"  {d}" for d in differences)
                + "\n actual decisions:\n"
                + summary(answer)
            )
            break
    assert not failures, "\n".join(failures)


def test_enough_cases() -> None:
    assert len(CASE_PATHS) >= MIN_CASES, f"only {len(CASE_PATHS)} golden cases"


def test_every_case_reads() -> None:
    """Format errors are reported for every case at once, even xfailed ones."""
    errors = []
    for path in CASE_PATHS:
        try:
            read_case(path)
        except CaseError as error:
            errors.append(str(error))
    assert not errors, "\n".join(errors)


def test_every_reason_code_is_expected_somewhere() -> None:
    expected: set[str] = set()
    for path in CASE_PATHS:
        if path.stem not in XFAIL:
            expected |= read_case(path).expected_reasons()
    missing = set(get_args(ReasonCode)) - expected
    assert not missing, f"no golden case expects reason code(s) {sorted(missing)}"
    assert expected == set(get_args(ReasonCode))


def test_every_rule_form_is_covered() -> None:
    covered: set[str] = set()
    for path in CASE_PATHS:
        if path.stem not in XFAIL:
            covered.update(read_case(path).covers)
    missing = sorted(set(FORMS) - covered)
    assert not missing, f"no golden case covers: {missing}"


def test_xfail_table_names_real_cases() -> None:
    stems = {p.stem for p in CASE_PATHS}
    assert set(XFAIL) <= stems, f"XFAIL names no case: {sorted(set(XFAIL) - stems)}"
