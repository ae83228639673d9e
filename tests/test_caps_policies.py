"""Capacity and cap policies of issue 15: the programme's periods, overflow and the programme
total, guaranteed minimums, caps measured on the source qualification."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbank import LoadError, load_standards

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
