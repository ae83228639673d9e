"""Time per achievement of a portfolio of N achievements that no rule selects (issue 14, item 9).

Run: ``python benchmarks/unselected.py [--sizes 1250,2500,5000,10000] [--repeat 3]``. For each
N, a portfolio is written as YAML: the five achievements of
``examples/portfolios/demo-worker-005-robot-maintainer.yaml`` and N more of four bundled
courses that no rule of ``demo-college:460301`` selects (each decided ``NO_RULE``). It is then
read from the text, checked against the bundled standards (``load_portfolio_text``),
evaluated, and written as JSON, as ``creditbank evaluate --format json`` does. Times are CPU
time (``time.process_time``, so other processes on a shared machine count less), best of
``--repeat``, in one process with the standards loaded first. Each line shows the time, the
time per achievement and the ratio time(N)/time(N/2) of consecutive sizes: 2.0 means linear.

Sizes above the limit on achievements per portfolio (``Limits.max_achievements``) are run with
the limit raised, to show the growth beyond it. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from pathlib import Path

import creditbank
from creditbank.loading import Limits

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "examples" / "portfolios" / "demo-worker-005-robot-maintainer.yaml"
UNSELECTED = (
    "course:advanced-math",
    "course:college-english",
    "course:3d-printing",
    "course:c-programming",
)
PROGRAM = "demo-college:460301"
AS_OF = dt.date(2026, 6, 30)


def portfolio_text(count: int) -> str:
    """The example worker's portfolio with ``count`` achievements that no rule selects."""
    lines = [BASE.read_text(encoding="utf-8").rstrip("\n")]
    for i in range(count):
        lines.append(
            f"  - id: unselected-{i}\n    unit: {UNSELECTED[i % len(UNSELECTED)]}\n"
            f"    earned_on: 2024-01-{1 + i % 28:02d}\n    issuer: demo-training-centre"
        )
    return "\n".join(lines) + "\n"


def once(standards: creditbank.Standards, text: str, limits: Limits) -> float:
    start = time.process_time()
    portfolio = creditbank.load_portfolio_text(text, standards, limits=limits)
    creditbank.evaluate(standards, portfolio, PROGRAM, AS_OF).to_json()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1250,2500,5000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    limits = Limits()
    if hasattr(limits, "max_achievements"):  # also runs on a checkout older than the limit
        limits = dataclasses.replace(limits, max_achievements=max(sizes) + len(UNSELECTED) + 5)
    previous = None
    for size in sizes:
        text = portfolio_text(size)
        best = min(once(standards, text, limits) for _ in range(args.repeat))
        ratio = f"{best / previous:5.2f}" if previous else "    -"
        print(
            f"N = {size:6,d}: {best:7.3f} s, {best / size * 1e6:6.1f} µs per achievement, "
            f"time(N)/time(N/2) = {ratio}",
            flush=True,
        )
        previous = best


if __name__ == "__main__":
    main()
