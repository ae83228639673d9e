"""The data the allocation works on: budgets, the problem, its components, the solution.

:func:`creditbank.engine.allocate.solve` (the spec is its module docstring) splits a
:class:`Problem` into independent :class:`Component`\\ s, in integer hundredths, and hands each
to the exact search (:mod:`creditbank.engine.search`) or to HiGHS
(:mod:`creditbank.engine.milp`); the explainer (:mod:`creditbank.engine.explain`) asks the
same questions of the chosen allocation in exact decimals. All of them ask "do these options
fit the budgets?" through :class:`Usage` and :func:`fits_together`. Only
:func:`creditbank.engine.allocate.feasible`, the independent checker of what they return,
has its own arithmetic.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Generic, Protocol, TypeVar

__all__ = [
    "SCALE",
    "Budget",
    "Component",
    "Method",
    "Problem",
    "Solution",
    "Usage",
    "component",
    "components",
    "fits_together",
    "live_budgets",
]

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


@dataclass
class Component:
    """One independent part of the problem, in integer hundredths."""

    options: list[int]
    credits: list[int]
    draws: list[list[tuple[int, Hashable]]]
    limits: dict[int, int]
    distinct: set[int]

    def table(self) -> list[Split[int]]:
        """Each option's draws split by kind, with each budget's limit beside them."""
        return [_split(draws, self.limits, self.distinct) for draws in self.draws]


class Method(enum.Enum):
    """Which step of :func:`creditbank.engine.allocate.solve` decided (steps of its module
    docstring); for a whole problem, the last in this order that any component needed."""

    TRIVIAL = "trivial"
    """No option competed with another (a component of one option, or none at all)."""
    ENUMERATION = "enumeration"
    """Every subset of a small component tried, in the order the search visits them."""
    SEARCH = "search"
    """The depth-first branch and bound finished."""
    PATTERN_LP = "lp+milp"
    """The pattern LP, HiGHS and integer certificates (``milp.solve_exact``)."""
    OPTION_MILP = "milp"
    """The MILP over single options, then a search for the canonical allocation."""

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {method: rank for rank, method in enumerate(Method)}


@dataclass(frozen=True)
class Solution:
    """Chosen option indices, the total, and how they were found.

    Every method proves its total the maximum (the search by finishing, HiGHS by an optimal
    status, its allocation checked exactly), and no method stops at a limit with a mere
    incumbent: a search out of nodes hands the component on to the next method. So there is
    no "not proven optimal" solution to report."""

    chosen: tuple[int, ...]
    total: Decimal
    nodes: int
    """Search nodes plus LP and MILP solves."""
    method: Method
    tie_break: str = "canonical"
    """``"solver"`` when the canonical allocation was not found in time (step 5 of the
    allocate module docstring) and the solver's own allocation of the same total is kept."""


# ----------------------------------------------------------------- the fit test

Amount = TypeVar("Amount", int, Decimal)

Split = tuple[list[tuple[int, Amount, Amount]], list[tuple[int, Hashable, Amount]]]
"""One option's draws by kind: (sum budget, amount, limit) and (distinct budget, token, limit),
each in the order the option lists them."""


class DrawTable(Protocol[Amount]):
    """Each option's :data:`Split`, by option index (a list, or made when first asked)."""

    def __getitem__(self, option: int, /) -> Split[Amount]: ...


def _split(
    draws: Iterable[tuple[int, Hashable]], limits: dict[int, int], distinct: set[int]
) -> Split[int]:
    sums: list[tuple[int, int, int]] = []
    tokens: list[tuple[int, Hashable, int]] = []
    for index, value in draws:
        if index in distinct:
            token = (index, value, limits[index])
            if token not in tokens:  # a token counts once per budget (a few per option)
                tokens.append(token)
        else:
            sums.append((index, value, limits[index]))  # type: ignore[arg-type]
    return sums, tokens


