"""Each rule form has one home (issue 16 item 4): conditions and targets carry the behaviour
of their kind, and the order in which a rule's failing step is reported lives beside the
reason codes."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from creditbank.engine.reasons import Step
from creditbank.models import Condition, Target
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
