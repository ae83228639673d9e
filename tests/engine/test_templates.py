"""Option templates (:mod:`creditbank.engine.templates`) change no option and no budget.

An evaluation makes its options from templates worked out once per programme and rule (and
keeps, per programme, rule, unit and level, which templates a target gives when nothing
else decides it); an option built field by field (the general path, still used for options
made outside the scan) must be equal to it, in the canonical order too, and compiling the
allocation problem from either must give the same budgets, labels and draws, amounts
written alike.
Checked on a synthetic province at several dates, on the bundled portfolios and on every
golden case in both orders, which between them use every kind of target and cap grouping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import creditbank
from creditbank.conformance import (
    golden_cases_path,
    load_case_portfolio,
    load_case_standards,
    read_case,
)
from creditbank.conformance.golden import case_paths
from creditbank.engine.cache import EngineCache
from creditbank.engine.constraints import _FixedCap, compile_problem
from creditbank.engine.evaluate import Plan, plan
from creditbank.engine.options import Option, _by_unit_level
from creditbank.synthetic import AS_OF, Scale, build_world, portfolios
from creditbank.synthetic import write_standards as write_synthetic
from tests.paths import ROOT

DAYS = (AS_OF, dt.date(2023, 3, 1), dt.date(2031, 1, 1))


def _general(option: Option) -> Option:
    """The same option built field by field, without a template."""
    return Option(
        option.rule, option.binding, option.entries, option.recorded_grade, option.max_in_use
    )


def _plans(tmp: Path) -> Iterator[tuple[creditbank.Standards, Plan]]:
    world = build_world(Scale.tiny(), seed=5, occupations_csv=None)
    write_synthetic(world, tmp / "synthetic")
    standards = creditbank.load_standards(tmp / "synthetic", cache=False)
    for i, record in enumerate(portfolios(world, 120, seed=6)):
        data = dict(record)
        program = str(data.pop("program"))
        portfolio = creditbank.Portfolio.model_validate(data)
        yield standards, plan(standards, portfolio, program, DAYS[i % len(DAYS)])
    bundled = creditbank.load_standards(creditbank.bundled_standards_path())
    for path in sorted((ROOT / "examples" / "portfolios").glob("*.yaml")):
        portfolio = creditbank.load_portfolio(path, bundled)
        for program in bundled.programs:
            yield bundled, plan(bundled, portfolio, program, dt.date(2026, 11, 29))
    for number, path in enumerate(case_paths(golden_cases_path())):
        case = read_case(path)
        folder = tmp / f"case{number}"
        folder.mkdir()
        case_standards = load_case_standards(case, folder)
        for reverse in (False, True):
            portfolio = load_case_portfolio(case, case_standards, reverse=reverse)
            yield case_standards, plan(case_standards, portfolio, case.program, case.as_of)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[creditbank.Standards, Plan]]:
    return list(_plans(tmp_path_factory.mktemp("templates")))


def test_options_from_templates_equal_options_built_field_by_field(
    plans: list[tuple[creditbank.Standards, Plan]],
) -> None:
    templated = 0
    kinds: set[bool] = set()
    for _, made in plans:
        for option in made.candidates:
            general = _general(option)
            assert general == option
            assert repr(general.key) == repr(option.key)
            assert repr(general.credits) == repr(option.credits)
            assert general.template is None
            templated += option.template is not None
            kinds.add(_by_unit_level(option.rule.then))
    assert templated > 500
    # Targets whose options are kept per (programme, rule, unit, level), and targets worked
    # out per achievement (hours, stated credits, coverage), both came up.
    assert kinds == {True, False}


def test_budgets_from_templates_equal_budgets_worked_out_per_entry(
    plans: list[tuple[creditbank.Standards, Plan]],
) -> None:
    kinds: set[str] = set()
    for standards, made in plans:
        caps, facts, program = made.caps, made.facts, made.program
        for options in {made.options, made.candidates}:
            fast = compile_problem(standards, program, caps, options, facts)
            slow = compile_problem(standards, program, caps, [_general(o) for o in options], facts)
            assert repr(fast.problem) == repr(slow.problem)
            assert fast.labels == slow.labels
        tables = standards.cache(EngineCache).tables
        assert tables is not None
        for table in tables.caps.values():
            for items in table.by_template.values():
                kinds.update("fixed" if isinstance(i, _FixedCap) else "per option" for i in items)
    # Caps whose groups a template fixes, and caps worked out per option (per achievement,
    # per period, within what the bank recognised), both came up.
    assert kinds == {"fixed", "per option"}
