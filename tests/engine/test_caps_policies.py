"""Capacity and cap policies of issue 15: the programme's periods, overflow and the programme
total, guaranteed minimums, caps measured on the source qualification."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from creditbank import LoadError, load_standards
from creditbank.graph.checks import run_checks
from creditbank.models import Program
from tests.paths import ROOT

_PERIOD_CAP = """\
kind: standards
example: true
units:
  - {id: "other:ex-cert", kind: other, name: 示例证书}
programs:
  - id: "ex:p"
    name: 示例专业
    education_level: higher_vocational
    total_credits: 60
    requirements:
      - {id: electives, name: 选修学分, kind: elective_pool, min_credits: 20}
caps:
  - id: "ex:one-per-year"
    name: 每学年至多一个证书
    programs: ["ex:p"]
    per: period
    max_count: 1
"""


def test_a_per_period_cap_needs_the_programmes_periods(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(_PERIOD_CAP, encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        load_standards(tmp_path)
    [problem] = raised.value.problems
    assert problem.code == "MISSING_FIELD"
    assert "'ex:p' declares no `periods`" in problem.message
    assert problem.location.line == 16  # the cap's `per: period`


_OVER_TOTAL = """\
kind: standards
example: true
programs:
  - id: "ex:p"
    name: 示例专业
    education_level: higher_vocational
    total_credits: 20
    requirements:
      - {id: electives, name: 选修学分, kind: elective_pool, min_credits: 10, max_credits: 24}
caps:
  - id: "ex:at-most-30"
    name: 至多30学分
    programs: ["ex:p"]
    max_credits: 30
  - id: "ex:at-most-8"
    name: 至多8学分
    programs: ["ex:p"]
    max_credits: 8
"""


def test_check_warns_of_a_max_credits_above_the_programme_total(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(_OVER_TOTAL, encoding="utf-8")
    found = [f for f in run_checks(load_standards(tmp_path)) if f.code == "EXCEEDS_PROGRAM_TOTAL"]
    assert sorted(f.involved[0].kind for f in found) == ["cap", "program"]
    assert all(f.severity == "warning" for f in found)
    assert any("'ex:at-most-30' allows 30 credits" in f.message for f in found)
    assert any("'electives' of programme 'ex:p' takes at most 24" in f.message for f in found)


def test_overflow_must_name_a_requirement_and_move_one_step() -> None:
    base = {
        "id": "ex:p",
        "name": "示例专业",
        "education_level": "higher_vocational",
        "total_credits": 20,
        "example": True,
    }
    a = {"id": "a", "name": "A", "kind": "category", "min_credits": 4}
    with pytest.raises(ValidationError, match="overflow 'nowhere'"):
        Program.model_validate({**base, "requirements": [{**a, "overflow": "nowhere"}]})
    chain = [
        {**a, "overflow": "b"},
        {"id": "b", "name": "B", "kind": "category", "min_credits": 4, "overflow": "c"},
        {"id": "c", "name": "C", "kind": "category", "min_credits": 4},
    ]
    with pytest.raises(ValidationError, match="surplus moves one step"):
        Program.model_validate({**base, "requirements": chain})
    program = Program.model_validate({**base, "overflow": "a", "requirements": [*chain[2:], a]})
    assert program.overflow_of("c") == "a"
    assert program.overflow_of("a") == "total"  # the programme's overflow never names itself


def test_the_readme_example_of_capacities_and_caps_loads(tmp_path: Path) -> None:
    readme = (ROOT / "docs" / "file-format.md").read_text(encoding="utf-8")
    start = readme.index("Capacities, caps and guarantees (a test loads this example):")
    block = readme[readme.index("```yaml\n", start) + 8 : readme.index("```\n", start + 70)]
    (tmp_path / "example.yaml").write_text(block, encoding="utf-8")
    standards = load_standards(tmp_path)
    program = standards.programs["ex:p"]
    assert [program.overflow_of(r.id) for r in program.requirements] == ["free", "total", "none"]
    assert standards.caps["ex:half-of-each-source"].share_of == "source"
    assert standards.caps["ex:school-limit"].authority == "institutional"
    guarantee = standards.rules["ex:partner-college"].guarantee
    assert guarantee is not None and guarantee.min_credits == 60
