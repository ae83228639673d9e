"""`creditbank evaluate` and `creditbank whatif`: readable tables, JSON that matches its schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.engine import evaluation_json_schema
from tests.paths import ROOT

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
PROGRAMS = ["demo-college:460301", "demo-college:460304"]
AS_OF = "2026-11-29"


def test_there_are_example_portfolios() -> None:
    assert len(PORTFOLIOS) >= 4


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_evaluate_prints_a_table(portfolio: Path, lang: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF, "--lang", lang],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(
        CliRunner()
        .invoke(
            cli,
            [
                "evaluate",
                str(portfolio),
                "--program",
                PROGRAMS[0],
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ],
        )
        .output
    )
    for decision in data["decisions"]:
        assert decision["achievement"] in result.output
    word = "认定" if lang == "zh" else "recognised"
    assert word in result.output and data["totals"]["recognised"] in result.output


_SPLIT_STANDARDS = """\
kind: standards
example: true
units:
  - {id: "other:ex-big", kind: other, name: 大证书}
  - {id: "other:ex-mod", kind: other, name: 模块}
  - {id: "ex:c-draw", kind: course, name: 制图, credits: 3, course_type: professional_core}
programs:
  - id: "ex:p"
    name: 示例专业
    education_level: higher_vocational
    total_credits: 30
    requirements:
      - {id: core, name: 核心课, kind: required_courses, courses: ["ex:c-draw"], overflow: none}
      - {id: cat, name: 拓展类, kind: category, min_credits: 6, overflow: free}
      - {id: free, name: 任选, kind: elective_pool, min_credits: 6, overflow: none}
rules:
  - id: "ex:big"
    name: 大证书 → 拓展类 10
    programs: ["ex:p"]
    when: {units: ["other:ex-big"]}
    then: {kind: credits, requirement: cat, credits: 10}
  - id: "ex:mod"
    name: 模块 → 制图免修
    programs: ["ex:p"]
    when: {units: ["other:ex-mod"]}
    then: {kind: exempt_courses, courses: ["ex:c-draw"], recorded_grade: {policy: exempt}}
"""

_SPLIT_PORTFOLIO = """\
kind: portfolio
example: true
learner: split
achievements:
  - {id: big, unit: "other:ex-big", earned_on: 2024-01-01}
  - {id: mod, unit: "other:ex-mod", earned_on: 2024-01-01}
