"""The exact search: depth-first branch and bound over one component's options.

Steps 2, 3 and 5 of :mod:`creditbank.engine.allocate` (its module docstring is the spec):
:func:`first_best` tries every subset of a small component, :func:`searched` finds the
maximum and then the canonical allocation reaching it, :func:`canonical` the canonical
allocation reaching a total the MILP found. Budgets are checked through
:class:`~creditbank.engine.problem.Usage`. Node budgets are the caller's.
"""

from __future__ import annotations

from collections.abc import Hashable

from creditbank.engine.problem import Component, Problem, Usage, fits_together, subset

__all__ = ["Search", "canonical", "first_best", "searched", "value_cuts"]


class Search:
    """Depth-first branch and bound over one component, include before exclude: the
    maximum, or with ``target`` the first allocation in canonical order reaching it."""

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
        self.usage = Usage.of_component(self.c)
        self.target = target
        self.best_total = -1
        self.best_set: list[int] = []
        self.chosen: list[int] = []
        self.nodes = 0
        self.suffix = self._suffix_bounds()
        self.global_budgets = self._global_budgets()

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
        return subset(part, sorted(range(len(part.options)), key=key))

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
            taken = self.usage.tokens.get(index, {})
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
            room = min(room, self.c.limits[index] - self.usage.used.get(index, 0))
        if self.target is not None:
            return total + room < self.target
        return total + room <= self.best_total

    def run(self, budget: int) -> bool:
        """Search; False if ``budget`` nodes ran out first."""
        size = len(self.c.options)
        fits, add, remove = self.usage.fits, self.usage.add, self.usage.remove
        # iterative DFS over (position, total, state): state 0 = try include,
        # state 1 = include explored (undo it, then explore exclude)
        stack: list[tuple[int, int, int]] = [(0, 0, 0)]
        while stack:
            position, total, state = stack.pop()
            if state == 1:
                self.chosen.pop()
                remove(position)
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
            if fits(position):
                add(position)
                self.chosen.append(self.c.options[position])
                stack.append((position, total, 1))
                stack.append((position + 1, total + self.c.credits[position], 0))
            else:
                stack.append((position + 1, total, 0))
        return True


def value_cuts(problem: Problem, part: Component) -> list[tuple[list[int], int]]:
    """Valid inequalities for the MILP: an achievement adds at most its best use, a one-of
    group at most its best ``limit`` members (the LP relaxation does not see either)."""
    groups = Search(problem, part).groups
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


def first_best(part: Component) -> list[int]:
    """The allocation the search would choose, by trying every subset in the order the
    search visits them (each option included before it is left out, in canonical order):
    the first that fits with the most credit. Fitting is monotone (an option only adds to
    budgets), so the search's pruning never skips an earlier allocation of equal credit."""
    size = len(part.options)
    table = part.table()
    if size == 1:  # the usual component: taken if it fits alone
        return part.options if fits_together(table, (0,)) else []
    credits = part.credits
    best_total = -1
    best: tuple[int, ...] = ()
    for mask in range((1 << size) - 1, -1, -1):
        positions = tuple(i for i in range(size) if mask >> (size - 1 - i) & 1)
        total = sum(credits[i] for i in positions)
        if total > best_total and fits_together(table, positions):
            best_total, best = total, positions
    return [part.options[i] for i in best]


def searched(problem: Problem, part: Component, nodes: int) -> tuple[list[int] | None, int]:
    """Step 3: the canonical allocation if both searches finish within ``nodes`` each (None
    if not), and the nodes visited."""
    search = Search(problem, part)
    finished = search.run(nodes)
    if not finished or not search.reordered:
        return (search.best_set if finished else None), search.nodes
    tie = Search(problem, part, search.best_total, grouped=False)
    found = tie.run(nodes) and tie.best_total == search.best_total
    return (tie.best_set if found else None), search.nodes + tie.nodes


def canonical(
    problem: Problem, part: Component, target: int, nodes: int
) -> tuple[list[int] | None, int]:
    """Step 5: the first allocation in canonical order totalling ``target`` if a search of
    ``nodes`` nodes finds it (None if not), and the nodes visited."""
    search = Search(problem, part, target, grouped=False)
    found = search.run(nodes) and search.best_total == target
    return (search.best_set if found else None), search.nodes
