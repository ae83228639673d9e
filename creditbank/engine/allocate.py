"""Choose the options that recognise the most credit under every constraint: exact search.

The problem is a small 0-1 integer programme. Every constraint is a :class:`Budget`:

* a *sum* budget caps the credits its options add (a course's credits, a requirement's
  capacity, a cap's ``max_credits`` or ``max_share``, the bank-recognised ceiling);
* a *distinct* budget caps how many distinct tokens its options carry (one use per
  achievement, one achievement per unit, at most N certificates, highest-only).

**Objective and tie-break.** Maximise the total credit. Among allocations with the same
total, the first in *canonical order* wins: options come ordered by
:func:`~creditbank.engine.options.canonical_order` (more credit, higher rule priority, the
programme's ``tie_break`` — by default the achievement earned first —, rule id, achievement
ids, target), and an allocation that includes an earlier option beats one that does not
(the lexicographically greatest inclusion vector). Highest-only preferences come before
this tie-break (:mod:`creditbank.engine.highest`). The key comes from the options
themselves, so the result never depends on the order of the portfolio. Components (below)
share no budget, so the canonical allocation of the whole is the union of theirs.

**Algorithm.** Credits are scaled to integer hundredths (amounts have at most two places, so
this is exact).

1. drop budgets that cannot bind (everything that could count fits under the limit);
2. split the options into independent components (options that share no live budget); a
   component of at most ``SMALL`` options is solved by trying every subset in the order
   the search below would visit them (same result, none of the search's set-up);
3. a component of at most ``SEARCH_OPTIONS`` options is first given to a depth-first
   branch and bound, *include* before *exclude*, over the options grouped by achievement and
   by one-of group (highest-only, one per unit …); a node is pruned when its bound cannot
   beat the incumbent. The bound is the current credit plus the least of (a) each remaining
   achievement's best single use, (b) the same with each one-of group limited to its best
   members given what the group already used, and (c) what is left under the budgets every
   remaining option draws on. Knowing the maximum ``T``, a second search in canonical order
   takes the first allocation reaching ``T`` (pruning whatever cannot): the tie-break. Each
   search may visit ``SEARCH_NODES`` nodes — enough for one learner's achievements competing
   for a few courses, the usual case, in a few milliseconds;
4. a component the search does not finish goes to :func:`creditbank.engine.milp.solve_exact`:
   copies of an achievement that can never be preferred set aside (twins), the options
   grouped per achievement into *patterns* (the subsets one achievement can take
   alone), an LP over patterns solved by HiGHS whose duals give an exact integer upper
   bound and eliminate, by reduced cost, every pattern that cannot be in an optimal
   allocation; an MILP over the few survivors for ``T``; then the canonical allocation by
   fixing the surviving options one by one in canonical order (kept if an allocation
   reaching ``T`` still exists: LP bound first, MILP only when the LP is fractional). Every
   allocation it returns is checked against every budget in integers, and must reach ``T``.
   Its module docstring has the details;
5. should a component have too many patterns (``milp.PATTERNS``; an achievement with a
   dozen loosely limited options), the MILP over single options finds ``T`` and a search
   of at most ``TARGET_NODE_BUDGET`` nodes the canonical allocation; if that runs out, the
   solver's allocation is kept and :attr:`Solution.tie_break` says ``"solver"``.

:attr:`Solution.solver` says which step decided (``search``, ``lp+milp``, ``milp``);
:attr:`Solution.nodes` counts search nodes plus LP and MILP solves.

**Cost.** The search is exponential in the worst case and is therefore capped. The pattern
path costs a linear pass for twins, the enumeration of the patterns (linear in their
number: about 20 per achievement for a use of at most two courses out of three), one LP
over them, one or two MILPs over the survivors (typically a fifth of the patterns) and at
most one LP per surviving option for the tie-break, most options being decided by a fit
test without any solve. MILP is
NP-hard, so no polynomial bound holds in general, but on the dense benchmark
(``benchmarks/large_portfolio.py --profile dense``: 50 achievements, each able to fill many
of 40 courses, caps interacting; 100–300 options in one component) a component takes
10–60 ms with 5–40 LP/MILP solves, and 100–200 achievements stay under 150 ms.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

__all__ = ["SEARCH_NODES", "SEARCH_OPTIONS", "Budget", "Problem", "Solution", "feasible", "solve"]

SEARCH_OPTIONS = 120
"""Components of at most this many options are searched first; larger ones go straight to
the pattern LP (:func:`creditbank.engine.milp.solve_exact`)."""

SEARCH_NODES = 500
"""Nodes for each of the two searches (maximum, tie-break) before the pattern LP takes over."""

TARGET_NODE_BUDGET = 50_000
"""Search nodes for the tie-break after the MILP over single options (step 5)."""

SCALE = 100
"""Credits are searched in integer hundredths."""


@dataclass(frozen=True)
class Budget:
    """A limit shared by options: on summed credits, or on the number of distinct tokens."""

    key: tuple[Hashable, ...]
    limit: Decimal
    distinct: bool = False


@dataclass
class Problem:
    """Options (in canonical order), budgets, and what each option draws from which budget."""

    credits: list[Decimal]
    owners: list[tuple[Hashable, Hashable] | None]
    """(achievement, use) an option exclusively belongs to, for the bound; None if shareable."""
    caps_in_use: list[int | None]
    budgets: list[Budget] = field(default_factory=list)
    draws: list[list[tuple[int, Hashable]]] = field(default_factory=list)
    """Per option: (budget index, amount for sum budgets or token for distinct ones)."""


@dataclass(frozen=True)
class Solution:
    """Chosen option indices, the total, and whether optimality was proven."""

    chosen: tuple[int, ...]
    total: Decimal
    optimal: bool
    nodes: int
    solver: str = "search"
    tie_break: str = "canonical"


def _scaled(amount: object) -> int:
    assert isinstance(amount, Decimal)
    return int((amount * SCALE).to_integral_value(rounding=ROUND_FLOOR))


def _live_budgets(problem: Problem) -> set[int]:
    totals: dict[int, Decimal] = {}
    tokens: dict[int, set[Hashable]] = {}
    for draws in problem.draws:
        for index, value in draws:
            if problem.budgets[index].distinct:
                tokens.setdefault(index, set()).add(value)
            else:
                assert isinstance(value, Decimal)
                totals[index] = totals.get(index, Decimal(0)) + value
    live = {i for i, total in totals.items() if total > problem.budgets[i].limit}
    live |= {i for i, seen in tokens.items() if len(seen) > problem.budgets[i].limit}
    return live


def _components(problem: Problem, live: set[int]) -> list[list[int]]:
    parent = list(range(len(problem.credits)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[int, int] = {}
    for option, draws in enumerate(problem.draws):
        for index, _ in draws:
            if index in live:
                if index in first:
                    parent[find(option)] = find(first[index])
                else:
                    first[index] = option
    groups: dict[int, list[int]] = {}
    for option in range(len(problem.credits)):
        groups.setdefault(find(option), []).append(option)
    return list(groups.values())


@dataclass
class Component:
    """One independent part of the problem, in integer hundredths."""

    options: list[int]
    credits: list[int]
    draws: list[list[tuple[int, Hashable]]]
    limits: dict[int, int]
    distinct: set[int]


def _component(problem: Problem, options: list[int], live: set[int]) -> Component:
    used = {b for o in options for b, _ in problem.draws[o] if b in live}
    return Component(
        options=options,
        credits=[_scaled(problem.credits[o]) for o in options],
        draws=[
            [
                (b, v if problem.budgets[b].distinct else _scaled(v))
                for b, v in problem.draws[o]
                if b in live
            ]
            for o in options
        ],
        limits={
            b: int(problem.budgets[b].limit)
            if problem.budgets[b].distinct
            else _scaled(problem.budgets[b].limit)
            for b in used
        },
        distinct={b for b in used if problem.budgets[b].distinct},
    )


class _Search:
    def __init__(
        self, problem: Problem, part: Component, target: int | None = None, grouped: bool = True
    ) -> None:
        self.p = problem
        self.c = part
        groups = self._groups()
        self.groups = groups
        self.c = self._ordered(groups) if grouped else part
        self.reordered = self.c.options != part.options
        self._prepare_groups(groups)
        self.used: dict[int, int] = {}
        self.tokens: dict[int, dict[Hashable, int]] = {}
        self.target = target
        self.best_total = -1
        self.best_set: list[int] = []
        self.chosen: list[int] = []
        self.nodes = 0
        self.suffix = self._suffix_bounds()
        self.global_budgets = self._global_budgets()
        distinct, limits = self.c.distinct, self.c.limits
        self.sum_draws: list[list[tuple[int, int, int]]] = []
        self.distinct_draws: list[list[tuple[int, Hashable, int]]] = []
        for draws in self.c.draws:  # (budget, amount or token, limit), split by kind
            self.sum_draws.append(
                [(b, v, limits[b]) for b, v in draws if b not in distinct]  # type: ignore[misc]
            )
            self.distinct_draws.append([(b, v, limits[b]) for b, v in draws if b in distinct])

    def _groups(self) -> dict[Hashable, tuple[int, int]]:
        """Owner achievement -> (budget, limit) of the tightest distinct budget over achievements.

        A distinct budget that every option of an achievement draws, with the achievement
        as token (one per unit, highest only, at most N certificates), lets its group of
        achievements add at most its best ``limit`` members' values; each achievement is
        put in one such group at most.
        """
        part = self.c
        options_of: dict[Hashable, int] = {}
        drawing: dict[tuple[int, Hashable], int] = {}
        for position, option in enumerate(part.options):
            owner = self.p.owners[option]
            if owner is None:
                continue
            options_of[owner[0]] = options_of.get(owner[0], 0) + 1
            for index, token in part.draws[position]:
                if index in part.distinct and token == owner[0]:
                    drawing[(index, token)] = drawing.get((index, token), 0) + 1
        members: dict[int, set[Hashable]] = {}
        for (index, achievement), count in drawing.items():
            if count == options_of[achievement]:  # every use of the achievement counts here
                members.setdefault(index, set()).add(achievement)
        chosen: dict[Hashable, tuple[int, int]] = {}
        ranked = sorted(members, key=lambda b: (part.limits[b] / len(members[b]), b))
        for index in ranked:
            if part.limits[index] >= len(members[index]):
                continue
            for achievement in members[index]:
                chosen.setdefault(achievement, (index, part.limits[index]))
        return chosen

    def _ordered(self, groups: dict[Hashable, tuple[int, int]]) -> Component:
        """The component with each achievement's options together, grouped achievements
        together, so that the suffix bound soon stops counting decided achievements."""
        part = self.c

        def key(position: int) -> tuple[int, int, str, int]:
            owner = self.p.owners[part.options[position]]
            if owner is None:
                return (1, 0, "", position)
            group = groups.get(owner[0])
            first = self._first_position.get(owner[0], position)
            return (0, group[0] if group else -1, str(first).zfill(9), position)

        self._first_position: dict[Hashable, int] = {}
        for position, option in enumerate(part.options):
            owner = self.p.owners[option]
            if owner is not None:
                self._first_position.setdefault(owner[0], position)
        order = sorted(range(len(part.options)), key=key)
        return Component(
            options=[part.options[i] for i in order],
            credits=[part.credits[i] for i in order],
            draws=[part.draws[i] for i in order],
            limits=part.limits,
            distinct=part.distinct,
        )

    def _suffix_bounds(self) -> list[int]:
        """Bound (a): the best single use per achievement from here on, the best ``limit``
        achievements per group (see :meth:`_groups`), plus every shareable option."""
        part = self.c
        groups = self._groups()
        bounds = [0] * (len(part.options) + 1)
        per_use: dict[tuple[Hashable, Hashable], list[int]] = {}
        best_of_owner: dict[Hashable, int] = {}
        shared = 0
        for position in range(len(part.options) - 1, -1, -1):
            option = part.options[position]
            credits = part.credits[position]
            owner = self.p.owners[option]
            if owner is None:
                shared += credits
            else:
                values = per_use.setdefault(owner, [])
                values.append(credits)
                values.sort(reverse=True)
                limit = self.p.caps_in_use[option]
                use_value = sum(values[:limit] if limit else values)
                if use_value > best_of_owner.get(owner[0], 0):
                    best_of_owner[owner[0]] = use_value
            grouped: dict[int, list[int]] = {}
            loose = 0
            for achievement, value in best_of_owner.items():
                group = groups.get(achievement)
                if group is None:
                    loose += value
                else:
                    grouped.setdefault(group[0], []).append(value)
            capped = sum(
                sum(sorted(values, reverse=True)[: part.limits[index]])
                for index, values in grouped.items()
            )
            bounds[position] = shared + loose + capped
        return bounds

    def _global_budgets(self) -> list[int]:
        """Sum budgets that every option here draws its full credits from."""
        part = self.c
        candidates: set[int] | None = None
        for position in range(len(part.options)):
            full = {
                b
                for b, v in part.draws[position]
                if b not in part.distinct and v == part.credits[position]
            }
            candidates = full if candidates is None else candidates & full
        return sorted(candidates or ())

    def fits(self, position: int) -> bool:
        used = self.used
        for index, value, limit in self.sum_draws[position]:
            if used.get(index, 0) + value > limit:
                return False
        fresh: dict[int, int] | None = None
        tokens = self.tokens
        for index, token, limit in self.distinct_draws[position]:
            seen = tokens.get(index)
            if seen is None or token not in seen:
                if fresh is None:
                    fresh = {}
                count = fresh[index] = fresh.get(index, 0) + 1
                if (len(seen) if seen else 0) + count > limit:
                    return False
        return True

    def apply(self, position: int, sign: int) -> None:
        used = self.used
        for index, value, _ in self.sum_draws[position]:
            used[index] = used.get(index, 0) + sign * value
        tokens = self.tokens
        for index, token, _ in self.distinct_draws[position]:
            seen = tokens.get(index)
            if seen is None:
                seen = tokens[index] = {}
            count = seen.get(token, 0) + sign
            if count:
                seen[token] = count
            else:
                del seen[token]

    def _prepare_groups(self, groups: dict[Hashable, tuple[int, int]]) -> None:
        """Data for the dynamic group bound: each achievement's best value and last position."""
        part = self.c
        value: dict[Hashable, int] = {}
        last: dict[Hashable, int] = {}
        per_use: dict[tuple[Hashable, Hashable], list[int]] = {}
        for position, option in enumerate(part.options):
            owner = self.p.owners[option]
            if owner is None:
                continue
            values = per_use.setdefault(owner, [])
            values.append(part.credits[position])
            limit = self.p.caps_in_use[option]
            ranked = sorted(values, reverse=True)
            value[owner[0]] = max(value.get(owner[0], 0), sum(ranked[:limit] if limit else ranked))
            last[owner[0]] = position
        size = len(part.options)
        self.loose_suffix = [0] * (size + 1)
        self.shared_suffix = [0] * (size + 1)
        for position in range(size - 1, -1, -1):
            self.shared_suffix[position] = self.shared_suffix[position + 1] + (
                part.credits[position] if self.p.owners[part.options[position]] is None else 0
            )
        for achievement, end in last.items():
            if achievement not in groups:
                for position in range(end + 1):
                    self.loose_suffix[position] += value[achievement]
        self.group_members: dict[int, list[tuple[int, Hashable, int]]] = {}
        for achievement, (index, _) in groups.items():
            if achievement in last:
                self.group_members.setdefault(index, []).append(
                    (last[achievement], achievement, value[achievement])
                )

    def _group_room(self, position: int) -> int:
        """Bound (c): what the grouped achievements not yet passed can still add."""
        room = 0
        for index, members in self.group_members.items():
            taken = self.tokens.get(index, {})
            free = self.c.limits[index] - len(taken)
            open_values = []
            for end, achievement, value in members:
                if end < position:
                    continue
                if achievement in taken:
                    room += value
                else:
                    open_values.append(value)
            if free > 0 and open_values:
                room += sum(sorted(open_values, reverse=True)[:free])
        return room

    def hopeless(self, position: int, total: int) -> bool:
        room = self.suffix[position]
        if self.group_members:
            dynamic = (
                self.shared_suffix[position]
                + self.loose_suffix[position]
                + self._group_room(position)
            )
            room = min(room, dynamic)
        for index in self.global_budgets:
            room = min(room, self.c.limits[index] - self.used.get(index, 0))
        if self.target is not None:
            return total + room < self.target
        return total + room <= self.best_total

    def run(self, budget: int) -> bool:
        """Search; False if ``budget`` nodes ran out first."""
        size = len(self.c.options)
        # iterative DFS over (position, total, state): state 0 = try include,
        # state 1 = include explored (undo it, then explore exclude)
        stack: list[tuple[int, int, int]] = [(0, 0, 0)]
        while stack:
            position, total, state = stack.pop()
            if state == 1:
                self.chosen.pop()
                self.apply(position, -1)
                stack.append((position + 1, total, 0))
                continue
            self.nodes += 1
            if self.nodes > budget:
                return False
            if self.hopeless(position, total):
                continue
            if position == size:
                if total > self.best_total:
                    self.best_total = total
                    self.best_set = list(self.chosen)
                    if total == self.target:
                        return True
                continue
            if self.fits(position):
                self.apply(position, 1)
                self.chosen.append(self.c.options[position])
                stack.append((position, total, 1))
                stack.append((position + 1, total + self.c.credits[position], 0))
            else:
                stack.append((position + 1, total, 0))
        return True


