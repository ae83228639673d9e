"""All problems of a portfolio at once (issue 20, item 8): a bad date in one achievement
used to hide a mistyped unit, a wrong level and a repeated id in the others until it was
fixed; standards files already report everything in one pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditbank import LoadError, bundled_standards_path, load_portfolio_text, load_standards
from creditbank.cli import cli

PORTFOLIO = """\
kind: portfolio
example: true
learner: w-1
achievements:
  - id: a1
    unit: "skill:csco2022:6-31-01-03"
    level: 三级
    earned_on: 2023-02-30
  - id: a2
    unit: "skill:csco2022:6-31-01-3"
    level: 三级
    earned_on: 2023-06-30
  - id: a3
    unit: "skill:csco2022:6-31-01-03"
    level: 三极
    earned_on: 2023-06-30
  - id: a2
    unit: "training:plc-application-64h"
    earned_on: 2024-04-26
    hours: 64
  - id: a5
    unit: "x:plc-sytem-application-programming"
    level: 中级
    earned_on: 2024-13-01
"""

EXPECTED = [
    ("INVALID_DATE", 8, ("achievements", 0, "earned_on")),
    ("UNKNOWN_REFERENCE", 10, ("achievements", 1, "unit")),
    ("UNKNOWN_LEVEL", 15, ("achievements", 2, "level")),
    ("DUPLICATE_LOCAL_ID", 17, ("achievements", 3, "id")),
    ("UNKNOWN_REFERENCE", 22, ("achievements", 4, "unit")),
    ("INVALID_DATE", 24, ("achievements", 4, "earned_on")),
]


@pytest.fixture(scope="module")
def problems() -> list[tuple[str, int | None, tuple[str | int, ...], str]]:
    standards = load_standards(bundled_standards_path())
    with pytest.raises(LoadError) as caught:
        load_portfolio_text(PORTFOLIO, standards, file="p.yaml")
    return [
        (p.code, p.location.line, tuple(p.location.path), p.message) for p in caught.value.problems
    ]


def test_every_problem_is_reported_in_one_pass(
    problems: list[tuple[str, int | None, tuple[str | int, ...], str]],
) -> None:
    assert [(code, line, path) for code, line, path, _ in problems] == EXPECTED


def test_the_mistyped_unit_gets_a_suggestion(
    problems: list[tuple[str, int | None, tuple[str | int, ...], str]],
) -> None:
    messages = [message for code, _, _, message in problems if code == "UNKNOWN_REFERENCE"]
    assert "did you mean 'skill:csco2022:6-31-01-03'?" in messages[0]
    assert "did you mean 'x:plc-system-application-programming'?" in messages[1]


def test_validate_reports_them_all(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PORTFOLIO, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1
    found = [(p["code"], p["line"]) for p in json.loads(result.stdout)["problems"]]
    assert found == [(code, line) for code, line, _ in EXPECTED]
