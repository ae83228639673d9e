"""The brute-force oracle of highest-only, family by family (shared by test_highest_only and
test_properties). A plain module with no tests: importing it from inside a running
hypothesis test defines no ``@given`` test (hypothesis refuses nested ``@given``)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from creditbank.engine.evaluate import Plan
from creditbank.engine.highest import families, marks
from creditbank.engine.options import Option
from creditbank.models import Portfolio, Standards
from tests.engine.test_properties import violations

__all__ = ["best", "check_highest_only"]


def _uses(options: Sequence[Option]) -> list[Any]:
    return [
        (o.rule.id, o.binding, e.requirement, e.course, e.credits, e.kind)
        for o in options
        for e in o.entries
    ]


def best(standards: Standards, portfolio: Portfolio, options: Sequence[Option]) -> Decimal:
    best = Decimal(0)
    for size in range(len(options) + 1):
        for subset in itertools.combinations(options, size):
            uses = _uses(subset)
            total = sum((u[4] for u in uses), Decimal(0))
            if total > best and not violations(standards, portfolio, uses):
                best = total
    return best


def check_highest_only(standards: Standards, portfolio: Portfolio, made: Plan) -> None:
    """The allocation breaks no constraint, recognises the most any options allow (strict
    families on their top), and no family counts lower than it could (brute force)."""
    candidates = made.candidates
    caps, facts = list(made.caps), made.facts
    found = families(caps, candidates, facts, standards, made.program)
    option_marks = marks(found, candidates, facts, standards, made.program)
    allowed = [
        o
        for o, marked in zip(candidates, option_marks, strict=True)
        if all(low >= found[at].levels[0] for at, low in marked if found[at].strict)
    ]
    chosen = [made.options[i] for i in made.solution.chosen]
    assert violations(standards, portfolio, _uses(chosen)) == []
    assert made.solution.total == best(standards, portfolio, allowed)
    kept = {id(o) for o in made.options}
    for option, marked in zip(candidates, option_marks, strict=True):
        assert id(option) in kept or marked, "only highest-only sets an option aside"
    position = {id(o): p for p, o in enumerate(candidates)}
    for index, family in enumerate(found):
        ranks = [low for o in chosen for at, low in option_marks[position[id(o)]] if at == index]
        if family.strict:
            assert all(rank == family.levels[0] for rank in ranks)
        if not ranks:
            continue
        for level in family.levels:
            if level <= min(ranks):
                break
            higher = [
                o
                for p, o in enumerate(candidates)
                if id(o) in kept and all(low >= level for at, low in option_marks[p] if at == index)
            ]
            assert best(standards, portfolio, higher) < made.solution.total, (
                f"family {family.key} counts on rank {min(ranks)}; rank {level} loses nothing"
            )
