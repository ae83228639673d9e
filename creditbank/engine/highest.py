"""Highest-only: a family of similar certificates counts once, on its highest level.

A highest-only cap groups the achievements it counts (``per`` family, unit, programme …);
within a group one achievement counts at most (a distinct budget of one, see
:mod:`creditbank.engine.constraints`). *Which* one is a preference over the allocation,
decided here, family by family (a family is one group of one cap):

* ``highest_only: strict`` — a lower level never counts while a higher one of the family
  could convert, whatever either would give: the lower ones' options are set aside before
  the allocation.
* ``highest_only: true`` — the highest level counts unless a lower one recognises more
  credit. The objective is lexicographic: (1) the most credit over every option the rules
  offer (a better certificate never costs the learner credit); (2) among allocations with
  that total, every family on the highest level it can keep, families taken in canonical
  order (cap id, then the group, e.g. the family's name); (3) the canonical order of
  :mod:`creditbank.engine.allocate`. Rule ids play no part in (2).

**Algorithm.** A family's *floor* is the lowest level allowed to count; options that count
a member below it are set aside. First every floor is the family's top (the letter); if
that allocation reaches the most credit the rules allow without any floor, it stands — the
usual case, one allocation, two when a highest-only cap sets something aside. Otherwise the
maximum ``T`` is the total without floors, and each family in turn gets the highest floor
at which an allocation still reaches ``T``, given the floors already decided (the families
after it still free). An allocation that already respects a floor needs no new solve, so
only the families that do count lower down cost allocations (one per level tried).

Why this is right: a family left on a lower level ``l`` in the end was tried at every level
above ``l`` with a subset of the final restrictions, and no allocation reached ``T`` there;
the final restrictions only remove options, so none reaches ``T`` with that family on a
higher level and every other family as decided. And ``T`` is reached at the end, since
every floor kept was kept with an allocation reaching it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from creditbank.engine.allocate import solve
from creditbank.engine.constraints import (
    Compiled,
    compile_problem,
    counted,
    group_keys,
    highest_members,
)
from creditbank.engine.facts import Facts
from creditbank.engine.options import Option
from creditbank.engine.problem import Solution
from creditbank.models import Cap, Program, Standards

__all__ = ["Allocation", "Family", "allocate", "families", "marks", "restricted"]

_BOTTOM = -(10**9)
"""The rank of an achievement without a level: below every level."""


def _rank(fact: Facts) -> int:
    return fact.rank if fact.rank is not None else _BOTTOM


@dataclass(frozen=True)
class Family:
    """One group of one highest-only cap: its members and their levels (ranks)."""

    cap: Cap
    key: Hashable
    members: tuple[tuple[str, int], ...]
    """(achievement, rank), highest first, then earliest earned, then id."""

    @property
    def strict(self) -> bool:
        return self.cap.highest_only == "strict"

    @property
    def levels(self) -> tuple[int, ...]:
        """The members' distinct ranks, highest first."""
        return tuple(sorted({rank for _, rank in self.members}, reverse=True))

    def rank(self, achievement: str) -> int:
        return next(rank for member, rank in self.members if member == achievement)


def families(
    caps: Sequence[Cap],
    options: Sequence[Option],
    facts: Mapping[str, Facts],
    standards: Standards,
    program: Program | None = None,
) -> list[Family]:
    """The groups of highest-only caps whose members are on more than one level, in
    canonical order (cap id, group). Members are the achievements of options the cap
    counts in the group: only certificates that could convert are compared."""
    found: list[Family] = []
    for cap in sorted((c for c in caps if c.highest_only), key=lambda c: c.id):
        groups: dict[Hashable, set[str]] = {}
        for option in options:
            for entry in option.entries:
                if counted(cap, option, entry, facts, standards):
                    keys = group_keys(
                        cap, option, entry, facts=facts, standards=standards, program=program
                    )
                    for key in keys:
                        groups.setdefault(key, set()).update(
                            highest_members(cap, option, key, facts)
                        )
        for key in sorted(groups, key=str):
            ranked = sorted(
                groups[key],
                key=lambda a: (-_rank(facts[a]), facts[a].achievement.earned_on, a),
            )
            members = tuple((a, _rank(facts[a])) for a in ranked)
            if len({rank for _, rank in members}) > 1:
                found.append(Family(cap, key, members))
    return found