def _value_cuts(
    problem: Problem, part: Component, groups: dict[Hashable, tuple[int, int]]
) -> list[tuple[list[int], int]]:
    """Valid inequalities for the MILP: an achievement adds at most its best use, a one-of
    group at most its best ``limit`` members (the LP relaxation does not see either)."""
    positions: dict[Hashable, list[int]] = {}
    per_use: dict[tuple[Hashable, Hashable], list[int]] = {}
    limit_of: dict[tuple[Hashable, Hashable], int | None] = {}
    for position, option in enumerate(part.options):
        owner = problem.owners[option]
        if owner is None:
            continue
        positions.setdefault(owner[0], []).append(position)
        per_use.setdefault(owner, []).append(part.credits[position])
        limit_of[owner] = problem.caps_in_use[option]
    value: dict[Hashable, int] = {}
    for owner, credits in per_use.items():
        ranked = sorted(credits, reverse=True)
        limit = limit_of[owner]
        value[owner[0]] = max(value.get(owner[0], 0), sum(ranked[:limit] if limit else ranked))
    cuts = [(where, value[a]) for a, where in positions.items() if len(where) > 1]
    members: dict[int, list[Hashable]] = {}
    for achievement, (index, _) in groups.items():
        members.setdefault(index, []).append(achievement)
    for index, group in members.items():
        best = sorted((value[a] for a in group if a in value), reverse=True)
        where = [p for a in group for p in positions.get(a, [])]
        cuts.append((where, sum(best[: part.limits[index]])))
    return cuts


