"""The start of a command: ``creditbank evaluate`` on one example portfolio, against the time
Python takes to import the libraries every command needs (pydantic, PyYAML, click, rich).

Run ``python benchmarks/startup.py`` (``--repeat N``, default 15). Both are timed as new
processes (``python -m creditbank evaluate …`` and ``python -c "import pydantic, yaml, click,
rich"``), alternating, after one warm-up run of each so that the bytecode and the standards
cache are written; the best of N of each is reported with their ratio (issue 20, item 12:
the goal is at most 3x). The machine is shared, so the best run, not the mean, is the figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["main", "measure"]

ROOT = Path(__file__).resolve().parent.parent
PORTFOLIO = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
EVALUATE = [
    sys.executable,
    "-m",
    "creditbank",
    "evaluate",
    str(PORTFOLIO),
    "--program",
    "demo-college:460301",
    "--as-of",
    "2026-09-01",
]
FLOOR = [sys.executable, "-c", "import pydantic, yaml, click, rich"]
# The warm-up run must leave creditbank's bytecode behind, as an installed package has it: with
# PYTHONDONTWRITEBYTECODE set (some shells and CI images set it) every run compiled its ~70
# modules again, which is not the start a user sees (the libraries' bytecode is written by pip).
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _run(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``command``."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(repeat: int) -> dict[str, float]:
    """Best wall and CPU time of ``repeat`` runs of the command and of the floor, and their
    ratios (CPU time is the steadier figure on a shared machine)."""
    _run(EVALUATE)
    _run(FLOOR)
    evaluate, floor = [], []
    for _ in range(repeat):
        evaluate.append(_run(EVALUATE))
        floor.append(_run(FLOOR))
    wall, base_wall = min(w for w, _ in evaluate), min(w for w, _ in floor)
    cpu, base_cpu = min(c for _, c in evaluate), min(c for _, c in floor)
    return {
        "evaluate_wall_s": round(wall, 3),
        "floor_wall_s": round(base_wall, 3),
        "wall_ratio": round(wall / base_wall, 2),
        "evaluate_cpu_s": round(cpu, 3),
        "floor_cpu_s": round(base_cpu, 3),
        "cpu_ratio": round(cpu / base_cpu, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
