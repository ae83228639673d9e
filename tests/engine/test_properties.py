"""Engine invariants on random small standards and portfolios (hypothesis).

* the order of achievements never changes the result;
* an exact duplicate of an achievement changes nothing;
* adding an achievement never lowers the total, highest-only caps included (a family counts
  once, on its highest level unless a lower one recognises more — see the golden case
  ``highest_only_lower_worth_more``);
* no constraint is ever exceeded, checked by an oracle written from the rules, not from the
  engine's budgets;
* brute force over every subset of the candidate options never beats the allocation, and a
  highest-only family counts on a lower level only where counting it higher costs credit.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from creditbank.engine import Evaluation, evaluate
from creditbank.engine.evaluate import plan
from creditbank.models import Achievement, Cap, CourseUnit, ExemptCourses, Portfolio, Standards
from creditbank.testing.strategies import (
    SCENARIO_AS_OF,
    SCENARIO_PROGRAM,
    scenario_standards,
    scenarios,
)

AS_OF = SCENARIO_AS_OF
SCALE = int(os.environ.get("CREDITBANK_PROPERTY_SCALE", "1"))
"""Multiply the number of examples, e.g. CREDITBANK_PROPERTY_SCALE=20 for a long soak."""
SLOW = settings(
    max_examples=200 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _summary(evaluation: Evaluation) -> dict[str, Any]:
    return {
        d.achievement: (
            d.recognised,
            d.credits,
            d.reason,
            sorted((u.rule, u.requirement, u.course or "", u.credits) for u in d.uses),
        )
        for d in evaluation.decisions
    }


# ------------------------------------------------------------------- the oracle

Use = tuple[
    str, tuple[str, ...], str, str | None, Decimal, str
]  # rule, binding, req, course, cr, kind


def _uses_of(evaluation: Evaluation) -> list[Use]:
    return [
        (u.rule, u.achievements, u.requirement, u.course, u.credits, u.kind)
        for u in evaluation.uses()
    ]


def _capacity(standards: Standards, requirement: Any) -> Decimal:
    if requirement.kind == "required_courses":
        return sum((standards.units[c].credits.amount for c in requirement.courses), Decimal(0))
    return requirement.max_credits or requirement.min_credits or Decimal(0)


def _cap_counts(cap: Cap, standards: Standards, portfolio: Portfolio, use: Use) -> bool:
    rule, binding, requirement, course, _, _ = use
    sel = cap.counts
    if sel.rules and rule not in sel.rules:
        return False
    if sel.requirements and requirement not in sel.requirements:
        return False
    if sel.course_types and (
        course is None or standards.units[course].course_type not in sel.course_types
    ):
        return False
    achievements = {a.id: a for a in portfolio.achievements}

    def member(a: str) -> bool:
        unit = standards.units[achievements[a].unit]
        own = achievements[a].online
        online = own if own is not None else bool(getattr(unit, "online", False))
        return (
            (not sel.units or unit.id in sel.units)
            and (not sel.unit_kinds or unit.kind in sel.unit_kinds)
            and (not sel.tags or set(sel.tags) <= set(unit.tags))
            and (not sel.families or unit.family in sel.families)
            and (sel.online is None or online == sel.online)
        )

    return any(member(a) for a in binding)


def violations(standards: Standards, portfolio: Portfolio, uses: Sequence[Use]) -> list[str]:
    """Every constraint the uses break, from the rules' wording."""
    program = standards.programs[SCENARIO_PROGRAM]
    found: list[str] = []
    achievements = {a.id: a for a in portfolio.achievements}
    exclusive: dict[str, set[tuple[str, tuple[str, ...]]]] = defaultdict(set)
    per_use: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
    course_credit: dict[str, Decimal] = defaultdict(Decimal)
    requirement_credit: dict[str, Decimal] = defaultdict(Decimal)
    unit_users: dict[str, set[str]] = defaultdict(set)
    for rule_id, binding, requirement, course, credits, kind in uses:
        rule = standards.rules[rule_id]
        if rule.guarantee is not None and per_use[(rule_id, binding)]:
            found.append(f"{rule_id} guaranteed use taken twice")
        if not rule.shareable:
            for a in binding:
                exclusive[a].add((rule_id, binding))
        per_use[(rule_id, binding)] += 1
        if (
            isinstance(rule.then, ExemptCourses)
            and rule.then.max_courses is not None
            and per_use[(rule_id, binding)] > rule.then.max_courses
        ):
            found.append(f"{rule_id} exempts more than max_courses")
        if course is not None:
            unit = standards.units[course]
            assert isinstance(unit, CourseUnit)
            course_credit[course] += unit.credits.amount if kind == "exemption" else credits
        requirement_credit[requirement] += credits
        for a in binding:
            unit_users[achievements[a].unit].add(a)
    found += [f"{a} used by {len(u)} rules" for a, u in exclusive.items() if len(u) > 1]
    found += [
        f"course {c} over-filled"
        for c, v in course_credit.items()
        if v > standards.units[c].credits.amount
    ]  # type: ignore[union-attr]
    # A requirement takes what it needs; a surplus goes on to its overflow (a requirement,
    # which must then take it, or the total), else it must fit.
    for requirement in program.requirements:
        if program.overflow_of(requirement.id) != "none":
            continue
        received = requirement_credit[requirement.id] + sum(
            (
                max(requirement_credit[r.id] - _capacity(standards, r), Decimal(0))
                for r in program.requirements
                if program.overflow_of(r.id) == requirement.id
            ),
            Decimal(0),
        )
        if received > _capacity(standards, requirement):
            found.append(f"requirement {requirement.id} over capacity")
    if sum(requirement_credit.values(), Decimal(0)) > program.total_credits:
        found.append("programme total exceeded")
    found += [f"unit {u} used by {sorted(a)}" for u, a in unit_users.items() if len(a) > 1]
    for cap in standards.caps.values():
        groups: dict[Any, list[Use]] = defaultdict(list)
        surplus: dict[Any, dict[str, list[Use]]] = defaultdict(lambda: defaultdict(list))
        for use in uses:
            counted_use = _cap_share(cap, standards, portfolio, program, use)
            if counted_use is None:
                continue
            use, member = counted_use  # noqa: PLW2901
            guarantee = standards.rules[use[0]].guarantee
            if cap.authority == "institutional" and guarantee is not None:
                # institutional caps cannot cut into a guaranteed floor: they count
                # what the use brings above it, and not its achievements
                above = use[4] - guarantee.min_credits
                if above <= 0 or cap.max_count is not None or cap.highest_only:
                    continue
                use = (*use[:4], above, use[5])  # noqa: PLW2901
            for key in _groups_of(cap, standards, achievements, use):
                if member is None:
                    groups[key].append(use)
                else:
                    surplus[key][member].append(use)
        for key, by_member in surplus.items():
            # what a requirement overflowing into a counted one cannot take enters it
            for member, sent in by_member.items():
                into = sum((m[4] for m in sent), Decimal(0))
                room = _capacity(standards, program.requirement(member))
                if into > room:
                    groups[key].append((cap.id, (), "", None, into - room, "credits"))
        for key, members in groups.items():
            total = sum((m[4] for m in members), Decimal(0))
            people = {a for m in members for a in m[1]}
            if cap.max_credits is not None and total > cap.max_credits:
                found.append(f"{cap.id}[{key}] {total} > {cap.max_credits}")
            if cap.share_of == "source":
                assert cap.max_share is not None
                held = achievements[key]
                stated = held.credits or standards.units[held.unit].credits
                source = stated.amount if stated is not None else Decimal(0)
                if total > cap.max_share * Fraction(source):
                    found.append(f"{cap.id}[{key}] above its share of the source {source}")
            elif cap.max_share is not None and total > cap.max_share * Fraction(
                program.total_credits
            ):  # exact: the share of the total, not the engine's floored limit
                found.append(f"{cap.id}[{key}] share exceeded")
            if cap.max_count is not None and len(people) > cap.max_count:
                found.append(f"{cap.id}[{key}] count exceeded")
            if cap.highest_only:
                # each use counts the family once, on the highest member it binds
                tops = {_top_member(standards, achievements, cap, key, m[1]) for m in members}
                if len(tops - {None}) > 1:
                    found.append(f"{cap.id}[{key}] more than one of the family")
            if cap.within_recognised:
                ceiling = standards.units[achievements[key].unit].recognised_for(None)
                if ceiling is not None and total > ceiling:
                    found.append(f"{cap.id}[{key}] above recognised {ceiling}")
    return found


