"""The exact allocation of a large component: a pattern LP, HiGHS, and integer certificates.

Used by :mod:`creditbank.engine.allocate` for components too large for the depth-first
search (:mod:`creditbank.engine.search`). It returns the same allocation the search defines
(the most credit; among equal totals the canonical one, see the allocate module docstring),
proven with integer arithmetic wherever the floating-point solver only suggests. Budgets are
checked through :class:`~creditbank.engine.problem.Usage`, in integer hundredths.

**Patterns.** Options are grouped into *blocks*, one per owner achievement (a shareable
option is a block of its own). A *pattern* is a non-empty set of options of one block that
respects every budget on its own: one use of the achievement with at most ``max_courses``
of its courses, within its per-achievement caps … A block contributes at most one pattern.
The LP over patterns (a column per pattern, a row per shared budget; a distinct budget
counts a token by the patterns carrying it, or through a token variable when several blocks
carry it) is the convex hull of each achievement's choices, which is what makes its bound
tight: within a credit of the optimum on the dense benchmark, where the LP over single
options is four credits off and leaves HiGHS a wide gap to close by branching.

**Steps**, all on integer hundredths:

0. set *twins* aside (:func:`_twins`): an achievement held twice — the same certificate at the
   same level under the same rules, excluding each other through one-per-unit — has two
   interchangeable blocks; only the one whose options come first in canonical order can be
   in the canonical allocation, so the other's options go before anything is built (fewer
   patterns to enumerate, fewer columns in every LP and MILP after);
1. enumerate the patterns (at most ``BLOCK_PATTERNS`` per block and ``PATTERNS`` in all,
   otherwise :func:`solve_exact` returns None and the caller falls back);
2. solve the LP relaxation with HiGHS and turn its row duals ``y`` into an *integer
   certificate*: for any ``y >= 0`` (rounded to multiples of ``1/CERT_SCALE``), weak
   duality gives ``U = y·b + Σ_j max(0, d_j)`` with reduced costs ``d = c - Aᵀy``, an upper
   bound on every allocation's total, computed exactly. Forcing pattern ``j`` in costs at
   least ``-d_j``, so no allocation worth ``θ`` or more uses a pattern with
   ``U + min(0, d_j) < θ`` (*reduced-cost elimination*);
3. with ``θ`` the largest multiple of the credits' gcd not above ``U``, solve the MILP over
   the surviving patterns (usually a small share of them). If it reaches ``θ`` that is the
   maximum ``T`` (any better allocation would survive too); otherwise its value ``M`` is a
   lower bound, and one more MILP over the patterns surviving ``θ = M`` gives ``T`` — none
   is needed when ``M`` is the next multiple of the gcd below ``θ``. (An
   objective leaning towards early options, for a witness closer to the canonical one, was
   tried: it saves a few checks in step 4, but these MILPs then take longer than the checks
   did; ``benchmarks/RESULTS.md``.)
4. canonical tie-break by *lexicographic fixing*: walk the surviving options in canonical
   order keeping an optimal witness; an option in the witness is fixed in; one that does not
   fit next to the options fixed so far, or lies in no pattern still allowed, is fixed out;
   any other is tried: fixed in (its block must take a pattern containing it), the LP is
   re-solved and its integer certificate compared with ``T``; below, it is fixed out; an
   integral LP optimum reaching ``T`` is the new witness; otherwise the MILP decides. The
   options fixed in are the first allocation in canonical order reaching ``T``: the witness
   always agrees with every decision taken before the option at hand.

Every witness is checked exactly (every budget, in integers) and must total ``T``. What is
left to the floating-point solver is the claim that an MILP optimum is optimal (so that no
allocation beats ``T``, or none reaches it under the fixings at hand) and that an LP is
infeasible; HiGHS runs single-threaded, with a zero relative gap and an absolute gap of half
a unit of the (integer) objective, so its answers are deterministic. There is no time limit.
Any other status (numerical trouble) makes :func:`solve_exact` return None, and the caller
falls back to the MILP over single options (:func:`solve_component`) and its own search.

Cost: pattern enumeration is linear in the number of patterns (a block of ``k`` options
has at most ``2^k``, in practice a use of two courses out of three: ~20 per achievement);
one LP of ``P`` columns; one or two MILPs over the survivors; at most one LP (and rarely an
MILP) per surviving option in step 4 — most are decided by the fit test.
``benchmarks/large_portfolio.py --profile dense`` (one component of 100–300 options)
measures it; ``benchmarks/RESULTS.md`` has the counts of patterns and solves, and the times.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy

from creditbank.engine.problem import Component, Split, Usage, fits_together, subset

__all__ = ["Exact", "solve_component", "solve_exact"]

PATTERNS = 20_000
"""Patterns per component before :func:`solve_exact` gives up (the caller falls back)."""

BLOCK_PATTERNS = 2_048
"""Patterns per block (achievement) before :func:`solve_exact` gives up."""

CERT_SCALE = 1 << 16
"""Row duals are rounded to multiples of ``1 / CERT_SCALE`` for the integer certificate."""

_BANNER = threading.Lock()
_quiet = False


def _highs() -> highspy.Highs:
    """A silent, deterministic HiGHS instance.

    HiGHS prints a banner to file descriptor 1 when the first instance of a process is made,
    before any option can be set; it would corrupt ``--format json`` output, so descriptor 1
    points at ``/dev/null`` while that first instance is made.
    """
    global _quiet  # noqa: PLW0603 - once per process
    with _BANNER:
        if _quiet:
            solver = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            try:
                saved = os.dup(1)
            except OSError:  # pragma: no cover - no descriptor 1
                saved = -1
            try:
                if saved >= 0:
                    null = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(null, 1)
                    os.close(null)
                solver = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                if saved >= 0:
                    os.dup2(saved, 1)
                    os.close(saved)
                _quiet = True
    for name, value in (
        ("output_flag", False),
        ("threads", 1),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 0.5),
        ("random_seed", 0),
    ):
        solver.setOptionValue(name, value)
    return solver


# ----------------------------------------------------------------- exact checks

_Table = list[Split[int]]
"""Per option: its (sum budget, amount, limit) and (distinct budget, token, limit) draws."""


# ----------------------------------------------------------------- patterns


def _blocks(owners: Sequence[tuple[Hashable, Hashable] | None]) -> list[list[int]]:
    """Positions grouped by owner achievement, in canonical order; shareable ones alone."""
    blocks: dict[Hashable, list[int]] = {}
    for position, owner in enumerate(owners):
        key = ("achievement", owner[0]) if owner is not None else ("option", position)
        blocks.setdefault(key, []).append(position)
    return list(blocks.values())


def _patterns(table: _Table, block: list[int], limit: int) -> list[tuple[int, ...]] | None:
    """Every non-empty subset of ``block`` that respects every budget alone (None: too many).

    Include before exclude, so patterns come in canonical order of their options."""
    if len(block) > limit:  # left to the fallback (and no deep recursion)
        return None
    out: list[tuple[int, ...]] = []
    usage = Usage(table)
    chosen: list[int] = []

    def visit(at: int) -> bool:
        if at == len(block):
            if chosen:
                out.append(tuple(chosen))
            return len(out) <= limit
        position = block[at]
        if usage.fits(position):
            usage.add(position)
            chosen.append(position)
            ok = visit(at + 1)
            chosen.pop()
            usage.remove(position)
            if not ok:
                return False
        return visit(at + 1)

    return out if visit(0) else None


@dataclass
class _Model:
    """A pattern LP/MILP in HiGHS, with its integer matrix for certificates."""

    columns: list[tuple[int, ...]]
    block_of: list[int]
    solver: highspy.Highs
    width: int
    block_row: dict[int, int]
    columns_of_block: dict[int, list[int]]
    cost: numpy.ndarray[Any, Any]
    upper_row: list[int]
    lower_row: list[int | None]
    entries: tuple[numpy.ndarray[Any, Any], numpy.ndarray[Any, Any], numpy.ndarray[Any, Any]]
    """(row, column, coefficient) of every non-zero, as int64 arrays."""
    lower_col: numpy.ndarray[Any, Any] = field(default_factory=lambda: numpy.zeros(0))
    upper_col: numpy.ndarray[Any, Any] = field(default_factory=lambda: numpy.zeros(0))
    integer: bool = False


@dataclass
class _Rows:
    """The rows of a pattern model: ``Σ coefficient·column <= limit``, by kind."""

    sums: dict[int, dict[int, int]] = field(default_factory=dict)
    """Sum budget -> column -> amount."""
    counts: dict[int, dict[int, int]] = field(default_factory=dict)
    """Distinct budget -> column (a pattern, or a token variable) -> tokens it adds."""
    links: list[tuple[int, int]] = field(default_factory=list)
    """(pattern, token variable): the pattern carries the token (``x <= y``)."""
    peak: dict[tuple[str, int], dict[int, int]] = field(default_factory=dict)
    """Row -> block -> the most one of its patterns adds (a row nothing can exceed is left out)."""
    width: int = 0


def _rows(columns: list[tuple[int, ...]], block_of: list[int], split: _Table) -> _Rows:
    per_column: list[tuple[dict[int, int], set[tuple[int, Hashable]]]] = []
    carriers: dict[tuple[int, Hashable], set[int]] = {}
    for column, pattern in enumerate(columns):
        sums: dict[int, int] = {}
        tokens: set[tuple[int, Hashable]] = set()
        for position in pattern:
            option_sums, option_tokens = split[position]
            for index, amount, _ in option_sums:
                sums[index] = sums.get(index, 0) + amount
            tokens.update((index, token) for index, token, _ in option_tokens)
        for token in tokens:
            carriers.setdefault(token, set()).add(block_of[column])
        per_column.append((sums, tokens))
    rows = _Rows(width=len(columns))
    token_column: dict[tuple[int, Hashable], int] = {}
    for column, (sums, tokens) in enumerate(per_column):
        block = block_of[column]
        for index, amount in sums.items():
            rows.sums.setdefault(index, {})[column] = amount
            top = rows.peak.setdefault(("sum", index), {})
            top[block] = max(top.get(block, 0), amount)
        for token in tokens:
            index = token[0]
            counts = rows.counts.setdefault(index, {})
            top = rows.peak.setdefault(("count", index), {})
            if len(carriers[token]) == 1:  # one block's patterns exclude each other
                counts[column] = counts.get(column, 0) + 1
                top[block] = max(top.get(block, 0), counts[column])
            else:
                if token not in token_column:
                    token_column[token] = rows.width
                    counts[rows.width] = 1
                    top[-1 - rows.width] = 1
                    rows.width += 1
                rows.links.append((column, token_column[token]))
    return rows


def _model(
    part: Component,
    columns: list[tuple[int, ...]],
    block_of: list[int],
    split: _Table,
) -> _Model:
    rows = _rows(columns, block_of, split)
    columns_of_block: dict[int, list[int]] = {}
    for column, block in enumerate(block_of):
        columns_of_block.setdefault(block, []).append(column)
    matrix: list[tuple[list[int], list[int]]] = []
    upper: list[int] = []
    block_row: dict[int, int] = {}
    for block, members in columns_of_block.items():
        block_row[block] = len(matrix)
        matrix.append((members, [1] * len(members)))
        upper.append(1)
    for kind, table in (("sum", rows.sums), ("count", rows.counts)):
        for index, row in table.items():
            if sum(rows.peak[(kind, index)].values()) > part.limits[index]:
                matrix.append((list(row), list(row.values())))
                upper.append(part.limits[index])
    for column, token in rows.links:
        matrix.append(([column, token], [1, -1]))
        upper.append(0)
    width = rows.width
    row_of = numpy.repeat(numpy.arange(len(matrix), dtype=numpy.int64), [len(m[0]) for m in matrix])
    index_of = numpy.fromiter((c for m in matrix for c in m[0]), dtype=numpy.int64)
    value_of = numpy.fromiter((v for m in matrix for v in m[1]), dtype=numpy.int64)
    cost = numpy.zeros(width, dtype=numpy.int64)
    cost[: len(columns)] = [sum(part.credits[p] for p in pattern) for pattern in columns]
    lp = highspy.HighsLp()
    lp.num_col_ = width
    lp.num_row_ = len(matrix)
    lp.col_cost_ = cost.astype(numpy.float64)
    lp.col_lower_ = numpy.zeros(width)
    lp.col_upper_ = numpy.ones(width)
    lp.row_lower_ = numpy.full(len(matrix), -highspy.kHighsInf)
    lp.row_upper_ = numpy.array(upper, dtype=numpy.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = numpy.concatenate(
        ([0], numpy.cumsum([len(m[0]) for m in matrix]))
    ).astype(numpy.int32)
    lp.a_matrix_.index_ = index_of.astype(numpy.int32)
    lp.a_matrix_.value_ = value_of.astype(numpy.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    solver = _highs()
    solver.passModel(lp)
    return _Model(
        columns=columns,
        block_of=block_of,
        solver=solver,
        width=width,
        block_row=block_row,
        columns_of_block=columns_of_block,
        cost=cost,
        upper_row=upper,
        lower_row=[None] * len(matrix),
        entries=(row_of, index_of, value_of),
        lower_col=numpy.zeros(width, dtype=numpy.int64),
        upper_col=numpy.ones(width, dtype=numpy.int64),
    )


def _certificate(model: _Model) -> tuple[int, numpy.ndarray[Any, Any]] | None:
    """(bound, reduced costs), both scaled by ``CERT_SCALE``, from the last LP's duals.

    For any row multipliers ``y`` (``y >= 0`` on a row's upper side, ``<= 0`` on a finite
    lower side) and every allocation ``x`` within the column bounds,
    ``c·x = y·Ax + d·x <= Σ_r y_r·side_r + Σ_j max(d_j·lower_j, d_j·upper_j)``. HiGHS only
    proposes ``y``; the bound is exact integer arithmetic whatever it proposes."""
    duals = numpy.asarray(model.solver.getSolution().row_dual, dtype=numpy.float64)
    if duals.shape[0] != len(model.upper_row) or not numpy.all(numpy.isfinite(duals)):
        return None
    rows, columns, values = model.entries
    best: tuple[int, numpy.ndarray[Any, Any]] | None = None
    for sign in (1.0, -1.0):
        scaled = numpy.rint(numpy.clip(sign * duals * CERT_SCALE, -(2.0**36), 2.0**36))
        y = scaled.astype(numpy.int64)
        row_part = 0
        for row, multiplier in enumerate(y.tolist()):
            if multiplier > 0:
                row_part += multiplier * model.upper_row[row]
            elif multiplier < 0:
                lower = model.lower_row[row]
                if lower is None:
                    y[row] = 0
                else:
                    row_part += multiplier * lower
        largest = int(numpy.abs(values).max(initial=0)) * int(numpy.abs(y).max(initial=0))
        largest = (largest + int(model.cost.max(initial=0)) * CERT_SCALE) * max(1, len(values))
        kind: Any = numpy.int64 if largest < 2**62 else object  # Python integers: no overflow
        spent = numpy.zeros(model.width, dtype=kind)
        numpy.add.at(spent, columns, values.astype(kind) * y.astype(kind)[rows])
        reduced = model.cost.astype(kind) * CERT_SCALE - spent
        column_part = int(numpy.maximum(reduced * model.lower_col, reduced * model.upper_col).sum())
        bound = row_part + column_part
        if best is None or bound < best[0]:
            best = (bound, reduced)
    return best


class _Trouble(Exception):
    """HiGHS reported neither an optimum nor infeasibility: the caller falls back."""


@dataclass(frozen=True)
class Exact:
    """What :func:`solve_exact` found: the canonical allocation and how."""

    chosen: list[int]
    """Options (indices of the problem) of the canonical maximum allocation."""
    total: int
    solves: int
    """LPs and MILPs run."""


class _Exact:
    def __init__(self, part: Component, owners: Sequence[tuple[Hashable, Hashable] | None]):
        self.part = part
        self.owners = owners
        self.solves = 0
        self.table = part.table()

    def patterns(self) -> tuple[list[tuple[int, ...]], list[int]] | None:
        columns: list[tuple[int, ...]] = []
        block_of: list[int] = []
        for block, positions in enumerate(_blocks(self.owners)):
            found = _patterns(self.table, positions, BLOCK_PATTERNS)
            if found is None or len(columns) + len(found) > PATTERNS:
                return None
            columns.extend(found)
            block_of.extend([block] * len(found))
        return columns, block_of

    def integrality(self, model: _Model, integer: bool) -> None:
        """Make the pattern columns integer (MILP) or continuous (LP)."""
        if model.integer == integer:
            return
        count = len(model.columns)
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        model.solver.changeColsIntegrality(
            count,
            numpy.arange(count, dtype=numpy.int32),
            numpy.full(count, int(kind), dtype=numpy.uint8),
        )
        model.integer = integer

    def run(self, model: _Model, integer: bool) -> bool:
        """Solve as LP or MILP: True at an optimum, False if infeasible (_Trouble else)."""
        solver = model.solver
        self.integrality(model, integer)
        solver.run()
        self.solves += 1
        status = solver.getModelStatus()
        if status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty):
            return True
        if status == highspy.HighsModelStatus.kInfeasible:
            return False
        raise _Trouble(str(status))

    def witness(self, model: _Model) -> list[int] | None:
        """The options of an integral solution of ``model``; None if it is not integral."""
        values = model.solver.getSolution().col_value
        chosen: list[int] = []
        for column, pattern in enumerate(model.columns):
            value = values[column]
            if value > 1 - 1e-6:
                chosen.extend(pattern)
            elif value > 1e-6:
                return None
        return sorted(chosen)

    def total(self, positions: Sequence[int]) -> int:
        return sum(self.part.credits[p] for p in positions)

    def solve(self) -> Exact | None:
        found = self.patterns()
        if found is None:
            return None
        columns, block_of = found
        if not columns:  # no option fits on its own
            return Exact([], 0, self.solves)
        root = _model(self.part, columns, block_of, self.table)
        if not self.run(root, integer=False):
            return None
        certificate = _certificate(root)
        if certificate is None:
            return None
        bound, reduced = certificate
        step = 0
        for credit in self.part.credits:
            step = math.gcd(step, credit)
        theta = bound // CERT_SCALE // (step or 1) * (step or 1)
        found_at = self.surviving(columns, block_of, bound, reduced, theta)
        if found_at is None:
            return None
        if found_at[2] < theta:  # the maximum lies in [best, theta): search what can reach best
            exact = found_at[2] + (step or 1) >= theta  # nothing lies in between
            found_at = self.surviving(
                columns, block_of, bound, reduced, found_at[2], known=found_at[1] if exact else None
            )
            if found_at is None:
                return None
        model, witness, best = found_at
        chosen = self.lexicographic(model, witness, best)
        if chosen is None:
            return None
        return Exact([self.part.options[p] for p in chosen], best, self.solves)

    def surviving(
        self,
        columns: list[tuple[int, ...]],
        block_of: list[int],
        bound: int,
        reduced: numpy.ndarray[Any, Any],
        theta: int,
        *,
        known: list[int] | None = None,
    ) -> tuple[_Model, list[int], int] | None:
        """The MILP over the patterns that can be in an allocation worth ``theta``: its
        model, an optimal allocation (checked exactly) and its total. ``known``: an
        allocation already proven optimal, so no MILP is needed."""
        floor = theta * CERT_SCALE
        keep = [c for c in range(len(columns)) if bound + min(0, int(reduced[c])) >= floor]
        model = _model(
            self.part, [columns[c] for c in keep], [block_of[c] for c in keep], self.table
        )
        if known is not None:
            return model, known, self.total(known)
        if not self.run(model, integer=True):
            return None
        witness = self.witness(model)
        if witness is None or not fits_together(self.table, witness):
            return None
        return model, witness, self.total(witness)

    def lexicographic(self, model: _Model, witness: list[int], target: int) -> list[int] | None:
        """The first allocation in canonical order totalling ``target`` (step 4)."""
        solver = model.solver
        self.integrality(model, integer=False)
        contains = [frozenset(pattern) for pattern in model.columns]
        allowed = [True] * len(model.columns)
        forced: set[int] = set()
        block_at = {
            p: model.block_of[c] for c, columns in enumerate(model.columns) for p in columns
        }
        usage = Usage(self.table)
        current = set(witness)
        chosen: list[int] = []

        def bound_columns(columns: list[int], upper: float) -> None:
            if columns:
                size = len(columns)
                solver.changeColsBounds(
                    size,
                    numpy.array(columns, dtype=numpy.int32),
                    numpy.zeros(size),
                    numpy.full(size, upper),
                )
                model.upper_col[columns] = int(upper)

        def force(block: int, on: bool) -> None:
            row = model.block_row[block]
            solver.changeRowBounds(row, 1.0 if on else -highspy.kHighsInf, 1.0)
            model.lower_row[row] = 1 if on else None

        for position in sorted(block_at):
            block = block_at[position]
            mine = model.columns_of_block[block]
            if position not in current:
                if not usage.fits(position):
                    continue
                holding = [c for c in mine if allowed[c] and position in contains[c]]
                if not holding:
                    continue
                others = [c for c in mine if allowed[c] and position not in contains[c]]
                bound_columns(others, 0.0)
                if block not in forced:
                    force(block, True)
                found = self.reaches(model, target)
                if found is None:
                    bound_columns(others, 1.0)
                    if block not in forced:
                        force(block, False)
                    bound_columns(holding, 0.0)
                    for c in holding:
                        allowed[c] = False
                    continue
                current = set(found)
            else:
                others = [c for c in mine if allowed[c] and position not in contains[c]]
                bound_columns(others, 0.0)
                if block not in forced:
                    force(block, True)
            for c in others:
                allowed[c] = False
            forced.add(block)
            usage.add(position)
            chosen.append(position)
        if self.total(chosen) != target or not fits_together(
            self.table, chosen
        ):  # pragma: no cover
            return None
        return chosen

    def reaches(self, model: _Model, target: int) -> list[int] | None:
        """An allocation within the model's current bounds totalling ``target``, or None."""
        if not self.run(model, integer=False):
            return None  # the fixed relaxation is infeasible
        certificate = _certificate(model)
        if certificate is not None and certificate[0] < target * CERT_SCALE:
            return None
        witness = self.witness(model)
        if witness is not None and self.reaching(witness, target):
            return witness
        if not self.run(model, integer=True):
            return None
        witness = self.witness(model)
        if witness is None:  # pragma: no cover - an MILP optimum off the integers
            raise _Trouble("fractional MILP solution")
        return witness if self.reaching(witness, target) else None

    def reaching(self, positions: Sequence[int], target: int) -> bool:
        return self.total(positions) >= target and fits_together(self.table, positions)


