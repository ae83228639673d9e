"""Eligibility rules load like conversion rules: every bad one is a located problem."""

from __future__ import annotations

from pathlib import Path

import pytest

import creditbank
from creditbank.errors import LoadError

BAD = """kind: eligibility
example: true
items:
  - id: e1
    name: x
    outcome: {kind: title, series: enginering, level: 中级}
    when: {education: {at_least: bachelor}}
  - id: e2
    name: x
    outcome: {kind: title, series: engineering}
    when: {education: {at_least: bachelor}}
  - id: e3
    name: x
    outcome: {kind: admission, program: "demo-college:999999"}
    when:
      achievement: {unit_kinds: [skill_certificate], level: {at_least: 九级}}
  - id: e4
    name: x
    outcome: {kind: title, track: skill, occupation: "csco2022:6-31-01-03", level: 零级}
    when:
      achievement: {any_of: [{units: ["skill:csco2022:6-31-01-03"]}]}
      years_since: 2
  - id: e5
    name: x
    outcome: {kind: funding, program: "demo-college:460301", scheme: s}
    when: {}
  - id: e6
    name: x
    outcome: {kind: title, track: skill, occupation: "csco2022:6-31-01-03", level: 零级}
    when: {work: {years: 1}}
  - id: e7
    name: x
    outcome: {kind: title, series: art, level: 中级}
    when: {education: {at_least: bachelor}}
"""


def test_every_bad_eligibility_rule_is_a_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        creditbank.load_standards(creditbank.bundled_standards_path(), path)
    found = [(p.code, p.location.line if p.location else None) for p in caught.value.problems]
    assert found == [
        ("INVALID_VALUE", 6),  # an unknown series, with a suggestion
        ("MISSING_FIELD", 10),  # a professional title without a level
        ("UNKNOWN_REFERENCE", 14),  # an unknown programme
        ("UNKNOWN_LEVEL", 16),  # an unknown level in the achievement condition
        ("INVALID_VALUE", 22),  # years_since on a combination
        ("MISSING_FIELD", 26),  # a condition that says nothing
        ("UNKNOWN_LEVEL", 29),  # a skill-track outcome at a level the occupation lacks
    ]  # e7 (art, 中级) is fine
    assert "did you mean 'engineering'" in str(caught.value.problems[0])


def test_a_rule_without_source_or_example_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rule.yaml"
    path.write_text(
        "kind: eligibility\nitems:\n  - id: e\n    name: x\n"
        "    outcome: {kind: funding, program: 'demo-college:460301', scheme: s}\n"
        "    when: {status: {migrant_worker: true}}\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        creditbank.load_standards(creditbank.bundled_standards_path(), path)
    assert [p.code for p in caught.value.problems] == ["MISSING_SOURCE"]