def _rank(standards: Standards, achievement: Achievement) -> int | None:
    """The rank of the achievement's level on its unit's scale (None without one)."""
    unit = standards.units[achievement.unit]
    if achievement.level is None or unit.framework is None:
        return None
    framework = standards.frameworks[str(unit.framework)]
    return next((lv.rank for lv in framework.levels if lv.id == achievement.level), None)


def _in_a_family(standards: Standards, achievement: Achievement) -> bool:
    """Highest-only compares certificates with a family or a level; nothing else."""
    unit = standards.units[achievement.unit]
    return unit.family is not None or _rank(standards, achievement) is not None


def _member_group(cap: Cap, standards: Standards, achievement: Achievement) -> Any:
    unit = standards.units[achievement.unit]
    if cap.per == "family":
        return unit.family or achievement.unit
    return achievement.unit if cap.per == "unit" else achievement.id


def _top_member(
    standards: Standards,
    achievements: dict[str, Achievement],
    cap: Cap,
    key: Any,
    binding: tuple[str, ...],
) -> str | None:
    """The member of ``key`` a use counts under a highest-only cap: the highest level it
    binds there (then earliest earned, then id); None when it binds no member."""
    members = [
        achievements[a]
        for a in binding
        if _in_a_family(standards, achievements[a])
        and (
            cap.per not in ("family", "unit", "achievement")
            or _member_group(cap, standards, achievements[a]) == key
        )
    ]
    if not members:
        return None
    low = -(10**9)
    best = min(
        members,
        key=lambda a: (-(r if (r := _rank(standards, a)) is not None else low), a.earned_on, a.id),
    )
    return best.id


