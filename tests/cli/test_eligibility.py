"""`creditbank eligibility`: a table or versioned JSON for every example portfolio; the
library decides, the command prints."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.engine import eligibility_json_schema
from creditbank.graph.where import where_json_schema
from tests.paths import ROOT

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
AS_OF = "2026-12-07"


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_every_example_portfolio_gets_eligibility_results(portfolio: Path) -> None:
    run = CliRunner().invoke(
        cli, ["eligibility", str(portfolio), "--as-of", AS_OF, "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    jsonschema.validate(data, eligibility_json_schema())
    assert data["schema"] == "creditbank.eligibility/1"
    assert data["as_of"] == AS_OF
    assert {o["kind"] for o in data["outcomes"]} == {"title", "admission", "funding"}


def test_the_electrician_may_apply_for_assistant_engineer() -> None:
    path = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
    run = CliRunner().invoke(
        cli, ["eligibility", str(path), "--as-of", AS_OF, "--for", "title", "--format", "json"]
    )
    outcomes = {o["rule"]: o for o in json.loads(run.output)["outcomes"]}
    assert {o["kind"] for o in outcomes.values()} == {"title"}
    assert outcomes["bridge:sd:engineering:assistant"]["eligible"] is True
    assert outcomes["bridge:sd:engineering:assistant"]["uses"] == ["elec-l3"]
    assert outcomes["bridge:sd:engineering:intermediate"]["unmet"][0]["code"] == "LEVEL_TOO_LOW"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_table_shows_a_future_date(tmp_path: Path, lang: str) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        "learner: t\nprofile:\n  work:\n    - {occupation: 'csco2022:6-31-01-03', "
        "start: 2015-01-01}\nachievements:\n  - {id: tech, unit: 'skill:csco2022:6-31-01-03', "
        "level: 二级, earned_on: 2024-03-01, issuer: demo-assessment-centre}\n",
        encoding="utf-8",
    )
    run = CliRunner().invoke(
        cli,
        ["eligibility", str(portfolio), "--as-of", AS_OF, "--for", "title", "--lang", lang],
        terminal_width=200,
    )
    assert run.exit_code == 0, run.output
    assert ("2027-03-01 起" if lang == "zh" else "from 2027-03-01") in run.output
    assert "WORK_TOO_SHORT" in run.output


def test_a_bad_portfolio_is_located_problems_and_exit_1(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text("learner: t\nprofile: {education: college}\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["eligibility", str(portfolio), "--as-of", AS_OF])
    assert run.exit_code == 1
    assert f"{portfolio}:2:22: INVALID_VALUE" in run.output


TECHNICIAN = (
    "learner: t\nprofile:\n  work:\n    - {occupation: 'csco2022:6-31-01-03', "
    "start: 2015-01-01}\nachievements:\n  - {id: tech, unit: 'skill:csco2022:6-31-01-03', "
    "level: 二级, earned_on: 2024-03-01, issuer: demo-assessment-centre}\n"
)


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_every_example_portfolio_gets_a_where_answer(portfolio: Path) -> None:
    run = CliRunner().invoke(
        cli, ["eligibility", str(portfolio), "--where", "--as-of", AS_OF, "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    jsonschema.validate(data, where_json_schema())
    assert data["schema"] == "creditbank.tracks/1"
    assert data["held"], "every example worker holds a skill level"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_where_table_in_one_language(tmp_path: Path, lang: str) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(TECHNICIAN, encoding="utf-8")
    run = CliRunner().invoke(
        cli,
        ["eligibility", str(portfolio), "--where", "--as-of", AS_OF, "--lang", lang],
        env={"COLUMNS": "240"},
    )
    assert run.exit_code == 0, run.output
    if lang == "zh":
        assert "二级（技师）" in run.output and "2027-03-01 起" in run.output
        assert "工程 中级" in run.output
    else:
        assert "Level 2" in run.output and "from 2027-03-01" in run.output
        assert "engineering, intermediate grade" in run.output
        assert "工程" not in run.output and "技师）" not in run.output
    assert "WORK_TOO_SHORT" in run.output


def test_where_refuses_other_outcome_kinds(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(TECHNICIAN, encoding="utf-8")
    run = CliRunner().invoke(cli, ["eligibility", str(portfolio), "--where", "--for", "funding"])
    assert run.exit_code == 2 and "--where" in run.output


def test_english_table_names_levels_and_rules_in_english(tmp_path: Path) -> None:
    """Review note: `--lang en` showed Chinese levels (二级) and no rule names in English."""
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(TECHNICIAN, encoding="utf-8")
    run = CliRunner().invoke(
        cli,
        ["eligibility", str(portfolio), "--as-of", AS_OF, "--lang", "en"],
        env={"COLUMNS": "300"},
    )
    assert run.exit_code == 0, run.output
    for chinese_level in ("二级", "一级", "中级"):
        assert chinese_level not in run.output
    assert "Level 2 is below the Level 1" in run.output
    assert "skill assessment at Level 2" in run.output
    assert "Technician plus 3 years → may apply for engineer" in run.output


def test_a_rule_named_only_in_chinese_says_so_in_english() -> None:
    from creditbank.cli.eligibility import rule_name
    from creditbank.engine import OutcomeResult

    row = OutcomeResult.model_validate(
        {
            "rule": "r",
            "name": "示例",
            "name_zh": "示例",
            "kind": "funding",
            "example": True,
            "eligible": True,
            "outcome": {"kind": "funding", "program": "p", "scheme": "s"},
        }
    )
    assert rule_name(row, "en") == "示例 (name in Chinese only)"
    assert rule_name(row, "zh") == "示例"


def test_eligible_rows_of_profile_only_rules_say_why(tmp_path: Path) -> None:
    """Review note: rows of rules with profile conditions only showed no reason at all."""
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text(
        TECHNICIAN.replace("profile:\n", "profile:\n  education: senior_secondary\n"),
        encoding="utf-8",
    )
    run = CliRunner().invoke(
        cli,
        ["eligibility", str(portfolio), "--as-of", AS_OF, "--for", "admission"],
        env={"COLUMNS": "300"},
    )
    assert run.exit_code == 0, run.output
    row = next(
        line for line in run.output.splitlines() if "admit:demo-college:460301:exam " in line
    )
    assert "满足：学历" in row


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_json_names_are_in_the_language_asked_for(lang: str) -> None:
    """Regression: `name` was both languages joined whatever --lang said."""
    electrician = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
    args = ["eligibility", str(electrician), "--as-of", AS_OF, "--format", "json", "--lang", lang]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, eligibility_json_schema())
    for outcome in document["outcomes"]:
        assert outcome["name_zh"] or outcome["name_en"]
        wanted = outcome["name_zh"] if lang == "zh" else outcome["name_en"]
        assert outcome["name"] == (wanted or outcome["name_zh"] or outcome["name_en"])


def test_the_tracks_schema_is_listed() -> None:
    result = CliRunner().invoke(cli, ["schema", "tracks"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(where_json_schema()))