class _ProblemDraws:
    """A problem's draws split when first asked: the explainer looks at few options."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.made: dict[int, Split[Decimal]] = {}

    def __getitem__(self, option: int, /) -> Split[Decimal]:
        found = self.made.get(option)
        if found is None:
            budgets = self.problem.budgets
            sums: list[tuple[int, Decimal, Decimal]] = []
            tokens: dict[tuple[int, Hashable, Decimal], None] = {}
            for index, value in self.problem.draws[option]:
                budget = budgets[index]
                if budget.distinct:
                    tokens[(index, value, budget.limit)] = None
                else:
                    assert isinstance(value, Decimal)
                    sums.append((index, value, budget.limit))
            found = self.made[option] = (sums, list(tokens))
        return found


class Usage(Generic[Amount]):
    """What a set of options takes from each budget: summed amounts, distinct tokens held.

    The one fit test of the allocation: :meth:`fits` says whether one more option respects
    every budget beside those added, :meth:`add` and :meth:`remove` move the set (the
    search's way); :func:`fits_together` checks a whole set at once (cheaper for a set
    checked once). In integer hundredths over a :class:`Component` (the search, HiGHS's witnesses)
    or in exact decimals over a :class:`Problem` (the explainer). Amounts are never
    negative, so adding options one by one while each fits is the same as checking the
    sums of the whole set."""

    def __init__(self, table: DrawTable[Amount]) -> None:
        self.table: DrawTable[Amount] = table
        self.used: dict[int, Amount] = {}
        """Sum budget -> the amount taken from it."""
        self.tokens: dict[int, dict[Hashable, int]] = {}
        """Distinct budget -> token -> how many chosen options carry it."""

    @staticmethod
    def of_component(part: Component) -> Usage[int]:
        return Usage(part.table())

    @staticmethod
    def of_problem(problem: Problem, chosen: Iterable[int] = ()) -> Usage[Decimal]:
        usage: Usage[Decimal] = Usage(_ProblemDraws(problem))
        for option in chosen:
            usage.add(option)
        return usage

    def fits(self, option: int) -> bool:
        """Whether ``option`` fits beside the options added so far."""
        sums, tokens = self.table[option]
        used = self.used
        for index, amount, limit in sums:
            if used.get(index, 0) + amount > limit:
                return False
        fresh: dict[int, int] | None = None
        held = self.tokens
        for index, token, limit in tokens:
            seen = held.get(index)
            if seen is None or token not in seen:
                if fresh is None:
                    fresh = {}
                count = fresh[index] = fresh.get(index, 0) + 1
                if (len(seen) if seen else 0) + count > limit:
                    return False
        return True

    def overflows(self, option: int) -> list[int]:
        """Every budget that ``option`` would overflow beside the options added so far
        (sum budgets first, each in the order the option draws them)."""
        sums, tokens = self.table[option]
        used = self.used
        found = [index for index, amount, limit in sums if used.get(index, 0) + amount > limit]
        fresh: dict[int, int] = {}
        for index, token, limit in tokens:
            seen = self.tokens.get(index)
            if seen is None or token not in seen:
                count = fresh[index] = fresh.get(index, 0) + 1
                if (len(seen) if seen else 0) + count > limit and index not in found:
                    found.append(index)
        return found

    def add(self, option: int) -> None:
        self._apply(option, 1)

    def remove(self, option: int) -> None:
        """Take back an option added before."""
        self._apply(option, -1)

    def _apply(self, option: int, sign: int) -> None:
        sums, tokens = self.table[option]
        used = self.used
        for index, amount, _ in sums:
            used[index] = used.get(index, 0) + sign * amount
        held = self.tokens
        for index, token, _ in tokens:
            seen = held.get(index)
            if seen is None:
                seen = held[index] = {}
            count = seen.get(token, 0) + sign
            if count:
                seen[token] = count
            else:
                del seen[token]


def fits_together(table: DrawTable[Amount], options: Iterable[int]) -> bool:
    """Whether ``options`` together respect every budget, on their own (no :class:`Usage`
    plays a part): their amounts and tokens summed in one pass, each limit compared as it
    grows; cheaper than :meth:`Usage.add` one by one for a set checked once."""
    used: dict[int, Amount] = {}
    held: dict[int, set[Hashable]] = {}
    for option in options:
        sums, tokens = table[option]
        for index, amount, limit in sums:
            total = used[index] = used.get(index, 0) + amount
            if total > limit:
                return False
        for index, token, limit in tokens:
            seen = held.get(index)
            if seen is None:
                seen = held[index] = set()
            seen.add(token)
            if len(seen) > limit:
                return False
    return True


# ----------------------------------------------------------------- components


def scaled(amount: object) -> int:
    """An amount in integer hundredths (amounts have at most two places: exact)."""
    assert isinstance(amount, Decimal)
    return int((amount * SCALE).to_integral_value(rounding=ROUND_FLOOR))


def live_budgets(problem: Problem) -> set[int]:
    """The budgets that can bind: everything that could count does not fit under them."""
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


def components(problem: Problem, live: set[int]) -> list[list[int]]:
    """The options split into groups that share no live budget."""
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


def component(problem: Problem, options: list[int], live: set[int]) -> Component:
    """The options of one group, their credits and live draws in integer hundredths."""
    used = {b for o in options for b, _ in problem.draws[o] if b in live}
    return Component(
        options=options,
        credits=[scaled(problem.credits[o]) for o in options],
        draws=[
            [
                (b, v if problem.budgets[b].distinct else scaled(v))
                for b, v in problem.draws[o]
                if b in live
            ]
            for o in options
        ],
        limits={
            b: int(problem.budgets[b].limit)
            if problem.budgets[b].distinct
            else scaled(problem.budgets[b].limit)
            for b in used
        },
        distinct={b for b in used if problem.budgets[b].distinct},
    )


def subset(part: Component, positions: Sequence[int]) -> Component:
    """The component restricted to some of its options (positions, in order)."""
    return Component(
        options=[part.options[p] for p in positions],
        credits=[part.credits[p] for p in positions],
        draws=[part.draws[p] for p in positions],
        limits=part.limits,
        distinct=part.distinct,
    )
