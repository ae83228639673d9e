"""Time to render the printable evaluation report (``creditbank.reports``), with and without
the programme map.

Run: ``python benchmarks/reports.py [--repeat 20]``. For every example portfolio under
``demo-college:460301``, evaluated once, the report is rendered ``--repeat`` times after one
warm-up render (templates compiled); each line shows the median and the best wall time.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

import creditbank
from creditbank.reports import evaluation_report

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = "demo-college:460301"
DAY = dt.date(2026, 11, 29)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    for path in sorted((ROOT / "examples" / "portfolios").glob("*.yaml")):
        portfolio = creditbank.load_portfolio(path, standards)
        evaluation = creditbank.evaluate(standards, portfolio, PROGRAM, DAY)
        for with_map in (True, False):
            times = []
            for run in range(repeat + 1):  # the first run compiles the templates: not counted
                begin = time.perf_counter()
                evaluation_report(
                    standards, portfolio, PROGRAM, DAY, evaluation=evaluation,
                    program_map=with_map,
                )  # fmt: skip
                if run:
                    times.append(time.perf_counter() - begin)
            median, best = statistics.median(times) * 1000, min(times) * 1000
            shown = "map" if with_map else "no map"
            print(f"{path.stem:38} {shown:6} median {median:6.1f} ms  best {best:6.1f} ms")


if __name__ == "__main__":
    main()