def _signature(
    part: Component,
    block: int,
    positions: list[int],
    budget_blocks: dict[int, set[int]],
    token_blocks: dict[tuple[int, Hashable], set[int]],
) -> tuple[tuple[Hashable, ...], set[int]]:
    """A block's options described up to the names of its own budgets and tokens, and the
    distinct budgets of limit 1 in which every one of its options carries a token of its own.

    Budgets only this block draws from are numbered in order of appearance, with their limit;
    so are tokens only this block carries; anything shared is named as it is."""
    own_budget: dict[int, int] = {}
    own_token: dict[tuple[int, Hashable], int] = {}
    described: list[Hashable] = []
    exclusive: set[int] | None = None
    for position in positions:
        draws: list[Hashable] = []
        alone: set[int] = set()
        for index, value in part.draws[position]:
            distinct = index in part.distinct
            name: Hashable = value
            if distinct and token_blocks[(index, value)] == {block}:
                name = ("own", own_token.setdefault((index, value), len(own_token)))
                if part.limits[index] == 1:
                    alone.add(index)
            if budget_blocks[index] == {block}:
                number = own_budget.setdefault(index, len(own_budget))
                draws.append(("own", number, part.limits[index], distinct, name))
            else:
                draws.append(("shared", index, name))
        described.append((part.credits[position], tuple(draws)))
        exclusive = alone if exclusive is None else exclusive & alone
    return tuple(described), exclusive or set()