SMALL = 4
"""Components of at most this many options are solved by trying every subset."""


def _first_best(part: Component) -> list[int]:
    """The allocation the search would choose, by trying every subset in the order the
    search visits them (each option included before it is left out, in canonical order):
    the first that fits with the most credit. Fitting is monotone (an option only adds to
    budgets), so the search's pruning never skips an earlier allocation of equal credit."""
    size = len(part.options)
    best_total, best = -1, 0
    for mask in range((1 << size) - 1, -1, -1):
        total = sum(part.credits[i] for i in range(size) if mask >> (size - 1 - i) & 1)
        if total > best_total and _fits_together(part, mask):
            best_total, best = total, mask
    return [part.options[i] for i in range(size) if best >> (size - 1 - i) & 1]


def _fits_together(part: Component, mask: int) -> bool:
    size = len(part.options)
    used: dict[int, int] = {}
    tokens: dict[int, set[Hashable]] = {}
    for position in range(size):
        if not mask >> (size - 1 - position) & 1:
            continue
        for index, value in part.draws[position]:
            if index in part.distinct:
                tokens.setdefault(index, set()).add(value)
            else:
                used[index] = used.get(index, 0) + value  # type: ignore[operator]
    return all(total <= part.limits[i] for i, total in used.items()) and all(
        len(seen) <= part.limits[i] for i, seen in tokens.items()
    )


