"""Choose the options that recognise the most credit under every constraint: spec and dispatcher.

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
   search may visit ``SEARCH_NODES`` nodes — enough to finish one learner's achievements
   competing for a few courses, the usual case; a component that needs more is one where
   the exact method below costs less than searching on;
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

:attr:`Solution.method` says which step decided (:class:`Method`: ``TRIVIAL`` for a component
of one option, ``ENUMERATION`` for step 2, ``SEARCH``, ``PATTERN_LP`` for step 4,
``OPTION_MILP`` for step 5; for the whole problem the last of these any component needed);
:attr:`Solution.nodes` counts search nodes plus LP and MILP solves. Every step proves its
total the maximum, and none stops at a limit with an unproven incumbent (a search out of
nodes hands the component to the next step; HiGHS has no time or node limit), so a
:class:`Solution` is always optimal and says nothing about it.

**Modules.** The data (:class:`Budget`, :class:`Problem`, :class:`Component`,
:class:`Solution`) and the one fit test (:class:`~creditbank.engine.problem.Usage`) live in
:mod:`creditbank.engine.problem`; steps 2, 3 and 5's searches in
:mod:`creditbank.engine.search`; steps 4 and 5's HiGHS models in :mod:`creditbank.engine.milp`
(imported when first needed, so that evaluations the search settles never load highspy).
This module dispatches, and :func:`feasible` checks what comes back independently.

**Cost.** The search is exponential in the worst case and is therefore capped. The pattern
path costs a linear pass for twins, the enumeration of the patterns (linear in their
number: about 20 per achievement for a use of at most two courses out of three), one LP
over them, one or two MILPs over the survivors (typically a small share of the patterns) and at
most one LP per surviving option for the tie-break, most options being decided by a fit
test without any solve. MILP is
NP-hard, so no polynomial bound holds in general; the dense benchmark
(``benchmarks/large_portfolio.py --profile dense``: 50 achievements, each able to fill many
of 40 courses, caps interacting; 100–300 options in one component) is the hard case it is
measured on, and ``benchmarks/RESULTS.md`` has the figures.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import Decimal

from creditbank.engine import search
from creditbank.engine.problem import (
    Budget,
    Component,
    Method,
    Problem,
    Solution,
    component,
    components,
    live_budgets,
)

__all__ = [
    "SEARCH_NODES",
    "SEARCH_OPTIONS",
    "Budget",
    "Method",
    "Problem",
    "Solution",
    "feasible",
    "solve",
]

SEARCH_OPTIONS = 120
"""Components of at most this many options are searched first; larger ones go straight to
the pattern LP (:func:`creditbank.engine.milp.solve_exact`)."""

SEARCH_NODES = 500
"""Nodes for each of the two searches (maximum, tie-break) before the pattern LP takes over."""

TARGET_NODE_BUDGET = 50_000
"""Search nodes for the tie-break after the MILP over single options (step 5)."""

SMALL = 4
"""Components of at most this many options are solved by trying every subset."""


def _solve_component(problem: Problem, part: Component) -> tuple[list[int], int, Method, str]:
    """(chosen options, nodes, method, tie-break) for one component."""
    size = len(part.options)
    if size <= SMALL:  # what the search finds, found without building it
        method = Method.TRIVIAL if size <= 1 else Method.ENUMERATION
        return search.first_best(part), 1 << size, method, "canonical"
    nodes = 0
    if size <= SEARCH_OPTIONS:
        chosen, nodes = search.searched(problem, part, SEARCH_NODES)
        if chosen is not None:
            return chosen, nodes, Method.SEARCH, "canonical"
    from creditbank.engine import milp  # noqa: PLC0415 - lazy highspy

    exact = milp.solve_exact(part, [problem.owners[o] for o in part.options])
    if exact is not None:
        return exact.chosen, nodes + exact.solves, Method.PATTERN_LP, "canonical"
    # step 5: too many patterns (or no LP optimum); options as MILP variables
    picked = milp.solve_component(part, search.value_cuts(problem, part))
    if picked is None or not feasible(problem, picked):  # pragma: no cover - solver failure
        raise RuntimeError("the MILP solver found no optimal allocation")
    target = sum(part.credits[part.options.index(o)] for o in picked)
    found, used = search.canonical(problem, part, target, TARGET_NODE_BUDGET)
    nodes += used
    if found is not None:
        return found, nodes, Method.OPTION_MILP, "canonical"
    return picked, nodes, Method.OPTION_MILP, "solver"


def solve(problem: Problem) -> Solution:
    """The allocation with the most credit, ties broken canonically (module docstring)."""
    live = live_budgets(problem)
    chosen: list[int] = []
    nodes = 0
    method, tie_break = Method.TRIVIAL, "canonical"
    for options in components(problem, live):
        picked, used, how, tie = _solve_component(problem, component(problem, options, live))
        chosen.extend(picked)
        nodes += used
        if how.rank > method.rank:
            method = how
        if tie != "canonical":
            tie_break = tie
    total = sum((problem.credits[i] for i in chosen), Decimal(0))
    return Solution(tuple(sorted(chosen)), total, nodes, method, tie_break)


def feasible(problem: Problem, chosen: Sequence[int]) -> bool:
    """Whether a set of options respects every budget, in exact arithmetic.

    The independent check of what the search and HiGHS return, so it shares none of their
    code (not :class:`~creditbank.engine.problem.Usage` either): only the :class:`Problem`,
    read in decimals as given, the whole set summed before any limit is compared."""
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
