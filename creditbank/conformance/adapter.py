"""creditbank itself as a conformance implementation: a case on stdin, its answer on stdout.

Run it as ``python -m creditbank.conformance.adapter``; ``creditbank conformance run
--command "python -m creditbank.conformance.adapter"`` checks creditbank against its own
dataset. It is also a template for an adapter around another implementation: read the
case, evaluate, print ``decisions``, ``requirements`` and ``totals`` as JSON.

Exit status: 0 answered, 1 the case's standards or portfolio do not load (the problems on
stderr), 2 the input is not a case.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from creditbank.conformance.jsontext import dumps, loads
from creditbank.engine import Evaluation, evaluate
from creditbank.errors import CreditbankError
from creditbank.fileio import write_atomic
from creditbank.loading import load_portfolio_text, load_standards

__all__ = ["evaluate_case", "main"]


def evaluate_case(case: Mapping[str, Any] | str) -> Evaluation:
    """Evaluate one case (JSON text or data) with creditbank.

    Raises :class:`creditbank.LoadError` when its standards or portfolio do not load, and
    ``KeyError`` / ``ValueError`` when it is not a case.
    """
    record = loads(case) if isinstance(case, str) else case
    with tempfile.TemporaryDirectory(prefix="creditbank-adapter-") as tmp:
        path = Path(tmp) / "standards.json"
        write_atomic(path, dumps(record["standards"]))
        standards = load_standards(path)
    portfolio = load_portfolio_text(dumps(record["portfolio"]), standards, file="portfolio.json")
    as_of = dt.date.fromisoformat(str(record["as_of"]))
    return evaluate(standards, portfolio, str(record["program"]), as_of)


def main() -> int:
    """Read a case on stdin, write creditbank's evaluation of it on stdout."""
    text = sys.stdin.read()
    try:
        evaluation = evaluate_case(text)
    except CreditbankError as error:
        print(error, file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError) as error:
        print(f"not a conformance case: {error!r}", file=sys.stderr)
        return 2
    sys.stdout.write(evaluation.to_json(indent=None) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
