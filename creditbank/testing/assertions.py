"""Assertions about an :class:`~creditbank.Evaluation` that explain themselves when they fail.

>>> import datetime as dt, creditbank
>>> from creditbank.testing.ledger import MENU
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> portfolio = creditbank.Portfolio.model_validate(
...     {"learner": "w-001", "achievements": [MENU["elec-l4"], MENU["elec-l3"]]})
>>> evaluation = creditbank.evaluate(
...     standards, portfolio, "demo-college:460301", dt.date(2026, 11, 29))
>>> uses = assert_recognised(evaluation, course="course:electrical-engineering-basics", credits=4)
>>> decision = assert_not_recognised(evaluation, achievement="elec-l4", reason="CAP_REACHED")
Traceback (most recent call last):
...
AssertionError: expected elec-l4 not to be recognised because of CAP_REACHED, but the reason is ...
>>> decision = assert_not_recognised(evaluation, achievement="elec-l4")
>>> try:
...     assert_recognised(evaluation, course="course:college-english")
... except AssertionError as error:
...     print(error)  # doctest: +ELLIPSIS
expected course course:college-english to be recognised, but no achievement was used for it
evaluation of demo-college:460301 for w-001 as of 2026-11-29: 6 of 150 credits recognised
  elec-l4 (skill:csco2022:6-31-01-03@四级): not recognised, SUPERSEDED_BY_HIGHER — ...
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import get_args

from creditbank.engine import Decision, Evaluation, ReasonCode, Use
from creditbank.suggest import did_you_mean

__all__ = ["assert_not_recognised", "assert_recognised"]


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise TypeError(f"credits must be an int, a decimal string or a Decimal, not {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"credits {value!r} is not a number") from None


def _use_line(use: Use) -> str:
    target = use.course or f"requirement {use.requirement}"
    grade = f", recorded {use.recorded_grade}" if use.recorded_grade else ""
    whom = "+".join(use.achievements)
    return f"{whom} -> {target}: {use.credits} credits ({use.kind}, rule {use.rule}{grade})"


def _decision_line(decision: Decision) -> str:
    head = (
        f"{decision.achievement} ({decision.unit}{'@' + decision.level if decision.level else ''})"
    )
    if decision.recognised:
        uses = "; ".join(f"{u.course or u.requirement} {u.credits}" for u in decision.uses)
        return f"{head}: recognised {decision.credits} credits [{uses}]"
    why = decision.message_en or ""
    return f"{head}: not recognised, {decision.reason}" + (f" — {why}" if why else "")


def describe(evaluation: Evaluation) -> str:
    """The evaluation in a few lines: totals, then each achievement's decision."""
    totals = evaluation.totals
    lines = [
        f"evaluation of {evaluation.program} for {evaluation.learner} as of "
        f"{evaluation.as_of.isoformat()}: {totals.recognised} of {totals.program_total} "
        f"credits recognised"
    ]
    lines += [f"  {_decision_line(d)}" for d in evaluation.decisions]
    return "\n".join(lines)


def _decision(evaluation: Evaluation, achievement: str) -> Decision:
    __tracebackhide__ = True
    for decision in evaluation.decisions:
        if decision.achievement == achievement:
            return decision
    names = [d.achievement for d in evaluation.decisions]
    hint = did_you_mean(achievement, names) or f" it has {', '.join(names) or 'none'}"
    raise AssertionError(f"the evaluation has no achievement {achievement!r};{hint}")


def _selected(
    evaluation: Evaluation,
    course: str | None,
    achievement: str | None,
    requirement: str | None,
    rule: str | None,
) -> list[Use]:
    return [
        use
        for use in evaluation.uses()
        if (course is None or use.course == course)
        and (achievement is None or achievement in use.achievements)
        and (requirement is None or use.requirement == requirement)
        and (rule is None or use.rule == rule)
    ]


def _what(
    course: str | None, achievement: str | None, requirement: str | None, rule: str | None
) -> str:
    parts = []
    if course is not None:
        parts.append(f"course {course}")
    if requirement is not None:
        parts.append(f"requirement {requirement}")
    if achievement is not None:
        parts.append(
            f"achievement {achievement}" if not parts else f"from achievement {achievement}"
        )
    if rule is not None:
        parts.append(f"under rule {rule}")
    return " ".join(parts)


def assert_recognised(
    evaluation: Evaluation,
    *,
    course: str | None = None,
    credits: int | str | Decimal | None = None,
    achievement: str | None = None,
    requirement: str | None = None,
    rule: str | None = None,
) -> tuple[Use, ...]:
    """Assert that something was recognised, and return the uses that show it.

    Name what: a ``course`` (exempted or partly credited), an ``achievement``, a
    ``requirement``, a ``rule`` — any combination; the uses that match all of them count.
    With ``credits``, their credits must add up to exactly that (``4``, ``"1.5"``).
    On failure the message says what was expected, what the evaluation did instead, and
    every decision.
    """
    __tracebackhide__ = True
    if course is None and achievement is None and requirement is None and rule is None:
        raise TypeError(
            "say what should be recognised: course=, achievement=, requirement= or rule="
        )
    wanted = None if credits is None else _amount(credits)
    decision = None if achievement is None else _decision(evaluation, achievement)
    uses = _selected(evaluation, course, achievement, requirement, rule)
    what = _what(course, achievement, requirement, rule)
    if not uses:
        if decision is not None and not decision.recognised:
            why = f"{decision.reason}" + (f": {decision.message_en}" if decision.message_en else "")
            reason = f"{achievement} was not recognised ({why})"
        elif decision is not None:
            used = "; ".join(_use_line(u) for u in decision.uses)
            reason = f"{achievement} was used otherwise: {used}"
        else:
            reason = "no achievement was used for it"
        raise AssertionError(
            f"expected {what} to be recognised, but {reason}\n{describe(evaluation)}"
        )
    total = sum((u.credits for u in uses), Decimal(0))
    if wanted is not None and total != wanted:
        lines = "\n".join(f"    {_use_line(u)}" for u in uses)
        raise AssertionError(
            f"expected {wanted} credits for {what}, but it got {total}:\n{lines}\n"
            f"{describe(evaluation)}"
        )
    return tuple(uses)


def assert_not_recognised(
    evaluation: Evaluation, *, achievement: str, reason: ReasonCode | str | None = None
) -> Decision:
    """Assert that an achievement was not recognised (and why: a reason code such as
    ``CAP_REACHED``, see :data:`creditbank.engine.REASONS`); return its decision."""
    __tracebackhide__ = True
    codes: Iterable[str] = get_args(ReasonCode)
    if reason is not None and reason not in codes:
        hint = did_you_mean(str(reason), list(codes)) or " see creditbank.engine.REASONS"
        raise ValueError(f"{reason!r} is not a reason code;{hint}")
    decision = _decision(evaluation, achievement)
    if decision.recognised:
        used = "\n".join(f"    {_use_line(u)}" for u in decision.uses)
        raise AssertionError(
            f"expected {achievement} not to be recognised"
            + (f" ({reason})" if reason else "")
            + f", but it was: {decision.credits} credits\n{used}\n{describe(evaluation)}"
        )
    if reason is not None and decision.reason != reason:
        detail = ", ".join(f"{k}={v}" for k, v in decision.detail.items())
        raise AssertionError(
            f"expected {achievement} not to be recognised because of {reason}, but the reason "
            f"is {decision.reason}"
            + (f" ({detail})" if detail else "")
            + (f": {decision.message_en}" if decision.message_en else "")
            + f"\n{describe(evaluation)}"
        )
    return decision
