"""What-if that advises (issue 20, item 7): ``suggest`` lists distinct options, the lowest
level that gives a gain, ranked by credit per hour of study where hours are known; levels
are accepted by their Chinese names and a mistyped one gets a suggestion."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbank import (
    Achievement,
    EvaluationError,
    Portfolio,
    bundled_standards_path,
    load_portfolio,
    load_standards,
)
from creditbank.engine import hypothetical, suggest
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Standards
from tests.paths import ROOT

DAY = dt.date(2026, 11, 29)
PROGRAMS = ("demo-college:460301", "demo-college:460304")
PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("demo-worker-*.yaml"))


@cache
def _standards() -> Standards:
    return load_standards(bundled_standards_path())


@cache
def _achievements() -> tuple[Achievement, ...]:
    return tuple(a for p in PORTFOLIOS for a in load_portfolio(p, _standards()).achievements)


def _rank(unit: str, level: str | None) -> int:
    framework = unit_framework(_standards(), unit)
    found = framework.level(level) if framework is not None and level else None
    return found.rank if found is not None else 0


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chosen=st.sets(st.integers(min_value=0, max_value=len(PORTFOLIOS) * 8), max_size=4),
    program=st.sampled_from(PROGRAMS),
    top=st.integers(min_value=1, max_value=12),
)
def test_no_option_is_dominated_by_a_lower_level_of_the_same_unit(
    chosen: set[int], program: str, top: int
) -> None:
    pool = _achievements()
    picked = {pool[i % len(pool)].id: pool[i % len(pool)] for i in chosen}
    portfolio = Portfolio(learner="w-prop", achievements=tuple(picked.values()))
    options = suggest(_standards(), portfolio, program, DAY)
    shown = options[:top]
    for option in shown:
        lower = [
            o
            for o in options
            if o.unit == option.unit
            and _rank(o.unit, o.level) < _rank(option.unit, option.level)
            and o.gain >= option.gain
        ]
        assert lower == [], (option, lower)
    pairs = [(o.unit, o.level) for o in options]
    assert len(pairs) == len(set(pairs))
    costed = [o for o in options if o.per_hour is not None]
    assert options[: len(costed)] == costed  # known effort first …
    assert [o.per_hour for o in costed] == sorted((o.per_hour for o in costed), reverse=True)
    rest = options[len(costed) :]
    assert [o.gain for o in rest] == sorted((o.gain for o in rest), reverse=True)


def test_the_same_certificate_is_not_listed_at_every_level() -> None:
    empty = Portfolio(learner="nobody")
    options = suggest(_standards(), empty, PROGRAMS[0], DAY)
    units = [o.unit for o in options]
    # before: 6-31-07-01 came at 一级, 二级, 三级 and 四级, all +4 and no hours
    assert units.count("skill:csco2022:6-31-07-01") == 1


@pytest.mark.parametrize(
    ("written", "level"), [("中级", "intermediate"), ("intermediate", "intermediate")]
)
def test_levels_by_their_chinese_names(written: str, level: str) -> None:
    made = hypothetical(_standards(), "x:plc-system-application-programming", written, DAY)
    assert made.level == level


def test_a_mistyped_level_gets_a_suggestion() -> None:
    with pytest.raises(EvaluationError) as caught:
        hypothetical(_standards(), "x:plc-system-application-programming", "中极", DAY)
    assert caught.value.code == "UNKNOWN_LEVEL"
    assert "did you mean '中级'?" in str(caught.value)
    assert "intermediate (中级)" in str(caught.value)