def _twins(part: Component, owners: Sequence[tuple[Hashable, Hashable] | None]) -> set[int]:
    """Options no canonical maximum allocation uses: those of an achievement's *twin*.

    Achievements ``a`` and ``b`` are twins when their options pair off, k-th with k-th in
    canonical order, with equal credits and equal draws up to the names of their own budgets
    and tokens (the same unit at the same level under the same rules, say). Swapping them then
    maps every allocation to one of the same total that respects every budget. If moreover
    they exclude each other (each option of both carries a token of its own in a distinct
    budget of limit 1: one achievement per unit …) and each option of ``a`` comes before its
    partner, an allocation using ``b`` never wins: swapping gives the same total and the first
    option where the two differ is one of ``a``'s, which the canonical order prefers. So
    ``b``'s options go, the maximum and the canonical allocation are unchanged, and the
    solver no longer explores the same choice twice."""
    blocks = _blocks(owners)
    block_at: dict[int, int] = {}
    for block, positions in enumerate(blocks):
        for position in positions:
            block_at[position] = block
    budget_blocks: dict[int, set[int]] = {}
    token_blocks: dict[tuple[int, Hashable], set[int]] = {}
    for position, draws in enumerate(part.draws):
        for index, value in draws:
            budget_blocks.setdefault(index, set()).add(block_at[position])
            if index in part.distinct:
                token_blocks.setdefault((index, value), set()).add(block_at[position])
    alike: dict[tuple[Hashable, ...], list[tuple[int, set[int]]]] = {}
    for block, positions in enumerate(blocks):
        if owners[positions[0]] is None:
            continue
        signature, exclusive = _signature(part, block, positions, budget_blocks, token_blocks)
        if exclusive:
            alike.setdefault(signature, []).append((block, exclusive))
    dropped: set[int] = set()
    for group in alike.values():
        first, exclusive = group[0]  # blocks come in canonical order of their first option
        for other, theirs in group[1:]:
            ahead = all(a < b for a, b in zip(blocks[first], blocks[other], strict=True))
            if exclusive & theirs and ahead:
                dropped.update(blocks[other])
    return dropped


