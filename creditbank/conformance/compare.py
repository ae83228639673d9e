"""Compare what a case expects with an answer: every difference, one line each.

An *answer* is plain JSON data shaped like ``creditbank evaluate --format json``
(``creditbank.evaluation/1``) or any subset of it that holds what the case checks:
``decisions`` (a list, one per achievement), ``requirements`` (a list) and ``totals``.
:func:`answer_of` gives creditbank's own answer for an :class:`~creditbank.Evaluation`.

Only what the case states is compared. Amounts (credits, satisfied, share …) compare as
exact decimals, so ``1.5``, ``"1.5"`` and ``1.50`` agree; everything else by equality (dates
as ISO text, numbers as text where the answer gives text). The rules are those of
``creditbank/conformance/cases/README.md``.

>>> expect = {"total": 4, "decisions": {"a1": {"recognised": True, "credits": "4"}}}
>>> answer = {"decisions": [{"achievement": "a1", "recognised": True, "credits": "3.0"}],
...           "totals": {"recognised": "3"}}
>>> for line in compare(expect, answer):
...     print(line)
total: expected 4, actual 3
decisions.a1.credits: expected 4, actual 3.0
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from creditbank.conformance.golden import DECISION_FIELDS, USE_ORDER
from creditbank.engine import Evaluation

__all__ = ["answer_of", "answer_problems", "compare", "compare_decision", "summary"]


class _Missing:
    """A field the answer does not give."""

    def __repr__(self) -> str:
        return "(missing)"


MISSING: Any = _Missing()

_DECISION_DEFAULTS: dict[str, Any] = {
    "level": None,
    "uses": [],
    "reason": None,
    "detail": {},
    "rules": [],
}
_USE_DEFAULTS: dict[str, Any] = {
    "course": None,
    "recorded_grade": None,
    "overflow": None,
    "overflow_credits": None,
}
_REQUIREMENT_DEFAULTS: dict[str, Any] = {"courses_exempted": []}
_TOTALS_DEFAULTS: dict[str, Any] = {"optimal": True}
_USE_ORDER = USE_ORDER
_AMOUNTS = {
    "decision": {"credits"},
    "use": {"credits", "overflow_credits"},
    "totals": {"recognised", "program_total", "remaining", "share"},
    "requirement": {"required", "satisfied", "remaining"},
}


def answer_of(evaluation: Evaluation) -> dict[str, Any]:
    """creditbank's own answer: the evaluation as plain JSON data."""
    data = json.loads(evaluation.to_json(indent=None))
    assert isinstance(data, dict)
    return data


def answer_problems(answer: Any) -> list[str]:
    """What is wrong with the answer's shape (empty when it can be compared)."""
    if not isinstance(answer, dict):
        return [f"the answer is a JSON {type(answer).__name__}, not an object"]
    out = []
    decisions = answer.get("decisions")
    if not isinstance(decisions, list) or not all(
        isinstance(d, dict) and isinstance(d.get("achievement"), str) for d in decisions
    ):
        out.append("`decisions` must be a list of objects, each with an `achievement` id")
    else:
        for d in decisions:
            if not isinstance(d.get("uses", []), list) or not all(
                isinstance(u, dict) for u in d.get("uses", [])
            ):
                out.append(f"decisions.{d['achievement']}.uses must be a list of objects")
            rules = d.get("rules", [])
            if not isinstance(rules, list) or not all(
                isinstance(r, dict) and isinstance(r.get("rule"), str) for r in rules
            ):
                out.append(f"decisions.{d['achievement']}.rules must be a list of {{rule, …}}")
            if not isinstance(d.get("detail", {}), dict):
                out.append(f"decisions.{d['achievement']}.detail must be an object")
    requirements = answer.get("requirements", [])
    if not isinstance(requirements, list) or not all(
        isinstance(r, dict) and isinstance(r.get("requirement"), str) for r in requirements
    ):
        out.append("`requirements` must be a list of objects, each with a `requirement` id")
    if not isinstance(answer.get("totals", {}), dict):
        out.append("`totals` must be an object")
    return out


