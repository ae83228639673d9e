"""A fast start (issue 20, item 12): a command imports only the libraries it uses. Speed
itself is measured in benchmarks/startup.py (no timed assertions here)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import ROOT

HEAVY = (
    "numpy",
    "networkx",
    "cryptography",
    "pyld",
    "fastapi",
    "jinja2",
    "creditbank.interop",
    "creditbank.graph",
    "creditbank.ledger",
    "creditbank.batch",
    "creditbank.service",
)
EVALUATE_KEEPS_OUT = (
    *HEAVY,
    "rich.progress",  # only when progress may be shown (a terminal, work over a second)
    "creditbank.engine.eligibility",  # creditbank and creditbank.engine bind names on first use
    "creditbank.serialize",
)
ELECTRICIAN = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"

PROBE = """\
import sys
from creditbank.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("EXIT", code, "HEAVY", ",".join(heavy), file=sys.stderr)
"""


def _heavy_modules(*argv: str, heavy: tuple[str, ...] = HEAVY) -> tuple[str, str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=heavy), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("EXIT "), run.stderr
    _, code, _, *heavy = last.split(" ")
    return code, "".join(heavy)


@pytest.mark.parametrize(
    "argv",
    [
        ("evaluate", "--help"),
        ("evaluate", str(ELECTRICIAN), "--program", "460301", "--as-of", "2026-09-01"),
        ("validate",),
        ("validate", str(ELECTRICIAN)),
        ("schema",),
        ("config",),
    ],
    ids=lambda argv: " ".join(a for a in argv if "/" not in a),
)
def test_a_command_imports_only_what_it_uses(argv: tuple[str, ...]) -> None:
    code, heavy = _heavy_modules(*argv)
    assert code in {"0", "None"}
    assert heavy == "", f"creditbank {' '.join(argv)} imported {heavy}"


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: `graph` does import networkx."""
    _, heavy = _heavy_modules("graph", "--help")
    assert "networkx" in heavy.split(",") or "creditbank.graph" in heavy.split(",")


def test_evaluate_imports_neither_eligibility_nor_serialisation_nor_progress() -> None:
    argv = ("evaluate", str(ELECTRICIAN), "--program", "460301", "--as-of", "2026-09-01")
    code, heavy = _heavy_modules(*argv, heavy=EVALUATE_KEEPS_OUT)
    assert code in {"0", "None"}
    assert heavy == "", f"creditbank evaluate imported {heavy}"


def test_importing_the_models_builds_no_validator() -> None:
    """`defer_build` leaves each model's validator to its first use; a model instance made at
    import (a class-level default, a `model_rebuild()`) would build it, and its fields', at
    every start."""
    code = (
        "import pydantic, creditbank.models as m\n"
        "built = sorted(n for n, v in vars(m).items() if isinstance(v, type)"
        " and issubclass(v, pydantic.BaseModel) and v.__pydantic_complete__)\n"
        "print(','.join(built))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert run.stdout.strip() == "", f"built at import: {run.stdout.strip()}"
