"""Choose the options that recognise the most credit under every constraint: exact search.

The problem is a small 0-1 integer programme. Every constraint is a :class:`Budget`:

* a *sum* budget caps the credits its options add (a course's credits, a requirement's
  capacity, a cap's ``max_credits`` or ``max_share``, the bank-recognised ceiling);
* a *distinct* budget caps how many distinct tokens its options carry (one use per
  achievement, one achievement per unit, at most N certificates, highest-only).

Algorithm:

1. drop budgets that cannot bind (everything that could count fits under the limit);
2. split the options into independent components (options that share no budget);
3. in each component, depth-first branch and bound over the options in canonical order
   (:attr:`~creditbank.engine.options.Option.key`: more credit first, then higher rule
   priority, rule id, achievement ids, target), trying *include* before *exclude*. A node
   is pruned when its bound — current credit plus the least of (a) the best each remaining
   achievement could still add and (b) what is left under the budgets every remaining option
   draws on — cannot beat the best allocation found so far.

The first allocation found with the maximum total is kept, so among equal totals the one
that includes options earlier in the canonical order wins: the result does not depend on
the order of the portfolio. Worst case the search is exponential in the size of the
largest component; components are small in practice (one learner's achievements competing
for a few courses), and a component stops after ``NODE_LIMIT`` nodes with the best
allocation found (reported as not proven optimal).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["NODE_LIMIT", "Budget", "Problem", "Solution", "solve"]

NODE_LIMIT = 2_000_000


@dataclass(frozen=True)
class Budget:
    """A limit shared by options: on summed credits, or on the number of distinct tokens."""

    key: tuple[Hashable, ...]
    limit: Decimal
    distinct: bool = False


@dataclass
class Problem:
    """Options (by credits), budgets, and what each option draws from which budget."""

    credits: list[Decimal]
    owners: list[tuple[Hashable, Hashable] | None]
    """(achievement, use) an option exclusively belongs to, for the bound; None if shareable."""
    caps_in_use: list[int | None]
    budgets: list[Budget] = field(default_factory=list)
    draws: list[list[tuple[int, Hashable]]] = field(default_factory=list)
    """Per option: (budget index, amount for sum budgets or token for distinct ones)."""


@dataclass(frozen=True)
class Solution:
    """Chosen option indices, the total, and whether the search proved it optimal."""

    chosen: tuple[int, ...]
    total: Decimal
    optimal: bool
    nodes: int


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


class _Search:
    def __init__(self, problem: Problem, options: list[int], live: set[int]) -> None:
        self.p = problem
        self.options = options
        self.draws = [[(b, v) for b, v in problem.draws[o] if b in live] for o in options]
        self.used: dict[int, Decimal] = {}
        self.tokens: dict[int, dict[Hashable, int]] = {}
        self.best_total = Decimal(-1)
        self.best: list[int] = []
        self.chosen: list[int] = []
        self.nodes = 0
        self.suffix = self._suffix_bounds()
        self.global_budgets = self._global_budgets()

    def _suffix_bounds(self) -> list[Decimal]:
        """Bound (a): per achievement, the best single use among the options from here on."""
        bounds = [Decimal(0)] * (len(self.options) + 1)
        per_use: dict[tuple[Hashable, Hashable], list[Decimal]] = {}
        best_of_owner: dict[Hashable, Decimal] = {}
        shared = Decimal(0)
        total_owned = Decimal(0)
        for position in range(len(self.options) - 1, -1, -1):
            option = self.options[position]
            credits = self.p.credits[option]
            owner = self.p.owners[option]
            if owner is None:
                shared += credits
            else:
                values = per_use.setdefault(owner, [])
                values.append(credits)
                values.sort(reverse=True)
                limit = self.p.caps_in_use[option]
                use_value = sum(values[:limit] if limit else values, Decimal(0))
                previous = best_of_owner.get(owner[0], Decimal(0))
                if use_value > previous:
                    total_owned += use_value - previous
                    best_of_owner[owner[0]] = use_value
            bounds[position] = shared + total_owned
        return bounds

    def _global_budgets(self) -> list[int]:
        """Sum budgets that every option here draws its full credits from."""
        if not self.options:
            return []
        candidates: set[int] | None = None
        for position, option in enumerate(self.options):
            full = {
                b
                for b, v in self.draws[position]
                if not self.p.budgets[b].distinct and v == self.p.credits[option]
            }
            candidates = full if candidates is None else candidates & full
        return sorted(candidates or ())

    def fits(self, position: int) -> bool:
        fresh: dict[int, int] = {}
        for index, value in self.draws[position]:
            budget = self.p.budgets[index]
            if budget.distinct:
                seen = self.tokens.get(index, {})
                if value not in seen:
                    fresh[index] = fresh.get(index, 0) + 1
                    if len(seen) + fresh[index] > budget.limit:
                        return False
            else:
                assert isinstance(value, Decimal)
                if self.used.get(index, Decimal(0)) + value > budget.limit:
                    return False
        return True

    def apply(self, position: int, sign: int) -> None:
        for index, value in self.draws[position]:
            if self.p.budgets[index].distinct:
                seen = self.tokens.setdefault(index, {})
                seen[value] = seen.get(value, 0) + sign
                if seen[value] == 0:
                    del seen[value]
            else:
                assert isinstance(value, Decimal)
                self.used[index] = self.used.get(index, Decimal(0)) + sign * value

    def bound(self, position: int, current: Decimal) -> Decimal:
        room = self.suffix[position]
        for index in self.global_budgets:
            left = self.p.budgets[index].limit - self.used.get(index, Decimal(0))
            room = min(room, left)
        return current + room

    def run(self) -> bool:
        stack: list[tuple[int, Decimal, int]] = [(0, Decimal(0), 0)]
        # iterative DFS: (position, current total, state) where state 0 = try include,
        # 1 = include done (undo it, try exclude), 2 = exclude done
        while stack:
            position, current, state = stack.pop()
            if state == 0:
                self.nodes += 1
                if self.nodes > NODE_LIMIT:
                    return False
                if self.bound(position, current) <= self.best_total:
                    continue
                if position == len(self.options):
                    self.best_total = current
                    self.best = list(self.chosen)
                    continue
                if self.fits(position):
                    self.apply(position, 1)
                    self.chosen.append(self.options[position])
                    stack.append((position, current, 1))
                    stack.append(
                        (position + 1, current + self.p.credits[self.options[position]], 0)
                    )
                else:
                    stack.append((position + 1, current, 0))
            elif state == 1:
                self.chosen.pop()
                self.apply(position, -1)
                stack.append((position + 1, current, 0))
        return True


def solve(problem: Problem) -> Solution:
    """The allocation with the most credit (canonical tie-break); see the module docstring.

    ``problem`` options must already be in canonical order.
    """
    live = _live_budgets(problem)
    chosen: list[int] = []
    optimal = True
    nodes = 0
    for component in _components(problem, live):
        search = _Search(problem, component, live)
        optimal &= search.run()
        nodes += search.nodes
        chosen.extend(search.best)
    total = sum((problem.credits[i] for i in chosen), Decimal(0))
    return Solution(tuple(sorted(chosen)), total, optimal, nodes)


def feasible(problem: Problem, chosen: Sequence[int]) -> bool:
    """Whether a set of options respects every budget (for brute-force checks)."""
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
