"""The exact allocation's share of the evaluation time, on data ``benchmarks/run.py`` made.

Most learners' allocations are settled by the search; the few it cannot finish go to the
exact LP+MILP (:func:`creditbank.engine.milp.solve_exact`), whose LPs and MILPs HiGHS solves
in native code. This prints, for learners evaluated once each as a batch worker does, how
many went there, the time they took in it, and the time inside HiGHS's ``run()`` alone —
per learner on average, which is what the throughput targets of issue 6 are about::

    python benchmarks/run.py --workdir /tmp/bench --keep      # makes the data (or --quick)
    python benchmarks/solver_tail.py --workdir /tmp/bench --learners 10000

Nothing is asserted; the figures are quoted in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import highspy

import creditbank
from creditbank.engine import milp
from creditbank.models import Portfolio
from creditbank.synthetic import AS_OF

WARM_UP = 200
"""Learners evaluated first, not counted (as in ``run.py``'s evaluate stage)."""


def _timing(spent: dict[str, float], name: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - start
            spent[name + " calls"] += 1

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, required=True, help="run.py's --workdir")
    parser.add_argument("--learners", type=int, default=10_000)
    args = parser.parse_args()
    work: Path = args.workdir
    standards = creditbank.load_standards(work / "standards", cache=work / "cache")
    gc.collect()
    gc.freeze()  # as a batch worker does
    records: list[tuple[str, Portfolio]] = []
    with (work / "learners.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            program = record.pop("program")
            records.append((program, Portfolio.model_validate(record)))
            if len(records) >= args.learners + WARM_UP:
                break
    spent = dict.fromkeys(
        ("exact", "exact calls", "fallback", "fallback calls", "highs", "highs calls"), 0.0
    )
    originals = milp.solve_exact, milp.solve_component, highspy.Highs.run
    milp.solve_exact = _timing(spent, "exact", originals[0])  # each exact component once
    milp.solve_component = _timing(spent, "fallback", originals[1])  # step 5, after it
    highspy.Highs.run = _timing(spent, "highs", originals[2])  # type: ignore[method-assign]
    per_learner: list[float] = []  # HiGHS seconds of each learner
    reached = 0  # learners with a component for the exact path
    try:
        with creditbank.bulk_evaluation():
            for program, portfolio in records[:WARM_UP]:
                creditbank.evaluate(standards, portfolio, program, AS_OF)
            for key in spent:
                spent[key] = 0.0
            start = time.perf_counter()
            for program, portfolio in records[WARM_UP:]:
                before, calls = spent["highs"], spent["exact calls"]
                creditbank.evaluate(standards, portfolio, program, AS_OF)
                per_learner.append(spent["highs"] - before)
                reached += spent["exact calls"] > calls
            total = time.perf_counter() - start
    finally:
        milp.solve_exact, milp.solve_component, highspy.Highs.run = originals  # type: ignore[method-assign]
    if not per_learner:
        raise SystemExit(f"no learners to time: give --learners and more than {WARM_UP} records")
    count = len(per_learner)
    exact = spent["exact"] + spent["fallback"]
    print(f"learners: {count:,}, evaluation {total / count * 1e6:,.0f} µs each on average")
    print(
        f"exact LP+MILP (steps 4-5 of the allocation): {reached:,} learners "
        f"({reached / count:.1%}), {int(spent['exact calls']):,} components "
        f"({int(spent['fallback calls']):,} of them to step 5); "
        f"{exact / count * 1e6:,.0f} µs per learner on average "
        f"({exact / total:.0%} of the evaluation time)"
    )
    print(
        f"inside HiGHS run(): {int(spent['highs calls']):,} solves, "
        f"{spent['highs'] / count * 1e6:,.0f} µs per learner on average, "
        f"{spent['highs'] / max(reached, 1) * 1e3:.2f} ms per learner that reaches it; "
        f"the median learner: {statistics.median(per_learner) * 1e6:,.0f} µs"
    )


if __name__ == "__main__":
    main()
