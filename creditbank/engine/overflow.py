"""Where credit a requirement cannot take goes: its overflow, and the programme total.

A requirement takes at most what it needs (its capacity: ``max_credits``, else
``min_credits``; required courses: their credits). A use bringing more is still accepted
whole when the requirement overflows (:meth:`~creditbank.models.Program.overflow_of`): the
surplus goes to the requirement it names (free electives) or counts toward the programme
total only (``total``); with ``none`` the use must fit. The programme total is a cap of its
own: nothing recognises more than ``total_credits`` in all.

For the allocator these are sum budgets, each drawing an entry's full credits
(:func:`requirement_budgets`):

* the programme total, drawn by every entry;
* a requirement ``R`` with ``none``, with the requirements ``C`` that overflow into it: for
  every subset ``S`` of ``C``, the credits into ``R`` and into ``S`` are at most the
  capacity of ``R`` plus that of ``S``. Together these say exactly that what ``R`` takes
  directly plus every member's surplus (``max(0, into_c - capacity_c)``) fits in ``R``
  (the surplus of the members outside ``S`` being at least zero, the worst ``S`` is the set
  of members with a surplus);
* a requirement that overflows into ``total``, or into a requirement that does, has no
  budget of its own: its surplus can always go somewhere.

After the allocation :func:`place` splits each chosen entry between its requirement and the
overflow, in canonical order: what it needs first, the rest to the overflow.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from creditbank.models import Program

__all__ = [
    "Placement",
    "RequirementBudget",
    "place",
    "requirement_budgets",
    "unknown_requirement",
]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class RequirementBudget:
    """A budget an entry into a requirement draws its full credits from."""

    key: tuple[Hashable, ...]
    limit: Decimal
    kind: str  # "requirement" | "total"
    name: str
    """The requirement (or programme) a blocked use is told is full."""


def unknown_requirement(requirement: str) -> tuple[RequirementBudget, ...]:
    """The budget of a requirement the programme lacks: it takes nothing."""
    return (RequirementBudget(("requirement", requirement), _ZERO, "requirement", requirement),)


def requirement_budgets(
    program: Program, capacity: Mapping[str, Decimal]
) -> dict[str, tuple[RequirementBudget, ...]]:
    """Requirement id -> the budgets an entry into it draws from (module docstring)."""
    total = RequirementBudget(("total",), program.total_credits, "total", program.id)
    sources: dict[str, list[str]] = {}
    for requirement in program.requirements:
        target = program.overflow_of(requirement.id)
        if target not in ("none", "total"):
            sources.setdefault(target, []).append(requirement.id)
    out: dict[str, list[RequirementBudget]] = {r.id: [] for r in program.requirements}
    for requirement in program.requirements:
        rid = requirement.id
        if program.overflow_of(rid) != "none":
            continue
        members = sources.get(rid, [])
        for size in range(len(members) + 1):
            for subset in itertools.combinations(members, size):
                key: tuple[Hashable, ...] = ("requirement", rid, *subset)
                limit = capacity.get(rid, _ZERO) + sum(
                    (capacity.get(m, _ZERO) for m in subset), _ZERO
                )
                budget = RequirementBudget(key, limit, "requirement", rid)
                out[rid].append(budget)
                for member in subset:
                    out[member].append(budget)
    return {rid: (*budgets, total) for rid, budgets in out.items()}


@dataclass(frozen=True)
class Placement:
    """How chosen entries were split: (option position, entry position) -> (overflow,
    surplus) for entries with a surplus, and what each requirement received."""

    surplus: dict[tuple[int, int], tuple[str, Decimal]]
    received: dict[str, Decimal]


def place(
    program: Program,
    capacity: Mapping[str, Decimal],
    chosen: Sequence[Sequence[tuple[str, Decimal]]],
) -> Placement:
    """Split the chosen options' entries, each a (requirement, credits), in canonical order,
    between requirements and their overflow: a requirement takes what it still needs, the
    rest goes on."""
    received: dict[str, Decimal] = {}
    surplus: dict[tuple[int, int], tuple[str, Decimal]] = {}
    moved: list[tuple[str, Decimal]] = []
    for position, option in enumerate(chosen):
        for at, (rid, credits) in enumerate(option):
            target = program.overflow_of(rid)
            have = received.get(rid, _ZERO)
            if target == "none":
                received[rid] = have + credits
                continue
            taken = min(credits, max(capacity.get(rid, _ZERO) - have, _ZERO))
            received[rid] = have + taken
            if credits > taken:
                surplus[(position, at)] = (target, credits - taken)
                moved.append((target, credits - taken))
    for target, amount in moved:  # a target's own entries first, then what overflows into it
        if target == "total":
            continue
        have = received.get(target, _ZERO)
        if program.overflow_of(target) == "none":
            received[target] = have + amount
        else:  # it passes on what it cannot take, to the total
            received[target] = have + min(amount, max(capacity.get(target, _ZERO) - have, _ZERO))
    return Placement(surplus, received)