def _cap_share(
    cap: Cap, standards: Standards, portfolio: Portfolio, program: Any, use: Use
) -> tuple[Use, str | None] | None:
    """What a cap counts of one use, by the rules' wording: everything that enters the
    requirements it counts. A use into a requirement the cap does not count whose overflow
    goes into one it counts is counted there (with the requirement whose surplus it is); a
    use into a counted requirement whose overflow target is not counted counts at most
    that requirement's capacity; None: not counted."""
    requirement = use[2]
    target = program.overflow_of(requirement)
    spills = target not in ("none", "total")
    counted = _cap_counts(cap, standards, portfolio, use)
    limited = cap.max_credits is not None or cap.max_share is not None
    if not limited or not cap.counts.requirements or cap.share_of == "source":
        return (use, None) if counted else None
    if counted:
        if spills and target not in cap.counts.requirements:
            room = _capacity(standards, program.requirement(requirement))
            return (*use[:4], min(use[4], room), use[5]), None
        return use, None
    moved = (use[0], use[1], target, *use[3:])
    if spills and _cap_counts(cap, standards, portfolio, moved):
        return moved, requirement
    return None


def _groups_of(
    cap: Cap, standards: Standards, achievements: dict[str, Achievement], use: Use
) -> list[Any]:
    """The groups of ``cap.per`` one counted use falls in."""
    if cap.within_recognised or cap.share_of == "source":
        return list(use[1])
    if cap.highest_only and cap.per in ("family", "unit", "achievement"):
        held = [achievements[a] for a in use[1] if _in_a_family(standards, achievements[a])]
        return sorted({_member_group(cap, standards, a) for a in held})
    keys: list[Any] = {
        "program": ["all"],
        "achievement": list(use[1]),
        "course": [use[3]] if use[3] else [],
        "rule": [use[0]],
        "requirement": [use[2]],
        "family": sorted(
            {standards.units[achievements[a].unit].family or achievements[a].unit for a in use[1]}
        ),
        "unit": sorted({achievements[a].unit for a in use[1]}),
    }[cap.per]
    return keys


# ------------------------------------------------------------------ properties


@SLOW
@given(scenarios(), st.randoms(use_true_random=False))
def test_order_of_achievements_does_not_matter(case: Any, rnd: random.Random) -> None:
    standards, portfolio = case
    shuffled = list(portfolio.achievements)
    rnd.shuffle(shuffled)
    again = Portfolio(learner=portfolio.learner, achievements=tuple(shuffled))
    first = evaluate(standards, portfolio, SCENARIO_PROGRAM, AS_OF)
    second = evaluate(standards, again, SCENARIO_PROGRAM, AS_OF)
    assert first.totals == second.totals
    assert _summary(first) == _summary(second)


@SLOW
@given(scenarios(), st.data())
def test_an_exact_duplicate_changes_nothing(case: Any, data: st.DataObject) -> None:
    standards, portfolio = case
    assume(portfolio.achievements)
    original = data.draw(st.sampled_from(portfolio.achievements))
    twin = original.model_copy(update={"id": "zz-twin"})
    before = evaluate(standards, portfolio, SCENARIO_PROGRAM, AS_OF)
    after = evaluate(
        standards,
        Portfolio(learner=portfolio.learner, achievements=(*portfolio.achievements, twin)),
        SCENARIO_PROGRAM,
        AS_OF,
    )
    assert after.totals.recognised == before.totals.recognised
    # What is recognised, and how, is unchanged. The reason an achievement is *not* recognised
    # may be told differently: a twin can complete a combination that then meets a full
    # course (COMBINATION_INCOMPLETE becomes TARGET_FILLED), which is still a true account.
    used_after = {k: v[:2] + v[3:] for k, v in _summary(after).items() if k != "zz-twin"}
    assert used_after == {k: v[:2] + v[3:] for k, v in _summary(before).items()}
    twin_decision = after.decision("zz-twin")
    assert not twin_decision.recognised
    assert twin_decision.reason in ("DUPLICATE", after.decision(original.id).reason)


