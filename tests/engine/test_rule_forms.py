"""Each rule form has one home (issue 16 item 4): conditions and targets carry the behaviour
of their kind, and the order in which a rule's failing step is reported lives beside the
reason codes."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import creditbank
from creditbank.engine.reasons import Step
from creditbank.models import Condition, HoursToCredits, Target
from creditbank.testing.strategies import conditions, targets


def _dumped_matches(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The single-achievement conditions of a dumped condition, walked as plain data."""
    for key in ("all_of", "any_of", "of"):
        if key in node:
            return [leaf for part in node[key] for leaf in _dumped_matches(part)]
    return [node]


@given(conditions())
def test_matches_walks_every_single_achievement_condition_in_order(condition: Condition) -> None:
    found = [match.model_dump() for match in condition.matches()]
    assert found == _dumped_matches(condition.model_dump())


@given(targets())
def test_a_target_names_its_courses_or_the_requirement_it_credits(target: Target) -> None:
    dumped = target.model_dump(mode="json")
    named = dumped.get("courses", [dumped["course"]] if "course" in dumped else [])
    assert list(target.named_courses()) == named
    assert target.credited_requirement() == dumped.get("requirement")
    # credits go to courses or to one requirement, never both
    assert not (target.named_courses() and target.credited_requirement())


@given(
    st.decimals(min_value=0, max_value=1000, places=3),
    st.sampled_from(["down", "up", "half_up", "half_even"]),
    st.sampled_from([Decimal(1), Decimal("0.5"), Decimal("0.25")]),
)
def test_hours_round_to_a_multiple_of_the_step_the_rules_way(
    credits: Decimal, rounding: str, step: Decimal
) -> None:
    target = HoursToCredits.model_validate({"requirement": "r", "rounding": rounding, "step": step})
    got = target.rounded(credits)
    assert got % step == 0
    assert abs(got - credits) < step
    if rounding == "down":
        assert got <= credits
    elif rounding == "up":
        assert got >= credits
    else:
        assert abs(got - credits) <= step / 2


def test_failure_steps_run_in_the_documented_order() -> None:
    """Dates before level, level before grade, grade before issuer, issuer before hours; the
    target's own conditions tie with the achievement's flags, and a retake with an incomplete
    combination, so neither outranks the other."""
    order = [
        Step.EARNED,
        Step.VALID,
        Step.DATES,
        Step.LEVEL,
        Step.GRADE,
        Step.ISSUER,
        Step.HOURS,
        Step.FLAGS,
        Step.ATTEMPT,
        Step.TARGET,
        Step.CREDIT,
    ]
    assert order == sorted(order) == list(Step)
    assert len(set(order)) == len(order)
    assert Step.TARGET_CONDITION is Step.FLAGS
    assert Step.COMBINATION is Step.ATTEMPT


_KINDS = frozenset(
    {"Match", "AllOf", "AnyOf", "NOf", "ExemptCourses", "RequirementCredits", "HoursToCredits"}
    | {"CourseCredits"}
)


def _kind_tests(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every ``isinstance(x, Kind)`` naming a condition or target kind (also in a union)."""
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and len(node.args) == 2
        ):
            continue
        named = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
        for kind in sorted(named & _KINDS):
            yield node.lineno, kind


def test_rule_forms_are_dispatched_by_match_not_isinstance() -> None:
    """Outside the models, code that depends on a condition's or target's kind says so with
    ``match`` and ``assert_never`` (mypy then proves every kind handled) or asks the kind
    itself (``matches()``, ``named_courses()``, ``credited_requirement()``)."""
    package = Path(creditbank.__file__).parent
    found = [
        f"{path.relative_to(package)}:{line}: isinstance(..., {kind})"
        for path in sorted(package.rglob("*.py"))
        # the models define the kinds; the test-data generators build them
        if path != package / "models" / "rule.py" and "testing" not in path.parts
        for line, kind in _kind_tests(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []
