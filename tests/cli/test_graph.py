"""``creditbank graph``, ``creditbank query …``, ``creditbank check`` and ``validate --strict``."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner, Result

from creditbank.cli import cli
from tests.paths import ROOT, TEST_CASES

CASES = TEST_CASES / "graph"
ELECTRICIAN = str(ROOT / "examples/portfolios/demo-worker-001-electrician.yaml")
WELDER = str(ROOT / "examples/portfolios/demo-worker-003-welder.yaml")
PLC_X = "x:plc-system-application-programming"
ROBOT_X = "x:industrial-robot-operation-maintenance"
FINDING = re.compile(r"^\S+:\d+:\d+: (error|warning) [A-Z_]+ ")


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CREDITBANK_STANDARDS", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def _clear_failure(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for needle in needles:
        assert needle in result.output, result.output


# ---------------------------------------------------------------------- graph


@pytest.mark.parametrize("fmt", ["graphml", "json", "dot", "mermaid"])
def test_graph_exports_a_programme(runner: CliRunner, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"g.{fmt}"
    result = _ok(
        runner.invoke(cli, ["graph", "--program", "460301", "--format", fmt, "-o", str(out)])
    )
    assert "wrote" in result.stderr
    text = out.read_text(encoding="utf-8")
    if fmt == "graphml":
        graph = nx.read_graphml(io.StringIO(text), force_multigraph=True)
        assert "program:demo-college:460301" in graph
    elif fmt == "json":
        assert "program:demo-college:460301" in {n["id"] for n in json.loads(text)["nodes"]}
    elif fmt == "dot":
        assert '"requirement:demo-college:460301#core" -> "program:demo-college:460301"' in text
    else:
        assert text.startswith("flowchart LR") and "460301 机电一体化技术" in text


def test_graph_whole_and_unit_to_stdout(runner: CliRunner) -> None:
    whole = json.loads(_ok(runner.invoke(cli, ["graph"])).stdout)
    assert len(whole["nodes"]) > 100
    unit = _ok(runner.invoke(cli, ["graph", "--unit", "course:plc-application", "--format", "dot"]))
    assert '"unit:course:electric-machines-control" -> "unit:course:plc-application"' in unit.stdout


def test_graph_svg_with_a_portfolio(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "p.svg"
    args = ["graph", "--program", "demo-college:460301", "--format", "svg"]
    args += ["--portfolio", ELECTRICIAN, "--as-of", "2026-11-29", "--engine", "python"]
    _ok(runner.invoke(cli, [*args, "-o", str(out)]))
    root = ET.fromstring(out.read_bytes())
    text = "".join(root.itertext())
    for achievement in ("elec-l4", "elec-l3", "plc-training", "safety-online"):
        assert achievement in text
    english = _ok(runner.invoke(cli, [*args, "--lang", "en"])).stdout
    assert "Mechatronics Technology" in english and "still missing" in english


def test_graph_svg_of_a_unit(runner: CliRunner) -> None:
    result = _ok(
        runner.invoke(
            cli, ["graph", "--unit", "x:plc-system-application-programming", "--format", "svg"]
        )
    )
    assert ET.fromstring(result.stdout_bytes).tag.endswith("svg")


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["--program", "460399"], 1, "unknown programme '460399'"),
        (["--program", "demo-colege:460301"], 1, "did you mean 'demo-college:460301'?"),
        (["--unit", "course:plc-aplication"], 1, "did you mean 'course:plc-application'?"),
        (["--program", "460301", "--unit", "x"], 2, "not both"),
        (["--format", "svg"], 2, "add --program or --unit"),
        (["--portfolio", ELECTRICIAN, "--program", "460301"], 2, "--format svg"),
        (["--format", "png"], 2, "Invalid value"),
        (
            ["--program", "460301", "--format", "svg", "--portfolio", "nope.yaml"],
            1,
            "FILE_NOT_FOUND",
        ),
    ],
)
def test_graph_bad_input(runner: CliRunner, args: list[str], code: int, needle: str) -> None:
    _clear_failure(runner.invoke(cli, ["graph", *args]), code, needle)


# ---------------------------------------------------------------------- query


def test_query_converts_to_unit_at_level(runner: CliRunner) -> None:
    result = _ok(
        runner.invoke(
            cli,
            ["query", "converts-to", "skill:csco2022:6-31-01-03@三级", "--program", "460301"],
        )
    )
    assert "liming:electrician-level-3" in result.stdout and "电工技术基础" in result.stdout
    data = json.loads(
        _ok(
            runner.invoke(
                cli,
                [
                    "query",
                    "converts-to",
                    "x:plc-system-application-programming",
                    "--level",
                    "初级",
                    "--program",
                    "460301",
                    "--format",
                    "json",
                ],
            )
        ).stdout
    )
    assert data == [
        {
            "unit": "x:plc-system-application-programming",
            "rule": "r4:plc:elementary",
            "program": "demo-college:460301",
            "kind": "exemption",
            "targets": ["course:electrical-engineering-basics"],
            "requirements": ["foundation"],
            "credits": "4",
            "ceiling": "3",
            "stated": "4",
            "levels": "初级",
            "conditions": [],
            "combination": None,
            "chain": [],
            "effective_from": None,
            "effective_until": None,
            "conditions_zh": [],
        }
    ]
    table = _ok(
        runner.invoke(
            cli,
            [
                "query",
                "converts-to",
                "x:plc-system-application-programming@初级",
                "--program",
                "460301",
                "--lang",
                "en",
            ],
        )
    )
    assert "refused (R3)" in table.stdout


def test_query_converts_to_an_achievement(runner: CliRunner) -> None:
    result = _ok(
        runner.invoke(cli, ["query", "converts-to", "plc-training", "--portfolio", ELECTRICIAN])
    )
    assert "liming:plc-training" in result.stdout and "moe-2019-13:training-hours" in result.stdout


def test_query_leads_into_equivalents_and_occupation(runner: CliRunner) -> None:
    into = _ok(runner.invoke(cli, ["query", "leads-into", "course:plc-application"]))
    assert "先修课程：电机与电气控制" in into.stdout
    programme = json.loads(
        _ok(runner.invoke(cli, ["query", "leads-into", "460301", "--format", "json"])).stdout
    )
    assert programme["kind"] == "program" and programme["target"] == "demo-college:460301"
    same = _ok(runner.invoke(cli, ["query", "equivalents", "skill:csco2022:6-31-07-01"]))
    assert "skill:csco2015:6-31-01-10" in same.stdout and "同一成果" in same.stdout
    editions = _ok(runner.invoke(cli, ["query", "occupation", "6-31-01-10"]))
    assert "机电设备维修工" in editions.stdout and "csco2022:6-31-07-01" in editions.stdout
    assert "different occupations" in editions.stdout
    data = json.loads(
        _ok(runner.invoke(cli, ["query", "occupation", "电工", "--format", "json"])).stdout
    )
    assert data["editions"][0]["id"] == "csco2022:6-31-01-03"


def test_query_pathway(runner: CliRunner) -> None:
    args = ["query", "pathway", WELDER, "--program", "460301", "--as-of", "2026-11-29"]
    plain = _ok(runner.invoke(cli, args))
    assert "最省力路径" in plain.stdout and "--cost" in plain.stdout
    costed = json.loads(
        _ok(
            runner.invoke(
                cli,
                [
                    *args,
                    "--cost",
                    "x:industrial-robot-operation-maintenance@高级=60",
                    "--format",
                    "json",
                ],
            )
        ).stdout
    )
    obtained = [s for s in costed["steps"] if s["action"] == "obtain"]
    assert [(s["unit"], s["level"], s["hours"]) for s in obtained] == [
        ("x:industrial-robot-operation-maintenance", "advanced", "60")
    ]
    assert costed["complete"] is True and costed["exhaustive"] is True


def test_query_pathway_with_the_largest_cost_accepted(runner: CliRunner) -> None:
    """Costs are read as the standards read hours (at most 2 places, below 10^12: larger
    ones are refused above, where 1e40 once crashed the JSON output) and shown exactly."""
    args = ["query", "pathway", ELECTRICIAN, "--program", "460301", "--as-of", "2026-11-29"]
    args += ["--cost", f"{ROBOT_X}=999999999999.99", "--format", "json"]
    data = json.loads(_ok(runner.invoke(cli, args)).stdout)
    assert "999999999999.99" in {c["hours"] for c in data["candidates"]}
    assert not [s for s in data["steps"] if s["action"] == "obtain"]


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (
            ["converts-to", "skill:csco2022:6-31-1-03"],
            1,
            "did you mean 'skill:csco2022:6-31-01-03'?",
        ),
        (["converts-to", "skill:csco2022:6-31-01-03@三极"], 1, "did you mean '三级'?"),
        (["converts-to", "elec-l9", "--portfolio", ELECTRICIAN], 1, "did you mean 'elec-l4'?"),
        (
            ["converts-to", "x:plc-system-application-programming", "--program", "1"],
            1,
            "unknown programme",
        ),
        (["leads-into", "460399"], 1, "unknown programme or course '460399'"),
        (["equivalents", "skill:welder"], 1, "unknown unit 'skill:welder'"),
        (["occupation", "6-31-01-99"], 1, "unknown occupation"),
        (["pathway", ELECTRICIAN, "--program", "460399"], 1, "unknown programme '460399'"),
        (["pathway", "missing.yaml", "--program", "460301"], 1, "FILE_NOT_FOUND"),
        (["pathway", ELECTRICIAN, "--program", "460301", "--cost", "x"], 2, "UNIT[@LEVEL]=HOURS"),
        (
            ["pathway", ELECTRICIAN, "--program", "460301", "--cost", f"{ROBOT_X}=1e40"],
            2,
            "implausibly large",
        ),
        (
            ["pathway", ELECTRICIAN, "--program", "460301", "--cost", f"{ROBOT_X}=-5"],
            2,
            "negative",
        ),
        (
            ["pathway", ELECTRICIAN, "--program", "460301", "--cost", f"{ROBOT_X}=1e-40"],
            2,
            "decimal places",
        ),
        (
            ["pathway", ELECTRICIAN, "--program", "460301", "--cost", "x:nope=10"],
            1,
            "unknown unit 'x:nope'",
        ),
        (["pathway", ELECTRICIAN], 2, "Missing option '--program'"),
    ],
)
def test_query_bad_input(runner: CliRunner, args: list[str], code: int, needle: str) -> None:
    _clear_failure(runner.invoke(cli, ["query", *args]), code, needle)


# ---------------------------------------------------------------------- check


def test_check_bundled_standards_passes_with_warnings(runner: CliRunner) -> None:
    result = _ok(runner.invoke(cli, ["check"]))
    lines = result.stdout.splitlines()
    assert lines and all(FINDING.match(line) for line in lines)
    assert all(" warning " in line for line in lines)
    assert "consistency: 2 warnings" in result.stderr


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_check_exit_code_follows_severity(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(cli, ["check", str(path)])
    errors = any(" error " in line for line in result.stdout.splitlines())
    assert result.exit_code == (1 if errors else 0), result.output
    assert result.stdout.strip() and "Traceback" not in result.output


def test_check_json_and_broken_standards(runner: CliRunner, tmp_path: Path) -> None:
    data = json.loads(
        runner.invoke(
            cli, ["check", str(CASES / "prerequisite_cycle.yaml"), "--format", "json"]
        ).stdout
    )
    assert data["valid"] is False and data["errors"] == 1
    assert data["findings"][0]["code"] == "PREREQUISITE_CYCLE"
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: rules\nitems: [{id: r}]\n", encoding="utf-8")
    _clear_failure(runner.invoke(cli, ["check", str(broken)]), 1, "MISSING_FIELD", "fix them first")
    loaded = json.loads(runner.invoke(cli, ["check", str(broken), "--format", "json"]).stdout)
    assert loaded["valid"] is False and loaded["problems"]
    _clear_failure(runner.invoke(cli, ["check", str(tmp_path / "nope")]), 1, "FILE_NOT_FOUND")


def test_validate_strict(runner: CliRunner) -> None:
    plain = _ok(runner.invoke(cli, ["validate"]))
    assert "ORPHAN_UNIT" not in plain.stdout
    strict = _ok(runner.invoke(cli, ["validate", "--strict"]))
    assert "valid standards" in strict.stdout and "warning ORPHAN_UNIT" in strict.stdout
    failing = runner.invoke(cli, ["validate", "--strict", str(CASES / "amplifying_cycle.yaml")])
    _clear_failure(failing, 1, "error CREDIT_AMPLIFYING_CYCLE")
    data = json.loads(
        runner.invoke(
            cli, ["validate", "--strict", "--format", "json", str(CASES / "level_order.yaml")]
        ).stdout
    )
    assert data["valid"] is False and data["findings"][0]["code"] == "LEVEL_ORDER"
    assert "findings" not in json.loads(runner.invoke(cli, ["validate", "--format", "json"]).stdout)