def _searched(problem: Problem, part: Component) -> tuple[list[int] | None, int]:
    """Step 3: the canonical allocation if both searches finish within ``SEARCH_NODES``."""
    search = _Search(problem, part)
    finished = search.run(SEARCH_NODES)
    if not finished or not search.reordered:
        return (search.best_set if finished else None), search.nodes
    canonical = _Search(problem, part, search.best_total, grouped=False)
    found = canonical.run(SEARCH_NODES) and canonical.best_total == search.best_total
    return (canonical.best_set if found else None), search.nodes + canonical.nodes


def _solve_component(problem: Problem, part: Component) -> tuple[list[int], int, str, str]:
    """(chosen options, nodes, solver, tie-break) for one component."""
    if len(part.options) <= SMALL:  # what the search finds, found without building it
        return _first_best(part), 1 << len(part.options), "search", "canonical"
    nodes = 0
    if len(part.options) <= SEARCH_OPTIONS:
        chosen, nodes = _searched(problem, part)
        if chosen is not None:
            return chosen, nodes, "search", "canonical"
    from creditbank.engine.milp import solve_component, solve_exact  # noqa: PLC0415 - lazy highspy

    exact = solve_exact(part, [problem.owners[o] for o in part.options])
    if exact is not None:
        return exact.chosen, nodes + exact.solves, "lp+milp", "canonical"
    # step 5: too many patterns (or no LP optimum); options as MILP variables
    groups = _Search(problem, part).groups
    picked = solve_component(part, _value_cuts(problem, part, groups))
    if picked is None or not feasible(problem, picked):  # pragma: no cover - solver failure
        raise RuntimeError("the MILP solver found no optimal allocation")
    target = sum(part.credits[part.options.index(o)] for o in picked)
    canonical = _Search(problem, part, target, grouped=False)
    found = canonical.run(TARGET_NODE_BUDGET)
    nodes += canonical.nodes
    if found and canonical.best_total == target:
        return canonical.best_set, nodes, "milp", "canonical"
    return picked, nodes, "milp", "solver"


