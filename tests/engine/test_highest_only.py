"""Highest-only, family by family (issue 15 items 1 and 13), against brute force.

Random standards with a few families of certificates on three levels, rules that may value
a lower level more than a higher one (its course is free, its rule gives more), a
highest-only cap per family (``true`` or ``strict``) and sometimes a cap on the total:

* the total is the most any set of options the rules offer can recognise (``true``), or the
  most with every family on its top (``strict``);
* no family counts on a lower level when counting it higher gives the same total (the other
  families as decided): checked by brute force over the options left, floor by floor;
* which level each family counts on does not depend on how the rules' ids are spelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from creditbank import LoadError, bundled_standards_path, load_standards
from creditbank.engine.evaluate import evaluate, plan
from creditbank.models import (
    Cap,
    Portfolio,
    Rule,
    Standards,
)
from creditbank.testing.strategies import (
    SCENARIO_AS_OF,
    SCENARIO_PROGRAM,
    highest_only_scenarios,
)
from tests.engine.highest_only_oracle import check_highest_only
from tests.paths import ROOT

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _levels(
    standards: Standards, portfolio: Portfolio
) -> tuple[dict[str, int], set[str], set[str]]:
    """The level each counted family counts on (the lowest rank among its counted members),
    the achievements set aside below their family's floor, those allowed below its top."""
    made = plan(standards, portfolio, SCENARIO_PROGRAM, SCENARIO_AS_OF)
    counted: dict[str, int] = {}
    for i in made.solution.chosen:
        for achievement in made.options[i].binding:
            fact = made.facts[achievement]
            if fact.rank is None:  # a training bound with a certificate: in no family
                continue
            family = fact.family()
            counted[family] = min(counted.get(family, fact.rank), fact.rank)
    return counted, set(made.superseded), set(made.relaxed_for)


def _check(standards: Standards, portfolio: Portfolio) -> None:
    made = plan(standards, portfolio, SCENARIO_PROGRAM, SCENARIO_AS_OF)
    assume(len(made.candidates) <= 10)
    check_highest_only(standards, portfolio, made)


@SETTINGS
@given(highest_only_scenarios())
def test_highest_only_lowers_a_family_only_where_it_gains(case: Any) -> None:
    _check(*case)


@SETTINGS
@given(highest_only_scenarios(strict=True))
def test_strict_highest_only_never_counts_a_lower_level(case: Any) -> None:
    _check(*case)


@settings(max_examples=150, deadline=None)
@given(highest_only_scenarios())
def test_levels_counted_do_not_depend_on_rule_ids(case: Any) -> None:
    standards, portfolio = case
    renamed = [  # r0, r1 … sort the other way round as z99, z98 …
        item.model_copy(update={"id": f"z{99 - int(item.id[1:])}"})
        if isinstance(item, Rule)
        else item
        for item in standards
    ]
    levels, superseded, relaxed = _levels(standards, portfolio)
    again, superseded_again, relaxed_again = _levels(Standards(renamed), portfolio)
    # Which family fills a contested course may follow the rules' ids (the canonical order,
    # when nothing else tells two achievements apart); the level a family counts on may not.
    assert {f: r for f, r in levels.items() if f in again} == {
        f: r for f, r in again.items() if f in levels
    }
    assert (superseded, relaxed) == (superseded_again, relaxed_again)


def _readme_example(after: str, tmp_path: Path) -> Standards:
    """The bundled standards with the README's first YAML example after ``after``."""
    readme = (ROOT / "docs" / "file-format.md").read_text(encoding="utf-8")
    block = readme.split(after, 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.yaml").write_text(block, encoding="utf-8")
    return load_standards(bundled_standards_path(), tmp_path)


def test_readme_strict_cap_example_loads(tmp_path: Path) -> None:
    """The README's highest-only example loads with the bundled standards, strict."""
    standards = _readme_example("`highest_only: strict` never does:", tmp_path)
    assert standards.caps["readme:same-occupation-highest-only"].highest_only == "strict"


def test_highest_only_values(tmp_path: Path) -> None:
    """`true` keeps its meaning (files written before `strict` load unchanged); anything but
    a boolean or `strict` is an error naming the field."""
    base = {"id": "x", "name": "x", "example": True, "per": "family"}
    assert Cap.model_validate({**base, "highest_only": True}).highest_only is True
    assert Cap.model_validate({**base, "highest_only": "strict"}).highest_only == "strict"
    (tmp_path / "caps.yaml").write_text(
        "kind: caps\nexample: true\nitems:\n"
        "  - {id: 'ex:c', name: c, per: family, highest_only: always}\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        load_standards(bundled_standards_path(), tmp_path)
    assert "highest_only" in str(caught.value)


def test_readme_tie_break_example_loads(tmp_path: Path) -> None:
    standards = _readme_example("A programme may say who wins a tie", tmp_path)
    assert standards.programs["readme:tie-break-example"].tie_break == "latest_earned"


@settings(max_examples=150, deadline=None)
@given(highest_only_scenarios())
def test_every_refusal_names_its_figures(case: Any) -> None:
    """No sentence falls back to an unknown figure ("rule ?"): a combination set aside by
    highest-only names the partner that set it aside (review 15, finding 7)."""
    standards, portfolio = case
    evaluation = evaluate(standards, portfolio, SCENARIO_PROGRAM, SCENARIO_AS_OF)
    for decision in evaluation.decisions:
        for message in (decision.message_zh or "", decision.message_en or ""):
            assert "?" not in message, (decision.achievement, decision.reason, message)