def solve_exact(
    part: Component, owners: Sequence[tuple[Hashable, Hashable] | None]
) -> Exact | None:
    """The canonical maximum allocation of a component (module docstring), or None when the
    patterns are too many or HiGHS reports no optimum (the caller falls back).

    ``owners`` are the problem's owners of the component's options, position by position.
    Twins (:func:`_twins`) are set aside first."""
    dropped = _twins(part, owners)
    if dropped:
        keep = [p for p in range(len(part.options)) if p not in dropped]
        part = subset(part, keep)
        owners = [owners[p] for p in keep]
    try:
        return _Exact(part, owners).solve()
    except _Trouble:  # pragma: no cover - numerical trouble in HiGHS
        return None


# ----------------------------------------------------------------- option MILP (fallback)


def _option_model(part: Component, cuts: Sequence[tuple[list[int], int]]) -> highspy.Highs:
    h = _highs()
    inf = highspy.kHighsInf
    for cost in part.credits:
        h.addVar(0.0, 1.0)
        h.changeColCost(h.getNumCol() - 1, float(cost))
    token_var: dict[tuple[int, Hashable], int] = {}
    sums: dict[int, tuple[list[int], list[float]]] = {}
    for position, draws in enumerate(part.draws):
        for index, value in draws:
            if index in part.distinct:
                key = (index, value)
                if key not in token_var:
                    h.addVar(0.0, 1.0)
                    token_var[key] = h.getNumCol() - 1
                h.addRow(-inf, 0.0, 2, [position, token_var[key]], [1.0, -1.0])
            else:
                columns, values = sums.setdefault(index, ([], []))
                columns.append(position)
                assert isinstance(value, int)
                values.append(float(value))
    for index, (columns, values) in sums.items():
        h.addRow(-inf, float(part.limits[index]), len(columns), columns, values)
    per_budget: dict[int, list[int]] = {}
    for (index, _), column in token_var.items():
        per_budget.setdefault(index, []).append(column)
    for index, columns in per_budget.items():
        h.addRow(-inf, float(part.limits[index]), len(columns), columns, [1.0] * len(columns))
    for positions, bound in cuts:
        values = [float(part.credits[p]) for p in positions]
        h.addRow(-inf, float(bound), len(positions), positions, values)
    width = h.getNumCol()
    integer = numpy.full(width, int(highspy.HighsVarType.kInteger), dtype=numpy.uint8)
    h.changeColsIntegrality(width, numpy.arange(width, dtype=numpy.int32), integer)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return h


def solve_component(
    part: Component, cuts: Sequence[tuple[list[int], int]] = ()
) -> list[int] | None:
    """Options of a maximum-credit allocation over single options (None without an optimum).

    Variables ``x_o`` (option chosen) and, per distinct budget, ``y_t`` (token used), with
    ``x_o <= y_t`` and ``sum(y_t) <= limit``; sum budgets are rows in integer hundredths.
    ``cuts`` are valid inequalities ``sum(credits[p] * x[p]) <= bound`` (see
    :func:`creditbank.engine.search.value_cuts`). The fallback when patterns are too many."""
    h = _option_model(part, cuts)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = h.getSolution().col_value
    return [part.options[c] for c in range(len(part.options)) if values[c] > 0.5]
