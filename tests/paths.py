"""Where the tests find the project's files, wherever in ``tests/`` a test file sits.

A test file that computed the root from its own path (``Path(__file__).parent.parent``)
broke when it moved to another folder; these constants do not.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The project's root: ``README.md``, ``examples/``, ``standards/``, ``benchmarks/``."""

TEST_CASES = ROOT / "tests" / "cases"
"""Test-only cases (``broken/``, ``fuzz/``, ``graph/``); the golden cases ship with the
package (:func:`creditbank.conformance.golden_cases_path`)."""