def marks(
    family_list: Sequence[Family],
    options: Sequence[Option],
    facts: Mapping[str, Facts],
    standards: Standards,
    program: Program | None = None,
) -> list[tuple[tuple[int, int], ...]]:
    """Per option: (family index, lowest rank of the family's members it binds) for every
    family that counts it — the option is set aside when that rank is below the family's
    floor. Achievements outside the family (a training bound with a certificate) have no
    say in it."""
    out: list[tuple[tuple[int, int], ...]] = []
    for option in options:
        found = []
        for index, family in enumerate(family_list):
            cap = family.cap
            if any(
                counted(cap, option, entry, facts, standards)
                and family.key
                in group_keys(cap, option, entry, facts=facts, standards=standards, program=program)
                for entry in option.entries
            ):
                bound = highest_members(cap, option, family.key, facts)
                found.append((index, min(_rank(facts[a]) for a in bound)))
        out.append(tuple(found))
    return out


def restricted(
    option_marks: Sequence[tuple[tuple[int, int], ...]], floors: Sequence[int]
) -> list[int]:
    """Positions of the options no floor sets aside."""
    return [
        position
        for position, marked in enumerate(option_marks)
        if all(low >= floors[index] for index, low in marked)
    ]


@dataclass(frozen=True)
class Allocation:
    """The allocation with highest-only decided: what :class:`~creditbank.engine.evaluate.Plan`
    keeps of it."""

    options: tuple[Option, ...]
    compiled: Compiled
    solution: Solution
    superseded: dict[str, tuple[str, str]]
    """Achievements set aside below their family's floor -> (cap id, a higher member)."""
    relaxed_for: frozenset[str]
    """Members below their family's top allowed to count, because keeping the family on a
    higher level would cost credit."""
    set_aside: dict[str, tuple[str, str, str, str]] = dataclasses.field(default_factory=dict)
    """Achievements left with no option because a partner in a combination is below its
    family's floor -> (cap id, rule id, that partner, the member counted above it)."""


@dataclass(frozen=True)
class _Solved:
    positions: tuple[int, ...]
    """Positions of the options among the candidates."""
    options: tuple[Option, ...]
    compiled: Compiled
    solution: Solution


@dataclass(frozen=True)
class _Solver:
    standards: Standards
    program: Program
    caps: Sequence[Cap]
    candidates: Sequence[Option]
    facts: Mapping[str, Facts]

    def compiled(self, positions: Sequence[int]) -> tuple[tuple[Option, ...], Compiled]:
        options = tuple(self.candidates[p] for p in positions)
        made = compile_problem(self.standards, self.program, self.caps, options, self.facts)
        return options, made

    def solved(self, positions: Sequence[int]) -> _Solved:
        options, compiled = self.compiled(positions)
        return _Solved(tuple(positions), options, compiled, solve(compiled.problem))

    def moved(self, current: _Solved, positions: Sequence[int]) -> _Solved:
        """``current``'s allocation over fewer options (its chosen ones among them)."""
        where = {p: i for i, p in enumerate(positions)}
        chosen = tuple(sorted(where[current.positions[i]] for i in current.solution.chosen))
        options, compiled = self.compiled(positions)
        solution = dataclasses.replace(current.solution, chosen=chosen)
        return _Solved(tuple(positions), options, compiled, solution)


