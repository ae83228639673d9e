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

CASES = Path(__file__).resolve().parent / "cases" / "graph"
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