def solve(problem: Problem) -> Solution:
    """The allocation with the most credit, ties broken canonically (module docstring)."""
    live = _live_budgets(problem)
    chosen: list[int] = []
    nodes = 0
    solver, tie_break = "search", "canonical"
    for options in _components(problem, live):
        picked, used, how, tie = _solve_component(problem, _component(problem, options, live))
        chosen.extend(picked)
        nodes += used
        if how != "search":
            solver = how
        if tie != "canonical":
            tie_break = tie
    total = sum((problem.credits[i] for i in chosen), Decimal(0))
    return Solution(tuple(sorted(chosen)), total, True, nodes, solver, tie_break)


def feasible(problem: Problem, chosen: Sequence[int]) -> bool:
    """Whether a set of options respects every budget, in exact arithmetic."""
    used: dict[int, Decimal] = {}
    tokens: dict[int, set[Hashable]] = {}
    for option in chosen:
        for index, value in problem.draws[option]:
            if problem.budgets[index].distinct:
                tokens.setdefault(index, set()).add(value)
            else:
                assert isinstance(value, Decimal)
                used[index] = used.get(index, Decimal(0)) + value
    return all(total <= problem.budgets[i].limit for i, total in used.items()) and all(
        len(seen) <= problem.budgets[i].limit for i, seen in tokens.items()
    )
