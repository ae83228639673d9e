"""The consistency checks: every check fires on a fixture made for it; the bundled standards pass.

Every file in ``tests/cases/graph/`` is one case: small standards that load without a
problem but are inconsistent in one way. Its first line declares the findings, one
``CODE@LINE`` each (LINE: where the first item involved is defined)::

    # expect: CONFLICTING_RULES@27

Nothing else may be found, so a case cannot pick up noise. Adding a file adds a case.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import creditbank
from creditbank.engine import evaluate_with, hypothetical
from creditbank.graph.build import build_graph
from creditbank.graph.checks import CHECKS, condition_key, run_checks
from creditbank.graph.findings import CHECK_CODES, Finding, summary
from tests.paths import TEST_CASES

CASES = TEST_CASES / "graph"
CASE_PATHS = sorted(p for p in CASES.glob("*.yaml"))
EXPECT = re.compile(r"^#\s*expect:(?P<items>.*)$")
FINDING_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning) "
    r"(?P<code>[A-Z_]+) .+ \[.+\]$"
)

BUNDLED_WARNINGS = {
    # A course of the example school's catalogue that neither example programme lists.
    ("ORPHAN_UNIT", "course:professional-english"),
    # The example 1+X certificate's bank-recognised 3 credits at 初级 are less than the 4 of
    # the course rule R4 exempts at 初级: under cap R3 that exemption is never granted.
    ("EXCEEDS_RECOGNISED", "r4:plc:elementary"),
}


def _expected(path: Path) -> list[tuple[str, int]]:
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name}: the first line must be '# expect: CODE@LINE ...'"
    found = []
    for item in match["items"].split():
        code, _, line = item.partition("@")
        found.append((code, int(line)))
    return sorted(found)


@pytest.mark.parametrize("path", CASE_PATHS, ids=lambda p: p.stem)
def test_case_finds_exactly_what_it_declares(path: Path) -> None:
    standards = creditbank.load_standards(path)  # the case must load: only checks may object
    findings = run_checks(standards)
    got = sorted((f.code, f.location.line or 0) for f in findings)
    assert got == _expected(path), "\n".join(map(str, findings))
    for finding in findings:
        assert finding.location.file == str(path)
        assert FINDING_LINE.match(str(finding)), str(finding)
        assert all(i.location is not None and i.location.line for i in finding.involved)


def test_every_check_code_has_a_case() -> None:
    declared = {code for path in CASE_PATHS for code, _ in _expected(path)}
    assert declared == set(CHECK_CODES)


def test_every_check_is_registered_and_documented() -> None:
    import creditbank.graph.checks as module

    assert module.__doc__ is not None
    for code in CHECK_CODES:
        assert f"``{code}``" in module.__doc__
    assert all(callable(check) and check.__doc__ for check in CHECKS.values())


def test_bundled_standards_have_no_errors_and_only_the_known_warnings() -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    findings = run_checks(standards)
    assert not [f for f in findings if f.severity == "error"], "\n".join(map(str, findings))
    assert {(f.code, f.involved[0].id) for f in findings} == BUNDLED_WARNINGS
    assert summary(findings) == "2 warnings"


def test_exceeds_recognised_agrees_with_the_engine() -> None:
    """The warning says the engine will refuse the conversion at that level; it does."""
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    day = dt.date(2026, 11, 29)
    empty = creditbank.Portfolio(learner="nobody")
    unit = "x:plc-system-application-programming"
    for level, refused in (("初级", True), ("中级", False), ("高级", False)):
        achievement = hypothetical(standards, unit, level, day)
        decision = evaluate_with(standards, empty, "460301", [achievement], day).decisions[0]
        assert decision.recognised is not refused
        if refused:
            assert decision.reason == "CAP_REACHED"


def test_amplifying_cycle_names_both_rules_and_the_factor() -> None:
    findings = run_checks(creditbank.load_standards(CASES / "amplifying_cycle.yaml"))
    (cycle,) = findings
    assert "3 times" in cycle.message
    assert [i.id for i in cycle.involved if i.kind == "rule"] == [
        "a-exempts-b",
        "b-exempts-a-and-a2",
    ]


def test_mutual_recognition_of_equal_courses_is_no_cycle_error(tmp_path: Path) -> None:
    """A exempts B and B exempts A, for equal credit: a cycle, but it makes no credit."""
    text = (CASES / "amplifying_cycle.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "then: {kind: exempt_courses, courses: [a, a2]}",
        "then: {kind: exempt_courses, courses: [a]}",
    ).replace(
        "{id: a, kind: course, name: course A, credits: 2,",
        "{id: a, kind: course, name: course A, credits: 4,",
    )
    assert text.count("courses: [a]}") == 1 and "credits: 4, hours: 32" in text
    path = tmp_path / "mutual.yaml"
    path.write_text(text, encoding="utf-8")
    assert run_checks(creditbank.load_standards(path)) == []


def test_condition_key_reads_levels_by_any_name_and_lists_in_any_order() -> None:
    standards = creditbank.load_standards(CASES / "duplicate_rule.yaml")
    first, second = (standards.rules[r] for r in ("exempt-c1", "exempt-c1-again"))
    assert condition_key(standards, first) == condition_key(standards, second)


def test_findings_sort_errors_first_and_serialise() -> None:
    standards = creditbank.load_standards(CASES / "target_not_in_program.yaml")
    findings = run_checks(standards, build_graph(standards))
    assert findings == sorted(findings, key=Finding.sort_key)
    data = findings[0].to_dict()
    assert data["severity"] == "error" and data["code"] == "TARGET_NOT_IN_PROGRAM"
    assert data["involved"][0] == {
        "kind": "rule",
        "id": "wrong-programme",
        "file": str(CASES / "target_not_in_program.yaml"),
        "line": 29,
    }


def test_level_order_follows_unlinked_levels_between(tmp_path: Path) -> None:
    """Only the ends of two four-level scales are linked, crosswise: still an inversion."""
    levels = "\n".join(f"      - {{id: a{i}, rank: {i}, name: a{i}}}" for i in range(1, 5))
    path = tmp_path / "scales.yaml"
    path.write_text(
        "kind: frameworks\nexample: true\nitems:\n"
        f"  - id: a\n    name: scale a\n    levels:\n{levels}\n"
        "  - id: b\n    name: scale b\n    levels:\n"
        "      - {id: b1, rank: 1, name: b1, same_as: [{framework: a, level: a4}]}\n"
        "      - {id: b2, rank: 2, name: b2}\n"
        "      - {id: b3, rank: 3, name: b3}\n"
        "      - {id: b4, rank: 4, name: b4, same_as: [{framework: a, level: a1}]}\n",
        encoding="utf-8",
    )
    assert [f.code for f in run_checks(creditbank.load_standards(path))] == ["LEVEL_ORDER"]


NO_FALSE_ALARMS = {
    "any_of_rule_fills_a_pool_by_course_type": """\
