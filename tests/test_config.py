"""The project configuration (issue 20, item 2): found upwards like pytest's and ruff's,
located errors, option > environment > file > default, and every command says which
standards it used."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditbank import bundled_standards_path
from creditbank.cli import cli
from creditbank.config import find_config, project_config, read_config, settings
from creditbank.errors import LoadError
from tests.paths import ROOT

ELECTRICIAN = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDITBANK_STANDARDS", raising=False)
    monkeypatch.delenv("CREDITBANK_LEDGER", raising=False)


def test_the_nearest_configuration_is_found_from_below(tmp_path: Path) -> None:
    (tmp_path / "creditbank.toml").write_text('lang = "en"\n', encoding="utf-8")
    project = tmp_path / "project"
    deep = project / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "creditbank.toml"
    # a pyproject.toml without [tool.creditbank] is passed over, one with it is taken
    (project / "pyproject.toml").write_text("[tool.ruff]\nline-length = 1\n", encoding="utf-8")
    assert find_config(deep) == tmp_path / "creditbank.toml"
    (project / "pyproject.toml").write_text(
        '[tool.creditbank]\nstandards = ["std", "bundled"]\nprogram = "p"\n', encoding="utf-8"
    )
    assert find_config(deep) == project / "pyproject.toml"
    config = project_config(deep)
    assert config.standards == (str(project / "std"), "bundled")  # relative to the file
    assert (config.program, config.lang) == ("p", None)  # the first file found is the only one
    # creditbank.toml wins over pyproject.toml in the same directory
    (project / "creditbank.toml").write_text('ledger = "bank.db"\n', encoding="utf-8")
    assert project_config(deep).ledger == str(project / "bank.db")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('lang = "en"\nstandard = ["x"]\n', "creditbank.toml:2:1: UNKNOWN_FIELD unknown key"),
        ("program = 460301\n", "creditbank.toml:1:1: WRONG_TYPE program must be"),
        ('  lang = "fr"\n', "creditbank.toml:1:3: INVALID_VALUE lang must be zh or en"),
        ('standards = "a"\nlang = \n', "creditbank.toml:2:8: TOML_SYNTAX not valid TOML"),
        ("standards = [1]\n", "creditbank.toml:1:1: WRONG_TYPE standards must be a list"),
    ],
)
def test_a_bad_file_is_located(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "creditbank.toml").write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_config(tmp_path / "creditbank.toml")
    first = str(caught.value.problems[0])
    assert first.startswith(f"{tmp_path}/{expected}"), first
    if "UNKNOWN_FIELD" in expected:
        assert "did you mean 'standards'?" in first


def test_a_key_in_pyproject_is_located_in_its_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nlang = "x"\n\n[tool.creditbank]\nprogram = "p"\nlang = "de"\n',
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        project_config(tmp_path)
    assert [str(p).split(": ", 1)[0] for p in caught.value.problems] == [
        f"{tmp_path}/pyproject.toml:6:1"
    ]


def test_option_beats_environment_beats_file_beats_default(tmp_path: Path) -> None:
    (tmp_path / "creditbank.toml").write_text(
        'standards = ["std"]\nledger = "postgresql://bank@db/bank"\n', encoding="utf-8"
    )
    env = {"CREDITBANK_STANDARDS": "env-a:env-b"}
    found = {s.name: s for s in settings({"ledger": "x.db"}, start=tmp_path, environ=env)}
    assert (found["standards"].value, found["standards"].source) == (
        ("env-a", "env-b"),
        "environment",
    )
    assert (found["ledger"].value, found["ledger"].source) == ("x.db", "option")
    assert (found["lang"].value, found["lang"].source) == ("zh", "default")
    found = {s.name: s for s in settings(start=tmp_path, environ={})}
    assert found["standards"].value == (str(tmp_path / "std"),)
    assert found["standards"].origin == str(tmp_path / "creditbank.toml")
    assert found["ledger"].value == "postgresql://bank@db/bank"  # a URL stays as written


def test_edits_to_a_configured_copy_of_the_standards_are_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's scenario: a registrar copies the standards, edits a rule and runs
    `validate` in the project; before, the bundled copy was checked and said "valid"."""
    shutil.copytree(bundled_standards_path(), tmp_path / "standards")
    (tmp_path / "creditbank.toml").write_text(
        'standards = ["standards"]\nprogram = "demo-college:460301"\nlang = "en"\n',
        encoding="utf-8",
    )
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate"])
    assert ok.exit_code == 0, ok.output
    assert f"standards {tmp_path / 'standards'} · fingerprint sha256:" in ok.output
    as_json = json.loads(runner.invoke(cli, ["validate", "--format", "json"]).output)
    assert as_json["standards"]["paths"] == [str(tmp_path / "standards")]
    rules = tmp_path / "standards" / "rules" / "liming.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("kind: rules\n", "kind: rules\nbogus: 1\n"),
        encoding="utf-8",
    )
    broken = runner.invoke(cli, ["validate"])
    assert broken.exit_code == 1
    assert "liming.yaml:" in broken.output and "UNKNOWN_FIELD" in broken.output
    # evaluate takes the programme and the language from the file, and says its standards
    rules.write_text(rules.read_text(encoding="utf-8").replace("bogus: 1\n", ""), encoding="utf-8")
    evaluated = runner.invoke(cli, ["evaluate", str(ELECTRICIAN), "--as-of", "2026-09-01"])
    assert evaluated.exit_code == 0, evaluated.output
    assert evaluated.output.startswith(f"standards {tmp_path / 'standards'} · fingerprint ")
    # the command line still wins
    zh = runner.invoke(
        cli, ["evaluate", str(ELECTRICIAN), "--lang", "zh", "--standards", "bundled"]
    )
    assert zh.output.startswith(f"标准 bundled ({bundled_standards_path()}) · 指纹 sha256:")


