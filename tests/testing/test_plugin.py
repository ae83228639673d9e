"""The pytest plugin, run in pytester sub-sessions: its fixtures work, it does nothing unless
asked, and the assertion helpers fail with messages a person can act on."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import creditbank
from creditbank.testing import assert_not_recognised, assert_recognised
from creditbank.testing.ledger import MENU
from tests.paths import ROOT

pytest_plugins = ["pytester"]

PLUGIN = "creditbank.testing.plugin"

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


@pytest.fixture
def sub(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A sub-session that loads only the creditbank plugin (as the entry point would)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", PLUGIN, "-p", "no:cacheprovider", *args)


def test_fixtures_give_bundled_standards_a_directory_and_a_ledger(sub: pytest.Pytester) -> None:
    standards = sub.mkdir("my-standards")
    (standards / "s.yaml").write_text(VALID, encoding="utf-8")
    sub.makepyfile(
        test_uses_fixtures="""
        import creditbank
        from creditbank.ledger import Ledger
        from creditbank.testing.ledger import MENU, issuer_of, learner

        def test_bundled(creditbank_standards):
            assert "demo-college:460301" in creditbank_standards.programs
            assert creditbank_standards == creditbank.load_standards(
                creditbank.bundled_standards_path())

        def test_directory(creditbank_standards_dir, creditbank_standards_path):
            assert creditbank_standards_path.name == "my-standards"
            assert set(creditbank_standards_dir.programs) == {"p"}

        def test_ledger(creditbank_ledger, tmp_path):
            assert isinstance(creditbank_ledger, Ledger)
            assert creditbank_ledger.store.path.parent == tmp_path
            creditbank_ledger.open_account("w-1", actor=learner("w-1"), key="k1")
            elec = MENU["elec-l3"]
            creditbank_ledger.deposit("w-1", elec, actor=issuer_of(elec), key="k2")
            assert creditbank_ledger.verify().ok

        def test_each_test_gets_an_empty_ledger(creditbank_ledger):
            assert creditbank_ledger.verify().ok
            creditbank_ledger.open_account("w-1", actor=learner("w-1"), key="k1")
        """
    )
    result = _run(sub, "--creditbank-standards", "my-standards", "-v")
    result.assert_outcomes(passed=4)


def test_the_directory_can_come_from_the_ini_file(sub: pytest.Pytester) -> None:
    (sub.mkdir("standards-here") / "s.yaml").write_text(VALID, encoding="utf-8")
    sub.makeini("[pytest]\ncreditbank_standards = standards-here\n")
    sub.makepyfile(
        """
        def test_directory(creditbank_standards_dir):
            assert "p" in creditbank_standards_dir.programs
        """
    )
    _run(sub).assert_outcomes(passed=1)


def test_without_a_directory_the_test_is_skipped_with_the_reason(sub: pytest.Pytester) -> None:
    sub.makepyfile(
        """
        def test_directory(creditbank_standards_dir):
            raise AssertionError("never runs")
        """
    )
    result = _run(sub, "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*no standards directory: give --creditbank-standards DIR or set creditbank_standards*"]
    )


def test_a_directory_that_does_not_load_fails_with_every_problem(sub: pytest.Pytester) -> None:
    broken = sub.mkdir("broken")
    (broken / "s.yaml").write_text(
        VALID.replace('at_least: "2"', "at_least: 三极"), encoding="utf-8"
    )
    sub.makepyfile(
        """
        def test_directory(creditbank_standards_dir):
            raise AssertionError("never runs")
        """
    )
    result = _run(sub, "--creditbank-standards", "broken")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*the standards in *broken do not load:*", "*s.yaml:*: UNKNOWN_LEVEL*三极*"]
    )


def test_the_plugin_does_nothing_unless_asked(sub: pytest.Pytester) -> None:
    sub.makepyfile(
        """
        def test_plain():
            assert 1 + 1 == 2
        """
    )
    result = _run(sub, "--setup-show")
    result.assert_outcomes(passed=1)
    assert "creditbank_" not in result.stdout.str()  # no fixture of the plugin was set up
    fixtures = _run(sub, "--fixtures")
    for name in ("creditbank_standards", "creditbank_standards_dir", "creditbank_ledger"):
        assert name in fixtures.stdout.str()
    assert "--creditbank-standards=DIR" in _run(sub, "--help").stdout.str()


def test_importing_the_plugin_costs_no_more_than_importing_creditbank() -> None:
    probe = (
        "import sys; import creditbank; before = set(sys.modules); "
        f"import {PLUGIN}; extra = set(sys.modules) - before; "
        "print(sorted(m for m in extra if not m.startswith(('_pytest', 'pytest', 'pluggy', "
        "'iniconfig', 'packaging', 'creditbank.testing', 'exceptiongroup'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    extra = eval(out.stdout)  # a printed list of module names
    assert not [m for m in extra if m.startswith(("hypothesis", "sqlite3", "creditbank.ledger"))]


def test_the_entry_point_names_the_plugin(tmp_path: Path) -> None:
    """pyproject declares it; a distribution with that entry point is picked up by pytest."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {"creditbank": PLUGIN}
    dist = tmp_path / "site" / "creditbank_plugin_probe-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: creditbank-plugin-probe\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(f"[pytest11]\ncreditbank = {PLUGIN}\n", encoding="utf-8")
    (tmp_path / "test_probe.py").write_text(
        "def test_probe(creditbank_standards):\n    assert creditbank_standards.programs\n",
        encoding="utf-8",
    )
    env = {
        "PYTHONPATH": f"{tmp_path / 'site'}:{ROOT}",
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_probe.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


# ------------------------------------------------------------------ assertion messages


def _evaluation() -> creditbank.Evaluation:
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    portfolio = creditbank.Portfolio.model_validate(
        {
            "learner": "w-001",
            "achievements": [MENU["elec-l4"], MENU["elec-l3"], MENU["safety-online"]],
        }
    )
    return creditbank.evaluate(standards, portfolio, "demo-college:460301", dt.date(2026, 11, 29))


def test_helpers_pass_and_return_what_they_checked() -> None:
    evaluation = _evaluation()
    (use,) = assert_recognised(
        evaluation, course="course:electrical-engineering-basics", credits=4, achievement="elec-l3"
    )
    assert use.kind == "exemption" and use.recorded_grade == "60"
    assert len(assert_recognised(evaluation, achievement="elec-l3", credits="6")) == 2
    assert assert_recognised(evaluation, requirement="electives", credits=2)
    decision = assert_not_recognised(
        evaluation, achievement="elec-l4", reason="SUPERSEDED_BY_HIGHER"
    )
    assert decision.unit == "skill:csco2022:6-31-01-03"
    with pytest.raises(TypeError, match="say what should be recognised"):
        assert_recognised(evaluation, credits=4)
    with pytest.raises(ValueError, match="did you mean 'CAP_REACHED'"):
        assert_not_recognised(evaluation, achievement="elec-l4", reason="CAP_REACHD")


def test_assertion_messages_read_well_in_a_failing_sub_session(sub: pytest.Pytester) -> None:
    sub.makepyfile(
        test_messages=textwrap.dedent(
            """
            import datetime as dt
            import creditbank
            from creditbank.testing import assert_not_recognised, assert_recognised
            from creditbank.testing.ledger import MENU

            def evaluation(standards):
                portfolio = creditbank.Portfolio.model_validate({"learner": "w-001",
                    "achievements": [MENU["elec-l4"], MENU["elec-l3"], MENU["safety-online"]]})
                return creditbank.evaluate(
                    standards, portfolio, "demo-college:460301", dt.date(2026, 11, 29))

            def test_wrong_credits(creditbank_standards):
                assert_recognised(evaluation(creditbank_standards),
                                  course="course:electrical-engineering-basics", credits=3)

            def test_superseded_is_not_recognised(creditbank_standards):
                assert_recognised(evaluation(creditbank_standards), achievement="elec-l4")

            def test_nothing_for_the_course(creditbank_standards):
                assert_recognised(evaluation(creditbank_standards), course="course:college-english")

            def test_recognised_after_all(creditbank_standards):
                assert_not_recognised(evaluation(creditbank_standards), achievement="elec-l3")

            def test_another_reason(creditbank_standards):
                assert_not_recognised(evaluation(creditbank_standards), achievement="elec-l4",
                                      reason="CAP_REACHED")

            def test_no_such_achievement(creditbank_standards):
                assert_not_recognised(evaluation(creditbank_standards), achievement="elec-l5")
            """
        )
    )
    result = _run(sub)
    result.assert_outcomes(failed=6)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected 3 credits for course course:electrical-engineering-basics,"
            " but it got 4:",
            "*elec-l3 -> course:electrical-engineering-basics: 4 credits (exemption, rule *,"
            " recorded 60)",
            "*evaluation of demo-college:460301 for w-001 as of 2026-11-29: 8 of 150 credits"
            " recognised",
            "*elec-l4 (skill:csco2022:6-31-01-03@四级): not recognised, SUPERSEDED_BY_HIGHER — *",
            "*elec-l3 (skill:csco2022:6-31-01-03@三级): recognised 6 credits*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected achievement elec-l4 to be recognised, but elec-l4 was not"
            " recognised (SUPERSEDED_BY_HIGHER: *)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected course course:college-english to be recognised, but no"
            " achievement was used for it",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected elec-l3 not to be recognised, but it was: 6 credits",
            "*elec-l3 -> course:*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected elec-l4 not to be recognised because of CAP_REACHED, but"
            " the reason is SUPERSEDED_BY_HIGHER (*): *",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*AssertionError: the evaluation has no achievement 'elec-l5'; did you mean 'elec-l4'?*"]
    )
    # the helpers hide their own frames: the failure points at the test's line
    text = result.stdout.str()
    assert "def assert_recognised" not in text and "__tracebackhide__" not in text


def test_the_readme_worked_example_passes(sub: pytest.Pytester) -> None:
    readme = (ROOT / "docs" / "tutorials" / "test-author.md").read_text(encoding="utf-8")
    section = readme.split("## A worked example", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "# test_my_app.py" in example
    sub.makepyfile(test_my_app=example)
    result = _run(sub)
    result.assert_outcomes(passed=4)