kind: standards
example: true
units:
  - {id: cert, kind: other, name: certificate}
  - {id: cert2, kind: other, name: certificate two}
  - {id: c1, kind: course, name: course one, credits: 4, hours: 64}
  - {id: e1, kind: course, name: elective one, credits: 2, hours: 32, course_type: elective}
  - {id: e2, kind: course, name: elective two, credits: 2, hours: 32, course_type: elective}
programs:
  - id: p
    name: programme
    education_level: higher_vocational
    total_credits: 12
    requirements:
      - {id: core, name: core, kind: required_courses, courses: [c1]}
      - {id: electives, name: electives, kind: elective_pool, min_credits: 8,
         course_types: [elective]}
rules:
  - id: cert-exempts-c1
    name: certificate exempts course one
    programs: [p]
    when: {units: [cert]}
    then: {kind: exempt_courses, courses: [c1]}
  - id: either-certificate-credits
    name: either certificate gives 2 elective credits
    programs: [p]
    when: {any_of: [{units: [cert]}, {units: [cert2]}]}
    then: {kind: credits, requirement: electives, credits: 2}
""",
    "pool_without_courses_is_taught_outside_the_standards": """\
kind: standards
example: true
units:
  - {id: cert, kind: other, name: certificate}
  - {id: c1, kind: course, name: course one, credits: 4, hours: 64}
programs:
  - id: p
    name: programme
    education_level: higher_vocational
    total_credits: 24
    requirements:
      - {id: core, name: core, kind: required_courses, courses: [c1]}
      - {id: electives, name: electives, kind: elective_pool, min_credits: 20}
rules:
  - id: cert-credits
    name: certificate gives 2 elective credits
    programs: [p]
    when: {units: [cert]}
    then: {kind: credits, requirement: electives, credits: 2}
""",
    "ects_courses_recognise_each_other": """\
kind: standards
example: true
units:
  - {id: a, kind: course, name: course A, credits: 5 ECTS, hours: 120}
  - {id: b, kind: course, name: course B, credits: 5 ECTS, hours: 120}