def test_config_command_says_where_each_value_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "creditbank.toml").write_text('program = "p"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CREDITBANK_LEDGER", "bank.db")
    result = CliRunner().invoke(cli, ["config", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["file"] == str(tmp_path / "creditbank.toml")
    sources = {s["name"]: (s["value"], s["source"]) for s in payload["settings"]}
    assert sources == {
        "standards": (["bundled"], "default"),
        "program": ("p", "file"),
        "lang": ("zh", "default"),
        "ledger": ("bank.db", "environment"),
    }
    table = CliRunner().invoke(cli, ["config"])
    assert f"configuration: {tmp_path / 'creditbank.toml'}" in table.output
    (tmp_path / "creditbank.toml").write_text("program = [\n", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["config"])
    assert bad.exit_code == 1
    assert "creditbank.toml:2:1: TOML_SYNTAX" in bad.output


def test_config_command_reports_a_standards_layer_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `config` listed a missing layer without a word; only `evaluate` then
    failed with FILE_NOT_FOUND."""
    (tmp_path / "layers").mkdir()
    (tmp_path / "creditbank.toml").write_text(
        'program = "p"\nstandards = ["bundled", "layers", "missing"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CREDITBANK_STANDARDS", raising=False)
    table = CliRunner().invoke(cli, ["config"])
    assert table.exit_code == 1
    where = f"{tmp_path / 'creditbank.toml'}:2:1: FILE_NOT_FOUND"
    assert f"{where} standards layer {tmp_path / 'missing'} does not exist" in table.output
    assert "layers does not exist" not in table.output
    as_json = CliRunner().invoke(cli, ["config", "--format", "json"])
    assert as_json.exit_code == 1
    (problem,) = json.loads(as_json.stdout)["problems"]
    assert problem["code"] == "FILE_NOT_FOUND" and problem["where"].endswith("creditbank.toml:2:1")
    (tmp_path / "missing").mkdir()
    assert CliRunner().invoke(cli, ["config"]).exit_code == 0
