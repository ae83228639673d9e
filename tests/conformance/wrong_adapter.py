"""A deliberately wrong implementation for the conformance tests: it ignores every cap.

It reads a case on stdin like ``python -m creditbank.conformance.adapter`` and answers with
creditbank's evaluation of the case's standards *without their caps*, so it gets wrong
exactly the cases where a cap changes the result.
"""

from __future__ import annotations

import sys
from typing import Any

from creditbank.conformance.adapter import evaluate_case
from creditbank.conformance.jsontext import loads


def without_caps(case: dict[str, Any]) -> dict[str, Any]:
    standards = {k: v for k, v in case["standards"].items() if k != "caps"}
    return {**case, "standards": standards}


def main() -> int:
    case = loads(sys.stdin.read())
    sys.stdout.write(evaluate_case(without_caps(case)).to_json(indent=None) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
