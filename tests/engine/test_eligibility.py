"""Eligibility: time is counted by anniversaries, predictions are the first eligible day,
and waiting never takes an eligibility away when only time matters (hypothesis).

The scenarios of each outcome kind are golden cases
(``creditbank/conformance/eligibility_cases``); these are the properties behind them.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import creditbank
from creditbank.engine import eligibility
from creditbank.engine.eligibility import months_between
from creditbank.engine.facts import add_years
from creditbank.errors import LoadError
from creditbank.models import Portfolio, Standards
from tests.bundled import bundled_standards

STANDARDS = bundled_standards()
ELECTRICIAN = "skill:csco2022:6-31-01-03"
DAYS = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2032, 12, 31))
TIME_ONLY = (
    "bridge:sd:engineering:assistant",
    "bridge:sd:engineering:intermediate",
    "bridge:example:engineering:senior",
    "bridge:example:management:workshop",
)
"""Rules whose conditions, once the certificate is held, only time can meet: a level
(never expiring: must_be_valid false), years since it, and work after it in a period
that goes on."""


def _technician(level: str, earned: dt.date, work_from: dt.date) -> Portfolio:
    return Portfolio.model_validate(
        {
            "learner": "prop",
            "profile": {"work": [{"occupation": "csco2022:6-31-01-03", "start": work_from}]},
            "achievements": [
                {
                    "id": "cert",
                    "unit": ELECTRICIAN,
                    "level": level,
                    "earned_on": earned,
                    "issuer": "demo-assessment-centre",
                }
            ],
        }
    )


def _eligible(standards: Standards, portfolio: Portfolio, day: dt.date) -> dict[str, bool]:
    result = eligibility(standards, portfolio, day, ("title",))
    return {o.rule: o.eligible for o in result.outcomes}


@settings(max_examples=60, deadline=None)
@given(
    level=st.sampled_from(["三级", "二级", "一级"]),
    earned=DAYS,
    work_from=DAYS,
    first=DAYS,
    later=st.integers(min_value=0, max_value=3000),
)
def test_waiting_never_takes_eligibility_away_when_only_time_matters(
    level: str, earned: dt.date, work_from: dt.date, first: dt.date, later: int
) -> None:
    portfolio = _technician(level, earned, work_from)
    before = _eligible(STANDARDS, portfolio, first)
    after = _eligible(STANDARDS, portfolio, first + dt.timedelta(days=later))
    for rule in TIME_ONLY:
        assert not before[rule] or after[rule], rule


@settings(max_examples=60, deadline=None)
@given(level=st.sampled_from(["三级", "二级", "一级"]), earned=DAYS, work_from=DAYS, day=DAYS)
def test_the_predicted_day_is_the_first_eligible_day(
    level: str, earned: dt.date, work_from: dt.date, day: dt.date
) -> None:
    portfolio = _technician(level, earned, work_from)
    result = eligibility(STANDARDS, portfolio, day, ("title",))
    for outcome in result.outcomes:
        if outcome.eligible_from is None:
            continue
        assert not outcome.eligible
        assert outcome.eligible_from > day
        on = eligibility(STANDARDS, portfolio, outcome.eligible_from, ("title",))
        assert on.outcome(outcome.rule).eligible, outcome.rule
        before = eligibility(
            STANDARDS, portfolio, outcome.eligible_from - dt.timedelta(days=1), ("title",)
        )
        assert not before.outcome(outcome.rule).eligible, outcome.rule
    for rule in TIME_ONLY:
        got = result.outcome(rule)
        held = earned <= day  # a certificate held, of any of these levels: only time is missing
        if not got.eligible and held and got.unmet[0].code in {"YEARS_TOO_FEW", "WORK_TOO_SHORT"}:
            assert got.eligible_from is not None, rule


def _worker(periods: list[tuple[dt.date, int | None]]) -> Portfolio:
    work = [
        {"sector": "C38", "start": start, **({} if n is None else {"end": start + dt.timedelta(n)})}
        for start, n in periods
    ]
    return Portfolio.model_validate({"learner": "w", "profile": {"work": work}})


WORK_RULE = {
    "kind": "standards",
    "eligibility": [
        {
            "id": "prop:work",
            "name": "work",
            "example": True,
            "outcome": {"kind": "funding", "program": "demo-college:460301", "scheme": "t"},
            "when": {"work": {"years": 2, "months": 6, "sectors": ["C"]}},
        }
    ],
}


@pytest.fixture(scope="module")
def work_standards(tmp_path_factory: pytest.TempPathFactory) -> Standards:
    path = tmp_path_factory.mktemp("work") / "rule.yaml"
    path.write_text(yaml.safe_dump(WORK_RULE, allow_unicode=True), encoding="utf-8")
    return creditbank.load_standards(creditbank.bundled_standards_path(), path)


@settings(max_examples=60, deadline=None)
@given(
    periods=st.lists(
        st.tuples(DAYS, st.one_of(st.none(), st.integers(min_value=0, max_value=900))),
        min_size=1,
        max_size=4,
    ),
    day=DAYS,
)
def test_work_in_periods_with_breaks_predicts_the_first_day(
    work_standards: Standards, periods: list[tuple[dt.date, int | None]], day: dt.date
) -> None:
    portfolio = _worker(periods)
    got = eligibility(work_standards, portfolio, day, ("funding",)).outcome("prop:work")
    if got.eligible_from is not None:
        on = eligibility(work_standards, portfolio, got.eligible_from, ("funding",))
        before = eligibility(
            work_standards, portfolio, got.eligible_from - dt.timedelta(1), ("funding",)
        )
        assert on.outcome("prop:work").eligible
        assert not before.outcome("prop:work").eligible
    elif not got.eligible:
        # no date: the periods end before enough days are worked
        assert all(n is not None for _, n in periods)


@given(start=DAYS, day=DAYS)
def test_months_between_counts_anniversaries(start: dt.date, day: dt.date) -> None:
    months = months_between(start, day)
    if day < start:
        assert months == 0
    else:
        assert add_years(start, 0, months) <= day < add_years(start, 0, months + 1)


def test_29_february_falls_back_to_28_february() -> None:
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert months_between(dt.date(2024, 2, 29), dt.date(2025, 2, 27)) == 11
    assert months_between(dt.date(2024, 2, 29), dt.date(2025, 2, 28)) == 12


def test_an_unknown_occupation_in_the_profile_is_a_located_problem() -> None:
    text = (
        "learner: w\nprofile:\n  work:\n    - {occupation: 'csco2022:6-31-01-99', "
        "start: 2020-01-01}\n"
    )
    with pytest.raises(LoadError) as caught:
        creditbank.load_portfolio_text(text, STANDARDS, file="p.yaml")
    problems = caught.value.problems
    assert [p.code for p in problems] == ["UNKNOWN_REFERENCE"]
    assert problems[0].location is not None and problems[0].location.line == 4


def test_the_result_is_json_with_a_versioned_schema() -> None:
    portfolio = _technician("二级", dt.date(2024, 3, 1), dt.date(2015, 1, 1))
    result = eligibility(STANDARDS, portfolio, dt.date(2026, 12, 7))
    assert result.to_json().count('"schema": "creditbank.eligibility/1"') == 1
    assert result.kinds == ("title", "admission", "funding")
    assert {o.kind for o in result.outcomes} == {"title", "admission", "funding"}


def test_no_qualifying_achievement_names_what_the_rule_asks_for() -> None:
    """Review note: NO_QUALIFYING_ACHIEVEMENT did not say which unit or level is wanted."""
    worker = _technician("二级", dt.date(2024, 3, 1), dt.date(2015, 1, 1))
    result = eligibility(STANDARDS, worker, dt.date(2026, 12, 7), ("admission",))
    unmet = result.outcome("admit:demo-college:460301:exam-free-award").unmet[0]
    assert unmet.code == "NO_QUALIFYING_ACHIEVEMENT"
    assert "award:demo-national-skills-competition" in unmet.en
    assert "award:demo-provincial-skills-competition 一等奖" in unmet.zh
    assert unmet.en.endswith("award:demo-provincial-skills-competition at First prize)")


def test_english_sentences_name_levels_in_english_and_the_detail_keeps_them() -> None:
    worker = _technician("二级", dt.date(2024, 3, 1), dt.date(2015, 1, 1))
    result = eligibility(STANDARDS, worker, dt.date(2026, 12, 7), ("title",))
    low = result.outcome("bridge:example:engineering:senior").unmet[0]
    assert low.code == "LEVEL_TOO_LOW" and low.detail["level"] == "二级"
    assert "Level 2 is below the Level 1" in low.en and "二级" in low.zh
    title = result.outcome("bridge:example:title-to-skill:electrician").unmet
    assert "intermediate grade or higher" in next(u.en for u in title if u.code == "TITLE_NOT_HELD")