@SLOW
@given(scenarios(), st.data())
def test_adding_an_achievement_never_lowers_the_total(case: Any, data: st.DataObject) -> None:
    standards, portfolio = case
    from creditbank.testing.strategies import scenario_portfolios

    extra = data.draw(scenario_portfolios(standards, max_size=2))
    added = tuple(a.model_copy(update={"id": f"new-{a.id}"}) for a in extra.achievements)
    bigger = Portfolio(learner=portfolio.learner, achievements=(*portfolio.achievements, *added))
    before = evaluate(standards, portfolio, SCENARIO_PROGRAM, AS_OF).totals.recognised
    after = evaluate(standards, bigger, SCENARIO_PROGRAM, AS_OF).totals.recognised
    assert after >= before


@SLOW
@given(scenarios())
def test_no_constraint_is_ever_exceeded(case: Any) -> None:
    standards, portfolio = case
    evaluation = evaluate(standards, portfolio, SCENARIO_PROGRAM, AS_OF)
    assert violations(standards, portfolio, _uses_of(evaluation)) == []
    assert evaluation.totals.recognised == sum((u[4] for u in _uses_of(evaluation)), Decimal(0))
    for requirement in evaluation.requirements:
        assert requirement.remaining == max(requirement.required - requirement.satisfied, 0)


@SLOW
@given(scenarios())
def test_never_more_than_the_programme_total_nor_a_requirements_capacity(case: Any) -> None:
    """Recognised <= programme total; a requirement never gets more than its max (what it
    needs); what overflows is accounted for: the uses add up to the total recognised."""
    standards, portfolio = case
    result = evaluate(standards, portfolio, SCENARIO_PROGRAM, AS_OF)
    program = standards.programs[SCENARIO_PROGRAM]
    assert result.totals.recognised <= program.total_credits
    for progress in result.requirements:
        requirement = program.requirement(progress.requirement)
        assert progress.satisfied <= _capacity(standards, requirement)
    uses = result.uses()
    assert sum((u.credits for u in uses), Decimal(0)) == result.totals.recognised
    for use in uses:
        if use.overflow is not None:
            assert use.overflow == program.overflow_of(use.requirement)
            assert use.overflow_credits is not None and 0 < use.overflow_credits <= use.credits
    # the scenarios' overflow targets keep what they receive (`overflow: none`): every
    # credit is in a requirement or was counted toward the total only
    to_total = sum((u.overflow_credits or 0 for u in uses if u.overflow == "total"), Decimal(0))
    satisfied = sum((p.satisfied for p in result.requirements), Decimal(0))
    assert satisfied + to_total == result.totals.recognised


def _option_uses(option: Any) -> list[Use]:
    return [
        (option.rule.id, option.binding, e.requirement, e.course, e.credits, e.kind)
        for e in option.entries
    ]


@settings(
    max_examples=500 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(scenarios(max_achievements=5))
def test_brute_force_never_beats_the_allocation(case: Any) -> None:
    standards, portfolio = case
    made = plan(standards, portfolio, SCENARIO_PROGRAM, AS_OF)
    assume(len(made.candidates) <= 10)
    # the most any subset of the options allows; highest-only family by family
    from tests.engine.highest_only_oracle import check_highest_only

    check_highest_only(standards, portfolio, made)


@settings(max_examples=10, deadline=None)
@given(scenario_standards())
def test_oracle_catches_a_violation(standards: Standards) -> None:
    """The oracle is not vacuous: it flags a course filled twice and a busy achievement."""
    course = next(u for u in standards.units.values() if u.kind == "course")
    rule = next(iter(standards.rules))
    portfolio = Portfolio(
        learner="x",
        achievements=(
            Achievement(id="a", unit="t0", earned_on="2020-01-01"),
            Achievement(id="b", unit="t0", earned_on="2020-01-01"),
        ),
    )
    credits = course.credits.amount  # type: ignore[union-attr]
    uses: list[Use] = [
        (rule, ("a",), "core", course.id, credits, "exemption"),
        (rule, ("b",), "core", course.id, credits, "exemption"),
    ]
    problems = violations(standards, portfolio, uses)
    assert any("over-filled" in p for p in problems)
    assert any("unit t0" in p for p in problems)