def allocate(
    standards: Standards,
    program: Program,
    caps: Sequence[Cap],
    candidates: Sequence[Option],
    facts: Mapping[str, Facts],
) -> Allocation:
    """Solve the allocation over ``candidates`` (in canonical order) with highest-only
    decided family by family (module docstring)."""
    solver = _Solver(standards, program, caps, candidates, facts)
    found = families(caps, candidates, facts, standards, program)
    if not found:
        every = solver.solved(range(len(candidates)))
        return Allocation(every.options, every.compiled, every.solution, {}, frozenset())
    option_marks = marks(found, candidates, facts, standards, program)
    floors = [family.levels[0] for family in found]
    current = solver.solved(restricted(option_marks, floors))
    lenient = [i for i, family in enumerate(found) if not family.strict]
    if lenient and len(current.positions) < len(candidates):
        free = list(floors)
        for index in lenient:
            free[index] = found[index].levels[-1]
        relaxed = solver.solved(restricted(option_marks, free))
        if relaxed.solution.total > current.solution.total:
            current, floors = _raise_floors(
                solver,
                found=found,
                lenient=lenient,
                option_marks=option_marks,
                floors=free,
                current=relaxed,
            )
    chosen = [current.options[i] for i in current.solution.chosen]
    usable = {a for o in current.options for a in o.binding}
    superseded = _superseded(found, floors, chosen, usable)
    kept = set(current.positions)
    aside = [(candidates[p], option_marks[p]) for p in range(len(candidates)) if p not in kept]
    return Allocation(
        current.options,
        current.compiled,
        current.solution,
        superseded,
        frozenset(
            a
            for index, family in enumerate(found)
            for a, rank in family.members
            if floors[index] <= rank < family.levels[0]
        ),
        _partners_set_aside(found, floors, chosen, aside, usable | set(superseded)),
    )


def _partners_set_aside(
    found: Sequence[Family],
    floors: Sequence[int],
    chosen: Sequence[Option],
    aside: Sequence[tuple[Option, tuple[tuple[int, int], ...]]],
    explained: set[str],
) -> dict[str, tuple[str, str, str, str]]:
    """Achievements whose every option was set aside for a partner below its family's floor
    (``explained``: those with an option left, or superseded themselves) -> (cap, rule, the
    partner, the member of its family counted above it, else the family's first)."""
    counted_now = {a for option in chosen for a in option.binding}
    out: dict[str, tuple[str, str, str, str]] = {}
    for option, marked in aside:
        below = [(index, low) for index, low in marked if low < floors[index]]
        if not below:
            continue
        index, low = below[0]
        family = found[index]
        partner = next(a for a, rank in family.members if rank == low and a in option.binding)
        higher = [a for a, rank in family.members if rank > low and a in counted_now]
        for achievement in option.binding:
            if achievement not in explained and achievement != partner:
                out.setdefault(
                    achievement,
                    (family.cap.id, option.rule.id, partner, (higher or [family.members[0][0]])[0]),
                )
    return out


def _raise_floors(
    solver: _Solver,
    *,
    found: Sequence[Family],
    lenient: Sequence[int],
    option_marks: Sequence[tuple[tuple[int, int], ...]],
    floors: list[int],
    current: _Solved,
) -> tuple[_Solved, list[int]]:
    """Each lenient family in turn on the highest floor that keeps the total."""
    best = current.solution.total
    for index in lenient:
        for level in found[index].levels[:-1]:
            trial = [*floors]
            trial[index] = level
            chosen = [current.positions[i] for i in current.solution.chosen]
            if all(low >= level for p in chosen for at, low in option_marks[p] if at == index):
                floors = trial  # the allocation keeps the family there: it stays canonical
                break
            attempt = solver.solved(restricted(option_marks, trial))
            if attempt.solution.total == best:
                floors, current = trial, attempt
                break
    final = restricted(option_marks, floors)
    if tuple(final) != current.positions:  # floors kept without a new solve
        current = solver.moved(current, final)
    return current, floors


def _superseded(
    found: Sequence[Family],
    floors: Sequence[int],
    chosen: Sequence[Option],
    usable: set[str],
) -> dict[str, tuple[str, str]]:
    """Members below their family's floor that no option is left to (``usable`` are the
    achievements of the options left) -> (cap, the member counted above them, else the
    family's first member: highest, earliest earned). A member with an option left is
    explained by what blocks that option."""
    counted_now = {a for option in chosen for a in option.binding}
    out: dict[str, tuple[str, str]] = {}
    for index, family in enumerate(found):
        for achievement, rank in family.members:
            if rank >= floors[index] or achievement in usable:
                continue
            higher = [a for a, r in family.members if r > rank and a in counted_now]
            out.setdefault(achievement, (family.cap.id, (higher or [family.members[0][0]])[0]))
    return out
