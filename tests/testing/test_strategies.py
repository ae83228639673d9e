"""Every strategy of ``creditbank.testing.strategies`` passes the library's own validation.

* item strategies: each output validates again from its plain data (``model_validate``) to
  an equal model (their YAML round trip is ``tests/models/test_roundtrip.py``);
* standards strategies: no problem from :func:`creditbank.loading.crosscheck.check_standards`,
  and the YAML of them loads with :func:`creditbank.load_standards`;
* portfolio strategies for given standards: no problem from ``check_portfolio``; evaluated,
  no achievement is refused for being earned after the as-of date or by an unauthorised
  issuer;
* broken files: the loader reports exactly the promised error code.

And "one source of generated data": the tests do not build models with hypothesis
themselves; they draw them from the strategies module.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

import creditbank
from creditbank.engine import Evaluation
from creditbank.ledger.tokens import parse_secret
from creditbank.models import Achievement, Label, Level, Source, Unit
from creditbank.serialize import dump_yaml
from creditbank.testing import portfolio_problems, standards_problems
from creditbank.testing import strategies as cst
from tests.bundled import bundled_standards
from tests.paths import ROOT

BUNDLED = bundled_standards()
FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ITEMS: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "labels": cst.labels,
    "sources": cst.sources,
    "levels": cst.levels,
    "frameworks": cst.frameworks,
    "occupations": cst.occupations,
    "units": cst.units,
    "issuers": cst.issuers,
    "programs": cst.programs,
    "conditions": cst.conditions,
    "targets": cst.targets,
    "rules": cst.rules,
    "caps": cst.caps,
    "grade_scales": cst.grade_scales,
    "period_sets": cst.period_sets,
    "standards_items": cst.standards_items,
    "achievements": cst.achievements,
    "portfolios": cst.portfolios,
}
VALUES: dict[str, tuple[Callable[[], st.SearchStrategy[Any]], Any]] = {
    "ids": (cst.ids, TypeAdapter(creditbank.models.values.Id)),
    "local_ids": (cst.local_ids, TypeAdapter(creditbank.models.values.LocalId)),
    "amounts": (cst.amounts, TypeAdapter(creditbank.models.values.Amount)),
    "credits": (cst.credits, TypeAdapter(creditbank.models.values.Credits)),
    "dates": (cst.dates, TypeAdapter(creditbank.models.values.StrictDate)),
}
STANDARDS: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "standards_sets": cst.standards_sets,
    "scenario_standards": cst.scenario_standards,
    "scenarios": lambda: cst.scenarios().map(lambda case: case[0]),
    "pathway_scenarios": lambda: cst.pathway_scenarios().map(lambda case: case[0]),
    "highest_only_scenarios": lambda: cst.highest_only_scenarios().map(lambda case: case[0]),
}
PORTFOLIOS = {
    "achievements_for",
    "portfolios_for",
    "scenario_portfolios",
    "scenarios",
    "pathway_scenarios",
    "highest_only_scenarios",
}
BROKEN = {"invalid_documents", "invalid_portfolio_documents"}
SECRETS = {"token_secrets"}
JSON = {"json_values"}
BODIES = {"json_bodies"}
REPORT = {"learner_figures"}
CONSTANTS = {
    "REPORT_PROGRAMS",
    "DEFAULT_AS_OF",
    "DOCUMENT_BREAKS",
    "PORTFOLIO_BREAKS",
    "SCENARIO_AS_OF",
    "SCENARIO_PROGRAM",
    "SETS_PROGRAM",
}


def test_every_strategy_is_checked_here() -> None:
    checked = set(ITEMS) | set(VALUES) | set(STANDARDS) | PORTFOLIOS | BROKEN | SECRETS | JSON
    checked |= BODIES | REPORT | CONSTANTS
    assert set(cst.__all__) == checked, "check the new strategy in this file"
    for name in set(cst.__all__) - CONSTANTS:
        doc = getattr(cst, name).__doc__ or ""
        assert doc.strip(), f"strategy {name} has no docstring"


@FEW
@given(cst.learner_figures())
def test_learner_figures_fund_and_complete_only_their_programmes(figures: Any) -> None:
    assert figures.funded <= figures.programs and figures.completed <= figures.programs
    assert all(program in figures.programs for program, _, _ in figures.credits)
    assert figures.programs <= set(cst.REPORT_PROGRAMS)


@FEW
@given(cst.json_values())
def test_json_values_are_json(value: Any) -> None:
    assert json.loads(json.dumps(value)) == value


def test_json_values_reach_nesting_and_tricky_strings() -> None:
    from hypothesis import find

    find(cst.json_values(), lambda v: isinstance(v, list) and any(isinstance(x, dict) for x in v))
    find(cst.json_values(), lambda v: isinstance(v, str) and '"' in v and "[" in v)


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_item_strategies_give_valid_models(name: str) -> None:
    @FEW
    @given(ITEMS[name]())
    def check(value: Any) -> None:
        assert isinstance(value, BaseModel)
        plain = value.model_dump(mode="python")
        model: Any = type(value)
        if isinstance(value, Label | Level | Source):
            assert model.model_validate(plain) == value
        elif name == "units":
            assert TypeAdapter(Unit).validate_python(plain) == value
        else:
            assert model.model_validate(plain) == value

    check()


@pytest.mark.parametrize(
    "kind", ["course", "skill_certificate", "x_certificate", "training", "award", "other"]
)
def test_units_of_each_kind(kind: str) -> None:
    @FEW
    @given(cst.units(kind))  # type: ignore[arg-type]
    def check(unit: Any) -> None:
        assert unit.kind == kind
        assert TypeAdapter(Unit).validate_python(unit.model_dump()) == unit

    check()


@pytest.mark.parametrize("name", sorted(VALUES))
def test_value_strategies_give_valid_values(name: str) -> None:
    strategy, adapter = VALUES[name]

    @FEW
    @given(strategy())
    def check(value: Any) -> None:
        assert adapter.validate_python(value) == value

    check()


def test_token_secrets_are_text_or_bytes_and_reach_well_formed_ones() -> None:
    secret = "cbk_" + "0" * 16 + "_" + "A" * 43

    @FEW
    @given(cst.token_secrets(secret))
    def check(value: object) -> None:
        assert isinstance(value, str | bytes)

    check()
    shaped = find(cst.token_secrets(), lambda v: parse_secret(v) is not None)
    assert isinstance(shaped, str) and shaped.startswith("cbk_")
    near = find(
        cst.token_secrets(secret),
        lambda v: v != secret and isinstance(v, str) and v.startswith(secret[:21]),
    )
    assert parse_secret(near) in (None, "0" * 16)


def test_json_bodies_are_json_and_reach_objects_of_the_fields_given() -> None:
    @FEW
    @given(cst.json_bodies(["account", "reason"]))
    def check(body: object) -> None:
        assert json.loads(json.dumps(body)) == body

    check()
    fields = find(
        cst.json_bodies(["account", "reason"]),
        lambda b: isinstance(b, dict) and set(b) == {"account", "reason"},
    )
    assert set(fields) == {"account", "reason"}
    assert find(cst.json_bodies(), lambda b: isinstance(b, list) and len(b) > 1)


@pytest.mark.parametrize("name", sorted(STANDARDS))
def test_standards_strategies_pass_check_standards(name: str) -> None:
    @FEW
    @given(STANDARDS[name]())
    def check(standards: creditbank.Standards) -> None:
        assert [str(p) for p in standards_problems(standards)] == []

    check()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cst.standards_sets())
def test_standards_sets_load_from_yaml_to_the_same_standards(
    tmp_path_factory: pytest.TempPathFactory, standards: creditbank.Standards
) -> None:
    directory = tmp_path_factory.mktemp("sets")
    for kind, section in {"frameworks": "framework", "units": "unit", "rules": "rule"}.items():
        items = [item for item in standards if item.item_kind == section]
        (directory / f"{kind}.yaml").write_text(
            dump_yaml(creditbank.dump_document(kind, items)), encoding="utf-8"
        )
    rest = [i for i in standards if i.item_kind not in ("framework", "unit", "rule")]
    by_kind: dict[str, list[Any]] = {}
    for item in rest:
        by_kind.setdefault(item.item_kind, []).append(item)
    sections = {
        "occupation": "occupations",
        "issuer": "issuers",
        "program": "programs",
        "cap": "caps",
        "grade_scale": "grade_scales",
        "period_set": "period_sets",
    }
    for kind, items in by_kind.items():
        text = dump_yaml(creditbank.dump_document(sections[kind], items))
        (directory / f"{sections[kind]}.yaml").write_text(text, encoding="utf-8")
    assert creditbank.load_standards(directory).fingerprint() == standards.fingerprint()


_REFUSED = {"NOT_YET_EARNED", "ISSUER_NOT_AUTHORISED"}


def _refusals(evaluation: Evaluation) -> list[str]:
    return [
        f"{d.achievement}: {r.rule} {r.reason}"
        for d in evaluation.decisions
        for r in d.rules
        if r.reason in _REFUSED
    ] + [f"{d.achievement}: {d.reason}" for d in evaluation.decisions if d.reason in _REFUSED]


@FEW
@given(cst.portfolios_for(BUNDLED, as_of=dt.date(2026, 11, 29)))
def test_portfolios_for_the_bundled_standards_are_consistent(
    portfolio: creditbank.Portfolio,
) -> None:
    assert [str(p) for p in portfolio_problems(portfolio, BUNDLED)] == []
    for program in BUNDLED.programs:
        evaluation = creditbank.evaluate(BUNDLED, portfolio, program, dt.date(2026, 11, 29))
        assert _refusals(evaluation) == []


@FEW
@given(cst.standards_sets(), st.data())
def test_portfolios_for_generated_standards_are_consistent(
    standards: creditbank.Standards, data: st.DataObject
) -> None:
    portfolio = data.draw(cst.portfolios_for(standards, max_size=5))
    assert [str(p) for p in portfolio_problems(portfolio, standards)] == []
    evaluation = creditbank.evaluate(standards, portfolio, cst.SETS_PROGRAM, cst.DEFAULT_AS_OF)
    assert _refusals(evaluation) == []
    assert len(evaluation.decisions) == len(portfolio.achievements)


@FEW
@given(cst.achievements_for(BUNDLED, as_of=dt.date(2024, 1, 1), years=3))
def test_achievements_for_respect_the_window(achievement: Achievement) -> None:
    assert dt.date(2021, 1, 1) <= achievement.earned_on <= dt.date(2024, 1, 1)
    assert achievement.expires_on is None or achievement.expires_on >= achievement.earned_on
    assert achievement.unit in BUNDLED.units
    portfolio = creditbank.Portfolio(learner="w", achievements=(achievement,))
    assert portfolio_problems(portfolio, BUNDLED) == []


@FEW
@given(cst.scenarios())
def test_scenario_portfolios_are_consistent(case: Any) -> None:
    standards, portfolio = case
    assert [str(p) for p in portfolio_problems(portfolio, standards)] == []


@pytest.mark.parametrize("name", sorted(cst.DOCUMENT_BREAKS))
def test_invalid_documents_get_exactly_their_error_code(name: str, tmp_path: Path) -> None:
    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cst.invalid_documents(breaks=[name]))
    def check(case: tuple[str, str]) -> None:
        text, code = case
        path = tmp_path / "broken.yaml"
        path.write_text(text, encoding="utf-8")
        codes = {p.code for p in creditbank.load_documents([path]).problems}
        assert codes == {code}, text[:400]

    check()


@pytest.mark.parametrize("name", sorted(cst.PORTFOLIO_BREAKS))
def test_invalid_portfolios_get_exactly_their_error_code(name: str) -> None:
    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cst.invalid_portfolio_documents(BUNDLED, breaks=[name]))
    def check(case: tuple[str, str]) -> None:
        text, code = case
        with pytest.raises(creditbank.LoadError) as error:
            creditbank.load_portfolio_text(text, BUNDLED)
        assert {p.code for p in error.value.problems} == {code}, text

    check()


def test_unknown_breaks_are_refused() -> None:
    @given(cst.invalid_documents(breaks=["no-such-break"]))
    def draw(case: Any) -> None:
        raise AssertionError("never drawn")

    with pytest.raises(ValueError, match="DOCUMENT_BREAKS"):
        draw()
    codes = {code for code, _ in cst.DOCUMENT_BREAKS.values()}
    codes |= {code for code, _ in cst.PORTFOLIO_BREAKS.values()}
    assert codes <= set(creditbank.ERROR_CODES)


def test_property_tests_draw_from_the_strategies_module() -> None:
    """One source of generated data: no test builds models with hypothesis on its own."""
    adhoc = re.compile(r"@st\.composite|st\.builds\(|st\.recursive\(|from_type\(")
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {m.group(0)}" for m in adhoc.finditer(text)]
    assert offenders == []
    for name in ("models/test_roundtrip.py", "engine/test_properties.py", "graph/test_pathway.py"):
        assert "creditbank.testing" in (ROOT / "tests" / name).read_text(encoding="utf-8")