"""


def test_evaluate_text_shows_the_overflow_split_and_no_english_in_chinese(tmp_path: Path) -> None:
    """A use whose surplus went on is shown split (``拓展类 +6, 任选 +4 (overflow)``); in Chinese
    the table has no English word (a recorded ``exempt`` is 免修)."""
    (tmp_path / "std").mkdir()
    (tmp_path / "std" / "s.yaml").write_text(_SPLIT_STANDARDS, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(_SPLIT_PORTFOLIO, encoding="utf-8")
    outputs = {}
    for lang in ("zh", "en"):
        result = CliRunner().invoke(
            cli,
            [
                "evaluate",
                str(tmp_path / "p.yaml"),
                "--program",
                "ex:p",
                "--standards",
                "bundled",
                "--standards",
                str(tmp_path / "std"),
                "--as-of",
                AS_OF,
                "--lang",
                lang,
            ],
        )
        assert result.exit_code == 0, result.output
        outputs[lang] = result.output
    # requirements by name (these have Chinese names only, shown in English output too)
    assert "拓展类 +6, 任选 +4 (overflow)" in outputs["en"]
    assert "拓展类 +6, 任选 +4 (溢出转入)" in outputs["zh"]
    assert "(exempt)" in outputs["en"] and "(免修)" in outputs["zh"]
    english = re.findall(
        r"\b(?:recognised|remaining|requirements?|overflow|exempt|credits|"
        r"achievements?|used|satisfied|required)\b",
        outputs["zh"],
    )
    assert english == []


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("program", PROGRAMS)
def test_evaluate_json_validates_against_the_documented_schema(
    portfolio: Path, program: str
) -> None:
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(portfolio), "--program", program, "--as-of", AS_OF, "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    schema = evaluation_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["schema"] == "creditbank.evaluation/1"
    assert data["as_of"] == AS_OF
    for decision in data["decisions"]:
        assert decision["recognised"] == (decision["reason"] is None)
        if not decision["recognised"]:
            assert decision["message_zh"] and decision["message_en"]


def test_schema_command_prints_the_evaluation_schema() -> None:
    result = CliRunner().invoke(cli, ["schema", "evaluation"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == evaluation_json_schema()


def test_catalogue_code_selects_a_unique_programme() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(PORTFOLIOS[0]),
            "--program",
            "460301",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["program"] == "demo-college:460301"


def test_unknown_programme_is_a_clear_error() -> None:
    result = CliRunner().invoke(
        cli, ["evaluate", str(PORTFOLIOS[0]), "--program", "demo-college:46030", "--as-of", AS_OF]
    )
    assert result.exit_code == 1
    assert "unknown programme" in result.output and "did you mean" in result.output
    assert "Traceback" not in result.output


def test_broken_portfolio_gets_located_errors(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "kind: portfolio\nlearner: w\nachievements:\n"
        "  - {id: a, unit: skill:csco2022:6-31-01-3, level: 三级, "
        "earned_on: 2024-01-01}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["evaluate", str(path), "--program", PROGRAMS[0]])
    assert result.exit_code == 1
    assert f"{path}:4:" in result.output and "UNKNOWN_REFERENCE" in result.output
    assert "did you mean 'skill:csco2022:6-31-01-03'" in result.output


def test_bad_date_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        cli, ["evaluate", str(PORTFOLIOS[0]), "--program", PROGRAMS[0], "--as-of", "29.11.2026"]
    )
    assert result.exit_code == 2


def test_earlier_as_of_reproduces_that_day() -> None:
    """An achievement not yet earned on the as-of date is not counted then."""
    late = CliRunner().invoke(
        cli,
        [
            "evaluate",
            str(PORTFOLIOS[0]),
            "--program",
            PROGRAMS[0],
            "--as-of",
            "2000-01-01",
            "--format",
            "json",
        ],
    )
    data = json.loads(late.output)
    assert data["totals"]["recognised"] == "0"
    assert {d["reason"] for d in data["decisions"]} == {"NOT_YET_EARNED"}


def test_whatif_adds_a_hypothetical_certificate() -> None:
    welder = ROOT / "examples" / "portfolios" / "demo-worker-003-welder.yaml"
    base = json.loads(
        CliRunner()
        .invoke(
            cli,
            [
                "evaluate",
                str(welder),
                "--program",
                PROGRAMS[0],
                "--as-of",
                AS_OF,
                "--format",
                "json",
            ],
        )
        .output
    )
    result = CliRunner().invoke(
        cli,
        [
            "whatif",
            str(welder),
            "--program",
            PROGRAMS[0],
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--add",
            "x:industrial-robot-operation-maintenance@中级",
        ],
    )
    assert result.exit_code == 0, result.output
    after = json.loads(result.output)
    assert float(after["totals"]["recognised"]) > float(base["totals"]["recognised"])
    assert any(
        d["achievement"].startswith("whatif:") and d["recognised"] for d in after["decisions"]
    )


def test_whatif_ranks_what_to_obtain() -> None:
    welder = ROOT / "examples" / "portfolios" / "demo-worker-003-welder.yaml"
    result = CliRunner().invoke(
        cli,
        [
            "whatif",
            str(welder),
            "--program",
            PROGRAMS[0],
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--top",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.output)
    assert 0 < len(ranked) <= 5
    # advice: known study hours first, most credit per hour first; then by credit gained
    costed = [r for r in ranked if r["hours"] is not None]
    uncosted = [r for r in ranked if r["hours"] is None]
    assert ranked == costed + uncosted
    per_hour = [float(r["per_hour"]) for r in costed]
    gains = [float(r["gain"]) for r in uncosted]
    assert per_hour == sorted(per_hour, reverse=True)
    assert gains == sorted(gains, reverse=True) and all(float(r["gain"]) > 0 for r in ranked)


@pytest.mark.parametrize(
    "addition",
    [
        "no-such-unit",
        "x:industrial-robot-operation-maintenance@九级",
        "x:industrial-robot-operation-maintenance",
        "@",
    ],
)
def test_whatif_bad_additions_are_clear_errors(addition: str) -> None:
    welder = ROOT / "examples" / "portfolios" / "demo-worker-003-welder.yaml"
    result = CliRunner().invoke(
        cli, ["whatif", str(welder), "--program", PROGRAMS[0], "--add", addition]
    )
    assert result.exit_code == 1, result.output
    assert "error:" in result.output and "Traceback" not in result.output


def test_identifiers_are_printed_as_written_not_as_emoji(tmp_path: Path) -> None:
    """Regression: rich turned ``did:key:`` in a learner id into a key emoji."""
    text = PORTFOLIOS[0].read_text(encoding="utf-8")
    learner = next(line for line in text.splitlines() if line.startswith("learner:"))
    portfolio = tmp_path / "did.yaml"
    portfolio.write_text(
        text.replace(learner, "learner: 'did:key:z6MkExample:smile:'"), encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["evaluate", str(portfolio), "--program", PROGRAMS[0], "--as-of", AS_OF]
    )
    assert result.exit_code == 0, result.output
    assert "did:key:z6MkExample:smile:" in result.output
    assert "\N{KEY}" not in result.output
