"""The learner profile: optional, typed, every bad field reported at once with its place,
and never a personal identifier (身份证号)."""

from __future__ import annotations

from pathlib import Path

import pytest

import creditbank
from creditbank.errors import LoadError
from creditbank.models import Portfolio, Profile
from tests.bundled import bundled_standards
from tests.paths import ROOT

STANDARDS = bundled_standards()

BAD = """learner: w-1
profile:
  education: college
  region: "4403001"
  work:
    - {employer: "w440306199001011236", sector: Z9, start: 2020-01-01}
"""


def test_every_bad_field_is_reported_at_once_with_its_line() -> None:
    with pytest.raises(LoadError) as caught:
        creditbank.load_portfolio_text(BAD, STANDARDS, file="p.yaml")
    found = [(p.code, p.location.line if p.location else None) for p in caught.value.problems]
    assert found == [
        ("INVALID_VALUE", 3),
        ("INVALID_VALUE", 4),
        ("PERSONAL_IDENTIFIER", 6),
        ("INVALID_VALUE", 6),
    ]
    assert "440306199001011236" not in "\n".join(map(str, caught.value.problems))


def test_work_that_ends_before_it_starts_is_refused() -> None:
    text = "learner: w\nprofile:\n  work:\n    - {start: 2020-01-01, end: 2019-12-31}\n"
    with pytest.raises(LoadError) as caught:
        creditbank.load_portfolio_text(text, STANDARDS, file="p.yaml")
    assert [p.code for p in caught.value.problems] == ["DATE_RANGE_REVERSED"]


def test_a_portfolio_without_a_profile_loads_as_before() -> None:
    portfolio = Portfolio.model_validate({"learner": "w", "achievements": []})
    assert portfolio.profile is None
    assert "profile" not in portfolio.model_dump(exclude_defaults=True)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples" / "portfolios").glob("*.yaml")), ids=lambda p: p.stem
)
def test_the_example_portfolios_load_and_round_trip(path: Path) -> None:
    portfolio = creditbank.load_portfolio(path, STANDARDS)
    again = Portfolio.model_validate(portfolio.model_dump(mode="json"))
    assert again == portfolio


def test_some_example_portfolios_have_a_profile() -> None:
    paths = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
    profiles = [creditbank.load_portfolio(p, STANDARDS).profile for p in paths]
    assert sum(p is not None for p in profiles) >= 3


def test_region_and_sector_are_codes_not_addresses() -> None:
    good = Profile.model_validate(
        {"region": "44", "work": [{"sector": "C3812", "start": "2020-01-01"}]}
    )
    assert good.region == "44"
    for bad in (
        {"region": "广东省深圳市"},
        {"work": [{"sector": "制造业", "start": "2020-01-01"}]},
    ):
        with pytest.raises(ValueError, match=r"not an"):
            Profile.model_validate(bad)


def test_the_schema_knows_the_profile_and_the_eligibility_kind() -> None:
    portfolio = creditbank.json_schema("portfolio")
    assert "profile" in portfolio["properties"]
    assert creditbank.json_schema("eligibility")["properties"]["kind"]["const"] == "eligibility"