programs:
  - id: school-a
    name: programme of school A
    education_level: bachelor
    credit_unit: ects
    total_credits: 5
    requirements: [{id: core, name: core, kind: required_courses, courses: [a]}]
  - id: school-b
    name: programme of school B
    education_level: bachelor
    credit_unit: ects
    total_credits: 5
    requirements: [{id: core, name: core, kind: required_courses, courses: [b]}]
rules:
  - id: a-exempts-b
    name: A exempts B
    programs: [school-b]
    when: {units: [a]}
    then: {kind: exempt_courses, courses: [b]}
  - id: b-exempts-a
    name: B exempts A
    programs: [school-a]
    when: {units: [b]}
    then: {kind: exempt_courses, courses: [a]}
""",
}


@pytest.mark.parametrize("name", sorted(NO_FALSE_ALARMS))
def test_consistent_standards_raise_no_false_alarm(tmp_path: Path, name: str) -> None:
    """Regressions: a pool filled by an ``any_of`` rule's second part and by courses of its
    course type (once UNSATISFIABLE_REQUIREMENT, and ORPHAN_UNIT for those courses); equal
    ECTS courses recognising each other (once an unbounded CREDIT_AMPLIFYING_CYCLE)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(NO_FALSE_ALARMS[name], encoding="utf-8")
    assert run_checks(creditbank.load_standards(path)) == []


def test_unsatisfiable_requirement_still_counts_every_part_of_a_rule(tmp_path: Path) -> None:
    """One elective credit short of the minimum, with both parts counted: still an error."""
    path = tmp_path / "short.yaml"
    text = NO_FALSE_ALARMS["any_of_rule_fills_a_pool_by_course_type"]
    path.write_text(text.replace("min_credits: 8", "min_credits: 9"), encoding="utf-8")
    findings = run_checks(creditbank.load_standards(path))
    assert [f.code for f in findings] == ["UNSATISFIABLE_REQUIREMENT"]
    assert "can give at most 8" in findings[0].message


def test_an_amplifying_cycle_of_ects_courses_is_still_found(tmp_path: Path) -> None:
    """B exempts A and A2 (10 ECTS) while A alone (5 ECTS) exempts B: twice round."""
    text = (
        NO_FALSE_ALARMS["ects_courses_recognise_each_other"]
        .replace(
            "  - {id: b, kind: course,",
            "  - {id: a2, kind: course, name: course A2, credits: 5 ECTS, hours: 120}\n"
            "  - {id: b, kind: course,",
        )
        .replace(
            "total_credits: 5\n    requirements: [{id: core, name: core, kind: "
            "required_courses, courses: [a]}]",
            "total_credits: 10\n    requirements: [{id: core, name: core, kind: "
            "required_courses, courses: [a, a2]}]",
        )
        .replace(
            "then: {kind: exempt_courses, courses: [a]}",
            "then: {kind: exempt_courses, courses: [a, a2]}",
        )
    )
    assert "courses: [a, a2]}]" in text and "courses: [a, a2]}\n" in text
    path = tmp_path / "ects.yaml"
    path.write_text(text, encoding="utf-8")
    (finding,) = run_checks(creditbank.load_standards(path))
    assert finding.code == "CREDIT_AMPLIFYING_CYCLE" and "2 times" in finding.message


def test_rules_that_conflict_in_one_programme_conflict(tmp_path: Path) -> None:
    """Regression: two rules the same in p but not in q were reported as a duplicate (the
    first programme looked at decided), hiding the conflict."""
    path = tmp_path / "pair.yaml"
    path.write_text(
        """\
kind: standards
example: true
units:
  - {id: cert, kind: other, name: certificate}
  - {id: c1, kind: course, name: course one, credits: 2, hours: 32}
  - {id: c2, kind: course, name: course two, credits: 2, hours: 32}
programs:
  - id: p
    name: programme p
    education_level: higher_vocational
    total_credits: 4
    requirements:
      - {id: core, name: core, kind: required_courses, courses: [c1]}
      - {id: more, name: more, kind: required_courses, courses: [c2]}
  - id: q
    name: programme q
    education_level: higher_vocational
    total_credits: 4
    requirements: [{id: core, name: core, kind: required_courses, courses: [c1, c2]}]
rules:
  - id: exempt-core
    name: certificate exempts the core courses
    programs: [p, q]
    when: {units: [cert]}
    then: {kind: exempt_courses, requirements: [core]}
  - id: exempt-c1
    name: certificate exempts course one
    programs: [p, q]
    when: {units: [cert]}
    then: {kind: exempt_courses, courses: [c1]}
""",
        encoding="utf-8",
    )
    (finding,) = run_checks(creditbank.load_standards(path))
    assert finding.code == "CONFLICTING_RULES"
    assert "p (c1); q (c1)" in finding.message
