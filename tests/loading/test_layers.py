"""Layered standards: a school's fragment on top of the bundled standards (issue 15, item 5).

Each path given to ``load_standards`` (and each ``--standards``) is a layer: a later layer adds
items, and replaces an earlier layer's item of the same kind and id only where it says
``overrides: true``; otherwise the same id twice is ``DUPLICATE_ID`` naming both places. The
compiled cache keys on every layer; ``bundled`` names the bundled standards on the command line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import creditbank
from creditbank.cli.main import cli
from creditbank.loading import discover_files
from creditbank.loading.cache import StandardsCache
from creditbank.loading.yaml_reader import DEFAULT_LIMITS
from tests.paths import ROOT

WELDER = ROOT / "examples/portfolios/demo-worker-003-welder.yaml"
R7 = "r7:national-certificate"
ONE_CERTIFICATE = """\
learner: layered
achievements:
  - {id: welder-3, unit: "skill:csco2022:6-18-02-04", level: 三级, earned_on: 2022-04-15,
     issuer: demo-assessment-centre}
"""

SCHOOL = """\
kind: standards
example: true
units:
  - {id: "course:ex-school-lab", kind: course, name: 示例实训, credits: 2, course_type: practice}
rules:
  - id: "r7:national-certificate"
    overrides: true
    name: 国家级职业技能等级证书 → 2 学分（示例学校）
    programs: ["demo-college:460301", "demo-college:460304"]
    when: {unit_kinds: [skill_certificate], scopes: [national], must_be_valid: true}
    then: {kind: credits, requirement: electives, credits: 2}
