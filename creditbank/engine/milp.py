"""A component of the allocation as a mixed-integer programme, solved with HiGHS.

Used when the branch-and-bound search of :mod:`creditbank.engine.allocate` runs out of
nodes (large portfolios with binding caps). Variables: ``x_o`` (option chosen) and, for
each distinct budget, ``y_t`` (token used), with ``x_o <= y_t`` for each token an option
carries and ``sum(y_t) <= limit``. Sum budgets are rows ``sum(a_o x_o) <= limit`` in integer
hundredths; the objective is the total credit. HiGHS runs single-threaded, so it is
deterministic; the allocator then looks for the first allocation in its own search order that
reaches the same total, to keep its tie-break.
"""

from __future__ import annotations

from collections.abc import Hashable

import highspy
import numpy

from creditbank.engine.allocate import Component

__all__ = ["solve_component"]


def _solver() -> highspy.Highs:
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    for name, value in (
        ("output_flag", False),
        ("threads", 1),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 0.5),
        ("random_seed", 0),
        ("time_limit", 60.0),
    ):
        solver.setOptionValue(name, value)
    return solver


def _model(part: Component, objective: list[int]) -> tuple[highspy.Highs, list[int]]:
    h = _solver()
    count = len(part.options)
    inf = highspy.kHighsInf
    for cost in objective:
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
    width = h.getNumCol()
    integer = numpy.full(width, int(highspy.HighsVarType.kInteger), dtype=numpy.uint8)
    h.changeColsIntegrality(width, numpy.arange(width, dtype=numpy.int32), integer)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return h, list(range(count))


def _run(
    part: Component, objective: list[int], cuts: list[tuple[list[int], int]]
) -> list[int] | None:
    h, columns = _model(part, objective)
    inf = highspy.kHighsInf
    for positions, bound in cuts:
        h.addRow(
            -inf,
            float(bound),
            len(positions),
            positions,
            [float(part.credits[p]) for p in positions],
        )
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = h.getSolution().col_value
    return [part.options[c] for c in columns if values[c] > 0.5]


def solve_component(part: Component, cuts: list[tuple[list[int], int]] = ()) -> list[int] | None:  # type: ignore[assignment]
    """Options of a maximum-credit allocation of the component (None without an optimum).

    ``cuts`` are valid inequalities ``sum(credits[p] * x[p] for p in positions) <= bound``
    that tighten the relaxation (see ``allocate._value_cuts``).
    """
    return _run(part, part.credits, cuts)
