"""The CLI: thin, documented, honest exit codes, never a traceback for bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from creditbank import __version__, bundled_standards_path
from creditbank.cli import cli
from tests.paths import ROOT

PROBLEM_LINE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z_0-9]+) .+")

VALID = """\
kind: standards
example: true
frameworks:
  - id: s
    name: scale
    levels: [{id: "1", rank: 1, name: one}, {id: "2", rank: 2, name: two}]
units:
  - {id: cert, kind: other, name: cert, framework: s}
  - {id: c1, kind: course, name: course, credits: 2}
programs:
  - id: p
    name: programme
    education_level: higher_vocational
    total_credits: 10
    requirements: [{id: core, name: core, kind: required_courses, courses: [c1]}]
rules:
  - id: r
    name: rule
    programs: [p]
    when: {units: [cert], level: {at_least: "2"}}
    then: {kind: exempt_courses, courses: [c1]}
"""


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize(("name", "command"), _commands(cli))
def test_every_command_has_help_and_is_documented(
    runner: CliRunner, name: str, command: click.Command
) -> None:
    assert command.help, f"{name} has no help text"
    result = runner.invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert f"## `creditbank {name}`" in reference, f"docs/reference/cli.md lacks {name}"


def test_validate_bundled_standards_by_default(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDITBANK_STANDARDS", raising=False)
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "valid standards" in result.output
    assert "programmes" in result.output and "rules" in result.output


def test_validate_valid_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(VALID, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "fingerprint sha256:" in result.output


def test_problems_are_located_and_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    broken = VALID.replace("units: [cert]", "units: [cret]").replace(
        'at_least: "2"', 'at_least: "3"'
    )
    path = tmp_path / "s.yaml"
    path.write_text(broken, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    lines = [
        m.groupdict() for line in result.stdout.splitlines() if (m := PROBLEM_LINE.match(line))
    ]
    assert [(d["code"], d["line"]) for d in lines] == [
        ("UNKNOWN_REFERENCE", "20"),
        ("UNKNOWN_LEVEL", "20"),
    ]
    assert "did you mean 'cert'?" in result.stdout
    assert "Traceback" not in result.output


def test_problems_sorted_across_files(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("kind: rules\nitems: []\nextra: 1\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("kind: nonsense\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    files = [
        PROBLEM_LINE.match(line)["file"]
        for line in result.stdout.splitlines()  # type: ignore[index]
        if PROBLEM_LINE.match(line)
    ]
    assert files == sorted(files) and len(files) == 2


def test_missing_path_is_a_located_problem(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "FILE_NOT_FOUND" in result.output


def test_empty_directory_has_no_standards(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "NO_STANDARDS" in result.output


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["validate", "--no-such-option"]).exit_code == 2
    assert runner.invoke(cli, ["schema", "no-such-kind"]).exit_code == 2
    assert runner.invoke(cli, ["no-such-command"]).exit_code == 2


def test_json_report(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(VALID.replace("credits: 2", "credits: -2"), encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert [(p["code"], p["line"]) for p in report["problems"]] == [("NEGATIVE_AMOUNT", 9)]


def test_standards_from_environment(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(VALID, encoding="utf-8")
    result = runner.invoke(cli, ["validate"], env={"CREDITBANK_STANDARDS": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "1 file" in result.output


def test_portfolio_checked_against_standards_option(runner: CliRunner, tmp_path: Path) -> None:
    standards = tmp_path / "standards"
    standards.mkdir()
    (standards / "s.yaml").write_text(VALID, encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(
        "kind: portfolio\nlearner: w1\nachievements:\n"
        "  - {id: a, unit: cert, level: '2', earned_on: 2024-01-01}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "kind: portfolio\nlearner: w1\nachievements:\n"
        "  - {id: a, unit: cert, level: '9', earned_on: 2024-01-01}\n",
        encoding="utf-8",
    )
    ok = runner.invoke(cli, ["validate", "--standards", str(standards), str(good)])
    assert ok.exit_code == 0, ok.output
    assert "valid portfolio" in ok.output
    failed = runner.invoke(cli, ["validate", "--standards", str(standards), str(bad)])
    assert failed.exit_code == 1
    assert "UNKNOWN_LEVEL" in failed.output and ":4:" in failed.output


def test_schema_lists_and_prints_kinds(runner: CliRunner, tmp_path: Path) -> None:
    listing = runner.invoke(cli, ["schema"])
    assert listing.exit_code == 0
    assert {"rules", "units", "programs", "portfolio", "standards"} <= set(listing.output.split())
    printed = runner.invoke(cli, ["schema", "rules"])
    assert json.loads(printed.output)["properties"]["kind"]["const"] == "rules"
    written = runner.invoke(cli, ["schema", "--output", str(tmp_path / "schemas")])
    assert written.exit_code == 0
    assert (tmp_path / "schemas" / "units.schema.json").is_file()


def test_bundled_path_exists() -> None:
    assert bundled_standards_path().is_dir()


def test_every_error_code_is_documented() -> None:
    from creditbank import ERROR_CODES

    reference = (ROOT / "docs" / "reference" / "errors.md").read_text(encoding="utf-8")
    missing = [code for code in ERROR_CODES if f"| `{code}` |" not in reference]
    assert not missing, f"docs/reference/errors.md lacks {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", readme, flags=re.S)
    install_run, install_test = blocks[0].strip(), blocks[1].strip()
    assert "\n" not in install_run and "\n" not in install_test
    assert "pip install ." in install_run and "creditbank" in install_run.split("&&")[-1]
    assert "'.[test]'" in install_test and "pytest" in install_test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_test in ci, ".ci/run must run the README's test command"


def test_readme_yaml_example_loads_with_bundled_standards(tmp_path: Path) -> None:
    from creditbank import load_standards

    readme = (ROOT / "docs" / "file-format.md").read_text(encoding="utf-8")
    block = readme.split("A commented example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "readme-rules.yaml").write_text(block, encoding="utf-8")
    standards = load_standards(bundled_standards_path(), tmp_path)
    assert "readme:x-intermediate" in standards.rules