"""


def _school(tmp_path: Path, text: str = SCHOOL, name: str = "school") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "school.yaml").write_text(text, encoding="utf-8")
    return folder


def _r7_credits(standards: creditbank.Standards) -> Decimal:
    then = standards.rules[R7].then
    amount = getattr(then, "credits", None)
    assert isinstance(amount, Decimal)
    return amount


def test_a_later_layer_adds_items_and_overrides_where_it_says_so(tmp_path: Path) -> None:
    bundled = creditbank.bundled_standards_path()
    school = _school(tmp_path)
    layered = creditbank.load_standards(bundled, school, cache=False)
    assert _r7_credits(layered) == 2
    assert "course:ex-school-lab" in layered.units
    assert layered.origins[("rule", R7)].file == str(school / "school.yaml")
    assert not layered.rules[R7].overrides  # the marker is not kept: the winner is
    assert len(layered) == len(creditbank.load_standards(bundled, cache=False)) + 1
    # the same as a list, as in the Python example
    assert creditbank.load_standards([bundled, school], cache=False) == layered
    portfolio = creditbank.load_portfolio_text(ONE_CERTIFICATE, layered)
    evaluation = creditbank.evaluate(layered, portfolio, "460301", dt.date(2026, 11, 29))
    uses = [u for d in evaluation.decisions for u in d.uses if u.rule == R7]
    assert uses and all(u.credits == 2 for u in uses)


def test_the_same_id_without_overrides_is_an_error_naming_both_places(tmp_path: Path) -> None:
    school = _school(tmp_path, SCHOOL.replace("    overrides: true\n", ""))
    with pytest.raises(creditbank.LoadError) as caught:
        creditbank.load_standards(creditbank.bundled_standards_path(), school, cache=False)
    (problem,) = caught.value.problems
    assert problem.code == "DUPLICATE_ID"
    assert problem.location.file == str(school / "school.yaml")
    assert "continuing-education-r7-r8.yaml" in problem.message
    assert "overrides: true" in problem.message


def test_overrides_needs_an_earlier_item_in_an_earlier_layer(tmp_path: Path) -> None:
    school = _school(tmp_path)
    with pytest.raises(creditbank.LoadError) as caught:  # the fragment alone: nothing earlier
        creditbank.load_standards(school, cache=False)
    assert {p.code for p in caught.value.problems} >= {"NOTHING_TO_OVERRIDE"}
    (tmp_path / "one").mkdir()  # two R7s in one layer, the second saying `overrides: true`
    (tmp_path / "one" / "a.yaml").write_text(SCHOOL.replace("    overrides: true\n", ""))
    (tmp_path / "one" / "b.yaml").write_text(
        "kind: rules\nexample: true\nitems:\n" + SCHOOL.split("rules:\n", 1)[1]
    )
    with pytest.raises(creditbank.LoadError) as caught:  # one layer: overrides cannot help
        creditbank.load_standards(tmp_path / "one", cache=False)
    codes = {p.code for p in caught.value.problems}
    assert "DUPLICATE_ID" in codes
    assert any("not of its own" in p.message for p in caught.value.problems)


def test_the_cache_keys_on_every_layer(tmp_path: Path) -> None:
    bundled = creditbank.bundled_standards_path()
    school = _school(tmp_path)
    files, problems = discover_files([bundled, school])
    assert not problems
    store = StandardsCache(tmp_path / "cache")
    one_layer = store.key(files, DEFAULT_LIMITS)
    two_layers = store.key(files, DEFAULT_LIMITS, [0] * (len(files) - 1) + [1])
    assert one_layer != two_layers
    first = creditbank.load_standards(bundled, school, cache=tmp_path / "cache")
    again = creditbank.load_standards(bundled, school, cache=tmp_path / "cache")
    assert again == first and _r7_credits(again) == 2
    assert creditbank.load_standards(bundled, cache=tmp_path / "cache") != first


def test_bundled_names_the_bundled_standards_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from creditbank.bundled import (  # new in this change: imported here, the others still run
        BUNDLED,
        ENV_VAR,
        default_standards_paths,
        standards_paths,
    )

    bundled = creditbank.bundled_standards_path()
    assert standards_paths([BUNDLED, "./bundled", tmp_path]) == [
        bundled,
        Path("bundled"),
        tmp_path,
    ]
    monkeypatch.setenv(ENV_VAR, os.pathsep.join([BUNDLED, str(tmp_path)]))
    assert default_standards_paths() == [bundled, tmp_path]
    with pytest.raises(creditbank.CreditbankError, match="2 layers"):
        creditbank.default_standards_path()  # one path cannot stand for two layers
    assert creditbank.default_standards_path(BUNDLED) == bundled
    assert default_standards_paths(["x"]) == [Path("x")]
    monkeypatch.delenv(ENV_VAR)
    assert default_standards_paths() == [bundled]


def test_evaluate_layers_repeated_standards(tmp_path: Path) -> None:
    """A second --standards used to replace the first silently."""
    school = _school(tmp_path)
    learner = tmp_path / "learner.yaml"
    learner.write_text(ONE_CERTIFICATE, encoding="utf-8")
    args = ["evaluate", str(learner), "--program", "460301", "--as-of", "2026-11-29"]
    args += ["--format", "json", "--standards", "bundled", "--standards", str(school)]
    result = CliRunner().invoke(cli, args, env={"CREDITBANK_NO_CACHE": "1"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    uses = [u for d in data["decisions"] for u in d["uses"] if u["rule"] == R7]
    assert uses and {u["credits"] for u in uses} == {"2"}


def test_validate_and_check_take_the_same_layers(tmp_path: Path) -> None:
    school = _school(tmp_path)
    runner = CliRunner(env={"CREDITBANK_NO_CACHE": "1"})
    valid = runner.invoke(cli, ["validate", "bundled", str(school), "--format", "json"])
    assert valid.exit_code == 0, valid.output
    assert json.loads(valid.stdout)["valid"] is True
    reversed_ = runner.invoke(cli, ["validate", str(school), "bundled"])
    assert reversed_.exit_code == 1
    assert "NOTHING_TO_OVERRIDE" in reversed_.stdout and "DUPLICATE_ID" in reversed_.stdout
    checked = runner.invoke(cli, ["check", "--standards", "bundled", "--standards", str(school)])
    assert checked.exit_code == 0, checked.output
    assert "course:ex-school-lab" in checked.stdout  # the fragment was read (an orphan)
    portfolio = runner.invoke(
        cli, ["validate", str(WELDER), "--standards", "bundled", "--standards", str(school)]
    )
    assert portfolio.exit_code == 0, portfolio.output