def _amount(value: Any) -> Any:
    """An amount as the answer gives it, as a Decimal when it reads as one."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def _field(data: Mapping[str, Any], key: str, defaults: Mapping[str, Any], kind: str) -> Any:
    value = data.get(key, defaults.get(key, MISSING))
    return _amount(value) if key in _AMOUNTS[kind] else value


def _detail_value(value: Any) -> Any:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


def _same(want: Any, have: Any) -> bool:
    """Equal, with amounts compared as exact decimals (``1.5``, ``"1.5"`` and 1.50 agree)."""
    if have is MISSING:
        return False
    if isinstance(have, Decimal):
        if isinstance(want, bool) or not isinstance(want, int | str | Decimal):
            return False
        try:
            return Decimal(str(want)) == have
        except ArithmeticError:
            return False
    if isinstance(want, list):
        if have is not None and not isinstance(have, list | tuple):
            return False
        return [str(w) for w in want] == [str(h) for h in have or ()]
    if isinstance(want, dt.date):
        return bool(want.isoformat() == have)
    if isinstance(have, str) and isinstance(want, int | Decimal) and not isinstance(want, bool):
        return str(want) == have
    return bool(want == have)


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return repr(value.isoformat())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _show_amount(value: Any) -> str:
    """An expected amount as a number, however the case wrote it."""
    return _show(_amount(value))


def _show_uses(uses: Sequence[Mapping[str, Any]]) -> str:
    return _show(
        [{k: _amount(v) if k in _AMOUNTS["use"] else v for k, v in u.items()} for u in uses]
    )


def _use_view(use: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _field(use, key, _USE_DEFAULTS, "use") for key in _USE_ORDER}


def _use_matches(want: Mapping[str, Any], have: Mapping[str, Any]) -> bool:
    return all(_same(value, have.get(key, MISSING)) for key, value in want.items())


def _uses_match(wanted: Sequence[Mapping[str, Any]], have: list[dict[str, Any]]) -> bool:
    """A one-to-one pairing of expected and actual uses (order does not matter)."""
    if len(wanted) != len(have):
        return False
    if not wanted:
        return True
    first, rest = wanted[0], wanted[1:]
    return any(
        _use_matches(first, candidate) and _uses_match(rest, have[:i] + have[i + 1 :])
        for i, candidate in enumerate(have)
    )


def _rule_outcomes(decision: Mapping[str, Any]) -> dict[str, str]:
    rules = decision.get("rules", [])
    return {r["rule"]: r.get("reason") or r.get("outcome") for r in rules}


def compare_decision(name: str, want: Mapping[str, Any], have: Mapping[str, Any]) -> list[str]:
    """Differences between one expected decision and the answer's decision."""
    out: list[str] = []
    detail = {k: _detail_value(v) for k, v in (have.get("detail") or {}).items()}
    for key, value in want.items():
        where = f"decisions.{name}.{key}"
        if key == "uses":
            actual = [_use_view(u) for u in have.get("uses", [])]
            if not _uses_match(list(value), actual):
                out.append(
                    f"{where}:\n    expected {_show_uses(value)}\n    actual   {_show(actual)}"
                )
        elif key == "rules":
            outcomes = _rule_outcomes(have)
            for rule in sorted(set(value) | set(outcomes)):
                if value.get(rule) != outcomes.get(rule):
                    out.append(
                        f"{where}.{rule}: expected {value.get(rule, '(not listed)')!r}, "
                        f"actual {outcomes.get(rule, '(rule did not look at it)')!r}"
                    )
        elif key == "detail":
            for detail_key, detail_value in value.items():
                actual_detail = detail.get(detail_key)
                if not _same(detail_value, actual_detail):
                    out.append(
                        f"{where}.{detail_key}: expected {_show(detail_value)}, "
                        f"actual {_show(actual_detail)}"
                    )
        elif key in DECISION_FIELDS:
            actual_value = _field(have, key, _DECISION_DEFAULTS, "decision")
            if not _same(value, actual_value):
                shown = _show_amount(value) if key in _AMOUNTS["decision"] else _show(value)
                out.append(f"{where}: expected {shown}, actual {_show(actual_value)}")
        else:  # a detail key given at the top level, e.g. {reason: CAP_REACHED, cap: ...}
            actual_detail = detail.get(key)
            if not _same(value, actual_detail):
                out.append(
                    f"decisions.{name}.detail.{key}: expected {_show(value)}, "
                    f"actual {_show(actual_detail)}"
                )
    return out


def compare(expect: Mapping[str, Any], answer: Mapping[str, Any]) -> list[str]:
    """Every difference between what a case expects and an answer, one line each.

    A malformed answer gives the problems of its shape instead (see :func:`answer_problems`).
    """
    shape = answer_problems(answer)
    if shape:
        return [f"answer: {problem}" for problem in shape]
    out: list[str] = []
    totals = answer.get("totals", {})
    if "total" in expect:
        actual = _field(totals, "recognised", _TOTALS_DEFAULTS, "totals")
        if not _same(expect["total"], actual):
            out.append(f"total: expected {_show_amount(expect['total'])}, actual {_show(actual)}")
    for key, value in expect.get("totals", {}).items():
        actual = _field(totals, key, _TOTALS_DEFAULTS, "totals")
        if not _same(value, actual):
            shown = _show_amount(value) if key in _AMOUNTS["totals"] else _show(value)
            out.append(f"totals.{key}: expected {shown}, actual {_show(actual)}")
    decisions = {d["achievement"]: d for d in answer.get("decisions", [])}
    for name, want in expect.get("decisions", {}).items():
        if name not in decisions:
            out.append(f"decisions.{name}: no decision about this achievement")
            continue
        out.extend(compare_decision(name, want, decisions[name]))
    progress = {r["requirement"]: r for r in answer.get("requirements", [])}
    for name, want in expect.get("requirements", {}).items():
        if name not in progress:
            out.append(f"requirements.{name}: no progress reported for this requirement")
            continue
        for key, value in want.items():
            actual = _field(progress[name], key, _REQUIREMENT_DEFAULTS, "requirement")
            if not _same(value, actual):
                shown = _show_amount(value) if key in _AMOUNTS["requirement"] else _show(value)
                out.append(f"requirements.{name}.{key}: expected {shown}, actual {_show(actual)}")
    return out


def summary(answer: Mapping[str, Any]) -> str:
    """What an answer decided, compactly, to read next to the differences."""
    if answer_problems(answer):
        return "  " + _show(answer)[:500]
    totals = answer.get("totals", {})
    lines = [
        f"  total {totals.get('recognised', MISSING)} of {totals.get('program_total', MISSING)}"
    ]
    for d in answer.get("decisions", []):
        if d.get("recognised"):
            uses = "; ".join(
                f"{u.get('rule')} -> {u.get('course') or u.get('requirement')} {u.get('credits')}"
                for u in d.get("uses", [])
            )
            lines.append(f"  {d['achievement']}: {d.get('credits')} [{uses}]")
        else:
            detail = {
                k: v for k, v in (d.get("detail") or {}).items() if k not in ("as_of", "earned_on")
            }
            lines.append(f"  {d['achievement']}: {d.get('reason')} {detail}")
    return "\n".join(lines)
